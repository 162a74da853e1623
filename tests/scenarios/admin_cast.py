"""The admin persona (Rina, who reads English) and pressing a button by its label: shared by the admin, audit,
backup, cancel and guidance stories."""

from __future__ import annotations

from bot.domain.models import Role
from bot.emulator import BotMessage
from tests.scenarios.conftest import World


def data(message: BotMessage, label: str) -> str:
    """The callback data of the button whose label contains ``label``."""
    found = [b.callback_data for row in message.buttons for b in row if label in b.text and b.callback_data]
    assert found, (label, message.button_texts)
    return found[0]


async def tap(world: World, user, message: BotMessage, label: str):  # type: ignore[no-untyped-def]
    return await world.press(user, message, data(message, label))


async def admin(world: World, name: str = "Rina"):  # type: ignore[no-untyped-def]
    """An admin who reads English (chosen with /bahasa, so notifications come in English too)."""
    user = world.emu.add_user(name, last_name="Admin", language_code="en")
    await world.enrol(user, Role.ADMIN)
    who = await world.services.onboarding.identify(user.id, user.full_name, private_chat=True, language="en")
    await world.services.onboarding.set_locale(who, "en")
    return user


async def asked(world: World, user, text: str, count: int):  # type: ignore[no-untyped-def]
    """Send ``text`` and wait for ``count`` answers: the report renders in a worker thread, during
    which the bot makes no Bot API call the emulator could wait on."""
    before = len(world.emu.chat_messages(user))
    await world.emu.send_text(user, text)
    await world.emu.wait_for(lambda: len(world.emu.chat_messages(user)) >= before + count, timeout=30)
    await world.emu.settle()
    return world.emu.chat_messages(user)[before:]

"""The complaint stories' shared steps: finding a button's data, filing a complaint, joining."""

from __future__ import annotations

from bot.domain.models import Role
from bot.emulator import BotMessage
from handlers import buttons
from tests.scenarios.conftest import World

STORY = "Pengurus yayasan meminta Rp500.000 dari bantuan anak saya untuk biaya administrasi."


def data_of(message: BotMessage, kind: buttons.Button, *args: object) -> str:
    """The callback data of the button of ``kind`` (with ``args``, when given) on ``message``."""
    for row in message.buttons:
        for b in row:
            decoded = kind.parse(b.callback_data)
            if decoded is not None and (not args or decoded.args[: len(args)] == tuple(str(a) for a in args)):
                return b.callback_data or ""
    raise AssertionError(f"no {kind.code} button on: {message.text[:200]}")


async def file_complaint(world: World, user, *, anonymous: bool = True) -> str:  # noqa: ANN001
    """The person fills the form (a levy, no proposal, no file) and sends it; returns the ticket."""
    intro = (await world.say(user, "/pengaduan"))[-1]
    await world.press(user, intro, data_of(intro, buttons.COMPLAINT_ANSWER, "levy"))
    asked = world.last(user)
    await world.press(user, asked, data_of(asked, buttons.COMPLAINT_ANSWER, "anon" if anonymous else "named"))
    asked = world.last(user)
    await world.press(user, asked, data_of(asked, buttons.COMPLAINT_ANSWER, "skip"))
    files = (await world.say(user, STORY))[-1]
    await world.press(user, files, data_of(files, buttons.COMPLAINT_ANSWER, "done"))
    summary = world.last(user)
    await world.press(user, summary, data_of(summary, buttons.COMPLAINT_SEND))
    await world.drain()
    filed = next(m for m in reversed(world.emu.chat_messages(user)) if "Pengaduan Anda sudah terkirim" in m.text)
    return filed.text.split("Nomor tiket: ")[1].split()[0]


async def join(world: World, user, role: Role) -> list[BotMessage]:  # noqa: ANN001
    """The person opens their invitation link (``/start <token>``); what the bot answered."""
    replies = await world.say(user, f"/start {await world.invite(role)}")
    await world.drain()
    assert any("Berhasil" in m.text for m in replies), [m.text for m in replies]
    return world.emu.chat_messages(user)


def new_messages(world: World, user, before: int) -> list[BotMessage]:  # noqa: ANN001
    return world.emu.chat_messages(user)[before:]

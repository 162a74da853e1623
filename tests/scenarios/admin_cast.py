"""The admin persona (Rina, who reads English) and pressing a button by its label: shared by the admin, audit,
backup, cancel, guidance and complaint stories; and the admin stories' own steps: 78 operators for a broadcast, a
client's own and shared files for a personal-data request, and a refusal an admin reads whole."""

from __future__ import annotations

from pathlib import Path

from bot.domain.models import Role
from bot.emulator import BotMessage
from bot.files.ipwl_csv import parse_ipwl_csv
from storage.files import FileStore
from tests.helpers import enrol
from tests.scenarios.conftest import World


def data(message: BotMessage, label: str) -> str:
    """The callback data of the button whose label contains ``label``."""
    found = [b.callback_data for row in message.buttons for b in row if label in b.text and b.callback_data]
    assert found, (label, message.button_texts)
    return found[0]


async def tap(world: World, user, message: BotMessage, label: str):
    return await world.press(user, message, data(message, label))


async def admin(world: World, name: str = "Rina"):
    """An admin who reads English (chosen with /bahasa, so notifications come in English too)."""
    user = world.emu.add_user(name, last_name="Admin", language_code="en")
    await world.enrol(user, Role.ADMIN)
    who = await world.services.onboarding.identify(user.id, user.full_name, private_chat=True, language="en")
    await world.services.onboarding.set_locale(who, "en")
    return user


async def asked(world: World, user, text: str, count: int):
    """Send ``text`` and wait for ``count`` answers: the report renders in a worker thread, during
    which the bot makes no Bot API call the emulator could wait on."""
    before = len(world.emu.chat_messages(user))
    await world.emu.send_text(user, text)
    await world.emu.wait_for(lambda: len(world.emu.chat_messages(user)) >= before + count, timeout=30)
    await world.emu.settle()
    return world.emu.chat_messages(user)[before:]


PROVINCES = ("32", "73", "91", "31", "33", "35", "12", "16", "64", "52", "53", "71", "81")  # 13 provinces


async def seventy_eight_operators(world: World):
    """74 more IPWL (78 in 13 provinces), one operator each; every operator has opened the bot."""
    rows = ["code,name,province_code,regency,address,pks_number,pks_valid_from,pks_valid_until,team"]
    rows += [f"X{n:02d},Lembaga {n},{PROVINCES[n % 13]},,,PKS-{n},,,TIM{1 + n % 2}" for n in range(74)]
    await world.services.onboarding.import_ipwl(
        parse_ipwl_csv("\n".join(rows).encode(), today=world.clock.now().date())
    )
    codes = ["JB01", "JB02", "SS01", "PA01", *(f"X{n:02d}" for n in range(74))]
    users = []
    for code in codes:
        user = world.emu.add_user(f"Operator {code}", language_code="id", started=True)
        await enrol(world.services, user.id, user.full_name, Role.OPERATOR, ipwl=code)
        users.append(user)
    return users


async def own_and_shared_files(world: World, proposal, admin_user) -> tuple[Path, Path]:
    """A file of the proposal's first client only, and one the second client's record uses too."""
    store = FileStore(world.settings.storage.files_dir)
    own = store.save(proposal.code, "buku-tabungan.jpg", b"\xff\xd8 passbook")
    shared = store.save(proposal.code, "surat.pdf", b"%PDF-1.4 letter")
    uploader = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", admin_user.id))[0][0]
    pid = (await world.rows("SELECT id FROM proposals WHERE code = ?", proposal.code))[0][0]
    first, second = [c[0] for c in await world.rows("SELECT id FROM clients WHERE proposal_id = ? ORDER BY id", pid)][
        :2
    ]
    async with world.storage.transaction() as uow:
        for client_id, stored in ((first, own), (first, shared), (second, shared)):
            await uow.attachments.add(
                pid,
                client_id=client_id,
                purpose="passbook",
                telegram_file_id="x",
                file_unique_id=None,
                file_name="f",
                mime_type="image/jpeg",
                size=1,
                sha256=stored.sha256,
                stored_path=stored.path,
                uploaded_by=uploader,
                now=world.clock.now(),
            )
    return Path(own.path), Path(shared.path)


def assert_admin_refusal_whole(text: str) -> None:
    """An admin's refusal on a PIC's card fits in an alert, whole, and says what an admin may do."""
    assert len(text) <= 200, (len(text), text)
    assert not text.endswith("…"), text  # the whole refusal fits, nothing was cut off
    assert "admin" in text and "melepaskan" in text, text

"""Steps of the backup scenarios (tests/scenarios/test_backup_restore.py): an installation's config, a restore
typed at the terminal, the newest backup, a raw read of a database file, a detail card opened, and where an
erased client's bytes might still be found."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import zipfile
from pathlib import Path

from bot.cli import main
from bot.i18n import Translator
from handlers import buttons
from tests.scenarios.conftest import World


def config_file(folder: Path) -> Path:
    """The config of an installation in ``folder`` (its own database and file store)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(
        f'[storage]\ndatabase = "{folder / "atensi.sqlite3"}"\nfiles_dir = "{folder / "files"}"\n'
        "[access]\nadmin_user_ids = [9001]\n"
    )
    return path


def live_config(world: World, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(
        f'[storage]\ndatabase = "{world.settings.storage.database}"\nfiles_dir = "{world.settings.storage.files_dir}"\n'
    )
    return path


async def restore(capsys, config: Path, archive: Path) -> tuple[int, str]:
    """``atensi-bot db restore`` as typed at the terminal (its own event loop, in a thread)."""
    code = await asyncio.to_thread(main, ["db", "restore", str(archive), "--config", str(config)])
    out = capsys.readouterr()
    return code, out.out + out.err


def newest_backup(world: World) -> Path:
    return sorted(Path(world.settings.admin.backups_dir).glob("atensi-*.tar"))[-1]


def query(database: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(database)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


async def tap_detail(world: World, user, message, proposal_id: int) -> None:
    answer = await world.press(user, message, buttons.CARD_DETAIL.data(proposal_id))
    assert answer is not None and not answer.show_alert
    await world.emu.wait_for(lambda: any(m.document for m in world.emu.chat_messages(user)), timeout=15)


def leaks(data: bytes, needles: list[bytes]) -> list[bytes]:
    """The needles found in ``data``, or in any member of it when it is a zip (an XLSX)."""
    found = [n for n in needles if n in data]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for name in book.namelist():
                found += [n for n in needles if n in book.read(name)]
    return found


def files_leaking(folder: Path, needles: list[bytes], skip: Path) -> dict[str, list[bytes]]:
    return {
        str(p): hit
        for p in folder.rglob("*")
        if p.is_file() and not p.is_relative_to(skip) and (hit := leaks(p.read_bytes(), needles))
    }


async def exports(world: World) -> list[bytes]:
    rina = await world.services.onboarding.identify(9001, "Admin", private_chat=True, language="en")
    span = world.services.reports.export_range("y0")
    made = []
    for kind in ("proposals", "clients", "payments", "lpj", "audit"):
        for unmasked in (False, True):
            made.append(
                (await world.services.reports.export(rina, kind, span, Translator("en"), unmasked=unmasked)).content
            )
    return made

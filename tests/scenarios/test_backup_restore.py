"""Backups an auditor can rely on (issue 18).

Rina (admin) backs the centre up with /cadangan. The server crashes with changes still in the WAL,
and she restores an older backup with ``atensi-bot db restore``; the centre moves to a second server
whose bot sends the stored letter from the restored file store; and a client who asked to be erased
stays erased — in the database file, its WAL, the file store and every export — even after an
older backup that still held her is restored.

Personas: Siti (operator, JB01), Andi and Budi (PIC team 1), Hana (head), Rina (admin).

SQLite only: ``db restore`` puts back a SQLite database (its file, WAL and locks), and "no bytes
left" is read in the SQLite file and its WAL. On PostgreSQL the archive's dump goes back with
pg_restore (tests/scenarios/test_admin_data.py, tests/test_reports.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.app import stop_bot
from bot.config import Settings
from bot.domain.models import Role
from bot.emulator import BotApiEmulator, default_spec_path
from bot.emulator.updates import UpdateQueue
from handlers.context import DEPS_KEY
from storage.backup import InstanceLock
from storage.files import FileStore
from storage.unit import Storage
from tests.helpers import pdf, submit_with_consent
from tests.scenarios.admin_cast import admin, tap
from tests.scenarios.backup_cast import (
    config_file,
    exports,
    files_leaking,
    leaks,
    live_config,
    newest_backup,
    query,
    restore,
    tap_detail,
)
from tests.scenarios.conftest import TOKEN, World, run_bot
from tests.scenarios.review_cast import CLIENTS, card, client_inputs, operator, submitted, team

pytestmark = pytest.mark.sqlite_only

SITI_RAHAYU, SITI_NIK = CLIENTS[0][0], CLIENTS[0][1]
# The assessment uploaded for her proposal as a whole (not to one client): it names her.
ASSESSMENT = pdf(f"asesmen {SITI_RAHAYU} NIK {SITI_NIK}")


@pytest.fixture
def scenario_settings(scenario_settings: Settings, tmp_path: Path) -> Settings:
    return scenario_settings.model_copy(
        update={"admin": scenario_settings.admin.model_copy(update={"backups_dir": tmp_path / "backups"})}
    )


async def test_a_crash_then_restoring_an_older_backup(world: World, tmp_path: Path, capsys) -> None:
    t = await team(world)
    sent = await submitted(world, t)
    rina = await admin(world)
    done = (await world.say(rina, "/cadangan"))[-1]
    assert "atensi-bot db restore" in done.text
    archive = newest_backup(world)

    # After the backup: Siti starts another proposal, and Hana's colleague Nur joins as head.
    who = await operator(world, t.op)
    draft = await world.services.proposals.start(who)
    await world.services.proposals.add_clients(who, client_inputs(CLIENTS[2:]))
    await world.enrol(world.emu.add_user("Nur", last_name="Kepala"), Role.HEAD)

    # While the bot runs, a restore is refused and changes nothing.
    code, said = await restore(capsys, live_config(world, tmp_path / "live"), archive)
    assert code == 2 and "open in another program" in said
    assert await world.rows("SELECT count(*) FROM proposals WHERE id = ?", draft.proposal.id) == [(1,)]

    # The server crashes: its disk holds the database with the latest changes still in the WAL.
    crashed = tmp_path / "crashed"
    config = config_file(crashed)
    live = Path(world.settings.storage.database)
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(f"{live}{suffix}", f"{crashed / 'atensi.sqlite3'}{suffix}")
    shutil.copytree(world.settings.storage.files_dir, crashed / "files", dirs_exist_ok=True)
    assert (crashed / "atensi.sqlite3-wal").stat().st_size > 0

    # A bot started on it holds the instance lock: the restore says so.
    lock = InstanceLock(crashed / "atensi.sqlite3")
    assert lock.acquire(exclusive=False)
    try:
        code, said = await restore(capsys, config, archive)
        assert code == 2 and "the bot is running" in said and "Nothing was changed" in said
    finally:
        lock.release()

    code, said = await restore(capsys, config, archive)
    assert code == 0, said
    assert "integrity check: ok" in said
    database = crashed / "atensi.sqlite3"
    assert query(database, "PRAGMA integrity_check") == [("ok",)]
    assert query(database, "SELECT id, status FROM proposals") == [(sent, "submitted")]
    assert query(database, "SELECT count(*) FROM clients") == [(3,)]
    assert query(database, "SELECT count(*) FROM people WHERE full_name = 'Nur Kepala'") == [(0,)]
    # The old database is kept aside, never deleted, with what its WAL held folded into it.
    aside = {p.name.split(".before-restore-")[0]: p for p in crashed.glob("*.before-restore-*")}
    assert {"atensi.sqlite3", "files"} <= set(aside) and "atensi.sqlite3-wal" not in aside
    assert query(aside["atensi.sqlite3"], "SELECT count(*) FROM proposals") == [(2,)]
    assert query(aside["atensi.sqlite3"], "SELECT count(*) FROM people WHERE full_name = 'Nur Kepala'") == [(1,)]
    assert not Path(f"{database}-wal").exists() or Path(f"{database}-wal").stat().st_size == 0


async def test_a_backup_restored_on_a_second_instance_sends_its_files(
    world: World, tmp_path: Path, scenario_settings: Settings, capsys
) -> None:
    t = await team(world)
    who = await operator(world, t.op)
    draft = await world.services.proposals.start(who)
    await world.services.proposals.add_clients(who, client_inputs())
    await world.emu.send_document(
        t.op, file_name="surat-pengantar.pdf", content=ASSESSMENT, mime_type="application/pdf"
    )
    await world.emu.settle()
    assert await world.rows("SELECT count(*) FROM attachments WHERE proposal_id = ?", draft.proposal.id) == [(1,)]
    rina = await world.services.onboarding.identify(9001, "Admin", private_chat=True, language="en")
    made = await world.services.backups.backup(rina)
    assert made.files == 1

    # The second server: its own database and file store, empty until the restore.
    second = tmp_path / "second"
    code, said = await restore(capsys, config_file(second), made.path)
    assert code == 0, said
    assert "1 file(s)" in said
    stored = query(second / "atensi.sqlite3", "SELECT stored_path FROM attachments")[0][0]
    # Sealed on disk as in the archive; the second server opens it with the centre's key file.
    assert Path(stored).is_relative_to(second / "files") and Path(stored).read_bytes().startswith(b"ATF1")
    assert FileStore(second / "files").read(stored) == ASSESSMENT

    # Its bot sends the letter from the restored file store (its Bot API does not know the file id).
    settings = scenario_settings.model_copy(
        update={
            "storage": scenario_settings.storage.model_copy(
                update={"database": second / "atensi.sqlite3", "files_dir": second / "files"}
            )
        }
    )
    spec = default_spec_path()
    assert spec is not None
    async with BotApiEmulator(TOKEN, spec_path=spec) as emu:  # the same bot, a Bot API that never saw the upload
        users = [
            emu.add_user(u.first_name, last_name=u.last_name, started=True)
            for u in (t.op, t.andi, t.budi, t.citra, t.stranger, t.head)
        ]
        assert [u.id for u in users] == [u.id for u in (t.op, t.andi, t.budi, t.citra, t.stranger, t.head)]
        group = emu.add_group("Tim PIC 1", members=users[1:5])
        assert group.id == t.group.id
        # Telegram numbers updates on from where the first server left off (a fresh emulator
        # would start at 1, which the restored database has already seen).
        emu.state.updates = UpdateQueue(first_update_id=1_000_000)
        storage = await Storage.open(settings.storage.database)
        app = await run_bot(emu, storage, world.clock, settings)
        deps = app.bot_data[DEPS_KEY]
        try:
            second_world = World(emu, storage, deps.services, deps, world.clock, settings, app)
            siti = await operator(second_world, users[0])
            await submit_with_consent(deps.services, siti, draft.proposal.id)
            await second_world.drain()
            t.group = group
            await tap_detail(second_world, users[2], card(second_world, t, draft.proposal.id), draft.proposal.id)
            letters = [m for m in emu.chat_messages(users[2]) if m.document]
            assert [m.document["file_name"] for m in letters] == ["surat-pengantar.pdf"]
            assert letters[0].file_bytes() == ASSESSMENT
        finally:
            await stop_bot(app)
            await storage.close()
        # The one refusal: the old file id, tried first (as with Telegram, where it would work).
        assert emu.violations == ["sendDocument: Bad Request: wrong file identifier/HTTP URL specified"]
        assert deps.errors == []


# --- erasure ---------------------------------------------------------------------------------------------------


async def test_an_erased_client_leaves_no_bytes_and_stays_erased_after_restoring_an_older_backup(
    world: World, tmp_path: Path, capsys
) -> None:
    t = await team(world)
    who = await operator(world, t.op)
    draft = await world.services.proposals.start(who)
    await world.services.proposals.add_clients(who, client_inputs(CLIENTS[:1]))  # she is its only client
    await world.emu.send_document(t.op, file_name="asesmen.pdf", content=ASSESSMENT, mime_type="application/pdf")
    await world.emu.settle()
    pid = draft.proposal.id
    await submit_with_consent(world.services, who, pid)
    await world.services.proposals.withdraw(who, pid)
    await world.drain()
    rina = await admin(world)
    await world.say(rina, "/cadangan")
    before = newest_backup(world)  # made before the erasure: it holds her
    database = Path(world.settings.storage.database)
    wal_before = Path(f"{database}-wal").stat().st_size

    request = (await world.say(rina, f"/datapribadi {SITI_NIK}"))[-1]
    await tap(world, rina, request, "Anonymize")
    await tap(world, rina, world.last(rina), "Yes, erase")
    confirmation = world.last(rina).text
    assert "anonymized" in confirmation and "1 stored file(s)" in confirmation
    assert "erasure ledger" in confirmation and "atensi-bot db restore" in confirmation

    needles = [SITI_RAHAYU.encode(), SITI_NIK.encode()]
    # Nothing about her is attached anywhere any more (the Telegram file id went with the row).
    assert await world.rows("SELECT count(*) FROM attachments WHERE proposal_id = ?", pid) == [(0,)]
    # Folded in and truncated: the WAL holds only the frames written since (the confirmation marked
    # sent by the outbox, a reminder's tick: how many depends on the machine's load, so the check is
    # that the WAL shrank), never the old frames of her rows (files_leaking reads it below).
    assert Path(f"{database}-wal").stat().st_size < wal_before
    backups = Path(world.settings.admin.backups_dir)
    assert files_leaking(tmp_path, needles, skip=backups) == {}  # database, WAL, file store, ledger
    assert [leaks(book, needles) for book in await exports(world)] == [[]] * 10

    # The server is restored from the older backup, which still holds her: she is erased again.
    await stop_bot(world.app)
    await world.storage.close()
    code, said = await restore(capsys, live_config(world, tmp_path / "live"), before)
    assert code == 0, said
    assert "1 client record(s) erased again" in said
    world.storage = await Storage.open(database)
    world.app = await run_bot(world.emu, world.storage, world.clock, world.settings)
    world.deps = world.app.bot_data[DEPS_KEY]
    world.services = world.deps.services
    assert await world.rows("SELECT full_name, erased_at IS NOT NULL FROM clients WHERE proposal_id = ?", pid) == [
        ("-", 1)
    ]
    assert await world.rows("SELECT count(*) FROM attachments WHERE proposal_id = ?", pid) == [(0,)]
    await world.storage.db.purge_freed()
    assert files_leaking(tmp_path, needles, skip=backups) == {}
    assert [leaks(book, needles) for book in await exports(world)] == [[]] * 10

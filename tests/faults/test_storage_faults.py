"""The database locked by someone else, and a disk that refuses a file.

* Locked for less than the busy timeout (5 s): the bot waits, then answers; applied once.
* Locked for longer: the person is told plainly that nothing was changed and to try again; nothing
  is half written; trying again after the lock is gone works. Notifications being delivered at that
  moment are not stuck and not lost.
* The disk refuses a file (full, read-only, not a directory): a clear message, no attachment row,
  no half-written file left behind.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
from pathlib import Path

import pytest

import handlers.outbox
import handlers.proposals
from handlers import buttons, views
from storage.files import FileStore, FileStoreFull
from tests.faults.crash_cast import _enospc, _lock
from tests.helpers import pdf, submit_with_consent
from tests.scenarios.intake_cast import open_draft
from tests.scenarios.review_cast import card, team

PDF = pdf("surat pengantar " + "x" * 2048)


@pytest.mark.sqlite_only  # SQLite's file lock and busy timeout
async def test_a_short_lock_is_waited_out(world) -> None:
    op = await open_draft(world, "en")
    lock = _lock(world.settings.storage.database)
    await world.emu.send_text(op.user, "Siti Rahayu")
    await world.emu.wait_for(lambda: world.emu.state.updates.undelivered == 0)
    await asyncio.sleep(1.0)  # the bot is waiting on SQLite's busy timeout meanwhile
    before = len(world.emu.chat_messages(op.user))
    lock.execute("ROLLBACK")
    lock.close()
    await world.emu.wait_for(lambda: len(world.emu.chat_messages(op.user)) > before, timeout=5)
    await world.emu.settle()
    cursor = (await world.rows("SELECT draft_cursor FROM proposals"))[0][0]
    assert '"full_name": "Siti Rahayu"' in cursor and '"step": "nik"' in cursor
    assert world.deps.errors == []


async def test_a_failure_after_the_answer_was_saved_does_not_claim_nothing_changed(world, monkeypatch) -> None:
    op = await open_draft(world, "en")

    async def broken_question(*args, **kwargs):
        raise RuntimeError("the reply could not be rendered")

    monkeypatch.setattr(handlers.proposals, "_ask", broken_question)  # the next question, after the save
    await world.emu.send_text(op.user, "Siti Rahayu")
    await world.emu.settle()
    told = [m.text for m in world.emu.chat_messages(op.user)][-1]
    assert told == views.unexpected_error(world.deps.translations.for_locale(None), saved=True)
    assert "tersimpan" in told  # Indonesian, and honest: the name was saved before the reply failed
    assert [str(e) for e in world.deps.errors] == ["the reply could not be rendered"]
    world.deps.errors.clear()
    cursor = (await world.rows("SELECT draft_cursor FROM proposals"))[0][0]
    assert '"full_name": "Siti Rahayu"' in cursor


@pytest.mark.sqlite_only  # SQLite's file lock and busy timeout
async def test_a_long_lock_is_answered_clearly_and_changes_nothing(world) -> None:
    op = await open_draft(world, "en")
    await world.storage.db.connection.execute("PRAGMA busy_timeout = 200")  # instead of waiting 5 s here
    before_cursor = await world.rows("SELECT draft_cursor FROM proposals")
    lock = _lock(world.settings.storage.database)
    try:
        await world.emu.send_text(op.user, "Siti Rahayu")
        await world.emu.wait_for(lambda: world.emu.state.updates.undelivered == 0)
        await asyncio.sleep(0.6)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    await world.emu.settle()
    told = [m.text for m in world.emu.chat_messages(op.user)][-2:]
    # Told once (the error handler speaks the default language: it cannot look the person up).
    assert (
        told[-1] == views.unexpected_error(world.deps.translations.for_locale(None), saved=False) and told[0] != told[1]
    )
    assert [type(e).__name__ for e in world.deps.errors] == ["StorageBusy"]
    world.deps.errors.clear()
    assert await world.rows("SELECT draft_cursor FROM proposals") == before_cursor
    assert await world.rows("PRAGMA integrity_check") == [("ok",)]
    # Trying again once the lock is gone works, once.
    await op.type("Siti Rahayu")
    cursor = (await world.rows("SELECT draft_cursor FROM proposals"))[0][0]
    assert '"full_name": "Siti Rahayu"' in cursor and '"step": "nik"' in cursor


@pytest.mark.sqlite_only  # SQLite's file lock and busy timeout
async def test_a_lock_while_a_notification_is_marked_sent_neither_loses_nor_strands_it(world) -> None:
    """Telegram accepted the group card; the database is locked when the sender wants to note it.
    The sender keeps trying and records it (with the card's message id) once the lock is gone."""
    t = await team(world)
    world.team = t
    await world.storage.db.connection.execute("PRAGMA busy_timeout = 100")
    world.emu.fail_next("sendMessage", chat_id=t.group.id, delay=0.5)
    who = await world.services.onboarding.identify(t.op.id, t.op.full_name, private_chat=True, language="id")
    from tests.scenarios.review_cast import PDF as LETTER
    from tests.scenarios.review_cast import client_inputs

    state = await world.services.proposals.start(who)
    await world.services.proposals.add_clients(who, client_inputs())
    await world.emu.send_document(t.op, file_name="surat-pengantar.pdf", content=LETTER, mime_type="application/pdf")
    await world.emu.settle()
    await submit_with_consent(world.services, who, state.proposal.id)
    await world.emu.wait_for(
        lambda: any(m == "sendMessage" and p.get("chat_id") == t.group.id for m, p in world.emu.requests), timeout=5
    )
    lock = _lock(world.settings.storage.database)  # while Telegram is still answering
    await asyncio.sleep(1.5)
    lock.execute("ROLLBACK")
    lock.close()
    await world.emu.wait_for(
        lambda: any(
            buttons.CARD_DETAIL.data(state.proposal.id) in str(m.reply_markup) for m in world.emu.chat_messages(t.group)
        ),
        timeout=10,
    )
    for _ in range(100):
        if await world.rows("SELECT status FROM outbox") == [("sent",)]:
            break
        await asyncio.sleep(0.1)
    assert await world.rows("SELECT status FROM outbox") == [("sent",)]
    cards = [
        m
        for m in world.emu.chat_messages(t.group)
        if buttons.CARD_DETAIL.data(state.proposal.id) in str(m.reply_markup)
    ]
    assert len(cards) == 1
    assert card(world, t, state.proposal.id).message_id == cards[0].message_id
    assert await world.rows("SELECT count(*) FROM group_cards") == [(1,)]  # the card's id was remembered
    # And the card works: a claim edits it in place.
    answer = await world.press(t.andi, cards[0], buttons.CARD_ACTION.data(state.proposal.id, "claim"))
    assert answer is not None and not answer.show_alert
    await world.drain()
    assert buttons.CARD_ACTION.data(state.proposal.id, "verify") in str(cards[0].reply_markup)


async def test_a_delivery_whose_mark_never_lands_is_recorded_when_its_lease_brings_it_back(world, monkeypatch) -> None:
    """Telegram accepted the group card, but the database refused every attempt to note it (down
    longer than the sender waits with the row in hand). The row stays pending under its lease; when
    the lease brings it back, the sender records the delivery it made — it does not send it again,
    and it does not reschedule it as a failure."""
    t = await team(world)
    outbox = world.services.outbox
    marked = outbox.mark_sent
    down = True

    async def mark_sent(message, message_id, now):
        if down:
            raise ConnectionError("the database is down")
        await marked(message, message_id, now)

    monkeypatch.setattr(outbox, "mark_sent", mark_sent)
    monkeypatch.setattr(handlers.outbox, "MARK_ATTEMPTS", 2)
    who = await world.services.onboarding.identify(t.op.id, t.op.full_name, private_chat=True, language="id")
    from tests.scenarios.review_cast import client_inputs

    state = await world.services.proposals.start(who)
    await world.services.proposals.add_clients(who, client_inputs())
    await submit_with_consent(world.services, who, state.proposal.id)
    detail = buttons.CARD_DETAIL.data(state.proposal.id)

    def cards() -> int:
        return sum(detail in str(m.reply_markup) for m in world.emu.chat_messages(t.group))

    await world.emu.wait_for(lambda: cards() == 1, timeout=10)
    await world.emu.settle()
    assert await world.rows("SELECT status, attempts FROM outbox WHERE kind = 'proposal_card'") in (
        [("pending", 0)],
        [("pending", 1)],
    )
    # The database is back; the lease ends and the row returns to the sender.
    down = False
    world.clock.advance(dt.timedelta(seconds=world.settings.delivery.lease_seconds + 1))
    world.deps.sender.wake()
    for _ in range(100):
        if await world.rows("SELECT status FROM outbox WHERE kind = 'proposal_card'") == [("sent",)]:
            break
        await asyncio.sleep(0.1)
    await world.drain()
    assert await world.rows("SELECT status FROM outbox WHERE kind = 'proposal_card'") == [("sent",)]
    assert cards() == 1  # sent once
    assert await world.rows("SELECT count(*) FROM group_cards") == [(1,)]  # its on-sent effect ran once recorded
    answer = await world.press(
        t.andi, card(world, t, state.proposal.id), buttons.CARD_ACTION.data(state.proposal.id, "claim")
    )
    assert answer is not None and not answer.show_alert


# --- a disk that refuses the file -------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["write", "rename", "not_a_directory"])
async def test_a_full_disk_refuses_the_attachment_clearly_and_keeps_nothing(world, monkeypatch, where: str) -> None:
    op = await open_draft(world, "en")
    files_dir = Path(world.settings.storage.files_dir)
    if where == "write":
        monkeypatch.setattr("storage.files.os.fsync", _enospc)  # the data did not fit
    elif where == "rename":
        monkeypatch.setattr("storage.files.os.replace", _enospc)
    else:
        files_dir.parent.mkdir(parents=True, exist_ok=True)
        files_dir.write_text("a file where the folder should be")
    await world.emu.send_document(op.user, file_name="surat-pengantar.pdf", content=PDF, mime_type="application/pdf")
    await world.emu.settle()
    told = world.emu.chat_messages(op.user)[-1].text
    assert told.startswith("⚠️") and "could not store the file" in told and "Nothing was saved" in told
    assert await world.rows("SELECT count(*) FROM attachments") == [(0,)]
    if files_dir.is_dir():
        assert [p for p in files_dir.rglob("*") if p.is_file()] == []  # no half file, no .part
    monkeypatch.undo()
    if where == "not_a_directory":
        files_dir.unlink()
    # Space again: the same upload is kept.
    await world.emu.send_document(op.user, file_name="surat-pengantar.pdf", content=PDF, mime_type="application/pdf")
    await world.emu.settle()
    assert await world.rows("SELECT count(*) FROM attachments") == [(1,)]
    # Sealed on disk (issue 17): the store opens it as it was uploaded.
    assert [world.services.files.read(str(p)) for p in files_dir.rglob("*") if p.is_file()] == [PDF]


def test_filestore_leaves_no_partial_file_when_the_write_fails(tmp_path: Path, monkeypatch) -> None:
    store = FileStore(tmp_path)
    real_open = open

    class HalfWriter:
        def __init__(self, path, mode):
            self._file = real_open(path, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc: object) -> None:
            self._file.close()

        def write(self, data: bytes) -> int:
            self._file.write(data[: len(data) // 2])  # half of it reaches the disk, then it is full
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("builtins.open", HalfWriter)
    with pytest.raises(FileStoreFull):
        store.save("USL-2026-0001", "surat.pdf", PDF)
    monkeypatch.undo()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.postgresql_only  # SQLite's equivalent is the long-lock test above
async def test_a_row_held_by_another_process_is_answered_clearly_and_changes_nothing(world) -> None:
    """Another process (a stuck session, a bot instance mid-crash) holds the draft's row longer than
    the lock timeout: Siti is told plainly that nothing was changed; nothing is half written; once the
    row is free her answer goes through, once."""
    import asyncpg

    from bot.app import stop_bot
    from handlers.context import DEPS_KEY
    from storage.unit import Storage
    from tests.scenarios.conftest import run_bot

    op = await open_draft(world, "en")
    # The bot again, with a 0.2 s lock timeout instead of 5 s (the test need not wait that long).
    await stop_bot(world.app)
    await world.storage.close()
    world.storage = await Storage.open(world.settings.storage.target, lock_timeout_ms=200)
    world.app = await run_bot(world.emu, world.storage, world.clock, world.settings)
    world.deps = world.app.bot_data[DEPS_KEY]
    world.services = world.deps.services
    before_cursor = await world.rows("SELECT draft_cursor FROM proposals")
    before = len(world.emu.chat_messages(op.user))
    other = await asyncpg.connect(world.settings.storage.target)
    held = other.transaction()
    await held.start()
    await other.execute("SELECT 1 FROM proposals FOR UPDATE")
    try:
        await world.emu.send_text(op.user, "Siti Rahayu")
        await world.emu.wait_for(lambda: len(world.emu.chat_messages(op.user)) > before)
    finally:
        await held.rollback()
        await other.close()
    await world.emu.settle()
    told = [m.text for m in world.emu.chat_messages(op.user)][before:]
    assert told == [views.unexpected_error(world.deps.translations.for_locale(None), saved=False)]
    assert [type(e).__name__ for e in world.deps.errors] == ["StorageBusy"]
    world.deps.errors.clear()
    assert await world.rows("SELECT draft_cursor FROM proposals") == before_cursor
    await op.type("Siti Rahayu")
    cursor = (await world.rows("SELECT draft_cursor FROM proposals"))[0][0]
    assert '"full_name": "Siti Rahayu"' in cursor and '"step": "nik"' in cursor

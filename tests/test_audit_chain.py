"""The audit trail as a hash chain (issue 17.8): every event sealed on commit, and ``verify``
naming the first event someone edited, deleted or slipped in behind the bot's back.

Persona: Dewi, the centre's admin, who runs ``atensi-bot audit verify`` after an inspector asks
whether the trail can be trusted; and a careless database user who edits rows by hand.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from storage.audit_chain import AuditMirror
from storage.db import to_db_time
from storage.unit import Storage, UnitOfWork
from tests.audit_events import NOW, check, event, seed


async def test_an_untouched_trail_verifies_and_every_event_is_sealed_in_order(storage: Storage) -> None:
    ids = await seed(storage)
    result = await check(storage)
    assert result.intact and result.events == 6, result.findings
    async with storage.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq")
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6] and len(ids) == 6
    assert rows[0][1] == "" and all(rows[i][1] == rows[i - 1][2] for i in range(1, 6))


async def test_an_edited_row_is_named(storage: Storage) -> None:
    ids = await seed(storage)
    async with storage.db.transaction() as conn:
        await conn.execute("UPDATE audit_events SET to_status = 'returned' WHERE id = ?", (ids[3],))
    result = await check(storage)
    assert [(f.kind, f.event_id) for f in result.findings] == [("altered", ids[3])]
    assert result.first.describe().startswith(f"altered: event {ids[3]} (seq 4)")


async def test_an_edited_reason_is_named(storage: Storage) -> None:
    ids = await seed(storage)
    async with storage.db.transaction() as conn:
        await conn.execute("UPDATE audit_events SET reason = 'Sesuai' WHERE id = ?", (ids[2],))
    result = await check(storage)
    assert [(f.kind, f.event_id) for f in result.findings] == [("altered", ids[2])]


async def test_a_deleted_row_is_named_by_its_neighbours(storage: Storage) -> None:
    ids = await seed(storage)
    async with storage.db.transaction() as conn:
        await conn.execute("DELETE FROM audit_events WHERE id = ?", (ids[2],))
    result = await check(storage)
    assert [(f.kind, f.event_id) for f in result.findings] == [("removed", ids[3])]
    assert f"seq 3 missing after event {ids[1]}" in result.first.detail


async def test_an_inserted_row_is_named_sealed_or_not(storage: Storage) -> None:
    ids = await seed(storage)
    async with storage.db.transaction() as conn:
        # Written past the bot: no seal at all.
        await conn.execute(
            "INSERT INTO audit_events (at, actor_role, entity, entity_id, action) VALUES (?, 'admin', 'proposal',"
            " 'USL-2026-0099', 'approve')",
            (to_db_time(NOW),),
        )
        forged = await conn.fetchval("SELECT max(id) FROM audit_events")
    result = await check(storage)
    assert [(f.kind, f.event_id) for f in result.findings] == [("inserted", forged)]
    # Slipped between two events with a place in the chain and a made-up seal.
    async with storage.db.transaction() as conn:
        await conn.execute("UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= 4 AND id != ?", (forged,))
        await conn.execute("UPDATE audit_events SET seq = -seq WHERE seq < 0")
        await conn.execute(
            "UPDATE audit_events SET seq = 4, prev_hash = (SELECT hash FROM audit_events WHERE id = ?),"
            " hash = 'ff' WHERE id = ?",
            (ids[2], forged),
        )
    result = await check(storage)
    assert [(f.kind, f.event_id) for f in result.findings][:1] == [("inserted", forged)]


async def test_an_erasure_blanks_a_reason_and_the_chain_still_holds(storage: Storage) -> None:
    ids = await seed(storage)
    async with storage.db.transaction() as conn:  # what PersonalDataRepository's erasure does
        await conn.execute("UPDATE audit_events SET reason = NULL, reason_salt = NULL WHERE id = ?", (ids[2],))
    result = await check(storage)
    assert result.intact and result.redacted == 1


async def test_a_rewritten_chain_is_caught_by_the_mirror(storage: Storage, tmp_path: Path) -> None:
    mirror = AuditMirror(tmp_path / "audit.jsonl")
    storage.audit_mirror = mirror
    ids = await seed(storage)
    lines = mirror.lines()
    assert [line["seq"] for line in lines] == [1, 2, 3, 4, 5, 6]
    assert "NIK tidak sesuai" not in mirror.path.read_text()  # no reason, no personal data in the mirror
    # Someone with the database deletes the last event: the chain alone cannot tell, the mirror can.
    async with storage.db.transaction() as conn:
        await conn.execute("DELETE FROM audit_events WHERE id = ?", (ids[5],))
    result = await check(storage, mirror)
    assert [(f.kind, f.seq) for f in result.findings] == [("mirror", 6)]
    assert (await check(storage)).intact  # without the mirror, nothing to see


async def test_events_of_an_upgraded_database_are_sealed_by_the_first_commit(storage: Storage) -> None:
    async with storage.db.transaction() as conn:  # rows from before the chain (and seed data) — unsealed
        for n in range(3):
            await conn.execute(
                "INSERT INTO audit_events (at, entity, entity_id, action) VALUES (?, 'proposal', ?, 'x')",
                (to_db_time(NOW), str(n)),
            )
    async with storage.transaction() as uow:
        await uow.audit.record(event(9))
    result = await check(storage)
    assert result.intact and result.events == 4


async def test_two_transactions_appending_at_once_are_sealed_one_after_the_other(
    storage: Storage, database_url: str
) -> None:
    if storage.db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    other = await Storage.open(database_url)
    monitor = await Storage.open(database_url, pool_size=1)
    try:
        sealed, release = asyncio.Event(), asyncio.Event()

        async def first() -> None:
            async with storage.db.transaction() as conn:
                uow = UnitOfWork(conn)
                await uow.audit.record(event(1))
                await uow.audit.seal()  # holds the chain's lock until this transaction commits
                sealed.set()
                await release.wait()

        async def second() -> None:
            async with other.transaction() as uow:
                await uow.audit.record(event(2))

        a = asyncio.ensure_future(first())
        await sealed.wait()
        b = asyncio.ensure_future(second())
        waited = False
        while not b.done():
            async with monitor.db.reading() as conn:
                if await conn.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                ):
                    waited = True
                    break
            await asyncio.sleep(0.005)
        release.set()
        await asyncio.gather(a, b)
        assert waited  # the second append waited for the first one's commit
        result = await check(storage)
        assert result.intact and result.events == 2
    finally:
        await other.close()
        await monitor.close()


def test_mirror_lines_are_json(tmp_path: Path) -> None:
    mirror = AuditMirror(tmp_path / "m.jsonl")
    mirror.append([{"seq": 1, "id": 7, "at": "x", "entity": "proposal", "action": "a", "prev_hash": "", "hash": "h"}])
    mirror.path.write_text(mirror.path.read_text() + '{"torn')
    assert mirror.lines() == [json.loads(mirror.path.read_text().splitlines()[0])]

"""The SQLite engine's trips to aiosqlite's thread: a unit's BEGIN travels with its first statement
and a read's end with the next statement, so a bot answering an update with one read makes one
trip, not three; and none of that leaves a transaction open, a write half begun, or a checkpoint
held back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import StorageBusy
from storage.sqlite import END_READ_WITHIN_S, SqliteDatabase
from tests.waiting import until


@pytest.fixture
async def db(tmp_path: Path):
    database = await SqliteDatabase.open(tmp_path / "trips.sqlite3")
    async with database.transaction() as conn:
        await conn.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        await conn.execute("INSERT INTO people (name) VALUES ('Siti')")
    yield database
    await database.close()


@pytest.fixture
def trips(db: SqliteDatabase, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per trip to the thread: how many owed statements went along."""
    seen: list[int] = []
    run = db.run

    async def counted(work):
        seen.append(len(db._owed))
        return await run(work)

    monkeypatch.setattr(db, "run", counted)
    return seen


@pytest.fixture
def other(db: SqliteDatabase):
    """Another process's connection to the same file."""
    conn = sqlite3.connect(db.path, isolation_level=None, timeout=0.05)
    yield conn
    conn.close()


async def test_two_reads_back_to_back_take_one_trip_each(db: SqliteDatabase, trips: list[int]) -> None:
    async with db.reading() as conn:
        assert await conn.fetchval("SELECT name FROM people") == "Siti"
    async with db.reading() as conn:
        assert await conn.fetchval("SELECT count(*) FROM people") == 1
    # The first carried its BEGIN; the second the first's end and its own BEGIN.
    assert trips == [1, 2]
    # The second's end goes alone once nobody else comes.
    await until(lambda: len(trips) == 3 and not db._owed, timeout=END_READ_WITHIN_S * 40)


async def test_a_read_that_reads_nothing_costs_no_trip(db: SqliteDatabase, trips: list[int]) -> None:
    async with db.reading():
        pass
    async with db.transaction():
        pass
    assert trips == [] and db._owed == []


async def test_an_idle_read_does_not_hold_a_checkpoint_back(db: SqliteDatabase, other: sqlite3.Connection) -> None:
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO people (name) VALUES ('Rahayu')")
    async with db.reading() as conn:
        await conn.fetchval("SELECT count(*) FROM people")
    # busy = 0: no reader (ours included) kept the WAL from being folded in and truncated.
    await until(lambda: other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0)
    assert await db.purge_freed()


async def test_a_write_that_cannot_begin_is_busy_and_leaves_nothing_half_done(
    db: SqliteDatabase, other: sqlite3.Connection
) -> None:
    async with db.reading() as conn:  # its end still owed when the write comes
        await conn.fetchval("SELECT count(*) FROM people")
    await db.connection.execute("PRAGMA busy_timeout = 50")
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    with pytest.raises(StorageBusy):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO people (name) VALUES ('Dewi')")
    other.execute("ROLLBACK")
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO people (name) VALUES ('Ayu')")
    async with db.reading() as conn:
        names = [r[0] for r in await conn.execute_fetchall("SELECT name FROM people ORDER BY id")]
    assert names == ["Siti", "Ayu"]


async def test_a_write_whose_work_fails_saves_nothing(db: SqliteDatabase) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO people (name) VALUES ('Dewi')")
            raise RuntimeError("the check after the insert refused")
    async with db.reading() as conn:
        assert await conn.fetchval("SELECT count(*) FROM people") == 1


async def test_closing_with_a_read_end_owed_closes_cleanly(tmp_path: Path) -> None:
    database = await SqliteDatabase.open(tmp_path / "closing.sqlite3")
    async with database.reading() as conn:
        await conn.fetchval("SELECT 1")
    assert database._owed  # the end is owed, its timer pending
    await database.close()  # (a pending task or an unclosed connection would fail the test: warnings are errors)
    reopened = await SqliteDatabase.open(tmp_path / "closing.sqlite3")
    async with reopened.transaction() as conn:
        await conn.execute("CREATE TABLE t (x)")
    await reopened.close()

"""The SQLite connection: WAL, foreign keys, busy timeout, and serialized transactions.

One aiosqlite connection serves the bot. Its calls run on one thread, but two tasks could still
interleave statements of two transactions on it, so every unit of work holds ``_lock``:
a transaction (``BEGIN IMMEDIATE`` … ``COMMIT``) is all-or-nothing and never sees another task's
half-done writes. This is the only module with SQLite-specific settings.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

BUSY_TIMEOUT_MS = 5000

# The storage failing for now (the database locked past the busy timeout, or unavailable): what a
# background job that simply runs again later catches, rather than naming the driver's own class.
StorageBusy = aiosqlite.OperationalError


class Database:
    """An open SQLite database with a serialized transaction context."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(target, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        # Deleted and overwritten content is zeroed, not left in free space: an erased client's
        # name must not stay readable in the file (see purge_freed for the WAL).
        await conn.execute("PRAGMA secure_delete = ON")
        return cls(conn, target)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: committed on success, rolled back on any exception."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """A consistent read (a deferred transaction that writes nothing)."""
        async with self._lock:
            await self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                await self._conn.execute("ROLLBACK")

    async def purge_freed(self) -> bool:
        """Fold the WAL into the database file and truncate it to nothing, so that old versions of
        erased rows survive in neither. False when a reader kept it from finishing (it then
        completes at a later checkpoint)."""
        async with self._lock:
            rows = await self._conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        return not rows or rows[0][0] == 0

    async def backup_to(self, target: str | Path) -> None:
        """A consistent copy of the live database (SQLite online backup)."""
        async with self._lock:
            dest = await aiosqlite.connect(str(target))
            try:
                await self._conn.backup(dest)
            finally:
                await dest.close()


def to_db_time(moment: "dt.datetime") -> str:
    """Store instants as ISO-8601 UTC text (sortable, portable)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: time must be timezone-aware")
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db_time(text: str | None) -> "dt.datetime | None":
    if text is None:
        return None
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)


def to_db_date(day: "dt.date | None") -> str | None:
    return None if day is None else day.isoformat()


def from_db_date(text: str | None) -> "dt.date | None":
    return None if not text else dt.date.fromisoformat(text)

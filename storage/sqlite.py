"""The SQLite engine: WAL, foreign keys, busy timeout, and serialized transactions.

One aiosqlite connection serves the bot. Its calls run on one thread, but two tasks could still
interleave statements of two transactions on it, so every unit of work holds ``_lock``:
a transaction (``BEGIN IMMEDIATE`` … ``COMMIT``) is all-or-nothing and never sees another task's
half-done writes. This and ``storage.postgres`` are the only modules with engine-specific settings.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.db import Connection, Database, Params, Result, Row, StorageBusy

BUSY_TIMEOUT_MS = 5000


def _busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


class SqliteConnection:
    """:class:`storage.db.Connection` over one aiosqlite connection."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> Result:
        try:
            cursor = await self._conn.execute(sql, params)
        except sqlite3.OperationalError as error:
            if _busy(error):
                raise StorageBusy(str(error)) from error
            raise
        return Result(cursor.rowcount)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        try:
            return list(await self._conn.execute_fetchall(sql, params))
        except sqlite3.OperationalError as error:
            if _busy(error):
                raise StorageBusy(str(error)) from error
            raise

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.execute_fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            await self._conn.executemany(sql, rows)
        except sqlite3.OperationalError as error:
            if _busy(error):
                raise StorageBusy(str(error)) from error
            raise

    async def stream(self, sql: str, params: Params = (), *, page: int = 2000) -> AsyncIterator[list[Row]]:
        async with self._conn.execute(sql, params) as cursor:
            while rows := await cursor.fetchmany(page):
                yield list(rows)

    async def copy_rows(self, table: str, columns: list[str], rows: Iterable[Params]) -> None:
        """Bulk-load rows as given, ids included."""
        await self.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", rows
        )

    async def lock(self, key: str) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already made this the only writer."""

    async def lock_row(self, table: str, row_id: int) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already made this the only writer."""


class SqliteDatabase(Database):
    """An open SQLite database with a serialized transaction context."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path
        self.url = "sqlite:///" + path

    # Database.open dispatches on the URL; each engine's own open takes its own kind of target.
    @classmethod
    async def open(cls, path: str | Path, *, pool_size: int = 1) -> SqliteDatabase:  # type: ignore[override]
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
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if _busy(error):
                    raise StorageBusy(str(error)) from error
                raise
            try:
                yield SqliteConnection(self._conn)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Connection]:
        async with self._lock:
            await self._conn.execute("BEGIN")
            try:
                yield SqliteConnection(self._conn)
            finally:
                await self._conn.execute("ROLLBACK")

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Connection]:
        """A second connection and its own read transaction: in WAL mode it sees one consistent
        snapshot while the bot keeps writing on the main connection. (An in-memory database
        cannot be opened twice: there it shares the bot's connection.)"""
        if self.path == ":memory:":
            async with self.reading() as conn:
                yield conn
            return
        reader = await aiosqlite.connect(self.path, isolation_level=None)  # plain tuples: cheaper by the million
        try:
            await reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await reader.execute("BEGIN")  # one snapshot for every query
            yield SqliteConnection(reader)
        finally:
            await reader.close()  # closing ends the read transaction

    async def purge_freed(self) -> bool:
        """Fold the WAL into the database file and truncate it to nothing, so that old versions of
        erased rows survive in neither. False when a reader kept it from finishing (it then
        completes at a later checkpoint)."""
        async with self._lock:
            rows = list(await self._conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
        return not rows or rows[0][0] == 0

    async def backup_to(self, target: str | Path) -> None:
        """A consistent copy of the live database (SQLite online backup)."""
        async with self._lock:
            dest = await aiosqlite.connect(str(target))
            try:
                await self._conn.backup(dest)
            finally:
                await dest.close()

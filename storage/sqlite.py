"""The SQLite engine: WAL, foreign keys, busy timeout, and serialized transactions.

One aiosqlite connection serves the bot. Its calls run on one thread, but two tasks could still
interleave statements of two transactions on it, so every unit of work holds ``_lock``:
a transaction (``BEGIN IMMEDIATE`` … ``COMMIT``) is all-or-nothing and never sees another task's
half-done writes. This and ``storage.postgres`` are the only modules with engine-specific settings.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage.db import Connection, Database, Params, Result, Row, StorageBusy

BUSY_TIMEOUT_MS = 5000


def _busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


T = TypeVar("T")
# What a statement run in the connection's thread does with the plain sqlite3 connection.
Work = Callable[[sqlite3.Connection], T]

# A read transaction's end is owed for this long at the most: the next statement (of any unit of
# work) runs it first, in the same trip to the thread; after this an idle connection runs it alone.
END_READ_WITHIN_S = 0.05


def _begin_read(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN")


def _begin_write(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")


def _end_if_open(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:  # (a BEGIN that failed left none to end)
        conn.execute("ROLLBACK")


def _commit(conn: sqlite3.Connection) -> None:
    conn.execute("COMMIT")


def _nothing(conn: sqlite3.Connection) -> None:
    """Only what is owed."""


class SqliteConnection:
    """:class:`storage.db.Connection` over the database's one aiosqlite connection."""

    dialect = "sqlite"

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def execute(self, sql: str, params: Params = ()) -> Result:
        return Result(await self._db.run(lambda conn: conn.execute(sql, params).rowcount))

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._db.run(lambda conn: conn.execute(sql, params).fetchall())

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.execute_fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._db.run(lambda conn: conn.executemany(sql, rows))

    async def stream(self, sql: str, params: Params = (), *, page: int = 2000) -> AsyncIterator[list[Row]]:
        await self._db.run(_nothing)  # the transaction's BEGIN, if still owed, before the cursor opens
        async with self._db.connection.execute(sql, params) as cursor:
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
    """An open SQLite database with a serialized transaction context.

    Every call to aiosqlite is a trip to its thread and back (about 70 µs of CPU on the development
    machine), and a bot answers most updates with one or two reads: ``BEGIN`` and ``ROLLBACK`` around
    each would be most of the trips. So the connection *owes* them instead: a unit's ``BEGIN`` runs
    with its first statement and the end of a read with the next statement of whoever comes next
    (or alone, :data:`END_READ_WITHIN_S` later, when nobody does), in the same trip. A write's
    ``COMMIT`` is never owed: the caller learns the change is saved when it is."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.connection = conn
        self._lock = asyncio.Lock()
        self.path = path
        self.url = "sqlite:///" + path
        self._owed: list[Work[None]] = []  # run, in order, before the next statement
        self._end_timer: asyncio.TimerHandle | None = None
        self._ending: asyncio.Task[None] | None = None

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

    async def run(self, work: Work[T]) -> T:
        """``work`` in the connection's thread, after what the connection owes, in one trip; only
        with ``_lock`` held. A file locked past the busy timeout raises :class:`StorageBusy`."""
        owed, self._owed = self._owed, []
        conn = self.connection._conn  # the plain sqlite3 connection, used only in aiosqlite's thread

        def owed_then_work() -> T:
            for statement in owed:
                statement(conn)
            return work(conn)

        # aiosqlite's own methods are this call with one function each (its rollback() is
        # ``_execute(self._conn.rollback)``); it has no public name for "run this in the thread".
        try:
            result: T = await self.connection._execute(owed_then_work)
        except sqlite3.OperationalError as error:
            if _busy(error):
                raise StorageBusy(str(error)) from error
            raise
        return result

    async def close(self) -> None:
        if self._end_timer is not None:
            self._end_timer.cancel()
        if self._ending is not None:
            await self._ending
        async with self._lock:
            await self.connection.close()

    def _owe_end_of_read(self) -> None:
        self._owed.append(_end_if_open)
        if self._end_timer is None:
            self._end_timer = asyncio.get_running_loop().call_later(END_READ_WITHIN_S, self._end_owed_read)

    def _end_owed_read(self) -> None:
        self._end_timer = None
        if not self._owed:
            return
        loop = asyncio.get_running_loop()
        if self._ending is not None:  # one is already waiting for the lock: look again later
            self._end_timer = loop.call_later(END_READ_WITHIN_S, self._end_owed_read)
            return
        self._ending = loop.create_task(self._run_owed())

    async def _run_owed(self) -> None:
        try:
            async with self._lock:
                if self._owed:  # (the unit that held the lock meanwhile may have run it)
                    await self.run(_nothing)
        finally:
            self._ending = None

    def _drop_unstarted(self, begin: Work[None]) -> bool:
        """True if this unit's ``begin`` is still owed (no statement ran): nothing to end."""
        if self._owed and self._owed[-1] is begin:
            self._owed.pop()
            return True
        return False

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._lock:
            self._owed.append(_begin_write)
            try:
                yield SqliteConnection(self)
            except BaseException:
                if not self._drop_unstarted(_begin_write):
                    await self.run(_end_if_open)
                raise
            if not self._drop_unstarted(_begin_write):
                await self.run(_commit)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Connection]:
        async with self._lock:
            self._owed.append(_begin_read)
            try:
                yield SqliteConnection(self)
            finally:
                if not self._drop_unstarted(_begin_read):
                    self._owe_end_of_read()

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
            yield SqliteConnection(SqliteDatabase(reader, self.path))  # its own, owing nothing
        finally:
            await reader.close()  # closing ends the read transaction

    async def purge_freed(self) -> bool:
        """Fold the WAL into the database file and truncate it to nothing, so that old versions of
        erased rows survive in neither. False when a reader kept it from finishing (it then
        completes at a later checkpoint)."""
        async with self._lock:  # (after the end of a read still owed: it would hold the checkpoint back)
            rows = await self.run(lambda conn: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())
        return not rows or rows[0][0] == 0

    async def backup_to(self, target: str | Path) -> None:
        """A consistent copy of the live database (SQLite online backup)."""
        async with self._lock:
            await self.run(_nothing)
            dest = await aiosqlite.connect(str(target))
            try:
                await self.connection.backup(dest)
            finally:
                await dest.close()

"""The PostgreSQL engine: an asyncpg pool behind :class:`storage.db.Connection`.

Why asyncpg directly, and not SQLAlchemy Core: the repositories already hold plain, portable SQL
text, and all they need from a driver is execute / fetch / executemany / a cursor. A thin interface
over the two async drivers keeps every statement exactly as written (the same text that the
benchmarks run through the raw drivers as their baselines), adds no second query language and no
engine layer with its own pool and type system, and asyncpg is the fastest, best-kept async
PostgreSQL driver.

What this module translates, once, so the SQL stays the same on both engines:

- ``?`` placeholders become ``$1, $2, …`` (outside string literals, quoted names and comments),
  cached per statement text;
- values: instants travel as ISO-8601 UTC text (``timestamptz`` columns), days as ISO text
  (``date``), booleans accept 0/1 as SQLite does, ``numeric`` results (``sum`` over ``bigint``)
  come back as ``int`` (this schema holds whole rupiah only), and a number bound to a ``text``
  parameter is sent as its text (SQLite's type affinity did that);
- a pool (``[storage] pool_size``) instead of one connection and one lock: units of work run side
  by side, under READ COMMITTED; a read (``reading`` / ``snapshot``) is one REPEATABLE READ
  snapshot that writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from storage.db import Connection, Database, Params, Result, Row, StorageBusy

# Waiting longer than this for a free connection of the pool: the storage is busy (the job retries).
ACQUIRE_TIMEOUT_S = 10.0
# Waiting longer than this for a row or advisory lock held by another transaction (another process,
# a stuck session): the storage is busy — as SQLite's busy timeout, never an endless wait.
LOCK_TIMEOUT_MS = 5000

_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # PostgreSQL's own epoch
_EPOCH_DAY = dt.date(2000, 1, 1).toordinal()
_MICRO = dt.timedelta(microseconds=1)
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _copy_comment(sql: str, start: int, out: list[str]) -> int:
    """Copy the ``--`` comment that starts at ``start`` to ``out`` untouched (a ``?`` or ``:name`` in
    it is no parameter) and return where it ends: at its line's end, or the text's."""
    end = sql.find("\n", start)
    end = len(sql) if end < 0 else end
    out.append(sql[start:end])
    return end


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """``?`` → ``$n``, skipping '…' literals, "…" names and -- comments."""
    out: list[str] = []
    n = 0
    i = 0
    size = len(sql)
    while i < size:
        ch = sql[i]
        if ch in "'\"":
            end = i + 1
            while end < size:
                if sql[end] == ch:
                    if end + 1 < size and sql[end + 1] == ch:  # a doubled quote inside
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif ch == "-" and sql.startswith("--", i):
            i = _copy_comment(sql, i, out)
        elif ch == "?":
            n += 1
            out.append(f"${n}")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def translate_named(sql: str) -> tuple[str, tuple[str, ...]]:
    """``:name`` → ``$n`` (one number per distinct name, in order of first use), skipping '…'
    literals, "…" names, -- comments and ``::`` casts; → (text, the names in ``$n`` order).
    SQLite binds ``:name`` from a mapping itself."""
    out: list[str] = []
    names: list[str] = []
    i = 0
    size = len(sql)
    while i < size:
        ch = sql[i]
        if ch in "'\"":
            end = sql.find(ch, i + 1)
            end = size - 1 if end < 0 else end
            out.append(sql[i : end + 1])
            i = end + 1
        elif ch == "-" and sql.startswith("--", i):
            i = _copy_comment(sql, i, out)
        elif ch == ":" and sql.startswith("::", i):
            out.append("::")
            i += 2
        elif ch == ":" and i + 1 < size and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            end = i + 1
            while end < size and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            name = sql[i + 1 : end]
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out), tuple(names)


def _bind(sql: str, params: Any) -> tuple[str, Sequence[Any]]:
    """The statement text and its arguments: ``?`` with a sequence, ``:name`` with a mapping."""
    if isinstance(params, Mapping):
        text, names = translate_named(sql)
        return text, [params[name] for name in names]
    return translate(sql), params


# --- value codecs ------------------------------------------------------------------------------------


def _encode_time(value: Any) -> tuple[int]:
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError("naive datetime: time must be timezone-aware")
    return ((moment - _EPOCH) // _MICRO,)


def _decode_time(value: tuple[int]) -> str:
    return (_EPOCH + dt.timedelta(microseconds=value[0])).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _encode_date(value: Any) -> tuple[int]:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return (day.toordinal() - _EPOCH_DAY,)


def _decode_date(value: tuple[int]) -> str:
    return dt.date.fromordinal(value[0] + _EPOCH_DAY).isoformat()


def _decode_numeric(text: str) -> int | Decimal:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else number


async def _prepare(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "timestamptz", schema="pg_catalog", encoder=_encode_time, decoder=_decode_time, format="tuple"
    )
    await conn.set_type_codec("date", schema="pg_catalog", encoder=_encode_date, decoder=_decode_date, format="tuple")
    # Binary codecs (not text ones), so that COPY (copy_rows) can use them too.
    await conn.set_type_codec(
        "bool",
        schema="pg_catalog",
        encoder=lambda v: b"\x01" if v else b"\x00",
        decoder=lambda b: b != b"\x00",
        format="binary",
    )
    await conn.set_type_codec("numeric", schema="pg_catalog", encoder=str, decoder=_decode_numeric, format="text")
    await conn.set_type_codec(
        "text", schema="pg_catalog", encoder=lambda v: str(v).encode(), decoder=lambda b: b.decode(), format="binary"
    )


def _rowcount(status: str) -> int:
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


# The tables an erasure blanks or deletes rows of (storage.admin.PersonalDataRepository).
_PERSONAL_TABLES = (
    "clients",
    "client_flags",
    "consents",
    "budget_lines",
    "bank_accounts",
    "transfers",
    "return_reasons",
    "attachments",
    "audit_events",
    "proposal_versions",
)

_BUSY = (
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.LockNotAvailableError,
    asyncpg.exceptions.QueryCanceledError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    ConnectionError,
    TimeoutError,
    OSError,
)


# A lock not granted within the lock timeout, or a deadlock PostgreSQL broke by cancelling this
# transaction: the unit of work is rolled back whole; the person (or the job) tries again.
_CONTENDED = (asyncpg.exceptions.LockNotAvailableError, asyncpg.exceptions.DeadlockDetectedError)


@contextmanager
def _contended() -> Iterator[None]:
    try:
        yield
    except _CONTENDED as error:
        raise StorageBusy(str(error)) from error


class PostgresConnection:
    """:class:`storage.db.Connection` over one pooled asyncpg connection, inside a transaction."""

    dialect = "postgresql"

    def __init__(self, conn: asyncpg.Connection | PoolConnectionProxy, *, readonly: bool = False) -> None:
        self._conn = conn
        # A read-only snapshot changes nothing, so it has nothing to serialise: locks are skipped.
        self._readonly = readonly

    async def execute(self, sql: str, params: Params = ()) -> Result:
        with _contended():
            text, args = _bind(sql, params)
            return Result(_rowcount(await self._conn.execute(text, *args)))

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        with _contended():
            text, args = _bind(sql, params)
            return await self._conn.fetch(text, *args)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        with _contended():
            text, args = _bind(sql, params)
            return await self._conn.fetchrow(text, *args)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        with _contended():
            text, args = _bind(sql, params)
            return await self._conn.fetchval(text, *args)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        batch = [tuple(r) for r in rows]
        if batch:
            with _contended():
                await self._conn.executemany(translate(sql), batch)

    async def stream(self, sql: str, params: Params = (), *, page: int = 2000) -> AsyncIterator[list[Row]]:
        text, args = _bind(sql, params)
        cursor = await self._conn.cursor(text, *args)
        while rows := await cursor.fetch(page):
            yield rows

    async def copy_rows(self, table: str, columns: list[str], rows: Iterable[Params]) -> None:
        """Bulk-load rows as given, ids included (``COPY``: many times faster than INSERTs)."""
        if not _IDENTIFIER.match(table):
            raise ValueError(f"bad table name {table!r}")
        batch = [tuple(r) for r in rows]
        if batch:
            with _contended():
                await self._conn.copy_records_to_table(table, records=batch, columns=columns)

    async def lock(self, key: str) -> None:
        if self._readonly:
            return
        with _contended():
            await self._conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)

    async def lock_row(self, table: str, row_id: int) -> None:
        if not _IDENTIFIER.match(table):
            raise ValueError(f"bad table name {table!r}")
        if self._readonly:
            return
        with _contended():
            await self._conn.execute(f"SELECT 1 FROM {table} WHERE id = $1 FOR UPDATE", row_id)


class PostgresDatabase(Database):
    """A pool of connections to one PostgreSQL database."""

    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self.url = url

    # Database.open dispatches on the URL; each engine's own open takes its own kind of target.
    @classmethod
    async def open(cls, url: str, *, pool_size: int = 10, lock_timeout_ms: int = LOCK_TIMEOUT_MS) -> PostgresDatabase:  # type: ignore[override]
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=max(1, pool_size),
                init=_prepare,
                statement_cache_size=1024,
                server_settings={
                    "timezone": "UTC",
                    "application_name": "atensi-bot",
                    "lock_timeout": str(lock_timeout_ms),
                },
            )
        except (*_BUSY, asyncpg.PostgresError) as error:  # down, refusing, or no such database
            raise StorageBusy(f"PostgreSQL unavailable: {error}") from error
        return cls(pool, url)

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def _connection(self, **transaction: Any) -> AsyncIterator[Connection]:
        try:
            conn = await self._pool.acquire(timeout=ACQUIRE_TIMEOUT_S)
        except _BUSY as error:
            raise StorageBusy(f"no database connection: {error}") from error
        try:
            async with conn.transaction(**transaction):
                yield PostgresConnection(conn, readonly=bool(transaction.get("readonly")))
        finally:
            await self._pool.release(conn)

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        return self._connection()

    def reading(self) -> AbstractAsyncContextManager[Connection]:
        return self._connection(isolation="repeatable_read", readonly=True)

    def snapshot(self) -> AbstractAsyncContextManager[Connection]:
        return self._connection(isolation="repeatable_read", readonly=True)

    async def purge_freed(self) -> bool:
        """VACUUM the tables an erasure changes, so the dead versions of the erased rows are
        removed from their pages and indexes now rather than at autovacuum's next visit.

        Weaker than SQLite's ``secure_delete`` and WAL truncation, and said so in the README:
        PostgreSQL does not zero the space a removed row leaves in its page (it is reused by the
        next writes), the WAL segments keep the old values until the server recycles them, and a
        transaction still open when the erasure committed keeps its versions alive until it ends."""
        try:
            conn = await self._pool.acquire(timeout=ACQUIRE_TIMEOUT_S)
        except _BUSY as error:
            raise StorageBusy(f"no database connection: {error}") from error
        try:
            # VACUUM cannot run inside a transaction: this connection is in autocommit here.
            await conn.execute("VACUUM (SKIP_LOCKED) " + ", ".join(_PERSONAL_TABLES))
        except asyncpg.PostgresError:
            return False
        finally:
            await self._pool.release(conn)
        return True

    async def backup_to(self, target: str | Path) -> None:
        from storage.pg_backup import dump

        await dump(self.url, Path(target))

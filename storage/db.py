"""One storage layer, two engines: the connection interface every repository speaks.

The repositories hold portable SQL text with ``?`` placeholders and talk to a :class:`Connection`:
``execute`` (the rowcount), ``execute_fetchall`` / ``fetchone`` / ``fetchval``, ``executemany``
and ``stream`` (rows in pages), rows read by name or by position. Two engines implement it:

- ``storage.sqlite`` — one aiosqlite connection, every unit of work behind one lock
  (``BEGIN IMMEDIATE``): the embedded default (``sqlite:///path``, or a plain path).
- ``storage.postgres`` — an asyncpg pool (``postgresql://…``): ``?`` becomes ``$n`` once per
  statement text there, and nothing is serialised in the process any more, so every rule that
  needs it holds by a constraint, a compare-and-set, a row lock (:meth:`Connection.lock_row`) or an
  advisory lock (:meth:`Connection.lock`).

Engine-specific settings (PRAGMAs, the online-backup API, pool sizes, type codecs) live only in
those two modules. Instants travel as ISO-8601 UTC text and days as ISO dates on both engines
(:func:`to_db_time` / :func:`from_db_time`); PostgreSQL stores them as ``timestamptz`` and ``date``.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, overload

# A row: read by column name (``row["code"]``) or position (``row[0]``), ``keys()``, ``dict(row)``
# (sqlite3.Row on SQLite, asyncpg.Record on PostgreSQL).
Row = Any
# ``?`` placeholders with a sequence, or ``:name`` placeholders with a mapping (one value used in
# several places of a statement).
Params = Sequence[Any] | Mapping[str, Any]


class StorageBusy(Exception):
    """The storage failing for now (locked past the busy timeout, a pool exhausted, the server
    gone for a moment): what a background job that simply runs again later catches."""


@dataclass(frozen=True)
class Result:
    """What a statement changed."""

    rowcount: int


class Connection(Protocol):
    """One transaction's connection (see the module doc)."""

    dialect: str  # "sqlite" or "postgresql"

    async def execute(self, sql: str, params: Params = ()) -> Result: ...

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchval(self, sql: str, params: Params = ()) -> Any: ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    def stream(self, sql: str, params: Params = (), *, page: int = 2000) -> AsyncIterator[list[Row]]: ...

    async def copy_rows(self, table: str, columns: list[str], rows: Iterable[Params]) -> None:
        """Bulk-load rows as given, ids included (``COPY`` on PostgreSQL; moving a centre)."""

    async def lock(self, key: str) -> None:
        """Hold ``key`` until this transaction ends: a second transaction asking for the same key
        waits (an advisory lock on PostgreSQL; on SQLite every writer already waits its turn).
        Nothing to do in a read-only transaction."""

    async def lock_row(self, table: str, row_id: int) -> None:
        """Lock one row (``SELECT … FOR UPDATE``) until this transaction ends, so a read-check-
        write on it cannot interleave with another's (on SQLite writers are serialised anyway).
        Nothing to do in a read-only transaction."""


class Database(ABC):
    """An open database: units of work, consistent reads, and the engine's own chores."""

    dialect: str
    url: str

    @staticmethod
    async def open(target: str | Path, *, pool_size: int = 10, lock_timeout_ms: int | None = None) -> Database:
        """Open ``sqlite:///path`` (or a plain path) or ``postgresql://…``. ``lock_timeout_ms``:
        how long PostgreSQL waits for another transaction's lock (default 5 s, as SQLite's busy
        timeout) before the unit of work fails with :class:`StorageBusy`."""
        url = database_url(target)
        if url.startswith(("postgresql://", "postgres://")):
            from storage.postgres import PostgresDatabase

            extra = {} if lock_timeout_ms is None else {"lock_timeout_ms": lock_timeout_ms}
            return await PostgresDatabase.open(url, pool_size=pool_size, **extra)
        from storage.sqlite import SqliteDatabase

        return await SqliteDatabase.open(sqlite_path(url))

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """A write transaction: committed on success, rolled back on any exception."""

    @abstractmethod
    def reading(self) -> AbstractAsyncContextManager[Connection]:
        """A consistent read that writes nothing."""

    @abstractmethod
    def snapshot(self) -> AbstractAsyncContextManager[Connection]:
        """A long consistent read on a connection of its own (reports, exports, copies): it
        never holds up the bot's units of work while it runs."""

    @abstractmethod
    async def backup_to(self, target: str | Path) -> None:
        """A consistent copy of the live database at ``target``."""

    @abstractmethod
    async def purge_freed(self) -> bool:
        """After an erasure: make the engine drop the old versions of the erased rows. SQLite
        zeroes freed pages (``secure_delete``) and folds the WAL in and truncates it; PostgreSQL
        vacuums the tables that held personal data. False when a reader kept it from finishing
        (it then completes later)."""


def database_url(target: str | Path) -> str:
    """The URL of a configured database: ``sqlite:///…`` for a path, the URL itself otherwise."""
    text = str(target)
    if "://" in text:
        return text
    return "sqlite:///" + text if text != ":memory:" else "sqlite:///:memory:"


def sqlite_path(url: str) -> str:
    """The file of a ``sqlite:///path`` URL (``sqlite:////abs/path`` and ``sqlite:///rel/path``)."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a database URL this bot knows: {url!r} (sqlite:///… or postgresql://…)")
    return url[len("sqlite:///") :]


def to_db_time(moment: dt.datetime) -> str:
    """Store instants as ISO-8601 UTC text (sortable, portable)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: time must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# A NOT NULL column reads as a value, a nullable one as a value or None.
@overload
def from_db_time(text: str) -> dt.datetime: ...
@overload
def from_db_time(text: None) -> None: ...
@overload
def from_db_time(text: str | None) -> dt.datetime | None: ...
def from_db_time(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    if not text.endswith("Z"):  # (fromisoformat would take a local or naive time too)
        raise ValueError(f"not an instant as stored: {text!r}")
    return dt.datetime.fromisoformat(text)  # 50× strptime: a report reads tens of thousands


def to_db_date(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


@overload
def from_db_date(text: str) -> dt.date: ...  # (no date is stored as empty text)
@overload
def from_db_date(text: None) -> None: ...
@overload
def from_db_date(text: str | None) -> dt.date | None: ...
def from_db_date(text: str | None) -> dt.date | None:
    return None if not text else dt.date.fromisoformat(text)

"""Moving a centre: copy a whole database (SQLite or PostgreSQL) into an empty PostgreSQL one.

The bot must be stopped. The target is migrated first and must then be empty; the source must be
at the same migration version. Every table is copied in the order the migrations create them
(so each row's references exist before it), ids included (``OVERRIDING SYSTEM VALUE``), in one
transaction (``COPY``): a failed copy leaves the target as empty as it was. Then each identity sequence is
moved past the highest id copied, and every table is verified: its row count and a content
checksum read back from both sides must agree.

The checksum is order-independent (the sum of one hash per row), over values in one canonical
form: instants and days as UTC ISO text, JSON documents re-serialised with sorted keys, booleans
as 0/1 — the forms in which the two engines hold the same facts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from storage.db import Connection, Database
from storage.migrate import available_migrations, migrate

_CREATE = re.compile(r"CREATE TABLE\s+(?:IF NOT EXISTS\s+)?(\w+)", re.IGNORECASE)
_BATCH = 5000


class CopyRefused(Exception):
    """The copy cannot start (a target that holds data, migrations that differ, not PostgreSQL)."""


class CopyMismatch(Exception):
    """A table read back from the target differs from the source (the copy was rolled back)."""


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    checksum: str


def table_order() -> list[str]:
    """Every table, in the order the migrations create them (references before referrers)."""
    order: list[str] = []
    for migration in available_migrations("postgresql"):
        for name in _CREATE.findall(migration.sql):
            if name not in order:
                order.append(name)
    return order


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str  # the PostgreSQL data type


async def _columns(conn: Connection, table: str) -> list[_Column]:
    rows = await conn.execute_fetchall(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    return [_Column(r[0], r[1]) for r in rows]


def _canonical(value: object, kind: str) -> object:
    if value is None:
        return None
    if kind == "timestamp with time zone":
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if kind == "date":
        return str(value)[:10]
    if kind in ("jsonb", "json"):
        return json.dumps(json.loads(value) if isinstance(value, str) else value, sort_keys=True, ensure_ascii=False)
    if kind == "boolean":
        return int(bool(value))
    return value


class _Checksum:
    """Order-independent: the sum (mod 2**128) of one SHA-256 per row."""

    def __init__(self) -> None:
        self.rows = 0
        self._sum = 0

    def add(self, row: tuple) -> None:
        self.rows += 1
        digest = hashlib.sha256(repr(row).encode()).digest()
        self._sum = (self._sum + int.from_bytes(digest[:16], "big")) % (1 << 128)

    @property
    def hexdigest(self) -> str:
        return f"{self._sum:032x}"


async def _sum_table(conn: Connection, table: str, columns: list[_Column]) -> _Checksum:
    check = _Checksum()
    names = ", ".join(c.name for c in columns)
    async for page in conn.stream(f"SELECT {names} FROM {table}"):
        for row in page:
            check.add(tuple(_canonical(v, c.kind) for v, c in zip(row, columns, strict=True)))
    return check


async def _versions(db: Database) -> list[int]:
    async with db.reading() as conn:
        return [r[0] for r in await conn.execute_fetchall("SELECT version FROM schema_migrations ORDER BY version")]


async def copy_database(source: Database, target: Database) -> list[TableCopy]:
    """Copy ``source`` into the empty PostgreSQL ``target``; the verified tables (see the module doc)."""
    if target.dialect != "postgresql":
        raise CopyRefused("the target must be a PostgreSQL database (postgresql://…)")
    await migrate(target)
    try:
        if await _versions(source) != await _versions(target):
            raise CopyRefused(
                "the source is not at the same migration version: run `atensi-bot db migrate` on it first"
            )
    except CopyRefused:
        raise
    except Exception as error:  # no schema_migrations at all
        raise CopyRefused(f"the source is not an atensi-bot database ({error})") from None
    tables = table_order()
    copied: list[TableCopy] = []
    async with target.transaction() as out:
        for table in tables:
            if await out.fetchval(f"SELECT 1 FROM {table} LIMIT 1"):
                raise CopyRefused(f"the target is not empty (table {table} holds rows): copy into a new database")
        async with source.snapshot() as src:
            for table in tables:
                columns = await _columns(out, table)
                names = ", ".join(c.name for c in columns)
                identity = await out.fetchval(
                    "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema()"
                    " AND table_name = ? AND is_identity = 'YES'",
                    (table,),
                )
                # COPY keeps the ids given (as INSERT … OVERRIDING SYSTEM VALUE would).
                async for page in src.stream(f"SELECT {names} FROM {table}", page=_BATCH):
                    await out.copy_rows(table, [c.name for c in columns], page)
                if identity:
                    await out.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                        " HAVING max(id) IS NOT NULL"
                    )
                mine = await _sum_table(src, table, columns)
                theirs = await _sum_table(out, table, columns)
                if (mine.rows, mine.hexdigest) != (theirs.rows, theirs.hexdigest):
                    raise CopyMismatch(
                        f"{table}: {mine.rows} rows ({mine.hexdigest}) in the source,"
                        f" {theirs.rows} ({theirs.hexdigest}) in the target"
                    )
                copied.append(TableCopy(table, theirs.rows, theirs.hexdigest))
        await out.execute("ANALYZE")  # the planner's statistics for the data just loaded
    return copied

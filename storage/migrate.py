"""Numbered SQL migrations, applied in order and tracked by version.

Each engine has its own files with the same numbers and names: ``migrations/NNNN_name.sql`` for
SQLite, ``migrations/postgresql/NNNN_name.sql`` for PostgreSQL (its own types: ``timestamptz``,
identity columns, ``jsonb``, booleans). A new migration adds one file to each.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib import resources

from storage.db import Database, to_db_time

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_PACKAGES = {"sqlite": "storage.migrations", "postgresql": "storage.migrations.postgresql"}


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations(dialect: str = "sqlite") -> list[Migration]:
    found = []
    for entry in resources.files(_PACKAGES[dialect]).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


def _statements(sql: str) -> list[str]:
    # Migrations hold plain DDL/DML with no semicolons inside literals or triggers.
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [part.strip() for part in body.split(";") if part.strip()]


_TABLE = {
    "sqlite": "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    "postgresql": "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)",
}


async def _ensure_table(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.lock("schema_migrations")  # two processes starting at once create it once
        await conn.execute(_TABLE[db.dialect])


async def applied_versions(db: Database) -> list[int]:
    await _ensure_table(db)
    async with db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT version FROM schema_migrations ORDER BY version")
    return [row[0] for row in rows]


async def migrate(db: Database) -> list[str]:
    """Apply every pending migration, each in its own transaction; return the names applied.

    On PostgreSQL an advisory lock makes two processes starting at once apply each migration once."""
    await _ensure_table(db)
    applied = []
    for migration in available_migrations(db.dialect):
        async with db.transaction() as conn:
            await conn.lock("schema_migrations")
            if await conn.fetchval("SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)):
                continue
            for statement in _statements(migration.sql):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, to_db_time(dt.datetime.now(dt.UTC))),
            )
        applied.append(migration.name)
    return applied


async def pending_migrations(db: Database) -> list[str]:
    done = set(await applied_versions(db))
    return [m.name for m in available_migrations(db.dialect) if m.version not in done]

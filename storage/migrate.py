"""Numbered SQL migrations (``migrations/NNNN_name.sql``), applied in order and tracked by version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from storage.db import Database

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


def _statements(sql: str) -> list[str]:
    # Migrations hold plain DDL/DML with no semicolons inside literals or triggers.
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [part.strip() for part in body.split(";") if part.strip()]


async def _ensure_table(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )


async def applied_versions(db: Database) -> list[int]:
    await _ensure_table(db)
    async with db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT version FROM schema_migrations ORDER BY version")
    return [row[0] for row in rows]


async def migrate(db: Database) -> list[str]:
    """Apply every pending migration, each in its own transaction; return the names applied."""
    done = set(await applied_versions(db))
    applied = []
    for migration in available_migrations():
        if migration.version in done:
            continue
        async with db.transaction() as conn:
            for statement in _statements(migration.sql):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)"
                " VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                (migration.version, migration.name),
            )
        applied.append(migration.name)
    return applied


async def pending_migrations(db: Database) -> list[str]:
    done = set(await applied_versions(db))
    return [m.name for m in available_migrations() if m.version not in done]

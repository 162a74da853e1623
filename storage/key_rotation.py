"""The keys over time: the check on opening, sealing rows from before sealing, rotation, retiring.

* :func:`prepare_keys` (every :meth:`storage.unit.Storage.open`): the database names the keys its
  values are sealed under (``sealing_keys``); opening it without one of them — or with plain rows
  from before sealing and no keys at all — fails with a message that says what to do. Plain rows
  (``sealing_state``, set by migration 0014) are sealed there and then, before anything reads them.
* :func:`rotate` (``atensi-bot keys rotate``): re-seals every sealed column, and the file store,
  under the current key, in batches of its own short transactions while the bot keeps running.
  Each batch commits its progress (``key_rotation``: the last row done per table) with its rows,
  so a rotation stopped at any point — a SIGKILL included — resumes at the next row. A row the
  bot changes meanwhile is left to it (compare-and-set on the old value) and caught by the final
  sweep, as are values a bot still on the old key file wrote behind the cursor.
* :func:`key_usage` / :func:`retire_key`: a key is forgotten only when no value and no file uses it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from storage.db import Connection, Database, to_db_time
from storage.sealing import (
    BLIND_COLUMNS,
    FILE_MAGIC,
    KEY_ID_WIDTH,
    PREFIX,
    ROW_KEYS,
    SEALED_COLUMNS,
    SEALED_HEAD,
    Keyring,
    KeyringError,
    key_id_of,
)

Progress = Callable[[str, int, int], None]  # (what, done, total)
BATCH = 500


def _now() -> str:
    return to_db_time(dt.datetime.now(dt.UTC))


async def prepare_keys(db: Database, keys: Keyring | None) -> None:
    """Refuse a database whose personal data the keys cannot open; seal its plain rows (see the module doc)."""
    async with db.reading() as conn:
        used = [r[0] for r in await conn.execute_fetchall("SELECT key_id FROM sealing_keys ORDER BY key_id")]
        plain = bool(await conn.fetchval("SELECT count(*) FROM sealing_state"))
    if keys is None:
        if used or plain:
            held = f"sealed under {', '.join(used)}" if used else "not sealed yet"
            raise KeyringError(
                f"this database holds clients' personal data ({held}) and no keys were given: set"
                " ATENSI_KEY_FILE to its key file (or [storage] key_file in the config); without the key"
                " file the sealed data cannot be read by anyone"
            )
        return
    missing = [kid for kid in used if kid not in keys.usable]
    if missing:
        raise KeyringError(
            f"this database holds clients' personal data sealed under {', '.join(missing)}, which the key"
            f" file {keys.path or 'ATENSI_KEYS'} does not hold ({', '.join(keys.usable)} only): give the bot"
            " the key file this database was sealed with"
        )
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO sealing_keys (key_id, first_used_at) VALUES (?, ?) ON CONFLICT (key_id) DO NOTHING",
            (keys.current, _now()),
        )
    if plain:
        await rotate(db, keys)


@dataclass
class RotationReport:
    key_id: str
    rows: dict[str, int] = field(default_factory=dict)  # table → rows re-sealed (this run)
    files: int = 0
    resumed: bool = False


def _where_after(pk: tuple[str, ...]) -> str:
    return f"({', '.join(pk)}) > ({', '.join('?' for _ in pk)})" if len(pk) > 1 else f"{pk[0]} > ?"


async def _reseal_row(
    conn: Connection, keys: Keyring, table: str, pk: tuple[str, ...], row: dict[str, object], target: str
) -> bool:
    """Re-seal one row's values not under ``target`` (compare-and-set on each old value)."""
    changes: dict[str, object] = {}
    olds: dict[str, object] = {}
    for column in SEALED_COLUMNS[table]:
        value = row[column]
        if not isinstance(value, str) or key_id_of(value) == target:  # (a sealed value is text)
            continue
        plain = keys.open(value, table, column)
        changes[column] = keys.seal(plain, table, column)
        olds[column] = value
        index = BLIND_COLUMNS.get((table, column))
        if index is not None and not str(value).startswith(PREFIX):
            # A plain value from before sealing: its blind index is made now (an erased record's
            # "ANON-…" placeholder gets none; its NULL says "nobody").
            erased = table == "clients" and row.get("erased_at") is not None
            changes[index] = None if erased else keys.blind("nik" if column == "nik" else "account", plain)
    if not changes:
        return False
    sets = ", ".join(f"{c} = ?" for c in changes)
    where = " AND ".join([*(f"{c} = ?" for c in pk), *(f"{c} = ?" for c in olds)])
    result = await conn.execute(
        f"UPDATE {table} SET {sets} WHERE {where}", [*changes.values(), *(row[c] for c in pk), *olds.values()]
    )
    return result.rowcount == 1


def _columns_of(table: str) -> list[str]:
    extra = ["erased_at"] if table == "clients" else []
    return [*ROW_KEYS[table], *SEALED_COLUMNS[table], *extra]


async def _rotate_table(
    db: Database, keys: Keyring, table: str, target: str, batch: int, progress: Progress | None, report: RotationReport
) -> None:
    pk = ROW_KEYS[table]
    names = _columns_of(table)
    async with db.transaction() as conn:
        state = await conn.fetchone(
            "SELECT target_key, after_key, rows_done, finished FROM key_rotation WHERE table_name = ?", (table,)
        )
        if state is None or state[0] != target:
            await conn.execute("DELETE FROM key_rotation WHERE table_name = ?", (table,))
            await conn.execute(
                "INSERT INTO key_rotation (table_name, target_key, after_key, rows_done, finished)"
                " VALUES (?, ?, NULL, 0, 0)",
                (table, target),
            )
        elif state[1] is not None or state[3]:
            report.resumed = True
        total = int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    while True:
        async with db.transaction() as conn:
            await conn.lock("key-rotation")  # two rotations never interleave their cursors
            state = await conn.fetchone(
                "SELECT after_key, rows_done, finished FROM key_rotation WHERE table_name = ?", (table,)
            )
            if state is None or state[2]:
                return
            after = json.loads(state[0]) if state[0] else None
            where = f" WHERE {_where_after(pk)}" if after is not None else ""
            rows = await conn.execute_fetchall(
                f"SELECT {', '.join(names)} FROM {table}{where} ORDER BY {', '.join(pk)} LIMIT ?",
                [*(after or []), batch],
            )
            if not rows:
                await conn.execute("UPDATE key_rotation SET finished = 1 WHERE table_name = ?", (table,))
                if progress:
                    progress(table, int(state[1]), total)
                return
            changed = 0
            for row in rows:
                if await _reseal_row(conn, keys, table, pk, dict(zip(names, row, strict=True)), target):
                    changed += 1
            last = [rows[-1][i] for i in range(len(pk))]
            done = int(state[1]) + len(rows)
            await conn.execute(
                "UPDATE key_rotation SET after_key = ?, rows_done = ? WHERE table_name = ?",
                (json.dumps(last), done, table),
            )
        report.rows[table] = report.rows.get(table, 0) + changed
        if progress:
            progress(table, done, max(total, done))


async def _sweep(db: Database, keys: Keyring, target: str, report: RotationReport) -> None:
    """Values not under ``target`` behind the cursors (written meanwhile by a bot on the old key)."""
    head = f"{PREFIX}{target}:"
    for table, columns in SEALED_COLUMNS.items():
        pk = ROW_KEYS[table]
        names = _columns_of(table)
        stale = " OR ".join(f"({c} IS NOT NULL AND substr({c}, 1, {SEALED_HEAD}) != ?)" for c in columns)
        while True:
            async with db.transaction() as conn:
                rows = await conn.execute_fetchall(
                    f"SELECT {', '.join(names)} FROM {table} WHERE {stale} LIMIT {BATCH}", [head] * len(columns)
                )
                changed = 0
                for row in rows:
                    changed += await _reseal_row(conn, keys, table, pk, dict(zip(names, row, strict=True)), target)
            report.rows[table] = report.rows.get(table, 0) + changed
            if not rows:
                break
            if not changed:
                break  # every one changed under us: the next rotation (or this sweep again) takes them


def _store_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".part"))


def _file_key_id(path: Path) -> str | None:
    with open(path, "rb") as handle:
        return Keyring.file_key_id(handle.read(len(FILE_MAGIC) + KEY_ID_WIDTH))


def reseal_files(keys: Keyring, root: Path, target: str, progress: Progress | None = None) -> int:
    """Re-seal the file store's files not under ``target`` (plain ones included); each one
    atomically (temp file, fsync, rename), so a stop half-way leaves every file whole."""
    files = _store_files(root)
    changed = 0
    for number, path in enumerate(files, 1):
        try:
            if _file_key_id(path) == target:
                continue
            plain = keys.open_bytes(path.read_bytes())
            tmp = path.with_name(path.name + ".part")
            with open(tmp, "wb") as handle:
                handle.write(keys.seal_bytes(plain))
                handle.flush()
                os.fsync(handle.fileno())
            if not path.exists():  # discarded meanwhile (an erasure): never bring it back
                tmp.unlink(missing_ok=True)
                continue
            os.replace(tmp, path)
            changed += 1
        except FileNotFoundError:
            continue
        if progress and (number % 100 == 0 or number == len(files)):
            progress("files", number, len(files))
    return changed


async def rotate(
    db: Database, keys: Keyring, *, files_root: Path | None = None, batch: int = BATCH, progress: Progress | None = None
) -> RotationReport:
    """Re-seal every value (and file) under the current key; resumable (see the module doc)."""
    keys.refresh(force=True)
    target = keys.current
    report = RotationReport(target)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO sealing_keys (key_id, first_used_at) VALUES (?, ?) ON CONFLICT (key_id) DO NOTHING",
            (target, _now()),
        )
    for table in SEALED_COLUMNS:
        await _rotate_table(db, keys, table, target, batch, progress, report)
    await _sweep(db, keys, target, report)
    if files_root is not None:
        report.files = reseal_files(keys, files_root, target, progress)
    usage = await key_usage(db, files_root)
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM key_rotation")
        await conn.execute("DELETE FROM sealing_state")
        for kid in [r[0] for r in await conn.execute_fetchall("SELECT key_id FROM sealing_keys")]:
            if kid != target and kid not in usage:
                await conn.execute("DELETE FROM sealing_keys WHERE key_id = ?", (kid,))
    return report


async def key_usage(db: Database, files_root: Path | None = None) -> dict[str, int]:
    """How many values (and files) each key id seals; ``"plain"`` counts values not sealed yet."""
    counts: dict[str, int] = {}
    async with db.snapshot() as conn:
        for table, columns in SEALED_COLUMNS.items():
            for column in columns:
                rows = await conn.execute_fetchall(
                    f"SELECT CASE WHEN substr({column}, 1, {len(PREFIX)}) = ? THEN substr({column}, {len(PREFIX) + 1},"
                    f" {KEY_ID_WIDTH}) ELSE 'plain' END AS kid, count(*) FROM {table} WHERE {column} IS NOT NULL"
                    " GROUP BY 1",
                    (PREFIX,),
                )
                for kid, count in rows:
                    counts[kid] = counts.get(kid, 0) + int(count)
    if files_root is not None:
        for path in _store_files(files_root):
            try:
                kid = _file_key_id(path) or "plain file"
            except OSError:
                continue
            counts[kid] = counts.get(kid, 0) + 1
    return counts


async def retire_key(db: Database, keys: Keyring, key_id: str, files_root: Path | None = None) -> None:
    """Forget ``key_id``'s material in the key file, only when no value and no file uses it."""
    usage = await key_usage(db, files_root)
    if usage.get(key_id):
        raise KeyringError(
            f"{usage[key_id]} values or files are still sealed under {key_id}: run `atensi-bot keys rotate` first"
        )
    keys.retire(key_id)
    keys.save()
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM sealing_keys WHERE key_id = ?", (key_id,))


__all__ = ["RotationReport", "key_usage", "prepare_keys", "reseal_files", "retire_key", "rotate"]

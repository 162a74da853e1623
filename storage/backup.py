"""Backups and their restore: one verified archive of the database, the file store and the
erasure ledger. Everything engine-specific about backing up and restoring lives here (and in
``storage.pg_backup``).

An archive (``atensi-YYYYMMDD-HHMMSS-WIB.tar``, the time in the centre's zone; older ones UTC without a zone) holds

* ``database.sqlite3`` – a consistent copy of the live database (SQLite online backup, read
  through its own connection so the bot keeps working), one self-contained file without WAL; or,
  on PostgreSQL, ``database.pgdump`` – a ``pg_dump`` of one snapshot in its custom format;
* ``files/…`` – every file of the file store (receipts, meterai, BAST, photos, assessments, the
  monthly reports), by its path inside ``[storage] files_dir``;
* ``erasures/ledger.jsonl`` and ``erasures/ledger.key`` – the erasure ledger when there is one;
* ``manifest.json`` – last: the SHA-256 and size of every other member, the source file store
  root (to re-point stored paths on another instance) and the schema versions.

The archive is written under a temporary name, read back in full (every member against its
hash, the database through ``PRAGMA integrity_check`` or ``pg_restore --list``) and only then
renamed: a file named like a backup is always a good one.

A restore (:func:`restore`, SQLite only: see ``bot.cli``) refuses while the bot runs: the running bot holds a shared
``flock`` on ``<database>.lock`` (:class:`InstanceLock`), and SQLite's own locking shows any other
open connection. It verifies the archive before touching anything, moves the old database with
its ``-wal`` and ``-shm`` and the old file store aside (never deletes them), puts the archive's in
place and re-points stored file paths. The caller then migrates, re-applies the erasure ledger and
calls :func:`final_check`.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypedDict

from storage.db import Database
from storage.erasures import ErasureEntry, ErasureLedger

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.sqlite3"
DATABASE_PG = "database.pgdump"  # a PostgreSQL backup's database member
FILES = "files"
LEDGER = "erasures/ledger.jsonl"
LEDGER_KEY = "erasures/ledger.key"
_CHUNK = 1 << 20


class Member(TypedDict):
    """One member's checksum in the manifest."""

    sha256: str
    size: int


class Manifest(TypedDict, total=False):
    """``manifest.json`` as :func:`_write_archive` writes it (an older or foreign archive may lack
    keys: :func:`verify_archive` checks format and members before anything else is read)."""

    format: int
    app: str
    created_at: str
    engine: str  # "sqlite" or "postgresql"
    schema: list[int]  # the migrations applied to the database in the archive
    files_root: str
    files_root_resolved: str
    missing_files: int
    members: dict[str, Member]


class BackupFailed(OSError):
    """The archive could not be written or did not read back as written; nothing was kept."""


class RestoreRefused(Exception):
    """A restore that must not go ahead (the bot runs, the archive is damaged, …); nothing changed."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ArchiveInfo:
    path: Path
    size: int
    files: int
    missing_files: int  # files the database names that the store did not have


@dataclass
class RestoreReport:
    moved_aside: list[Path] = field(default_factory=list)
    files: int = 0
    repointed: int = 0
    ledger_added: int = 0
    created_at: str = ""


# --- the running bot's lock -------------------------------------------------------------------------------------


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class InstanceLock:
    """A ``flock`` on ``<database>.lock``: shared for a running bot (several may share one
    database), exclusive for a restore. The kernel releases it when the process ends, even on a
    crash or ``kill -9``: a stale lock file never blocks a restore."""

    def __init__(self, database: Path) -> None:
        self.path = lock_path(database)
        self._handle: io.TextIOWrapper | None = None

    def acquire(self, *, exclusive: bool) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        if not exclusive:  # who runs, for the refusal message (the lock itself is the flock)
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
        self._handle = handle
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def in_use_by_another_connection(database: Path) -> bool:
    """True when any connection (any process, this one too) has the database open.

    In WAL mode every open connection holds a shared lock on the database; an exclusive lock
    (``locking_mode = EXCLUSIVE`` then ``BEGIN EXCLUSIVE``) is refused at once while one does. When
    it is granted, closing checkpoints the old WAL into the old file, so the copy moved aside is
    one whole file. A damaged file that SQLite cannot open is not "in use": it is what a restore
    is for.
    """
    if not database.exists():
        return False
    conn = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlite3.OperationalError as error:
        return "locked" in str(error) or "busy" in str(error)
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()
    return False


# --- writing ---------------------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _integrity(path: Path, member: str = DATABASE) -> str:
    if member == DATABASE_PG:
        return _pg_dump_check(path)
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return "ok" if [tuple(r) for r in rows] == [("ok",)] else "; ".join(str(r[0]) for r in rows[:5])


def _pg_dump_check(path: Path) -> str:
    """A pg_dump archive reads back whole (``pg_restore --list`` fails on a truncated or corrupt one)."""
    import subprocess

    from storage.pg_backup import DumpFailed, client_tool

    try:
        listing = subprocess.run(
            [client_tool("pg_restore"), "--list", str(path)],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (DumpFailed, OSError) as error:
        return f"pg_restore cannot read it ({error})"
    if listing.returncode != 0:
        return f"pg_restore cannot read it: {listing.stderr.strip()[:200]}"
    return "ok" if "TABLE DATA public proposals" in listing.stdout else "the dump holds no proposals table"


def _store_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(archive name, path) of every file in the store, in a stable order; half-written
    ``.part`` files (a save in progress) are not evidence yet."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.endswith(".part"):
            yield f"{FILES}/{path.relative_to(root).as_posix()}", path


def _copy_database(source: str, target: Path) -> None:
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # one step: one read snapshot, whatever the bot writes meanwhile
            dst.execute("PRAGMA journal_mode = DELETE")  # a self-contained file, no -wal beside it
        finally:
            dst.close()
    finally:
        src.close()


def _schema(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def _referenced_paths(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [
            r[0] for r in conn.execute("SELECT DISTINCT stored_path FROM attachments WHERE stored_path IS NOT NULL")
        ]
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def _under(stored: str, roots: list[Path]) -> str | None:
    """``stored`` relative to the first of ``roots`` it lies in, as a POSIX path (or None)."""
    for root in roots:
        try:
            return Path(stored).relative_to(root).as_posix()
        except ValueError:
            continue
    return None


def _write_archive(
    db_copy: Path,
    files_dir: Path,
    ledger: ErasureLedger | None,
    partial: Path,
    created_at: dt.datetime,
    *,
    member: str = DATABASE,
    schema: list[int] | None = None,
    referenced: list[str] | None = None,
) -> tuple[int, int]:
    """``schema`` and ``referenced`` (stored paths): read from the SQLite copy unless given (a
    PostgreSQL dump is read by the caller in the dump's database)."""
    members: dict[str, Member] = {}
    files = 0
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:

        def add(name: str, path: Path) -> None:
            digest, size = _sha256_file(path)
            with open(path, "rb") as handle:
                info = archive.gettarinfo(fileobj=handle, arcname=name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                if info.size != size:  # the store replaces files by rename, never in place
                    raise BackupFailed(f"{path} changed while it was copied")
                archive.addfile(info, handle)
            members[name] = {"sha256": digest, "size": size}

        add(member, db_copy)
        for name, path in _store_files(files_dir):
            add(name, path)
            files += 1
        if ledger is not None and ledger.key_path.exists():
            add(LEDGER_KEY, ledger.key_path)
            if ledger.path.exists():
                add(LEDGER, ledger.path)
        roots = [files_dir, files_dir.resolve()]
        stored = set(members)
        missing = sum(
            1
            for p in (referenced if referenced is not None else _referenced_paths(db_copy))
            if (rel := _under(p, roots)) is None or f"{FILES}/{rel}" not in stored
        )
        manifest = json.dumps(
            {
                "format": ARCHIVE_FORMAT,
                "app": "atensi-bot",
                "created_at": created_at.isoformat(),
                "engine": "postgresql" if member == DATABASE_PG else "sqlite",
                "schema": schema if schema is not None else _schema(db_copy),
                "files_root": str(files_dir),
                "files_root_resolved": str(files_dir.resolve()),
                "missing_files": missing,
                "members": members,
            },
            indent=1,
            sort_keys=True,
        ).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime = len(manifest), int(created_at.timestamp())
        archive.addfile(info, io.BytesIO(manifest))
    return files, missing


def verify_archive(path: Path, *, database_to: Path | None = None) -> Manifest:
    """Read the whole archive back: every member against the manifest's hash and size, nothing
    missing or extra, and the database through ``PRAGMA integrity_check``. Returns the manifest.
    With ``database_to``, the verified database is left there."""
    try:
        archive = tarfile.open(path, "r:")
    except (OSError, tarfile.TarError) as error:
        raise BackupFailed(f"not a backup archive ({error})") from None
    with archive:
        try:
            # No manifest member is a KeyError, one that is not a regular file (None) the AttributeError.
            manifest: Manifest = json.loads(archive.extractfile(MANIFEST).read())  # type: ignore[union-attr]
        except (KeyError, AttributeError, ValueError):
            raise BackupFailed("the archive has no readable manifest") from None
        if manifest.get("format") != ARCHIVE_FORMAT or manifest.get("app") != "atensi-bot":
            raise BackupFailed("not an atensi-bot backup of a known format")
        expected = manifest["members"]
        seen: set[str] = set()
        scratch = database_to or path.with_name(path.name + ".check")
        try:
            for info in archive:
                if info.name == MANIFEST:
                    continue
                if info.name not in expected or not info.isfile() or info.name in seen:
                    raise BackupFailed(f"unexpected member {info.name}")
                seen.add(info.name)
                handle = archive.extractfile(info)
                assert handle is not None
                digest, size = hashlib.sha256(), 0
                out = open(scratch, "wb") if info.name in (DATABASE, DATABASE_PG) else None
                try:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        if out is not None:
                            out.write(chunk)
                finally:
                    if out is not None:
                        out.close()
                if digest.hexdigest() != expected[info.name]["sha256"] or size != expected[info.name]["size"]:
                    raise BackupFailed(f"{info.name} does not match its checksum")
            if seen != set(expected):
                raise BackupFailed(f"{len(set(expected) - seen)} member(s) missing")
            member = DATABASE_PG if DATABASE_PG in expected else DATABASE
            result = _integrity(scratch, member)
            if result != "ok":
                raise BackupFailed(f"the database in the archive fails its integrity check: {result}")
        except (tarfile.TarError, OSError) as error:
            if isinstance(error, BackupFailed):
                raise
            raise BackupFailed(f"the archive cannot be read ({error})") from None
        finally:
            if database_to is None:
                scratch.unlink(missing_ok=True)
    return manifest


async def write_backup(
    db: Database, files_dir: Path, target: Path, *, ledger: ErasureLedger | None, now: dt.datetime
) -> ArchiveInfo:
    """One archive of the database, the file store and the ledger at ``target``, verified."""
    import asyncio

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    db_copy = target.with_name(target.name + ".db.part")
    for leftover in (partial, db_copy):
        leftover.unlink(missing_ok=True)
    member, schema, referenced = DATABASE, None, None
    try:
        if db.dialect == "postgresql":
            # pg_dump reads one snapshot while the bot keeps working; the schema and the stored
            # paths are read just before it (a file saved in between is in the store, not named).
            member = DATABASE_PG
            async with db.snapshot() as conn:
                schema = [
                    int(r[0])
                    for r in await conn.execute_fetchall("SELECT version FROM schema_migrations ORDER BY version")
                ]
                referenced = [
                    r[0]
                    for r in await conn.execute_fetchall(
                        "SELECT DISTINCT stored_path FROM attachments WHERE stored_path IS NOT NULL"
                    )
                ]
            await db.backup_to(db_copy)
        # Any other Database is a SqliteDatabase, the one with a path (a file, or ":memory:").
        elif db.path == ":memory:":  # type: ignore[attr-defined]
            await db.backup_to(db_copy)
        else:
            await asyncio.to_thread(_copy_database, db.path, db_copy)  # type: ignore[attr-defined]

        def build() -> tuple[int, int]:
            result = _integrity(db_copy, member)
            if result != "ok":
                raise BackupFailed(f"integrity check failed: {result}")
            counts = _write_archive(
                db_copy, files_dir, ledger, partial, now, member=member, schema=schema, referenced=referenced
            )
            with open(partial, "rb") as handle:
                os.fsync(handle.fileno())
            verify_archive(partial)  # read back what was written, before it gets a backup's name
            os.replace(partial, target)
            return counts

        files, missing = await asyncio.to_thread(build)
    except (sqlite3.Error, tarfile.TarError) as error:
        raise BackupFailed(str(error)) from None
    finally:
        partial.unlink(missing_ok=True)
        db_copy.unlink(missing_ok=True)
    return ArchiveInfo(target, target.stat().st_size, files, missing)  # noqa: ASYNC240 – one stat, after the threads wrote it


# --- restoring -------------------------------------------------------------------------------------------------


def _aside(path: Path, stamp: str) -> Path:
    return path.with_name(f"{path.name}.before-restore-{stamp}")


def restore(
    archive: Path, database: Path, files_dir: Path, ledger: ErasureLedger, *, known_schema: set[int], now: dt.datetime
) -> RestoreReport:
    """Put the archive's database and files in place of the current ones (see the module doc).

    The caller holds the :class:`InstanceLock` exclusively for the whole restore (a bot that
    starts meanwhile is refused). Raises :class:`RestoreRefused` with nothing changed, or — should the
    disk fail half-way — puts the old files back before raising.
    """
    if in_use_by_another_connection(database):
        raise RestoreRefused(
            "in_use", f"{database} is open in another program (the bot, a backup, sqlite3); stop it first"
        )
    database.parent.mkdir(parents=True, exist_ok=True)  # a new server may not have the folder yet
    incoming = database.with_name(database.name + ".restoring")
    incoming.unlink(missing_ok=True)
    try:
        manifest = verify_archive(archive, database_to=incoming)
    except BackupFailed as error:
        incoming.unlink(missing_ok=True)
        raise RestoreRefused("bad_archive", f"{archive}: {error}; nothing was changed") from None
    if DATABASE_PG in manifest["members"]:
        incoming.unlink(missing_ok=True)
        raise RestoreRefused(
            "engine",
            f"{archive} is a PostgreSQL backup (database.pgdump): restore it with "
            "pg_restore into the PostgreSQL database (see the README); nothing was changed",
        )
    newer = set(manifest.get("schema", [])) - known_schema
    if newer:
        incoming.unlink(missing_ok=True)
        raise RestoreRefused(
            "newer",
            f"{archive} comes from a newer version of the bot (migrations "
            f"{sorted(newer)}); update the bot first; nothing was changed",
        )

    stamp = now.strftime("%Y%m%d-%H%M%S")
    report = RestoreReport(created_at=str(manifest.get("created_at", "")))
    moves: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for old in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), files_dir):
            if old.exists():
                target = _aside(old, stamp)
                os.replace(old, target)
                moves.append((old, target))
        os.replace(incoming, database)
        placed.append(database)
        report.files = _extract_files(archive, files_dir, manifest)
        placed.append(files_dir)
        report.repointed = _repoint(database, manifest, files_dir)
        report.ledger_added = _adopt_ledger(archive, manifest, ledger)
    except BaseException:
        for path in placed:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        for old, target in reversed(moves):
            os.replace(target, old)
        raise
    finally:
        incoming.unlink(missing_ok=True)
    report.moved_aside = [target for _, target in moves]
    return report


def _extract_files(archive: Path, files_dir: Path, manifest: Manifest) -> int:
    members = manifest["members"]
    files_dir.mkdir(parents=True, exist_ok=True)
    root = files_dir.resolve()
    count = 0
    with tarfile.open(archive, "r:") as tar:
        for info in tar:
            if not info.name.startswith(FILES + "/") or not info.isfile():
                continue
            relative = PurePosixPath(info.name).relative_to(FILES)
            target = (root / relative).resolve()
            if not target.is_relative_to(root):  # never write outside the store, whatever the archive says
                raise BackupFailed(f"{info.name} points outside the file store")
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = tar.extractfile(info)
            assert handle is not None
            digest = hashlib.sha256()
            with open(target, "wb") as out:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != members[info.name]["sha256"]:
                raise BackupFailed(f"{info.name} changed while it was restored")
            count += 1
    return count


def _repoint(database: Path, manifest: Manifest, files_dir: Path) -> int:
    """Stored paths name the file store the backup was made from; point them at this one."""
    roots = [Path(str(manifest["files_root"])), Path(str(manifest["files_root_resolved"]))]
    conn = sqlite3.connect(database, isolation_level=None)
    changed = 0
    try:
        conn.execute("BEGIN IMMEDIATE")
        for row_id, stored in conn.execute(
            "SELECT id, stored_path FROM attachments WHERE stored_path IS NOT NULL"
        ).fetchall():
            relative = _under(stored, roots)
            if relative is not None and str(files_dir / relative) != stored:
                conn.execute("UPDATE attachments SET stored_path = ? WHERE id = ?", (str(files_dir / relative), row_id))
                changed += 1
        for row_id, params in conn.execute("SELECT id, params FROM outbox WHERE status = 'pending'").fetchall():
            data = json.loads(params or "{}")
            if isinstance(data.get("path"), str) and (relative := _under(data["path"], roots)) is not None:
                data["path"] = str(files_dir / relative)
                conn.execute("UPDATE outbox SET params = ? WHERE id = ?", (json.dumps(data), row_id))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return changed


def _adopt_ledger(archive: Path, manifest: Manifest, ledger: ErasureLedger) -> int:
    members = manifest["members"]
    if LEDGER_KEY not in members:
        return 0
    with tarfile.open(archive, "r:") as tar:
        # verify_archive found both ledger members regular files (extractfile gives None for no other).
        key = bytes.fromhex(tar.extractfile(LEDGER_KEY).read().decode().strip())  # type: ignore[union-attr]
        entries: list[ErasureEntry] = []
        if LEDGER in members:
            for line in tar.extractfile(LEDGER).read().decode().splitlines():  # type: ignore[union-attr]
                try:
                    entries.append(ErasureEntry(**json.loads(line)))
                except (ValueError, TypeError):
                    continue
    return ledger.adopt(key, entries)


def final_check(database: Path) -> str:
    """After the restore (and the migrations and the ledger): integrity and foreign keys, and the
    WAL folded back into the file. ``"ok"`` or what is wrong."""
    result = _integrity(database)
    conn = sqlite3.connect(database)
    try:
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    if result == "ok" and broken:
        return f"{len(broken)} row(s) break a foreign key"
    return result


__all__ = [
    "ArchiveInfo",
    "BackupFailed",
    "InstanceLock",
    "RestoreRefused",
    "RestoreReport",
    "final_check",
    "in_use_by_another_connection",
    "restore",
    "verify_archive",
    "write_backup",
]

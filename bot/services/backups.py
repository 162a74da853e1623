"""Backups of the database and the file store, made from chat or the CLI, named in the centre's zone."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.i18n import N_, zone_label
from bot.services.admin import require_admin
from bot.services.base import Identity, Service, ServiceError
from storage.backup import DATABASE_PG, write_backup
from storage.erasures import ErasureLedger
from storage.pg_backup import restore_command
from storage.unit import Storage


@dataclass(frozen=True)
class BackupFile:
    path: Path
    size: int
    kept: int
    files: int = 0  # files of the file store in the archive
    missing_files: int = 0  # files the database names that the store did not have
    # PostgreSQL: how to put the archive's database back by hand (db restore is SQLite's).
    restore: str | None = None


def erasure_ledger(settings: Settings) -> ErasureLedger:
    """The ledger of erasures that a restore re-applies (``[storage] erasure_ledger``)."""
    return ErasureLedger.beside(Path(settings.storage.database), settings.storage.erasure_ledger)


async def make_backup(storage: Storage, settings: Settings, target: Path, now: dt.datetime) -> BackupFile:
    """One verified archive of the database, the file store and the erasure ledger at ``target``
    (for ``/cadangan`` and ``atensi-bot admin backup``)."""
    try:
        made = await write_backup(
            storage.db, Path(settings.storage.files_dir), target, ledger=erasure_ledger(settings), now=now
        )
    except OSError as error:
        raise ServiceError(
            "backup_failed",
            N_("The backup could not be written ({error}). Check the disk and the backups folder."),
            error=str(error)[:200] or type(error).__name__,
        ) from None
    restore = None
    if storage.db.dialect == "postgresql":
        restore = f"tar -xf {target} {DATABASE_PG} && {restore_command(DATABASE_PG)}"
    return BackupFile(made.path, made.size, 1, made.files, made.missing_files, restore)


# A backup is named by when it was made in the centre's zone, the zone said ("atensi-20261202-050128-WIB.tar"),
# so an admin reads the time right; archives named before this are in UTC ("atensi-20261201-220128.tar").
_BACKUP_NAME = re.compile(r"^atensi-(?P<stamp>\d{8}-\d{6})(?:-(?P<zone>[^.]+))?\.tar$")


def backup_name(now: dt.datetime, timezone: str) -> str:
    """The file name of a backup made ``now``: the time in ``timezone``, named by its label."""
    return f"atensi-{now.astimezone(ZoneInfo(timezone)):%Y%m%d-%H%M%S}-{zone_label(timezone, now)}.tar"


def backup_made_at(path: Path, timezone: str) -> dt.datetime:
    """When a backup was made, read from its name (an old name is UTC, a new one the centre's zone);
    a name of neither shape: its file's modification time."""
    match = _BACKUP_NAME.match(path.name)
    if match is None:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    zone = ZoneInfo(timezone) if match["zone"] else dt.UTC
    return dt.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S").replace(tzinfo=zone).astimezone(dt.UTC)


class BackupService(Service):
    """Backups made from chat (and recorded from the CLI)."""

    async def backup(self, who: Identity) -> BackupFile:
        """``/cadangan``: one verified archive of the live database, the file store and the erasure
        ledger (:func:`make_backup`); the oldest beyond ``admin.backups_keep`` are deleted."""
        require_admin(who)
        folder = Path(self.settings.admin.backups_dir)
        now = self.clock.now()
        zone = self.settings.locale.timezone
        target = folder / backup_name(now, zone)
        if target.exists():
            raise ServiceError("backup_exists", N_("A backup was made this very second; try again in a moment."))
        made = await make_backup(self.storage, self.settings, target, now)
        # A listing of the backups folder (a few dozen names) after a backup that ran in threads.
        kept = sorted(folder.glob("atensi-*.tar"), key=lambda path: (backup_made_at(path, zone), path.name))  # noqa: ASYNC240
        for old in kept[: max(0, len(kept) - self.settings.admin.backups_keep)]:
            old.unlink(missing_ok=True)
        async with self.storage.transaction() as uow:
            await uow.audit.record(self.event(who, "database", target.name, "backup", reason=f"{made.files} files"))
        return BackupFile(
            target,
            made.size,
            min(len(kept), self.settings.admin.backups_keep),
            made.files,
            made.missing_files,
            made.restore,
        )

    async def record_cli_backup(self, target: Path) -> None:
        """``atensi-bot admin backup PATH``: audited like ``/cadangan`` (by the command line)."""
        async with self.storage.transaction() as uow:
            await uow.audit.record(self.event(None, "database", target.name, "backup", reason=str(target)))

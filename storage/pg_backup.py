"""Backups of a PostgreSQL database: ``pg_dump`` in its custom format, checked before it is named.

``pg_dump`` reads one consistent snapshot while the bot keeps working (nothing is locked beyond
what a reader holds). The archive is written under a temporary name, read back with
``pg_restore --list`` (a truncated or corrupt archive fails there), and only then renamed, so a
file named like a backup is always a whole one. Restore with :func:`restore_command`.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
from pathlib import Path


class DumpFailed(OSError):
    """pg_dump or the check of its archive failed; nothing was kept."""


def client_tool(name: str) -> str:
    """The newest installed ``pg_dump`` / ``pg_restore`` (it must not be older than the server)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path is None:
        raise DumpFailed(f"{name} is not installed (apt-get install postgresql-client)")
    return on_path


async def _run(*argv: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise DumpFailed(f"{Path(argv[0]).name} failed: {err.decode(errors='replace').strip()[:300]}")
    return out.decode(errors="replace")


async def dump(url: str, target: Path) -> None:
    """A consistent, checked custom-format archive of the database at ``url``, at ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    try:
        await _run(client_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={url}")
        listing = await _run(client_tool("pg_restore"), "--list", str(partial))
        if "TABLE DATA public proposals" not in listing:
            raise DumpFailed("the archive holds no proposals table")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def restore_command(archive: Path | str) -> str:
    """How to put ``archive`` back (bot stopped): into an empty database, or over the old one."""
    return f"pg_restore --clean --if-exists --no-owner --dbname=<postgresql://…> {archive}"

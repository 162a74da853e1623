"""Backup archives altered for the archive and restore tests (tests/test_backup.py): a copy with one member's
content replaced."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path


def tampered(source: Path, target: Path, member: str, content: bytes) -> Path:
    """A copy of the archive with one member's content replaced (the manifest left as it was)."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for info in old:
            data = old.extractfile(info).read()
            if info.name == member:
                data = content
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return target

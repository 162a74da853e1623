"""Uploaded documents and photos kept on disk, so records survive outside Telegram.

Each file is sealed (AES-256-GCM, storage/sealing.py) before it touches the disk, and opened
again by :meth:`FileStore.read`; its sha256 stays that of the content as uploaded (integrity,
duplicates). The file's name on disk is its digest only: an upload named "KTP Budi Santoso.jpg"
leaves no name in the store (the name itself is kept, sealed, in ``attachments.file_name``).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from storage.sealing import Keyring, MissingKeyring, Sealer

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class StoredFile:
    path: str
    sha256: str
    size: int
    created: bool = True  # False: the same content was stored before (another record may use it)


class FileStoreFull(Exception):
    """The disk refused the file (full, read-only, …); nothing was kept."""


class FileStore:
    def __init__(self, root: Path, keys: Sealer | None = None) -> None:
        self.root = root
        # The storage's keys (the composition root hands them over); else those of the environment.
        self.keys: Sealer = keys if keys is not None else (Keyring.from_environment() or MissingKeyring())

    def save(self, folder: str, file_name: str, data: bytes) -> StoredFile:
        """Write atomically (temp file + rename): a failed write leaves no half file behind."""
        digest = hashlib.sha256(data).hexdigest()
        suffix = _SAFE.sub("_", Path(file_name).suffix.lower())[:10]
        target_dir = self.root / _SAFE.sub("_", folder)
        target = target_dir / f"{digest[:24]}{suffix}"
        tmp = target.with_suffix(target.suffix + ".part")
        existed = target.is_file()
        sealed = self.keys.seal_bytes(data)
        try:
            target_dir.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as handle:
                handle.write(sealed)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:  # e.g. the folder is not a directory: there is no half file to remove
                pass
            raise FileStoreFull(exc.strerror or type(exc).__name__) from None
        return StoredFile(str(target), digest, len(data), created=not existed)

    def read(self, path: str) -> bytes | None:
        """The content of a stored file, opened (only inside this store), or None if it is not there."""
        target = Path(path).resolve()
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            return None
        try:
            return self.keys.open_bytes(target.read_bytes())
        except OSError:
            return None

    def discard(self, path: str, *, overwrite: bool = False) -> bool:
        """Delete a stored file no record uses any more; only inside this store, never elsewhere.
        ``overwrite``: zero its bytes first (an erasure: they must not linger in the disk's free
        space on a filesystem that writes in place).

        Best effort: a file that cannot be deleted now is left (and said so by False), never raised.
        """
        target = Path(path).resolve()
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            return False
        try:
            if overwrite:
                with open(target, "r+b") as handle:
                    size = handle.seek(0, os.SEEK_END)
                    handle.seek(0)
                    while size > 0:
                        step = min(size, 1 << 20)
                        handle.write(b"\0" * step)
                        size -= step
                    handle.flush()
                    os.fsync(handle.fileno())
            target.unlink()
        except OSError:
            return False
        return True

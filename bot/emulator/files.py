"""Storage of the files users and the bot exchange, addressed by ``file_id`` and path."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from .models import StoredFile

__all__ = ["MAX_DOWNLOAD_SIZE", "MAX_UPLOAD_SIZE", "FileStore"]

#: ``getFile`` refuses files above this size on the public Bot API.
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
#: Uploads by the bot above this size are refused.
MAX_UPLOAD_SIZE = 50 * 1024 * 1024

_ID_PREFIX = {"document": "BQACAgUAAxkBAAI", "photo": "AgACAgUAAxkBAAI"}
_FOLDER = {"document": "documents", "photo": "photos"}


class FileStore:
    """Files by ``file_id`` and by download path; ids are deterministic per emulator."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}

    def add(
        self,
        content: bytes | None,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
        size: int | None = None,
    ) -> StoredFile:
        """Store a file; ``size`` overrides ``len(content)`` (to fake big files cheaply)."""
        seq = len(self._by_id) + 1
        if kind == "photo":
            suffix = ".jpg"
        else:
            suffix = PurePosixPath(file_name or "").suffix or ".bin"
            mime_type = mime_type or mimetypes.guess_type(file_name or "")[0]
            mime_type = mime_type or "application/octet-stream"
        stored = StoredFile(
            file_id=f"{_ID_PREFIX[kind]}{seq:06d}",
            file_unique_id=f"AgAD{seq:06d}",
            file_path=f"{_FOLDER[kind]}/file_{seq}{suffix}",
            kind=kind,
            size=size if size is not None else len(content or b""),
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this ``file_id``, if any."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """The file downloadable at ``file_path``, if any."""
        return self._by_path.get(file_path)

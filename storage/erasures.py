"""The erasure ledger: which client records were erased, kept outside the database.

A backup made before an erasure still holds the person. Restoring it must not bring them back,
so every erasure is also appended to this file, beside the database and never replaced by a
restore; ``atensi-bot db restore`` applies it again to the restored database.

The ledger holds no personal data: a line names the client and proposal ids, the action and a
keyed hash (HMAC-SHA256) of the NIK. The hash tells the restore that row ``client_id`` of the
backup is the same person (SQLite may reuse the id of a deleted row for someone else), and
without the key — a separate file readable only by the bot's user — it cannot be turned back
into a NIK by trying the few million NIKs of a region.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class ErasureEntry:
    """One erased client record, as the ledger keeps it."""

    at: str  # ISO-8601 UTC
    action: str  # "delete" (a draft's client) or "anonymize"
    client_id: int
    proposal_id: int
    proposal_code: str
    subject: str  # HMAC-SHA256 of the NIK under the ledger's key

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.client_id, self.proposal_id, self.subject)


class ErasureLedger:
    """An append-only JSON-lines file and its key (``<ledger>.key``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.key_path = path.with_name(path.name + ".key")

    @classmethod
    def beside(cls, database: Path, configured: Path | None = None) -> ErasureLedger:
        """The ledger of the database at ``database`` (``[storage] erasure_ledger`` when set)."""
        return cls(configured if configured is not None else database.with_name(database.name + ".erasures.jsonl"))

    def _key(self, *, create: bool) -> bytes | None:
        try:
            return bytes.fromhex(self.key_path.read_text().strip())
        except FileNotFoundError:
            if not create:
                return None
        self.key_path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        # O_EXCL: two processes never make two keys; the loser reads the winner's.
        try:
            fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return bytes.fromhex(self.key_path.read_text().strip())
        with os.fdopen(fd, "w") as handle:
            handle.write(key.hex())
            handle.flush()
            os.fsync(handle.fileno())
        return key

    def subject(self, nik: str, *, create: bool = False) -> str | None:
        """The keyed hash the ledger stores for ``nik`` (None: no key yet, nothing recorded)."""
        key = self._key(create=create)
        return None if key is None else hmac.new(key, nik.encode(), hashlib.sha256).hexdigest()

    def record(
        self, *, action: str, client_id: int, proposal_id: int, proposal_code: str, nik: str, at: dt.datetime
    ) -> ErasureEntry:
        """Append one erasure and make it durable (fsync) before returning."""
        subject = self.subject(nik, create=True)
        assert subject is not None
        entry = ErasureEntry(at.astimezone(dt.UTC).isoformat(), action, client_id, proposal_id, proposal_code, subject)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(entry), sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return entry

    def entries(self) -> list[ErasureEntry]:
        """Every erasure recorded, oldest first (a torn last line from a crash is skipped)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        found: list[ErasureEntry] = []
        for line in lines:
            try:
                found.append(ErasureEntry(**json.loads(line)))
            except (ValueError, TypeError):
                continue
        return found

    def key_bytes(self) -> bytes | None:
        return self._key(create=False)

    def adopt(self, key: bytes | None, entries: list[ErasureEntry]) -> int:
        """Merge the ledger a backup carried: its key when this one has none, and the entries it
        knows that this one does not (only under the same key: other hashes cannot be checked).
        Returns how many entries were added."""
        mine = self.key_bytes()
        if key is not None and mine is None:
            self.key_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(key.hex())
            mine = key
        if key is None or mine != key:
            return 0
        known = {e.key for e in self.entries()}
        added = [e for e in entries if e.key not in known]
        if added:
            with open(self.path, "a", encoding="utf-8") as handle:
                for entry in added:
                    handle.write(json.dumps(asdict(entry), sort_keys=True) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        return len(added)


__all__ = ["ErasureEntry", "ErasureLedger"]

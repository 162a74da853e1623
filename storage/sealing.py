"""Clients' personal data sealed at rest: AES-256-GCM field values, a blind index, sealed files.

A copied disk, database file, WAL, backup or ``pg_dump`` must not reveal the clients (people
treated for drug abuse: *specific* personal data under UU 27/2022). So storage seals every
personal value before it reaches SQL and opens it again when it maps a row to a domain record:
services and handlers only ever see plain values.

* **Field values** (:meth:`Keyring.seal` / :meth:`Keyring.open`): ``enc1:<key id>:<base64url>``
  — a 12-byte random nonce, then the AES-256-GCM ciphertext and tag. The associated data is the
  value's ``table.column``, so a ciphertext copied into another column (a NIK into a name) fails
  to open instead of showing. A value without the ``enc1:`` prefix is plain text from before
  sealing (or a placeholder of an erased record, ``-``); it reads as itself.
* **Blind index** (:meth:`Keyring.blind`): HMAC-SHA256 of the normalized NIK or account number
  under a key of its own. Equality lookups and duplicate checks compare these, through an index,
  without opening anything. The index key never rotates with the data keys (every stored index
  value would change); it is as secret as they are.
* **Files** (:meth:`Keyring.seal_bytes` / :meth:`Keyring.open_bytes`): ``ATF1`` + key id + nonce
  + ciphertext, the associated data naming the file store, so a sealed field cannot pass as a file.

Keys live in a key file (JSON, mode 0600), never in the database nor in ``config.toml``: its path
comes from ``ATENSI_KEY_FILE`` (or ``[storage] key_file``), or the whole file from ``ATENSI_KEYS``.
``atensi-bot keys new`` makes one (or adds a data key and makes it current), ``keys rotate``
re-seals everything under the current key (storage/key_rotation.py), ``keys retire`` drops a key
nothing uses any more. A running bot notices a key added to its file (it re-reads the file when
it changed), so a rotation can run beside it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "atensi-keys/1"
PREFIX = "enc1:"
# "k" and four digits: fixed width, so SQL can read a value's key id with substr() on both engines.
_KEY_ID = re.compile(r"^k\d{4}$")
KEY_ID_WIDTH = 5
SEALED_HEAD = len(PREFIX) + KEY_ID_WIDTH + 1  # "enc1:k0001:"
FILE_MAGIC = b"ATF1"
_FILE_AAD = b"atensi-file-store"
_NONCE = 12
ENV_FILE = "ATENSI_KEY_FILE"
ENV_INLINE = "ATENSI_KEYS"

# Every column holding a client's (or a complainant's) personal data, sealed (table, column).
SEALED_COLUMNS: dict[str, tuple[str, ...]] = {
    "clients": ("full_name", "nik", "birth_date", "address", "phone", "assessment", "intervention_plan"),
    "bank_accounts": ("account_number", "holder_name"),
    # A submitted version is a JSON snapshot of the whole proposal, its clients included.
    "proposal_versions": ("snapshot",),
    # A KTP photo is often sent as "KTP Budi Santoso.jpg".
    "attachments": ("file_name",),
    # What a person is in the middle of typing: an account number and holder before it is saved…
    "conversations": ("state",),
    # …and a client's answers on a draft before they become a client row.
    "proposals": ("draft_cursor",),
    # A minor's guardian who signed the consent form (issue 17.6).
    "consents": ("guardian_name", "guardian_relation"),
    # Complaints (issue 16.5): what happened, who told it (NULL when anonymous), what the officers
    # did and the outcome, and the attachments' names.
    "complaints": ("description", "complainant", "outcome"),
    "complaint_actions": ("text",),
    "complaint_files": ("file_name",),
    # A change after the SK (issue 16.6): the name or NIK before and after, the reasons given.
    "client_changes": ("reason", "old_value", "new_value", "decision_reason"),
}
# The key column each sealed table is walked by (rotation, sealing plain rows).
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "clients": ("id",),
    "bank_accounts": ("client_id",),
    "proposal_versions": ("proposal_id", "version"),
    "attachments": ("id",),
    "conversations": ("person_id",),
    "proposals": ("id",),
    "consents": ("client_id",),
    "complaints": ("id",),
    "complaint_actions": ("id",),
    "complaint_files": ("id",),
    "client_changes": ("id",),
}
# Blind index columns: (table, index column) ← the sealed column they index.
BLIND_COLUMNS: dict[tuple[str, str], str] = {
    ("clients", "nik"): "nik_index",
    ("bank_accounts", "account_number"): "account_index",
}


class KeyringError(Exception):
    """The keys are missing, unreadable or do not fit the data (the message says which and what to do)."""


class SealedValueError(KeyringError):
    """A sealed value that does not open: altered, moved from another column, or another key's."""


def normalize_nik(nik: str) -> str:
    """The NIK as its blind index sees it: its digits only."""
    return "".join(ch for ch in nik if ch.isdigit())


def normalize_account(number: str) -> str:
    """An account number as its blind index sees it: without spaces, dots and dashes, upper case."""
    return "".join(ch for ch in number if ch.isalnum()).upper()


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id_of(value: str) -> str | None:
    """The key id a sealed value names (None for a plain value)."""
    return value[len(PREFIX) : len(PREFIX) + KEY_ID_WIDTH] if is_sealed(value) else None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class DataKey:
    key_id: str
    key: bytes
    created_at: str
    retired_at: str | None = None


@dataclass
class Keyring:
    """The data keys (one current), the blind-index key, and the file they came from (if any)."""

    current: str
    keys: dict[str, DataKey]
    index_key: bytes
    path: Path | None = None
    _aead: dict[str, AESGCM] = field(default_factory=dict, repr=False)
    _mtime: float = 0.0
    _checked: float = 0.0

    # --- making and reading key files ---

    @classmethod
    def generate(cls, path: Path | None = None) -> Keyring:
        """A new keyring: one data key (``k0001``) and an index key."""
        key = DataKey("k0001", secrets.token_bytes(32), _now())
        return cls("k0001", {"k0001": key}, secrets.token_bytes(32), path)

    @classmethod
    def from_json(cls, text: str, path: Path | None = None) -> Keyring:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ValueError(f"not a key file of this bot (format {data.get('format')!r})")
            keys = {
                kid: DataKey(kid, _unb64(k["key"]), k["created_at"], k.get("retired_at"))
                for kid, k in data["data_keys"].items()
            }
            ring = cls(data["current"], keys, _unb64(data["index_key"]), path)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise KeyringError(f"the key file {path or ENV_INLINE} cannot be read: {error}") from None
        for kid, key in keys.items():
            if not _KEY_ID.match(kid) or (len(key.key) != 32 and key.retired_at is None):
                raise KeyringError(f"the key file {path or ENV_INLINE} has a bad key {kid!r}")
        if ring.current not in keys or keys[ring.current].retired_at is not None or len(ring.index_key) != 32:
            raise KeyringError(f"the key file {path or ENV_INLINE} has no usable current key")
        return ring

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            text = path.read_text(encoding="utf-8")
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            raise KeyringError(f"the key file {path} does not exist (make one with `atensi-bot keys new`)") from None
        except OSError as error:
            raise KeyringError(f"the key file {path} cannot be read: {error.strerror}") from None
        ring = cls.from_json(text, path)
        ring._mtime = mtime
        return ring

    @classmethod
    def from_environment(cls, configured: Path | None = None) -> Keyring | None:
        """The keys in force: ``ATENSI_KEYS`` (the file's content), else the file named by
        ``ATENSI_KEY_FILE``, else ``configured`` (``[storage] key_file``); None when none is set."""
        inline = os.environ.get(ENV_INLINE)
        if inline:
            return cls.from_json(inline)
        named = os.environ.get(ENV_FILE)
        if named:
            return cls.load(Path(named))
        if configured is not None:
            return cls.load(configured)
        return None

    @classmethod
    def load_or_create(cls, path: Path) -> Keyring:
        """The keys at ``path``, made there first when there are none (the sandbox, the tests)."""
        if not path.exists():
            ring = cls.generate(path)
            try:
                ring.save(exclusive=True)
            except FileExistsError:
                pass  # another process made it first: read theirs
            else:
                return ring
        return cls.load(path)

    def to_json(self) -> str:
        return (
            json.dumps(
                {
                    "format": FORMAT,
                    "current": self.current,
                    "index_key": _b64(self.index_key),
                    "data_keys": {
                        kid: {"key": _b64(k.key), "created_at": k.created_at, "retired_at": k.retired_at}
                        for kid, k in sorted(self.keys.items())
                    },
                },
                indent=2,
            )
            + "\n"
        )

    def save(self, *, exclusive: bool = False) -> None:
        """Write the key file (0600) atomically: a temp file beside it, fsync, rename."""
        if self.path is None:
            raise KeyringError(f"these keys came from {ENV_INLINE}: there is no file to write")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if exclusive:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            target = self.path
        else:
            target = self.path.with_name(self.path.name + ".new")
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        if not exclusive:
            os.replace(target, self.path)
        self._mtime = self.path.stat().st_mtime

    def add_key(self) -> str:
        """A new data key, made current (values sealed from now on use it); returns its id."""
        number = max(int(kid[1:]) for kid in self.keys) + 1
        kid = f"k{number:04d}"
        self.keys[kid] = DataKey(kid, secrets.token_bytes(32), _now())
        self.current = kid
        return kid

    def retire(self, key_id: str) -> None:
        """Forget a key's material (the caller checked that nothing is sealed under it)."""
        if key_id == self.current:
            raise KeyringError(f"{key_id} is the current key: make a new one first (`atensi-bot keys new`)")
        if key_id not in self.keys:
            raise KeyringError(f"there is no key {key_id}")
        self.keys[key_id] = DataKey(key_id, b"", self.keys[key_id].created_at, _now())
        self._aead.pop(key_id, None)

    @property
    def usable(self) -> list[str]:
        return sorted(kid for kid, k in self.keys.items() if k.retired_at is None)

    # --- the running bot and a key file changed beside it (`keys new` during a rotation) ---

    def refresh(self, *, force: bool = False) -> None:
        """Re-read the key file if it changed (looked at once a second at most)."""
        if self.path is None:
            return
        now = time.monotonic()
        if not force and now - self._checked < 1.0:
            return
        self._checked = now
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            return
        if mtime == self._mtime:
            return
        fresh = Keyring.load(self.path)
        if fresh.index_key != self.index_key:
            raise KeyringError(f"the key file {self.path} now has another index key: restore the old file")
        self.current, self.keys, self._mtime = fresh.current, fresh.keys, fresh._mtime
        self._aead.clear()

    def _cipher(self, key_id: str) -> AESGCM:
        cipher = self._aead.get(key_id)
        if cipher is None:
            key = self.keys.get(key_id)
            if key is None or key.retired_at is not None:
                self.refresh(force=True)
                key = self.keys.get(key_id)
            if key is None or key.retired_at is not None:
                raise KeyringError(
                    f"data is sealed under key {key_id}, which the key file does not hold"
                    f" ({', '.join(self.usable)} only): restore the key file that has it"
                )
            cipher = self._aead[key_id] = AESGCM(key.key)
        return cipher

    # --- values ---

    def seal(self, value: str | None, table: str, column: str) -> str | None:
        """``value`` sealed under the current key for ``table.column`` (None stays None)."""
        if value is None:
            return None
        self.refresh()
        nonce = secrets.token_bytes(_NONCE)
        sealed = self._cipher(self.current).encrypt(nonce, value.encode("utf-8"), f"{table}.{column}".encode())
        return f"{PREFIX}{self.current}:{_b64(nonce + sealed)}"

    @overload
    def open(self, value: str, table: str, column: str) -> str: ...
    @overload
    def open(self, value: None, table: str, column: str) -> None: ...
    def open(self, value: str | None, table: str, column: str) -> str | None:
        """The plain value of a sealed one (a plain value from before sealing reads as itself)."""
        if value is None or not value.startswith(PREFIX):
            return value
        key_id = value[len(PREFIX) : len(PREFIX) + KEY_ID_WIDTH]
        blob = _unb64(value[SEALED_HEAD:])
        try:
            plain = self._cipher(key_id).decrypt(blob[:_NONCE], blob[_NONCE:], f"{table}.{column}".encode())
        except (InvalidTag, ValueError):
            raise SealedValueError(
                f"a sealed value in {table}.{column} does not open under {key_id}"
                " (altered, or copied from another column)"
            ) from None
        return plain.decode("utf-8")

    def blind(self, kind: str, value: str | None) -> str | None:
        """The blind index of a NIK (``kind`` "nik") or an account number ("account")."""
        if value is None:
            return None
        normal = normalize_nik(value) if kind == "nik" else normalize_account(value)
        if not normal:
            return None
        return hmac.new(self.index_key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()

    # --- files ---

    def seal_bytes(self, data: bytes) -> bytes:
        self.refresh()
        nonce = secrets.token_bytes(_NONCE)
        kid = self.current.encode()
        return FILE_MAGIC + kid + nonce + self._cipher(self.current).encrypt(nonce, data, _FILE_AAD)

    def open_bytes(self, data: bytes) -> bytes:
        """The plain content of a sealed file (a file stored before sealing reads as itself)."""
        if not data.startswith(FILE_MAGIC):
            return data
        head = len(FILE_MAGIC)
        kid = data[head : head + KEY_ID_WIDTH].decode("ascii", "replace")
        nonce = data[head + KEY_ID_WIDTH : head + KEY_ID_WIDTH + _NONCE]
        try:
            return self._cipher(kid).decrypt(nonce, data[head + KEY_ID_WIDTH + _NONCE :], _FILE_AAD)
        except (InvalidTag, ValueError):
            raise SealedValueError(f"a stored file does not open under {kid} (altered or truncated)") from None

    @staticmethod
    def file_key_id(head: bytes) -> str | None:
        """The key id of a sealed file from its first bytes (None: a plain file)."""
        if not head.startswith(FILE_MAGIC):
            return None
        return head[len(FILE_MAGIC) : len(FILE_MAGIC) + KEY_ID_WIDTH].decode("ascii", "replace")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class MissingKeyring:
    """What storage holds when no keys are configured: plain values read as themselves (a
    database from before sealing can still be migrated and inspected), but nothing is sealed or
    opened — the message says how to give the bot its keys."""

    current = None
    path = None

    def _refuse(self) -> KeyringError:
        return KeyringError(
            "no keys for the clients' personal data: set ATENSI_KEY_FILE to the key file"
            " (or [storage] key_file in the config), or make one with `atensi-bot keys new`"
        )

    def seal(self, value: str | None, table: str, column: str) -> str | None:
        if value is None:
            return None
        raise self._refuse()

    @overload
    def open(self, value: str, table: str, column: str) -> str: ...
    @overload
    def open(self, value: None, table: str, column: str) -> None: ...
    def open(self, value: str | None, table: str, column: str) -> str | None:
        if value is None or not value.startswith(PREFIX):
            return value
        raise self._refuse()

    def blind(self, kind: str, value: str | None) -> str | None:
        if value is None:
            return None
        raise self._refuse()

    def seal_bytes(self, data: bytes) -> bytes:
        raise self._refuse()

    def open_bytes(self, data: bytes) -> bytes:
        if not data.startswith(FILE_MAGIC):
            return data
        raise self._refuse()

    def refresh(self, *, force: bool = False) -> None:
        return None

    @property
    def usable(self) -> list[str]:
        return []


# What repositories are handed: the keys, or the refusal to seal without them.
Sealer = Keyring | MissingKeyring


__all__ = [
    "BLIND_COLUMNS",
    "Keyring",
    "KeyringError",
    "MissingKeyring",
    "ROW_KEYS",
    "SEALED_COLUMNS",
    "Sealer",
    "SealedValueError",
    "is_sealed",
    "key_id_of",
    "normalize_account",
    "normalize_nik",
]

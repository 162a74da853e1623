"""Callback data: small versioned codecs of ids (≤ 64 bytes), never display text.

Format ``v1|<kind>|<arg>|<arg>…``. Decoding is strict: anything that does not parse — a forged
or stale button — decodes to ``None`` and the handler answers politely. Authorization is never
taken from callback data: handlers load the item by id and re-check role and scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "v1"
MAX_BYTES = 64
_ARG = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")
_INTEGER = re.compile(r"^-?[0-9]+$")
# Ids are SQLite integers: a number outside 64 bits is forged (and would overflow the driver).
_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Callback:
    kind: str
    args: tuple[str, ...] = ()


def encode(kind: str, *args: object) -> str:
    parts = [VERSION, kind, *(str(a) for a in args)]
    for part in parts[1:]:
        if not _ARG.match(part):
            raise ValueError(f"callback part not allowed: {part!r}")
    data = "|".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback data longer than 64 bytes")
    return data


def decode(data: str | None) -> Callback | None:
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split("|")
    if len(parts) < 2 or parts[0] != VERSION or not all(_ARG.match(p) for p in parts[1:]):
        return None
    if any(_INTEGER.match(p) and abs(int(p)) > _MAX_ID for p in parts[2:]):
        return None
    return Callback(parts[1], tuple(parts[2:]))


def pattern(kind: str) -> str:
    """A regex for ``CallbackQueryHandler(pattern=…)`` matching one kind."""
    return rf"^{VERSION}\|{re.escape(kind)}(\||$)"

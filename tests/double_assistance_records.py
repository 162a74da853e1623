"""The records the double-assistance rules judge (tests/test_double_assistance_rules.py): the same NIK in another
IPWL's proposal (``elsewhere``, in a status, a year, with its SK and payment dates), and a NIK conflict found."""

from __future__ import annotations

import datetime as dt

from bot.domain.double_assistance import ConflictKind, Counterpart, NikConflict
from bot.domain.models import ProposalStatus as S


def elsewhere(
    status: S, *, year: int | None = 2026, sk_on: dt.date | None = None, paid_on=None, held=False
) -> Counterpart:
    """SS01's proposal USL-2026-0001 with the same NIK, in ``status``."""
    return Counterpart(1, 1, "USL-2026-0001", "SS01", 2, status, year, sk_on, paid_on, held)


def conflict(kind: ConflictKind, *, decided: bool = False) -> NikConflict:
    """A conflict of ``kind`` found at the SK (``decided``: adjudicated by person 7)."""
    at = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
    return NikConflict(
        1, 2, 3, "USL-2026-0001", "SS01", kind, "sk", at, 7 if decided else None, None, at if decided else None
    )

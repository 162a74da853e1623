"""Double assistance: the same person (the same NIK) assisted by two IPWL in one budget year.

The intake only warns (``dup_nik``): a proposal made later elsewhere never re-flagged the first.
So the services re-check every client of a proposal at verification, validation, the SK and the
payment, against every other IPWL's client with the same NIK (matched by its blind index), and
classify each pair with :func:`classify`:

* **hard** — the other is already in an SK of this budget year (and not held itself), or was
  paid this budget year: this client is *held* — out of the SK annex and the transfers — until a
  PIC of its team or the head records that they are not the same person (an adjudication);
* **soft** — the other is still on its way (under review, validated, or held in its own SK
  waiting for an adjudication): a warning on both sides, nothing held.

The budget year is the calendar year (the Indonesian fiscal year): the year of the client's
proposal period. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.models import ProposalStatus

__all__ = [
    "DECREED_STATUSES",
    "HeldClient",
    "REVIEW_STATUSES",
    "STAGES",
    "ConflictKind",
    "Counterpart",
    "NikConflict",
    "classify",
    "is_held",
    "names_a_nik",
]

S = ProposalStatus

# Still on its way to a decision (the operator may be correcting a returned one).
REVIEW_STATUSES: frozenset[ProposalStatus] = frozenset({S.SUBMITTED, S.IN_REVIEW, S.VERIFIED, S.VALIDATED, S.RETURNED})
# Fixed by an SK (its clients are beneficiaries unless held).
DECREED_STATUSES: frozenset[ProposalStatus] = frozenset(
    {
        S.DECREED,
        S.ACCOUNTS_SUBMITTED,
        S.ACCOUNTS_VERIFIED,
        S.PAID,
        S.LPJ_SUBMITTED,
        S.LPJ_RETURNED,
        S.LPJ_VERIFIED,
        S.CLOSED,
    }
)
# Where the re-check runs (stored with each conflict: the step that found it).
STAGES = ("submit", "verify", "validate", "sk", "payment", "change")  # (change: an SK perubahan took a client off)


class ConflictKind(StrEnum):
    HARD = "hard"  # the other is in an SK or paid: this client is held until adjudicated
    SOFT = "soft"  # the other is still under review: a warning on both sides


@dataclass(frozen=True)
class Counterpart:
    """Another IPWL's client with the same NIK, as the re-check sees it: codes and dates, no
    personal data."""

    client_id: int
    proposal_id: int
    proposal_code: str
    ipwl_code: str
    team_id: int | None
    status: ProposalStatus
    period_year: int | None
    sk_on: dt.date | None = None  # the date of the SK that fixed the other proposal
    paid_on: dt.date | None = None  # the day the other client's transfer was sent
    held: bool = False  # the other client is itself held (a hard conflict not adjudicated)
    left: bool = False  # the other client left its proposal by an SK perubahan (drop-out, death, move)


@dataclass(frozen=True)
class NikConflict:
    """One recorded pair, from ``client_id``'s side, with the other side's codes only."""

    client_id: int
    other_client_id: int
    other_proposal_id: int
    other_proposal_code: str
    other_ipwl_code: str
    kind: ConflictKind
    stage: str
    found_at: dt.datetime
    adjudicated_by: int | None = None
    adjudicated_by_name: str | None = None
    adjudicated_at: dt.datetime | None = None
    reason: str | None = None
    position: int = 0  # the client's number in its own proposal
    same_person: bool = False  # adjudicated: the same person after all (double assistance confirmed)
    other_status: ProposalStatus | None = None  # where the other proposal is now (a soft line says it)

    @property
    def adjudicated(self) -> bool:
        return self.adjudicated_at is not None

    @property
    def holds(self) -> bool:
        """This pair keeps the client out of the SK annex and the transfers: not yet decided, or
        decided the same person (then for good: the operator asks for the client's removal)."""
        return self.kind == ConflictKind.HARD and (not self.adjudicated or self.same_person)


@dataclass(frozen=True)
class HeldClient:
    """For /tugas: a client waiting for an adjudication (codes and numbers only)."""

    proposal_id: int
    proposal_code: str
    position: int
    client_id: int
    other_proposal_code: str
    other_ipwl_code: str
    decreed: bool = False  # its proposal is in an SK: the head decides from the annex


def budget_year_of(other: Counterpart) -> int | None:
    """The budget year another client is assisted in: their proposal period's year — the same rule
    as this client's (``bot.services.nik_recheck.budget_year``), so the two sides always agree on
    whether they share a year. Without a period (seeded or imported rows), the SK's or the
    payment's year."""
    if other.period_year is not None:
        return other.period_year
    day = other.sk_on or other.paid_on
    return day.year if day is not None else None


def classify(other: Counterpart, year: int) -> ConflictKind | None:
    """What ``other`` (the same NIK at another IPWL) means for a client of budget year ``year``.

    Only a client assisted in the same budget year counts (:func:`budget_year_of`). Judged by the
    SK's date instead, an SK issued in December for a January period was "this year" from one side
    and "next year" from the other: the later client slipped into a second SK unseen, and the
    earlier one — rightly decreed — was then held (a newcomer's run found both).
    Hard: paid, or in an SK and not itself held. Soft: in an SK but held there (waiting for its
    own adjudication), or still under review. Nothing: a draft, a withdrawn or rejected proposal,
    another budget year, or a client who left that proposal by an SK perubahan (dropped out, died,
    moved: no longer assisted there; one who moved is assisted by the receiving IPWL, whose own
    proposal with them is checked as any other).

    Paid is paid: a client who left *after* being paid still counts as assisted that year (the
    money went out; a refund case may bring it back, but until then, and in the year's books, the
    person received assistance), so that pair stays hard.
    """
    if budget_year_of(other) != year:
        return None
    if other.paid_on is not None:
        return ConflictKind.HARD
    if other.left:
        return None
    if other.status in DECREED_STATUSES:
        return ConflictKind.SOFT if other.held else ConflictKind.HARD
    if other.status in REVIEW_STATUSES:
        return ConflictKind.SOFT
    return None


def is_held(conflicts: Iterable[NikConflict]) -> bool:
    """True while any hard conflict of the client waits for an adjudication."""
    return any(c.holds for c in conflicts)


# 16 digits in a row, also when typed in groups ("3201 0145 0890 0004", "3201.0145…").
_NIK_LIKE = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){15}(?!\d)")


def names_a_nik(text: str) -> bool:
    """True when an adjudication's free-text reason holds a 16-digit number (a NIK, or a KK number):
    the reason goes into the audit trail, which must not carry a client's identity numbers."""
    return _NIK_LIKE.search(text) is not None

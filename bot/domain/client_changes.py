"""Changes after the SK (issue 16.6): a client who drops out, dies, moves to another IPWL, or whose
name or NIK was wrong.

A change is a small workflow of its own: the IPWL's operator requests it (with a reason and an
evidence file), a PIC of the IPWL's team verifies it, the head of centre approves it under an SK
perubahan (an amending decree numbered like an SK). At either check it can go back to the operator
(returned: correct it and ask again) or be refused (rejected), each with a reason.

Pure: no I/O. The service compare-and-sets ``status`` with what :func:`step` answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.models import ProposalStatus, Role
from bot.domain.validation import ValidationError, parse_nik
from bot.i18n import N_


class ChangeKind(StrEnum):
    DROP_OUT = "drop_out"  # mengundurkan diri / keluar dari layanan
    DEATH = "death"  # meninggal dunia
    MOVE = "move"  # pindah ke IPWL lain
    NAME = "name"  # koreksi nama
    NIK = "nik"  # koreksi NIK
    # bantuan ganda: decided the same person as another IPWL's client this budget year (issue 16.1);
    # leaves the list like a drop-out, offered only for a client so decided (:func:`offered_kinds`).
    DOUBLE_ASSISTANCE = "double_assistance"


# A client who leaves this proposal's list: excluded from transfers not yet sent and from the LPJ.
# (storage.client_changes spells the same set in SQL: EXIT_KINDS, and LEFT_LIST for "left the list".)
EXITS = frozenset({ChangeKind.DROP_OUT, ChangeKind.DEATH, ChangeKind.MOVE, ChangeKind.DOUBLE_ASSISTANCE})
# A correction keeps the client on the list with the corrected value.
CORRECTIONS = frozenset({ChangeKind.NAME, ChangeKind.NIK})


def offered_kinds(*, same_person: bool) -> tuple[ChangeKind, ...]:
    """The kinds the operator may pick for a client: "double assistance" only (and first) for a client
    a PIC or the head decided the same person as another IPWL's; never for any other client."""
    others = tuple(k for k in ChangeKind if k != ChangeKind.DOUBLE_ASSISTANCE)
    return (ChangeKind.DOUBLE_ASSISTANCE, *others) if same_person else others


class ChangeStatus(StrEnum):
    REQUESTED = "requested"
    VERIFIED = "verified"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"


OPEN_CHANGE = frozenset({ChangeStatus.REQUESTED, ChangeStatus.VERIFIED})


class ChangeStep(StrEnum):
    VERIFY = "verify"
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"


# A change can be asked for once the SK has fixed the list, until the LPJ is closed.
CHANGEABLE = frozenset(
    {
        ProposalStatus.DECREED,
        ProposalStatus.ACCOUNTS_SUBMITTED,
        ProposalStatus.ACCOUNTS_VERIFIED,
        ProposalStatus.PAID,
        ProposalStatus.LPJ_SUBMITTED,
        ProposalStatus.LPJ_RETURNED,
        ProposalStatus.LPJ_VERIFIED,
    }
)

# step → (the status it leaves, the role that takes it there) for each source; the target.
_STEPS: dict[ChangeStep, tuple[dict[ChangeStatus, Role], ChangeStatus]] = {
    ChangeStep.VERIFY: ({ChangeStatus.REQUESTED: Role.PIC}, ChangeStatus.VERIFIED),
    ChangeStep.APPROVE: ({ChangeStatus.VERIFIED: Role.HEAD}, ChangeStatus.APPROVED),
    ChangeStep.RETURN: ({ChangeStatus.REQUESTED: Role.PIC, ChangeStatus.VERIFIED: Role.HEAD}, ChangeStatus.RETURNED),
    ChangeStep.REJECT: ({ChangeStatus.REQUESTED: Role.PIC, ChangeStatus.VERIFIED: Role.HEAD}, ChangeStatus.REJECTED),
}


class ChangeRefused(Exception):
    """A step that cannot be taken: a stable ``code`` and an English msgid."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def step(action: ChangeStep, status: ChangeStatus) -> tuple[Role, ChangeStatus]:
    """Who may take ``action`` from ``status`` (PIC: of the IPWL's team; head), and where it leads."""
    sources, target = _STEPS[action]
    role = sources.get(status)
    if role is None:
        raise ChangeRefused("change_not_now", N_("This change request is no longer waiting for this step."))
    return role, target


def waiting_role(status: ChangeStatus) -> Role | None:
    """Who the change waits for: the PIC team, then the head; nobody once decided."""
    return {ChangeStatus.REQUESTED: Role.PIC, ChangeStatus.VERIFIED: Role.HEAD}.get(status)


@dataclass(frozen=True)
class ChangeRequest:
    """One requested change of one client of a decreed proposal."""

    id: int
    proposal_id: int
    proposal_code: str
    ipwl_id: int
    client_id: int
    position: int
    kind: ChangeKind
    status: ChangeStatus
    reason: str
    requested_by: int
    requested_at: dt.datetime
    old_value: str | None = None  # a name or NIK correction: the value before
    new_value: str | None = None  # … and after
    target_ipwl_code: str | None = None  # a move: the IPWL the client goes to
    target_ipwl_name: str | None = None  # … and its name
    duplicates: tuple[str, ...] = ()  # a corrected NIK: other proposals this year that hold it
    evidence_id: int | None = None
    verified_by: int | None = None
    decided_by: int | None = None
    decided_at: dt.datetime | None = None
    decision_reason: str | None = None
    amendment_id: int | None = None  # the SK perubahan it was approved under
    card_chat_id: int | None = None  # the card in the team's group, edited at each step
    card_message_id: int | None = None

    @property
    def is_exit(self) -> bool:
        return self.kind in EXITS

    @property
    def open(self) -> bool:
        return self.status in OPEN_CHANGE


class RefundStatus(StrEnum):
    OPEN = "open"
    SETTLED = "settled"


@dataclass(frozen=True)
class RefundCase:
    """Money already sent to a client who left the list: finance is to get it back."""

    id: int
    change_id: int
    proposal_id: int
    proposal_code: str
    client_id: int
    position: int
    kind: ChangeKind
    amount: int
    status: RefundStatus
    created_at: dt.datetime
    amendment_number: str | None = None
    settled_by_name: str | None = None  # who recorded the money as back, and when
    settled_at: dt.datetime | None = None
    received: int = 0  # what finance recorded as back so far (parts allowed)

    @property
    def remaining(self) -> int:
        """What is still to come back."""
        return max(0, self.amount - self.received)


def nik_birth_disagreement(nik: str | None, recorded: dt.date | None, today: dt.date) -> dt.date | None:
    """The birth date a corrected NIK carries when it is not the one on record, for the operator and
    the PIC to check against the KTP (None: they agree, or either is unknown). Which one is wrong
    the evidence says; the bot only points at the disagreement."""
    if not nik or recorded is None:
        return None
    try:
        carried = parse_nik(nik, today=today).birth_date
    except ValidationError:
        return None
    return carried if carried != recorded else None

"""Read models: what services return and views render (lists, summaries, totals).

Plain frozen dataclasses, built by storage from rows; no personal data beyond what each one says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.domain.models import Person, ProposalStatus, Role


@dataclass(frozen=True)
class StaffSummary:
    """A proposal as staff lists show it: codes, counts and totals, no personal data."""

    id: int
    code: str
    status: ProposalStatus
    version: int
    ipwl_id: int
    ipwl_code: str
    ipwl_name: str
    province_code: str
    clients: int
    total: int
    flagged: int  # clients flagged "dup_nik"
    held: int = 0  # clients held for double assistance (issue 16.1): out of the annex and the money
    held_total: int = 0  # their budget
    confirmed: int = 0  # of the held, those decided the same person: held for good

    @property
    def payable_clients(self) -> int:
        """The clients an SK, its SPP/SPM and the transfers are for (the held ones left out)."""
        return self.clients - self.held

    @property
    def payable_total(self) -> int:
        return self.total - self.held_total


@dataclass(frozen=True)
class GrantLine:
    """One role a person holds (or held), with the code of its scope."""

    id: int
    role: Role
    scope_code: str | None
    granted_at: dt.datetime
    revoked_at: dt.datetime | None


@dataclass(frozen=True)
class PersonLine:
    person: Person
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor_name: str | None
    actor_role: str | None
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    entity: str = "proposal"  # or "client": an event about one of the proposal's clients
    client_position: int | None = None  # that client's number in the proposal (None once deleted)


@dataclass(frozen=True)
class Broadcast:
    id: int
    created_by: int
    audience: str
    audience_ref: str | None
    body: str
    status: str
    recipients: int
    created_at: dt.datetime


@dataclass(frozen=True)
class Recipient:
    person_id: int
    chat_id: int


@dataclass(frozen=True)
class Delivery:
    """How the outbox rows of one broadcast ended (or not yet)."""

    sent: int = 0
    blocked: int = 0  # 403: the person blocked the bot or never started it
    failed: int = 0  # any other permanent failure (chat gone, bad request)
    pending: int = 0


@dataclass(frozen=True)
class ClientRecord:
    """One client row held under a NIK, with what decides whether it may be erased."""

    client_id: int
    proposal_id: int
    proposal_code: str
    proposal_status: ProposalStatus
    status_since: dt.datetime
    ipwl_code: str
    position: int
    erased: bool


@dataclass(frozen=True)
class LpjTotals:
    """Counts and sums only: what a PIC group card may show (no names, no personal data)."""

    clients: int
    budget: int
    realized: int
    receipts: int
    photos: int
    bast: int


@dataclass(frozen=True)
class LastChange:
    """Who last moved a proposal, when, and to which status (for "already done by …")."""

    actor_name: str | None
    at: dt.datetime
    action: str
    to_status: str | None


@dataclass(frozen=True)
class NewNotification:
    """A notification to queue: who gets it, which renderer, with what (ids, never personal data)."""

    dedupe_key: str
    chat_id: int
    kind: str
    params: dict[str, Any]
    person_id: int | None = None
    not_before: dt.datetime | None = None


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    chat_id: int
    person_id: int | None
    kind: str
    params: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class MenuRow:
    person_id: int
    telegram_user_id: int
    locale: str | None
    revoked: bool
    roles: frozenset[Role]  # active grants (a revoked person's grants no longer count)
    menu_published: str | None


@dataclass(frozen=True)
class ProposalSummary:
    id: int
    code: str
    ipwl_id: int
    status: ProposalStatus
    version: int
    status_since: dt.datetime
    clients: int
    total: int


@dataclass(frozen=True)
class NewIpwl:
    code: str
    name: str
    province_code: str
    regency: str
    address: str
    pks_number: str
    pks_valid_from: dt.date | None
    pks_valid_until: dt.date | None
    team_id: int | None


@dataclass(frozen=True)
class QueueItem:
    """One thing waiting for someone: codes and dates only."""

    proposal_id: int
    code: str
    ipwl_code: str
    status: ProposalStatus
    since: dt.datetime
    due_on: dt.date | None = None


@dataclass(frozen=True)
class AccountShare:
    """Another client given the same bank account number this year (one account, one client)."""

    client_id: int  # the client whose account is checked
    other_client_id: int
    other_position: int
    other_name: str
    other_proposal_id: int
    other_proposal_code: str
    other_ipwl_id: int
    other_ipwl_code: str

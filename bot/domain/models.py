"""Domain records and statuses.

Plain dataclasses and ``StrEnum`` values: the vocabulary shared by the workflow, the services and
the storage layer. Nothing here talks to Telegram or SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    OPERATOR = "operator"  # one IPWL
    PIC = "pic"  # one PIC team and the IPWL it assists
    FINANCE = "finance"  # centre-wide
    HEAD = "head"  # centre-wide: head of centre, issues the SK
    ADMIN = "admin"  # centre-wide: registry, broadcasts, reports
    AUDITOR = "auditor"  # centre-wide, read only: reports, exports, the audit trail; decides nothing
    COMPLAINT_OFFICER = "complaint_officer"  # centre-wide: reads and answers complaints (issue 16.5), nothing else


CENTRE_ROLES = frozenset({Role.FINANCE, Role.HEAD, Role.ADMIN})


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    VERIFIED = "verified"
    VALIDATED = "validated"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DECREED = "decreed"
    ACCOUNTS_SUBMITTED = "accounts_submitted"
    ACCOUNTS_VERIFIED = "accounts_verified"
    PAID = "paid"
    LPJ_SUBMITTED = "lpj_submitted"
    LPJ_RETURNED = "lpj_returned"
    LPJ_VERIFIED = "lpj_verified"
    CLOSED = "closed"


class Action(StrEnum):
    """Everything that can happen to a proposal; one row each in the workflow table."""

    SUBMIT = "submit"
    RESUBMIT = "resubmit"
    CLAIM = "claim"
    RELEASE = "release"
    VERIFY = "verify"
    VALIDATE = "validate"
    RETURN = "return"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    RETURN_ON_WITHDRAWAL = "return_on_withdrawal"  # a client withdrew consent before the SK
    ISSUE_SK = "issue_sk"
    SUBMIT_ACCOUNTS = "submit_accounts"
    RETURN_ACCOUNTS = "return_accounts"
    VERIFY_ACCOUNTS = "verify_accounts"
    RECORD_PAYMENT = "record_payment"
    SUBMIT_LPJ = "submit_lpj"
    RETURN_LPJ = "return_lpj"
    VERIFY_LPJ = "verify_lpj"
    VALIDATE_LPJ = "validate_lpj"


class BankAccountStatus(StrEnum):
    MISSING = "missing"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"


class TransferStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    RETURNED = "returned"


class Approach(StrEnum):
    """The three ATENSI approaches (pendekatan)."""

    KELUARGA = "keluarga"
    KOMUNITAS = "komunitas"
    RESIDENSIAL = "residensial"


class Component(StrEnum):
    """The seven ATENSI service components, numbered as in the regulation."""

    LIVING_NEEDS = "1"  # dukungan pemenuhan kebutuhan hidup layak
    CARE = "2"  # perawatan sosial dan/atau pengasuhan anak
    FAMILY = "3"  # dukungan keluarga
    THERAPY = "4"  # terapi fisik, psikososial dan mental spiritual
    VOCATIONAL = "5"  # pelatihan vokasional dan/atau pembinaan kewirausahaan
    SOCIAL_AID = "6"  # bantuan sosial dan asistensi sosial
    ACCESSIBILITY = "7"  # dukungan aksesibilitas


class Sex(StrEnum):
    MALE = "L"  # laki-laki
    FEMALE = "P"  # perempuan


@dataclass(frozen=True)
class Grant:
    """One role held by a person, with its scope (an IPWL for operators, a team for PIC)."""

    role: Role
    ipwl_id: int | None = None
    team_id: int | None = None


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the workflow sees it: a person and every role they hold now."""

    person_id: int
    grants: frozenset[Grant] = field(default_factory=frozenset)

    def has_role(self, role: Role) -> bool:
        return any(g.role == role for g in self.grants)

    def operates(self, ipwl_id: int) -> bool:
        return any(g.role == Role.OPERATOR and g.ipwl_id == ipwl_id for g in self.grants)

    @property
    def operated_ipwl_ids(self) -> list[int]:
        """The IPWL this person operates (a person may run more than one), lowest id first."""
        return sorted({g.ipwl_id for g in self.grants if g.role == Role.OPERATOR and g.ipwl_id})

    def in_team(self, team_id: int | None) -> bool:
        return team_id is not None and any(g.role == Role.PIC and g.team_id == team_id for g in self.grants)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)


@dataclass(frozen=True)
class Team:
    id: int
    code: str
    name: str
    group_chat_id: int | None = None


@dataclass(frozen=True)
class Ipwl:
    id: int
    code: str
    name: str
    province_code: str
    regency: str
    address: str
    pks_number: str
    pks_valid_from: dt.date | None
    pks_valid_until: dt.date | None
    team_id: int | None
    active: bool = True


@dataclass(frozen=True)
class Person:
    id: int
    telegram_user_id: int
    full_name: str
    locale: str | None = None
    private_chat_started: bool = False
    revoked: bool = False


@dataclass(frozen=True)
class Invite:
    id: int
    token: str
    role: Role
    ipwl_id: int | None
    team_id: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None = None
    used_by: int | None = None
    # The grant it makes lapses at this instant (the end of the day the admin chose; None: never).
    grant_valid_until: dt.datetime | None = None


@dataclass(frozen=True)
class Consent:
    """A client's recorded consent (issue 17.6; bot.domain.consent)."""

    client_id: int
    proposal_id: int
    notice_version: str
    recorded_by: int
    recorded_at: dt.datetime
    guardian_name: str | None = None
    guardian_relation: str | None = None
    form_attachment_id: int | None = None
    withdrawn_at: dt.datetime | None = None
    withdrawn_by: int | None = None

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True)
class LapsingGrant:
    """A grant with an expiry (``valid_until``), as the admins' reminder names it."""

    grant_id: int
    person_id: int
    full_name: str
    role: Role
    scope: str | None  # the IPWL or team code
    valid_until: dt.datetime  # the instant it stops working


@dataclass(frozen=True)
class Proposal:
    """A proposal as the workflow needs it: its place in the lifecycle and who touched it."""

    id: int
    code: str
    ipwl_id: int
    status: ProposalStatus
    version: int
    team_id: int | None = None
    claimed_by: int | None = None
    verified_by: int | None = None
    lpj_verified_by: int | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    period_year: int | None = None
    period_month: int | None = None


@dataclass(frozen=True)
class BudgetLine:
    id: int
    client_id: int
    component: Component
    description: str
    quantity: int
    unit_cost: int

    @property
    def total(self) -> int:
        return self.quantity * self.unit_cost


# What an operator says of a client, field by field, in the order the intake asks for it and a card
# shows it: the one list the intake's edits, the review's snapshot and the store's columns derive from.
CLIENT_DETAILS = (
    "full_name",
    "nik",
    "sex",
    "birth_date",
    "province_code",
    "regency",
    "address",
    "phone",
    "approach",
    "components",
    "assessment",
    "intervention_plan",
)


@dataclass(frozen=True)
class Client:
    """A client (KPN) of a proposal, by name by address."""

    id: int
    proposal_id: int
    position: int
    full_name: str
    nik: str
    sex: Sex | None = None
    birth_date: dt.date | None = None
    province_code: str | None = None
    regency: str | None = None
    address: str | None = None
    phone: str | None = None
    approach: Approach | None = None
    components: tuple[Component, ...] = ()
    assessment: str | None = None
    intervention_plan: str | None = None
    flags: tuple[str, ...] = ()
    budget: tuple[BudgetLine, ...] = ()

    @property
    def total(self) -> int:
        return sum(line.total for line in self.budget)


@dataclass(frozen=True)
class Attachment:
    id: int
    proposal_id: int
    client_id: int | None
    purpose: str
    telegram_file_id: str
    file_name: str | None
    mime_type: str | None
    size: int
    sha256: str
    stored_path: str | None = None

    @property
    def supporting(self) -> bool:
        """A supporting document of the proposal, counted as its "Attachments": not a client's
        signed consent form (kept with the IPWL's record) nor the evidence of a change after the SK
        (it belongs to that change, read by the PIC and the head with it), nor a refund's proof."""
        return self.purpose not in ("consent", "change_evidence", "refund_proof")


@dataclass(frozen=True)
class ReturnReason:
    version: int
    stage: str
    reason: str
    client_id: int | None = None
    field: str | None = None


@dataclass(frozen=True)
class GroupCard:
    proposal_id: int
    chat_id: int
    message_id: int
    version: int


@dataclass(frozen=True)
class Decree:
    id: int
    number: str
    issued_on: dt.date
    issued_by: int
    created_at: dt.datetime


@dataclass(frozen=True)
class BankAccount:
    client_id: int
    status: BankAccountStatus
    bank_code: str | None = None
    account_number: str | None = None
    holder_name: str | None = None
    return_reason: str | None = None
    passbook_id: int | None = None
    # 1 for the first account submitted, +1 for each replacement: buttons carry it (stale check).
    revision: int = 0


@dataclass(frozen=True)
class Payment:
    proposal_id: int
    spp_number: str
    spp_date: dt.date
    spm_number: str
    spm_date: dt.date
    recorded_by: int
    spm_amount: int | None = None  # the proposal's total when the SPM was saved (None: saved before issue 16)
    sp2d_number: str | None = None  # the treasury's SP2D, once finance records it
    sp2d_date: dt.date | None = None
    sp2d_amount: int | None = None


@dataclass(frozen=True)
class Transfer:
    client_id: int
    amount: int
    status: TransferStatus
    transfer_on: dt.date | None = None
    note: str | None = None
    recorded_by: int | None = None


@dataclass(frozen=True)
class AuditEvent:
    at: dt.datetime
    actor_id: int | None
    actor_role: str | None
    entity: str
    entity_id: str
    action: str
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Conversation:
    person_id: int
    kind: str
    entity_id: int | None
    state: dict[str, Any] = field(default_factory=dict)

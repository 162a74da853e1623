"""The proposal lifecycle as data, and the one guard every state change goes through.

Pure: no I/O, no clock, no Telegram. Services call :func:`authorize` right before their
compare-and-set ``UPDATE … WHERE id=? AND status=?``; handlers call :func:`allowed_actions` to decide
which buttons to show. Both read the same table, :data:`TRANSITIONS`.

Rules beyond the table (all enforced in :func:`authorize`, in this order):

1. the action must be allowed from the proposal's current status;
2. the actor must hold one of the transition's roles *with scope*: an operator only for their own
   IPWL, a PIC only for their team's IPWL, finance/head/admin centre-wide. Decisions on a proposal,
   its bank accounts and its LPJ are taken by the people whose job they are — the IPWL's own PIC
   team, finance, the head — whatever other role the presser holds: an admin only releases a claim
   (to hand the review to a colleague), and decides nothing;
3. claim rules: while a proposal is ``in_review`` only its claimer (if any) may verify, return or
   reject it or release the claim; an admin may release anybody's claim;
4. four-eyes (on by default): the validator must differ from the verifier, and the LPJ validator
   from the LPJ verifier;
5. the data the transition needs (a reason, the SK number and date, the LPJ due date) must be
   present and non-empty.

Every refusal is a :class:`WorkflowError` with a stable ``code``, an English msgid and named params.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sized
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.domain.models import Action, Actor, Proposal, ProposalStatus, Role
from bot.i18n import N_

__all__ = [
    "ALREADY_DONE",
    "CLAIMED_BY_OTHER",
    "FINAL_STATUSES",
    "FOUR_EYES",
    "MISSING_DATA",
    "NOT_ALLOWED_IN_STATUS",
    "OPEN_STATUSES",
    "OUT_OF_SCOPE",
    "ROLE_REQUIRED",
    "TRANSITIONS",
    "Transition",
    "WorkflowError",
    "allowed_actions",
    "authorize",
    "is_final",
    "next_step",
    "placeholders",
    "transition_for",
    "transitions_from",
]

S = ProposalStatus
A = Action

# --------------------------------------------------------------------------------------- errors

NOT_ALLOWED_IN_STATUS = "not_allowed_in_status"
ALREADY_DONE = "already_done"
ROLE_REQUIRED = "role_required"
OUT_OF_SCOPE = "out_of_scope"
CLAIMED_BY_OTHER = "claimed_by_other"
FOUR_EYES = "four_eyes"
OWN_IPWL = "own_ipwl"
MISSING_DATA = "missing_data"


class WorkflowError(Exception):
    """A refused action: ``code`` for programs, ``message`` (an English msgid) and ``params`` for people.

    ``message`` contains only named ``{placeholders}``, each of which is a key of ``params``; views
    translate the msgid for the recipient and then fill it in (they may first replace ``status`` /
    ``action`` values, which are the enum members, by translated labels).
    """

    def __init__(self, code: str, message: str, params: Mapping[str, object] | None = None) -> None:
        self.code = code
        self.message = message
        self.params: dict[str, object] = dict(params or {})
        super().__init__(code, message, self.params)

    def __str__(self) -> str:
        try:
            return self.message.format_map(self.params)
        except (KeyError, IndexError, ValueError):  # pragma: no cover - guarded by tests
            return self.message

    def __repr__(self) -> str:
        return f"WorkflowError(code={self.code!r}, params={self.params!r})"


# ------------------------------------------------------------------------------------ the table


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[ProposalStatus]
    target: ProposalStatus
    roles: frozenset[Role]  # roles that may take it (scope checked separately)
    requires: frozenset[str] = field(default=frozenset())  # data the action needs


def _t(
    action: Action,
    sources: ProposalStatus | Iterable[ProposalStatus],
    target: ProposalStatus,
    roles: Iterable[Role],
    requires: Iterable[str] = (),
) -> Transition:
    src = frozenset({sources}) if isinstance(sources, ProposalStatus) else frozenset(sources)
    return Transition(action, src, target, frozenset(roles), frozenset(requires))


# Who. Four eyes means two PIC of the IPWL's own team: an admin who sits in the team's group is not
# one of them, so admins may only release a claim (hand the proposal back to the team), never
# claim, verify, validate, return or reject — nor check bank accounts or LPJs.
_OP = (Role.OPERATOR,)
_PIC = (Role.PIC,)
_PIC_OR_ADMIN = (Role.PIC, Role.ADMIN)
_PIC_FIN = (Role.PIC, Role.FINANCE)
_FIN = (Role.FINANCE,)
_HEAD = (Role.HEAD,)
_REVIEWABLE = (S.SUBMITTED, S.IN_REVIEW, S.VERIFIED)
# A client's consent withdrawn before the SK ends their processing: they leave the proposal and it
# goes back to the IPWL, recorded by whoever the client told (their operator, or the centre's admin).
_BEFORE_SK = (*_REVIEWABLE, S.VALIDATED)
_OP_OR_ADMIN = (Role.OPERATOR, Role.ADMIN)

# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    # action              from                                to                    who       needs
    _t(A.SUBMIT,          S.DRAFT,                            S.SUBMITTED,          _OP),
    _t(A.RESUBMIT,        S.RETURNED,                         S.SUBMITTED,          _OP),
    _t(A.CLAIM,           S.SUBMITTED,                        S.IN_REVIEW,          _PIC),
    _t(A.RELEASE,         S.IN_REVIEW,                        S.SUBMITTED,          _PIC_OR_ADMIN),
    _t(A.VERIFY,          S.IN_REVIEW,                        S.VERIFIED,           _PIC),
    _t(A.VALIDATE,        S.VERIFIED,                         S.VALIDATED,          _PIC),
    _t(A.RETURN,          _REVIEWABLE,                        S.RETURNED,           _PIC,     {"reason"}),
    _t(A.REJECT,          _REVIEWABLE,                        S.REJECTED,           _PIC,     {"reason"}),
    _t(A.WITHDRAW,        (S.DRAFT, S.SUBMITTED, S.RETURNED), S.WITHDRAWN,          _OP),
    _t(A.RETURN_ON_WITHDRAWAL, _BEFORE_SK,                    S.RETURNED,           _OP_OR_ADMIN),
    _t(A.ISSUE_SK,        S.VALIDATED,                        S.DECREED,            _HEAD,    {"sk_number", "sk_date"}),
    _t(A.SUBMIT_ACCOUNTS, S.DECREED,                          S.ACCOUNTS_SUBMITTED, _OP),
    _t(A.RETURN_ACCOUNTS, S.ACCOUNTS_SUBMITTED,               S.DECREED,            _PIC_FIN, {"reason"}),
    _t(A.VERIFY_ACCOUNTS, S.ACCOUNTS_SUBMITTED,               S.ACCOUNTS_VERIFIED,  _PIC_FIN),
    _t(A.RECORD_PAYMENT,  S.ACCOUNTS_VERIFIED,                S.PAID,               _FIN,     {"lpj_due_date"}),
    _t(A.SUBMIT_LPJ,      (S.PAID, S.LPJ_RETURNED),           S.LPJ_SUBMITTED,      _OP),
    _t(A.RETURN_LPJ,      (S.LPJ_SUBMITTED, S.LPJ_VERIFIED),  S.LPJ_RETURNED,       _PIC_FIN, {"reason"}),
    _t(A.VERIFY_LPJ,      S.LPJ_SUBMITTED,                    S.LPJ_VERIFIED,       _PIC),
    _t(A.VALIDATE_LPJ,    S.LPJ_VERIFIED,                     S.CLOSED,             _FIN),
)
# fmt: on

FINAL_STATUSES: frozenset[ProposalStatus] = frozenset({S.REJECTED, S.WITHDRAWN, S.CLOSED})
OPEN_STATUSES: frozenset[ProposalStatus] = frozenset(ProposalStatus) - FINAL_STATUSES

# Actions whose claim (``claimed_by``) must be respected while the proposal is in review.
_CLAIM_BOUND: frozenset[Action] = frozenset({A.RELEASE, A.VERIFY, A.RETURN, A.REJECT})
# Four-eyes pairs: action -> the Proposal attribute holding the person who must not take it.
_FOUR_EYES: Mapping[Action, str] = MappingProxyType({A.VALIDATE: "verified_by", A.VALIDATE_LPJ: "lpj_verified_by"})


def _index(table: Iterable[Transition]) -> Mapping[tuple[Action, ProposalStatus], Transition]:
    index: dict[tuple[Action, ProposalStatus], Transition] = {}
    for t in table:
        for source in t.sources:
            if (t.action, source) in index:  # pragma: no cover - the table is fixed and tested
                raise ValueError(f"two transitions for {t.action} from {source}")
            index[(t.action, source)] = t
    return MappingProxyType(index)


_BY_KEY = _index(TRANSITIONS)
_TARGETS: Mapping[Action, frozenset[ProposalStatus]] = MappingProxyType(
    {a: frozenset(t.target for t in TRANSITIONS if t.action == a) for a in Action}
)

# ------------------------------------------------------------------------------------- queries


def is_final(status: ProposalStatus) -> bool:
    """True for rejected, withdrawn and closed: nobody can do anything more."""
    return status in FINAL_STATUSES


def transitions_from(status: ProposalStatus) -> tuple[Transition, ...]:
    """The transitions leaving ``status``, in table order."""
    return tuple(t for t in TRANSITIONS if status in t.sources)


def transition_for(action: Action, status: ProposalStatus) -> Transition:
    """The transition ``action`` takes from ``status``; WorkflowError "not_allowed_in_status" if none."""
    try:
        return _BY_KEY[(action, status)]
    except KeyError:
        raise WorkflowError(
            NOT_ALLOWED_IN_STATUS,
            N_("This cannot be done while the proposal is at the step “{status}”."),
            {"action": action, "status": status},
        ) from None


_NEXT_STEP: Mapping[ProposalStatus, str] = MappingProxyType(
    {
        S.DRAFT: N_("Draft: the operator completes the proposal and submits it."),
        S.SUBMITTED: N_("Waiting for the PIC team to start checking."),
        S.IN_REVIEW: N_("A PIC is checking the proposal."),
        S.VERIFIED: N_("Verified: waiting for the PIC team to validate it."),
        S.VALIDATED: N_("Validated: waiting for the head of centre to issue the SK."),
        S.RETURNED: N_("Returned for revision: the operator corrects it and submits it again."),
        S.REJECTED: N_("Rejected: nothing more to do."),
        S.WITHDRAWN: N_("Withdrawn by the operator: nothing more to do."),
        S.DECREED: N_("The SK is issued: the operator supplies the clients' bank accounts."),
        S.ACCOUNTS_SUBMITTED: N_("Waiting for the PIC team or finance to check the bank accounts."),
        S.ACCOUNTS_VERIFIED: N_("Bank accounts verified: waiting for finance to make the payment."),
        S.PAID: N_("Paid: the operator delivers the services and submits the LPJ by its due date."),
        S.LPJ_SUBMITTED: N_("Waiting for the PIC team to check the LPJ."),
        S.LPJ_RETURNED: N_("LPJ returned for revision: the operator corrects it and submits it again."),
        S.LPJ_VERIFIED: N_("LPJ verified: waiting for finance to validate it."),
        S.CLOSED: N_("Closed: the LPJ is validated and the proposal is complete."),
    }
)


def next_step(status: ProposalStatus) -> str:
    """A plain-language msgid saying what happens next and who acts (for operators)."""
    return _NEXT_STEP[status]


# --------------------------------------------------------------------------------------- guards


def _holds_role_with_scope(actor: Actor, role: Role, proposal: Proposal) -> bool:
    if role == Role.OPERATOR:
        return actor.operates(proposal.ipwl_id)
    if role == Role.PIC:
        return actor.in_team(proposal.team_id)
    return actor.has_role(role)  # finance, head, admin: centre-wide


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, Sized) and len(value) == 0


def _check(
    action: Action,
    proposal: Proposal,
    actor: Actor,
    *,
    four_eyes: bool,
    data: Mapping[str, object] | None,
    check_data: bool,
) -> Transition:
    status = proposal.status
    me = actor.person_id

    # 1. status
    try:
        t = transition_for(action, status)
    except WorkflowError as exc:
        if action == A.CLAIM and status == S.IN_REVIEW and proposal.claimed_by not in (None, me):
            raise WorkflowError(
                CLAIMED_BY_OTHER,
                N_("Someone else is already checking this proposal."),
                {"action": action, "status": status, "claimed_by": proposal.claimed_by},
            ) from None
        if status in _TARGETS[action]:
            raise WorkflowError(
                ALREADY_DONE,
                N_("This has already been done: the proposal is {status}."),
                {"action": action, "status": status},
            ) from None
        raise exc

    # 2. role with scope
    acting_roles = frozenset(r for r in t.roles if _holds_role_with_scope(actor, r, proposal))
    if not acting_roles:
        roles = ", ".join(sorted(t.roles))
        if Role.PIC in t.roles and actor.has_role(Role.ADMIN):
            # An admin in the team's group (or a PIC of another team who is also admin): the
            # decision is the team's; say what the admin may do instead.
            raise WorkflowError(
                ROLE_REQUIRED,
                # (short: with the next step below it, it must fit a 200-character button alert)
                N_("Only this IPWL's PIC team decides here. As an admin you can only release a claim."),
                {"action": action, "status": status, "roles": roles},
            )
        if not any(actor.has_role(r) for r in t.roles):
            raise WorkflowError(
                ROLE_REQUIRED,
                N_("You do not have a role that may do this."),
                {"action": action, "status": status, "roles": roles},
            )
        raise WorkflowError(
            OUT_OF_SCOPE,
            N_("This proposal belongs to an IPWL you are not assigned to."),
            {"action": action, "status": status, "roles": roles},
        )

    # 3. segregation of duties: whoever also operates the IPWL never decides on its proposals as
    #    staff (a PIC, finance or the head who runs an IPWL too), whatever else they may do.
    if four_eyes and Role.OPERATOR not in acting_roles and actor.operates(proposal.ipwl_id):
        raise WorkflowError(
            OWN_IPWL,
            N_("You are an operator of this proposal's IPWL, so a colleague must decide on it."),
            {"action": action, "status": status},
        )

    # 4. claim
    claimer = proposal.claimed_by
    if status == S.IN_REVIEW and action in _CLAIM_BOUND and claimer is not None and claimer != me:
        admin_release = action == A.RELEASE and Role.ADMIN in acting_roles
        if not admin_release:
            raise WorkflowError(
                CLAIMED_BY_OTHER,
                N_("Someone else is already checking this proposal."),
                {"action": action, "status": status, "claimed_by": claimer},
            )

    # 5. four-eyes
    if four_eyes and action in _FOUR_EYES:
        first = getattr(proposal, _FOUR_EYES[action])
        if first is not None and first == me:
            raise WorkflowError(
                FOUR_EYES,
                N_("You verified this yourself; another colleague must validate it."),
                {"action": action, "status": status, "verified_by": first},
            )

    # 6. data
    if check_data and t.requires:
        given = data or {}
        missing = sorted(k for k in t.requires if _is_empty(given.get(k)))
        if missing:
            raise WorkflowError(
                MISSING_DATA,
                N_("Some information is missing: {field}."),
                {"action": action, "status": status, "field": missing[0], "missing": tuple(missing)},
            )
    return t


def authorize(
    action: Action,
    proposal: Proposal,
    actor: Actor,
    *,
    four_eyes: bool = True,
    data: Mapping[str, object] | None = None,
) -> Transition:
    """Return the transition ``actor`` may take now, or raise :class:`WorkflowError`.

    The single guard services use before their compare-and-set update. ``data`` holds what the
    action needs (see ``Transition.requires``); values must be present and non-empty (strings are
    stripped). The caller applies the side effects (claimed_by, verified_by, version, …).
    """
    return _check(action, proposal, actor, four_eyes=four_eyes, data=data, check_data=True)


def allowed_actions(proposal: Proposal, actor: Actor, *, four_eyes: bool = True) -> list[Action]:
    """What ``actor`` could do to ``proposal`` now, in ``Action`` order (required data not checked:
    buttons come first, the reason or SK number is asked for afterwards)."""
    allowed: list[Action] = []
    for action in Action:
        if (action, proposal.status) not in _BY_KEY:
            continue
        try:
            _check(action, proposal, actor, four_eyes=four_eyes, data=None, check_data=False)
        except WorkflowError:
            continue
        allowed.append(action)
    return allowed


def placeholders(message: str) -> frozenset[str]:
    """The named ``{placeholders}`` of a msgid (used by tests and catalog checks)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(message) if name)

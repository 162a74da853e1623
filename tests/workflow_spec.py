"""The proposal lifecycle written out again, independently of ``TRANSITIONS``, from the design notes
(ARCHITECTURE §3), with the personas who act on it: the spec that tests/test_workflow.py holds the
table to, and what a service does after ``authorize()``."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from bot.domain.models import Action, Actor, Grant, Proposal, ProposalStatus, Role
from bot.domain.workflow import Transition, WorkflowError, allowed_actions, authorize, placeholders, transitions_from

S = ProposalStatus
A = Action

# --------------------------------------------------------------------------------- the spec

OP = "operator"  # operator of this IPWL
PIC_ = "pic"  # PIC of this IPWL's team
FIN = "finance"
HEAD = "head"
ADM = "admin"

# action: (sources, target, personas allowed, required data)
SPEC: dict[Action, tuple[set[ProposalStatus], ProposalStatus, set[str], set[str]]] = {
    A.SUBMIT: ({S.DRAFT}, S.SUBMITTED, {OP}, set()),
    A.RESUBMIT: ({S.RETURNED}, S.SUBMITTED, {OP}, set()),
    A.CLAIM: ({S.SUBMITTED}, S.IN_REVIEW, {PIC_}, set()),
    A.RELEASE: ({S.IN_REVIEW}, S.SUBMITTED, {PIC_, ADM}, set()),
    A.VERIFY: ({S.IN_REVIEW}, S.VERIFIED, {PIC_}, set()),
    A.VALIDATE: ({S.VERIFIED}, S.VALIDATED, {PIC_}, set()),
    A.RETURN: ({S.SUBMITTED, S.IN_REVIEW, S.VERIFIED}, S.RETURNED, {PIC_}, {"reason"}),
    A.REJECT: ({S.SUBMITTED, S.IN_REVIEW, S.VERIFIED}, S.REJECTED, {PIC_}, {"reason"}),
    A.WITHDRAW: ({S.DRAFT, S.SUBMITTED, S.RETURNED}, S.WITHDRAWN, {OP}, set()),
    # recorded by whoever the client told: their operator, or the centre's admin on their behalf
    A.RETURN_ON_WITHDRAWAL: ({S.SUBMITTED, S.IN_REVIEW, S.VERIFIED, S.VALIDATED}, S.RETURNED, {OP, ADM}, set()),
    A.ISSUE_SK: ({S.VALIDATED}, S.DECREED, {HEAD}, {"sk_number", "sk_date"}),
    A.SUBMIT_ACCOUNTS: ({S.DECREED}, S.ACCOUNTS_SUBMITTED, {OP}, set()),
    A.RETURN_ACCOUNTS: ({S.ACCOUNTS_SUBMITTED}, S.DECREED, {PIC_, FIN}, {"reason"}),
    A.VERIFY_ACCOUNTS: ({S.ACCOUNTS_SUBMITTED}, S.ACCOUNTS_VERIFIED, {PIC_, FIN}, set()),
    A.RECORD_PAYMENT: ({S.ACCOUNTS_VERIFIED}, S.PAID, {FIN}, {"lpj_due_date"}),
    A.SUBMIT_LPJ: ({S.PAID, S.LPJ_RETURNED}, S.LPJ_SUBMITTED, {OP}, set()),
    A.RETURN_LPJ: ({S.LPJ_SUBMITTED, S.LPJ_VERIFIED}, S.LPJ_RETURNED, {PIC_, FIN}, {"reason"}),
    A.VERIFY_LPJ: ({S.LPJ_SUBMITTED}, S.LPJ_VERIFIED, {PIC_}, set()),
    A.VALIDATE_LPJ: ({S.LPJ_VERIFIED}, S.CLOSED, {FIN}, set()),
}
SPEC_FINAL = {S.REJECTED, S.WITHDRAWN, S.CLOSED}
ERROR_CODES = {
    "not_allowed_in_status",
    "already_done",
    "role_required",
    "out_of_scope",
    "claimed_by_other",
    "four_eyes",
    "own_ipwl",
    "missing_data",
}

# ----------------------------------------------------------------------------- the personas

IPWL, OTHER_IPWL = 10, 11
TEAM, OTHER_TEAM = 1, 2
THIRD_PARTY = 99  # a colleague who is none of the personas (e.g. the verifier)

PERSONAS: dict[str, Actor] = {
    OP: Actor(1, frozenset({Grant(Role.OPERATOR, ipwl_id=IPWL)})),
    "other_operator": Actor(2, frozenset({Grant(Role.OPERATOR, ipwl_id=OTHER_IPWL)})),
    PIC_: Actor(3, frozenset({Grant(Role.PIC, team_id=TEAM)})),
    "other_pic": Actor(4, frozenset({Grant(Role.PIC, team_id=OTHER_TEAM)})),
    FIN: Actor(5, frozenset({Grant(Role.FINANCE)})),
    HEAD: Actor(6, frozenset({Grant(Role.HEAD)})),
    ADM: Actor(7, frozenset({Grant(Role.ADMIN)})),
    "nobody": Actor(8),  # revoked, or never invited
}
# The persona that has the right role but the wrong scope, per role.
WRONG_SCOPE = {"other_operator": Role.OPERATOR, "other_pic": Role.PIC}

FULL_DATA: dict[str, object] = {
    "reason": "Client 3 has no assessment resume",
    "sk_number": "123/SK/BRSKPN/2025",
    "sk_date": dt.date(2025, 3, 1),
    "lpj_due_date": dt.date(2025, 6, 30),
}


def proposal(status: ProposalStatus, **changes: object) -> Proposal:
    base = Proposal(
        id=1,
        code="P-2025-0001",
        ipwl_id=IPWL,
        status=status,
        version=1,
        team_id=TEAM,
        verified_by=THIRD_PARTY if status not in {S.DRAFT, S.SUBMITTED, S.IN_REVIEW} else None,
        lpj_verified_by=THIRD_PARTY if status in {S.LPJ_VERIFIED, S.CLOSED} else None,
    )
    return replace(base, **changes)


def error(action: Action, p: Proposal, actor: Actor, **kw: object) -> WorkflowError:
    with pytest.raises(WorkflowError) as info:
        authorize(action, p, actor, **kw)
    assert_refusal_well_formed(info.value)
    return info.value


def assert_refusal_well_formed(exc: WorkflowError) -> None:
    assert exc.code in ERROR_CODES
    assert isinstance(exc.message, str) and exc.message.strip()
    assert placeholders(exc.message) <= set(exc.params), (exc.message, exc.params)
    assert exc.message.format(**exc.params)
    assert str(exc)
    assert "action" in exc.params and "status" in exc.params or exc.code == "not_allowed_in_status"


def actor_for(action: Action) -> Actor:
    return PERSONAS[sorted(SPEC[action][2])[0]]


def successors(status: ProposalStatus) -> set[ProposalStatus]:
    return {t.target for t in transitions_from(status)}


def apply(p: Proposal, action: Action, actor: Actor, t: Transition) -> Proposal:
    """What a service does after authorize(): the side effects the guards depend on."""
    changes: dict[str, object] = {"status": t.target}
    if action == A.CLAIM:
        changes["claimed_by"] = actor.person_id
    if p.status == S.IN_REVIEW and t.target != S.IN_REVIEW:
        changes["claimed_by"] = None
    if action == A.VERIFY:
        changes["verified_by"] = actor.person_id
    if action == A.VERIFY_LPJ:
        changes["lpj_verified_by"] = actor.person_id
    if action == A.RESUBMIT:
        changes["version"] = p.version + 1
    return replace(p, **changes)


def consistent(p: Proposal, actor: Actor, four_eyes: bool) -> None:
    """allowed_actions is exactly the set of actions authorize accepts given complete data."""
    expected = []
    for action in Action:
        try:
            authorize(action, p, actor, four_eyes=four_eyes, data=FULL_DATA)
        except WorkflowError as exc:
            assert_refusal_well_formed(exc)
        else:
            expected.append(action)
    assert allowed_actions(p, actor, four_eyes=four_eyes) == expected

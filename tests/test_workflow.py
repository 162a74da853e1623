"""Table-driven and property-based tests of the proposal lifecycle (bot/domain/workflow.py).

The expected lifecycle is written out again in tests/workflow_spec.py, independently of
``TRANSITIONS``, from the design notes (ARCHITECTURE §3): a change to the table must be a change
to that spec as well.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections import deque
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, event, given, settings, target
from hypothesis import strategies as st

from bot.domain.models import CENTRE_ROLES, Action, Actor, Grant, Proposal, ProposalStatus, Role
from bot.domain.workflow import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Transition,
    WorkflowError,
    allowed_actions,
    authorize,
    is_final,
    next_step,
    placeholders,
    transition_for,
    transitions_from,
)
from tests.workflow_spec import (
    ADM,
    FIN,
    FULL_DATA,
    HEAD,
    IPWL,
    OP,
    OTHER_IPWL,
    OTHER_TEAM,
    PERSONAS,
    PIC_,
    SPEC,
    SPEC_FINAL,
    TEAM,
    WRONG_SCOPE,
    actor_for,
    apply,
    assert_refusal_well_formed,
    consistent,
    error,
    proposal,
    successors,
)

S = ProposalStatus
A = Action

# ------------------------------------------------------------------------------- the table


def test_table_matches_spec() -> None:
    got = {t.action: (set(t.sources), t.target, {str(r) for r in t.roles}, set(t.requires)) for t in TRANSITIONS}
    assert len(got) == len(TRANSITIONS), "one row per action"
    assert got == SPEC
    assert set(got) == set(Action)


def test_table_rows_are_well_formed() -> None:
    for t in TRANSITIONS:
        assert isinstance(t, Transition)
        assert t.sources and t.roles
        assert t.target not in t.sources
        assert not (t.sources & FINAL_STATUSES)
        # Admins decide nothing: of the PIC actions they only release a claim (issue 11.3); and they
        # record a client's withdrawal of consent on the client's behalf (issue 17.6).
        assert (Role.ADMIN in t.roles) == (t.action in {Action.RELEASE, Action.RETURN_ON_WITHDRAWAL})
    keys = [(t.action, s) for t in TRANSITIONS for s in t.sources]
    assert len(keys) == len(set(keys)), "at most one transition per (action, status)"


@pytest.mark.parametrize(("action", "status"), list(itertools.product(Action, ProposalStatus)))
def test_transition_for_every_pair(action: Action, status: ProposalStatus) -> None:
    sources, target, _, _ = SPEC[action]
    if status in sources:
        t = transition_for(action, status)
        assert t.action == action and t.target == target and status in t.sources
    else:
        with pytest.raises(WorkflowError) as info:
            transition_for(action, status)
        assert info.value.code == "not_allowed_in_status"
        assert info.value.params == {"action": action, "status": status}
        assert_refusal_well_formed(info.value)


@pytest.mark.parametrize(("action", "status"), list(itertools.product(Action, ProposalStatus)))
def test_authorize_status_gate_for_every_pair(action: Action, status: ProposalStatus) -> None:
    """Allowed exactly when the table says so, for an actor who holds every role with scope (the
    segregation rules, which would refuse such a person, are off here: this is about status)."""
    sources, target, _, _ = SPEC[action]
    everyone = Actor(
        50,
        frozenset(
            {
                Grant(Role.OPERATOR, ipwl_id=IPWL),
                Grant(Role.PIC, team_id=TEAM),
                Grant(Role.FINANCE),
                Grant(Role.HEAD),
                Grant(Role.ADMIN),
            }
        ),
    )
    p = proposal(status)
    if status in sources:
        assert authorize(action, p, everyone, data=FULL_DATA, four_eyes=False).target == target
        assert action in allowed_actions(p, everyone, four_eyes=False)
    else:
        exc = error(action, p, everyone, data=FULL_DATA, four_eyes=False)
        # Pressing a button twice (or after a colleague) says "already done", not "impossible".
        expected = "already_done" if status == target else "not_allowed_in_status"
        assert exc.code == expected
        assert exc.params["status"] == status and exc.params["action"] == action
        assert action not in allowed_actions(p, everyone, four_eyes=False)


@pytest.mark.parametrize("role", [Role.PIC, Role.FINANCE, Role.HEAD, Role.ADMIN])
def test_nobody_decides_as_staff_on_a_proposal_of_an_ipwl_they_also_operate(role: Role) -> None:
    staff = Grant(role, team_id=TEAM) if role == Role.PIC else Grant(role)
    both = Actor(60, frozenset({staff, Grant(Role.OPERATOR, ipwl_id=IPWL)}))
    only_staff = Actor(61, frozenset({staff}))
    for action, (sources, _, roles, _) in SPEC.items():
        if role not in roles or Role.OPERATOR in roles:
            continue
        p = proposal(next(iter(sources)))
        assert error(action, p, both, data=FULL_DATA).code == "own_ipwl", action
        assert action not in allowed_actions(p, both)
        assert authorize(action, p, only_staff, data=FULL_DATA)  # a colleague may
        assert authorize(action, p, both, data=FULL_DATA, four_eyes=False)  # (the rule is the four-eyes switch's)
        other = proposal(next(iter(sources)), ipwl_id=OTHER_IPWL, team_id=TEAM)
        assert authorize(action, other, both, data=FULL_DATA)  # another IPWL's proposal: no conflict


# ------------------------------------------------------------------------------- the roles

ROLE_CASES = [
    (action, status, name)
    for action, (sources, _, _, _) in SPEC.items()
    for status in sorted(sources)
    for name in PERSONAS
]


@pytest.mark.parametrize(("action", "status", "name"), ROLE_CASES)
def test_roles_and_scope(action: Action, status: ProposalStatus, name: str) -> None:
    actor = PERSONAS[name]
    # In review, the persona is the one who claimed it: claim rules are tested separately.
    claimed = actor.person_id if status == S.IN_REVIEW else None
    p = proposal(status, claimed_by=claimed)
    allowed = SPEC[action][2]
    if name in allowed:
        assert authorize(action, p, actor, data=FULL_DATA).target == SPEC[action][1]
        assert action in allowed_actions(p, actor)
    else:
        exc = error(action, p, actor, data=FULL_DATA)
        spec_roles = {r for r in Role if r.value in allowed}
        if WRONG_SCOPE.get(name) in spec_roles:
            assert exc.code == "out_of_scope"
        else:
            assert exc.code == "role_required"
        assert action not in allowed_actions(p, actor)


def test_revoked_person_may_do_nothing() -> None:
    nobody = PERSONAS["nobody"]
    for status in ProposalStatus:
        assert allowed_actions(proposal(status), nobody) == []
        for action in Action:
            with pytest.raises(WorkflowError):
                authorize(action, proposal(status), nobody, data=FULL_DATA)


def test_pic_of_an_ipwl_without_team_is_out_of_scope_and_admin_cannot_stand_in() -> None:
    p = proposal(S.SUBMITTED, team_id=None)
    assert error(A.CLAIM, p, PERSONAS[PIC_]).code == "out_of_scope"
    assert error(A.CLAIM, p, PERSONAS[ADM]).code == "role_required"
    # An unclaimed review of such an IPWL can still be handed back by an admin.
    assert authorize(A.RELEASE, proposal(S.IN_REVIEW, team_id=None), PERSONAS[ADM]).target == S.SUBMITTED


# Issue 11.3: an admin who sits in the team's group (or is a PIC of another team) decides nothing.
_DECISIONS = [
    A.CLAIM,
    A.VERIFY,
    A.VALIDATE,
    A.RETURN,
    A.REJECT,
    A.VERIFY_ACCOUNTS,
    A.RETURN_ACCOUNTS,
    A.VERIFY_LPJ,
    A.RETURN_LPJ,
    A.VALIDATE_LPJ,
    A.ISSUE_SK,
    A.RECORD_PAYMENT,
]


@pytest.mark.parametrize("action", _DECISIONS)
@pytest.mark.parametrize("extra", [None, Grant(Role.PIC, team_id=OTHER_TEAM), Grant(Role.OPERATOR, ipwl_id=OTHER_IPWL)])
def test_an_admin_decides_nothing_whatever_other_role_they_hold(action: Action, extra: Grant | None) -> None:
    admin = Actor(70, frozenset({Grant(Role.ADMIN), *([extra] if extra else [])}))
    status = min(SPEC[action][0])
    p = proposal(status, claimed_by=None)
    exc = error(action, p, admin, data=FULL_DATA)
    assert exc.code in ("role_required", "out_of_scope"), exc.code
    assert action not in allowed_actions(p, admin)


def test_an_admin_who_is_also_a_pic_of_the_team_decides_as_that_pic() -> None:
    both = Actor(71, frozenset({Grant(Role.ADMIN), Grant(Role.PIC, team_id=TEAM)}))
    assert authorize(A.VALIDATE, proposal(S.VERIFIED), both).target == S.VALIDATED
    # ...and still not on what they verified themselves.
    assert error(A.VALIDATE, proposal(S.VERIFIED, verified_by=71), both).code == "four_eyes"


def test_the_admin_refusal_says_what_an_admin_may_do() -> None:
    exc = error(A.VALIDATE, proposal(S.VERIFIED), PERSONAS[ADM])
    assert "release" in exc.message


def test_a_person_with_several_roles_acts_through_any_of_them() -> None:
    # A PIC of another team who is also finance may verify accounts (finance is centre-wide)...
    pic_and_finance = Actor(20, frozenset({Grant(Role.PIC, team_id=OTHER_TEAM), Grant(Role.FINANCE)}))
    assert authorize(A.VERIFY_ACCOUNTS, proposal(S.ACCOUNTS_SUBMITTED), pic_and_finance)
    # ...but not verify the LPJ of an IPWL outside the team.
    assert error(A.VERIFY_LPJ, proposal(S.LPJ_SUBMITTED), pic_and_finance).code == "out_of_scope"
    # An operator of two IPWL operates both.
    two = Actor(21, frozenset({Grant(Role.OPERATOR, ipwl_id=OTHER_IPWL), Grant(Role.OPERATOR, ipwl_id=IPWL)}))
    assert authorize(A.SUBMIT, proposal(S.DRAFT), two).target == S.SUBMITTED


def test_admin_does_not_take_operator_head_or_finance_actions() -> None:
    admin = PERSONAS[ADM]
    for action in (A.SUBMIT, A.ISSUE_SK, A.RECORD_PAYMENT, A.VALIDATE_LPJ, A.SUBMIT_LPJ):
        status = min(SPEC[action][0])
        assert error(action, proposal(status), admin, data=FULL_DATA).code == "role_required"


# ------------------------------------------------------------------------------ claim rules

PIC_A = PERSONAS[PIC_]
PIC_B = Actor(30, frozenset({Grant(Role.PIC, team_id=TEAM)}))  # a colleague in the same team
ADMIN = PERSONAS[ADM]


def test_claim_moves_submitted_to_in_review() -> None:
    assert authorize(A.CLAIM, proposal(S.SUBMITTED), PIC_A).target == S.IN_REVIEW


def test_claim_when_a_colleague_already_claimed() -> None:
    p = proposal(S.IN_REVIEW, claimed_by=PIC_B.person_id)
    exc = error(A.CLAIM, p, PIC_A)
    assert exc.code == "claimed_by_other"
    assert exc.params["claimed_by"] == PIC_B.person_id


@pytest.mark.parametrize("claimed_by", [PIC_A.person_id, None])
def test_claim_twice_is_already_done(claimed_by: int | None) -> None:
    exc = error(A.CLAIM, proposal(S.IN_REVIEW, claimed_by=claimed_by), PIC_A)
    assert exc.code == "already_done"


def test_release_only_by_claimer_or_admin() -> None:
    p = proposal(S.IN_REVIEW, claimed_by=PIC_A.person_id)
    assert authorize(A.RELEASE, p, PIC_A).target == S.SUBMITTED
    exc = error(A.RELEASE, p, PIC_B)
    assert exc.code == "claimed_by_other" and exc.params["claimed_by"] == PIC_A.person_id
    assert authorize(A.RELEASE, p, ADMIN).target == S.SUBMITTED  # an admin hands it back to the team
    assert error(A.RELEASE, p, PERSONAS["other_pic"]).code == "out_of_scope"
    assert A.RELEASE in allowed_actions(p, ADMIN)
    assert A.RELEASE not in allowed_actions(p, PIC_B)


def test_release_of_an_unclaimed_review_is_open_to_the_team() -> None:
    p = proposal(S.IN_REVIEW, claimed_by=None)
    assert authorize(A.RELEASE, p, PIC_B).target == S.SUBMITTED


@pytest.mark.parametrize("action", [A.VERIFY, A.RETURN, A.REJECT])
def test_in_review_claimed_by_other_blocks_a_colleague(action: Action) -> None:
    p = proposal(S.IN_REVIEW, claimed_by=PIC_A.person_id)
    assert authorize(action, p, PIC_A, data=FULL_DATA)
    exc = error(action, p, PIC_B, data=FULL_DATA)
    assert exc.code == "claimed_by_other"
    assert exc.params["claimed_by"] == PIC_A.person_id
    assert action not in allowed_actions(p, PIC_B)
    assert error(action, p, ADMIN, data=FULL_DATA).code == "role_required"  # never an admin's decision
    # Unclaimed (should not happen, but) anyone in scope may act.
    assert authorize(action, replace(p, claimed_by=None), PIC_B, data=FULL_DATA)


@pytest.mark.parametrize(
    ("action", "status"), [(A.RETURN, S.SUBMITTED), (A.RETURN, S.VERIFIED), (A.REJECT, S.VERIFIED)]
)
def test_claim_matters_only_in_review(action: Action, status: ProposalStatus) -> None:
    p = proposal(status, claimed_by=PIC_A.person_id)  # a stale claim
    assert authorize(action, p, PIC_B, data=FULL_DATA).target == SPEC[action][1]


def test_scope_is_checked_before_claim() -> None:
    p = proposal(S.IN_REVIEW, claimed_by=PIC_A.person_id)
    assert error(A.VERIFY, p, PERSONAS["other_pic"]).code == "out_of_scope"
    assert error(A.VERIFY, p, PERSONAS[FIN]).code == "role_required"


# ------------------------------------------------------------------------------- four-eyes


def test_validator_must_differ_from_verifier() -> None:
    p = proposal(S.VERIFIED, verified_by=PIC_A.person_id)
    exc = error(A.VALIDATE, p, PIC_A)
    assert exc.code == "four_eyes"
    assert A.VALIDATE not in allowed_actions(p, PIC_A)
    assert authorize(A.VALIDATE, p, PIC_B).target == S.VALIDATED
    assert error(A.VALIDATE, p, ADMIN).code == "role_required"
    # Returning or rejecting what one verified oneself is fine.
    assert authorize(A.RETURN, p, PIC_A, data=FULL_DATA)
    assert authorize(A.REJECT, p, PIC_A, data=FULL_DATA)


def test_four_eyes_applies_to_a_pic_who_is_also_admin() -> None:
    both = Actor(ADMIN.person_id, frozenset({Grant(Role.ADMIN), Grant(Role.PIC, team_id=TEAM)}))
    p = proposal(S.VERIFIED, verified_by=ADMIN.person_id)
    assert error(A.VALIDATE, p, both).code == "four_eyes"


def test_four_eyes_off_lets_the_verifier_validate() -> None:
    p = proposal(S.VERIFIED, verified_by=PIC_A.person_id)
    assert authorize(A.VALIDATE, p, PIC_A, four_eyes=False).target == S.VALIDATED
    assert A.VALIDATE in allowed_actions(p, PIC_A, four_eyes=False)


def test_unknown_verifier_does_not_block() -> None:
    assert authorize(A.VALIDATE, proposal(S.VERIFIED, verified_by=None), PIC_A)


def test_lpj_validator_must_differ_from_lpj_verifier() -> None:
    finance_and_pic = Actor(40, frozenset({Grant(Role.FINANCE), Grant(Role.PIC, team_id=TEAM)}))
    p = proposal(S.LPJ_VERIFIED, lpj_verified_by=finance_and_pic.person_id)
    assert error(A.VALIDATE_LPJ, p, finance_and_pic).code == "four_eyes"
    assert A.VALIDATE_LPJ not in allowed_actions(p, finance_and_pic)
    assert authorize(A.VALIDATE_LPJ, p, finance_and_pic, four_eyes=False).target == S.CLOSED
    assert authorize(A.VALIDATE_LPJ, p, PERSONAS[FIN]).target == S.CLOSED
    # verified_by (of the proposal) is irrelevant for the LPJ.
    p2 = proposal(S.LPJ_VERIFIED, verified_by=PERSONAS[FIN].person_id)
    assert authorize(A.VALIDATE_LPJ, p2, PERSONAS[FIN]).target == S.CLOSED


# ------------------------------------------------------------------------------ required data

REQUIRING = [(a, f) for a, (_, _, _, req) in SPEC.items() for f in sorted(req)]


@pytest.mark.parametrize(("action", "field"), REQUIRING)
@pytest.mark.parametrize("bad", ["absent", None, "", "   \n", ()])
def test_required_data_missing_or_empty(action: Action, field: str, bad: object) -> None:
    status = min(SPEC[action][0])
    data = dict(FULL_DATA)
    if bad == "absent":
        del data[field]
    else:
        data[field] = bad
    exc = error(action, proposal(status), actor_for(action), data=data)
    assert exc.code == "missing_data"
    assert exc.params["field"] == field
    assert exc.params["missing"] == (field,)


@pytest.mark.parametrize("action", [a for a, spec in SPEC.items() if spec[3]])
def test_no_data_at_all(action: Action) -> None:
    status = min(SPEC[action][0])
    exc = error(action, proposal(status), actor_for(action))
    assert exc.code == "missing_data"
    assert set(exc.params["missing"]) == SPEC[action][3]
    # The buttons are still shown: the data is asked for after the press.
    assert action in allowed_actions(proposal(status), actor_for(action))


@pytest.mark.parametrize("action", [a for a, spec in SPEC.items() if not spec[3]])
def test_actions_without_requirements_need_no_data(action: Action) -> None:
    status = min(SPEC[action][0])
    assert authorize(action, proposal(status), actor_for(action)).target == SPEC[action][1]


def test_role_is_checked_before_data_and_status_before_role() -> None:
    assert error(A.ISSUE_SK, proposal(S.VALIDATED), PIC_A).code == "role_required"
    assert error(A.VERIFY, proposal(S.DRAFT), PERSONAS["nobody"]).code == "not_allowed_in_status"


# ------------------------------------------------------------------------------ the graph


def test_final_statuses() -> None:
    assert FINAL_STATUSES == SPEC_FINAL
    assert OPEN_STATUSES == set(ProposalStatus) - SPEC_FINAL
    for status in ProposalStatus:
        assert is_final(status) == (status in SPEC_FINAL)


def test_final_statuses_have_no_way_out_and_open_ones_do() -> None:
    for status in ProposalStatus:
        assert bool(transitions_from(status)) == (status not in SPEC_FINAL), status


def test_every_status_is_reachable_from_draft() -> None:
    seen = {S.DRAFT}
    queue = deque([S.DRAFT])
    while queue:
        for nxt in successors(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    assert seen == set(ProposalStatus)


def test_every_open_status_can_still_reach_a_final_one() -> None:
    for start in OPEN_STATUSES:
        seen = {start}
        queue = deque([start])
        while queue:
            for nxt in successors(queue.popleft()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        assert seen & SPEC_FINAL, start


def test_the_happy_path() -> None:
    op, pic, pic2, fin, head = PERSONAS[OP], PIC_A, PIC_B, PERSONAS[FIN], PERSONAS[HEAD]
    fin2 = Actor(41, frozenset({Grant(Role.FINANCE)}))
    p = proposal(S.DRAFT)
    steps = [
        (A.SUBMIT, op),
        (A.CLAIM, pic),
        (A.VERIFY, pic),
        (A.VALIDATE, pic2),
        (A.ISSUE_SK, head),
        (A.SUBMIT_ACCOUNTS, op),
        (A.VERIFY_ACCOUNTS, fin),
        (A.RECORD_PAYMENT, fin),
        (A.SUBMIT_LPJ, op),
        (A.VERIFY_LPJ, pic),
        (A.VALIDATE_LPJ, fin2),
    ]
    for action, actor in steps:
        p = apply(p, action, actor, authorize(action, p, actor, data=FULL_DATA))
    assert p.status == S.CLOSED


@pytest.mark.parametrize("status", list(ProposalStatus))
def test_next_step_for_every_status(status: ProposalStatus) -> None:
    text = next_step(status)
    assert isinstance(text, str) and text.strip()
    assert not placeholders(text)


def test_next_step_wording() -> None:
    assert next_step(S.SUBMITTED) == "Waiting for the PIC team to start checking."
    assert len({next_step(s) for s in ProposalStatus}) == len(ProposalStatus)


def test_workflow_never_imports_telegram() -> None:
    code = (
        "import sys, bot.domain.workflow; "
        "assert not any(m == 'telegram' or m.startswith('telegram.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------------------ properties


person_ids = st.integers(min_value=1, max_value=8)
grants = st.one_of(
    st.builds(Grant, st.just(Role.OPERATOR), ipwl_id=st.sampled_from([IPWL, OTHER_IPWL])),
    st.builds(Grant, st.just(Role.PIC), team_id=st.sampled_from([TEAM, OTHER_TEAM, None])),
    st.builds(Grant, st.sampled_from([Role.FINANCE, Role.HEAD, Role.ADMIN])),
    # Malformed grants (scope missing or on the wrong role) must not crash anything.
    st.builds(
        Grant,
        st.sampled_from(list(Role)),
        ipwl_id=st.none() | st.integers(0, 12),
        team_id=st.none() | st.integers(0, 3),
    ),
)
actors = st.one_of(
    st.sampled_from(list(PERSONAS.values())),
    st.builds(Actor, person_ids, st.frozensets(grants, max_size=4)),
)
data_values = st.one_of(
    st.none(), st.just(""), st.just("  "), st.text(max_size=5), st.dates(), st.integers(), st.just(())
)
datas = st.none() | st.dictionaries(
    st.sampled_from(["reason", "sk_number", "sk_date", "lpj_due_date", "other"]), data_values, max_size=5
)
proposals = st.builds(
    Proposal,
    id=st.just(1),
    code=st.just("P-1"),
    ipwl_id=st.sampled_from([IPWL, OTHER_IPWL]),
    status=st.sampled_from(list(ProposalStatus)),
    version=st.integers(1, 5),
    team_id=st.sampled_from([TEAM, OTHER_TEAM, None]),
    claimed_by=st.none() | person_ids,
    verified_by=st.none() | person_ids,
    lpj_verified_by=st.none() | person_ids,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(st.tuples(st.sampled_from(list(Action)), actors, datas, st.booleans()), max_size=60),
)
def test_random_walk(steps: list[tuple[Action, Actor, dict[str, object] | None, bool]]) -> None:
    p = proposal(S.DRAFT)
    for action, actor, data, four_eyes in steps:
        before = p
        try:
            t = authorize(action, p, actor, four_eyes=four_eyes, data=data)
        except WorkflowError as exc:
            assert_refusal_well_formed(exc)
            offered = allowed_actions(p, actor, four_eyes=four_eyes)
            assert action not in offered or exc.code == "missing_data"
        else:
            assert not is_final(p.status)
            assert t.action == action and p.status in t.sources
            assert action in allowed_actions(p, actor, four_eyes=four_eyes)
            p = apply(p, action, actor, t)
        consistent(before, actor, four_eyes)
        if is_final(p.status):
            assert allowed_actions(p, PERSONAS[ADM]) == []


@settings(max_examples=500, deadline=None)
@given(p=proposals, action=st.sampled_from(list(Action)), actor=actors, data=datas, four_eyes=st.booleans())
def test_authorize_on_arbitrary_proposals(
    p: Proposal, action: Action, actor: Actor, data: dict[str, object] | None, four_eyes: bool
) -> None:
    try:
        t = authorize(action, p, actor, four_eyes=four_eyes, data=data)
    except WorkflowError as exc:
        assert_refusal_well_formed(exc)
    else:
        assert t.action == action and p.status in t.sources
        assert actor.grants, "a person without grants may do nothing"
        assert not is_final(p.status)
        for field in t.requires:
            value = (data or {})[field]
            assert value is not None and (not isinstance(value, str) or value.strip())
    consistent(p, actor, four_eyes)


# The personas plus a second PIC of the team and a second finance officer (for four-eyes), and
# someone holding every role with scope.
staff = st.sampled_from(
    [
        *PERSONAS.values(),
        PIC_B,
        Actor(41, frozenset({Grant(Role.FINANCE)})),
        Actor(
            50,
            frozenset(
                {
                    Grant(Role.OPERATOR, ipwl_id=IPWL),
                    Grant(Role.PIC, team_id=TEAM),
                    *(Grant(r) for r in CENTRE_ROLES),
                }
            ),
        ),
    ]
)


@settings(max_examples=300, deadline=None)
@given(steps=st.lists(st.tuples(staff, st.integers(min_value=0, max_value=20), st.booleans()), min_size=1, max_size=80))
def test_guided_walk_reaches_deep_statuses(steps: list[tuple[Actor, int, bool]]) -> None:
    """Walk only along offered buttons: every offered action is accepted with complete data."""
    reached: set[ProposalStatus] = set()
    p = proposal(S.DRAFT)
    for actor, pick, four_eyes in steps:
        offered = allowed_actions(p, actor, four_eyes=four_eyes)
        if not offered:
            continue
        action = offered[pick % len(offered)]
        t = authorize(action, p, actor, four_eyes=four_eyes, data=FULL_DATA)
        if four_eyes and action == A.VALIDATE:
            assert actor.person_id != p.verified_by
        if four_eyes and action == A.VALIDATE_LPJ:
            assert actor.person_id != p.lpj_verified_by
        p = apply(p, action, actor, t)
        reached.add(p.status)
    target(float(len(reached)))
    event(f"ended in {p.status}")


def test_a_client_who_left_by_withdrawing_consent_is_counted_not_named_in_the_changes() -> None:
    from bot.services.reviews import compare_versions

    old = {
        "period": "2026-12",
        "clients": [{"nik": "3201014508900004", "full_name": "Siti Rahayu"}, {"nik": "ANON-7", "full_name": None}],
    }
    new = {"period": "2026-12", "clients": [{"nik": "3201011203850002", "full_name": "Budi Santoso"}]}
    changes = compare_versions(old, new, previous=1)
    assert changes.added == ("Budi Santoso",) and changes.removed == ("Siti Rahayu",) and changes.erased == 1

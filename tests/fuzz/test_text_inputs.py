"""Every parser of typed text, and every step of the two guided conversations (proposal, LPJ) as
pure rules: any input is either accepted or refused with a clear message — never an exception."""

from __future__ import annotations

import datetime as dt
import functools

from hypothesis import given
from hypothesis import strategies as st

from bot.domain import lpj_intake as li
from bot.domain import proposal_intake as intake
from bot.domain.proposal_intake import Cursor, IntakeContext, Reply, Step
from bot.domain.validation import (
    BANKS,
    ValidationError,
    find_bank,
    holder_name_warning,
    mask_account,
    mask_nik,
    nik_warnings,
    parse_account_number,
    parse_date,
    parse_free_text,
    parse_money,
    parse_name,
    parse_nik,
    parse_period,
    parse_phone,
    parse_quantity,
    parse_sex,
)
from tests.fuzz.conftest import assert_clear, assert_clear_refusal, examples, tried
from tests.fuzz.fuzz_cast import _regions, refused_clearly
from tests.fuzz.inputs import DRAFT_CHOICES, TEXT
from tests.intake_context import CEILINGS, TODAY, partial_siti, saved_client
from tests.lpj_contents import EARLIEST, complete

NIKISH = st.builds(
    lambda p, r, d, m, y, s: f"{p:02d}{r:04d}{d:02d}{m:02d}{y:02d}{s:04d}",
    st.integers(0, 99),
    st.integers(0, 9999),
    st.integers(0, 80),
    st.integers(0, 13),
    st.integers(0, 99),
    st.integers(0, 9999),
)


@examples(350)
@given(TEXT)
def test_every_text_parser_accepts_or_refuses_clearly(text: str) -> None:
    tried("validation: 12 parsers × text")
    nik = refused_clearly(lambda: parse_nik(text, today=TODAY))
    if nik is not None:
        for problem in nik_warnings(nik, sex=None, birth_date=None):
            assert_clear(problem.message, problem.params)
        assert "•" in mask_nik(nik.nik)
    refused_clearly(lambda: parse_money(text, maximum=5_000_000))
    refused_clearly(lambda: parse_money(text, field="unit_cost", minimum=1, maximum=None))
    refused_clearly(lambda: parse_date(text, today=TODAY, earliest=dt.date(2020, 1, 1)))
    refused_clearly(lambda: parse_period(text, today=TODAY))
    refused_clearly(lambda: parse_name(text))
    refused_clearly(lambda: parse_phone(text))
    refused_clearly(lambda: parse_quantity(text))
    refused_clearly(lambda: parse_free_text(text, field="assessment", min_length=10, max_length=1000))
    refused_clearly(lambda: parse_sex(text))
    bank = find_bank(text)
    for candidate in (bank or BANKS["bri"], BANKS["bca"]):
        parsed = refused_clearly(functools.partial(parse_account_number, text, candidate))
        if parsed is not None:
            number, warnings = parsed
            for problem in warnings:
                assert_clear(problem.message, problem.params)
            assert number not in mask_account(number) or len(number) <= 4
    warning = holder_name_warning(text, "Siti Rahayu")
    if warning is not None:
        assert_clear(warning.message, warning.params)


@examples(250)
@given(NIKISH)
def test_nik_shaped_numbers_are_accepted_or_refused_clearly(nik: str) -> None:
    tried("validation: NIK-shaped digits")
    refused_clearly(lambda: parse_nik(nik, today=TODAY))


@examples(200)
@given(TEXT, st.sampled_from(sorted(CEILINGS)))
def test_budget_lines_are_accepted_or_refused_clearly(text: str, component: str) -> None:
    tried("intake: budget line")
    line = refused_clearly(lambda: intake.parse_budget_line(text, component, CEILINGS))
    if line is not None:
        description, quantity, unit = line
        assert description.strip() and quantity >= 1 and 1 <= unit <= CEILINGS[component]


@examples(300)
@given(
    step=st.sampled_from(list(Step)),
    text=st.one_of(st.none(), TEXT),
    choice=DRAFT_CHOICES,
    edit=st.sampled_from([None, *intake.EDITABLE_FIELDS]),
    component=st.sampled_from([None, "1", "3", "9"]),
)
def test_every_proposal_step_accepts_or_refuses_any_answer_clearly(step, text, choice, edit, component) -> None:
    # (Cursors the service can write: an edit names its field, a budget line its component.)
    if (step == Step.EDIT and edit is None) or (step == Step.BUDGET_LINE and component is None):
        edit, component = edit or "address", component or "1"
    tried("intake: answer at every step")
    from bot.domain.models import BudgetLine, Component

    saved = saved_client(
        address="Jl. Melati 3",
        components=(Component.LIVING_NEEDS,),
        assessment="Pengguna sabu",
        intervention_plan="Konseling",
        budget=(BudgetLine(1, 7, Component.LIVING_NEEDS, "Sembako", 3, 500_000),),
    )
    cursor = Cursor(
        step=step,
        client=partial_siti(),
        client_id=7,
        component=component,
        edit_field=edit if step == Step.EDIT else None,
        choices=("32.01", "32.71"),
    )
    context = IntakeContext(
        today=TODAY,
        unit_cost_ceilings=CEILINGS,
        regions=_regions(),
        niks_in_proposal=frozenset({"3201011203850002"}),
        previous=saved,
        editing=saved,
    )
    try:
        outcome = intake.answer(cursor, Reply(text=text, choice=choice), context)
    except ValidationError as error:
        assert_clear_refusal(error)
    else:
        for problem in outcome.warnings:
            assert_clear(problem.message, problem.params)


_LPJ_CHOICES = st.one_of(
    st.none(),
    st.text(max_size=10),
    st.sampled_from(
        [
            "all",
            "same",
            "done",
            "yes",
            "no",
            "receipt",
            "photo",
            "bast",
            "skip",
            "1",
            "3",
            "services",
            "realization",
            "evidence",
            "review",
            "-1",
        ]
    ),
)


@examples(250)
@given(
    step=st.sampled_from(list(li.Step)),
    text=st.one_of(st.none(), TEXT),
    choice=_LPJ_CHOICES,
    client_id=st.sampled_from([None, 1, 2, 99]),
    line_id=st.sampled_from([None, 11, 12, 21, 99]),
    evidence_id=st.sampled_from([None, 1, 2, 99]),
)
def test_every_lpj_step_accepts_or_refuses_any_answer_clearly(
    step, text, choice, client_id, line_id, evidence_id
) -> None:
    tried("lpj: answer at every step")
    content = complete()
    cursor = li.Cursor(
        step=step,
        client_id=client_id,
        line_id=line_id,
        evidence_id=evidence_id,
        amount=2_000_000 if step == li.Step.REALIZATION_NOTE else None,
    )
    context = li.LpjContext(TODAY, content, EARLIEST, li.LpjRules())
    try:
        outcome = li.answer(cursor, li.Reply(text=text, choice=choice), context)
    except ValidationError as error:
        assert_clear_refusal(error)
    else:
        for problem in getattr(outcome, "warnings", ()):
            assert_clear(problem.message, problem.params)


@examples(200)
@given(TEXT)
def test_lpj_service_dates_accept_or_refuse_clearly(text: str) -> None:
    tried("lpj: dates served")
    refused_clearly(lambda: li.parse_served(text, today=TODAY, earliest=dt.date(2026, 1, 1)))

"""The LPJ's pure rules and its states table: every step, its answers and its refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import lpj_intake as li
from bot.domain.lpj_intake import (
    Cursor,
    Evidence,
    EvidenceKind,
    LpjContent,
    LpjRules,
    Realization,
    Reply,
    Step,
)
from bot.domain.models import BudgetLine
from bot.domain.validation import ValidationError
from tests.lpj_contents import C1, C3, CLIENTS, EARLIEST, TODAY, complete, ctx, receipt, served

# --- dates served -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01-11-2026 s/d 30-11-2026", (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        ("1/11/2026 sd 30/11/2026", (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        ("01-11-2026 - 30-11-2026", (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        ("01-11-2026–30-11-2026", (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        ("1 November 2026 sampai 5 Desember 2026", (dt.date(2026, 11, 1), dt.date(2026, 12, 5))),
        ("1 Oktober 2026 sampai dengan 5 November 2026", None),  # too early: before the period
        ("3 November 2026 to 9 November 2026", (dt.date(2026, 11, 3), dt.date(2026, 11, 9))),
        ("15-11-2026", (dt.date(2026, 11, 15), dt.date(2026, 11, 15))),  # one day
    ],
)
def test_service_dates_are_read_in_the_ways_people_write_them(text, expected) -> None:
    if expected is None:
        with pytest.raises(ValidationError):
            li.parse_served(text, today=TODAY, earliest=EARLIEST)
    else:
        assert li.parse_served(text, today=TODAY, earliest=EARLIEST) == expected


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("30-11-2026 s/d 01-11-2026", "served"),  # reversed
        ("01-11-2026 s/d 30-12-2026", "served_to"),  # in the future
        ("01-10-2026 s/d 30-11-2026", "served_from"),  # before the proposal's period
        ("kemarin dulu", "served_from"),
        ("1-11-2026 s/d 2-11-2026 s/d 3-11-2026", "served"),
    ],
)
def test_impossible_service_dates_say_which_date_is_wrong(text, field) -> None:
    with pytest.raises(ValidationError) as caught:
        li.parse_served(text, today=TODAY, earliest=EARLIEST)
    assert caught.value.problem.field == field


# --- completeness ------------------------------------------------------------------------------------


def test_a_complete_lpj_has_no_problems() -> None:
    assert li.check_complete(complete(), LpjRules()) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"services": served(1)}, "services"),
        ({"realizations": {11: Realization(11, 1_500_000)}}, "realization"),
        (
            {
                "realizations": {
                    11: Realization(11, 1_600_000),
                    12: Realization(12, 500_000),
                    21: Realization(21, 1_500_000),
                }
            },
            "note",
        ),
        (
            {"evidence": (Evidence(2, EvidenceKind.PHOTO, 2, "f", 1), Evidence(3, EvidenceKind.BAST, 3, "b", 1))},
            "receipts",
        ),
        (
            {
                "evidence": (
                    receipt(1, 6_000_000),
                    Evidence(2, EvidenceKind.PHOTO, 2, "f", 1),
                    Evidence(3, EvidenceKind.BAST, 3, "b", 1),
                )
            },
            "meterai",
        ),
        (
            {
                "evidence": (
                    receipt(1, 100_000),
                    Evidence(2, EvidenceKind.PHOTO, 2, "f", 1),
                    Evidence(3, EvidenceKind.BAST, 3, "b", 1),
                )
            },
            "receipts",
        ),  # do not cover the spending
        (
            {
                "evidence": (
                    receipt(1, None),
                    Evidence(2, EvidenceKind.PHOTO, 2, "f", 1),
                    Evidence(3, EvidenceKind.BAST, 3, "b", 1),
                )
            },
            "receipts",
        ),
        ({"evidence": (receipt(1, 3_500_000), Evidence(3, EvidenceKind.BAST, 3, "b", 1))}, "photos"),
        ({"evidence": (receipt(1, 3_500_000), Evidence(2, EvidenceKind.PHOTO, 2, "f", 1))}, "bast"),
    ],
)
def test_each_missing_piece_blocks_submission_with_its_own_problem(overrides, field) -> None:
    problems = li.check_complete(complete(**overrides), LpjRules())
    assert field in {p.field for p in problems}


def test_a_stamped_receipt_above_the_threshold_is_fine_and_exactly_the_threshold_needs_none() -> None:
    others = (Evidence(2, EvidenceKind.PHOTO, 2, "f", 1), Evidence(3, EvidenceKind.BAST, 3, "b", 1))
    stamped = complete(evidence=(receipt(1, 6_000_000, True), *others))
    at_threshold = complete(evidence=(receipt(1, 5_000_000), receipt(4, 1_000_000), *others))
    assert li.check_complete(stamped, LpjRules()) == []
    assert li.check_complete(at_threshold, LpjRules()) == []
    assert not li.needs_meterai(5_000_000, 5_000_000) and li.needs_meterai(5_000_001, 5_000_000)


@given(st.integers(0, 10**9), st.integers(1, 10**6), st.integers(1, 100))
def test_variance_is_spent_minus_budget_and_a_note_is_needed_exactly_above_it(spent, unit, quantity) -> None:
    line = BudgetLine(1, 1, C1, "x", quantity, unit)
    assert li.variance(line, spent) == spent - quantity * unit
    assert li.needs_note(line, spent) == (spent > quantity * unit)


# --- the states table -----------------------------------------------------------------------------------


def test_a_new_lpj_starts_with_the_first_client_without_services() -> None:
    assert li.start(LpjContent(CLIENTS)) == Cursor(step=Step.SERVICES, client_id=1)
    assert li.start(LpjContent(CLIENTS, services=served(1))) == Cursor(step=Step.SERVICES, client_id=2)
    assert li.start(LpjContent(CLIENTS, services=served(1, 2))) == Cursor(step=Step.REALIZATION, line_id=11)
    assert li.start(complete()).step == Step.REVIEW


def test_typed_dates_save_the_planned_components_and_move_to_the_next_client() -> None:
    outcome = li.answer(Cursor(step=Step.SERVICES, client_id=1), Reply(text="01-11-2026 s/d 30-11-2026"), ctx())
    assert outcome.effects == (li.SetServices(1, (C1, C3), dt.date(2026, 11, 1), dt.date(2026, 11, 30)),)
    assert outcome.cursor == Cursor(step=Step.SERVICES, client_id=2)


def test_same_dates_as_the_previous_client_is_one_tap() -> None:
    outcome = li.answer(Cursor(step=Step.SERVICES, client_id=2), Reply(choice="same"), ctx(services=served(1)))
    assert outcome.effects == (li.SetServices(2, (C1, C3), EARLIEST, TODAY),)
    assert outcome.cursor == Cursor(step=Step.REALIZATION, line_id=11)  # every client done: on to the money


def test_components_can_be_narrowed_before_the_dates() -> None:
    c = li.answer(Cursor(step=Step.SERVICES, client_id=1), Reply(choice="components"), ctx()).cursor
    assert c.step == Step.SERVICE_COMPONENTS and c.components == ("1", "3")
    c = li.answer(c, Reply(choice="3"), ctx()).cursor
    assert c.components == ("1",)
    with pytest.raises(ValidationError):
        li.answer(li.answer(c, Reply(choice="1"), ctx()).cursor, Reply(choice="done"), ctx())
    c = li.answer(c, Reply(choice="done"), ctx()).cursor
    outcome = li.answer(c, Reply(text="01-11-2026 s/d 02-11-2026"), ctx())
    assert outcome.effects[0].components == (C1,)


@pytest.mark.parametrize(
    ("reply", "amount", "step"),
    [
        (Reply(text="1.200.000"), 1_200_000, Step.REALIZATION),  # under the RAB: saved, next line
        (Reply(choice="rab"), 1_500_000, Step.REALIZATION),  # exactly as budgeted, one tap
        (Reply(text="0"), 0, Step.REALIZATION),  # nothing spent is a valid answer
    ],
)
def test_a_realization_at_or_under_the_rab_is_saved_at_once(reply, amount, step) -> None:
    outcome = li.answer(Cursor(step=Step.REALIZATION, line_id=11), reply, ctx())
    assert outcome.effects == (li.SetRealization(11, amount),)
    assert outcome.cursor == Cursor(step=step, line_id=12)


def test_a_realization_above_the_rab_waits_for_its_note() -> None:
    outcome = li.answer(Cursor(step=Step.REALIZATION, line_id=11), Reply(text="1.600.000"), ctx())
    assert outcome.effects == () and outcome.cursor.step == Step.REALIZATION_NOTE and outcome.cursor.amount == 1_600_000
    with pytest.raises(ValidationError):
        li.answer(outcome.cursor, Reply(text="mahal"), ctx())  # a note is a sentence
    done = li.answer(outcome.cursor, Reply(text="Harga sembako naik bulan Desember."), ctx())
    assert done.effects == (li.SetRealization(11, 1_600_000, "Harga sembako naik bulan Desember."),)
    back = li.answer(outcome.cursor, Reply(choice="back"), ctx())
    assert back.cursor == Cursor(step=Step.REALIZATION, line_id=11) and back.effects == ()


@pytest.mark.parametrize("text", ["-5", "abc", "1,5", "99999999999999"])
def test_bad_amounts_are_refused_and_change_nothing(text) -> None:
    with pytest.raises(ValidationError):
        li.answer(Cursor(step=Step.REALIZATION, line_id=11), Reply(text=text), ctx())


def test_all_remaining_lines_as_budgeted_goes_to_the_evidence() -> None:
    outcome = li.answer(Cursor(step=Step.REALIZATION, line_id=12), Reply(choice="all"), ctx())
    assert outcome.effects == (li.FillAsBudgeted(),) and outcome.cursor.step == Step.EVIDENCE


def test_the_last_line_wraps_to_a_line_still_missing() -> None:
    content = {"realizations": {12: Realization(12, 1), 21: Realization(21, 1)}}
    outcome = li.answer(Cursor(step=Step.REALIZATION, line_id=21), Reply(choice="rab"), ctx(**content))
    assert outcome.cursor == Cursor(step=Step.REALIZATION, line_id=11)


def test_a_receipt_asks_its_amount_then_the_meterai_above_the_threshold() -> None:
    file = li.receive_file(Cursor(step=Step.EVIDENCE), is_image=True)
    assert file.effects == (li.AddEvidence(EvidenceKind.RECEIPT),) and file.cursor.step == Step.RECEIPT_AMOUNT
    waiting = Cursor(step=Step.RECEIPT_AMOUNT, evidence_id=7)
    small = li.answer(waiting, Reply(text="750.000"), ctx())
    assert small.effects == (li.SetReceiptAmount(7, 750_000),) and small.cursor.step == Step.EVIDENCE
    large = li.answer(waiting, Reply(text="5.000.001"), ctx())
    assert large.cursor.step == Step.METERAI
    assert li.answer(large.cursor, Reply(choice="yes"), ctx()).effects == (li.SetStamped(7),)
    refused = li.answer(large.cursor, Reply(choice="no"), ctx())
    assert refused.effects == (li.DiscardEvidence(7),) and refused.warnings


def test_another_file_while_a_receipt_waits_for_its_amount_is_refused() -> None:
    for step in (Step.RECEIPT_AMOUNT, Step.METERAI):
        with pytest.raises(ValidationError):
            li.receive_file(Cursor(step=step, evidence_id=7), is_image=True)


def test_outside_the_evidence_step_a_photo_is_an_activity_photo_and_a_pdf_a_receipt() -> None:
    during = Cursor(step=Step.SERVICES, client_id=1)
    assert li.receive_file(during, is_image=True).effects == (li.AddEvidence(EvidenceKind.PHOTO),)
    assert li.receive_file(during, is_image=False).effects == (li.AddEvidence(EvidenceKind.RECEIPT),)
    bast = Cursor(step=Step.EVIDENCE, kind=EvidenceKind.BAST)
    assert li.receive_file(bast, is_image=True).effects == (li.AddEvidence(EvidenceKind.BAST),)


def test_a_file_sent_by_mistake_is_taken_back_and_the_kind_being_received_stays() -> None:
    sent = ctx(evidence=complete().evidence)
    photos = Cursor(step=Step.EVIDENCE, kind=EvidenceKind.PHOTO)
    listing = li.answer(photos, Reply(choice="remove"), sent)
    assert listing.cursor == Cursor(step=Step.EVIDENCE_REMOVE, kind=EvidenceKind.PHOTO) and not listing.effects
    removed = li.answer(listing.cursor, Reply(choice="rm2"), sent)
    assert removed.effects == (li.DiscardEvidence(2),) and removed.cursor == photos
    assert li.answer(listing.cursor, Reply(choice="back"), sent) == li.Outcome(photos)


@pytest.mark.parametrize("choice", ["rm9", "rm", "rm-1", "rmx", "2", None])
def test_removing_a_file_that_is_not_in_the_lpj_is_refused(choice) -> None:
    with pytest.raises(ValidationError):
        li.answer(Cursor(step=Step.EVIDENCE_REMOVE), Reply(choice=choice), ctx(evidence=complete().evidence))


def test_with_no_file_yet_there_is_nothing_to_remove() -> None:
    with pytest.raises(ValidationError) as refused:
        li.answer(Cursor(step=Step.EVIDENCE), Reply(choice="remove"), ctx())
    assert "nothing to remove" in refused.value.problems[0].message


def test_every_step_refuses_a_reply_it_cannot_use() -> None:
    for step in (Step.SERVICE_COMPONENTS, Step.EVIDENCE, Step.EVIDENCE_REMOVE, Step.METERAI, Step.REVIEW):
        with pytest.raises(ValidationError):
            li.answer(Cursor(step=step, client_id=1, evidence_id=1), Reply(choice="nonsense"), ctx())


def test_the_cursor_survives_a_round_trip_through_json() -> None:
    cursor = Cursor(
        step=Step.METERAI, client_id=1, line_id=2, components=("1",), amount=5, kind=EvidenceKind.BAST, evidence_id=9
    )
    assert Cursor.from_json(cursor.to_json()) == cursor
    assert Cursor.from_json(None).step == Step.REVIEW

"""Issue 16.2–16.3, the pure rules: what an SK may commit against the year's ceilings (whole year
and per component), how an SP2D is typed, and when finance is reminded of missing transfer results."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.domain import reminder_rules as rules
from bot.domain.budget import WHOLE_YEAR, Ceiling, Overrun, overruns, parse_component, year_ceiling
from bot.domain.models import ProposalStatus
from bot.domain.treasury import parse_sp2d_entry
from bot.domain.validation import ValidationError
from tests.reminder_items import POLICY, at, item

YEAR = 2026
TODAY = dt.date(2026, 12, 2)


def test_an_sk_within_every_ceiling_passes() -> None:
    ceilings = [Ceiling(YEAR, WHOLE_YEAR, 10_000_000), Ceiling(YEAR, "1", 6_000_000)]
    assert overruns(ceilings, {"1": 3_000_000, "4": 1_000_000}, {"1": 3_000_000}) == []
    assert overruns([], {"1": 10**12}, {"1": 10**12}) == []  # no ceiling set: nothing to check


def test_the_whole_year_ceiling_counts_every_component() -> None:
    found = overruns([Ceiling(YEAR, WHOLE_YEAR, 5_000_000)], {"1": 2_000_000, "3": 1_000_000}, {"4": 2_500_000})
    assert found == [Overrun(WHOLE_YEAR, 5_000_000, 3_000_000, 2_500_000)]
    assert (found[0].remaining, found[0].excess) == (2_000_000, 500_000)
    # Exactly at the ceiling is allowed.
    assert overruns([Ceiling(YEAR, WHOLE_YEAR, 5_000_000)], {"1": 3_000_000}, {"4": 2_000_000}) == []


def test_a_component_ceiling_counts_only_its_component_and_every_overrun_is_named() -> None:
    ceilings = [Ceiling(YEAR, "3", 1_000_000), Ceiling(YEAR, "1", 4_000_000), Ceiling(YEAR, WHOLE_YEAR, 9_000_000)]
    assert overruns(ceilings, {"3": 900_000}, {"1": 4_000_000}) == []  # component 3 untouched by this SK
    found = overruns(ceilings, {"1": 3_000_000, "3": 900_000}, {"1": 1_500_000, "3": 200_000})
    assert [(o.component, o.remaining, o.excess) for o in found] == [("1", 1_000_000, 500_000), ("3", 100_000, 100_000)]
    # Committed above the ceiling already (the ceiling was lowered): nothing remains, never below zero.
    assert overruns([Ceiling(YEAR, "1", 1_000_000)], {"1": 1_200_000}, {"1": 1})[0].remaining == 0


def test_the_years_figure_is_the_whole_years_ceiling_else_the_components_sum() -> None:
    assert year_ceiling([Ceiling(YEAR, "1", 2), Ceiling(YEAR, "2", 3)]) == 5
    assert year_ceiling([Ceiling(YEAR, "1", 2), Ceiling(YEAR, WHOLE_YEAR, 10)]) == 10
    assert year_ceiling([]) == 0


@pytest.mark.parametrize(
    ("text", "key"),
    [("3", "3"), ("komponen 7", "7"), ("semua", WHOLE_YEAR), ("", WHOLE_YEAR), ("8", None), ("tiga", None)],
)
def test_components_are_read_as_their_number(text: str, key: str | None) -> None:
    assert parse_component(text) == key


def test_an_sp2d_is_its_number_then_a_real_date_not_before_the_spm() -> None:
    entry = parse_sp2d_entry("261131302002345  28 November 2026", today=TODAY, earliest=dt.date(2026, 11, 28))
    assert (entry.number, entry.date) == ("261131302002345", dt.date(2026, 11, 28))
    assert parse_sp2d_entry("0012/sp2d/xi/2026 01-12-2026", today=TODAY).number == "0012/SP2D/XI/2026"
    for text, field in (
        ("SP2D", "sp2d_number"),
        ("kemarin 28-11-2026", "sp2d_number"),
        ("261131302002345", "sp2d_date"),
        ("261131302002345 31-02-2026", "sp2d_date"),
        ("261131302002345 03-12-2026", "sp2d_date"),  # in the future
        ("261131302002345 27-11-2026", "sp2d_date"),  # before the SPM
    ):
        with pytest.raises(ValidationError) as refused:
            parse_sp2d_entry(text, today=TODAY, earliest=dt.date(2026, 11, 28))
        assert refused.value.problems[0].field == field, text


@pytest.mark.parametrize(
    ("text", "number", "date", "amount"),
    [
        ("SP2D 00123/2026 28-11-2026 Rp 4.500.000", "00123/2026", dt.date(2026, 11, 28), "Rp 4.500.000"),
        ("00123/2026, 28/11/2026, 4500000", "00123/2026", dt.date(2026, 11, 28), "4500000"),
        ("sp2d no. 261131302002345 28 November 2026 4,5 juta", "261131302002345", dt.date(2026, 11, 28), "4,5 juta"),
        ("261131302002345; 2026-11-28; Rp4.500.000,00", "261131302002345", dt.date(2026, 11, 28), "Rp4.500.000,00"),
        ("SP2D: 261131302002345 28-11-2026", "261131302002345", dt.date(2026, 11, 28), ""),
    ],
)
def test_an_sp2d_number_date_and_amount_can_be_typed_on_one_line(
    text: str, number: str, date: dt.date, amount: str
) -> None:
    entry = parse_sp2d_entry(text, today=TODAY, earliest=dt.date(2026, 11, 28))
    assert (entry.number, entry.date, entry.amount_text) == (number, date, amount)


def test_working_days_skip_weekends_and_holidays() -> None:
    calendar = POLICY.calendar  # Christmas 2026 is a holiday
    assert rules.working_days_after(calendar, dt.date(2026, 11, 28), dt.date(2026, 12, 2)) == 3  # Sat → Wed
    assert rules.working_days_after(calendar, dt.date(2026, 12, 24), dt.date(2026, 12, 28)) == 1  # Thu → Mon
    assert rules.working_days_after(calendar, dt.date(2026, 12, 2), dt.date(2026, 12, 2)) == 0


def test_finance_is_reminded_n_working_days_after_the_sp2d_then_every_n() -> None:
    waiting = dataclasses.replace(
        item(ProposalStatus.ACCOUNTS_VERIFIED, due_on=None), sp2d_on=dt.date(2026, 11, 28), missing=2
    )
    assert rules.transfer_results_missing(waiting, at(dt.date(2026, 12, 1), 10), POLICY) is None  # 2 working days
    first = rules.transfer_results_missing(waiting, at(dt.date(2026, 12, 2), 10), POLICY)
    assert first is not None and first.audience == rules.Audience.FINANCE
    assert first.key == "transfer_results_missing:7:2026-11-28:1" and first.params["missing"] == 2
    # The same slot all week until the sixth working day; never outside finance's working hours.
    assert rules.transfer_results_missing(waiting, at(dt.date(2026, 12, 4), 10), POLICY).key == first.key
    assert rules.transfer_results_missing(waiting, at(dt.date(2026, 12, 7), 10), POLICY).key.endswith(":2")
    assert rules.transfer_results_missing(waiting, at(dt.date(2026, 12, 2), 20), POLICY) is None
    # Paid (every result in), or no SP2D yet: nothing.
    assert (
        rules.transfer_results_missing(dataclasses.replace(waiting, status=ProposalStatus.PAID), at(TODAY, 10), POLICY)
        is None
    )
    assert rules.transfer_results_missing(dataclasses.replace(waiting, sp2d_on=None), at(TODAY, 10), POLICY) is None

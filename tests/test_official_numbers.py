"""Register numbers typed for an SK, SPP or SPM: the number stays a number, the date a real date."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.official_numbers import NumberFormat, parse_official_entry
from bot.domain.validation import ValidationError

SK = "SK-{n:03d}/BRSKPN-GP/{month}/{year}"
SPP = "{n:05d}/SPP/{month}/{year}"
TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "template", "number", "date"),
    [
        ("SK-045/BRSKPN-GP/XI/2026 28-11-2026", SK, "SK-045/BRSKPN-GP/XI/2026", dt.date(2026, 11, 28)),
        ("sk-045/brskpn-gp/xi/2026, tgl. 27 November 2026", SK, "SK-045/BRSKPN-GP/XI/2026", dt.date(2026, 11, 27)),
        ("  SK-7/BRSKPN-GP/XI/2026   tanggal  1/11/2026 ", SK, "SK-007/BRSKPN-GP/XI/2026", dt.date(2026, 11, 1)),
        ("123/SPP/XI/2026 28-11-2026", SPP, "00123/SPP/XI/2026", TODAY),  # padded as the register pads
        ("00123/SPP/XI/2026 hari ini", SPP, "00123/SPP/XI/2026", TODAY),
        ("00123/SPP/X/2026 31 Oktober 2026", SPP, "00123/SPP/X/2026", dt.date(2026, 10, 31)),
    ],
)
def test_a_number_of_the_form_and_its_date_are_read_apart(text, template, number, date) -> None:
    entry = parse_official_entry(text, template, today=TODAY, field="sk_number")
    assert (entry.number, entry.date) == (number, date)


@pytest.mark.parametrize(
    ("text", "template", "says"),
    [
        ("SK-045/BRSKPN-GP/XII/2026 30-02-2026", SK, "There is no such date"),  # issue 11.1, verbatim
        ("SK-045/BRSKPN-GP/XII/2026 17 Desember 2026", SK, "in the future"),
        ("00123/SPP/XII/2026 17 Desember 2026", SPP, "in the future"),
        ("SK-045/BRSKPN-GP/XI/2026", SK, "Type the date after the number"),  # never "today" unasked
        ("SK-045/BRSKPN-GP/XI/2026 lampiran", SK, "as a date"),
        ("SK-045/BRSKPN-GP/XII/2026 28-11-2026", SK, "month and year of its date"),
        ("SK-045/BRSKPN-GP/XI/2025 28-11-2026", SK, "month and year of its date"),
        ("SK 045 28-11-2026", SK, "not a number of the form"),
        ("SK-045/BRSKPN-GP/XI/2026abc 28-11-2026", SK, "not a number of the form"),
        ("SK-045/BRSKPN-GP/XIII/2026 28-11-2026", SK, "not a number of the form"),
        ("28-11-2026", SPP, "not a number of the form"),
        ("", SPP, "not a number of the form"),
    ],
)
def test_anything_else_is_refused_with_the_reason(text, template, says) -> None:
    with pytest.raises(ValidationError) as info:
        parse_official_entry(text, template, today=TODAY, field="spp_number")
    assert says in info.value.problems[0].render()


def test_the_refusal_shows_an_example_of_the_centres_own_form() -> None:
    with pytest.raises(ValidationError) as info:
        parse_official_entry("123", "B-{n}/KEU/{year}", today=TODAY, field="spp_number")
    assert "B-12/KEU/2026 28-11-2026" in info.value.problems[0].render()


def test_a_date_before_the_earliest_is_refused_with_the_reason_given() -> None:
    with pytest.raises(ValidationError) as info:
        parse_official_entry(
            "00123/SPP/XI/2026 26-11-2026",
            SPP,
            today=TODAY,
            field="spp_number",
            earliest=dt.date(2026, 11, 27),
            too_early="before the SK ({earliest}): {date}",
        )
    assert info.value.problems[0].render() == "before the SK (27-11-2026): 26-11-2026"
    assert parse_official_entry(
        "00123/SPP/XI/2026 27-11-2026", SPP, today=TODAY, field="spp_number", earliest=dt.date(2026, 11, 27)
    ).date == dt.date(2026, 11, 27)


def test_the_register_makes_numbers_its_own_reader_accepts() -> None:
    fmt = NumberFormat(SK)
    for month in range(1, 12):  # up to November: December 2026 is still to come
        day = dt.date(2026, month, 1)
        made = fmt.make(7, day)
        assert parse_official_entry(f"{made} 01-{month:02d}-2026", SK, today=TODAY, field="sk_number").number == made


@pytest.mark.parametrize(
    ("number", "running"),
    [
        ("SK-045/BRSKPN-GP/XI/2026", 45),
        ("SK-002/BRSKPN-GP/I/2026", 2),  # any month of the year's register
        ("SK-1000/BRSKPN-GP/XII/2026", 1000),  # past the padding
        ("SK-045/BRSKPN-GP/XI/2025", None),  # another year's register
        ("SK-045/BRSKPN-GP/XI/2026-revisi", None),  # not of the form
        ("045/SK/2026", None),
    ],
)
def test_the_running_number_of_a_used_number_is_read_back(number, running) -> None:
    assert NumberFormat(SK).running_number(number, 2026) == running

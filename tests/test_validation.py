"""Table-driven and property tests for bot.domain.validation."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.models import Sex
from bot.domain.validation import (
    BANKS,
    ECHO_LIMIT,
    Bank,
    NikInfo,
    Problem,
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
    split_amount_and_date,
)
from tests.well_formed import assert_problem_well_formed, only_rejected, rejected, rendered

TODAY = date(2026, 3, 10)


# --------------------------------------------------------------------------- Problem / error


def test_problem_params_are_read_only_and_hashable() -> None:
    problem = Problem("NIK must be 16 digits, e.g. {example}", {"example": "3201xxxxxxxxxxxx"})
    with pytest.raises(TypeError):
        problem.params["example"] = "x"
    assert hash(problem) == hash(Problem("NIK must be 16 digits, e.g. {example}", {"example": "y"}))
    assert problem.render() == "NIK must be 16 digits, e.g. 3201xxxxxxxxxxxx"


def test_validation_error_text_keeps_personal_data_out() -> None:
    error = rejected(lambda: parse_name("Budi 123 Santoso"))
    assert "Budi" not in str(error)
    assert isinstance(error, ValueError)
    assert error.problem is error.problems[0]
    with pytest.raises(TypeError):
        ValidationError([])


# --------------------------------------------------------------------------- NIK

VALID_NIKS = [
    # text, province, regency, district, birth date, sex, serial
    ("3201014508900004", "32", "3201", "320101", date(1990, 8, 5), Sex.FEMALE, "0004"),
    ("3201010508900004", "32", "3201", "320101", date(1990, 8, 5), Sex.MALE, "0004"),
    ("3273 0112 0385 0001", "32", "3273", "327301", date(1985, 3, 12), Sex.MALE, "0001"),
    ("3273-01-710199-0002", "32", "3273", "327301", date(1999, 1, 31), Sex.FEMALE, "0002"),
    ("3273.01.710199.0002", "32", "3273", "327301", date(1999, 1, 31), Sex.FEMALE, "0002"),
    ("9171014101000001", "91", "9171", "917101", date(2000, 1, 1), Sex.FEMALE, "0001"),
    ("9601012902040001", "96", "9601", "960101", date(2004, 2, 29), Sex.MALE, "0001"),
    # YY equal to today's YY is this century: 1 March 2026 is before TODAY
    ("3201010103260001", "32", "3201", "320101", date(2026, 3, 1), Sex.MALE, "0001"),
    # YY one above today's YY is last century
    ("3201010103270001", "32", "3201", "320101", date(1927, 3, 1), Sex.MALE, "0001"),
]


@pytest.mark.parametrize(("text", "province", "regency", "district", "born", "sex", "serial"), VALID_NIKS)
def test_parse_nik_valid(
    text: str, province: str, regency: str, district: str, born: date, sex: Sex, serial: str
) -> None:
    info = parse_nik(text, today=TODAY)
    assert info == NikInfo(
        nik=info.nik,
        province_code=province,
        regency_code=regency,
        district_code=district,
        birth_date=born,
        sex=sex,
        serial=serial,
    )
    assert len(info.nik) == 16 and info.nik.isdigit()


def test_digits_of_other_scripts_are_read_as_0_to_9() -> None:
    arabic = "".join(chr(0x660 + int(d)) for d in "3201014508900004")  # ٣٢٠١…, an Arabic keyboard
    full_width = "".join(chr(0xFF10 + int(d)) for d in "3201014508900004")  # ３２０１…, a CJK keyboard
    assert parse_nik(arabic, today=TODAY).nik == parse_nik(full_width, today=TODAY).nik == "3201014508900004"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Please type the NIK"),
        ("   ", "Please type the NIK"),
        ("320101450890000", "you typed 15"),
        ("32010145089000041", "you typed 17"),
        ("3201", "you typed 4"),
        ("32010145O8900004", "digits only"),  # letter O instead of zero
        ("3201014508900004a", "digits only"),
        # full-width digits are read as digits (issue 11.6), so these are 15 of them
        ("３２０１０１４５０８９０００４", "you typed 15"),
        ("9901014508900004", "99 is not one"),  # unknown province
        ("2001014508900004", "20 is not one"),
        ("3200014508900004", "Digits 3–4"),  # regency 00
        ("3201004508900004", "Digits 5–6"),  # district 00
        ("3201013102900004", "310290 is not a real date"),  # 31 Feb
        ("3201017102900004", "710290 is not a real date"),  # woman, 31 Feb
        ("3201013202900004", "320290 is not a real date"),  # day 32
        ("3201010013900004", "001390 is not a real date"),  # day 0, month 13
        ("3201014113900004", "411390 is not a real date"),  # month 13
        ("3201012902230004", "290223 is not a real date"),  # 29 Feb 2023
        ("3201010104260004", "future (01-04-2026)"),  # after TODAY
        ("3201015008900000", "cannot be 0000"),
    ],
)
def test_parse_nik_blocks(text: str, expected: str) -> None:
    error = rejected(lambda: parse_nik(text, today=TODAY))
    assert expected in rendered(error)
    assert all(p.field == "nik" for p in error.problems)


def test_parse_nik_reports_every_problem_at_once() -> None:
    error = rejected(lambda: parse_nik("9900003202900000", today=TODAY))
    text = rendered(error)
    for part in ("99 is not one", "Digits 3–4", "Digits 5–6", "not a real date", "0000"):
        assert part in text
    assert len(error.problems) == 5


def test_parse_nik_wrong_length_message_gives_example() -> None:
    error = rejected(lambda: parse_nik("12345", today=TODAY))
    assert error.problem.params == {"count": 5, "example": "3201xxxxxxxxxxxx"}


@pytest.mark.parametrize(
    ("entered_date", "entered_sex", "fields"),
    [
        (None, None, []),
        (date(1990, 8, 5), Sex.FEMALE, []),
        (date(1990, 8, 6), Sex.FEMALE, ["birth_date"]),
        (date(1990, 8, 5), Sex.MALE, ["sex"]),
        (date(1991, 8, 5), Sex.MALE, ["birth_date", "sex"]),
    ],
)
def test_nik_warnings_for_female_nik(entered_date: date | None, entered_sex: Sex | None, fields: list[str]) -> None:
    info = parse_nik("3201014508900004", today=TODAY)
    warnings = nik_warnings(info, birth_date=entered_date, sex=entered_sex)
    assert [w.field for w in warnings] == fields
    for warning in warnings:
        assert warning.severity == "warn"
        assert_problem_well_formed(warning)


def test_nik_warnings_texts() -> None:
    man = parse_nik("3201010508900004", today=TODAY)
    (sex_warning,) = nik_warnings(man, sex=Sex.FEMALE)
    assert "man's" in sex_warning.render() and "female" in sex_warning.render()
    (date_warning,) = nik_warnings(man, birth_date=date(1990, 5, 8))
    assert date_warning.render().startswith("The NIK gives birth date 05-08-1990, but 08-05-1990")


@pytest.mark.parametrize(
    ("nik", "masked"),
    [
        ("3201014508900004", "3201••••••••0004"),
        ("3201 0145 0890 0004", "3201••••••••0004"),
        ("12345678", "••••••••"),
        ("", ""),
    ],
)
def test_mask_nik(nik: str, masked: str) -> None:
    assert mask_nik(nik) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("1234567890", "••••••7890"),
        ("0021-01-000123-50-7", "•••••••••••3507"),
        ("1234", "••••"),
    ],
)
def test_mask_account(number: str, masked: str) -> None:
    assert mask_account(number) == masked


# --------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("Rp 1.500.000", 1_500_000),
        ("Rp1.500.000", 1_500_000),
        ("Rp. 1.500.000", 1_500_000),
        ("rp1.500.000,00", 1_500_000),
        ("Rp1.500.000,00", 1_500_000),
        ("Rp 1.500.000,-", 1_500_000),
        ("IDR 1,500,000", 1_500_000),
        ("1,500,000.00", 1_500_000),
        ("1 500 000", 1_500_000),
        ("1.500.000 rupiah", 1_500_000),
        ("1,5 juta", 1_500_000),
        ("1.5 juta", 1_500_000),
        ("1,25 jt", 1_250_000),
        ("1,125 juta", 1_125_000),
        ("1,1 juta", 1_100_000),  # exact: no float rounding to 1.099.999
        ("2 jt", 2_000_000),
        ("2jt", 2_000_000),
        ("2 JUTA", 2_000_000),
        ("750 rb", 750_000),
        ("750rb", 750_000),
        ("750 ribu", 750_000),
        ("750k", 750_000),
        ("2,5 ribu", 2_500),
        ("1 miliar", 1_000_000_000),
        ("10.000", 10_000),
        ("1,500", 1_500),  # comma and three digits group thousands
        ("  5000  ", 5_000),
        ("10000000000", 10_000_000_000),  # the ceiling itself is allowed
    ],
)
def test_parse_money_valid(text: str, value: int) -> None:
    assert parse_money(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Please type the amount"),
        ("Rp", "Type the amount in digits"),
        ("-1000", "cannot be negative"),
        ("Rp -1.000", "cannot be negative"),
        ("−1000", "cannot be negative"),
        ("abc", "Type the amount in digits"),
        ("seratus ribu", "Type the amount in digits"),
        ("15 apel", "Type the amount in digits"),
        ("1.500.000 jt", "Type the amount in digits"),
        ("1.50.000", "Type the amount in digits"),
        ("1.500,000.00", "Type the amount in digits"),
        ("1.500.000.00", "Type the amount in digits"),
        ("1,5", "fraction of a rupiah"),
        ("1.500,50", "fraction of a rupiah"),
        ("1,0001 rb", "fraction of a rupiah"),
        ("1.250 juta", "1.250 juta is ambiguous"),
        ("0", "more than 0"),
        ("Rp 0,-", "more than 0"),
        ("10000000001", "far too large"),
        ("50 miliar", "far too large"),
        ("9" * 5000, "far too large"),  # no int() size error
    ],
)
def test_parse_money_blocks(text: str, expected: str) -> None:
    error = rejected(lambda: parse_money(text))
    assert expected in rendered(error)
    assert error.problem.field == "amount"


def test_parse_money_bounds_and_field() -> None:
    error = rejected(lambda: parse_money("6.000.000", field="receipt", maximum=5_000_000))
    assert error.problem.params == {"maximum": 5_000_000}
    assert error.problem.field == "receipt"
    assert parse_money("5.000.000", maximum=5_000_000) == 5_000_000
    error = rejected(lambda: parse_money("5.000", minimum=10_000))
    assert error.problem.params == {"minimum": 10_000}
    assert parse_money("0", minimum=0) == 0


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("12", 12), ("1000", 1000), ("1.000", 1000), (" 7 ", 7)])
def test_parse_quantity_valid(text: str, value: int) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Please type a number"),
        ("0", "more than 0"),
        ("-3", "more than 0"),
        ("2,5", "whole number"),
        ("tiga", "whole number"),
        ("1001", "at most 1000"),
        ("9" * 100, "at most 1000"),
    ],
)
def test_parse_quantity_blocks(text: str, expected: str) -> None:
    assert expected in rendered(rejected(lambda: parse_quantity(text)))


def test_parse_quantity_maximum() -> None:
    assert parse_quantity("50", maximum=50) == 50
    assert rejected(lambda: parse_quantity("51", maximum=50)).problem.params == {"maximum": 50}


# --------------------------------------------------------------------------- dates

AUG_17 = date(2025, 8, 17)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("17-08-2025", AUG_17),
        ("17/08/2025", AUG_17),
        ("17.08.2025", AUG_17),
        ("17 08 2025", AUG_17),
        ("17-8-2025", AUG_17),
        ("2025-08-17", AUG_17),
        ("2025/8/17", AUG_17),
        ("17 Agustus 2025", AUG_17),
        ("17 agustus 2025", AUG_17),
        ("17 AGUSTUS 2025", AUG_17),
        ("17 Agu 2025", AUG_17),
        ("17 Agt 2025", AUG_17),
        ("17 Agu. 2025", AUG_17),
        ("17-Agu-2025", AUG_17),
        ("17 August 2025", AUG_17),
        ("17 Aug 2025", AUG_17),
        ("August 17, 2025", AUG_17),
        ("Minggu, 17 Agustus 2025", AUG_17),
        ("Sunday 17 August 2025", AUG_17),
        ("1 Januari 2026", date(2026, 1, 1)),
        ("5 Pebruari 2026", date(2026, 2, 5)),
        ("5 Februari 2026", date(2026, 2, 5)),
        ("5 Feb 2026", date(2026, 2, 5)),
        ("3 Maret 2026", date(2026, 3, 3)),
        ("3 April 2025", date(2025, 4, 3)),
        ("3 Mei 2025", date(2025, 5, 3)),
        ("3 May 2025", date(2025, 5, 3)),
        ("3 Juni 2025", date(2025, 6, 3)),
        ("3 Juli 2025", date(2025, 7, 3)),
        ("3 September 2025", date(2025, 9, 3)),
        ("3 Sept 2025", date(2025, 9, 3)),
        ("3 Oktober 2025", date(2025, 10, 3)),
        ("3 Okt 2025", date(2025, 10, 3)),
        ("3 October 2025", date(2025, 10, 3)),
        ("3 Nopember 2025", date(2025, 11, 3)),
        ("3 Nov 2025", date(2025, 11, 3)),
        ("3 Desember 2025", date(2025, 12, 3)),
        ("3 Des 2025", date(2025, 12, 3)),
        ("3 Dec 2025", date(2025, 12, 3)),
        ("hari ini", TODAY),
        ("Kemarin", date(2026, 3, 9)),
        ("29-02-2024", date(2024, 2, 29)),
    ],
)
def test_parse_date_valid(text: str, value: date) -> None:
    assert parse_date(text, today=TODAY) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Please type a date"),
        ("17-08-25", "year with 4 digits, e.g. 17-08-2025"),
        ("17/8/25", "year with 4 digits"),
        ("17 Agustus 25", "year with 4 digits"),
        ("17-08-02025", "year with 4 digits"),
        ("17-08-0025", "0025 is not plausible"),
        ("31-02-2025", "no such date: 31-02-2025"),
        ("29-02-2025", "no such date"),
        ("31 April 2025", "no such date"),
        ("00-01-2025", "no such date"),
        ("17-13-2025", "month must be 1 to 12"),
        ("08-17-2025", "month must be 1 to 12"),  # US order
        ("17 Agustusan 2025", "agustusan is not a month name"),
        ("kapan-kapan", "Could not read"),
        ("17082025", "Could not read"),
        ("11-03-2026", "in the future"),
        ("17 Agustus 2026", "in the future. Enter a date up to today (10-03-2026)"),
    ],
)
def test_parse_date_blocks(text: str, expected: str) -> None:
    error = rejected(lambda: parse_date(text, today=TODAY, field="payment_date"))
    assert expected in rendered(error)
    assert error.problem.field == "payment_date"


def test_parse_date_future_and_earliest() -> None:
    assert parse_date("17-08-2026", today=TODAY, allow_future=True) == date(2026, 8, 17)
    error = rejected(lambda: parse_date("01-01-2026", today=TODAY, earliest=date(2026, 2, 1)))
    assert error.problem.params == {"date": "01-01-2026", "earliest": "01-02-2026"}
    assert parse_date("01-02-2026", today=TODAY, earliest=date(2026, 2, 1)) == date(2026, 2, 1)


def test_parse_date_echo_is_truncated() -> None:
    error = rejected(lambda: parse_date("x" * 4000, today=TODAY))
    assert len(str(error.problem.params["value"])) <= ECHO_LIMIT


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Rp 500.000 02-12-2026", ("Rp 500.000", "02-12-2026")),
        ("Rp500.000 02-12-2026", ("Rp500.000", "02-12-2026")),
        ("500000 02-12-2026", ("500000", "02-12-2026")),
        ("500.000 03-12-2026", ("500.000", "03-12-2026")),  # a future date is split too; parse_date refuses it
        ("1 500 000 2 Desember 2026", ("1 500 000", "2 Desember 2026")),
        ("1,5 juta 17 08 2026", ("1,5 juta", "17 08 2026")),
        ("Rp 500.000 hari ini", ("Rp 500.000", "hari ini")),
        ("Rp 500.000 31-02-2026", ("Rp 500.000", "31-02-2026")),  # no date: the amount's head, the date's error
        ("lima ratus ribu kemarin", ("lima ratus ribu", "kemarin")),
        ("abc def", ("abc", "def")),
        ("Rp500.000", ("Rp500.000", "")),
    ],
)
def test_split_amount_and_date(text: str, parts: tuple[str, str]) -> None:
    assert split_amount_and_date(text) == parts


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("11/2026", (2026, 11)),
        ("11-2026", (2026, 11)),
        ("11.2026", (2026, 11)),
        ("3/2026", (2026, 3)),
        ("2026-11", (2026, 11)),
        ("2026/03", (2026, 3)),
        ("November 2026", (2026, 11)),
        ("Nov 2026", (2026, 11)),
        ("nov 2026", (2026, 11)),
        ("Nopember 2026", (2026, 11)),
        ("Agustus 2025", (2025, 8)),
        ("Mei 2026", (2026, 5)),
        ("Des. 2025", (2025, 12)),
        ("03-2025", (2025, 3)),  # exactly 12 months back
        ("03-2027", (2027, 3)),  # exactly 12 months ahead
    ],
)
def test_parse_period_valid(text: str, value: tuple[int, int]) -> None:
    assert parse_period(text, today=TODAY) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Please type a month and year"),
        ("11/26", "year with 4 digits, e.g. 03-2026"),  # (the example is today's month, never a past one)
        ("Nov 26", "year with 4 digits"),
        ("13-2026", "month must be 1 to 12"),
        ("2026-00", "month must be 1 to 12"),
        ("Novem 2026", "novem is not a month name"),
        ("November", "Could not read"),
        ("02-2025", "02-2025 is more than a year away. Enter a month from 03-2025 to 03-2027"),
        ("04-2027", "more than a year away"),
        ("01-1990", "more than a year away"),
    ],
)
def test_parse_period_blocks(text: str, expected: str) -> None:
    error = rejected(lambda: parse_period(text, today=TODAY))
    assert expected in rendered(error)
    assert error.problem.field == "period"


def test_a_proposals_period_is_not_a_month_already_past() -> None:
    error = rejected(lambda: parse_period("02-2026", today=TODAY, from_this_month=True))
    assert "02-2026 has already passed" in rendered(error) and "from 03-2026 to 03-2027" in rendered(error)
    assert parse_period("03-2026", today=TODAY, from_this_month=True) == (2026, 3)
    assert parse_period("02-2026", today=TODAY) == (2026, 2)  # (a report may ask for a past month)


# --------------------------------------------------------------------------- names and text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Budi Santoso", "Budi Santoso"),
        ("  budi   santoso \n", "budi santoso"),
        ("SITI AMINAH", "SITI AMINAH"),
        ("Ma'ruf Amin", "Ma'ruf Amin"),
        ("Ma\u2019ruf Amin", "Ma'ruf Amin"),  # phone keyboards' curly apostrophe
        ("I Gusti Ngurah Rai", "I Gusti Ngurah Rai"),
        ("Drs. H. Ahmad, S.Pd.", "Drs. H. Ahmad, S.Pd."),
        ("Siti-Nur Aisyah", "Siti-Nur Aisyah"),
        ("Jos\u0065\u0301", "José"),  # decomposed accent is normalized
        ("Zw\u200bei", "Zwei"),  # zero-width space dropped
        ("Ab", "Ab"),
        ("a" * 100, "a" * 100),
    ],
)
def test_parse_name_valid(text: str, value: str) -> None:
    assert parse_name(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Please type the name"),
        ("   ", "Please type the name"),
        ("A", "at least 2 letters"),
        ("A.", "at least 2 letters"),
        ("...", "at least 2 letters"),
        ("Budi 2", "cannot contain digits"),
        ("Budi_Santoso", "remove _"),
        ("Budi @ Santoso!", "remove @ !"),
        ("Budi 😀", "remove 😀"),
        ("Bu\x00di", "control characters"),
        ("Budi\u202eSantoso", "control characters"),
        ("a" * 101, "too long: 101 characters, the maximum is 100"),
    ],
)
def test_parse_name_blocks(text: str, expected: str) -> None:
    error = rejected(lambda: parse_name(text, field="client_name"))
    assert expected in rendered(error)
    assert error.problem.field == "client_name"


def test_parse_name_4000_characters_says_the_maximum() -> None:
    error = rejected(lambda: parse_name("Budi " * 800))
    (problem,) = error.problems
    assert problem.params == {"length": 3999, "maximum": 100}
    assert problem.render() == "The name is too long: 3999 characters, the maximum is 100."
    error = rejected(lambda: parse_name("x" * 4000, max_length=60))
    assert error.problem.params == {"length": 4000, "maximum": 60}


def test_parse_name_reports_all_problems() -> None:
    error = rejected(lambda: parse_name("Budi1#" * 30))
    assert {p.message for p in error.problems} >= {
        "A name cannot contain digits.",
        "The name is too long: {length} characters, the maximum is {maximum}.",
    }
    assert any("#" in p.render() for p in error.problems)


@pytest.mark.parametrize(
    ("text", "kwargs", "value"),
    [
        ("  ok  ", {}, "ok"),
        ("line 1  \r\nline 2\t!", {}, "line 1\nline 2 !"),
        ("Terima kasih 🙏", {}, "Terima kasih 🙏"),
        ("👨‍👩‍👧", {}, "👨‍👩‍👧"),  # emoji joined with ZWJ survive
        ("abcde", {"min_length": 5, "max_length": 5}, "abcde"),
    ],
)
def test_parse_free_text_valid(text: str, kwargs: dict[str, int], value: str) -> None:
    assert parse_free_text(text, field="note", **kwargs) == value


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("", {}, "Please type some text"),
        (" \n ", {}, "Please type some text"),
        ("abc", {"min_length": 10}, "too short: 3 characters, at least 10"),
        ("x" * 1001, {}, "too long: 1001 characters, the maximum is 1000"),
        ("abc", {"max_length": 2}, "maximum is 2"),
        ("bell\x07", {}, "control characters"),
    ],
)
def test_parse_free_text_blocks(text: str, kwargs: dict[str, int], expected: str) -> None:
    error = rejected(lambda: parse_free_text(text, field="reason", **kwargs))
    assert expected in rendered(error)
    assert error.problem.field == "reason"


# --------------------------------------------------------------------------- phone, sex


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("0812.3456.789", "+628123456789"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62-812-3456-7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+62 (0)812 3456 7890", "+6281234567890"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("(021) 123-4567", "+62211234567"),
        ("0274 123456", "+62274123456"),
        ("0812345678901", "+62812345678901"),  # 12 digits after 0
    ],
)
def test_parse_phone_valid(text: str, value: str) -> None:
    assert parse_phone(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Please type a phone number"),
        ("0812-ABCD-7890", "only digits"),
        ("+1 415 555 0100", "Only Indonesian numbers"),
        ("+60 12 345 6789", "Only Indonesian numbers"),
        ("12345678901", "starts with 0 or +62"),
        ("0812345", "too short"),
        ("+62 812 345", "too short"),
        ("0812 3456 7890 1234", "too long"),
        ("00812345678", "not a valid phone number"),
        ("0112345678", "not a valid phone number"),
    ],
)
def test_parse_phone_blocks(text: str, expected: str) -> None:
    error = rejected(lambda: parse_phone(text))
    assert expected in rendered(error)
    assert error.problem.field == "phone"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("L", Sex.MALE),
        ("l", Sex.MALE),
        ("Laki-laki", Sex.MALE),
        ("LAKI LAKI", Sex.MALE),
        ("pria", Sex.MALE),
        ("Male", Sex.MALE),
        (" lk. ", Sex.MALE),
        ("P", Sex.FEMALE),
        ("Perempuan", Sex.FEMALE),
        ("wanita", Sex.FEMALE),
        ("FEMALE", Sex.FEMALE),
    ],
)
def test_parse_sex_valid(text: str, value: Sex) -> None:
    assert parse_sex(text) is value


@pytest.mark.parametrize("text", ["", "x", "laki2", "unknown", "LP"])
def test_parse_sex_blocks(text: str) -> None:
    assert "Answer L (laki-laki) or P (perempuan)." in rendered(rejected(lambda: parse_sex(text)))


# --------------------------------------------------------------------------- banks


@pytest.mark.parametrize(
    ("code", "transfer_code", "usual_length"),
    [
        ("bri", "002", 15),
        ("mandiri", "008", 13),
        ("bni", "009", 10),
        ("bca", "014", 10),
        ("bsi", "451", 10),
        ("btn", "200", 16),
        ("cimb", "022", None),
        ("danamon", "011", None),
        ("permata", "013", None),
        ("bjb", "110", None),
    ],
)
def test_bank_facts(code: str, transfer_code: str, usual_length: int | None) -> None:
    bank = BANKS[code]
    assert (bank.code, bank.transfer_code, bank.usual_length) == (code, transfer_code, usual_length)


def test_bank_table_is_consistent() -> None:
    assert all(code == bank.code for code, bank in BANKS.items())
    transfer_codes = [bank.transfer_code for bank in BANKS.values()]
    assert len(set(transfer_codes)) == len(transfer_codes)
    assert all(len(c) == 3 and c.isdigit() for c in transfer_codes)
    # every bank is found by its id, its name and its transfer code
    for bank in BANKS.values():
        assert find_bank(bank.code) is bank
        assert find_bank(bank.name) is bank
        assert find_bank(bank.transfer_code) is bank


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("bri", "bri"),
        ("BRI", "bri"),
        ("Bank BRI", "bri"),
        ("  bank   bri ", "bri"),
        ("PT Bank Rakyat Indonesia (Persero) Tbk", "bri"),
        ("002", "bri"),
        ("2", "bri"),
        ("Bank Mandiri", "mandiri"),
        ("BNI 46", "bni"),
        ("bca", "bca"),
        ("Bank Central Asia", "bca"),
        ("Mandiri Syariah", "bsi"),
        ("BSI", "bsi"),
        ("btn", "btn"),
        ("CIMB Niaga", "cimb"),
        ("cimb", "cimb"),
        ("BPD Jabar", "bjb"),
        ("Bank BJB", "bjb"),
        ("110", "bjb"),
        ("Permata", "permata"),
        ("danamon", "danamon"),
    ],
)
def test_find_bank(text: str, code: str) -> None:
    bank = find_bank(text)
    assert bank is not None and bank.code == code


@pytest.mark.parametrize("text", ["", "bank", "Bank Antah Berantah", "999", "0020", "bri bca"])
def test_find_bank_unknown(text: str) -> None:
    assert find_bank(text) is None


@pytest.mark.parametrize(
    ("code", "text", "digits", "warn"),
    [
        ("bri", "0021-01-000123-50-7", "002101000123507", False),  # 15
        ("bri", "1234567890", "1234567890", True),
        ("mandiri", "123 000 456 7890", "1230004567890", False),  # 13
        ("mandiri", "1234567890", "1234567890", True),
        ("bni", "0123456789", "0123456789", False),
        ("bni", "01234567890", "01234567890", True),
        ("bca", "123.456.7890", "1234567890", False),
        ("bca", "123456789", "123456789", True),
        ("bsi", "7123456789", "7123456789", False),
        ("bsi", "712345678901", "712345678901", True),
        ("btn", "0001601500123456", "0001601500123456", False),  # 16
        ("btn", "000160150012345", "000160150012345", True),
        ("cimb", "12345678", "12345678", False),  # no usual length: never warns
        ("cimb", "123456789012345678", "123456789012345678", False),
    ],
)
def test_parse_account_number(code: str, text: str, digits: str, warn: bool) -> None:
    bank = BANKS[code]
    number, warnings = parse_account_number(text, bank)
    assert number == digits
    if warn:
        (warning,) = warnings
        assert warning.severity == "warn" and warning.field == "account_number"
        assert_problem_well_formed(warning)
        assert warning.params == {
            "bank": bank.name,
            "expected": bank.usual_length,
            "count": len(digits),
        }
    else:
        assert warnings == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Please type the account number"),
        ("12345A7890", "digits only"),
        ("1234567", "8 to 18 digits, but you typed 7"),
        ("1" * 19, "you typed 19"),
    ],
)
def test_parse_account_number_blocks(text: str, expected: str) -> None:
    error = rejected(lambda: parse_account_number(text, BANKS["bri"]))
    assert expected in rendered(error)


@pytest.mark.parametrize(
    ("holder", "client"),
    [
        ("BUDI SANTOSO", "Budi Santoso"),
        ("Budi  Santoso.", "budi santoso"),
        ("Bpk. Budi Santoso", "Budi Santoso"),
        ("Sdr Budi Santoso", "Budi Santoso"),
        ("Ibu Hj. Siti Aminah", "Siti Aminah"),
        ("A/N Siti Aminah", "Ibu Siti Aminah"),
        ("Nurhaliza", "Nur Haliza"),
        ("Ma'ruf", "Maruf"),
        ("José", "Jose"),
    ],
)
def test_holder_name_matches(holder: str, client: str) -> None:
    assert holder_name_warning(holder, client) is None


@pytest.mark.parametrize(
    ("holder", "client"),
    [
        ("Budi Santoso", "Budi Susanto"),
        ("Siti Aminah", "Budi Santoso"),
        ("Budi", "Budi Santoso"),
        ("", "Budi Santoso"),
        ("Ibu", "Ibu"),
    ],
)
def test_holder_name_mismatch_warns(holder: str, client: str) -> None:
    warning = holder_name_warning(holder, client)
    assert warning is not None
    assert warning.severity == "warn" and warning.field == "holder_name"
    assert_problem_well_formed(warning)


def test_holder_name_warning_truncates_echo() -> None:
    warning = holder_name_warning("A" * 300, "Budi")
    assert warning is not None
    assert len(str(warning.params["holder"])) == ECHO_LIMIT


def test_bank_is_frozen() -> None:
    with pytest.raises(AttributeError):
        BANKS["bri"].usual_length = 10
    assert isinstance(BANKS["bri"], Bank)


# --------------------------------------------------------------------------- properties

# Characters users and their keyboards actually produce, weighted toward what parsers look at.
_INTERESTING = st.sampled_from(list("0123456789 .,-/+()RrPpJjTtKkAaGgUuSs:'’\u00a0\n\t\x00\u202e٣²"))
_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(_INTERESTING, max_size=30),
    st.from_regex(r"\A(Rp\.? ?)?-?[0-9]{1,16}([.,][0-9]{1,4}){0,4}( ?(juta|jt|rb|ribu|k|miliar))?\Z"),
    st.from_regex(r"\A[0-9]{1,4}[-/. ]([0-9]{1,4}|[A-Za-z]{3,9})[-/., ]{1,2}[0-9]{0,6}\Z"),
    st.from_regex(r"\A\+?(62|0)?[0-9 ()-]{0,20}\Z"),
    st.from_regex(r"\A[0-9]{16}\Z"),
)


@settings(max_examples=400)
@given(_TEXT)
def test_parsers_raise_only_validation_errors(text: str) -> None:
    only_rejected(lambda: parse_nik(text, today=TODAY))
    only_rejected(lambda: parse_money(text, maximum=5_000_000))
    only_rejected(lambda: parse_date(text, today=TODAY, earliest=date(2020, 1, 1)))
    only_rejected(lambda: parse_period(text, today=TODAY))
    only_rejected(lambda: parse_name(text))
    only_rejected(lambda: parse_phone(text))
    only_rejected(lambda: parse_quantity(text))
    only_rejected(lambda: parse_free_text(text, field="note", min_length=2, max_length=40))
    only_rejected(lambda: parse_sex(text))
    only_rejected(lambda: parse_account_number(text, BANKS["bri"]))


@settings(max_examples=300)
@given(
    st.integers(min_value=0, max_value=99).map(lambda n: f"{n:02d}"),
    st.integers(min_value=0, max_value=99_99_99_99_99).map(lambda n: f"{n:010d}"),
    st.integers(min_value=0, max_value=9999).map(lambda n: f"{n:04d}"),
)
def test_parse_nik_structured(province: str, middle: str, serial: str) -> None:
    nik = province + middle + serial
    try:
        info = parse_nik(nik, today=TODAY)
    except ValidationError as error:
        for problem in error.problems:
            assert_problem_well_formed(problem)
        return
    assert info.nik == nik
    assert info.birth_date <= TODAY
    assert info.serial != "0000"
    assert int(nik[6:8]) == info.birth_date.day + (40 if info.sex is Sex.FEMALE else 0)
    assert mask_nik(nik) == nik[:4] + "•" * 8 + nik[-4:]


@given(st.integers(min_value=1, max_value=10_000_000_000))
def test_parse_money_round_trips_indonesian_format(value: int) -> None:
    grouped = f"{value:,}".replace(",", ".")
    assert parse_money(grouped) == value
    assert parse_money(f"Rp{grouped},00") == value
    assert parse_money(str(value)) == value


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
def test_parse_date_round_trips(value: date) -> None:
    assert parse_date(value.strftime("%d-%m-%Y"), today=TODAY) == value
    assert parse_date(value.isoformat(), today=TODAY) == value
    assert parse_date(value.strftime("%d %B %Y"), today=TODAY) == value  # English month names


@given(st.from_regex(r"\A8[0-9]{8,12}\Z"))
def test_parse_phone_formats_agree(national: str) -> None:
    expected = "+62" + national
    assert parse_phone("0" + national) == expected
    assert parse_phone("+62 " + national) == expected
    assert parse_phone("62" + national) == expected

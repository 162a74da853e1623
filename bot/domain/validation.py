"""Parsing and checking what users type: NIK, money, dates, names, phones, bank accounts.

Every function here is pure. Rejected input raises :class:`ValidationError` carrying one or more
:class:`Problem` values; doubtful but acceptable input yields ``Problem(severity="warn")``.
A problem's ``message`` is an English msgid marked with ``N_`` and its ``params`` fill the named
placeholders, so a handler renders it for the recipient with
``translator.gettext(problem.message).format(**problem.params)``.

Messages say what was wrong and what is expected, with an example; they never echo more than
``ECHO_LIMIT`` characters of the user's input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Literal

from bot.domain.models import Sex
from bot.domain.problem_text import ProblemText
from bot.domain.regions import is_known_province_code
from bot.i18n import N_

__all__ = [
    "BANKS",
    "ECHO_LIMIT",
    "Bank",
    "NikInfo",
    "Problem",
    "ValidationError",
    "find_bank",
    "holder_name_warning",
    "mask_account",
    "mask_nik",
    "nik_warnings",
    "parse_account_number",
    "parse_date",
    "parse_free_text",
    "parse_money",
    "parse_name",
    "parse_nik",
    "parse_period",
    "parse_phone",
    "parse_quantity",
    "parse_sex",
    "refuse_before",
    "split_amount_and_date",
]

Severity = Literal["block", "warn"]

# Longest piece of user input a message may quote back (a phone screen line, and no more personal
# data than needed).
ECHO_LIMIT = 50

NIK_EXAMPLE = "3201xxxxxxxxxxxx"
DATE_EXAMPLE = "17-08-2025"
# A birth date's example is a plausible one: the question and its error say the same date.
BIRTH_DATE_EXAMPLE = "17-08-1990"
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
PERIOD_EXAMPLE = "11-2026"
MONEY_EXAMPLE = "1.500.000"
PHONE_EXAMPLE = "0812-3456-7890"

# No single ATENSI payment or receipt comes near this; a bigger number is a typo (extra zeros).
ABSURD_AMOUNT = 10_000_000_000


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem(ProblemText):
    """One thing wrong (``block``) or doubtful (``warn``) about an input.

    ``message`` is an N_-marked English msgid with ``{named}`` placeholders, all of them keys of
    ``params`` (:class:`~bot.domain.problem_text.ProblemText`). ``field`` names the input it is
    about (``"nik"``, ``"birth_date"``, …).
    """

    severity: Severity = "block"
    field: str | None = None


class ValidationError(ValueError):
    """Input rejected; ``problems`` holds the blocking problems (at least one)."""

    def __init__(self, problems: Problem | Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = (problems,) if isinstance(problems, Problem) else tuple(problems)
        if not self.problems:
            raise TypeError("ValidationError needs at least one problem")
        # Only msgids and field names go into the exception text: params may hold personal data
        # (a name, part of a NIK) and exception text ends up in logs.
        super().__init__("; ".join(f"{p.field or '-'}: {p.message}" for p in self.problems))

    @property
    def problem(self) -> Problem:
        """The first problem (handlers that show one line show this one)."""
        return self.problems[0]


def _block(message: str, field: str | None, **params: object) -> Problem:
    return Problem(message=message, params=params, severity="block", field=field)


def _warn(message: str, field: str | None, **params: object) -> Problem:
    return Problem(message=message, params=params, severity="warn", field=field)


def _fail(message: str, field: str | None, **params: object) -> ValidationError:
    return ValidationError(_block(message, field, **params))


def _echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """Quote user input back safely: one line, at most ``limit`` characters."""
    flat = " ".join(text.split())
    flat = "".join(c if c.isprintable() else "?" for c in flat)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _format_date(value: date) -> str:
    """DD-MM-YYYY, the form every example uses (params stay plain strings for .format)."""
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


# Separators people put in long numbers (NIK, accounts): spaces, dots, dashes of every kind.
_NUMBER_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def ascii_digits(text: str) -> str:
    """Digits of any script (Arabic-Indic ٣٢٠١, full-width ３２０１, …) as 0–9, the rest as it is.

    Phones may type them with another keyboard; the record keeps the digits every office reads."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def _is_digits(text: str) -> bool:
    # str.isdigit() also accepts "²" and Arabic-Indic digits, which int() or banks reject.
    return _ASCII_DIGITS.fullmatch(text) is not None


# --------------------------------------------------------------------------- NIK


@dataclass(frozen=True)
class NikInfo:
    """What a valid NIK says about its holder."""

    nik: str  # 16 digits
    province_code: str  # 2 digits, e.g. "32"
    regency_code: str  # 4 digits, e.g. "3201"
    district_code: str  # 6 digits, e.g. "320101"
    birth_date: date
    sex: Sex
    serial: str  # 4 digits, never "0000"


NIK_LENGTH = 16


def parse_nik(text: str, *, today: date) -> NikInfo:
    """Parse a NIK (Nomor Induk Kependudukan), ignoring spaces, dots and dashes.

    Layout: province(2) regency(2) district(2) birth date DDMMYY, where women's day is
    increased by 40, then a serial(4). Blocks wrong length, non-digits, an unknown province,
    regency or district "00", an impossible or future birth date and serial 0000; all blocking
    problems of a 16-digit NIK are reported together.

    Century rule: YY above today's two-digit year is 19YY, otherwise 20YY. Holders are therefore
    taken to be 0–99 years old, which fits every client of this program; a 100-year-old's NIK
    would read as a recent birth date (not rejected unless that date is in the future).
    """
    nik = _NUMBER_SEPARATORS.sub("", ascii_digits(text))
    if not nik:
        raise _fail(N_("Please type the NIK: 16 digits, e.g. {example}."), "nik", example=NIK_EXAMPLE)
    if not _is_digits(nik):
        raise _fail(N_("A NIK has digits only (16 digits, e.g. {example})."), "nik", example=NIK_EXAMPLE)
    if len(nik) != NIK_LENGTH:
        raise _fail(
            N_("A NIK has 16 digits, but you typed {count}. Example: {example}."),
            "nik",
            count=len(nik),
            example=NIK_EXAMPLE,
        )

    problems: list[Problem] = []
    province, regency, district = nik[0:2], nik[2:4], nik[4:6]
    if not is_known_province_code(province):
        problems.append(
            _block(
                N_("A NIK starts with a province code, and {code} is not one. Check the first 2 digits."),
                "nik",
                code=province,
            )
        )
    if regency == "00":
        problems.append(_block(N_("Digits 3–4 of a NIK (the regency) cannot be 00."), "nik"))
    if district == "00":
        problems.append(_block(N_("Digits 5–6 of a NIK (the district) cannot be 00."), "nik"))

    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = Sex.FEMALE if day > 40 else Sex.MALE
    if sex is Sex.FEMALE:
        day -= 40
    year = 1900 + yy if yy > today.year % 100 else 2000 + yy
    birth_date: date | None
    try:
        birth_date = date(year, month, day)
    except ValueError:
        birth_date = None
        problems.append(
            _block(
                N_(
                    "Digits 7–12 of a NIK are the birth date DDMMYY (women: day + 40), and {digits} is not a real date."
                ),
                "nik",
                digits=nik[6:12],
            )
        )
    if birth_date is not None and birth_date > today:
        problems.append(
            _block(
                N_("This NIK gives a birth date in the future ({date}). Check digits 7–12."),
                "nik",
                date=_format_date(birth_date),
            )
        )
    serial = nik[12:]
    if serial == "0000":
        problems.append(_block(N_("The last 4 digits of a NIK cannot be 0000."), "nik"))
    if problems:
        raise ValidationError(problems)
    assert birth_date is not None  # every path that leaves it None added a problem
    return NikInfo(
        nik=nik,
        province_code=province,
        regency_code=nik[0:4],
        district_code=nik[0:6],
        birth_date=birth_date,
        sex=sex,
        serial=serial,
    )


def nik_warnings(info: NikInfo, *, birth_date: date | None = None, sex: Sex | None = None) -> list[Problem]:
    """Warnings when the entered birth date or sex differ from what the NIK encodes.

    A mismatch is usually a typo in one of the two, but may be a NIK issued with an error, so
    it warns rather than blocks. (Double assistance across IPWL needs storage: see services.)
    """
    problems: list[Problem] = []
    if birth_date is not None and birth_date != info.birth_date:
        problems.append(
            _warn(
                N_("The NIK gives birth date {nik_date}, but {entered_date} was entered. Please check both."),
                "birth_date",
                nik_date=_format_date(info.birth_date),
                entered_date=_format_date(birth_date),
            )
        )
    if sex is not None and sex != info.sex:
        # Two whole sentences rather than a {sex} placeholder, so each translates naturally.
        if info.sex is Sex.FEMALE:
            message = N_("The NIK is a woman's (birth day + 40), but male was entered. Please check both.")
        else:
            message = N_("The NIK is a man's, but female was entered. Please check both.")
        problems.append(_warn(message, "sex"))
    return problems


_MASK = "•"


def mask_nik(nik: str) -> str:
    """Show only the first 4 and last 4 digits: ``"3201••••••••0004"``.

    Input of 8 characters or fewer is masked entirely (showing 4+4 would show all of it).
    """
    digits = _NUMBER_SEPARATORS.sub("", nik)
    if len(digits) <= 8:
        return _MASK * len(digits)
    return digits[:4] + _MASK * (len(digits) - 8) + digits[-4:]


def mask_account(number: str) -> str:
    """Show only the last 4 digits of an account number: ``"••••••7890"``.

    Input of 4 characters or fewer is masked entirely.
    """
    digits = _NUMBER_SEPARATORS.sub("", number)
    if len(digits) <= 4:
        return _MASK * len(digits)
    return _MASK * (len(digits) - 4) + digits[-4:]


# --------------------------------------------------------------------------- money, quantities

_MULTIPLIERS: Mapping[str, int] = MappingProxyType(
    {
        "rb": 1_000,
        "rbu": 1_000,
        "ribu": 1_000,
        "k": 1_000,
        "thousand": 1_000,
        "jt": 1_000_000,
        "jta": 1_000_000,
        "juta": 1_000_000,
        "million": 1_000_000,
        "miliar": 1_000_000_000,
        "milyar": 1_000_000_000,
        "billion": 1_000_000_000,
    }
)
_CURRENCY_PREFIX = re.compile(r"^(?:rp\.?|idr)\s*")
_CURRENCY_SUFFIX = re.compile(r"\s*(?:rupiah|idr)$")
# "Rp 1.500.000,-" and "1.500.000,—" mean "no cents"; so do ",00" and ".00" (handled below).
_NO_CENTS_DASH = re.compile(r"[.,]\s*[-\u2013\u2014]$")
_WITH_MULTIPLIER = re.compile(r"^(\d{1,12})(?:([.,])(\d{1,6}))?\s*([a-z]+)$", re.ASCII)
_PLAIN_NUMBER = re.compile(r"^\d[\d., ]*$", re.ASCII)
# More digits than this cannot be a plausible amount; also keeps int() far from its size limit.
_MAX_AMOUNT_DIGITS = 15


def parse_money(
    text: str, *, field: str = "amount", minimum: int = 1, maximum: int | None = None, absurd: int = ABSURD_AMOUNT
) -> int:
    """Parse a Rupiah amount into an integer number of rupiah.

    Accepts ``1500000``, ``1.500.000``, ``Rp 1.500.000``, ``Rp1.500.000,00``, ``Rp 1.500.000,-``,
    ``1,500,000``, ``1 500 000``, and words: ``1,5 juta``, ``2 jt``, ``750 rb``/``ribu``/``k``,
    ``1 miliar``. A separator followed by exactly three digits groups thousands; one followed by
    one or two digits is a decimal mark, allowed only for zero cents. With a word, ``1.250 juta``
    is ambiguous (1,25 juta or 1.250 juta?) and is refused with a request for the full number.

    Rejects empty input, negatives, letters, fractions of a rupiah, values below ``minimum`` or
    above ``maximum`` (raw int in ``params["maximum"]`` for the caller to format as Rupiah), and
    values above Rp10.000.000.000 (a typo; ``absurd`` raises that guard for a whole year's budget).
    """
    s = " ".join(ascii_digits(text).casefold().split())
    if not s:
        raise _fail(N_("Please type the amount in rupiah, e.g. {example}."), field, example=MONEY_EXAMPLE)
    s = _CURRENCY_SUFFIX.sub("", _CURRENCY_PREFIX.sub("", s)).strip()
    if s.startswith(("-", "\u2212", "\u2013")):
        raise _fail(N_("The amount cannot be negative."), field)
    s = _NO_CENTS_DASH.sub("", s).strip()

    multiplied = _WITH_MULTIPLIER.match(s)
    if multiplied is not None and multiplied.group(4) in _MULTIPLIERS:
        value = _amount_with_multiplier(multiplied, field)
    elif _PLAIN_NUMBER.match(s):
        value = _plain_amount(s, field)
    else:
        raise _fail(
            N_("Type the amount in digits, e.g. {example} or 1,5 juta."),
            field,
            example=MONEY_EXAMPLE,
        )

    if value > absurd:
        raise _fail(N_("That amount is far too large. Check the number of zeros."), field)
    if value < minimum:
        if minimum <= 1:
            raise _fail(N_("The amount must be more than 0."), field)
        raise _fail(N_("The amount must be at least {minimum}."), field, minimum=minimum)
    if maximum is not None and value > maximum:
        raise _fail(N_("The amount is above the maximum of {maximum}."), field, maximum=maximum)
    return value


def _amount_with_multiplier(match: re.Match[str], field: str) -> int:
    whole, separator, fraction, word = match.groups()
    factor = _MULTIPLIERS[word]
    if separator == "." and fraction is not None and len(fraction) == 3:
        # In Indonesian "1.250" is one thousand two hundred fifty; many still mean 1.25. Guessing
        # wrong pays out 1000 times too much or too little, so ask.
        raise _fail(
            N_("{value} is ambiguous. Write the full amount, e.g. {example}."),
            field,
            value=_echo(match.group(0)),
            example=MONEY_EXAMPLE,
        )
    fraction = fraction or ""
    # Exact integer arithmetic: float would turn "1,1 juta" into 1099999.
    numerator = int(whole + fraction) * factor
    denominator = 10 ** len(fraction)
    if numerator % denominator:
        raise _fail(
            N_("An amount in rupiah cannot have a fraction of a rupiah, e.g. {example}."),
            field,
            example=MONEY_EXAMPLE,
        )
    return numerator // denominator


def _plain_amount(s: str, field: str) -> int:
    """Digits with thousands separators and optionally zero cents; see parse_money."""
    not_a_number = _fail(N_("Type the amount in digits, e.g. {example} or 1,5 juta."), field, example=MONEY_EXAMPLE)
    # A trailing separator with 1–2 digits is a decimal mark (",00" / ".50").
    decimal = re.search(r"([.,])([0-9]{1,2})$", s)
    if decimal is not None:
        if set(decimal.group(2)) != {"0"}:
            raise _fail(
                N_("An amount in rupiah cannot have a fraction of a rupiah, e.g. {example}."),
                field,
                example=MONEY_EXAMPLE,
            )
        decimal_mark = decimal.group(1)
        s = s[: decimal.start()]
    else:
        decimal_mark = None
    groups = re.split(r"([., ])", s)
    digits, separators = groups[0::2], set(groups[1::2])
    if len(separators) > 1 or (decimal_mark is not None and decimal_mark in separators):
        raise not_a_number  # "1.500,000.00" and the like: no consistent reading
    if separators:
        # Thousands grouping: 1–3 leading digits, then groups of exactly 3.
        if not (1 <= len(digits[0]) <= 3 and all(len(g) == 3 for g in digits[1:])):
            raise not_a_number
    number = "".join(digits)
    if not _is_digits(number):
        raise not_a_number
    if len(number.lstrip("0")) > _MAX_AMOUNT_DIGITS:
        return ABSURD_AMOUNT + 1
    return int(number)


def parse_quantity(text: str, *, maximum: int = 1000, field: str = "quantity") -> int:
    """Parse a positive whole number (1 to ``maximum``); ``1.000`` is read as one thousand."""
    s = ascii_digits(text).strip()
    if not s:
        raise _fail(N_("Please type a number, e.g. {example}."), field, example=3)
    if s.startswith(("-", "\u2212")):
        raise _fail(N_("The number must be more than 0."), field)
    if re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{3})+", s):
        s = s.replace(".", "")
    if not _is_digits(s):
        raise _fail(N_("Type a whole number in digits, e.g. {example}."), field, example=3)
    # Length check before int(): absurdly long digit strings are "too many", not an error.
    value = int(s) if len(s.lstrip("0")) <= 12 else maximum + 1
    if value < 1:
        raise _fail(N_("The number must be more than 0."), field)
    if value > maximum:
        raise _fail(N_("The number can be at most {maximum}."), field, maximum=maximum)
    return value


# --------------------------------------------------------------------------- dates and periods

_MONTHS: Mapping[str, int] = MappingProxyType(
    {
        # Indonesian, with the older spellings still printed on documents (Pebruari, Nopember)
        "januari": 1, "jan": 1,
        "februari": 2, "pebruari": 2, "feb": 2, "peb": 2,
        "maret": 3, "mar": 3,
        "april": 4, "apr": 4,
        "mei": 5,
        "juni": 6, "jun": 6,
        "juli": 7, "jul": 7,
        "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agus": 8,
        "september": 9, "sep": 9, "sept": 9,
        "oktober": 10, "okt": 10,
        "november": 11, "nopember": 11, "nov": 11, "nop": 11,
        "desember": 12, "des": 12,
        # English (the abbreviations not already above)
        "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7,
        "august": 8, "aug": 8, "october": 10, "oct": 10, "december": 12, "dec": 12,
    }
)  # fmt: skip

_WEEKDAYS = (
    "senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    "sen|sel|rab|kam|jum|sab|min|mon|tue|wed|thu|fri|sat|sun"
)
_WEEKDAY_PREFIX = re.compile(rf"^(?:{_WEEKDAYS})\b\.?,?\s*")
_SEP = r"[-/.\s]"
_NUMERIC_DMY = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d+)$", re.ASCII)
_NUMERIC_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$", re.ASCII)
_TEXT_DMY = re.compile(r"^(\d{1,2})[-/.\s]*([a-z]+)\.?[-/.,\s]*(\d+)$", re.ASCII)
_TEXT_MDY = re.compile(r"^([a-z]+)\.?\s*(\d{1,2}),?\s+(\d+)$", re.ASCII)
_TODAY_WORDS = frozenset({"hari ini", "today", "sekarang"})
_YESTERDAY_WORDS = frozenset({"kemarin", "yesterday"})
_EARLIEST_YEAR = 1900
_LATEST_YEAR = 2100


def parse_date(
    text: str,
    *,
    today: date,
    field: str = "date",
    allow_future: bool = False,
    earliest: date | None = None,
    latest: date | None = None,
    example: str = DATE_EXAMPLE,
) -> date:
    """Parse a calendar date written the Indonesian way (day first).

    Accepts ``17-08-2025``, ``17/08/2025``, ``17.08.2025``, ``17 08 2025``, ``2025-08-17``,
    ``17 Agustus 2025``, ``17 Agu 2025``, ``17 August 2025``, ``August 17, 2025``, an optional
    leading weekday (``Senin, 17 Agustus 2025``), and ``hari ini``/``kemarin`` (today/yesterday).
    Month names and abbreviations in Indonesian and English, any case.

    Two-digit years are refused (``17-08-25``: 1925 or 2025?). Impossible dates
    (``31-02-2025``), dates after ``today`` (unless ``allow_future``), dates before
    ``earliest`` and after ``latest`` are refused with a message saying why; a message that gives
    an example gives ``example`` (the one the question showed).
    """
    s = " ".join(ascii_digits(text).casefold().split())
    if not s:
        raise _fail(N_("Please type a date, e.g. {example}."), field, example=example)
    if s in _TODAY_WORDS:
        value = today
    elif s in _YESTERDAY_WORDS:
        value = today - timedelta(days=1)
    else:
        value = _read_date(_WEEKDAY_PREFIX.sub("", s), text, field, example)
    if not allow_future and value > today:
        raise _fail(
            N_("{date} is in the future. Enter a date up to today ({today})."),
            field,
            date=_format_date(value),
            today=_format_date(today),
        )
    if earliest is not None and value < earliest:
        raise _fail(
            N_("{date} is too early. Enter a date from {earliest} on."),
            field,
            date=_format_date(value),
            earliest=_format_date(earliest),
        )
    if latest is not None and value > latest:
        # A typo of the year (2099 for 2029) would otherwise run silently for decades.
        raise _fail(
            N_("{date} is too far ahead. Enter a date up to {latest}."),
            field,
            date=_format_date(value),
            latest=_format_date(latest),
        )
    return value


def refuse_before(value: date, earliest: date | None, too_early: str, field: str) -> None:
    """Refuse ``value`` if it is before ``earliest`` (None: no bound) with ``too_early``, a msgid
    whose ``{date}`` and ``{earliest}`` say why it cannot be earlier (the SP2D before its SPM)."""
    if earliest is not None and value < earliest:
        raise _fail(too_early, field, date=_format_date(value), earliest=_format_date(earliest))


def parse_birth_date(text: str, *, today: date) -> date:
    """A client's birth date: :func:`parse_date` from 1900 up to today, its errors giving
    :data:`BIRTH_DATE_EXAMPLE` (the example the question shows)."""
    return parse_date(text, today=today, field="birth_date", earliest=EARLIEST_BIRTH_DATE, example=BIRTH_DATE_EXAMPLE)


def split_amount_and_date(text: str) -> tuple[str, str]:
    """``"Rp 500.000 02-12-2026"`` → ``("Rp 500.000", "02-12-2026")``: an amount and a date typed on
    one line, split for :func:`parse_money` and :func:`parse_date` (each then says what is wrong).

    The date is the longest tail that reads as a date, so the amount may be written any way
    parse_money reads (``Rp 500.000``, ``Rp500.000``, ``500000``, ``1,5 juta``) and the date any way
    parse_date reads (``02-12-2026``, ``2 Desember 2026``, ``hari ini``). With no such tail (an
    impossible date, say), the longest head that reads as an amount, so the date's own error is
    shown; failing that, the first word and the rest. One word only: ``(text, "")``.
    """
    parts = text.split()
    if len(parts) < 2:
        return " ".join(parts), ""
    for cut in range(1, len(parts)):
        try:
            parse_date(" ".join(parts[cut:]), today=date.max, field="date")
        except ValidationError:
            continue
        return " ".join(parts[:cut]), " ".join(parts[cut:])
    for cut in range(len(parts) - 1, 0, -1):
        try:
            parse_money(" ".join(parts[:cut]), minimum=0, absurd=10**_MAX_AMOUNT_DIGITS)
        except ValidationError:
            continue
        return " ".join(parts[:cut]), " ".join(parts[cut:])
    return parts[0], " ".join(parts[1:])


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29th in a year without one)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _read_date(s: str, original: str, field: str, example: str) -> date:
    """Turn normalized text into (day, month, year) and then a date, or raise."""
    day_text: str
    month: int
    year_text: str
    if m := _NUMERIC_YMD.match(s):
        year_text, month, day_text = m.group(1), int(m.group(2)), m.group(3)
    elif m := _NUMERIC_DMY.match(s):
        day_text, month, year_text = m.group(1), int(m.group(2)), m.group(3)
    elif m := _TEXT_DMY.match(s):
        day_text, month, year_text = m.group(1), _month(m.group(2), field), m.group(3)
    elif m := _TEXT_MDY.match(s):
        month, day_text, year_text = _month(m.group(1), field), m.group(2), m.group(3)
    else:
        raise _fail(
            N_("Could not read {value} as a date. Write day-month-year, e.g. {example}."),
            field,
            value=_echo(original),
            example=example,
        )
    year = _four_digit_year(year_text, field, example)
    if not 1 <= month <= 12:
        raise _fail(
            N_("The month must be 1 to 12 (day-month-year, e.g. {example})."),
            field,
            example=example,
        )
    try:
        return date(year, month, int(day_text))
    except ValueError:
        raise _fail(
            N_("There is no such date: {value}. Check the day and the month."),
            field,
            value=_echo(original),
        ) from None


def _month(word: str, field: str, example: str = "17 Agustus 2025") -> int:
    """Month number of an Indonesian or English month name or abbreviation, or raise."""
    month = _MONTHS.get(word)
    if month is None:
        raise _fail(
            N_("{value} is not a month name. Write e.g. {example}."),
            field,
            value=_echo(word, 20),
            example=example,
        )
    return month


def _four_digit_year(year_text: str, field: str, example: str) -> int:
    if len(year_text) != 4:
        # Two digits are ambiguous (1925 or 2025?) and three or five are typos.
        raise _fail(N_("Write the year with 4 digits, e.g. {example}."), field, example=example)
    year = int(year_text)
    if not _EARLIEST_YEAR <= year <= _LATEST_YEAR:
        raise _fail(
            N_("The year {year} is not plausible. Write the year with 4 digits, e.g. {example}."),
            field,
            year=year_text,
            example=example,
        )
    return year


_PERIOD_MY = re.compile(r"^(\d{1,2})\s*[-/.\s]\s*(\d+)$", re.ASCII)
_PERIOD_YM = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$", re.ASCII)
_PERIOD_TEXT = re.compile(r"^([a-z]+)\.?[-/.,\s]*(\d+)$", re.ASCII)
# A report or LPJ period is never more than this many months away from today's month.
_PERIOD_REACH_MONTHS = 12


def parse_period(text: str, *, today: date, from_this_month: bool = False) -> tuple[int, int]:
    """Parse a month of a year, returning ``(year, month)``.

    Accepts ``11/2026``, ``11-2026``, ``11.2026``, ``2026-11``, ``November 2026``, ``Nov 2026``,
    ``Nopember 2026`` (any case). Two-digit years are refused. The month must be at most 12
    months before or after today's month — or, ``from_this_month`` (a proposal's period), not
    before today's month. Examples in refusals are today's month, never one already past.
    """
    s = " ".join(ascii_digits(text).casefold().split())
    field = "period"
    example = f"{today.month:02d}-{today.year}"  # (today's month: never an example already past)
    if not s:
        raise _fail(N_("Please type a month and year, e.g. {example}."), field, example=example)
    month: int
    if m := _PERIOD_YM.match(s):
        year_text, month = m.group(1), int(m.group(2))
    elif m := _PERIOD_MY.match(s):
        month, year_text = int(m.group(1)), m.group(2)
    elif m := _PERIOD_TEXT.match(s):
        month, year_text = _month(m.group(1), field, "November 2026"), m.group(2)
    else:
        raise _fail(
            N_("Could not read {value} as a month. Write month-year, e.g. {example}."),
            field,
            value=_echo(text),
            example=example,
        )
    year = _four_digit_year(year_text, field, example)
    if not 1 <= month <= 12:
        raise _fail(
            N_("The month must be 1 to 12 (month-year, e.g. {example})."),
            field,
            example=example,
        )
    offset = (year * 12 + month) - (today.year * 12 + today.month)
    if from_this_month and offset < 0:
        last = _shift_month(today.year, today.month, _PERIOD_REACH_MONTHS)
        raise _fail(
            N_(
                "{period} has already passed: a proposal is for this month or a later one. "
                "Enter a month from {earliest} to {latest}."
            ),
            field,
            period=f"{month:02d}-{year}",
            earliest=example,
            latest=f"{last[1]:02d}-{last[0]}",
        )
    if abs(offset) > _PERIOD_REACH_MONTHS:
        first = _shift_month(today.year, today.month, -_PERIOD_REACH_MONTHS)
        last = _shift_month(today.year, today.month, _PERIOD_REACH_MONTHS)
        raise _fail(
            N_("{period} is more than a year away. Enter a month from {earliest} to {latest}."),
            field,
            period=f"{month:02d}-{year}",
            earliest=f"{first[1]:02d}-{first[0]}",
            latest=f"{last[1]:02d}-{last[0]}",
        )
    return year, month


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


# --------------------------------------------------------------------------- names and text

# Invisible characters that phone keyboards and copy-paste leave behind; dropped silently.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Typographic forms phone keyboards insert ("Ma’ruf", "Siti‐Aminah") mapped to plain ones.
_NAME_PUNCTUATION = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u2010": "-", "\u2011": "-"})
_NAME_ALLOWED_PUNCTUATION = frozenset(" .,'-")


def _strip_invisible_and_fold_space(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return " ".join(text.split())


def _control_chars(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in text)


def parse_name(text: str, *, field: str = "name", max_length: int = 100) -> str:
    """Clean up and check a person's name.

    Trims and collapses whitespace (line breaks included), keeps the case as typed, and turns
    typographic apostrophes and hyphens into plain ones. Allows letters of any script, combining
    marks, spaces and ``. , ' -``; requires at least 2 letters. All blocking problems are reported
    together: control characters, too long (says the maximum and the length typed), digits,
    other symbols.
    """
    name = _strip_invisible_and_fold_space(text).translate(_NAME_PUNCTUATION)
    if not name:
        raise _fail(N_("Please type the name."), field)
    problems: list[Problem] = []
    if _control_chars(name):
        problems.append(_block(N_("The name contains invisible control characters. Please retype it."), field))
    if len(name) > max_length:
        problems.append(
            _block(
                N_("The name is too long: {length} characters, the maximum is {maximum}."),
                field,
                length=len(name),
                maximum=max_length,
            )
        )
    if any(c.isdigit() for c in name):
        problems.append(_block(N_("A name cannot contain digits."), field))
    others = [
        c
        for c in dict.fromkeys(name)
        if not (c.isalpha() or c in _NAME_ALLOWED_PUNCTUATION)
        # combining marks (M*) belong to the letter before them; digits and control
        # characters already have their own, clearer problem
        and unicodedata.category(c)[0] not in ("M", "C")
        and not c.isdigit()
    ]
    if others:
        problems.append(
            _block(
                N_("A name may have only letters, spaces and . , ' - (remove {chars})."),
                field,
                chars=" ".join(others[:5]),
            )
        )
    if not problems and sum(c.isalpha() for c in name) < 2:
        problems.append(_block(N_("Please type the full name (at least 2 letters)."), field))
    if problems:
        raise ValidationError(problems)
    return name


def parse_free_text(text: str, *, field: str, min_length: int = 1, max_length: int = 1000) -> str:
    """Clean up and check free text (reasons, notes, addresses).

    Trims the whole text and the end of each line, turns tabs into spaces and Windows line
    breaks into ``\\n``, and keeps the rest (emoji included). Rejects control characters other
    than line breaks, and text shorter than ``min_length`` or longer than ``max_length``
    characters.
    """
    cleaned = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    cleaned = cleaned.replace("\t", " ")
    cleaned = "\n".join(line.rstrip() for line in cleaned.split("\n")).strip()
    if any(unicodedata.category(c) == "Cc" and c != "\n" for c in cleaned):
        raise _fail(N_("The text contains invisible control characters. Please retype it."), field)
    if len(cleaned) < min_length:
        if not cleaned:
            raise _fail(N_("Please type some text."), field)
        raise _fail(
            N_("The text is too short: {length} characters, at least {minimum} are needed."),
            field,
            length=len(cleaned),
            minimum=min_length,
        )
    if len(cleaned) > max_length:
        raise _fail(
            N_("The text is too long: {length} characters, the maximum is {maximum}."),
            field,
            length=len(cleaned),
            maximum=max_length,
        )
    return cleaned


# --------------------------------------------------------------------------- phone, sex

_PHONE_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015()/]+")
_PHONE_MIN_DIGITS = 9  # after +62, e.g. a 021 landline: 21 1234 567
_PHONE_MAX_DIGITS = 13  # after +62, the longest mobile numbers


def parse_phone(text: str) -> str:
    """Normalize an Indonesian phone number to ``+62…`` (E.164 without spaces).

    Accepts ``0812-3456-7890``, ``+62 812 3456 7890``, ``62812…``, ``(021) 123-4567``,
    ``+62 (0)812…`` and a bare mobile number starting with 8. The part after +62 must have 9–13
    digits and start with 2–9. Other country codes are refused.
    """
    field = "phone"
    s = _PHONE_SEPARATORS.sub("", ascii_digits(text))
    if not s:
        raise _fail(N_("Please type a phone number, e.g. {example}."), field, example=PHONE_EXAMPLE)
    plus = s.startswith("+")
    digits = s[1:] if plus else s
    if digits.startswith("0062"):
        digits, plus = digits[2:], True  # "00" is the international call prefix, as "+"
    if not _is_digits(digits):
        raise _fail(
            N_("A phone number may have only digits, spaces, + and -, e.g. {example}."),
            field,
            example=PHONE_EXAMPLE,
        )
    if digits.startswith("62"):
        national = digits[2:]
        if national.startswith("0"):
            national = national[1:]  # "+62 0812…": a common slip, the 0 is redundant
    elif plus:
        raise _fail(
            N_("Only Indonesian numbers (+62) are accepted, e.g. {example}."),
            field,
            example=PHONE_EXAMPLE,
        )
    elif digits.startswith("0"):
        national = digits[1:]
    elif digits.startswith("8"):
        national = digits  # mobile number typed without the leading 0
    else:
        raise _fail(N_("A phone number starts with 0 or +62, e.g. {example}."), field, example=PHONE_EXAMPLE)
    if len(national) < _PHONE_MIN_DIGITS:
        message = N_("The phone number is too short, e.g. {example}.")
    elif len(national) > _PHONE_MAX_DIGITS:
        message = N_("The phone number is too long, e.g. {example}.")
    elif national[0] in "01":  # no Indonesian area code or mobile prefix starts with 0 or 1
        message = N_("This is not a valid phone number, e.g. {example}.")
    else:
        return "+62" + national
    raise _fail(message, field, example=PHONE_EXAMPLE)


_SEX_WORDS: Mapping[str, Sex] = MappingProxyType(
    {
        **dict.fromkeys(
            ("l", "lk", "laki", "laki-laki", "laki laki", "lakilaki", "lelaki", "pria",
             "m", "male", "man"),
            Sex.MALE,
        ),
        **dict.fromkeys(
            ("p", "pr", "perempuan", "wanita", "w", "f", "female", "woman"),
            Sex.FEMALE,
        ),
    }
)  # fmt: skip


def parse_sex(text: str) -> Sex:
    """Read the sex as on the KTP: ``L``/``P``, ``laki-laki``, ``perempuan``, ``pria``,
    ``wanita``, ``male``, ``female`` (any case, trailing dot ignored)."""
    key = " ".join(text.casefold().split()).rstrip(".")
    sex = _SEX_WORDS.get(key)
    if sex is None:
        raise _fail(N_("Answer L (laki-laki) or P (perempuan)."), "sex")
    return sex


# --------------------------------------------------------------------------- banks


@dataclass(frozen=True)
class Bank:
    """A bank clients' accounts may be at.

    ``code`` is our short id, ``transfer_code`` the 3-digit interbank (SKN/RTGS) code, and
    ``usual_length`` the account number length the bank issues, when it has one fixed length.
    """

    code: str
    name: str
    transfer_code: str
    usual_length: int | None
    regional: bool = False  # a regional development bank (BPD): on the bank picker's second page


# Not exhaustive: the national banks IPWL clients use most, and every province's regional
# development bank (BPD), with their interbank codes; add more here when a client needs one.
BANKS: Mapping[str, Bank] = MappingProxyType(
    {
        b.code: b
        for b in (
            Bank("bri", "BRI", "002", 15),
            Bank("mandiri", "Mandiri", "008", 13),
            Bank("bni", "BNI", "009", 10),
            Bank("danamon", "Danamon", "011", None),
            Bank("permata", "Permata", "013", None),
            Bank("bca", "BCA", "014", 10),
            Bank("cimb", "CIMB Niaga", "022", None),
            Bank("btn", "BTN", "200", 16),
            Bank("bsi", "BSI", "451", 10),
            # Regional development banks (BPD), by interbank code.
            Bank("bjb", "bjb", "110", None, regional=True),
            Bank("dki", "Bank DKI", "111", None, regional=True),
            Bank("diy", "BPD DIY", "112", None, regional=True),
            Bank("jateng", "Bank Jateng", "113", None, regional=True),
            Bank("jatim", "Bank Jatim", "114", None, regional=True),
            Bank("jambi", "Bank Jambi", "115", None, regional=True),
            Bank("aceh", "Bank Aceh Syariah", "116", None, regional=True),
            Bank("sumut", "Bank Sumut", "117", None, regional=True),
            Bank("nagari", "Bank Nagari", "118", None, regional=True),
            Bank("riaukepri", "Bank Riau Kepri Syariah", "119", None, regional=True),
            Bank("sumselbabel", "Bank Sumsel Babel", "120", None, regional=True),
            Bank("lampung", "Bank Lampung", "121", None, regional=True),
            Bank("kalsel", "Bank Kalsel", "122", None, regional=True),
            Bank("kalbar", "Bank Kalbar", "123", None, regional=True),
            Bank("kaltimtara", "Bank Kaltimtara", "124", None, regional=True),
            Bank("kalteng", "Bank Kalteng", "125", None, regional=True),
            Bank("sulselbar", "Bank Sulselbar", "126", None, regional=True),
            Bank("sulutgo", "Bank SulutGo", "127", None, regional=True),
            Bank("ntb", "Bank NTB Syariah", "128", None, regional=True),
            Bank("bali", "BPD Bali", "129", None, regional=True),
            Bank("ntt", "Bank NTT", "130", None, regional=True),
            Bank("malukumalut", "Bank Maluku Malut", "131", None, regional=True),
            Bank("papua", "Bank Papua", "132", None, regional=True),
            Bank("bengkulu", "Bank Bengkulu", "133", None, regional=True),
            Bank("sulteng", "Bank Sulteng", "134", None, regional=True),
            Bank("sultra", "Bank Sultra", "135", None, regional=True),
            Bank("banten", "Bank Banten", "137", None, regional=True),
        )
    }
)

# Other names people write. Folded (see _bank_key) before use.
_BANK_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "bri": ("Bank Rakyat Indonesia", "BRI Britama", "BRI Simpedes"),
        "mandiri": ("Bank Mandiri",),
        "bni": ("Bank Negara Indonesia", "BNI 46"),
        "bca": ("Bank Central Asia",),
        "bsi": (
            "Bank Syariah Indonesia",
            # merged into BSI in 2021; old passbooks still say so
            "BSM", "Mandiri Syariah", "Bank Syariah Mandiri", "BNI Syariah", "BRI Syariah", "BRIS",
        ),
        "btn": ("Bank Tabungan Negara",),
        "cimb": ("CIMB", "CIMB Niaga Syariah"),
        "danamon": ("Bank Danamon",),
        "permata": ("PermataBank", "Bank Permata"),
        "bjb": ("BPD Jabar", "Bank Jabar", "Bank Jabar Banten", "BPD Jawa Barat", "BJB Syariah"),
        "dki": ("BPD DKI", "Bank DKI Jakarta"),
        "jateng": ("BPD Jateng", "BPD Jawa Tengah", "Bank Jawa Tengah"),
        "jatim": ("BPD Jatim", "BPD Jawa Timur", "Bank Jawa Timur"),
        "diy": ("Bank BPD DIY", "BPD Yogyakarta", "Bank DIY", "BPD DIY Syariah"),
        "jambi": ("BPD Jambi", "Bank Jambi Syariah"),
        "aceh": ("Bank Aceh", "BPD Aceh", "BAS"),
        "sumut": ("BPD Sumut", "Bank Sumatera Utara", "Bank Sumut Syariah"),
        "nagari": ("BPD Sumbar", "Bank Sumbar", "Bank Nagari Syariah"),
        "riaukepri": ("Bank Riau Kepri", "Bank Riau", "BPD Riau", "BRK", "BRK Syariah"),
        "sumselbabel": ("BPD Sumsel", "Bank Sumsel", "BSB", "Bank Sumsel Babel Syariah"),
        "lampung": ("BPD Lampung",),
        "kalsel": ("BPD Kalsel", "Bank Kalimantan Selatan", "Bank Kalsel Syariah"),
        "kalbar": ("BPD Kalbar", "Bank Kalimantan Barat", "Bank Kalbar Syariah"),
        "kaltimtara": ("BPD Kaltim", "Bank Kaltim", "BPD Kaltimtara", "Bankaltimtara"),
        "kalteng": ("BPD Kalteng", "Bank Kalimantan Tengah"),
        "sulselbar": ("BPD Sulsel", "Bank Sulsel", "BPD Sulselbar", "Bank Sulselbar Syariah"),
        "sulutgo": ("BPD Sulut", "Bank Sulut", "BPD SulutGo", "Bank SulutGo Syariah"),
        "ntb": ("Bank NTB", "BPD NTB"),
        "bali": ("Bank BPD Bali", "Bank Bali"),
        "ntt": ("BPD NTT", "Bank Nusa Tenggara Timur"),
        "malukumalut": ("BPD Maluku", "Bank Maluku", "Bank Maluku Maluku Utara"),
        "papua": ("BPD Papua", "Bank Papua Syariah"),
        "bengkulu": ("BPD Bengkulu",),
        "sulteng": ("BPD Sulteng", "Bank Sulawesi Tengah"),
        "sultra": ("BPD Sultra", "Bank Sulawesi Tenggara"),
        "banten": ("BPD Banten",),
    }
)  # fmt: skip


def _bank_key(text: str) -> str:
    """Fold a bank name for matching: case, punctuation, spaces, "PT", "Tbk", "(Persero)"."""
    folded = re.sub(r"[^0-9a-z]+", " ", text.casefold())
    words = [w for w in folded.split() if w not in ("pt", "tbk", "persero")]
    if len(words) > 1 and words[0] == "bank":
        words = words[1:]
    return "".join(words)


def _bank_index() -> dict[str, Bank]:
    index: dict[str, Bank] = {}
    for bank in BANKS.values():
        for name in (bank.code, bank.name, *_BANK_ALIASES.get(bank.code, ())):
            index[_bank_key(name)] = bank
    return index


_BANK_INDEX: Mapping[str, Bank] = MappingProxyType(_bank_index())
_BANK_BY_TRANSFER_CODE: Mapping[str, Bank] = MappingProxyType({bank.transfer_code: bank for bank in BANKS.values()})


def find_bank(text: str) -> Bank | None:
    """Find a bank by id (``"bri"``), name or alias (``"Bank BRI"``, ``"Bank Rakyat Indonesia"``,
    ``"BPD Jabar"``; case and punctuation ignored) or transfer code (``"002"``, ``"2"``)."""
    stripped = text.strip()
    if _is_digits(stripped) and len(stripped) <= 3:
        return _BANK_BY_TRANSFER_CODE.get(stripped.zfill(3))
    key = _bank_key(stripped)
    return _BANK_INDEX.get(key) if key else None


ACCOUNT_MIN_DIGITS = 8
ACCOUNT_MAX_DIGITS = 18


def parse_account_number(text: str, bank: Bank) -> tuple[str, list[Problem]]:
    """Check an account number: digits only after dropping spaces, dots and dashes; 8–18 digits.

    Returns the digits and warnings (a length other than the bank's usual one is most often a
    missing or extra digit, but banks do have exceptions, so it does not block).
    """
    field = "account_number"
    digits = _NUMBER_SEPARATORS.sub("", ascii_digits(text))
    if not digits:
        raise _fail(N_("Please type the account number (digits only)."), field)
    if not _is_digits(digits):
        raise _fail(N_("An account number has digits only."), field)
    if not ACCOUNT_MIN_DIGITS <= len(digits) <= ACCOUNT_MAX_DIGITS:
        raise _fail(
            N_("An account number has {minimum} to {maximum} digits, but you typed {count}."),
            field,
            minimum=ACCOUNT_MIN_DIGITS,
            maximum=ACCOUNT_MAX_DIGITS,
            count=len(digits),
        )
    warnings: list[Problem] = []
    if bank.usual_length is not None and len(digits) != bank.usual_length:
        warnings.append(
            _warn(
                N_("{bank} account numbers usually have {expected} digits, this one has {count}. Please check it."),
                field,
                bank=bank.name,
                expected=bank.usual_length,
                count=len(digits),
            )
        )
    return digits, warnings


# Courtesy and religious titles that may precede a name on either side ("Bpk. Budi",
# "Ibu Hj. Siti"), plus "a/n" (atas nama, "in the name of") from bank statements.
_TITLES = frozenset(
    "bpk bapak pak ibu bu sdr sdri saudara saudari tn tuan ny nyonya nn nona "
    "mr mrs ms miss h hj haji hajah hajjah an".split()
)


# "a/n", "a.n." (atas nama) written with punctuation, which tokenizing would split in two.
_ATAS_NAMA = re.compile(r"^\s*a\s*[/.]\s*n\b\.?")


def _name_tokens(name: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _ATAS_NAMA.sub(" ", plain)
    tokens = re.sub(r"[^\w]+|_", " ", plain).split()
    while tokens and tokens[0] in _TITLES:
        tokens.pop(0)
    return tokens


def holder_name_warning(holder: str, client_name: str) -> Problem | None:
    """Warn when an account holder's name differs from the client's.

    Compares ignoring case, accents, punctuation, spacing ("Nur Haliza" = "Nurhaliza") and
    leading titles such as Bpk, Ibu, Sdr, H./Hj. and "a/n". Returns None when they match.
    """
    holder_tokens, client_tokens = _name_tokens(holder), _name_tokens(client_name)
    if holder_tokens and "".join(holder_tokens) == "".join(client_tokens):
        return None
    return _warn(
        N_("The account holder ({holder}) is not the client ({client}). Check that the account is the client's."),
        "holder_name",
        holder=_echo(holder),
        client=_echo(client_name),
    )

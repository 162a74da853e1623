"""The SP2D (Surat Perintah Pencairan Dana): the treasury office's (KPPN) order that pays an SPM. Pure.

Finance types its number and date as the KPPN wrote them (SPAN numbers are 15 digits, e.g.
``261131302002345``; some offices print separators), then its amount, which must be the SPM's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.domain.validation import Problem, ValidationError, parse_date, refuse_before
from bot.i18n import N_

EXAMPLE_NUMBER = "261131302002345"
_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{4,39}$")


@dataclass(frozen=True)
class Sp2dEntry:
    number: str
    date: dt.date
    amount_text: str = ""  # the amount, when typed on the same line (parsed with the SPM's check)


# "SP2D", "SP2D no.", "SP2D nomor:" before the number, as finance often copies it.
_LEAD = re.compile(r"^sp2d\b[\s:.#-]*(?:(?:no|nomor|nr)\b\.?[\s:.#-]*)?", re.IGNORECASE)
# The date right after the number: 12-11-2026, 12/11/2026, 12.11.2026, 2026-11-12, 12 November 2026.
_DATE_HEAD = re.compile(
    r"^(\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2} [A-Za-z]{3,9}\.? \d{4})(?=$|[ ,;])"
)


def line_example(today: dt.date) -> str:
    """The SP2D's number, date and amount on one line, as :func:`parse_sp2d_entry` reads it."""
    return f"{EXAMPLE_NUMBER} {today:%d-%m-%Y} Rp 5.000.000"


def _number_and_rest(text: str) -> tuple[str, str]:
    flat = _LEAD.sub("", " ".join(text.split()))
    found = re.match(r"^([^\s,;]*)[\s,;]*(.*)$", flat)
    return (found.group(1), found.group(2)) if found else ("", "")


def is_sp2d_line(text: str) -> bool:
    """Whether ``text`` starts as :func:`parse_sp2d_entry` reads a line: an SP2D number, then a date
    (read or not: ``03-12-2026`` in the future still counts, so its error can be shown)."""
    number, rest = _number_and_rest(text)
    return bool(_NUMBER.match(number)) and sum(ch.isdigit() for ch in number) >= 3 and bool(_DATE_HEAD.match(rest))


def parse_sp2d_entry(text: str, *, today: dt.date, earliest: dt.date | None = None) -> Sp2dEntry:
    """``"261131302002345 28-11-2026"``: the SP2D number, then its date (not in the future, not
    before ``earliest``, the SPM's date) — and, on the same line if finance types it so, its amount:
    ``"SP2D 00123/2026 12-11-2026 Rp 5.000.000"`` or ``"00123/2026, 12/11/2026, 5000000"``."""
    example = f"{EXAMPLE_NUMBER} {today:%d-%m-%Y}"
    number, rest = _number_and_rest(text)
    if not _NUMBER.match(number) or sum(ch.isdigit() for ch in number) < 3:
        raise ValidationError(
            Problem(
                N_(
                    "Type the SP2D number as the KPPN wrote it, then its date, e.g. {example} — or all three "
                    "on one line, number, date and amount, e.g. {line_example}."
                ),
                {"example": example, "line_example": line_example(today)},
                "block",
                "sp2d_number",
            )
        )
    amount_text = ""
    head = _DATE_HEAD.match(rest)
    if head is not None:
        rest, amount_text = head.group(1), rest[head.end() :].strip(" ,;")
    if not rest.strip():
        raise ValidationError(
            Problem(
                N_("Type the date after the number too, e.g. {example}."), {"example": example}, "block", "sp2d_date"
            )
        )
    on = parse_date(rest, today=today, field="sp2d_date")
    refuse_before(on, earliest, N_("The SP2D cannot be dated {date}, before its SPM ({earliest})."), "sp2d_date")
    return Sp2dEntry(number.upper(), on, amount_text)

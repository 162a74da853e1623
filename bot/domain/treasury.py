"""The SP2D (Surat Perintah Pencairan Dana): the treasury office's (KPPN) order that pays an SPM. Pure.

Finance types its number and date as the KPPN wrote them (SPAN numbers are 15 digits, e.g.
``261131302002345``; some offices print separators), then its amount, which must be the SPM's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.domain.validation import Problem, ValidationError, parse_date
from bot.i18n import N_

EXAMPLE_NUMBER = "261131302002345"
_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{4,39}$")


@dataclass(frozen=True)
class Sp2dEntry:
    number: str
    date: dt.date


def parse_sp2d_entry(text: str, *, today: dt.date, earliest: dt.date | None = None) -> Sp2dEntry:
    """``"261131302002345 28-11-2026"``: the SP2D number, then its date (not in the future, not
    before ``earliest``, the SPM's date)."""
    example = f"{EXAMPLE_NUMBER} {today:%d-%m-%Y}"
    number, _, rest = " ".join(text.split()).partition(" ")
    if not _NUMBER.match(number) or sum(ch.isdigit() for ch in number) < 3:
        raise ValidationError(
            Problem(
                N_("Type the SP2D number as the KPPN wrote it, then its date, e.g. {example}."),
                {"example": example},
                "block",
                "sp2d_number",
            )
        )
    if not rest.strip():
        raise ValidationError(
            Problem(
                N_("Type the date after the number too, e.g. {example}."), {"example": example}, "block", "sp2d_date"
            )
        )
    on = parse_date(rest, today=today, field="sp2d_date")
    if earliest is not None and on < earliest:
        raise ValidationError(
            Problem(
                N_("The SP2D cannot be dated {date}, before its SPM ({earliest})."),
                {"date": f"{on:%d-%m-%Y}", "earliest": f"{earliest:%d-%m-%Y}"},
                "block",
                "sp2d_date",
            )
        )
    return Sp2dEntry(number.upper(), on)

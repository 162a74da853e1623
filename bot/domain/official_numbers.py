"""Register numbers of official documents (SK, SPP, SPM) and the date typed after them.

A centre numbers its documents after a pattern kept in configuration (``[payments]``), e.g.
``SK-{n:03d}/BRSKPN-GP/{month}/{year}``: ``{n}`` the running number, ``{month}`` the Roman month
and ``{year}`` the year of the document's date. The same pattern that makes the next number from the
register reads a typed one, so what goes into the record is a number of that form and nothing else:

* the number must match the pattern (``SK-045/BRSKPN-GP/XII/2026``; letters in any case, stored as
  the pattern writes them);
* what follows it must be its date (``30-11-2026``, ``30 November 2026``, optionally after "tanggal"
  or "tgl."), a real day and not in the future — anything else is refused with the reason, never
  glued into the number, and a missing date is asked for, never taken to be today;
* a number that carries the month and year says those of its date.

Pure: no I/O, no clock (``today`` is passed in).
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass

from bot.domain.validation import Problem, ValidationError, parse_date, refuse_before
from bot.i18n import N_

__all__ = ["ROMAN_MONTHS", "NumberFormat", "OfficialEntry", "parse_official_entry"]

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
# Longest first, so that "XII" is not read as "X" followed by "II".
_ROMAN = "|".join(sorted(ROMAN_MONTHS, key=len, reverse=True))
# Words people put between a number and its date ("… tanggal 28-11-2026", "…, tgl. 28/11/2026").
_CONNECTIVE = re.compile(r"^(?:[,;:]\s*)?(?:(?:tanggal|tertanggal|tgl\.?|dated|date|on)\s*[:.]?\s+)?", re.IGNORECASE)


@dataclass(frozen=True)
class NumberFormat:
    """A register number pattern with ``{n}``, ``{month}`` and ``{year}`` (see the module docstring)."""

    template: str

    def make(self, n: int, date: dt.date) -> str:
        """The register's number ``n`` for a document dated ``date``."""
        return self.template.format(n=n, month=ROMAN_MONTHS[date.month - 1], year=date.year)

    def example(self, date: dt.date, n: int = 12) -> str:
        """A number of this form, to show people what to type."""
        return self.make(n, date)

    def running_number(self, number: str, year: int) -> int | None:
        """The running number ``{n}`` of a number of this form in ``year``'s register (None: not of
        this form, or, when the form carries a year, of another year's)."""
        match = self._regex().match(number)
        if match is None or match.end("number") != len(number.strip()):
            return None
        if self.has_month_and_year[1] and int(match.group("year")) != year:
            return None
        return int(match.group("n"))

    @property
    def has_month_and_year(self) -> tuple[bool, bool]:
        names = {name for _, name, _, _ in string.Formatter().parse(self.template) if name}
        return "month" in names, "year" in names

    def _regex(self) -> re.Pattern[str]:
        parts: list[str] = []
        for literal, name, _spec, _conv in string.Formatter().parse(self.template):
            parts.append(re.escape(literal))
            if name == "n":
                parts.append(r"(?P<n>\d{1,6})")
            elif name == "month":
                parts.append(rf"(?P<month>{_ROMAN})")
            elif name == "year":
                parts.append(r"(?P<year>\d{4})")
        # The number ends at a space, a comma or semicolon, or the end: "…/2026abc" is not a number.
        return re.compile(r"^\s*(?P<number>" + "".join(parts) + r")(?=$|[\s,;])", re.IGNORECASE)

    def canonical(self, match: re.Match[str]) -> str:
        """The typed number written as the template writes it: literals and Roman month in its case,
        the running number padded as the register pads it (``SK-7/…`` is ``SK-007/…``, one number)."""
        out: list[str] = []
        for literal, name, spec, _conv in string.Formatter().parse(self.template):
            out.append(literal)
            if name == "n":
                out.append(format(int(match.group("n")), spec or ""))
            elif name == "month":
                out.append(match.group("month").upper())
            elif name == "year":
                out.append(match.group("year"))
        return "".join(out)


@dataclass(frozen=True)
class OfficialEntry:
    """A document's number and its date, read apart."""

    number: str
    date: dt.date


def _block(message: str, field: str, **params: object) -> ValidationError:
    return ValidationError(Problem(message, params, "block", field))


def parse_official_entry(
    text: str,
    template: str,
    *,
    today: dt.date,
    field: str,
    earliest: dt.date | None = None,
    too_early: str | None = None,
) -> OfficialEntry:
    """Read ``"<number> <date>"`` typed for a document numbered after ``template``.

    ``field`` names the document (``"sk_number"``, ``"spp_number"``, ``"spm_number"``); refusals are
    ValidationErrors whose message says what was wrong and shows an example of the right form.
    A date before ``earliest`` is refused with ``too_early`` (a msgid with ``{date}`` and
    ``{earliest}`` saying why), or a plain "too early".
    """
    fmt = NumberFormat(template)
    example = f"{fmt.example(today)} {today.day:02d}-{today.month:02d}-{today.year}"
    flat = " ".join(text.split())
    match = fmt._regex().match(flat)
    if match is None:
        raise _block(
            N_("This is not a number of the form {pattern}. Type the number and then its date, e.g. {example}."),
            field,
            pattern=fmt.example(today),
            example=example,
        )
    number = fmt.canonical(match)
    rest = _CONNECTIVE.sub("", flat[match.end() :].strip(), count=1).strip()
    if not rest:
        raise _block(N_("Type the date after the number too, e.g. {example}."), field, example=example)
    date_field = field.replace("_number", "_date")
    date = parse_date(rest, today=today, field=date_field, earliest=None if too_early else earliest)
    if too_early:
        refuse_before(date, earliest, too_early, date_field)
    with_month, with_year = fmt.has_month_and_year
    month = ROMAN_MONTHS.index(match.group("month").upper()) + 1 if with_month else date.month
    year = int(match.group("year")) if with_year else date.year
    if (with_month and month != date.month) or (with_year and year != date.year):
        shown = "/".join(p for p, on in ((ROMAN_MONTHS[month - 1], with_month), (str(year), with_year)) if on)
        raise _block(
            N_(
                "The number {number} is of {period}, but the date {date} is not: a register number carries "
                "the month and year of its date. Check both and type them again."
            ),
            field,
            number=number,
            period=shown,
            date=f"{date.day:02d}-{date.month:02d}-{date.year}",
        )
    return OfficialEntry(number, date)

"""The number an SK is issued under, the same for an SK and an SK perubahan: one register of SK
numbers per year, and no number used twice (the head types one, or takes the register's next)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.models import Decree
from bot.domain.official_numbers import NumberFormat, OfficialEntry, parse_official_entry
from bot.i18n import N_
from bot.services.base import ServiceError
from storage.unit import UnitOfWork

_TAKEN = N_(
    "SK number {number} is already used by the SK of {date}. The register's next free number is {next}: "
    "type it with its date, or take it from the register."
)


async def _taken(uow: UnitOfWork, template: str, number: str, date: dt.date) -> ServiceError:
    """``number`` is on an SK already: which (its date), and the register's next free number."""
    holder = await uow.decrees.by_number(number)
    return ServiceError(
        "sk_number_taken",
        _TAKEN,
        number=number,
        date=f"{holder.issued_on:%d-%m-%Y}" if holder else "-",
        next=await next_sk_number(uow, template, date),
    )


async def last_issued_above(uow: UnitOfWork, template: str, number: str | None, date: dt.date) -> Decree | None:
    """The SK of ``date``'s year with the highest running number, when the typed ``number`` is
    below it (a gap in the register is legitimate, but worth a look); None otherwise."""
    fmt = NumberFormat(template)
    typed = fmt.running_number(number, date.year) if number else None
    if typed is None:
        return None
    numbered = [(n, d) for d in await uow.decrees.of_year(date.year) if (n := fmt.running_number(d.number, date.year))]
    if not numbered:
        return None
    highest, decree = max(numbered, key=lambda item: item[0])
    return decree if typed < highest else None


@dataclass(frozen=True)
class DraftNumber:
    """What a draft SK or SK perubahan shows of its number before it is issued: the one the head
    typed (None: the register's next), its date, the register's next number, an example of the form
    to type, and the year's SK above a typed number (a note; the number is accepted)."""

    number: str | None
    date: dt.date
    register_number: str
    example: str
    below: Decree | None


async def draft_number(uow: UnitOfWork, template: str, state: Mapping[str, Any], today: dt.date) -> DraftNumber:
    """The number part of a draft from its conversation's state (``number`` and ``date`` typed so
    far; the date is today until one is typed)."""
    date = dt.date.fromisoformat(state["date"]) if state.get("date") else today
    return DraftNumber(
        state.get("number"),
        date,
        await next_sk_number(uow, template, date),
        f"{NumberFormat(template).example(today)} {today:%d-%m-%Y}",
        await last_issued_above(uow, template, state.get("number"), date),
    )


async def typed_sk_entry(
    uow: UnitOfWork,
    template: str,
    text: str,
    *,
    today: dt.date,
    earliest: dt.date | None,
    too_early: str,
) -> OfficialEntry:
    """The SK number and date the head typed: the number in the register's form (``template``), the
    date a real day, not in the future nor before ``earliest`` (refused with ``too_early``), and a
    number no SK has yet."""
    entry = parse_official_entry(text, template, today=today, field="sk_number", earliest=earliest, too_early=too_early)
    if await uow.decrees.number_taken(entry.number):
        raise await _taken(uow, template, entry.number, entry.date)
    return entry


async def _highest_used(uow: UnitOfWork, fmt: NumberFormat, year: int) -> int:
    """The highest running number of ``year``'s register already on an SK or SK perubahan, typed
    by hand or not (0: none)."""
    used = [fmt.running_number(number, year) for number in await uow.decrees.numbers_of_year(year)]
    return max((n for n in used if n is not None), default=0)


async def next_sk_number(uow: UnitOfWork, template: str, date: dt.date) -> str:
    """The register's next number for an SK dated ``date``: the next free one, after the register's
    last and after every number of that year already used (nothing is reserved)."""
    fmt = NumberFormat(template)
    return fmt.make(await uow.decrees.peek_register(date.year, used=await _highest_used(uow, fmt, date.year)), date)


async def claim_sk_number(uow: UnitOfWork, template: str, typed: str | None, date: dt.date) -> str:
    """The number an SK dated ``date`` is issued under: the one typed, or the next free one of that
    year's register (past the numbers typed by hand too); locked for this transaction, and refused
    when an SK already has it."""
    if typed:
        number = typed
    else:
        fmt = NumberFormat(template)
        used = await _highest_used(uow, fmt, date.year)
        number = fmt.make(await uow.decrees.take_register(date.year, used=used), date)
    await uow.decrees.lock_number(number)
    if await uow.decrees.number_taken(number):
        raise await _taken(uow, template, number, date)
    return number

"""The year's budget ceiling (pagu): an admin sets it (in chat with ``/pagu`` or on the command
line), every change audited; the head's SK is checked against it (:meth:`BudgetService.check_sk`,
called inside the issuing transaction).

One ceiling for the whole year, or one per ATENSI component, or both (:mod:`bot.domain.budget`
says how a proposal's amount maps to components: through its budget lines).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.clock import today_in
from bot.domain.budget import (
    WHOLE_YEAR,
    Ceiling,
    Overrun,
    YearBudget,
    amount_in,
    overruns,
    parse_component,
    year_ceiling,
)
from bot.domain.validation import parse_money
from bot.i18n import N_, format_money
from bot.services.admin import require_admin
from bot.services.base import Identity, Service, ServiceError
from storage.unit import UnitOfWork

# A ceiling is the centre's whole budget: above the Rp10 billion "typo" guard of a single amount.
MAX_CEILING = 10_000_000_000_000
_EXAMPLE = "/pagu 2026 Rp 5.000.000.000"
_COMPONENT_EXAMPLE = "/pagu 2026 komponen 3 Rp 750.000.000"


@dataclass(frozen=True)
class BudgetPosition:
    """A year's ceilings and what the SKs of that year committed, per component."""

    year: int
    ceilings: list[Ceiling]
    committed: dict[str, int]
    # The budget of decreed clients held for double assistance: out of the SK annex, kept in
    # reserve against the ceiling until decided.
    held: dict[str, int] = field(default_factory=dict)

    def committed_to(self, component: str) -> int:
        """What counts against this ceiling: the SKs' budget and the held clients' kept in reserve."""
        return amount_in(self.committed, component) + amount_in(self.held, component)

    def held_in(self, component: str) -> int:
        return amount_in(self.held, component)


@dataclass(frozen=True)
class CeilingChange:
    """What ``/pagu`` with an amount did: the ceiling before (None: there was none) and the year after."""

    component: str
    before: int | None
    after: int
    position: BudgetPosition


@dataclass(frozen=True)
class CeilingProposal:
    """What ``/pagu`` with an amount would change, read back before anything is saved: the ceiling
    now (None: none) and the one typed. The confirm button carries both, so a double tap or a
    change by another admin meanwhile is caught (compare-and-set in :meth:`BudgetService.confirm`)."""

    year: int
    component: str
    before: int | None
    after: int
    position: BudgetPosition


class OverCeiling(ServiceError):
    """An SK refused: it would take committed + this SK above a ceiling of one of the budget years
    it charges (per year, the figures are in ``years``; the first year's also in ``year`` and
    ``overruns``)."""

    def __init__(self, years: Sequence[tuple[int, Sequence[Overrun]]]) -> None:
        year, found = years[0]
        first = found[0]
        super().__init__(
            "sk_over_ceiling",
            N_(
                "The SK was not issued: it is above the budget ceiling of {year}. Ceiling {ceiling}, "
                "committed {committed}, this SK {this_sk}, remaining {remaining}."
            ),
            year=year,
            ceiling=format_money(first.ceiling),
            committed=format_money(first.committed),
            this_sk=format_money(first.this_sk),
            remaining=format_money(first.remaining),
        )
        self.years = [(y, list(o)) for y, o in years]
        self.year = year
        self.overruns = list(found)


async def year_budgets(
    uow: UnitOfWork, sk_date: dt.date, proposal_ids: Sequence[int], *, lock: bool = False
) -> list[YearBudget]:
    """Each budget year an SK dated ``sk_date`` with these proposals charges (their periods'
    years, :func:`bot.domain.budget.ceiling_year`; the SK's year when none is picked): the year's
    ceiling, what is committed, and the ceilings this SK's part of the year would exceed.
    ``lock``: inside the issuing transaction, every year's lock first, in year order."""
    by_year = await uow.budget.amounts_by_year(proposal_ids, sk_date) or {sk_date.year: {}}
    if lock:
        for year in sorted(by_year):
            await uow.budget.lock_year(year)
    result = []
    for year in sorted(by_year):
        ceilings = await uow.budget.ceilings(year)
        committed = await uow.budget.committed(year) if ceilings else {}
        held = await uow.budget.held(year) if ceilings else {}
        over = overruns(ceilings, committed, by_year[year], held) if ceilings else []
        reserved = sum(held.values())
        with_held = sum(committed.values()) + reserved
        result.append(YearBudget(year, year_ceiling(ceilings), with_held, tuple(over), reserved))
    return result


async def check_ceiling(uow: UnitOfWork, sk_date: dt.date, proposal_ids: Sequence[int]) -> None:
    """Inside the issuing transaction: refuse (:class:`OverCeiling`) an SK that would take
    committed + its proposals' budget above any ceiling of a budget year it charges — each
    proposal charged to its own period's year, not to the SK's date."""
    found = [(b.year, b.over) for b in await year_budgets(uow, sk_date, proposal_ids, lock=True) if b.over]
    if found:
        raise OverCeiling(found)


class BudgetService(Service):
    """The budget ceiling of a year: set, shown, and checked when an SK is issued."""

    async def position(self, who: Identity, year: int | None = None) -> BudgetPosition:
        """``/pagu`` (or ``/pagu 2026``): the year's ceilings and what is committed — for admins."""
        require_admin(who)
        async with self.storage.reading() as uow:
            return await self._position(uow, year or self._today().year)

    async def command(self, who: Identity, text: str) -> BudgetPosition | CeilingProposal | CeilingChange:
        """``/pagu [YEAR] [komponen N] [AMOUNT]``: without an amount, show; with one, the change read
        back for confirmation (nothing saved yet), or "already so" when it changes nothing."""
        require_admin(who)
        year, component, amount = self._parse(text)
        async with self.storage.reading() as uow:
            position = await self._position(uow, year)
        if amount is None:
            return position
        self._check_amount(amount)
        before = next((c.amount for c in position.ceilings if c.component == component), None)
        if before == amount:
            return CeilingChange(component, before, amount, position)
        return CeilingProposal(year, component, before, amount, position)

    async def confirm(self, who: Identity, year: int, component: str, amount: int, before: int | None) -> CeilingChange:
        """✅ under the read-back: save it if the ceiling is still what was shown. A double tap finds
        it already saved (no second change, no second audit event); a change by someone else
        meanwhile is refused, so nobody saves over a figure they did not see."""
        return await self.set_ceiling(who, year, component, amount, seen=(before,))

    async def set_ceiling(
        self,
        who: Identity | None,
        year: int,
        component: str,
        amount: int,
        *,
        seen: tuple[int | None] | None = None,
    ) -> CeilingChange:
        """Set (or change) one ceiling of ``year``, audited; ``who`` None is the command line.
        ``seen``: the ceiling the person was shown before confirming (None: whatever it is now)."""
        if who is not None:
            require_admin(who)
        self._check_year(year)
        self._check_amount(amount)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            await uow.budget.lock_year(year)
            before = next((c.amount for c in await uow.budget.ceilings(year) if c.component == component), None)
            if seen is not None and before != seen[0] and before != amount:
                raise ServiceError(
                    "ceiling_changed",
                    N_(
                        "Not saved: the ceiling was changed meanwhile (it is now {now}). Check it with /pagu "
                        "{year} and type the new figure again."
                    ),
                    now=format_money(before) if before is not None else "-",
                    year=year,
                )
            if before != amount:
                await uow.budget.set_ceiling(year, component, amount, by=who.person.id if who else None, now=now)
                await uow.audit.record(
                    self.event(
                        who,
                        "budget_ceiling",
                        f"{year}:{component or 'all'}",
                        "set_ceiling",
                        frm=str(before) if before is not None else None,
                        to=str(amount),
                    )
                )
            if seen is not None and before == amount and seen[0] != amount:
                # A second tap on the same read-back: the first one saved it.
                raise ServiceError(
                    "already_done", N_("Already saved: the ceiling is {amount}."), amount=format_money(amount)
                )
            return CeilingChange(component, before, amount, await self._position(uow, year))

    async def ceilings(self, year: int) -> BudgetPosition:
        """The year's position for the command line (no identity: the operator of the server)."""
        async with self.storage.reading() as uow:
            return await self._position(uow, year)

    # --- internals ---------------------------------------------------------------------------------

    async def _position(self, uow: UnitOfWork, year: int) -> BudgetPosition:
        return BudgetPosition(
            year, await uow.budget.ceilings(year), await uow.budget.committed(year), await uow.budget.held(year)
        )

    def _today(self) -> dt.date:
        return today_in(self.clock, self.settings.locale.timezone)

    def _check_amount(self, amount: int) -> None:
        if amount <= 0 or amount > MAX_CEILING:
            raise ServiceError(
                "ceiling_amount",
                N_("A ceiling is more than Rp0 and at most {maximum}."),
                maximum=format_money(MAX_CEILING),
            )

    def _check_year(self, year: int) -> None:
        this_year = self._today().year
        if not this_year - 1 <= year <= this_year + 1:
            raise ServiceError(
                "ceiling_year",
                N_("A ceiling is set for last year, this year or next year ({first}–{last}), not {year}."),
                first=this_year - 1,
                last=this_year + 1,
                year=year,
            )

    def _parse(self, text: str) -> tuple[int, str, int | None]:
        """``"2026 komponen 3 Rp 750.000.000"`` → (2026, "3", 750000000); every part optional but the
        amount needs the year before it (a bare number would be ambiguous)."""
        rest = " ".join(text.split())
        year = self._today().year
        match = re.match(r"^(\d{4})\b\s*(.*)$", rest)
        if match:
            year, rest = int(match.group(1)), match.group(2)
        elif rest:
            raise ServiceError(
                "ceiling_usage",
                N_("Write the year first, then the amount, e.g. {example} (or {component_example} for one component)."),
                example=_EXAMPLE,
                component_example=_COMPONENT_EXAMPLE,
            )
        self._check_year(year)
        component = WHOLE_YEAR
        found = re.match(r"^(?:komponen|component)\s*(\S+)\s*(.*)$", rest, re.IGNORECASE)
        if found:
            key = parse_component(found.group(1))
            if key is None or key == WHOLE_YEAR:
                raise ServiceError(
                    "ceiling_component",
                    N_("The component is a number from 1 to 7, e.g. {example}."),
                    example=_COMPONENT_EXAMPLE,
                )
            component, rest = key, found.group(2)
        if not rest:
            if component != WHOLE_YEAR:
                raise ServiceError(
                    "ceiling_usage",
                    N_("Write the amount after the component, e.g. {example}."),
                    example=_COMPONENT_EXAMPLE,
                )
            return year, component, None
        amount = parse_money(rest, field="ceiling", absurd=MAX_CEILING)
        return year, component, amount

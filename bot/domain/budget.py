"""The year's budget ceiling (pagu) and what an SK may commit against it. Pure.

A centre sets one ceiling for the whole year, or splits it per ATENSI component ("1".."7"), or
both. A proposal's amount maps to components through its budget lines: every line of every client
carries its component (``budget_lines.component``), so an SK's amount per component is the sum of
its proposals' lines of that component, and its whole amount the sum of all its lines. The
committed amount is the same sum over the proposals already decreed for the year.

The year a proposal is charged to is its budget year — its period's year (:func:`ceiling_year`),
the rule double assistance judges by (``bot.domain.double_assistance.budget_year_of``) — not the
SK's date: an SK dated December for January proposals counts against next year's ceiling. An SK
whose proposals span two budget years charges each to its own year, and is refused when, for any
ceiling of any of those years, committed + this SK's part would exceed it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.models import Component

WHOLE_YEAR = ""  # the component key of the ceiling for the whole year (every component)


@dataclass(frozen=True)
class Ceiling:
    """One ceiling: the whole year's (``component == ""``) or one component's."""

    year: int
    component: str
    amount: int


@dataclass(frozen=True)
class Overrun:
    """A ceiling an SK would exceed, with the four figures its refusal shows. ``committed``
    counts the clients held for double assistance too (``held`` of it): their budget is kept in
    reserve until decided, so clearing one later cannot take the year above the ceiling."""

    component: str
    ceiling: int
    committed: int
    this_sk: int
    held: int = 0

    @property
    def remaining(self) -> int:
        """What is left of the ceiling before this SK (never below zero)."""
        return max(0, self.ceiling - self.committed)

    @property
    def excess(self) -> int:
        return self.committed + self.this_sk - self.ceiling


@dataclass(frozen=True)
class YearBudget:
    """One budget year an SK charges: the year's ceiling as one figure (0: none set), what its SKs
    committed so far, and the ceilings this SK's part of the year would exceed."""

    year: int
    ceiling: int
    committed: int  # with the held clients' budget, kept in reserve (``held`` of it)
    over: tuple[Overrun, ...] = ()
    held: int = 0


def ceiling_year(period_year: int | None, sk_date: dt.date) -> int:
    """The budget year a decreed proposal is charged to: its period's year — the same rule as
    double assistance's (``budget_year_of``), so an SK dated in December for a January period
    counts against the January's year. Without a period (seeded or imported rows), the SK's year."""
    return period_year if period_year is not None else sk_date.year


def parse_component(text: str) -> str | None:
    """``"3"`` / ``"komponen 3"`` / ``"semua"`` → the component key (``""`` for the whole year), or None."""
    word = text.strip().casefold().removeprefix("komponen").removeprefix("component").strip()
    if word in ("", "semua", "all", "total", "tahun", "year"):
        return WHOLE_YEAR
    return word if word in {c.value for c in Component} else None


def amount_in(amounts: Mapping[str, int], component: str) -> int:
    """One ceiling's share of amounts per component: the whole year's is their sum."""
    return sum(amounts.values()) if component == WHOLE_YEAR else amounts.get(component, 0)


def overruns(
    ceilings: Sequence[Ceiling],
    committed: Mapping[str, int],
    this_sk: Mapping[str, int],
    held: Mapping[str, int] | None = None,
) -> list[Overrun]:
    """The ceilings that committed + held + this SK would exceed (by component: the whole year
    first). All three are amounts per component key; ``held`` is the budget of decreed clients
    held for double assistance, kept in reserve against the ceiling until decided."""
    result = []
    for ceiling in sorted(ceilings, key=lambda c: (c.component != WHOLE_YEAR, c.component)):
        reserved = amount_in(held or {}, ceiling.component)
        before = amount_in(committed, ceiling.component) + reserved
        adding = amount_in(this_sk, ceiling.component)
        if adding and before + adding > ceiling.amount:
            result.append(Overrun(ceiling.component, ceiling.amount, before, adding, reserved))
    return result


def year_ceiling(ceilings: Sequence[Ceiling]) -> int:
    """The year's ceiling as one figure: the whole year's if set, else the sum of the components'."""
    whole = [c.amount for c in ceilings if c.component == WHOLE_YEAR]
    return whole[0] if whole else sum(c.amount for c in ceilings)

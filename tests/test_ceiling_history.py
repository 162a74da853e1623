"""A past month's figures use the budget ceiling (pagu) in force at that month's end (issue 16.2).

Only the current ceiling is kept in ``budget_ceilings``; every change is audited (from → to), so
the ceiling of a moment is read back from the audit trail. Dewi (admin) sets 2026's ceiling to
Rp8.000.000 in mid-October, a component-3 ceiling too, then in November raises the year's to
Rp9.000.000 and removes nothing: October's report still says Rp8.000.000; November's, Rp9.000.000.
"""

from __future__ import annotations

import datetime as dt

from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.budget import year_ceiling
from bot.domain.models import Role
from bot.services import Services
from storage.unit import Storage
from tests.conftest import START
from tests.helpers import enrol, seed_registry

OCTOBER_15 = dt.datetime(2026, 10, 15, 3, 0, tzinfo=dt.UTC)
NOVEMBER_20 = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)


async def test_the_ceiling_of_a_moment_is_the_one_in_force_then(storage: Storage, settings: Settings) -> None:
    clock = ManualClock(OCTOBER_15)
    services = Services(storage, clock, settings)
    await seed_registry(services)
    async with storage.reading() as uow:
        assert await uow.budget.ceilings(2026, at=OCTOBER_15) == []
    await services.budget.set_ceiling(None, 2026, "", 8_000_000)
    clock.advance(hours=1)
    await services.budget.set_ceiling(None, 2026, "3", 1_000_000)
    clock.set(NOVEMBER_20)
    await services.budget.set_ceiling(None, 2026, "", 9_000_000)
    clock.advance(hours=1)
    await services.budget.set_ceiling(None, 2026, "", 9_500_000)

    async with storage.reading() as uow:
        october_end = dt.datetime(2026, 10, 31, 17, 0, tzinfo=dt.UTC)  # 1 November 00.00 WIB
        assert [(c.component, c.amount) for c in await uow.budget.ceilings(2026, at=october_end)] == [
            ("", 8_000_000),
            ("3", 1_000_000),
        ]
        before_any = OCTOBER_15 - dt.timedelta(days=1)
        assert await uow.budget.ceilings(2026, at=before_any) == []
        between = OCTOBER_15 + dt.timedelta(minutes=30)  # the year's set, component 3 not yet
        assert [(c.component, c.amount) for c in await uow.budget.ceilings(2026, at=between)] == [("", 8_000_000)]
        assert [(c.component, c.amount) for c in await uow.budget.ceilings(2026)] == [
            ("", 9_500_000),
            ("3", 1_000_000),
        ]
        assert year_ceiling(await uow.budget.ceilings(2026, at=NOVEMBER_20 + dt.timedelta(minutes=30))) == 9_000_000


async def test_a_past_months_report_uses_the_ceiling_of_its_end(storage: Storage, settings: Settings) -> None:
    clock = ManualClock(OCTOBER_15)
    services = Services(storage, clock, settings)
    await seed_registry(services)
    await services.budget.set_ceiling(None, 2026, "", 8_000_000)
    clock.set(START)  # 28 November: the ceiling is raised after October ended
    await services.budget.set_ceiling(None, 2026, "", 9_000_000)
    dewi = await enrol(services, 9101, "Dewi Admin", Role.ADMIN)
    october = await services.reports.monthly(dewi, "2026-10")
    november = await services.reports.monthly(dewi, "2026-11")
    assert (october.ceiling, november.ceiling) == (8_000_000, 9_000_000)

"""The budget year an SK charges is its proposals' period year, not the SK's date (issue 16.2).

Hana (head) issues SKs on 28 November 2026. A proposal for January 2027 counts against the 2027
ceiling — the rule double assistance judges by (``budget_year_of``) — and an SK whose proposals
span 2026 and 2027 charges each to its own year: each year's ceiling is checked, and a refusal
gives the figures per year.
"""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.models import ProposalStatus, Role
from bot.services import Services
from bot.services.budget import OverCeiling
from storage.unit import Storage
from tests.conftest import START
from tests.helpers import enrol, seed_registry
from tests.seeds import pick_for_sk, proposal_amount, seed_proposal


async def test_an_sk_spanning_two_budget_years_is_checked_against_each_years_ceiling(
    storage: Storage, settings: Settings
) -> None:
    services = Services(storage, ManualClock(START), settings)
    await seed_registry(services)
    hana = await enrol(services, 501, "Hana", Role.HEAD)
    november = await seed_proposal(services, status=ProposalStatus.VALIDATED, clients=1)
    january = await seed_proposal(services, ipwl="JB02", status=ProposalStatus.VALIDATED, clients=2)
    async with storage.db.transaction() as conn:  # Siti's is for January next year
        await conn.execute("UPDATE proposals SET period_year = 2027, period_month = 1 WHERE id = ?", (january,))
    nov_amount, jan_amount = await proposal_amount(storage, november), await proposal_amount(storage, january)
    # 2026 has room for November's proposal but not for both; 2027 not even for January's.
    await services.budget.set_ceiling(None, 2026, "", nov_amount + 1)
    await services.budget.set_ceiling(None, 2027, "", jan_amount - 1)

    await pick_for_sk(services, hana, [november, january])
    draft = await services.decrees.current(hana)
    assert [(b.year, b.ceiling, b.committed, [o.this_sk for o in b.over]) for b in draft.budgets] == [
        (2026, nov_amount + 1, 0, []),
        (2027, jan_amount - 1, 0, [jan_amount]),
    ]
    with pytest.raises(OverCeiling) as refused:
        await services.decrees.issue(hana)
    assert [(year, [(o.ceiling, o.committed, o.this_sk) for o in found]) for year, found in refused.value.years] == [
        (2027, [(jan_amount - 1, 0, jan_amount)])
    ]
    async with storage.reading() as uow:
        assert await uow.budget.committed(2026) == {} and await uow.budget.committed(2027) == {}

    # With 2027's ceiling raised, the SK (dated 2026) goes through: each year is charged its own part.
    await services.budget.set_ceiling(None, 2027, "", jan_amount)
    decree, count = await services.decrees.issue(hana)
    assert count == 2 and decree.issued_on.year == 2026
    admin = await enrol(services, 9101, "Dewi Admin", Role.ADMIN)
    assert sum((await services.budget.position(admin, 2026)).committed.values()) == nov_amount
    assert sum((await services.budget.position(admin, 2027)).committed.values()) == jan_amount
    report = await services.reports.monthly(admin, "2026-11")
    assert (report.ceiling, report.committed) == (nov_amount + 1, nov_amount)


async def test_both_years_over_are_refused_with_the_figures_of_each(storage: Storage, settings: Settings) -> None:
    services = Services(storage, ManualClock(START), settings)
    await seed_registry(services)
    hana = await enrol(services, 501, "Hana", Role.HEAD)
    november = await seed_proposal(services, status=ProposalStatus.VALIDATED, clients=1)
    january = await seed_proposal(services, ipwl="JB02", status=ProposalStatus.VALIDATED, clients=1)
    async with storage.db.transaction() as conn:
        await conn.execute("UPDATE proposals SET period_year = 2027, period_month = 1 WHERE id = ?", (january,))
    amount = await proposal_amount(storage, november)
    await services.budget.set_ceiling(None, 2026, "", amount - 1)
    await services.budget.set_ceiling(None, 2027, "", amount - 2)
    await pick_for_sk(services, hana, [november, january])
    with pytest.raises(OverCeiling) as refused:
        await services.decrees.issue(hana)
    assert [(year, [(o.ceiling, o.this_sk) for o in found]) for year, found in refused.value.years] == [
        (2026, [(amount - 1, amount)]),
        (2027, [(amount - 2, amount)]),
    ]
    async with storage.reading() as uow:
        assert await uow.decrees.proposal_ids(1) == []

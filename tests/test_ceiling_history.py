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
from bot.domain.models import ProposalStatus, Role
from bot.services import Services
from storage.unit import Storage
from tests.conftest import START
from tests.helpers import enrol, seed_registry
from tests.seeds import seed_proposal

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


async def test_a_client_taken_off_by_an_sk_perubahan_frees_the_budget_once_no_money_is_out(
    storage: Storage, settings: Settings
) -> None:
    """Two proposals of one 2026 SK: Budi (unpaid) drops out, Siti (paid) dies. After the SK
    perubahan, Budi's budget is free at once; Siti's stays committed until her refund is settled
    (a newcomer saw the committed figure unchanged after the drop-out and the refund)."""
    clock = ManualClock(NOVEMBER_20)
    services = Services(storage, clock, settings)
    await seed_registry(services)
    head = await enrol(services, 501, "Hana", Role.HEAD)
    waiting = await seed_proposal(services, status=ProposalStatus.ACCOUNTS_VERIFIED, clients=2)
    paid = await seed_proposal(services, status=ProposalStatus.PAID, clients=2)
    async with storage.db.transaction() as conn:
        ((decree,),) = await conn.execute_fetchall(
            "INSERT INTO decrees (number, issued_on, issued_by, created_at) VALUES ('SK-001/2026', '2026-11-02', ?,"
            " '2026-11-02T03:00:00+00:00') RETURNING id",
            (head.person.id,),
        )
        await conn.execute("UPDATE proposals SET decree_id = ? WHERE id IN (?, ?)", (decree, waiting, paid))
        budi = (
            await conn.execute_fetchall("SELECT id FROM clients WHERE proposal_id = ? AND position = 2", (waiting,))
        )[0][0]
        siti = (await conn.execute_fetchall("SELECT id FROM clients WHERE proposal_id = ? AND position = 1", (paid,)))[
            0
        ][0]
        budgets = {
            c: (await conn.execute_fetchall("SELECT sum(total) FROM budget_lines WHERE client_id = ?", (c,)))[0][0]
            for c in (budi, siti)
        }
    async with storage.reading() as uow:
        before = sum((await uow.budget.committed(2026)).values())
    decided = "2026-11-20T03:00:00+00:00"
    async with storage.db.transaction() as conn:
        changes = {}
        for proposal, client, kind in ((waiting, budi, "drop_out"), (paid, siti, "death")):
            ((changes[client],),) = await conn.execute_fetchall(
                "INSERT INTO client_changes (proposal_id, client_id, kind, status, reason, requested_by,"
                " requested_at, decided_by, decided_at) VALUES (?, ?, ?, 'approved', 'x', ?, ?, ?, ?) RETURNING id",
                (proposal, client, kind, head.person.id, decided, head.person.id, decided),
            )
        await conn.execute(
            "INSERT INTO refund_cases (change_id, proposal_id, client_id, amount, created_at) VALUES (?, ?, ?, ?, ?)",
            (changes[siti], paid, siti, budgets[siti], decided),
        )
    async with storage.reading() as uow:
        assert sum((await uow.budget.committed(2026)).values()) == before - budgets[budi]
        earlier = dt.datetime(2026, 11, 10, tzinfo=dt.UTC)  # a report of before the SK perubahan
        assert sum((await uow.budget.committed(2026, until=earlier)).values()) == before
    async with storage.db.transaction() as conn:
        await conn.execute("UPDATE refund_cases SET status = 'settled', settled_at = '2026-11-25T03:00:00+00:00'")
    async with storage.reading() as uow:
        assert sum((await uow.budget.committed(2026)).values()) == before - budgets[budi] - budgets[siti]

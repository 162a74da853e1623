"""Two bot processes in miniature, for the race tests on PostgreSQL (tests/test_races.py, test_sk_lock_order.py):
three pools on one database, a storage whose next unit of work holds its transaction open until released, the
race of two units of work (whether the second had to wait for a lock), services on a storage, an operator's draft
ready to submit, one submitted with two PICs to review it, and an account saved."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from bot.clock import ManualClock
from bot.domain.models import Role
from bot.services import Services
from bot.services.proposals import FileUpload
from storage.unit import Storage, UnitOfWork
from tests.helpers import consent_all, enrol, someone_waits_for_a_lock
from tests.scenarios.review_cast import client_inputs

NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


@asynccontextmanager
async def three_pools(pg_cluster, first_kind: type[Storage]) -> AsyncIterator[tuple[Any, Storage, Storage]]:
    """(first, second, monitor): three pools on one fresh, migrated database, the first of ``first_kind``."""
    url = pg_cluster.new_database()
    first = first_kind((await Storage.open(url)).db)
    second = await Storage.open(url)
    monitor = await Storage.open(url, pool_size=1)
    try:
        yield first, second, monitor
    finally:
        for store in (first, second, monitor):
            await store.close()


class HeldStorage(Storage):
    """A storage whose next unit of work, its work done, waits for :attr:`release` to commit."""

    def hold_next(self) -> None:
        self._armed = True
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        hold, self._armed = getattr(self, "_armed", False), False
        async with super().transaction() as uow:
            yield uow
            if hold:
                self.holding.set()
                await self.release.wait()


async def race(
    first: HeldStorage, monitor: Storage, one: Callable[[], Awaitable[Any]], other: Callable[[], Awaitable[Any]]
) -> tuple[Any, Any, bool]:
    """Run ``one`` (on ``first``) up to its commit, then ``other``; → (result or error of each,
    whether ``other`` had to wait for a lock)."""
    first.hold_next()
    a = asyncio.ensure_future(one())
    held = asyncio.ensure_future(first.holding.wait())
    await asyncio.wait({a, held}, return_when=asyncio.FIRST_COMPLETED)
    assert first.holding.is_set(), f"the first unit of work ended early: {a.exception() if a.done() else a}"
    b = asyncio.ensure_future(other())
    waited = False
    while not b.done():  # a condition, not a pause: the second is either blocked or finished
        if await someone_waits_for_a_lock(monitor):
            waited = True
            break
        await asyncio.sleep(0.005)
    first.release.set()
    results = await asyncio.gather(a, b, return_exceptions=True)
    held.cancel()
    return results[0], results[1], waited


def services_on(storage: Storage, settings) -> Services:
    return Services(storage, ManualClock(NOW), settings)


async def ready_draft(services: Services, telegram_id: int = 501, ipwl: str = "JB01", clients=None):
    """An operator's complete draft (clients, budget, a cover letter): ready to submit."""
    who = await enrol(services, telegram_id, "Siti", Role.OPERATOR, ipwl=ipwl)
    state = await services.proposals.start(who)
    await services.proposals.add_clients(who, clients or client_inputs())
    upload = FileUpload("file-1", "u-1", "surat-pengantar.pdf", "application/pdf", 2048)
    await services.proposals.attach(who, upload, sha256="ab" * 32, stored_path=None)
    await consent_all(services, who)
    return who, state.proposal.id


async def submitted_with_two_pics(services: Services):
    """Siti's draft submitted, and Rina and Budi enrolled as PIC of team 1: (proposal id, Rina, Budi)."""
    who, proposal_id = await ready_draft(services)
    await services.proposals.submit(who, proposal_id)
    rina = await enrol(services, 601, "Rina", Role.PIC, team="TIM1")
    budi = await enrol(services, 602, "Budi", Role.PIC, team="TIM1")
    return proposal_id, rina, budi


async def save_account(uow: UnitOfWork, client_id: int, number: str) -> None:
    """A client's account at bank 002 in Siti Rahayu's name saved (a new revision when one is there)."""
    await uow.bank_accounts.save(
        client_id, bank_code="002", account_number=number, holder_name="Siti Rahayu", passbook_id=None, now=NOW
    )

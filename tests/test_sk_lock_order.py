"""Two SKs sharing NIKs cannot deadlock (PostgreSQL): the SK takes its per-NIK locks in one global
order, all up front, instead of proposal by proposal.

Hana issues the last SK of 2026 (dated 30 December, on 5 January) for JB01's proposal (client NIK
X) and JB02's (NIK Y); Rini, acting head, issues the first SK of 2027 the same minute for SS01's
proposal (NIK Y) and PA01's (NIK X). The two years' ceiling locks do not serialise them. Hana's SK
is stopped just after its first NIK lock while Rini's runs until it waits for a lock; then Hana's
goes on. Taken proposal by proposal (X, Y against Y, X) each would hold one NIK and wait for the
other: PostgreSQL kills one as a deadlock. In the one order both are issued, one after the other.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.domain.models import ProposalStatus, Role
from bot.domain.official_numbers import NumberFormat
from bot.services import Services
from storage.unit import Storage, UnitOfWork
from tests.helpers import enrol, seed_registry, someone_waits_for_a_lock
from tests.races import three_pools
from tests.seeds import validated_with

JANUARY_5 = dt.datetime(2027, 1, 5, 2, 0, tzinfo=dt.UTC)
X, Y = "3201014508900004", "7371011203850002"  # X sorts before Y


class PausingStorage(Storage):
    """A storage whose next unit of work stops right after its first per-NIK lock, until released."""

    def pause_next(self) -> None:
        self._armed = True
        self.paused = asyncio.Event()
        self.resume = asyncio.Event()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        armed, self._armed = getattr(self, "_armed", False), False
        async with super().transaction() as uow:
            if armed:
                conn: Any = uow.clients._conn
                lock = conn.lock

                async def pausing(key: str) -> None:
                    await lock(key)
                    if key.startswith("nik:") and not self.paused.is_set():
                        self.paused.set()
                        await self.resume.wait()

                conn.lock = pausing
            yield uow


@pytest.fixture
async def pg(pg_cluster) -> AsyncIterator[tuple[PausingStorage, Storage, Storage]]:
    async with three_pools(pg_cluster, PausingStorage) as pools:
        yield pools


async def test_two_sks_sharing_two_niks_in_opposite_orders_are_both_issued(pg, settings) -> None:
    first, second, monitor = pg
    seeding = Services(first, ManualClock(dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)), settings)
    await seed_registry(seeding)
    jb01 = await validated_with(seeding, "JB01", X)
    jb02 = await validated_with(seeding, "JB02", Y)
    ss01 = await validated_with(seeding, "SS01", Y)
    pa01 = await validated_with(seeding, "PA01", X)
    a = Services(first, ManualClock(JANUARY_5), settings)
    b = Services(second, ManualClock(JANUARY_5), settings)
    hana = await enrol(a, 700, "Hana", Role.HEAD)
    rini = await enrol(a, 701, "Rini", Role.HEAD)
    await a.decrees.start(hana)
    for pid in (jb01, jb02):
        await a.decrees.toggle(hana, pid)
    number = NumberFormat(settings.payments.sk_number_format).make(7, dt.date(2026, 12, 30))
    await a.decrees.number_text(hana, f"{number} 30-12-2026")
    await b.decrees.start(rini)
    for pid in (ss01, pa01):
        await b.decrees.toggle(rini, pid)
    await b.decrees.use_register(rini)

    first.pause_next()
    one = asyncio.ensure_future(a.decrees.issue(hana))
    paused = asyncio.ensure_future(first.paused.wait())
    await asyncio.wait({one, paused}, return_when=asyncio.FIRST_COMPLETED)
    assert first.paused.is_set(), f"Hana's SK ended before its first NIK lock: {one.exception() if one.done() else one}"
    other = asyncio.ensure_future(b.decrees.issue(rini))
    while not other.done():  # a condition, not a pause: Rini's SK waits for a lock, or is done
        if await someone_waits_for_a_lock(monitor):
            break
        await asyncio.sleep(0.005)
    first.resume.set()
    results = await asyncio.gather(one, other, return_exceptions=True)
    paused.cancel()
    assert not [r for r in results if isinstance(r, BaseException)], results
    async with second.reading() as uow:
        statuses = [(await uow.proposals.by_id(pid)).status for pid in (jb01, jb02, ss01, pa01)]
        numbers = sorted(d.number for d in [await uow.decrees.of_proposal(pid) for pid in (jb01, ss01)] if d)
    assert statuses == [ProposalStatus.DECREED] * 4
    assert numbers == sorted([number, NumberFormat(settings.payments.sk_number_format).make(1, JANUARY_5.date())])

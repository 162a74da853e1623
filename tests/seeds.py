"""A proposal seeded straight through the repositories, for the service, reminder, LPJ and security tests.

The draft with its clients and budget, then compare-and-set moves through every status up to the one
asked for; from ``paid`` on, verified bank accounts, sent transfers, a payment record and ``lpj_due_on``
— what step (d) leaves behind."""

from __future__ import annotations

import datetime as dt
import itertools

from bot.domain.models import Client, Component, Consent, Ipwl, Proposal, ProposalStatus
from bot.domain.proposal_intake import Cursor, Step
from bot.services import Services
from bot.services.proposals import DraftState
from storage.db import to_db_date, to_db_time
from storage.unit import Storage

S = ProposalStatus
PATH = (
    S.DRAFT,
    S.SUBMITTED,
    S.IN_REVIEW,
    S.VERIFIED,
    S.VALIDATED,
    S.DECREED,
    S.ACCOUNTS_SUBMITTED,
    S.ACCOUNTS_VERIFIED,
    S.PAID,
    S.LPJ_SUBMITTED,
    S.LPJ_VERIFIED,
)


# Two budget lines per client: component 1 (3 × 500.000) and component 3 (2 × 250.000) = Rp2.000.000.
LINES = ((Component.LIVING_NEEDS, "Paket sembako", 3, 500_000), (Component.FAMILY, "Konseling keluarga", 2, 250_000))
NAMES = ("Siti Rahayu", "Budi Santoso", "Dewi Lestari", "Agus Salim", "Rina Wati", "Joko Susilo")


async def seed_proposal(
    services: Services,
    *,
    ipwl: str = "JB01",
    clients: int = 2,
    status: ProposalStatus = S.PAID,
    due_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> int:
    """A proposal of ``ipwl`` with ``clients`` clients, moved up to ``status``; returns its id."""
    now = at or services.clock.now()
    async with services.storage.transaction() as uow:
        registry = await uow.ipwl.by_code(ipwl)
        assert registry is not None
        creator = await uow.people.upsert(900_000 + registry.id, f"Seeder {ipwl}", now)
        proposal = await uow.proposals.create_draft(registry.id, creator.id, now)
        await uow.proposals.set_period(proposal.id, 2026, 11, now)
        for i in range(clients):
            nik = f"{registry.province_code}0101{(i % 28) + 1:02d}0890{i + 1:04d}"
            client_id = await uow.clients.add(
                proposal.id,
                NAMES[i % len(NAMES)],
                nik,
                sex="L",
                approach="keluarga",
                components=["1", "3"],
                province_code=registry.province_code,
                regency=registry.regency,
                address="Jl. Melati 3 RT 01/02",
            )
            for component, description, quantity, unit in LINES:
                await uow.clients.add_budget_line(client_id, component, description, quantity, unit)
        path = PATH[: PATH.index(status) + 1]
        for frm, to in itertools.pairwise(path):
            fields: dict[str, object] = (
                {"lpj_due_on": due_on or (now.date() + dt.timedelta(days=30))} if to == S.PAID else {}
            )
            assert await uow.proposals.move(proposal.id, frm=frm, to=to, now=now, **fields)
            if to == S.LPJ_SUBMITTED:
                lpj = await uow.lpj.create(proposal.id, now)
                await uow.lpj.submit(lpj.id, 1, now, late=False)
    if PATH.index(status) >= PATH.index(S.PAID):
        await _seed_payment(services, proposal.id, creator.id, now)
    return proposal.id


async def _seed_payment(services: Services, proposal_id: int, by: int, now: dt.datetime) -> None:
    """What step (d) records: verified accounts, the SPP/SPM, a sent transfer per client."""
    stamp, day = to_db_time(now), to_db_date(now.date())
    async with services.storage.db.transaction() as conn:
        rows = await conn.execute_fetchall("SELECT id FROM clients WHERE proposal_id = ?", (proposal_id,))
        for (client_id,) in rows:
            await conn.execute(
                "INSERT INTO bank_accounts (client_id, bank_code, account_number, holder_name, status,"
                " updated_at) VALUES (?, '002', '123456789012345', 'X', 'verified', ?)",
                (client_id, stamp),
            )
            await conn.execute(
                "INSERT INTO transfers (client_id, amount, transfer_on, status, recorded_by, updated_at)"
                " VALUES (?, 2000000, ?, 'sent', ?, ?)",
                (client_id, day, by, stamp),
            )
        await conn.execute(
            "INSERT INTO payments (proposal_id, spp_number, spp_date, spm_number, spm_date, recorded_by,"
            " created_at) VALUES (?, 'SPP-1', ?, 'SPM-1', ?, ?, ?)",
            (proposal_id, day, day, by, stamp),
        )


def utc_at_3(year: int, month: int, day: int) -> dt.datetime:
    """03.00 UTC (10.00 WIB) on that day: a job's run in the centre's morning."""
    return dt.datetime(year, month, day, 3, 0, tzinfo=dt.UTC)


def consent_draft(recorded_at: dt.datetime, zone: str) -> DraftState:
    """A draft whose one client, born 1 Dec 2008, signed the consent alone (no guardian)."""
    proposal = Proposal(1, "USL-2026-0001", 1, ProposalStatus.DRAFT, 1)
    ipwl = Ipwl(
        1, "JB01", "Yayasan Harapan Bogor", "32", "Kabupaten Bogor", "Jl. Raya Cibinong 1", "PKS", None, None, None
    )
    client = Client(1, 1, 1, "Rudi Hartono", "3201010112080001", birth_date=dt.date(2008, 12, 1))
    consent = Consent(1, 1, "v1", 1, recorded_at)
    return DraftState(proposal, ipwl, Cursor(step=Step.REVIEW), [client], consents={1: consent}, zone=zone)


async def validated_with(services: Services, ipwl: str, nik: str) -> int:
    """A validated one-client proposal of ``ipwl`` whose client has this NIK."""
    pid = await seed_proposal(services, ipwl=ipwl, clients=1, status=ProposalStatus.VALIDATED)
    async with services.storage.transaction() as uow:
        (client,) = await uow.clients.of_proposal(pid)
        await uow.clients.update(client.id, nik=nik)
    return pid


async def proposal_amount(storage: Storage, proposal_id: int) -> int:
    """The budget of a proposal (the sum of its clients' lines)."""
    async with storage.db.reading() as conn:
        rows = await conn.execute_fetchall(
            "SELECT sum(b.total) FROM budget_lines b JOIN clients c ON c.id = b.client_id WHERE c.proposal_id = ?",
            (proposal_id,),
        )
    return int(rows[0][0])


async def pick_for_sk(services: Services, head, proposal_ids) -> None:
    """The head opens /sk, ticks these proposals and takes the register's next number."""
    await services.decrees.start(head)
    for pid in proposal_ids:
        await services.decrees.toggle(head, pid)
    await services.decrees.use_register(head)


async def issue_typed_sk(services: Services, head, proposal_id: int, number: str) -> str:
    """The head opens /sk, ticks one proposal, types ``number`` dated 28-11-2026 and issues it."""
    await services.decrees.start(head)
    await services.decrees.toggle(head, proposal_id)
    await services.decrees.ask_number(head)
    await services.decrees.number_text(head, f"{number} 28-11-2026")
    decree, _ = await services.decrees.issue(head)
    return decree.number


async def sk_numbers_of_year(storage: Storage, year: int) -> list[str]:
    """The numbers of the SKs (and SKs perubahan) dated in ``year``, in the order issued."""
    async with storage.reading() as uow:
        return await uow.decrees.numbers_of_year(year)

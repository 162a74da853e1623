"""The LPJ at the service level (no Telegram), and the seeding helpers the LPJ and reminder tests share.

A ``paid`` proposal is seeded straight through the repositories: the draft with its clients and
budget, then compare-and-set moves through every status up to ``paid``, with verified bank
accounts, sent transfers, a payment record and ``lpj_due_on`` — what step (d) leaves behind.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

import pytest

from bot.domain.lpj_intake import EvidenceKind, Reply, Step
from bot.domain.models import Component, ProposalStatus, Role
from bot.domain.validation import ValidationError
from bot.services import FileUpload, Identity, ServiceError, Services
from storage.db import to_db_date, to_db_time
from tests.helpers import enrol, seed_registry

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


def upload(name: str = "kuitansi.pdf", mime: str = "application/pdf", size: int = 50_000) -> FileUpload:
    return FileUpload(f"file-{name}", f"u-{name}", name, mime, size)


async def fill_complete(services: Services, who: Identity, proposal_id: int) -> None:
    """Services for every client, every line as budgeted, a receipt, a photo and the BAST."""
    lpj = services.lpj
    state = await lpj.open(who, proposal_id=proposal_id)
    while state.cursor.step == Step.SERVICES:
        state = await lpj.answer(who, Reply(text="01-11-2026 s/d 27-11-2026"))
    state = await lpj.answer(who, Reply(choice="all"))
    assert state.cursor.step == Step.EVIDENCE
    state = await lpj.attach(who, upload("kuitansi.pdf"), sha256="a" * 64, stored_path=None)
    state = await lpj.answer(who, Reply(text=str(state.content.realized_total)))
    if state.cursor.step == Step.METERAI:
        state = await lpj.answer(who, Reply(choice="yes"))
    for kind, name in (("photo", "foto.jpg"), ("bast", "bast.pdf")):
        await lpj.answer(who, Reply(choice=kind))
        await lpj.attach(
            who,
            upload(name, "image/jpeg" if name.endswith("jpg") else "application/pdf"),
            sha256="b" * 64,
            stored_path=None,
        )


# --- the tests ---------------------------------------------------------------------------------------


@pytest.fixture
async def services(storage, clock, settings) -> Services:
    svc = Services(storage, clock, settings)
    await seed_registry(svc)
    return svc


@pytest.fixture
async def people(services: Services) -> dict[str, Identity]:
    return {
        "op": await enrol(services, 1001, "Siti Operator", Role.OPERATOR, ipwl="JB01"),
        "pic": await enrol(services, 2001, "Andi PIC", Role.PIC, team="TIM1"),
        "pic2": await enrol(services, 2002, "Bayu PIC", Role.PIC, team="TIM1"),
        "fin": await enrol(services, 3001, "Fitri Finance", Role.FINANCE),
    }


async def status_of(services: Services, proposal_id: int) -> ProposalStatus:
    async with services.storage.reading() as uow:
        proposal = await uow.proposals.by_id(proposal_id)
    assert proposal is not None
    return proposal.status


async def test_a_complete_lpj_is_submitted_verified_and_validated(services, people) -> None:
    pid = await seed_proposal(services)
    await fill_complete(services, people["op"], pid)
    state = await services.lpj.submit(people["op"], pid)
    assert state.proposal.status == S.LPJ_SUBMITTED and not state.lpj.late
    await services.lpj.verify(people["pic"], pid)
    review = await services.lpj.validate(people["fin"], pid)
    assert review.proposal.status == S.CLOSED
    assert await status_of(services, pid) == S.CLOSED


async def test_nothing_is_submitted_while_something_is_missing(services, people) -> None:
    pid = await seed_proposal(services)
    await services.lpj.open(people["op"], proposal_id=pid)
    with pytest.raises(ValidationError) as caught:
        await services.lpj.submit(people["op"], pid)
    fields = {p.field for p in caught.value.problems}
    assert {"services", "realization", "receipts", "photos", "bast"} <= fields
    assert await status_of(services, pid) == S.PAID


async def test_an_lpj_after_its_due_date_is_late_and_stays_late(services, people, clock) -> None:
    pid = await seed_proposal(services, due_on=clock.now().date() + dt.timedelta(days=2))
    await fill_complete(services, people["op"], pid)
    clock.advance(days=3)
    state = await services.lpj.submit(people["op"], pid)
    assert state.lpj.late


async def test_four_eyes_a_verifier_who_is_also_finance_cannot_validate(services, people) -> None:
    both = await enrol(services, 2001, "Andi PIC", Role.FINANCE)  # Andi now holds pic and finance
    pid = await seed_proposal(services)
    await fill_complete(services, people["op"], pid)
    await services.lpj.submit(people["op"], pid)
    await services.lpj.verify(both, pid)
    with pytest.raises(Exception) as caught:
        await services.lpj.validate(both, pid)
    assert getattr(caught.value, "code", None) == "four_eyes"
    assert await status_of(services, pid) == S.LPJ_VERIFIED


async def test_two_pic_verifying_at_once_one_wins_the_other_is_told_who(services, people) -> None:
    pid = await seed_proposal(services)
    await fill_complete(services, people["op"], pid)
    await services.lpj.submit(people["op"], pid)
    results = await asyncio.gather(
        services.lpj.verify(people["pic"], pid), services.lpj.verify(people["pic2"], pid), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ServiceError) and errors[0].code == "already_done"
    assert errors[0].params["name"] in ("Andi PIC", "Bayu PIC")


async def test_a_return_carries_the_reasons_and_a_resubmission_is_a_new_version(services, people) -> None:
    pid = await seed_proposal(services)
    await fill_complete(services, people["op"], pid)
    await services.lpj.submit(people["op"], pid)
    await services.lpj.start_return(people["pic"], pid)
    with pytest.raises(ValidationError):
        await services.lpj.return_lpj(people["pic"], "short")  # reasons need a sentence
    await services.lpj.return_lpj(people["pic"], "Foto kegiatan kurang jelas, kirim ulang.")
    found = await services.lpj.returned_reasons(pid)
    assert found is not None and [r.reason for r in found[2]] == ["Foto kegiatan kurang jelas, kirim ulang."]
    state = await services.lpj.open(people["op"], proposal_id=pid)
    assert state.cursor.step == Step.REVIEW and state.reasons
    state = await services.lpj.submit(people["op"], pid)
    assert state.lpj.version == 2


async def test_an_operator_of_another_ipwl_cannot_open_it(services, people) -> None:
    other = await enrol(services, 1002, "Rudi", Role.OPERATOR, ipwl="SS01")
    pid = await seed_proposal(services)
    with pytest.raises(ServiceError) as caught:
        await services.lpj.open(other, proposal_id=pid)
    assert caught.value.code == "unknown_proposal"


async def test_a_receipt_above_the_threshold_needs_the_meterai(services, people) -> None:
    pid = await seed_proposal(services)
    op = people["op"]
    await services.lpj.open(op, proposal_id=pid)
    await services.lpj.go_to(op, "evidence")
    state = await services.lpj.attach(op, upload(), sha256="c" * 64, stored_path=None)
    assert state.cursor.step == Step.RECEIPT_AMOUNT
    state = await services.lpj.answer(op, Reply(text="6.000.000"))
    assert state.cursor.step == Step.METERAI
    state = await services.lpj.answer(op, Reply(choice="no"))
    assert state.cursor.step == Step.EVIDENCE and not state.content.of_kind(EvidenceKind.RECEIPT)
    assert state.warnings and state.warnings[0].field == "meterai"

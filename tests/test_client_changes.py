"""Changes after the SK (issue 16.6), at the service: the rules the chat stories do not reach.

Two operators filing for the same client at once file one request; a refund recorded twice is
recorded once; a step out of turn or out of scope changes nothing (and a press outside one's scope is
audited as denied); an erased client's change keeps no personal data.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.client_changes import ChangeKind, ChangeStep
from bot.domain.models import ProposalStatus, Role
from bot.domain.validation import ValidationError
from bot.services import Identity, ServiceError, Services
from tests.helpers import client_ids, enrol, file_death_notice, pdf, telegram_file
from tests.seeds import seed_proposal


@pytest.fixture
async def people(services: Services) -> dict[str, Identity]:
    return {
        "op": await enrol(services, 1001, "Siti Operator", Role.OPERATOR, ipwl="JB01"),
        "op2": await enrol(services, 1002, "Rudi Operator", Role.OPERATOR, ipwl="JB01"),
        "other_op": await enrol(services, 1003, "Nur Operator", Role.OPERATOR, ipwl="SS01"),
        "pic": await enrol(services, 2001, "Andi PIC", Role.PIC, team="TIM1"),
        "pic_other": await enrol(services, 2002, "Citra PIC", Role.PIC, team="TIM2"),
        "head": await enrol(services, 3001, "Hana Kepala", Role.HEAD),
        "fin": await enrol(services, 4001, "Fitri Finance", Role.FINANCE),
    }


async def test_two_operators_filing_for_one_client_file_one_request(services, people) -> None:
    pid = await seed_proposal(services, status=ProposalStatus.PAID)
    client = (await client_ids(services, pid))[0]
    for who in (people["op"], people["op2"]):
        await services.client_changes.start(who, client, ChangeKind.DROP_OUT)
        await services.client_changes.answer(who, "Klien kembali ke kampung halamannya")
    results = await asyncio.gather(
        services.client_changes.evidence(people["op"], telegram_file("a.pdf"), pdf("a")),
        services.client_changes.evidence(people["op2"], telegram_file("b.pdf"), pdf("b")),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["ChangeRequest", "ServiceError"]
    refused = next(r for r in results if isinstance(r, ServiceError))
    assert refused.code == "change_open"
    async with services.storage.reading() as uow:
        assert len(await uow.client_changes.of_proposal(pid)) == 1
        # The refused one's evidence was not kept as a record either (its transaction rolled back).
        assert [a.purpose for a in await uow.attachments.of_proposal(pid)].count("change_evidence") == 1


async def test_steps_out_of_turn_or_scope_change_nothing(services, people) -> None:
    pid = await seed_proposal(services, status=ProposalStatus.PAID)
    first, second = await client_ids(services, pid)
    with pytest.raises(ServiceError) as refused:  # another IPWL's operator
        await services.client_changes.start(people["other_op"], first, ChangeKind.DEATH)
    assert refused.value.code == "not_operator"
    change = await file_death_notice(services, people["op"], first)
    with pytest.raises(ServiceError) as refused:  # the head before the PIC team
        await services.client_changes.start_decision(people["head"], change.id, ChangeStep.REJECT)
    assert refused.value.code == "not_your_team"
    with pytest.raises(ServiceError) as refused:  # another team's PIC
        await services.client_changes.verify(people["pic_other"], change.id)
    assert refused.value.code == "not_your_team"
    with pytest.raises(ServiceError) as refused:  # the detail, to another team
        await services.client_changes.detail(people["pic_other"], change.id)
    with pytest.raises(ServiceError):  # /skperubahan, to a PIC
        await services.client_changes.amendment(people["pic"])
    async with services.storage.reading() as uow:
        assert (await uow.client_changes.by_id(change.id)).status == "requested"
        denied = [e for e in await uow.audit.for_entity("client_change", str(change.id)) if e.action == "denied"]
    assert len(denied) == 3
    # A NIK correction: the same NIK as on the SK, or not a NIK, is refused and asks again.
    await services.client_changes.start(people["op"], second, ChangeKind.NIK)
    async with services.storage.reading() as uow:
        nik = (await uow.clients.by_id(second)).nik
    for typed in (nik, "12345"):
        with pytest.raises(ValidationError):
            await services.client_changes.answer(people["op"], typed)
    assert (await services.client_changes.current(people["op"])).step == "value"


async def test_a_refund_is_opened_once_and_settled_once(services, people) -> None:
    pid = await seed_proposal(services, status=ProposalStatus.PAID)
    client = (await client_ids(services, pid))[0]
    change = await file_death_notice(services, people["op"], client)
    await services.client_changes.verify(people["pic"], change.id)
    await services.client_changes.amendment(people["head"])
    decree, approved = await services.client_changes.issue_amendment(people["head"])
    assert [c.status for c in approved] == ["approved"]
    [case] = await services.client_changes.refunds(people["fin"])
    assert (case.client_id, case.amount, case.amendment_number) == (client, 2_000_000, decree.number)
    assert await services.client_changes.refunds(people["pic"]) == []  # finance's own list
    with pytest.raises(ServiceError) as refused:
        await services.client_changes.settle_refund(people["head"], case.id)
    assert refused.value.code == "finance_only"
    # Finance types the amount and the day received (not in the future), then a reference number.
    await services.client_changes.start_refund(people["fin"], case.id)
    with pytest.raises(ValidationError):
        await services.client_changes.refund_text(people["fin"], "2.000.000 31-12-2030")
    with pytest.raises(ValidationError):
        await services.client_changes.refund_text(people["fin"], "2.000.001 28-11-2026")
    entry = await services.client_changes.refund_text(people["fin"], "2.000.000 28-11-2026")
    assert (entry.step, entry.amount) == ("proof", 2_000_000)
    entry = await services.client_changes.refund_text(people["fin"], "TRX-0001")
    assert (entry.step, entry.reference, entry.remaining_after) == ("confirm", "TRX-0001", 0)
    # Pressed twice at once: recorded once; the other press is told it was recorded, by whom.
    results = await asyncio.gather(
        *(services.client_changes.settle_refund(people["fin"], case.id) for _ in range(2)), return_exceptions=True
    )
    refusals = [r for r in results if isinstance(r, ServiceError)]
    assert len(refusals) == 1 and refusals[0].code == "already_done", results
    async with services.storage.reading() as uow:
        settled = [e for e in await uow.audit.for_entity("refund", str(case.id)) if e.action == "settle_refund"]
        assert len(settled) == 1 and (await uow.refunds.by_id(case.id)).status == "settled"
        assert (await uow.refunds.by_id(case.id)).received == 2_000_000
    # A second SK perubahan finds nothing to approve.
    await services.client_changes.amendment(people["head"])
    with pytest.raises(ServiceError) as refused:
        await services.client_changes.issue_amendment(people["head"])
    assert refused.value.code == "amendment_empty"


async def test_an_erased_client_s_change_keeps_no_personal_data(services, people, storage) -> None:
    pid = await seed_proposal(services, status=ProposalStatus.PAID)
    client = (await client_ids(services, pid))[1]
    await services.client_changes.start(people["op"], client, ChangeKind.NAME)
    await services.client_changes.answer(people["op"], "Budhi Santosa")
    await services.client_changes.answer(people["op"], "Nama Budi Santoso salah ketik di SK")
    change = await services.client_changes.evidence(people["op"], telegram_file("surat.pdf", size=200), pdf("ktp"))
    async with storage.transaction() as uow:
        assert await uow.privacy.anonymize(client, services.clock.now())
    async with storage.reading() as uow:
        erased = await uow.client_changes.by_id(change.id)
    assert erased is not None
    assert (erased.reason, erased.old_value, erased.new_value, erased.evidence_id) == ("-", None, None, None)


async def test_two_clients_corrected_to_one_nik_issue_nothing(services, people) -> None:
    """Each request was fine alone; together the same proposal would hold one NIK twice."""
    pid = await seed_proposal(services, status=ProposalStatus.DECREED)
    first, second = await client_ids(services, pid)
    changes = []
    for client in (first, second):
        await services.client_changes.start(people["op"], client, ChangeKind.NIK)
        await services.client_changes.answer(people["op"], "3201014508900099")
        await services.client_changes.answer(people["op"], "NIK di KTP berbeda dengan data usulan")
        changes.append(
            await services.client_changes.evidence(people["op"], telegram_file(f"{client}.pdf"), pdf(str(client)))
        )
        await services.client_changes.verify(people["pic"], changes[-1].id)
    await services.client_changes.amendment(people["head"])
    with pytest.raises(ServiceError) as refused:
        await services.client_changes.issue_amendment(people["head"])
    assert refused.value.code == "amendment_nik_taken"
    async with services.storage.reading() as uow:
        assert [(await uow.client_changes.by_id(c.id)).status for c in changes] == ["verified", "verified"]
        assert await uow.decrees.by_id(1) is None  # no SK perubahan, no number taken
        assert (await uow.clients.by_id(first)).nik != "3201014508900099"

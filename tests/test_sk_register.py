"""The SK register's next number is the next free one, numbers typed by hand included.

Hana, head of the centre, issues her first SK of November 2026 under the register's number
(SK-001), then types SK-002 and SK-003 by hand for the next two. The register kept counting only
the numbers it handed out itself, so it went on offering SK-002 — and "Issue" then said that number
was already used. Now /sk, the "next number in the register" button and /skperubahan (the same
register) offer SK-004, the SK is issued under it, and the SK perubahan after it gets SK-005.
A number typed far ahead (SK-010) is skipped too: the register goes on at SK-011.
"""

from __future__ import annotations

import pytest

from bot.domain.client_changes import ChangeKind
from bot.domain.models import Role
from bot.services import FileUpload, ServiceError, Services
from storage.unit import Storage
from tests.helpers import enrol, pdf
from tests.seeds import issue_typed_sk, pick_for_sk, sk_numbers_of_year, validated_with

FORM = "SK-{:03d}/BRSKPN-GP/XI/2026"
IPWL = ("JB01", "JB02", "SS01", "PA01")
NIKS = ("3201014508900004", "3202011203850002", "1671010112080001", "9171010101900001")  # one client each


async def test_numbers_typed_by_hand_are_skipped_by_the_register(services: Services, storage: Storage) -> None:
    hana = await enrol(services, 3001, "Hana Kepala", Role.HEAD)
    first, second, third, fourth = [
        await validated_with(services, code, nik) for code, nik in zip(IPWL, NIKS, strict=True)
    ]
    await pick_for_sk(services, hana, [first])
    assert (await services.decrees.current(hana)).final_number == FORM.format(1)
    assert (await services.decrees.issue(hana))[0].number == FORM.format(1)
    assert await issue_typed_sk(services, hana, second, FORM.format(2)) == FORM.format(2)
    assert await issue_typed_sk(services, hana, third, FORM.format(3)) == FORM.format(3)

    # /sk offers the next free number, and so does the register's button; issuing takes it.
    draft = await services.decrees.start(hana)
    assert draft.register_number == FORM.format(4)
    await services.decrees.toggle(hana, fourth)
    draft = await services.decrees.use_register(hana)
    assert draft.final_number == FORM.format(4)
    decree, count = await services.decrees.issue(hana)
    assert (decree.number, count) == (FORM.format(4), 1)

    # The SK perubahan shares the register: its next number is SK-005, and it is issued under it.
    siti = await enrol(services, 1001, "Siti Operator", Role.OPERATOR, ipwl="JB01")
    andi = await enrol(services, 2001, "Andi PIC", Role.PIC, team="TIM1")
    async with storage.reading() as uow:
        client = (await uow.clients.of_proposal(first))[0].id
    await services.client_changes.start(siti, client, ChangeKind.DEATH)
    await services.client_changes.answer(siti, "Klien meninggal dunia pada 25 November 2026")
    change = await services.client_changes.evidence(
        siti, FileUpload("file-akta", "u-akta", "akta.pdf", "application/pdf", 200), pdf("akta")
    )
    await services.client_changes.verify(andi, change.id)
    assert (await services.client_changes.amendment(hana)).register_number == FORM.format(5)
    amendment, _ = await services.client_changes.issue_amendment(hana)
    assert amendment.number == FORM.format(5)
    assert await sk_numbers_of_year(storage, 2026) == [FORM.format(n) for n in (1, 2, 3, 4, 5)]


async def test_after_a_number_typed_far_ahead_the_register_goes_on(services: Services, storage: Storage) -> None:
    hana = await enrol(services, 3001, "Hana Kepala", Role.HEAD)
    first, second, third = [
        await validated_with(services, code, nik) for code, nik in zip(IPWL[:3], NIKS[:3], strict=True)
    ]
    assert await issue_typed_sk(services, hana, first, "sk-10/brskpn-gp/xi/2026") == FORM.format(10)
    assert (await services.decrees.start(hana)).register_number == FORM.format(11)
    await pick_for_sk(services, hana, [second])
    assert (await services.decrees.issue(hana))[0].number == FORM.format(11)
    # The number typed is still refused a second time, with the reason.
    await services.decrees.start(hana)
    await services.decrees.toggle(hana, third)
    await services.decrees.ask_number(hana)
    with pytest.raises(ServiceError) as refused:
        await services.decrees.number_text(hana, f"{FORM.format(11)} 28-11-2026")
    assert refused.value.code == "sk_number_taken"
    # ... saying the SK holding it (its date) and the register's next free number.
    assert (refused.value.params["date"], refused.value.params["next"]) == ("28-11-2026", FORM.format(12))
    # A number below the last issued (SK-011): accepted — a gap is legitimate — with that SK noted.
    draft = await services.decrees.number_text(hana, f"{FORM.format(5)} 28-11-2026")
    assert draft.final_number == FORM.format(5)
    assert draft.below is not None and (draft.below.number, draft.below.issued_on.isoformat()) == (
        FORM.format(11),
        "2026-11-28",
    )
    assert (await services.decrees.issue(hana))[0].number == FORM.format(5)
    assert await sk_numbers_of_year(storage, 2026) == [FORM.format(10), FORM.format(11), FORM.format(5)]
    async with storage.reading() as uow:
        assert await uow.decrees.peek_register(2026) == 12  # the register took SK-011 itself

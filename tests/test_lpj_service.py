"""The LPJ at the service level (no Telegram), on proposals seeded by tests/seeds.py.

A ``paid`` proposal is seeded straight through the repositories: the draft with its clients and
budget, then compare-and-set moves through every status up to ``paid``, with verified bank
accounts, sent transfers, a payment record and ``lpj_due_on`` — what step (d) leaves behind.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.domain.lpj_intake import EvidenceKind, Reply, Step
from bot.domain.models import ProposalStatus, Role
from bot.domain.validation import ValidationError
from bot.services import Identity, ServiceError, Services
from tests.helpers import enrol, status_of, telegram_file
from tests.lpj_filing import fill_complete
from tests.seeds import seed_proposal

S = ProposalStatus


# --- the tests ---------------------------------------------------------------------------------------


@pytest.fixture
async def people(services: Services) -> dict[str, Identity]:
    return {
        "op": await enrol(services, 1001, "Siti Operator", Role.OPERATOR, ipwl="JB01"),
        "pic": await enrol(services, 2001, "Andi PIC", Role.PIC, team="TIM1"),
        "pic2": await enrol(services, 2002, "Bayu PIC", Role.PIC, team="TIM1"),
        "fin": await enrol(services, 3001, "Fitri Finance", Role.FINANCE),
    }


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
    state = await services.lpj.attach(op, telegram_file("kuitansi.pdf"), sha256="c" * 64, stored_path=None)
    assert state.cursor.step == Step.RECEIPT_AMOUNT
    state = await services.lpj.answer(op, Reply(text="6.000.000"))
    assert state.cursor.step == Step.METERAI
    state = await services.lpj.answer(op, Reply(choice="no"))
    assert state.cursor.step == Step.EVIDENCE and not state.content.of_kind(EvidenceKind.RECEIPT)
    assert state.warnings and state.warnings[0].field == "meterai"

"""Rules that held only because SQLite runs one writer at a time, proved on real PostgreSQL.

On PostgreSQL units of work run side by side (a pool; next, several bot processes). Each test
here is two bot processes in miniature: two ``Storage`` objects with their own connection pools
on one database. The first unit of work does its whole job and then *holds its transaction open*
(:class:`HeldStorage`); the second starts the same job meanwhile. The test waits until the second
is either blocked on a lock (PostgreSQL says so in ``pg_stat_activity``) or done, then lets the
first commit, and checks the rule: one claim, one submission, distinct numbers, one grant, the
duplicate NIK seen, the draft's answers applied in turn, a shared account number seen, an erasure
made once. A guard that did not hold would let the second finish unblocked on stale data, and the
rule's assertion fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.domain.conversation import Reply
from bot.domain.models import ProposalStatus, Role
from bot.domain.proposal_intake import Step
from bot.domain.records import NewNotification
from bot.services import ServiceError
from storage.unit import Storage
from tests.helpers import enrol, person, seed_registry
from tests.races import (
    NOW,
    HeldStorage,
    race,
    ready_draft,
    save_account,
    services_on,
    submitted_with_two_pics,
    three_pools,
)
from tests.scenarios.review_cast import client_inputs


@pytest.fixture
async def pg(pg_cluster) -> AsyncIterator[tuple[HeldStorage, Storage, Storage]]:
    """(first, second, monitor): three pools on one fresh, migrated database."""
    async with three_pools(pg_cluster, HeldStorage) as pools:
        yield pools


# --- counters ------------------------------------------------------------------------------------------------


async def test_two_drafts_started_at_once_get_two_proposal_numbers(pg, settings) -> None:
    first, second, monitor = pg
    a, b = services_on(first, settings), services_on(second, settings)
    await seed_registry(a)
    siti = await enrol(a, 501, "Siti", Role.OPERATOR, ipwl="JB01")
    andi = await enrol(a, 502, "Andi", Role.OPERATOR, ipwl="JB02")
    one, other, waited = await race(first, monitor, lambda: a.proposals.start(siti), lambda: b.proposals.start(andi))
    assert waited  # the counter's row is locked by the first until it commits
    assert sorted([one.proposal.code, other.proposal.code]) == ["USL-2026-0001", "USL-2026-0002"]


async def test_two_sk_numbers_taken_from_the_register_at_once_differ(pg) -> None:
    first, second, monitor = pg

    async def take(storage: Storage) -> int:
        async with storage.transaction() as uow:
            return await uow.decrees.take_register(2026)

    one, other, waited = await race(first, monitor, lambda: take(first), lambda: take(second))
    assert waited and sorted([one, other]) == [1, 2]


async def test_the_same_typed_sk_number_issued_twice_at_once_is_refused_once_cleanly(pg) -> None:
    first, second, monitor = pg
    async with first.transaction() as uow:
        head = (await uow.people.upsert(900, "Kepala", NOW, started=True)).id

    async def issue(storage: Storage) -> str:
        # What DecreeService.issue does with a typed number: lock it, check it, create the decree.
        async with storage.transaction() as uow:
            await uow.decrees.lock_number("SK-7/2026")
            if await uow.decrees.number_taken("sk-7/2026"):
                return "taken"
            await uow.decrees.create("SK-7/2026", NOW.date(), head, NOW)
            return "issued"

    one, other, waited = await race(first, monitor, lambda: issue(first), lambda: issue(second))
    assert waited and (one, other) == ("issued", "taken")  # never a unique-constraint error


# --- claims, four eyes, double submit ----------------------------------------------------------------------------


async def test_two_pics_claiming_at_once_one_wins_and_the_other_is_told(pg, settings) -> None:
    first, second, monitor = pg
    a, b = services_on(first, settings), services_on(second, settings)
    await seed_registry(a)
    proposal_id, rina, budi = await submitted_with_two_pics(a)
    from bot.domain.workflow import Action

    one, other, waited = await race(
        first,
        monitor,
        lambda: a.reviews.act(rina, proposal_id, Action.CLAIM),
        lambda: b.reviews.act(budi, proposal_id, Action.CLAIM),
    )
    assert waited
    assert not isinstance(one, BaseException) and one.claimed_by == rina.person.id
    assert isinstance(other, ServiceError)  # told who was first, nothing changed
    async with second.reading() as uow:
        proposal = await uow.proposals.by_id(proposal_id)
        history = [e.action for e in await uow.admin.history(proposal.code)]
    assert proposal.status == ProposalStatus.IN_REVIEW and proposal.claimed_by == rina.person.id
    assert history.count("claim") == 1


async def test_the_verifier_cannot_validate_while_the_verification_commits(pg, settings) -> None:
    first, second, monitor = pg
    a, b = services_on(first, settings), services_on(second, settings)
    await seed_registry(a)
    proposal_id, rina, budi = await submitted_with_two_pics(a)
    from bot.domain.workflow import Action

    await a.reviews.act(rina, proposal_id, Action.CLAIM)
    one, other, _ = await race(
        first,
        monitor,
        lambda: a.reviews.act(rina, proposal_id, Action.VERIFY),
        lambda: b.reviews.act(rina, proposal_id, Action.VALIDATE),
    )
    assert not isinstance(one, BaseException) and isinstance(other, ServiceError)
    async with second.reading() as uow:
        proposal = await uow.proposals.by_id(proposal_id)
    assert proposal.status == ProposalStatus.VERIFIED and proposal.verified_by == rina.person.id
    validated = await b.reviews.act(budi, proposal_id, Action.VALIDATE)  # four eyes: someone else
    assert validated.status == ProposalStatus.VALIDATED


async def test_a_double_submit_from_two_phones_submits_once(pg, settings) -> None:
    first, second, monitor = pg
    a, b = services_on(first, settings), services_on(second, settings)
    await seed_registry(a)
    who, proposal_id = await ready_draft(a)
    one, other, waited = await race(
        first, monitor, lambda: a.proposals.submit(who, proposal_id), lambda: b.proposals.submit(who, proposal_id)
    )
    assert waited and not isinstance(one, BaseException)
    assert isinstance(other, ServiceError) and other.code == "already_done"
    async with second.reading() as uow:
        versions = await uow.privacy.snapshots(proposal_id)
        proposal = await uow.proposals.by_id(proposal_id)
        history = [e.action for e in await uow.admin.history(proposal.code)]
    assert proposal.status == ProposalStatus.SUBMITTED and [v for v, _ in versions] == [1]
    assert history.count("submit") == 1


# --- the outbox and the reminder log -----------------------------------------------------------------------------


async def test_two_senders_claiming_the_outbox_at_once_never_take_the_same_row(pg) -> None:
    first, second, monitor = pg
    async with first.transaction() as uow:
        await uow.outbox.enqueue_many([NewNotification(f"k{i}", 1000 + i, "test", {}) for i in range(10)], now=NOW)

    async def claim(storage: Storage) -> set[int]:
        async with storage.transaction() as uow:
            return {m.id for m in await uow.outbox.claim_due(NOW, limit=10, lease=dt.timedelta(minutes=5))}

    one, other, waited = await race(first, monitor, lambda: claim(first), lambda: claim(second))
    assert waited and len(one) == 10 and one.isdisjoint(other)
    async with second.reading() as uow:
        rows = await uow.outbox._conn.execute_fetchall("SELECT attempts FROM outbox")
    assert sorted(r[0] for r in rows) == [1] * 10  # each row claimed (and counted) once


async def test_two_reminder_runs_claiming_the_same_keys_send_each_once(pg) -> None:
    first, second, monitor = pg
    keys = [f"lpj_due:{i}:2026-12-07" for i in range(50)]

    async def claim(storage: Storage) -> set[str]:
        async with storage.transaction() as uow:
            return await uow.reminders.claim(keys, NOW)

    one, other, waited = await race(first, monitor, lambda: claim(first), lambda: claim(second))
    assert waited and one == set(keys) and other == set()


async def test_an_outbox_key_queued_by_two_runs_at_once_is_queued_once(pg) -> None:
    first, second, monitor = pg
    notes = [NewNotification(f"reminder:{i}", 1000 + i, "reminder", {"i": i}) for i in range(20)]

    async def enqueue(storage: Storage) -> int:
        async with storage.transaction() as uow:
            return await uow.outbox.enqueue_many(notes, now=NOW)

    one, other, waited = await race(first, monitor, lambda: enqueue(first), lambda: enqueue(second))
    assert waited and (one, other) == (20, 0)


# --- the duplicate NIK, invites, the draft's cursor --------------------------------------------------------------


async def test_a_nik_checked_while_another_ipwl_submits_it_is_flagged(pg, settings) -> None:
    first, second, monitor = pg
    a, b = services_on(first, settings), services_on(second, settings)
    await seed_registry(a)
    siti, proposal_id = await ready_draft(a, 501, "JB01")
    andi = await enrol(a, 701, "Andi", Role.OPERATOR, ipwl="SS01")
    await a.proposals.start(andi)
    same_nik = client_inputs()[:1]

    async def add() -> Any:
        return await b.proposals.add_clients(andi, same_nik)

    one, other, waited = await race(first, monitor, lambda: a.proposals.submit(siti, proposal_id), add)
    assert waited and not isinstance(one, BaseException) and not isinstance(other, BaseException)
    assert [c.flags for c in other.clients] == [("dup_nik",)]  # seen, though submitted a moment before
    assert any("also in a proposal of another IPWL" in w.problem.message for w in other.row_warnings)


async def test_one_invite_redeemed_by_two_people_at_once_binds_one(pg, settings) -> None:
    first, second, monitor = pg
    a, b = services_on(first, settings), services_on(second, settings)
    await seed_registry(a)
    invite = await a.onboarding.create_invite(Role.OPERATOR, ipwl_code="JB01")
    siti = await person(a, 501, "Siti")
    andi = await person(a, 502, "Andi")
    one, other, waited = await race(
        first,
        monitor,
        lambda: a.onboarding.redeem_invite(siti, invite.token),
        lambda: b.onboarding.redeem_invite(andi, invite.token),
    )
    assert waited and not isinstance(one, BaseException)
    assert isinstance(other, ServiceError) and other.code == "invite_used"
    assert (await person(b, 502, "Andi")).actor.operated_ipwl_ids == []


async def test_two_invites_for_the_same_role_redeemed_at_once_grant_it_once(pg, settings) -> None:
    first, second, monitor = pg
    a, b = services_on(first, settings), services_on(second, settings)
    await seed_registry(a)
    one_link = await a.onboarding.create_invite(Role.FINANCE)
    two_link = await a.onboarding.create_invite(Role.FINANCE)
    rina = await person(a, 601, "Rina")
    _, _, waited = await race(
        first,
        monitor,
        lambda: a.onboarding.redeem_invite(rina, one_link.token),
        lambda: b.onboarding.redeem_invite(rina, two_link.token),
    )
    assert waited
    async with second.reading() as uow:
        lines = await uow.admin.grants_of(rina.person.id)
    assert [line.role for line in lines] == [Role.FINANCE]


async def test_two_answers_to_one_draft_at_once_are_applied_in_turn(pg, settings) -> None:
    first, second, monitor = pg
    a, b = services_on(first, settings), services_on(second, settings)
    await seed_registry(a)
    siti = await enrol(a, 501, "Siti", Role.OPERATOR, ipwl="JB01")
    state = await a.proposals.start(siti)
    state = await a.proposals.answer(siti, Reply(choice="this"))
    assert state.cursor.step == Step.NAME
    one, other, waited = await race(
        first,
        monitor,
        lambda: a.proposals.answer(siti, Reply(text="Siti Rahayu")),
        lambda: b.proposals.answer(siti, Reply(text="3201014508900004")),
    )
    assert waited and not isinstance(one, BaseException) and not isinstance(other, BaseException)
    # The second answer met the cursor the first left: the NIK went to the NIK question.
    async with second.reading() as uow:
        raw = await uow.proposals.cursor_of(state.proposal.id)
    assert '"full_name": "Siti Rahayu"' in raw and "3201014508900004" in raw
    assert other.cursor.step not in (Step.NAME, Step.NIK)


# --- one account, one client; the erasure; held sheets -------------------------------------------------------


async def test_one_account_number_saved_for_two_clients_at_once_is_seen_by_the_second(pg, settings) -> None:
    first, second, monitor = pg
    a = services_on(first, settings)
    await seed_registry(a)
    _, siti_proposal = await ready_draft(a, 501, "JB01")
    _, andi_proposal = await ready_draft(a, 701, "SS01")
    async with first.reading() as uow:
        siti_client = (await uow.clients.of_proposal(siti_proposal))[0].id
        andi_client = (await uow.clients.of_proposal(andi_proposal))[0].id

    async def save(storage: Storage, client_id: int, proposal_id: int) -> list[int]:
        # What PaymentService does with a typed account: lock the number, save, read the holders.
        async with storage.transaction() as uow:
            await uow.bank_accounts.lock_numbers(["0123456789"])
            await save_account(uow, client_id, "0123456789")
            return [s.other_client_id for s in await uow.bank_accounts.shared(proposal_id, 2026)]

    one, other, waited = await race(
        first,
        monitor,
        lambda: save(first, siti_client, siti_proposal),
        lambda: save(second, andi_client, andi_proposal),
    )
    assert waited  # the second save of the number waited for the first to commit
    assert one == [] and other == [siti_client]  # the second sees the first: flagged, not missed


async def test_one_client_erased_by_two_admins_at_once_is_erased_once(pg, settings) -> None:
    first, second, monitor = pg
    settings = settings.model_copy(
        update={"access": settings.access.model_copy(update={"admin_user_ids": [9001, 9002]})}
    )
    a, b = services_on(first, settings), services_on(second, settings)
    await seed_registry(a)
    _, proposal_id = await ready_draft(a)  # a draft's client: erasing deletes the record
    async with first.reading() as uow:
        client_id = (await uow.clients.of_proposal(proposal_id))[0].id
    rina, dewi = await person(a, 9001, "Rina"), await person(b, 9002, "Dewi")

    one, other, waited = await race(
        first, monitor, lambda: a.privacy.erase(rina, client_id), lambda: b.privacy.erase(dewi, client_id)
    )
    assert waited  # the second waited on the client's row, then found it gone
    assert not isinstance(one, BaseException) and one.action == "delete"
    assert isinstance(other, ServiceError) and other.code == "stale"
    async with second.reading() as uow:
        erasures = [
            e for e in await uow.audit.for_entity("client", str(client_id)) if e.action == "delete_personal_data"
        ]
    assert len(erasures) == 1
    from bot.services.backups import erasure_ledger

    assert [e.client_id for e in erasure_ledger(settings).entries()] == [client_id]  # one ledger entry


async def test_a_verify_button_drawn_for_an_account_never_verifies_the_one_saved_meanwhile(pg, settings) -> None:
    first, second, monitor = pg
    a = services_on(first, settings)
    await seed_registry(a)
    _, proposal_id = await ready_draft(a, 501, "JB01")
    async with first.transaction() as uow:
        client_id = (await uow.clients.of_proposal(proposal_id))[0].id
        await save_account(uow, client_id, "0123456789")  # revision 1
    from bot.domain.models import BankAccountStatus

    async def replace_account() -> None:
        # What PaymentService._store does: the number's lock, the account's lock, the save.
        async with first.transaction() as uow:
            await uow.bank_accounts.lock_numbers(["9876543210"])
            await uow.bank_accounts.lock_accounts([client_id])
            await save_account(uow, client_id, "9876543210")  # revision 2

    async def verify_shown(shown: int) -> str:
        # What PaymentService.verify does for one client's button drawn for revision ``shown``.
        async with second.transaction() as uow:
            await uow.bank_accounts.lock_accounts([client_id])
            account = await uow.bank_accounts.by_client(client_id)
            if account is None or account.revision != shown:
                return "stale"
            moved = await uow.bank_accounts.move(
                client_id, frm=[BankAccountStatus.SUBMITTED], to=BankAccountStatus.VERIFIED, now=NOW, revision=shown
            )
            return "verified" if moved else "stale"

    _, other, waited = await race(first, monitor, replace_account, lambda: verify_shown(1))
    assert waited and other == "stale"  # the new account (revision 2) stays unchecked
    async with second.reading() as uow:
        account = await uow.bank_accounts.by_client(client_id)
    assert account is not None and account.revision == 2 and account.status == BankAccountStatus.SUBMITTED


async def test_two_sks_that_together_exceed_the_ceiling_are_issued_one_and_refused_one(pg, settings) -> None:
    """Each SK fits what remains of the ceiling, both together do not: the second waits for the
    first's commit, then sees its amount as committed and is refused (issue 16.2)."""
    from bot.services.budget import OverCeiling
    from tests.seeds import seed_proposal

    first, second, monitor = pg
    a, b = services_on(first, settings), services_on(second, settings)
    await seed_registry(a)
    one_id = await seed_proposal(a, ipwl="JB01", status=ProposalStatus.VALIDATED)
    other_id = await seed_proposal(a, ipwl="JB02", status=ProposalStatus.VALIDATED)
    hana = await enrol(a, 601, "Hana", Role.HEAD)
    dodi = await enrol(a, 602, "Dodi", Role.HEAD)
    draft = await a.decrees.start(hana)
    amount = next(c.total for c in draft.candidates if c.id == one_id)
    await a.budget.set_ceiling(None, 2026, "", amount + amount // 2)
    for who, proposal_id, services in ((hana, one_id, a), (dodi, other_id, b)):
        await services.decrees.start(who)
        await services.decrees.toggle(who, proposal_id)
        await services.decrees.use_register(who)
    one, other, waited = await race(first, monitor, lambda: a.decrees.issue(hana), lambda: b.decrees.issue(dodi))
    assert waited  # the year's ceiling is held by the first SK until it commits
    assert not isinstance(one, BaseException) and isinstance(other, OverCeiling)
    assert (other.overruns[0].committed, other.overruns[0].this_sk) == (amount, amount)
    async with monitor.reading() as uow:
        assert (await uow.proposals.by_id(other_id)).status == ProposalStatus.VALIDATED
        assert sum((await uow.budget.committed(2026)).values()) == amount

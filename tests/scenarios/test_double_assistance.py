"""Double assistance re-checked when it matters (issue 16.1).

Rudi (operator of SS01, Tim PIC 2) had Sity — the same NIK as Siti's client Siti Rahayu at JB01 —
decreed in SK-001 this year. Siti's proposal comes later: at verification Andi's group card says
client 1 is held (SS01's proposal code and IPWL code only, no name, no NIK), Tim PIC 2's card warns
too. Hana issues the SK: the annex leaves client 1 out and says so. Citra (Tim PIC 2) cannot decide
for JB01; Andi decides in Detail — a too-short reason is refused and changes nothing — and with a
real reason client 1 is recorded (who, when, why), audited, and back in the annex Hana gets again.
"""

from __future__ import annotations

import asyncio

from bot.domain.models import ProposalStatus as S
from bot.domain.models import Role
from handlers import buttons
from storage.db import to_db_time
from tests.scenarios.double_assistance_cast import (
    NIK,
    SAME_NIK,
    decreed_at_ss01,
    held_until_adjudicated,
    submitted_at_ss01,
)
from tests.scenarios.payment_cast import button, clients, finance_officer, press
from tests.scenarios.review_cast import card, datas, operator, submitted, tap, team, verified_by_andi
from tests.security.matrix import message_with_button
from tests.seeds import seed_proposal


async def test_a_hard_conflict_is_held_out_of_the_sk_until_adjudicated(world) -> None:
    await held_until_adjudicated(world)


async def test_an_sk_issued_this_year_for_next_years_period_still_holds_the_client(world) -> None:
    """A newcomer's run: SS01's SK was issued in December for a January period (next budget year),
    and Siti's proposal is for that January too. The re-check must take both for the same budget
    year — before, the SK's date (this year) and the period (next year) disagreed and the same NIK
    went into a second SK and was paid twice."""
    t = world.team = await team(world)
    ss01, _group2 = await decreed_at_ss01(world, t)
    pid = await submitted(world, t)
    async with world.storage.db.transaction() as conn:  # both proposals are for January next year
        await conn.execute(
            "UPDATE proposals SET period_year = period_year + 1, period_month = 1 WHERE id IN (?, ?)", (ss01, pid)
        )
    siti_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ? AND position = 1", pid))[0][0]
    await verified_by_andi(world, t, pid)
    await world.drain()
    assert await world.rows("SELECT kind, adjudicated_at FROM nik_conflicts WHERE client_id = ?", siti_client) == [
        ("hard", None)
    ]
    assert "🛑" in card(world, t, pid).text


async def test_a_december_client_is_not_held_because_of_a_january_one(world) -> None:
    """SS01's client was decreed for this year; Siti proposes the same NIK for January next year —
    another budget year. Nobody is held on either side, through Siti's own SK (a newcomer saw the
    earlier, rightly decreed client held once the January one got its SK, dated this year)."""
    t = world.team = await team(world)
    ss01, group2 = await decreed_at_ss01(world, t)
    pid = await submitted(world, t)
    async with world.storage.db.transaction() as conn:
        await conn.execute("UPDATE proposals SET period_year = period_year + 1, period_month = 1 WHERE id = ?", (pid,))
    for action in ("claim", "verify"):
        await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, action))
    await tap(world, t.budi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "validate"))
    await world.drain()
    await world.say(t.head, "/sk")
    for step in (("p", pid), ("n",), ("r",), ("y",)):
        await press(world, t.head, buttons.SK_DRAFT.data(*step))
    await world.drain()
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", pid)) == [("decreed",)]
    assert await world.rows("SELECT kind FROM nik_conflicts") == []
    assert "🛑" not in world.last(group2).text and "🛑" not in card(world, t, pid).text


async def test_both_teams_are_warned_as_soon_as_the_second_proposal_is_sent(world) -> None:
    """Rudi's SS01 proposal waits at Tim PIC 2 with Sity; Siti then sends JB01's with the same NIK.
    A newcomer saw the warning reach a team only after it had verified: now both cards warn the
    moment Siti sends — each with the other side's codes, no name or NIK in either group — and
    nobody is held (both are still under review)."""
    t = world.team = await team(world)
    rudi = world.emu.add_user("Rudi", last_name="Operator")
    await world.enrol(rudi, Role.OPERATOR, ipwl="SS01")
    group2 = world.emu.add_group("Tim PIC 2", members=[t.citra])
    ss01 = await submitted_at_ss01(world, rudi, group2)
    await world.drain()
    ss01_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", ss01))[0][0]
    before = world.last(group2).text
    assert ss01_code in before and "⚠️" not in before

    pid = await submitted(world, t)
    jb01_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    assert await world.rows("SELECT kind, stage, adjudicated_at FROM nik_conflicts") == [
        ("soft", "submit", None),
        ("soft", "submit", None),
    ]
    theirs = world.last(group2).text  # Tim PIC 2's card of SS01's proposal, edited in place
    assert "⚠️" in theirs and jb01_code in theirs and ss01_code in theirs
    ours = card(world, t, pid).text
    assert "⚠️" in ours and ss01_code in ours and "🛑" not in ours
    group_texts = [x for g in (t.group, group2) for m in world.emu.chat_messages(g) for x in (m.text or "", *m.edits)]
    assert not [x for x in group_texts if NIK in x or "Siti Rahayu" in x or "Sity" in x]


async def test_a_conflict_found_at_payment_holds_that_transfer_until_adjudicated(world) -> None:
    """SS01 paid the same person this year (the two SKs predate any re-check). Fajar opens JB01's
    payment: the re-check holds client 1 — no ✅ for it, a forged press refused, "all pending" pays
    the others — until Andi decides in Detail; then Fajar pays client 1 and the proposal is paid."""
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    jb01 = await seed_proposal(world.services, ipwl="JB01", status=S.ACCOUNTS_VERIFIED, clients=2)
    ss01 = await seed_proposal(world.services, ipwl="SS01", status=S.PAID, clients=1)
    first, second = await clients(world, jb01)
    other = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    fajar_id = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", fajar.id))[0][0]
    now = world.clock.now()
    async with world.storage.db.transaction() as conn:
        # The same person: SS01's client carries JB01's first NIK (the sealed value and its blind index).
        await conn.execute(SAME_NIK, (first, first, other))
        for client in (first, second):
            await conn.execute(
                "INSERT INTO bank_accounts (client_id, bank_code, account_number, holder_name, status, updated_at)"
                " VALUES (?, '002', ?, 'X', 'verified', ?)",
                (client, f"55500011{client:02d}", to_db_time(now)),
            )
        await conn.execute(
            "INSERT INTO payments (proposal_id, spp_number, spp_date, spm_number, spm_date, recorded_by, created_at,"
            " sp2d_number, sp2d_date) VALUES (?, '00123/SPP/XI/2026', '2026-11-28', '00456/SPM/XI/2026',"
            " '2026-11-28', ?, ?, '261131302002345', '2026-11-28')",
            (jb01, fajar_id, to_db_time(now)),
        )
    await world.drain()

    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(jb01))
    screen = world.last(fajar)
    assert "🛑" in screen.text
    assert buttons.TRANSFER_SENT.data(first, 0) not in datas(screen)
    assert buttons.TRANSFER_SENT.data(second, 0) in datas(screen)
    assert await world.rows("SELECT client_id, other_client_id, kind, stage FROM nik_conflicts ORDER BY client_id") == [
        (first, other, "hard", "payment"),
        (other, first, "soft", "payment"),
    ]
    # A forged (or stale) ✅ for client 1 is refused and records nothing.
    forged = buttons.TRANSFER_SENT.data(first, 0)
    answer = await world.emu.press(fajar, await message_with_button(world, fajar.id, forged), forged)
    assert answer is not None and answer.show_alert and "ditahan" in (answer.text or "")
    await press(world, fajar, buttons.TRANSFERS_ALL_SENT.data(jb01))
    assert await world.rows("SELECT client_id, status FROM transfers WHERE client_id IN (?, ?)", first, second) == [
        (second, "sent")
    ]
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", jb01)) == [("accounts_verified",)]

    # /tugas tells Andi what waits for him; he decides in Detail.
    tasks = (await world.say(t.andi, "/tugas"))[-1].text
    assert "🛑" in tasks and "SS01" in tasks
    detail = buttons.CARD_DETAIL.data(jb01)
    await tap(world, t.andi, await message_with_button(world, t.group.id, detail), detail)
    message, data = button(world, t.andi, buttons.NIK_ADJUDICATE.data(first))
    await tap(world, t.andi, message, data)
    await world.say(t.andi, "Nama ibu dan tanggal lahir berbeda, sudah dicek ke Dukcapil")
    assert (await world.rows("SELECT count(*) FROM nik_conflicts WHERE adjudicated_at IS NOT NULL")) == [(2,)]

    await press(world, fajar, buttons.PAYMENT_OPEN.data(jb01))
    assert "🛑" not in world.last(fajar).text
    await press(world, fajar, buttons.TRANSFER_SENT.data(first, 0))
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", jb01)) == [("paid",)]


async def test_two_pics_deciding_at_once_record_one_decision(world) -> None:
    """Andi and Budi both type a reason for the same held client at the same moment: one decision is
    recorded and audited; the other is told who decided, and nothing is recorded twice."""
    t = world.team = await team(world)
    jb01 = await seed_proposal(world.services, ipwl="JB01", status=S.VALIDATED, clients=1)
    ss01 = await seed_proposal(world.services, ipwl="SS01", status=S.DECREED, clients=1)
    mine = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", jb01))[0][0]
    other = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    async with world.storage.db.transaction() as conn:
        await conn.execute(
            "UPDATE clients SET nik = (SELECT nik FROM clients WHERE id = ?),"
            " nik_index = (SELECT nik_index FROM clients WHERE id = ?) WHERE id = ?",
            (mine, mine, other),
        )
    andi, budi = await operator(world, t.andi), await operator(world, t.budi)
    async with world.storage.transaction() as uow:
        proposal = await uow.proposals.by_id(jb01)
        assert proposal is not None
        await world.services.reviews.recheck_nik(uow, andi, proposal, "validate", world.clock.now())
    assert await world.rows("SELECT kind FROM nik_conflicts WHERE client_id = ?", mine) == [("hard",)]
    await world.services.double_assistance.start(andi, mine)
    await world.services.double_assistance.start(budi, mine)
    results = await asyncio.gather(
        world.services.double_assistance.decide(andi, "Tanggal lahir berbeda, dicek ke Dukcapil"),
        world.services.double_assistance.decide(budi, "Nama ibu berbeda, dicek ke Dukcapil"),
    )
    assert sorted(len(r.decided_now) for r in results) == [0, 1]  # the later one recorded nothing
    assert await world.rows("SELECT count(*) FROM conversations WHERE kind = 'nik_adjudication'") == [(0,)]
    assert await world.rows("SELECT count(DISTINCT reason) FROM nik_conflicts WHERE adjudicated_at IS NOT NULL") == [
        (1,)
    ]
    assert await world.rows(
        "SELECT count(*) FROM audit_events WHERE action = 'adjudicate_nik' AND entity_id = ?", str(mine)
    ) == [(1,)]


async def test_a_corrected_nik_drops_the_pair_on_both_sides(world) -> None:
    """The operator corrects the NIK (a new version): the next re-check forgets the pair on both sides."""
    t = world.team = await team(world)
    jb01 = await seed_proposal(world.services, ipwl="JB01", status=S.VERIFIED, clients=1)
    ss01 = await seed_proposal(world.services, ipwl="SS01", status=S.DECREED, clients=1)
    mine = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", jb01))[0][0]
    other = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    copy = (
        "UPDATE clients SET nik = (SELECT nik FROM clients WHERE id = ?),"
        " nik_index = (SELECT nik_index FROM clients WHERE id = ?) WHERE id = ?"
    )
    async with world.storage.db.transaction() as conn:
        await conn.execute(copy, (mine, mine, other))
    andi = await operator(world, t.andi)

    async def recheck() -> list[tuple]:
        async with world.storage.transaction() as uow:
            proposal = await uow.proposals.by_id(jb01)
            assert proposal is not None
            await world.services.reviews.recheck_nik(uow, andi, proposal, "validate", world.clock.now())
        return await world.rows("SELECT client_id, kind FROM nik_conflicts ORDER BY client_id")

    assert await recheck() == sorted([(mine, "hard"), (other, "soft")])
    async with world.storage.transaction() as uow:  # the NIK as corrected by the operator
        await uow.clients.update(mine, nik="3201011203850002")
    assert await recheck() == []

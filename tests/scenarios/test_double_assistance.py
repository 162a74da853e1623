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
import io

from openpyxl import load_workbook

from bot.domain.models import Action, Role
from bot.domain.models import ProposalStatus as S
from handlers import buttons
from storage.db import to_db_time
from tests.helpers import submit_with_consent
from tests.scenarios.review_cast import CLIENTS, PDF, card, client_inputs, datas, operator, submitted, tap, team
from tests.scenarios.test_payments_flow import button, press
from tests.security.matrix import message_with_button
from tests.test_lpj_service import seed_proposal

NIK = CLIENTS[0][1]  # Siti Rahayu's NIK, also given by SS01 for "Sity Rahayu"
SS01_CLIENT = [("Sity Rahayu", NIK, "Jl. Anggrek 5, Makassar")]


def annex_cells(message) -> list[object]:
    sheet = load_workbook(io.BytesIO(message.file_bytes())).active
    return [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]


async def decreed_at_ss01(world, t) -> tuple[int, object]:
    """SS01's proposal with the same NIK, through Tim PIC 2 and an SK (the story's background)."""
    rudi = world.emu.add_user("Rudi", last_name="Operator")
    dian = world.emu.add_user("Dian", last_name="Tim2")
    await world.enrol(rudi, Role.OPERATOR, ipwl="SS01")
    await world.enrol(dian, Role.PIC, team="TIM2")
    group2 = world.emu.add_group("Tim PIC 2", members=[t.citra, dian])
    admin = await world.services.onboarding.identify(9001, "Admin", private_chat=True, language="id")
    await world.services.onboarding.bind_group(admin, group2.id, "TIM2")
    who = await operator(world, rudi)
    state = await world.services.proposals.start(who)
    await world.services.proposals.add_clients(who, client_inputs(SS01_CLIENT))
    await world.emu.send_document(rudi, file_name="surat-pengantar.pdf", content=PDF, mime_type="application/pdf")
    await world.emu.settle()
    await submit_with_consent(world.services, who, state.proposal.id)
    citra, dian_who = await operator(world, t.citra), await operator(world, dian)
    pid = state.proposal.id
    await world.drain()
    for person, action in ((citra, Action.CLAIM), (citra, Action.VERIFY), (dian_who, Action.VALIDATE)):
        await world.services.reviews.act(person, pid, action)
        await world.drain()  # (each card edit shows its own step)
    head = await operator(world, t.head)
    await world.services.decrees.start(head)
    await world.services.decrees.toggle(head, pid)
    await world.services.decrees.use_register(head)
    await world.services.decrees.issue(head)
    await world.drain()
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", pid)) == [("decreed",)]
    return pid, group2


async def test_a_hard_conflict_is_held_out_of_the_sk_until_adjudicated(world) -> None:
    await held_until_adjudicated(world)


async def held_until_adjudicated(world):  # noqa: ANN201 (the second group, for the privacy scans)
    """The story (the privacy and at-rest scans replay it); returns Tim PIC 2's group."""
    t = world.team = await team(world)
    ss01, group2 = await decreed_at_ss01(world, t)
    pid = await submitted(world, t)
    siti_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ? AND position = 1", pid))[0][0]
    ss01_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    ss01_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", ss01))[0][0]

    # Andi claims and verifies: the re-check finds SS01's client in an SK this year.
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "verify"))
    await world.drain()
    assert await world.rows(
        "SELECT client_id, other_client_id, kind, stage, adjudicated_at FROM nik_conflicts ORDER BY client_id"
    ) == [(ss01_client, siti_client, "soft", "verify", None), (siti_client, ss01_client, "hard", "verify", None)]
    shown = card(world, t, pid).text
    assert "🛑" in shown and "Ditahan" in shown and ss01_code in shown and "SS01" in shown
    # Tim PIC 2 is warned on its own card, with JB01's codes only.
    jb01_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    theirs = world.last(group2).text
    assert "⚠️" in theirs and jb01_code in theirs
    group_texts = [x for g in (t.group, group2) for m in world.emu.chat_messages(g) for x in (m.text or "", *m.edits)]
    assert not [x for x in group_texts if NIK in x or "Siti Rahayu" in x or "Sity" in x]

    # Budi validates; Hana issues the SK: client 1 is not in the annex, and the caption says why.
    await tap(world, t.budi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "validate"))
    await world.drain()
    draft = (await world.say(t.head, "/sk"))[-1]
    assert "🛑 1 ditahan" in draft.text  # Hana knows before she issues it
    await press(world, t.head, buttons.SK_DRAFT.data("p", pid))
    await press(world, t.head, buttons.SK_DRAFT.data("n"))
    await press(world, t.head, buttons.SK_DRAFT.data("r"))
    await press(world, t.head, buttons.SK_DRAFT.data("y"))
    await world.drain()
    annex = [m for m in world.emu.chat_messages(t.head) if m.document][-1]
    cells = annex_cells(annex)
    assert "Siti Rahayu" not in cells and NIK not in cells and "Budi Santoso" in cells
    assert "🛑" in (annex.caption or "") and jb01_code in (annex.caption or "")
    assert datas(annex) == {buttons.NIK_ADJUDICATE.data(siti_client)}  # Hana could decide from here too
    assert "🛑" in (await world.say(t.head, "/tugas"))[-1].text
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", pid)) == [("decreed",)]

    # Citra (Tim PIC 2) may not decide for JB01's client: refused, audited, nothing recorded.
    forged = buttons.NIK_ADJUDICATE.data(siti_client)
    refused = await world.emu.press(t.citra, await message_with_button(world, t.citra.id, forged), forged)
    assert refused is not None and refused.show_alert and "PIC" in (refused.text or "")
    assert await world.rows(
        "SELECT count(*) FROM audit_events WHERE action = 'denied' AND reason = 'adjudicate_nik: out_of_scope'"
    ) == [(1,)]

    # Andi opens Detail: client 1 says held, with a button to decide.
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_DETAIL.data(pid))
    message, data = button(world, t.andi, buttons.NIK_ADJUDICATE.data(siti_client))
    assert "🛑" in message.text and ss01_code in message.text
    await tap(world, t.andi, message, data)
    prompt = world.last(t.andi)
    assert "Siti Rahayu" in prompt.text and ss01_code in prompt.text and "Sity" not in prompt.text
    # Too short: said, nothing recorded.
    replies = await world.say(t.andi, "beda")
    assert replies and "10" in replies[-1].text
    assert (await world.rows("SELECT adjudicated_at FROM nik_conflicts WHERE client_id = ?", siti_client)) == [(None,)]
    replies = await world.say(t.andi, "Tanggal lahir dan nama ibu berbeda, dicek ke Dukcapil")
    assert "✅" in replies[-1].text and "Tanggal lahir" in replies[-1].text
    andi_id = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", t.andi.id))[0][0]
    assert await world.rows(
        "SELECT client_id, adjudicated_by, reason FROM nik_conflicts WHERE adjudicated_at IS NOT NULL"
        " ORDER BY client_id"
    ) == [
        (ss01_client, andi_id, "Tanggal lahir dan nama ibu berbeda, dicek ke Dukcapil"),
        (siti_client, andi_id, "Tanggal lahir dan nama ibu berbeda, dicek ke Dukcapil"),
    ]
    audited = await world.rows(
        "SELECT actor_id, entity_id, from_status, to_status FROM audit_events WHERE action = 'adjudicate_nik'"
        " ORDER BY id"
    )
    assert (andi_id, str(siti_client), "held", "cleared") in audited

    # Hana gets the annex again, with client 1 back in it; the card says it was decided.
    await world.drain()
    again = [m for m in world.emu.chat_messages(t.head) if m.document][-1]
    assert again is not annex and "Siti Rahayu" in annex_cells(again) and not datas(again)
    shown = card(world, t, pid).text
    assert "🛑" not in shown and "✅" in shown and "Andi" in shown
    # A second decision on the same client changes nothing.
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_DETAIL.data(pid))
    assert not any(
        b.callback_data == buttons.NIK_ADJUDICATE.data(siti_client)
        for b in (b for row in world.last(t.andi).buttons for b in row)
    )
    return group2


async def test_a_conflict_found_at_payment_holds_that_transfer_until_adjudicated(world) -> None:
    """SS01 paid the same person this year (the two SKs predate any re-check). Fajar opens JB01's
    payment: the re-check holds client 1 — no ✅ for it, a forged press refused, "all pending" pays
    the others — until Andi decides in Detail; then Fajar pays client 1 and the proposal is paid."""
    t = world.team = await team(world)
    fajar = world.emu.add_user("Fajar", last_name="Keuangan")
    await world.enrol(fajar, Role.FINANCE)
    jb01 = await seed_proposal(world.services, ipwl="JB01", status=S.ACCOUNTS_VERIFIED, clients=2)
    ss01 = await seed_proposal(world.services, ipwl="SS01", status=S.PAID, clients=1)
    first, second = [
        r[0] for r in await world.rows("SELECT id FROM clients WHERE proposal_id = ? ORDER BY position", jb01)
    ]
    other = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    fajar_id = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", fajar.id))[0][0]
    now = world.clock.now()
    async with world.storage.db.transaction() as conn:
        # The same person: SS01's client carries JB01's first NIK (the sealed value and its blind index).
        await conn.execute(
            "UPDATE clients SET nik = (SELECT nik FROM clients WHERE id = ?),"
            " nik_index = (SELECT nik_index FROM clients WHERE id = ?) WHERE id = ?",
            (first, first, other),
        )
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

"""The same person after all: a held client taken off the list by an SK perubahan (issues 16.1, 16.6).

Siti Rahayu (JB01) shares her NIK with Sity, decreed at SS01 this year: Andi's verification holds
her, and Hana's SK leaves her out of its annex. Andi checks (KTP, KK, the other IPWL's team): it is
the same person, and he records it (⚖️, then 🟰 The same person, and how he established it): who,
when, why, audited, on both sides. She stays held for good; both PIC teams' cards show the decision
(codes only); Siti (operator) is told privately, with a button to ask for the removal. She asks for
the drop-out from it, Budi verifies it, Hana approves it under an SK perubahan. The rest of the
proposal goes on: accounts for clients 2 and 3 only, Fajar's SPM, SP2D and transfers for those two,
paid once each; the LPJ asks only for them; the audit trail shows the hold, the decision and the SK
perubahan's. (Before a newcomer's run, "same person" could not be recorded: one decided nothing.)
"""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.i18n import format_money
from handlers import buttons
from tests.helpers import pdf
from tests.scenarios.change_cast import press as press_in
from tests.scenarios.double_assistance_cast import NIK, annex_cells, decreed_at_ss01, enter_account
from tests.scenarios.payment_cast import clients, finance_officer, press, record_sp2d, sk_issued, status
from tests.scenarios.review_cast import card, datas, submitted, tap, team, validated_by_the_team


async def test_a_held_client_found_to_be_the_same_person_is_left_out_and_paid_nothing(world) -> None:
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    ss01, group2 = await decreed_at_ss01(world, t)
    pid = await submitted(world, t)
    siti_client, budi_client, dewi_client = await clients(world, pid)
    code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    await validated_by_the_team(world, t, pid)
    await world.drain()
    await sk_issued(world, t, pid)
    annex = [m for m in world.emu.chat_messages(t.head) if m.document][-1]
    assert "Siti Rahayu" not in annex_cells(annex) and NIK not in annex_cells(annex)
    assert "Budi Santoso" in annex_cells(annex) and "Dewi Lestari" in annex_cells(annex)

    # Andi finds it is the same person and records it, from Detail.
    assert "🛑" in card(world, t, pid).text
    ss01_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", ss01))[0][0]
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_DETAIL.data(pid))
    await press_in(world, t.andi, t.andi, buttons.NIK_ADJUDICATE.data(siti_client))
    await press_in(world, t.andi, t.andi, buttons.NIK_SAME_PERSON.data(siti_client))
    assert "Orang yang sama" in world.last(t.andi).text and "Siti Rahayu" in world.last(t.andi).text
    reason = "KTP dan KK sama, dikonfirmasi dengan Tim PIC 2 dan Dukcapil"
    replies = await world.say(t.andi, reason)
    assert replies[-1].text.startswith("⛔") and ss01_code in replies[-1].text and "SK perubahan" in replies[-1].text
    andi_id = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", t.andi.id))[0][0]
    ss01_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    assert await world.rows(
        "SELECT client_id, adjudicated_by, reason, outcome FROM nik_conflicts WHERE adjudicated_at IS NOT NULL"
        " ORDER BY client_id"
    ) == [(ss01_client, andi_id, reason, "same"), (siti_client, andi_id, reason, "same")]
    assert (andi_id, str(siti_client), "held", "same_person") in await world.rows(
        "SELECT actor_id, entity_id, from_status, to_status FROM audit_events WHERE action = 'adjudicate_nik'"
    )
    # Both teams' cards show the decision, with the other side's codes only; nobody is asked again.
    await world.drain()
    assert "⛔" in card(world, t, pid).text and ss01_code in card(world, t, pid).text
    theirs = [x for m in world.emu.chat_messages(group2) for x in (m.text or "", *m.edits)]
    assert any("☑️" in x and code in x for x in theirs), theirs[-1]
    group_texts = [x for g in (t.group, group2) for m in world.emu.chat_messages(g) for x in (m.text or "", *m.edits)]
    assert not [x for x in group_texts if NIK in x or "Siti Rahayu" in x or "Sity" in x]
    assert "🛑" not in (await world.say(t.andi, "/tugas"))[-1].text
    # Siti is told privately, with the way to remove her client.
    notice = next(m for m in reversed(world.emu.chat_messages(t.op)) if "⛔" in (m.text or ""))
    assert "Siti Rahayu" in notice.text and f"/perubahan {code} 1" in notice.text
    assert ss01_code not in notice.text and "SS01" not in notice.text  # never the other IPWL's data
    told = (await world.say(t.op, f"/status {code}"))[-1].text
    assert "Bantuan ganda terkonfirmasi: klien 1" in told and "sampai" not in told.split("Bantuan ganda")[1]
    assert buttons.CHANGE_KIND.data(siti_client, "double_assistance") in datas(notice)
    assert "“bantuan ganda”" in notice.text and "mengundurkan diri" not in notice.text
    # /perubahan offers "double assistance" for her only, never for a client not so decided.
    offered = datas((await world.say(t.op, f"/perubahan {code} 1"))[-1])
    assert buttons.CHANGE_KIND.data(siti_client, "double_assistance") in offered
    offered = datas((await world.say(t.op, f"/perubahan {code} 2"))[-1])
    assert buttons.CHANGE_KIND.data(budi_client, "drop_out") in offered
    assert buttons.CHANGE_KIND.data(budi_client, "double_assistance") not in offered
    # Held for good: the money the SKs commit is SS01's and the other two clients' (the one rule of "held").
    year = (await world.rows("SELECT period_year FROM proposals WHERE id = ?", pid))[0][0]
    async with world.storage.reading() as uow:
        committed = await uow.budget.committed(year)
        ss01_amount = await uow.budget.amounts([ss01])
    two = await world.rows(
        "SELECT sum(b.total) FROM budget_lines b WHERE b.client_id IN (?, ?)", budi_client, dewi_client
    )
    assert sum(committed.values()) == two[0][0] + sum(ss01_amount.values())

    # She stays held (no account asked for her), and the screens say she is decided, not waiting
    # for a decision that will never come (a newcomer read "added once a PIC clears them").
    rekening = (await world.say(t.op, "/rekening"))[-1].text
    assert "bantuan ganda terkonfirmasi" in rekening and "menunggu keputusan" not in rekening, rekening
    await enter_account(world, t.op, budi_client, "5550001113", "Budi Santoso")
    await enter_account(world, t.op, dewi_client, "5550001112", "Dewi Lestari")
    assert await status(world, pid) == "accounts_submitted"
    await world.drain()
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(pid))
    await press(world, fajar, buttons.ACCOUNTS_VERIFY_ALL.data(pid))
    assert await status(world, pid) == "accounts_verified"
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(pid))
    screen = world.last(fajar).text
    assert "1 klien dinyatakan orang yang sama" in screen and "membebaskannya" not in screen, screen

    # Siti asks for the removal for double assistance from the notice's button (the kind already
    # chosen: before, it said to pick "drops out", a false reason in the SK perubahan's annex);
    # Budi verifies it; Hana approves it.
    await tap(world, t.op, notice, buttons.CHANGE_KIND.data(siti_client, "double_assistance"))
    asked = (await world.say(t.op, "Orang yang sama dengan klien SS01, sudah dibantu di sana"))[-1].text
    assert "berita acara bahwa klien sudah dibantu di IPWL lain" in asked and "kematian" not in asked, asked
    await world.emu.send_document(t.op, file_name="berita-acara.pdf", content=pdf("BA"), mime_type="application/pdf")
    await world.emu.settle()
    await world.drain()
    assert "✅" in world.last(t.op).text
    change_card = next(
        m for m in reversed(world.emu.chat_messages(t.group)) if "Perubahan setelah SK" in (m.text or "")
    )
    await tap(world, t.budi, change_card, buttons.CHANGE_DETAIL.data(1))
    await press_in(world, t.budi, t.budi, buttons.CHANGE_DECISION.data(1, "verify"))
    await world.say(t.head, "/skperubahan")
    await press_in(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
    await world.drain()
    amendment = next(m for m in reversed(world.emu.chat_messages(t.head)) if m.document)
    rows = [
        r
        for r in load_workbook(io.BytesIO(amendment.file_bytes())).active.iter_rows(min_row=5, values_only=True)
        if r[0]
    ]
    assert [(r[2], r[3], r[4]) for r in rows] == [(code, 1, "Siti Rahayu")]
    assert "Bantuan ganda" in rows[0] and "Mengundurkan diri" not in rows[0], rows[0]
    assert await world.rows("SELECT kind, status FROM client_changes WHERE client_id = ?", siti_client) == [
        ("double_assistance", "approved")
    ]
    # Off the list; the decision stays recorded, and nobody waits for a decision (/tugas).
    assert await world.rows("SELECT outcome FROM nik_conflicts WHERE client_id = ?", siti_client) == [("same",)]
    assert "🛑" not in (await world.say(t.andi, "/tugas"))[-1].text

    # /bayar counts the two remaining clients and their total (a newcomer read "0 klien · -Rp500.000":
    # the held client was taken off a total that never held her), and Siti's /status says the SK's
    # annex total, without her.
    listed = (await world.say(fajar, "/bayar"))[0].text
    assert f"2 klien · {format_money(two[0][0])}" in listed, listed
    told = (await world.say(t.op, f"/status {code}"))[-1].text
    assert f"(pada SK: {format_money(two[0][0])})" in told, told

    # Fajar: SPP, SPM (the two remaining clients' total), SP2D, every pending transfer sent: paid.
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(pid))
    screen = world.last(fajar)
    assert "Siti Rahayu" not in screen.text and buttons.TRANSFER_SENT.data(siti_client) not in {
        d[: len(buttons.TRANSFER_SENT.data(siti_client))] for d in datas(screen)
    }
    await world.say(fajar, "00123/SPP/XI/2026 28-11-2026")
    await world.say(fajar, "00456/SPM/XI/2026 28-11-2026")
    await press(world, fajar, buttons.PAYMENT_ORDERS_CONFIRMED.data(pid, "y"))
    totals = await world.rows(
        "SELECT sum(b.total) FROM budget_lines b WHERE b.client_id IN (?, ?)", budi_client, dewi_client
    )
    assert await world.rows("SELECT spm_amount FROM payments WHERE proposal_id = ?", pid) == totals
    await record_sp2d(world, fajar, pid)
    await press(world, fajar, buttons.TRANSFERS_ALL_SENT.data(pid))
    assert await status(world, pid) == "paid"
    assert await world.rows("SELECT client_id, count(*) FROM transfers GROUP BY client_id ORDER BY client_id") == [
        (budi_client, 1),
        (dewi_client, 1),
    ]
    # Nothing paid to that NIK at all (nor twice): no transfer to any client with the same NIK.
    assert await world.rows(
        "SELECT count(*) FROM transfers t JOIN clients c ON c.id = t.client_id"
        " WHERE c.nik_index = (SELECT nik_index FROM clients WHERE id = ?)",
        siti_client,
    ) == [(0,)]
    assert await world.rows("SELECT count(*) FROM refund_cases") == [(0,)]

    # The LPJ asks only for the two clients on the amended list.
    await world.drain()
    first = (await world.say(t.op, "/lpj"))[-1]
    assert "Budi Santoso" in first.text and "Siti Rahayu" not in first.text, first.text

    # The audit trail: the hold (at verification), the decision, and the SK perubahan's on her.
    held = await world.rows(
        "SELECT to_status FROM audit_events WHERE entity = 'client' AND entity_id = ? AND action = 'nik_conflict'",
        str(siti_client),
    )
    assert held == [("hard",)]
    decided = await world.rows(
        "SELECT action, to_status FROM audit_events WHERE entity = 'client_change' ORDER BY id",
    )
    assert decided == [
        ("request_change", "requested"),
        ("verify_change", "verified"),
        ("approve_change", "approved"),
    ]
    assert await world.rows(
        "SELECT entity_id, to_status FROM audit_events WHERE action = 'adjudicate_nik' ORDER BY id"
    ) == [(str(siti_client), "same_person"), (str(ss01_client), "same_person")]
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", ss01)) == [("decreed",)]

"""The same person after all: a held client taken off the list by an SK perubahan (issues 16.1, 16.6).

Siti Rahayu (JB01) shares her NIK with Sity, decreed at SS01 this year: Andi's verification holds
her, and Hana's SK leaves her out of its annex. Andi checks (KTP, KK, the other IPWL's team): it is
the same person, so he records no "not the same person" — she stays held. Siti (operator) asks for
her drop-out with /perubahan, Budi verifies it, Hana approves it under an SK perubahan. The rest of
the proposal goes on: accounts for clients 2 and 3 only, Fajar's SPM, SP2D and transfers for those
two, paid once each; the LPJ asks only for them; the audit trail shows the hold and the SK
perubahan's decision.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.domain.models import Role
from handlers import buttons
from tests.scenarios.change_cast import ask_change
from tests.scenarios.change_cast import press as press_in
from tests.scenarios.double_assistance_cast import NIK, annex_cells, decreed_at_ss01, enter_account
from tests.scenarios.payment_cast import clients, press, record_sp2d, sk_issued, status
from tests.scenarios.review_cast import card, datas, submitted, tap, team


async def test_a_held_client_found_to_be_the_same_person_is_left_out_and_paid_nothing(world) -> None:
    t = world.team = await team(world)
    fajar = world.emu.add_user("Fajar", last_name="Keuangan")
    await world.enrol(fajar, Role.FINANCE)
    ss01, _ = await decreed_at_ss01(world, t)
    pid = await submitted(world, t)
    siti_client, budi_client, dewi_client = await clients(world, pid)
    code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "verify"))
    await tap(world, t.budi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "validate"))
    await world.drain()
    await sk_issued(world, t, pid)
    annex = [m for m in world.emu.chat_messages(t.head) if m.document][-1]
    assert "Siti Rahayu" not in annex_cells(annex) and NIK not in annex_cells(annex)
    assert "Budi Santoso" in annex_cells(annex) and "Dewi Lestari" in annex_cells(annex)

    # Andi finds it is the same person: he decides nothing, and she stays held (no account asked).
    assert "🛑" in card(world, t, pid).text
    await world.say(t.op, "/rekening")
    await enter_account(world, t.op, budi_client, "5550001113", "Budi Santoso")
    await enter_account(world, t.op, dewi_client, "5550001112", "Dewi Lestari")
    assert await status(world, pid) == "accounts_submitted"
    await world.drain()
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(pid))
    await press(world, fajar, buttons.ACCOUNTS_VERIFY_ALL.data(pid))
    assert await status(world, pid) == "accounts_verified"

    # Siti asks for the drop-out; Budi verifies it; Hana approves it under an SK perubahan.
    await ask_change(
        world, t.op, code, siti_client, "drop_out", "Orang yang sama dengan klien SS01, sudah dibantu di sana"
    )
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
    # Off the list, she holds nobody and waits for nobody any more (/tugas has nothing to decide).
    assert await world.rows("SELECT count(*) FROM nik_conflicts WHERE client_id = ?", siti_client) == [(0,)]
    assert "🛑" not in (await world.say(t.andi, "/tugas"))[-1].text

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

    # The audit trail: the hold (at verification) and the SK perubahan's decision on her.
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
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'adjudicate_nik'") == [(0,)]
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", ss01)) == [("decreed",)]

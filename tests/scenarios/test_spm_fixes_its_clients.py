"""An SPM fixes its clients: a client cleared of double assistance after it is not in it (issue 16.1, 16.3).

Siti's client 1 (Siti Rahayu) carries the NIK of Sity, decreed at SS01 this year: she is held, out of
the SK annex. Clients 2 and 3 are payable; their accounts are verified. Fajar (finance) saves the SPP
and SPM: its amount is the two clients', and the SPM's clients are kept with it. Andi (PIC) then
decides client 1 is not the same person and Siti enters her account. Fajar's /bayar screen says
client 1 was cleared after the SPM and is not in it. The transfers list has the SPM's two rows and
its TOTAL is the SPM's; the SP2D of the SPM's amount is accepted, and so is the filled list. Client
1 is paid with her own ✅ (by an SPM of her own), and the proposal is paid.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.i18n import format_money
from handlers import buttons
from tests.scenarios.change_cast import ask_change
from tests.scenarios.change_cast import press as press_in
from tests.scenarios.double_assistance_cast import (
    NIK,
    cleared_by_andi,
    client_total,
    enter_account,
    verified_with_one_held,
)
from tests.scenarios.payment_cast import SPM, XLSX, clients, filled, labels, press, record_sp2d, spm_saved, status
from tests.scenarios.review_cast import datas, tap


async def test_a_client_cleared_after_the_spm_is_not_in_it_and_is_paid_on_their_own(world) -> None:
    fajar, pid, (siti_client, budi_client, dewi_client) = await verified_with_one_held(world)
    t = world.team
    two = await client_total(world, budi_client) + await client_total(world, dewi_client)

    # Fajar saves the SPP and SPM: the two payable clients, their amount, fixed with the SPM.
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(pid))
    await world.say(fajar, "00123/SPP/XI/2026 28-11-2026")
    await world.say(fajar, f"{SPM} 28-11-2026")
    await press(world, fajar, buttons.PAYMENT_ORDERS_CONFIRMED.data(pid, "y"))
    assert await world.rows("SELECT spm_amount FROM payments WHERE proposal_id = ?", pid) == [(two,)]
    assert await world.rows(
        "SELECT client_id, amount FROM order_clients WHERE proposal_id = ? ORDER BY client_id", pid
    ) == [
        (budi_client, await client_total(world, budi_client)),
        (dewi_client, await client_total(world, dewi_client)),
    ]

    # Andi clears client 1; Siti enters her account. Fajar is told she is not in the SPM.
    await cleared_by_andi(world, t, pid, siti_client)
    assert await world.rows(
        "SELECT count(*) FROM nik_conflicts WHERE client_id = ? AND outcome = 'different'", siti_client
    ) == [(1,)]
    await enter_account(world, t.op, siti_client, "5550001114", "Siti Rahayu")
    await world.drain()
    notice = world.last(fajar).text
    assert "tidak lagi ditahan" in notice and f"setelah SPM {SPM}" in notice, notice
    # The SPM keeps its clients: saving accounts or clearing a client changes nothing of it.
    assert await world.rows("SELECT client_id FROM order_clients ORDER BY client_id") == [
        (budi_client,),
        (dewi_client,),
    ]

    # Fajar's /bayar: client 1 was cleared after the SPM and is not in it; pay her with an SPM of her own.
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(pid))
    screen = world.last(fajar).text
    said = f"Klien 1 baru dibebaskan dari penahanan setelah SPM {SPM}, sehingga tidak termasuk di dalamnya"
    assert said in screen and "SPM tersendiri" in screen and "✅" in screen, screen
    assert "ditahan karena bantuan ganda" not in screen  # no longer held: not counted as such

    # The SP2D of the SPM's amount (the two clients') is accepted.
    await record_sp2d(world, fajar, pid)
    assert await world.rows("SELECT sp2d_amount FROM payments WHERE proposal_id = ?", pid) == [(two,)]

    # The transfers list: the SPM's two rows, its TOTAL the SPM's; client 1 is not in it.
    await press(world, fajar, buttons.TRANSFERS_SHEET.data(pid))
    sheet = world.last(fajar)
    assert said in (sheet.caption or ""), sheet.caption
    template = sheet.file_bytes()
    rows = list(load_workbook(io.BytesIO(template)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in rows[:-1]] == [(2, "Budi Santoso"), (3, "Dewi Lestari")], rows
    assert (rows[-1][0], rows[-1][1], rows[-1][6], rows[-1][9]) == ("TOTAL", "2 baris", two, f"SPM {SPM}")
    cells = [c for r in rows for c in r if c is not None]
    assert "Siti Rahayu" not in cells and NIK not in cells

    # Filled and read back: accepted, the two transfers recorded; client 1 waits for her own ✅.
    await world.emu.send_document(fajar, file_name="transfer.xlsx", content=filled(template), mime_type=XLSX)
    await world.emu.settle()
    after = world.last(fajar)
    assert "⚠️" not in after.text and said in after.text, after.text
    assert await world.rows("SELECT client_id, status, amount FROM transfers ORDER BY client_id") == [
        (budi_client, "sent", await client_total(world, budi_client)),
        (dewi_client, "sent", await client_total(world, dewi_client)),
    ]
    assert await status(world, pid) == "accounts_verified"
    # "All pending sent today" would pay her under this SPM: not offered; her own ✅ is.
    assert buttons.TRANSFERS_ALL_SENT.data(pid) not in datas(after)
    assert "✅ 1" in labels(after)

    # Fajar records client 1's transfer (her SPM of her own paid it) with ✅: every transfer sent, paid.
    await press(world, fajar, buttons.TRANSFER_SENT.data(siti_client))
    assert await status(world, pid) == "paid"
    assert await world.rows("SELECT client_id, status FROM transfers ORDER BY client_id") == [
        (siti_client, "sent"),
        (budi_client, "sent"),
        (dewi_client, "sent"),
    ]
    assert "setelah SPM" not in world.last(fajar).text  # paid: nothing more to say about her

    # The groups never saw her name or NIK.
    group_texts = [x for m in world.emu.chat_messages(t.group) for x in (m.text or "", *m.edits)]
    assert not [x for x in group_texts if NIK in x or "Siti Rahayu" in x]


async def test_an_spm_saved_before_its_clients_were_kept_lists_the_clients_payable_now(world) -> None:
    """An SPM saved before migration 0026 has no clients kept: the list is the payable clients, as before."""
    fajar, pid = await spm_saved(world)
    assert await world.rows("SELECT count(*) FROM order_clients WHERE proposal_id = ?", pid) == [(3,)]
    async with world.storage.db.transaction() as conn:  # as an SPM saved before the list was kept
        await conn.execute("DELETE FROM order_clients WHERE proposal_id = ?", (pid,))
    await record_sp2d(world, fajar, pid)
    await press(world, fajar, buttons.TRANSFERS_SHEET.data(pid))
    template = world.last(fajar).file_bytes()
    last = list(load_workbook(io.BytesIO(template)).worksheets[0].iter_rows(values_only=True))[-1]
    assert (last[0], last[1], last[6]) == ("TOTAL", "3 baris", 4_500_000)
    await world.emu.send_document(fajar, file_name="transfer.xlsx", content=filled(template), mime_type=XLSX)
    await world.emu.settle()
    assert await status(world, pid) == "paid"
    assert await world.rows("SELECT count(*), sum(amount) FROM transfers WHERE status = 'sent'") == [(3, 4_500_000)]


async def test_a_client_who_leaves_after_the_spm_is_left_out_of_the_list_and_their_part_goes_back(world) -> None:
    """The SPM is saved for all three clients (Rp4.500.000). Dewi then drops out and Hana's SK
    perubahan takes her off the list before anything is sent. Before, the list (two rows) never
    matched the SPM (three) and every upload was refused: finance was stuck. Now the SP2D is still
    the SPM's whole amount; the list leaves Dewi out and adds up to the SPM less her part, which
    Fajar's screen says goes back to the treasury; the filled list is accepted and the proposal paid."""
    fajar, pid = await spm_saved(world)
    t = world.team
    code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    _, _, dewi_client = await clients(world, pid)
    dewi = await client_total(world, dewi_client)
    await ask_change(world, t.op, code, dewi_client, "drop_out", "Klien memilih berhenti dari layanan rehabilitasi")
    card = next(m for m in reversed(world.emu.chat_messages(t.group)) if "Perubahan setelah SK" in (m.text or ""))
    change_id = (await world.rows("SELECT max(id) FROM client_changes"))[0][0]
    await tap(world, t.budi, card, buttons.CHANGE_DETAIL.data(change_id))
    await press_in(world, t.budi, t.budi, buttons.CHANGE_DECISION.data(change_id, "verify"))
    await world.say(t.head, "/skperubahan")
    await press_in(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
    await world.drain()
    assert await world.rows("SELECT count(*) FROM order_clients WHERE proposal_id = ?", pid) == [(3,)]  # the SPM's

    # The SP2D is the SPM's whole amount; the screen says Dewi's part goes back.
    await record_sp2d(world, fajar, pid)
    assert await world.rows("SELECT sp2d_amount FROM payments WHERE proposal_id = ?", pid) == [(4_500_000,)]
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(pid))
    screen = world.last(fajar).text
    listed = format_money(4_500_000 - dewi)
    assert f"{format_money(dewi)} dari SPM {SPM} untuk 1 klien" in screen and f"berjumlah {listed}" in screen, screen

    # The list: two rows, its TOTAL the SPM less Dewi's part; filled and read back, accepted.
    await press(world, fajar, buttons.TRANSFERS_SHEET.data(pid))
    template = world.last(fajar).file_bytes()
    rows = list(load_workbook(io.BytesIO(template)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert (rows[-1][0], rows[-1][1], rows[-1][6]) == ("TOTAL", "2 baris", 4_500_000 - dewi), rows[-1]
    assert "Dewi Lestari" not in [c for r in rows for c in r if c is not None]
    await world.emu.send_document(fajar, file_name="transfer.xlsx", content=filled(template), mime_type=XLSX)
    await world.emu.settle()
    assert "⚠️" not in world.last(fajar).text, world.last(fajar).text
    assert await status(world, pid) == "paid"
    assert await world.rows("SELECT count(*), sum(amount) FROM transfers WHERE status = 'sent'") == [
        (2, 4_500_000 - dewi)
    ]
    assert await world.rows("SELECT count(*) FROM refund_cases") == [(0,)]  # nothing had been sent to her

"""Changes after the SK (issue 16.6): a drop-out handled by an amended SK, through the chat.

Personas as in test_review_flow (Siti the JB01 operator, Andi and Budi of PIC team 1, Citra of team
2, Hana the head), plus Fajar (finance). Two decreed proposals of JB01: one waiting for its transfers
(Budi Santoso drops out before being paid) and one already paid (Siti Rahayu dies after being paid).
Siti asks for both changes with a reason and an evidence file; Andi checks them from the group card
(which names no client) in his private chat; Hana approves them under one SK perubahan, whose annex
lists each change. Then the transfers and the LPJ follow the amended list, and the money already paid
is a refund case for Fajar — in /bayar and /tugas — until he records it back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io

from openpyxl import load_workbook

from bot.domain.models import ProposalStatus, Role, Sex, TransferStatus
from handlers import buttons
from tests.helpers import jpeg, pdf
from tests.scenarios.change_cast import (
    DOCX,
    ask_change,
    nik_corrected_after_payment,
    press,
    verified_and_approved,
    waiting_for_transfers,
)
from tests.scenarios.payment_cast import button, clients, finance_officer
from tests.scenarios.review_cast import tap, team
from tests.seeds import seed_proposal


async def test_a_drop_out_handled_by_an_amended_sk(world) -> None:
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    waiting, code_w, [w_first, w_second] = await waiting_for_transfers(world, 2)
    paid = await seed_proposal(world.services, ipwl="JB01", status=ProposalStatus.PAID, clients=2)
    code_p = (await world.rows("SELECT code FROM proposals WHERE id = ?", paid))[0][0]
    p_first, p_second = await clients(world, paid)

    # Siti asks: Budi Santoso (client 2 of the proposal waiting for its transfers) dropped out.
    replies = await world.say(t.op, f"/perubahan {code_w}")
    assert "Budi Santoso" in replies[-1].text
    await press(world, t.op, t.op, buttons.CHANGE_CLIENT.data(w_second))
    await press(world, t.op, t.op, buttons.CHANGE_KIND.data(w_second, "drop_out"))
    # A reason too short is refused and changes nothing; a Word file is no evidence.
    replies = await world.say(t.op, "ok")
    assert replies[-1].text.startswith("⚠️"), replies[-1].text
    replies = await world.say(t.op, "Klien kembali ke keluarganya di Garut sejak 20 November 2026")
    assert "bukti" in replies[-1].text.lower()
    await world.emu.send_document(t.op, file_name="surat.docx", content=b"PK\x03\x04 not really", mime_type=DOCX)
    await world.emu.settle()
    assert world.last(t.op).text.startswith("⚠️") and "PDF" in world.last(t.op).text
    assert await world.rows("SELECT count(*) FROM client_changes") == [(0,)]
    await world.emu.send_document(
        t.op, file_name="surat-pernyataan.pdf", content=pdf("pernyataan"), mime_type="application/pdf"
    )
    await world.emu.settle()
    await world.drain()
    assert "✅" in world.last(t.op).text
    # Siti asks too: Siti Rahayu (client 1 of the paid proposal) died.
    await ask_change(world, t.op, code_p, p_first, "death", "Klien meninggal dunia pada 25 November 2026 di RSUD")
    rows = await world.rows("SELECT client_id, kind, status, reason FROM client_changes ORDER BY id")
    assert rows == [
        (w_second, "drop_out", "requested", "Klien kembali ke keluarganya di Garut sejak 20 November 2026"),
        (p_first, "death", "requested", "Klien meninggal dunia pada 25 November 2026 di RSUD"),
    ]
    assert await world.rows("SELECT count(*) FROM attachments WHERE purpose = 'change_evidence'") == [(2,)]

    # The group sees a card per change: the proposal, the client's number, the kind — no name, no NIK.
    cards = [m for m in world.emu.chat_messages(t.group) if "Perubahan setelah SK" in (m.text or "")]
    assert len(cards) == 2
    assert "klien no. 2" in cards[0].text.lower() and "mengundurkan diri" in cards[0].text.lower()
    for message in cards:
        assert "Budi Santoso" not in message.text and "Siti Rahayu" not in message.text
        assert "3201" not in message.text
    # /tugas: the team's PIC have two changes to check; Citra's team has none.
    assert "Perubahan setelah SK yang perlu diperiksa: 2" in (await world.say(t.andi, "/tugas"))[-1].text
    assert "Perubahan setelah SK" not in (await world.say(t.citra, "/tugas"))[-1].text
    # Citra (team 2) may not open it; Andi opens the details in his private chat, with the evidence.
    answer = await tap(world, t.citra, cards[0], button(world, t.group, buttons.CHANGE_DETAIL.data(1))[1])
    assert answer.show_alert
    before = len(world.emu.chat_messages(t.andi))
    await tap(world, t.andi, cards[0], buttons.CHANGE_DETAIL.data(1))
    shown = world.emu.chat_messages(t.andi)[before:]
    assert "Budi Santoso" in shown[0].text and "Garut" in shown[0].text
    assert any(m.document for m in shown), "the evidence file was not sent"
    # A double tap on Verify verifies once; the second press is told it is done already.
    message, data = button(world, t.andi, buttons.CHANGE_DECISION.data(1, "verify"))
    answers = await asyncio.gather(world.emu.press(t.andi, message, data), world.emu.press(t.andi, message, data))
    await world.emu.settle()
    assert sorted(bool(a and a.show_alert) for a in answers) == [False, True]
    assert "sudah diverifikasi" in next(a.text for a in answers if a and a.show_alert)
    await tap(world, t.andi, cards[1], buttons.CHANGE_DETAIL.data(2))
    await press(world, t.andi, t.andi, buttons.CHANGE_DECISION.data(2, "verify"))
    await world.drain()
    assert await world.rows("SELECT status FROM client_changes ORDER BY id") == [("verified",), ("verified",)]
    # The group cards now say so, edited in place, without the button (nothing left for the team).
    edited = [m for m in world.emu.chat_messages(t.group) if "Perubahan setelah SK" in (m.text or "")]
    assert [m.message_id for m in edited] == [m.message_id for m in cards]
    assert all("diverifikasi" in m.text and not m.buttons for m in edited), [m.text for m in edited]
    assert any("/skperubahan" in (m.text or "") for m in world.emu.chat_messages(t.head))
    assert any("diverifikasi" in (m.text or "").lower() for m in world.emu.chat_messages(t.op))

    assert "menunggu SK perubahan Anda (/skperubahan): 2" in (await world.say(t.head, "/tugas"))[-1].text
    # Hana issues the SK perubahan with the next number of the SK register; its annex lists both.
    replies = await world.say(t.head, "/skperubahan")
    assert code_w in replies[-1].text and code_p in replies[-1].text
    await press(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
    await world.drain()
    decrees = await world.rows("SELECT id, number FROM decrees")
    assert len(decrees) == 1 and decrees[0][1].startswith("SK-001/")
    # Nothing waits any more: Hana is told so plainly, with no button to press.
    nothing = (await world.say(t.head, "/skperubahan"))[-1]
    assert "Tidak ada perubahan" in nothing.text and not nothing.reply_markup
    assert await world.rows("SELECT status, amendment_id FROM client_changes ORDER BY id") == [
        ("approved", decrees[0][0]),
        ("approved", decrees[0][0]),
    ]
    annex = next(m for m in world.emu.chat_messages(t.head) if m.document and "lampiran" in m.document["file_name"])
    sheet = load_workbook(io.BytesIO(annex.file_bytes())).active
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]]
    assert [(r[2], r[3], r[4], r[6], r[8]) for r in rows] == sorted(
        [
            (code_w, 2, "Budi Santoso", "Mengundurkan diri", "Dikeluarkan dari daftar"),
            (code_p, 1, "Siti Rahayu", "Meninggal dunia", "Dikeluarkan dari daftar"),
        ]
    )
    assert [r[10] for r in rows if r[2] == code_p] == [2_000_000]

    # Fajar: the waiting proposal pays only Agus… only client 1 now; the paid one is a refund case.
    replies = await world.say(fajar, "/bayar")
    assert any("Pengembalian dana" in m.text and code_p in m.text for m in replies), [m.text for m in replies]
    replies = await world.say(fajar, "/tugas")
    assert "Pengembalian dana yang harus ditagih" in replies[-1].text
    await press(world, fajar, fajar, buttons.PAYMENT_OPEN.data(waiting))
    step = world.last(fajar).text
    assert "Siti Rahayu" in step and "Budi Santoso" not in step
    await press(world, fajar, fajar, buttons.TRANSFERS_ALL_SENT.data(waiting))
    await world.drain()
    assert await world.rows("SELECT client_id, status FROM transfers WHERE client_id IN (?, ?)", w_first, w_second) == [
        (w_first, "sent")
    ]
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", waiting)) == [("paid",)]
    # The paid client who died is not silently dropped: an open refund case of 2,000,000.
    assert await world.rows("SELECT client_id, amount, status FROM refund_cases") == [(p_first, 2_000_000, "open")]
    # "Returned" asks the amount received and its date, then a proof; nothing is recorded before ✅.
    await press(world, fajar, fajar, buttons.REFUND_SETTLE.data(1))
    asked = world.last(fajar).text
    assert "Rp2.000.000 masih harus kembali" in asked and "Boleh sebagian" in asked, asked
    replies = await world.say(fajar, "3.000.000 28-11-2026")  # more than is out
    assert replies[-1].text.startswith("⚠️") and "paling banyak Rp2.000.000" in replies[-1].text, replies[-1].text
    # Tomorrow: the date is what is wrong, and the reply says so (and what is expected).
    replies = await world.say(fajar, "Rp 1.500.000 29-11-2026")
    refusal = replies[-1].text
    assert refusal.startswith("⚠️") and "29-11-2026 ada di masa depan" in refusal, refusal
    assert "sampai hari ini (28-11-2026)" in refusal and "Ketik jumlah" not in refusal, refusal
    # "Rp 1.500.000" with a space, as the SP2D prompt writes amounts, is read like "Rp1.500.000".
    replies = await world.say(fajar, "Rp 1.500.000 28-11-2026")
    assert "Rp1.500.000 diterima pada 28 November 2026" in replies[-1].text and "referensi" in replies[-1].text
    replies = await world.say(fajar, "TRX 20261128 0001")
    confirm = replies[-1]
    assert "nomor referensi TRX 20261128 0001" in confirm.text, confirm.text
    assert "Masih terbuka setelah ini: Rp500.000" in confirm.text, confirm.text
    assert code_p in confirm.text and "rekening balai" in confirm.text, confirm.text
    await press(world, fajar, fajar, buttons.REFUND_CANCEL.data(1))
    assert "Tidak ada yang dicatat" in world.last(fajar).text and not world.last(fajar).buttons
    assert await world.rows("SELECT count(*) FROM refund_receipts") == [(0,)]
    assert await world.rows("SELECT status FROM refund_cases") == [("open",)]
    # Again, a part (Rp1.500.000) with a photo of the deposit slip; ✅ pressed twice at once: recorded once.
    await press(world, fajar, fajar, buttons.REFUND_SETTLE.data(1))
    await world.say(fajar, "1.500.000 28-11-2026")
    await world.emu.send_photo(fajar, content=jpeg(b"bukti setoran"))
    await world.emu.settle()
    confirm = world.last(fajar)
    assert "Bukti: foto\n" in confirm.text and "foto-" not in confirm.text, confirm.text  # not its stored name
    assert "Masih terbuka setelah ini: Rp500.000" in confirm.text, confirm.text
    data = buttons.REFUND_CONFIRM.data(1)
    answers = await asyncio.gather(world.emu.press(fajar, confirm, data), world.emu.press(fajar, confirm, data))
    await world.emu.settle()
    await world.drain()
    assert sorted(bool(a and a.show_alert) for a in answers) == [False, True]
    [(fajar_id,)] = await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", fajar.id)
    [(amount, received_on, has_proof, reference, recorded_by)] = await world.rows(
        "SELECT amount, received_on, proof_id IS NOT NULL, proof_reference, recorded_by FROM refund_receipts"
    )
    assert (amount, str(received_on), bool(has_proof), reference, recorded_by) == (
        1_500_000,
        "2026-11-28",
        True,
        None,
        fajar_id,
    )
    assert await world.rows("SELECT status, settled_by FROM refund_cases") == [("open", None)]
    assert await world.rows("SELECT purpose FROM attachments WHERE id = (SELECT proof_id FROM refund_receipts)") == [
        ("refund_proof",)
    ]
    assert "Rp500.000 tetap terbuka" in confirm.text, confirm.text
    # Siti (the IPWL's operator) is told what came back and what is still to come.
    told = world.last(t.op).text
    assert "Rp1.500.000 diterima balai pada 28 November 2026" in told and "Rp500.000 masih harus" in told, told
    listed = (await world.say(fajar, "/bayar"))[-1].text
    assert "Rp1.500.000 sudah kembali, Rp500.000 masih terbuka" in listed, listed
    # The rest, with a reference number: the case is settled, under Fajar's name.
    await press(world, fajar, fajar, buttons.REFUND_SETTLE.data(1))
    await world.say(fajar, "500.000 28-11-2026")
    confirm = (await world.say(fajar, "REF-0002 BRI"))[-1]
    assert "Setelah ini pengembalian dana lunas." in confirm.text, confirm.text
    await press(world, fajar, fajar, buttons.REFUND_CONFIRM.data(1))
    await world.drain()
    [(status, settled_by, settled_at)] = await world.rows("SELECT status, settled_by, settled_at FROM refund_cases")
    assert (status, settled_by) == ("settled", fajar_id) and settled_at is not None
    confirm = next(m for m in world.emu.chat_messages(fajar) if m.message_id == confirm.message_id)
    assert "dicatat telah kembali oleh Fajar Keuangan" in confirm.text, confirm.text
    assert "lunas" in world.last(t.op).text, world.last(t.op).text
    # A later press of the /bayar button says who recorded it and when, and changes nothing.
    listed, _ = button(world, fajar, buttons.REFUND_SETTLE.data(1))
    answer = await tap(world, fajar, listed, buttons.REFUND_SETTLE.data(1))
    assert answer.show_alert and "sudah dicatat telah kembali oleh Fajar Keuangan" in answer.text, answer.text
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'settle_refund'") == [(1,)]
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'record_refund_part'") == [(1,)]
    assert await world.rows("SELECT sum(amount) FROM refund_receipts") == [(2_000_000,)]

    # The LPJ of the paid proposal expects only the amended list (Budi Santoso, client 2).
    who = await world.services.onboarding.identify(t.op.id, t.op.full_name, private_chat=True, language="id")
    state = await world.services.lpj.open(who, code=code_p)
    assert [c.id for c in state.content.clients] == [p_second]

    # Every step is in the audit trail.
    actions = [
        r[0]
        for r in await world.rows(
            "SELECT action FROM audit_events WHERE entity IN ('client_change', 'refund', 'decree') ORDER BY id"
        )
    ]
    for action in (
        "request_change",
        "verify_change",
        "approve_change",
        "issue_sk_amendment",
        "open_refund",
        "settle_refund",
    ):
        assert action in actions, actions


async def test_a_wrong_nik_corrected_by_an_amended_sk(world) -> None:
    from tests.scenarios.payment_cast import sk_accounts_and_payment_until_paid

    await sk_accounts_and_payment_until_paid(world)
    await nik_corrected_after_payment(world)


async def test_a_move_and_a_name_correction_one_approved_one_rejected_by_the_head(world) -> None:
    """Before the accounts: Agus moves to JB02 (an unknown IPWL code is refused first), Budi's name is
    corrected; Andi verifies both; Hana rejects the name correction with a reason and approves the
    move. Siti then supplies the accounts of the clients still on the list only."""
    t = world.team = await team(world)
    rina = world.emu.add_user("Rina", last_name="Operator JB02")
    await world.enrol(rina, Role.OPERATOR, ipwl="JB02")
    pid = await seed_proposal(world.services, ipwl="JB01", status=ProposalStatus.DECREED, clients=3)
    code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    first, second, third = await clients(world, pid)
    # Dewi Lestari (client 3) moves to JB02.
    await world.say(t.op, f"/perubahan {code}")
    await press(world, t.op, t.op, buttons.CHANGE_CLIENT.data(third))
    await press(world, t.op, t.op, buttons.CHANGE_KIND.data(third, "move"))
    replies = await world.say(t.op, "XX99")
    assert replies[-1].text.startswith("⚠️") and "XX99" in replies[-1].text
    replies = await world.say(t.op, "jb01")
    assert replies[-1].text.startswith("⚠️")
    replies = await world.say(t.op, "jb02")
    # Siti reads back the receiving IPWL by its name, not its code alone.
    assert "Ke IPWL: Rumah Pulih Bandung (JB02)" in replies[-1].text and "alasan" in replies[-1].text.lower()
    await world.say(t.op, "Keluarga pindah domisili ke Bandung bulan ini")
    await world.emu.send_photo(t.op, content=jpeg(b"surat pindah"))
    await world.emu.settle()
    await world.drain()
    assert "✅" in world.last(t.op).text, world.last(t.op).text
    # Budi Santoso (client 2): the name on the SK is misspelt.
    await world.say(t.op, f"/perubahan {code}")
    await press(world, t.op, t.op, buttons.CHANGE_CLIENT.data(second))
    await press(world, t.op, t.op, buttons.CHANGE_KIND.data(second, "name"))
    replies = await world.say(t.op, "Budi Santoso")
    assert replies[-1].text.startswith("⚠️")  # the same name as on the SK
    await world.say(t.op, "Budhi Santosa")
    await world.say(t.op, "Penulisan nama di SK tidak sesuai KTP")
    await world.emu.send_document(t.op, file_name="ktp.pdf", content=pdf("ktp"), mime_type="application/pdf")
    await world.emu.settle()
    await world.drain()
    move, rename = [r[0] for r in await world.rows("SELECT id FROM client_changes ORDER BY id")]
    assert await world.rows("SELECT kind, target_ipwl_id IS NOT NULL, new_value FROM client_changes ORDER BY id") == [
        ("move", True, None),
        ("name", False, "Budhi Santosa"),
    ]
    for change_id in (move, rename):
        card = next(
            m
            for m in world.emu.chat_messages(t.group)
            if any(b.callback_data == buttons.CHANGE_DETAIL.data(change_id) for row in m.buttons for b in row)
        )
        assert "Budhi" not in card.text and "Dewi" not in card.text
        await tap(world, t.andi, card, buttons.CHANGE_DETAIL.data(change_id))
        if change_id == move:  # Andi's details name the receiving IPWL too
            said = [m.text or "" for m in world.emu.chat_messages(t.andi)]
            assert any("Pindah ke IPWL Rumah Pulih Bandung (JB02)" in text for text in said)
        await press(world, t.andi, t.andi, buttons.CHANGE_DECISION.data(change_id, "verify"))
    await world.drain()
    # Hana rejects the name correction (from the notification's details), then approves the move.
    message, _ = button(world, t.head, buttons.CHANGE_DETAIL.data(rename))
    await tap(world, t.head, message, buttons.CHANGE_DETAIL.data(rename))
    await press(world, t.head, t.head, buttons.CHANGE_DECISION.data(rename, "reject"))
    await world.say(t.head, "KTP yang dilampirkan milik orang lain")
    await world.drain()
    assert await world.rows("SELECT status, decision_reason FROM client_changes WHERE id = ?", rename) == [
        ("rejected", "KTP yang dilampirkan milik orang lain")
    ]
    assert "KTP yang dilampirkan milik orang lain" in world.last(t.op).text
    # Meanwhile Siti has sent the accounts of clients 1 and 2: the move leaves nobody else to wait for.
    async with world.storage.transaction() as uow:
        for client_id, number in ((first, "123456789012345"), (second, "0123456789")):
            await uow.bank_accounts.save(
                client_id,
                bank_code="002",
                account_number=number,
                holder_name="X",
                passbook_id=None,
                now=world.clock.now(),
            )
    replies = await world.say(t.head, "/skperubahan")
    assert "klien 3" in replies[-1].text and "klien 2" not in replies[-1].text
    await press(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
    await world.drain()
    assert await world.rows("SELECT full_name FROM clients WHERE id = ?", second) == [("Budi Santoso",)]
    assert await world.rows("SELECT status FROM client_changes WHERE id = ?", move) == [("approved",)]
    # The receiving IPWL's operator is told, privately, to include Dewi in a proposal of her own.
    told = world.last(rina).text
    assert "Dewi Lestari" in told and code in told and "pindah ke IPWL Anda" in told
    annex = next(m for m in world.emu.chat_messages(t.head) if m.document and "lampiran" in m.document["file_name"])
    sheet = load_workbook(io.BytesIO(annex.file_bytes())).active
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]]
    assert [(r[3], r[6], r[8]) for r in rows] == [(3, "Pindah IPWL", "Pindah ke JB02")]
    # The accounts are complete without the third client: on to the PIC team and finance.
    accounts = await world.services.accounts.snapshot(pid)
    assert accounts is not None and [r.client.id for r in accounts.rows] == [first, second]
    assert await world.rows("SELECT status FROM proposals WHERE id = ?", pid) == [("accounts_submitted",)]
    assert "submit_accounts" in [
        r[0]
        for r in await world.rows("SELECT action FROM audit_events WHERE entity = 'proposal' AND entity_id = ?", code)
    ]
    # Nothing more can be asked for a client who left.
    await world.say(t.op, f"/perubahan {code}")
    assert not any(
        b.callback_data == buttons.CHANGE_CLIENT.data(third) for row in world.last(t.op).buttons for b in row
    )


async def test_the_last_unpaid_client_leaving_completes_the_payment(world) -> None:
    """Every other transfer was already sent when the drop-out is approved: nobody would press
    anything any more, so the SK perubahan itself makes the proposal paid and the LPJ due."""
    t = world.team = await team(world)
    pid, code, [first, second] = await waiting_for_transfers(world, 2)
    async with world.storage.transaction() as uow:
        await uow.transfers.record(
            first,
            amount=2_000_000,
            status=TransferStatus.SENT,
            on=world.clock.now().date(),
            note=None,
            by=None,
            now=world.clock.now(),
        )
    await ask_change(world, t.op, code, second, "drop_out", "Klien memilih berhenti dari layanan rehabilitasi")
    card = next(m for m in reversed(world.emu.chat_messages(t.group)) if "Perubahan setelah SK" in (m.text or ""))
    await tap(world, t.budi, card, buttons.CHANGE_DETAIL.data(1))
    await press(world, t.budi, t.budi, buttons.CHANGE_DECISION.data(1, "verify"))
    await world.say(t.head, "/skperubahan")
    await press(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
    await world.drain()
    assert await world.rows("SELECT status, lpj_due_on IS NOT NULL FROM proposals WHERE id = ?", pid) == [
        ("paid", True)
    ]
    assert await world.rows("SELECT client_id FROM transfers") == [(first,)]
    assert await world.rows("SELECT count(*) FROM refund_cases") == [(0,)]  # nothing had been sent to client 2
    assert any("LPJ" in (m.text or "") for m in world.emu.chat_messages(t.op)[-3:])


async def test_a_long_list_asks_for_the_client_s_number(world) -> None:
    """35 clients do not fit as buttons (nor, named, in one message): the client is given by number."""
    t = world.team = await team(world)
    pid = await seed_proposal(world.services, ipwl="JB01", status=ProposalStatus.PAID, clients=35)
    code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    replies = await world.say(t.op, f"/perubahan {code}")
    sheet = replies[-1]
    assert f"/perubahan {code} 12" in sheet.text and len(sheet.text) < 4096
    assert not any(buttons.CHANGE_CLIENT.parse(b.callback_data) for row in sheet.buttons for b in row)
    replies = await world.say(t.op, f"/perubahan {code} 36")
    assert replies[-1].text.startswith("⚠️") and "1 sampai 35" in replies[-1].text
    replies = await world.say(t.op, f"/perubahan {code} 31")
    client_31 = (await world.rows("SELECT id FROM clients WHERE proposal_id = ? AND position = 31", pid))[0][0]
    assert "klien 31" in replies[-1].text
    await press(world, t.op, t.op, buttons.CHANGE_KIND.data(client_31, "death"))
    assert "alasan" in world.last(t.op).text.lower()


async def test_a_corrected_nik_with_another_birth_date_is_pointed_out_and_corrected_with_it(world) -> None:
    """Siti types a corrected NIK whose birth date (01-01-1990) is not the client's on record (a
    newcomer's run: it was taken without a word; then Hana, who approves, was not told, and the
    record kept the old birth date). She is told — and how to go back if the KTP says otherwise —
    and so are Andi in the detail and Hana (by name, privately) in her notice and the SK perubahan;
    once approved, the record takes the NIK's birth date and sex, audited."""
    t = world.team = await team(world)
    pid = await seed_proposal(world.services, ipwl="JB01", status=ProposalStatus.PAID, clients=2)
    code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    client, nik = (await world.rows("SELECT id, nik FROM clients WHERE proposal_id = ? ORDER BY position", pid))[0]
    async with world.storage.transaction() as uow:  # her record says 15 May 1988
        await uow.clients.update(client, birth_date=dt.date(1988, 5, 15))
    corrected = nik[:6] + "010190" + nik[12:]
    await world.say(t.op, f"/perubahan {code}")
    await press(world, t.op, t.op, buttons.CHANGE_CLIENT.data(client))
    await press(world, t.op, t.op, buttons.CHANGE_KIND.data(client, "nik"))
    replies = await world.say(t.op, corrected)
    assert "⚠️" in replies[-1].text and "1 Januari 1990" in replies[-1].text and "KTP" in replies[-1].text
    assert "/batal" in replies[-1].text
    assert "alasan" in replies[-1].text.lower()
    await world.say(t.op, "NIK di KTP berbeda dengan data usulan")
    await world.emu.send_document(t.op, file_name="KTP.pdf", content=pdf("KTP"), mime_type="application/pdf")
    await world.emu.settle()
    await world.drain()
    assert await world.rows("SELECT kind, status, new_value FROM client_changes") == [("nik", "requested", corrected)]
    change_id = (await world.rows("SELECT id FROM client_changes"))[0][0]
    card = next(m for m in reversed(world.emu.chat_messages(t.group)) if "Perubahan setelah SK" in (m.text or ""))
    await tap(world, t.andi, card, buttons.CHANGE_DETAIL.data(change_id))
    detail = next(m for m in reversed(world.emu.chat_messages(t.andi)) if "Perubahan setelah SK" in (m.text or ""))
    assert "1 Januari 1990" in detail.text and "KTP" in detail.text
    await press(world, t.andi, t.andi, buttons.CHANGE_DECISION.data(change_id, "verify"))
    await world.drain()
    name = (await world.rows("SELECT full_name FROM clients WHERE id = ?", client))[0][0]
    notice = next(m for m in reversed(world.emu.chat_messages(t.head)) if "/skperubahan" in (m.text or ""))
    assert name in notice.text and "1 Januari 1990" in notice.text and "15 Mei 1988" in notice.text
    group_texts = [x for m in world.emu.chat_messages(t.group) for x in (m.text or "", *m.edits)]
    assert not [x for x in group_texts if name in x or "1990" in x]  # the group still sees no client data
    draft = (await world.say(t.head, "/skperubahan"))[-1]
    assert name in draft.text and "1 Januari 1990" in draft.text and "15 Mei 1988" in draft.text
    await press(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
    await world.drain()
    async with world.storage.reading() as uow:
        record = await uow.clients.by_id(client)
    assert record is not None
    assert (record.nik, record.birth_date, record.sex) == (corrected, dt.date(1990, 1, 1), Sex.MALE)
    assert await world.rows(
        "SELECT count(*) FROM audit_events WHERE action = 'correct_birth_date' AND entity_id = ?", str(client)
    ) == [(1,)]


async def test_a_paid_client_leaving_shows_on_the_status_the_group_card_and_the_annex(world) -> None:
    """After the payments story (a real SK, the team's group card, three clients paid): client 3
    drops out. Once Hana issues the SK perubahan, Siti is told its number and that the money already
    paid must come back, and how; /status and the group card show the amended list and total; the
    annex says which SK it amends."""
    from bot.i18n import format_money
    from tests.scenarios.payment_cast import sk_accounts_and_payment_until_paid

    await sk_accounts_and_payment_until_paid(world)
    t = world.team
    [(pid, code, sk_number, sk_date)] = await world.rows(
        "SELECT p.id, p.code, d.number, d.issued_on FROM proposals p JOIN decrees d ON d.id = p.decree_id"
    )
    third = (await world.rows("SELECT id FROM clients WHERE proposal_id = ? AND position = 3", pid))[0][0]
    [(paid_to_third,)] = await world.rows("SELECT amount FROM transfers WHERE client_id = ?", third)
    [(total,)] = await world.rows(
        "SELECT sum(b.total) FROM budget_lines b JOIN clients c ON c.id = b.client_id WHERE c.proposal_id = ?", pid
    )
    [(third_total,)] = await world.rows("SELECT sum(total) FROM budget_lines WHERE client_id = ?", third)
    await ask_change(world, t.op, code, third, "drop_out", "Klien memilih berhenti dan pulang ke keluarganya")
    change_id = await verified_and_approved(world, t)
    [(amendment, amendment_date)] = await world.rows(
        "SELECT d.number, d.issued_on FROM decrees d JOIN client_changes x ON x.amendment_id = d.id WHERE x.id = ?",
        change_id,
    )
    assert amendment != sk_number

    # Siti: the SK perubahan's number and date, and the money already paid to come back, and how.
    told = next(m.text for m in reversed(world.emu.chat_messages(t.op)) if "disetujui" in (m.text or ""))
    assert f"SK perubahan {amendment} tanggal" in told, told
    assert f"{format_money(paid_to_third)} sudah ditransfer" in told and "rekening balai" in told
    # How the deposit slip reaches finance: outside the bot (it takes no file from her here).
    assert "serahkan bukti setorannya kepada bagian keuangan balai di luar bot ini" in told, told
    assert "WhatsApp" in told and "/bayar" in told

    # /status: the amended list and total, the client marked; the SK's own total beside it.
    status = (await world.say(t.op, f"/status {code}"))[-1].text
    assert f"Klien: 2 (1 keluar dari daftar, SK perubahan {amendment})" in status, status
    assert f"Total anggaran: {format_money(total - third_total)} (pada SK: {format_money(total)})" in status
    assert f"keluar dari daftar (SK perubahan {amendment})" in status.split("\n3. ")[1]
    # The team's group card too, edited in place (codes and counts only, as ever).
    group_card = next(m for m in world.emu.chat_messages(t.group) if m.text.startswith(f"📋 {code}"))
    assert (
        f"Klien: 2 (1 keluar dari daftar, SK perubahan {amendment}) · total anggaran "
        f"{format_money(total - third_total)} (SK: {format_money(total)})"
    ) in group_card.text, group_card.text

    # The annex says which SK it amends (its number and date), above the lines and on each line.
    annex = next(
        m for m in world.emu.chat_messages(t.head) if m.document and "lampiran-sk-perubahan" in m.document["file_name"]
    )
    sheet = load_workbook(io.BytesIO(annex.file_bytes())).active
    on = dt.date.fromisoformat(sk_date) if isinstance(sk_date, str) else sk_date
    issued = f"{on:%d-%m-%Y}"  # (as people read it, not ISO)
    assert sheet["A3"].value == f"Mengubah {sk_number} ({issued})"
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]]
    assert [(r[2], r[3], r[10], r[11]) for r in rows] == [(code, 3, paid_to_third, f"{sk_number} ({issued})")]
    assert amendment_date is not None


async def test_a_paid_client_who_left_is_not_in_the_post_payment_sample(world) -> None:
    """Client 1 of a three-client proposal is paid, then dies (an SK perubahan, a refund case);
    once the two others are paid, the sample is drawn among those two only (a newcomer saw a PIC
    asked to phone a client who had left and whose refund was recorded)."""
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    pid, code, [first, *others] = await waiting_for_transfers(world, 3)
    await world.say(fajar, "/bayar")
    await press(world, fajar, fajar, buttons.PAYMENT_OPEN.data(pid))
    await press(world, fajar, fajar, buttons.TRANSFER_SENT.data(first, 0))
    await ask_change(world, t.op, code, first, "death", "Klien meninggal dunia pada 25 November 2026")
    await verified_and_approved(world, t)
    assert await world.rows("SELECT client_id, status FROM refund_cases") == [(first, "open")]

    await press(world, fajar, fajar, buttons.PAYMENT_OPEN.data(pid))
    await press(world, fajar, fajar, buttons.TRANSFERS_ALL_SENT.data(pid))
    await world.drain()
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", pid)) == [("paid",)]
    assert await world.rows("SELECT population FROM payment_check_draws WHERE proposal_id = ?", pid) == [(2,)]
    sampled = {r[0] for r in await world.rows("SELECT client_id FROM payment_checks WHERE proposal_id = ?", pid)}
    assert sampled and first not in sampled and sampled <= set(others)


async def test_after_an_sk_perubahan_the_status_counts_only_the_amended_list(world) -> None:
    """A newcomer's run: client 3 dropped out by an SK perubahan, yet Siti's /status still counted
    her under "Pendekatan" and "Persetujuan" (3 of 3) and the /status list said 3 clients; the
    "Lampiran" count of /status, the group card and the PIC's detail took the drop-out's evidence
    file for one of the proposal's documents. Now they count the amended list and the proposal's
    own documents only."""
    from tests.scenarios.payment_cast import sk_accounts_and_payment_until_paid

    await sk_accounts_and_payment_until_paid(world)
    t = world.team
    [(pid, code)] = await world.rows("SELECT id, code FROM proposals")
    third = (await world.rows("SELECT id FROM clients WHERE proposal_id = ? AND position = 3", pid))[0][0]
    before = (await world.say(t.op, f"/status {code}"))[-1].text
    [documents] = [line for line in before.split("\n") if line.startswith("Lampiran:")]
    approaches = [line for line in before.split("\n") if line.startswith("Pendekatan:")]
    assert "Persetujuan: 3 dari 3 klien" in before, before
    await ask_change(world, t.op, code, third, "drop_out", "Klien memilih berhenti dan pulang ke keluarganya")
    await verified_and_approved(world, t)
    assert await world.rows(
        "SELECT count(*) FROM attachments WHERE proposal_id = ? AND purpose = 'change_evidence'", pid
    ) == [(1,)]

    after = (await world.say(t.op, f"/status {code}"))[-1].text
    assert "Persetujuan: 2 dari 2 klien" in after, after
    assert documents in after.split("\n"), after  # the evidence is the change's, not the proposal's
    [now_approaches] = [line for line in after.split("\n") if line.startswith("Pendekatan:")]
    assert approaches and now_approaches != approaches[0], (approaches, now_approaches)
    assert sum(int(part.split()[-1]) for part in now_approaches.removeprefix("Pendekatan: ").split(", ")) == 2
    listed = (await world.say(t.op, "/status"))[-1].text
    assert f"{code}</b>" in listed or code in listed
    assert "· 2 klien ·" in listed and "· 3 klien ·" not in listed, listed
    group_card = next(m for m in world.emu.chat_messages(t.group) if m.text.startswith(f"📋 {code}"))
    assert documents in group_card.text.split("\n"), group_card.text


async def test_a_paid_client_leaving_is_said_to_be_paid_and_bayar_follows_the_amended_list(world) -> None:
    """A newcomer's run: Fajar had paid client 1 (Rp2.000.000) when she died. Andi's detail and
    Hana's /skperubahan did not say she was paid (so a refund would be needed); after the SK
    perubahan /bayar still listed 2 clients and the SK's total. Now the detail and the SK
    perubahan's screen say "already paid" with the amount, and /bayar counts the amended list."""
    from bot.i18n import format_money

    t = world.team = await team(world)
    fajar = await finance_officer(world)
    pid, code, [first, *others] = await waiting_for_transfers(world, 3)
    [(total,)] = await world.rows(
        "SELECT sum(b.total) FROM budget_lines b JOIN clients c ON c.id = b.client_id WHERE c.proposal_id = ?", pid
    )
    [(first_total,)] = await world.rows("SELECT sum(total) FROM budget_lines WHERE client_id = ?", first)
    listed = (await world.say(fajar, "/bayar"))[0].text
    assert f"{code}</b>" in listed or code in listed
    assert f"3 klien · {format_money(total)}" in listed, listed
    await press(world, fajar, fajar, buttons.PAYMENT_OPEN.data(pid))
    await press(world, fajar, fajar, buttons.TRANSFER_SENT.data(first, 0))
    [(paid,)] = await world.rows("SELECT amount FROM transfers WHERE client_id = ? AND status = 'sent'", first)
    await ask_change(world, t.op, code, first, "death", "Klien meninggal dunia pada 25 November 2026")

    change_id = (await world.rows("SELECT max(id) FROM client_changes"))[0][0]
    card = next(m for m in reversed(world.emu.chat_messages(t.group)) if "Perubahan setelah SK" in (m.text or ""))
    await tap(world, t.andi, card, buttons.CHANGE_DETAIL.data(change_id))
    detail = next(m for m in reversed(world.emu.chat_messages(t.andi)) if "Perubahan setelah SK" in (m.text or ""))
    assert f"Sudah dibayar: {format_money(paid)} telah ditransfer" in detail.text, detail.text
    assert "pengembalian dana" in detail.text
    await press(world, t.andi, t.andi, buttons.CHANGE_DECISION.data(change_id, "verify"))
    screen = (await world.say(t.head, "/skperubahan"))[-1].text
    assert f"{code}, klien 1: meninggal dunia · 💸 sudah dibayar {format_money(paid)}" in screen, screen
    await press(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
    await world.drain()
    assert await world.rows("SELECT client_id, amount, status FROM refund_cases") == [(first, paid, "open")]

    listed = (await world.say(fajar, "/bayar"))[0].text
    assert f"2 klien · {format_money(total - first_total)}" in listed, listed
    assert len(others) == 2

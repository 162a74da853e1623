"""Money to recover in the monthly report: a client paid, then off the list by an SK perubahan.

Fajar (finance) pays client 1 of a JB01 proposal on 28 November; she dies; Siti asks for the change,
Andi verifies it and Hana's SK perubahan opens a refund case. Fajar records a part the same day (a
transfer's reference number) and the rest on 3 December (a deposit slip's PDF). November's report
— asked while November runs, and again in December — shows the case open with the part received;
December's shows it settled. The workbook names the client by her number only.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from bot.i18n import format_money
from handlers import buttons
from tests.scenarios.admin_cast import asked
from tests.scenarios.change_cast import (
    ask_change,
    every_cell,
    press,
    refund_recorded,
    refund_sheet,
    verified_and_approved,
    waiting_for_transfers,
)
from tests.scenarios.payment_cast import finance_officer
from tests.scenarios.review_cast import team


async def test_a_refund_is_in_the_report_open_in_its_month_and_settled_in_the_next(world) -> None:
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    pid, code, [first, *_] = await waiting_for_transfers(world, 3)
    names_and_niks = [
        v for r in await world.rows("SELECT full_name, nik FROM clients WHERE proposal_id = ?", pid) for v in r
    ]
    await world.say(fajar, "/bayar")
    await press(world, fajar, fajar, buttons.PAYMENT_OPEN.data(pid))
    await press(world, fajar, fajar, buttons.TRANSFER_SENT.data(first, 0))
    [(paid,)] = await world.rows("SELECT amount FROM transfers WHERE client_id = ? AND status = 'sent'", first)
    await ask_change(world, t.op, code, first, "death", "Klien meninggal dunia pada 25 November 2026")
    change_id = await verified_and_approved(world, t)
    [(amendment,)] = await world.rows(
        "SELECT d.number FROM decrees d JOIN client_changes x ON x.amendment_id = d.id WHERE x.id = ?", change_id
    )
    [(refund_id, amount)] = await world.rows("SELECT id, amount FROM refund_cases")
    assert amount == paid and paid > 500_000
    part = paid - 500_000

    # 28 November: a part back, with the transfer's reference number.
    await refund_recorded(world, fajar, refund_id, f"{format_money(part)} 28-11-2026", reference="TRX 20261128 0001")
    world.clock.set(dt.datetime(2026, 11, 28, 5, 0, tzinfo=dt.UTC))  # noon WIB: what was recorded before counts
    summary, workbook, *_ = await asked(world, t.head, "/laporan 2026-11", 5)
    running = refund_sheet(workbook.file_bytes())
    assert (
        f"Pengembalian dana: 1 terbuka, Rp500.000 belum kembali; {format_money(part)} diterima pada November 2026"
        in (summary.text)
    ), summary.text

    # 3 December: the rest, with a deposit slip; the case is settled.
    world.clock.set(dt.datetime(2026, 12, 3, 3, 0, tzinfo=dt.UTC))  # 10.00 WIB
    await refund_recorded(world, fajar, refund_id, "500.000 03-12-2026")
    assert await world.rows("SELECT status FROM refund_cases") == [("settled",)]
    [(proof_id,)] = await world.rows("SELECT proof_id FROM refund_receipts WHERE proof_id IS NOT NULL")
    world.clock.set(dt.datetime(2026, 12, 3, 6, 0, tzinfo=dt.UTC))  # 13.00 WIB

    # November's report made again in December: as November ended, the rest not yet back.
    summary, workbook, *_ = await asked(world, t.head, "/laporan 2026-11", 5)
    assert (
        f"Pengembalian dana: 1 terbuka, Rp500.000 belum kembali; {format_money(part)} diterima pada November 2026"
        in (summary.text)
    ), summary.text
    rows = refund_sheet(workbook.file_bytes())
    assert rows[0] == (
        "Proposal",
        "Kode IPWL",
        "No. klien",
        "Alasan",
        "SK perubahan",
        "Dibuka",
        "Harus kembali (Rp)",
        "Diterima (Rp)",
        "Belum kembali (Rp)",
        "Status",
        "Penerimaan: tanggal diterima",
        "Penerimaan: jumlah (Rp)",
        "Penerimaan: bukti",
        "Penerimaan: dicatat oleh",
    )
    case, receipt, total = rows[1:]
    assert case == (
        code,
        "JB01",
        1,
        "meninggal dunia",
        amendment,
        dt.date(2026, 11, 28),
        paid,
        part,
        500_000,
        "Terbuka",
        None,
        None,
        None,
        None,
    )
    assert receipt == (
        code,
        "JB01",
        1,
        *[None] * 7,
        dt.date(2026, 11, 28),
        part,
        "TRX 20261128 0001",
        "Fajar Keuangan",
    )
    assert total == (
        "Total",
        "1 kasus, 1 terbuka",
        None,
        None,
        None,
        None,
        paid,
        part,
        500_000,
        None,
        "1 penerimaan",
        part,
        None,
        None,
    )
    assert rows == running  # the same figures as while November ran
    summary_sheet = openpyxl.load_workbook(io.BytesIO(workbook.file_bytes())).worksheets[0]
    assert any(
        r[0] and str(r[0]).startswith("Pengembalian dana: 1 terbuka, Rp500.000 belum kembali")
        for r in summary_sheet.iter_rows(values_only=True)
    )
    text = every_cell(workbook.file_bytes())
    assert not [secret for secret in names_and_niks if secret in text]

    # December's report: settled, nothing out, the rest received in December, with the slip's file number.
    summary, workbook, *_ = await asked(world, t.head, "/laporan 2026-12", 5)
    assert "Pengembalian dana: 0 terbuka, Rp0 belum kembali; Rp500.000 diterima pada Desember 2026" in summary.text, (
        summary.text
    )
    case, first_receipt, second_receipt, total = refund_sheet(workbook.file_bytes())[1:]
    assert case[6:10] == (paid, paid, 0, "Lunas")
    assert first_receipt[10:] == (dt.date(2026, 11, 28), part, "TRX 20261128 0001", "Fajar Keuangan")
    assert second_receipt[10:] == (dt.date(2026, 12, 3), 500_000, f"berkas no. {proof_id}", "Fajar Keuangan")
    assert total[1] == "1 kasus, 0 terbuka" and total[6:9] == (paid, paid, 0) and total[10:12] == ("2 penerimaan", paid)
    text = every_cell(workbook.file_bytes())
    assert not [secret for secret in names_and_niks if secret in text]
    assert "bukti setoran" not in text  # the proof file by its number: file names are sealed personal data

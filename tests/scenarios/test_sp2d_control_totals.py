"""After the SPM: the SP2D and the control totals of the transfers list (issue 16.3).

Personas as in test_payments_flow: Siti's three clients (Rp1.500.000 each, Rp4.500.000 in all) are
decreed and their accounts verified. Fajar (finance) saves the SPP and SPM, records the SP2D the
KPPN issued (a mistyped amount is refused with the difference), downloads the transfers list (it
carries its TOTAL row), and sends it back filled: a list whose rows do not add up to its TOTAL row,
or whose TOTAL is not the SPM's, is refused with the difference and records nothing. While the
results are missing three working days after the SP2D, Fajar is reminded.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from handlers import buttons
from tests.scenarios.lpj_cast import at, run_job
from tests.scenarios.payment_cast import SPM, XLSX, filled, press, spm_saved, status


async def test_sp2d_must_match_the_spm_and_a_list_with_wrong_totals_is_refused(world) -> None:
    fajar, pid = await spm_saved(world)  # the SK, the accounts verified (checked), the SPP and the SPM
    assert await world.rows("SELECT spm_amount, sp2d_number FROM payments") == [(4_500_000, None)]
    assert "SP2D: belum dicatat" in world.last(fajar).text
    tasks = (await world.say(fajar, "/tugas"))[-1].text
    assert "1 SPM belum dicatat SP2D-nya" in tasks, tasks
    # Transfer results before the SP2D: the filled list is refused, told to record the SP2D first.
    await press(world, fajar, buttons.TRANSFERS_SHEET.data(pid))
    early = filled(world.last(fajar).file_bytes())
    await world.emu.send_document(fajar, file_name="transfer.xlsx", content=early, mime_type=XLSX)
    await world.emu.settle()
    refusal = world.last(fajar).text
    assert "Catat SP2D" in refusal and SPM in refusal, refusal
    assert await world.rows("SELECT count(*) FROM transfers WHERE status != 'pending'") == [(0,)]
    assert await status(world, pid) == "accounts_verified"

    # The SP2D: number and date, then the amount — which must be the SPM's.
    await press(world, fajar, buttons.PAYMENT_SP2D.data(pid))
    bad = await world.say(fajar, "SP2D kemarin")
    assert "⚠️" in bad[-1].text and "nomor SP2D" in bad[-1].text
    asked = await world.say(fajar, "261131302002345 28-11-2026")
    assert "261131302002345" in asked[-1].text and "Rp4.500.000" in asked[-1].text
    wrong = await world.say(fajar, "Rp 4.050.000")
    assert "⚠️" in wrong[-1].text and "selisih -Rp450.000" in wrong[-1].text, wrong[-1].text
    assert await world.rows("SELECT sp2d_number, sp2d_amount FROM payments") == [(None, None)]
    saved = await world.say(fajar, "4.500.000")
    assert "SP2D 261131302002345 tanggal 28 November 2026 · Rp4.500.000" in saved[-1].text, saved[-1].text
    assert await world.rows("SELECT sp2d_number, sp2d_date, sp2d_amount FROM payments") == [
        ("261131302002345", "2026-11-28", 4_500_000)
    ]
    assert await world.rows("SELECT to_status FROM audit_events WHERE action = 'record_sp2d'") == [("261131302002345",)]
    tasks = (await world.say(fajar, "/tugas"))[-1].text
    assert "1 SP2D yang hasil transfernya belum dicatat" in tasks and "SPM belum dicatat" not in tasks, tasks

    # The list the bot writes carries its control totals.
    await press(world, fajar, buttons.TRANSFERS_SHEET.data(pid))
    template = world.last(fajar).file_bytes()
    last = list(load_workbook(io.BytesIO(template)).worksheets[0].iter_rows(values_only=True))[-1]
    assert (last[0], last[1], last[6], last[9]) == ("TOTAL", "3 baris", 4_500_000, f"SPM {SPM}")

    # One amount changed, the TOTAL row left: the rows do not add up to it.
    await world.emu.send_document(
        fajar, file_name="transfer.xlsx", content=filled(template, amounts={2: 1_000_000}), mime_type=XLSX
    )
    await world.emu.settle()
    refusal = world.last(fajar).text
    assert "Baris TOTAL menyebut Rp4.500.000" in refusal and "selisih -Rp500.000" in refusal, refusal
    # The TOTAL row changed too: the list adds up, but not to the SPM.
    await world.emu.send_document(
        fajar,
        file_name="transfer.xlsx",
        content=filled(template, amounts={2: 1_000_000}, total=4_000_000),
        mime_type=XLSX,
    )
    await world.emu.settle()
    refusal = world.last(fajar).text
    assert f"SPM {SPM} sebesar Rp4.500.000: selisih -Rp500.000" in refusal, refusal
    assert await world.rows("SELECT count(*) FROM transfers WHERE status = 'sent'") == [(0,)]
    assert await status(world, pid) == "accounts_verified"

    # No results three working days after the SP2D (Saturday 28 Nov): Fajar is reminded on Wednesday, once.
    def reminders() -> list[str]:
        return [m.text for m in world.emu.chat_messages(fajar) if "SP2D untuk" in (m.text or "")]

    await run_job(world, at(dt.date(2026, 12, 1), 10))
    assert reminders() == []
    await run_job(world, at(dt.date(2026, 12, 2), 10))
    await run_job(world, at(dt.date(2026, 12, 2), 14))
    assert len(reminders()) == 1 and "USL-2026-0001" in reminders()[0] and "3 hari kerja" in reminders()[0]

    # The list as the bot wrote it, filled: recorded, the proposal paid; no more reminders.
    await press(world, fajar, buttons.TRANSFERS_SHEET.data(pid))
    await world.emu.send_document(fajar, file_name="transfer.xlsx", content=filled(template), mime_type=XLSX)
    await world.emu.settle()
    assert await status(world, pid) == "paid"
    assert await world.rows("SELECT count(*), sum(amount) FROM transfers WHERE status = 'sent'") == [(3, 4_500_000)]
    await run_job(world, at(dt.date(2026, 12, 7), 10))
    assert len(reminders()) == 1


async def test_the_sp2d_typed_on_one_line_is_recorded_and_a_wrong_amount_keeps_the_number_and_date(world) -> None:
    """Fajar copies the SP2D as one line from the KPPN's letter. A line with the wrong amount keeps
    the number and date and asks the amount alone again; a line the bot cannot read says what is
    expected and records nothing."""
    fajar, pid = await spm_saved(world)

    await press(world, fajar, buttons.PAYMENT_SP2D.data(pid))
    prompt = world.last(fajar)
    assert "pada baris yang sama" in prompt.text and "Rp 5.000.000" in prompt.text, prompt.text

    # Nothing readable as a number: what is expected, both ways.
    bad = (await world.say(fajar, "sp2d sudah keluar kemarin"))[-1]
    assert "⚠️" in bad.text and "satu baris" in bad.text and "Rp 5.000.000" in bad.text, bad.text
    assert await world.rows("SELECT sp2d_number FROM payments") == [(None,)]

    # The wrong amount on one line: refused with the difference; the number and date are kept.
    wrong = (await world.say(fajar, "SP2D 00777/2026 28-11-2026 Rp 4.050.000"))[-1]
    assert "selisih -Rp450.000" in wrong.text, wrong.text
    assert await world.rows("SELECT sp2d_number, sp2d_amount FROM payments") == [(None, None)]
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'record_sp2d'") == [(0,)]
    # Asked the amount again, Fajar re-types the whole line instead: read as the line it is — a
    # date in the future is refused as such, then the corrected line is recorded.
    future = (await world.say(fajar, "SP2D 00777/2026 29-11-2026 Rp 4.500.000"))[-1]
    assert "⚠️" in future.text and "29-11-2026 ada di masa depan" in future.text, future.text
    assert await world.rows("SELECT sp2d_number FROM payments") == [(None,)]
    saved = (await world.say(fajar, "SP2D 00777/2026 28-11-2026 Rp 4.500.000"))[-1]
    assert "SP2D 00777/2026 tanggal 28 November 2026 · Rp4.500.000" in saved.text, saved.text
    assert await world.rows("SELECT sp2d_number, sp2d_date, sp2d_amount FROM payments") == [
        ("00777/2026", "2026-11-28", 4_500_000)
    ]
    assert await world.rows("SELECT to_status FROM audit_events WHERE action = 'record_sp2d'") == [("00777/2026",)]


async def test_the_sp2d_number_date_and_amount_on_one_line_with_commas(world) -> None:
    fajar, pid = await spm_saved(world)
    await press(world, fajar, buttons.PAYMENT_SP2D.data(pid))
    saved = (await world.say(fajar, "00123/2026, 28/11/2026, 4500000"))[-1]
    assert "SP2D 00123/2026 tanggal 28 November 2026 · Rp4.500.000" in saved.text, saved.text
    assert await world.rows("SELECT sp2d_number, sp2d_date, sp2d_amount FROM payments") == [
        ("00123/2026", "2026-11-28", 4_500_000)
    ]

"""Siti makes every mistake an operator can make in an LPJ: each gets a clear answer and changes nothing."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from openpyxl import load_workbook

from handlers import buttons
from tests.helpers import jpeg
from tests.scenarios.lpj_cast import add_photo_and_bast, counts, siti_with_an_open_lpj

JPEG_OF_SOMETHING_ELSE = jpeg(b"a receipt of last year" * 40)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_spending_above_the_rab_needs_a_note_and_bad_answers_change_nothing(world) -> None:
    siti, _ = await siti_with_an_open_lpj(world)
    await siti.type("01-11-2026 s/d 27-11-2026")
    await siti.type("01-11-2026 s/d 27-11-2026")
    before = await counts(world)
    for typed in ("banyak", "-500.000", "1,5", "1.500.000,75"):
        answer = await siti.type(typed)
        assert answer.text.startswith("⚠️"), answer.text
    assert await counts(world) == before
    note = await siti.type("1.700.000")  # above the RAB of Rp1.500.000
    assert "Rp200.000" in note.text
    short = await siti.type("naik")
    assert short.text.startswith("⚠️")
    assert await world.rows("SELECT count(*) FROM lpj_realizations") == [(0,)]  # nothing saved without a note
    await siti.type("Harga beras naik sejak November.")
    assert await world.rows("SELECT amount, note FROM lpj_realizations") == [
        (1_700_000, "Harga beras naik sejak November.")
    ]


async def test_an_lpj_without_receipts_cannot_be_sent_and_says_what_is_missing(world) -> None:
    siti, pid = await siti_with_an_open_lpj(world)
    await siti.type("01-11-2026 s/d 27-11-2026")
    await siti.type("01-11-2026 s/d 27-11-2026")
    await siti.tap(buttons.LPJ_ANSWER.data("all"))
    await siti.tap(buttons.LPJ_ANSWER.data("review"))
    review = world.last(siti.user)
    assert "kuitansi" in review.text.lower()
    await siti.tap(buttons.LPJ_SUBMIT.data(pid), review)
    refusal = world.last(siti.user)
    assert refusal.text.startswith("⚠️") and "kuitansi" in refusal.text.lower() and "BAST" in refusal.text
    assert await world.rows("SELECT status FROM proposals") == [("paid",)]
    assert await world.rows("SELECT submitted_at FROM lpj") == [(None,)]


async def test_receipts_that_do_not_cover_the_spending_or_lack_a_meterai_are_refused(world) -> None:
    siti, pid = await siti_with_an_open_lpj(world, clients=1)
    await siti.type("01-11-2026 s/d 27-11-2026")
    await siti.tap(buttons.LPJ_ANSWER.data("all"))  # Rp2.000.000 spent
    await siti.send("kuitansi.pdf")
    await siti.type("5.500.000")  # above Rp5.000.000: is there a meterai?
    await siti.tap(buttons.LPJ_ANSWER.data("no"))
    assert "Rp10.000" in world.last(siti.user).text  # why it was not kept, and what to do
    assert await world.rows("SELECT count(*) FROM lpj_evidence") == [(0,)]  # the unstamped receipt is not kept
    assert await world.rows("SELECT count(*) FROM attachments") == [(0,)]
    await siti.send("kuitansi-kecil.pdf")
    await siti.type("500.000")
    await add_photo_and_bast(siti)
    await siti.tap(buttons.LPJ_SUBMIT.data(pid))
    refusal = world.last(siti.user)
    assert refusal.text.startswith("⚠️") and "Rp500.000" in refusal.text and "Rp2.000.000" in refusal.text
    assert await world.rows("SELECT status FROM proposals") == [("paid",)]


async def test_oversize_and_foreign_files_are_refused_before_anything_is_kept(world) -> None:
    siti, _ = await siti_with_an_open_lpj(world)
    before = await counts(world)
    huge = await siti.send("scan-kuitansi.pdf", declared_size=25 * 1024 * 1024)
    assert huge.text.startswith("⚠️") and "20 MB" in huge.text
    odd = await siti.send("setup.exe", b"MZ\x90\x00", "application/x-msdownload")
    assert odd.text.startswith("⚠️")
    assert await counts(world) == before


async def test_a_second_file_while_a_receipt_waits_for_its_amount_is_refused(world) -> None:
    siti, _ = await siti_with_an_open_lpj(world)
    await siti.send("kuitansi-1.pdf")  # mid-question, a PDF is taken as a receipt: its amount is asked
    assert await world.rows("SELECT count(*) FROM lpj_evidence") == [(1,)]
    refused = await siti.send("kuitansi-2.pdf")
    assert refused.text.startswith("⚠️")
    assert await world.rows("SELECT count(*) FROM lpj_evidence") == [(1,)]


async def test_a_bad_workbook_is_refused_whole_with_every_row_named(world) -> None:
    siti, _ = await siti_with_an_open_lpj(world)
    await siti.tap(buttons.LPJ_ANSWER.data("review"))
    await siti.tap(buttons.LPJ_TEMPLATE.data())
    template = world.last(siti.user)
    assert template.document is not None
    content = world.emu.state.files.get(template.document["file_id"]).content
    wb = load_workbook(io.BytesIO(content))
    real, services = wb["Realisasi"], wb["Layanan"]
    for row in real.iter_rows(min_row=2):
        row[6].value = row[5].value
    real["G2"].value = 9_000_000  # above the RAB, no note
    real["G3"].value = "sejuta"  # not an amount
    for row in services.iter_rows(min_row=2):
        row[4].value, row[5].value = "01-11-2026", "27-11-2026"
    services["F3"].value = "01-01-2030"  # in the future
    out = io.BytesIO()
    wb.save(out)
    before = await counts(world)
    answer = await siti.send("templat-lpj.xlsx", out.getvalue(), XLSX)
    assert "Realisasi" in answer.text and "Layanan" in answer.text and "Rp9.000.000" in answer.text
    assert await counts(world) == before

    real["G2"].value, real["G3"].value = real["F2"].value, real["F3"].value
    services["F3"].value = "27-11-2026"
    out = io.BytesIO()
    wb.save(out)
    await siti.send("templat-lpj.xlsx", out.getvalue(), XLSX)
    assert "✅" in world.emu.chat_messages(siti.user)[-2].text  # "workbook read", then the review
    assert await world.rows("SELECT count(*), sum(amount) FROM lpj_realizations") == [(4, 4_000_000)]
    assert await world.rows("SELECT count(DISTINCT client_id) FROM lpj_services") == [(2,)]


async def test_a_restart_in_the_middle_of_an_lpj_loses_nothing(world) -> None:
    siti, _ = await siti_with_an_open_lpj(world)
    await siti.type("01-11-2026 s/d 27-11-2026")
    question = await siti.type("01-11-2026 s/d 27-11-2026")  # the first budget line
    await world.restart()
    resumed = await siti.type("/lpj")
    assert resumed.text == question.text
    await siti.type("1.000.000")
    assert await world.rows("SELECT amount FROM lpj_realizations") == [(1_000_000,)]


async def test_a_photo_sent_by_mistake_is_taken_back_once_even_on_a_double_tap(world) -> None:
    siti, _ = await siti_with_an_open_lpj(world, clients=1)
    await siti.type("01-11-2026 s/d 27-11-2026")
    await siti.tap(buttons.LPJ_ANSWER.data("all"))  # on to the evidence
    await siti.tap(buttons.LPJ_ANSWER.data("photo"))
    await siti.photo()
    await siti.photo(JPEG_OF_SOMETHING_ELSE)  # the wrong picture
    (right, wrong) = await world.rows("SELECT id FROM lpj_evidence ORDER BY id")
    (kept_file,), (wrong_file,) = await world.rows(
        "SELECT stored_path FROM attachments WHERE purpose = 'lpj_photo' ORDER BY id"
    )
    assert Path(wrong_file).is_file()
    (before,) = await counts(world)

    listing = await siti.tap(buttons.LPJ_ANSWER.data("remove")) and world.last(siti.user)
    assert "Hapus" in listing.text or "hapus" in listing.text  # in Indonesian: which file to remove
    choices = [b.callback_data for row in listing.buttons for b in row]
    assert [b.text for row in listing.buttons for b in row][:2] == ["🗑 📷 1", "🗑 📷 2"]  # as the counts say them
    assert choices == [
        buttons.LPJ_ANSWER.data(f"rm{right[0]}"),
        buttons.LPJ_ANSWER.data(f"rm{wrong[0]}"),
        buttons.LPJ_ANSWER.data("back"),
    ]
    data = siti.button(buttons.LPJ_ANSWER.data(f"rm{wrong[0]}"), listing)
    first, second = await asyncio.gather(
        world.emu.press(siti.user, listing, data), world.emu.press(siti.user, listing, data)
    )
    await world.emu.settle()
    refused = [a for a in (first, second) if a is not None and a.show_alert]
    assert len(refused) == 1 and "tidak lagi" in (refused[0].text or "")  # the second tap changes nothing

    assert await world.rows("SELECT id, kind FROM lpj_evidence") == [(right[0], "photo")]
    (after,) = await counts(world)
    assert after[2:4] == (before[2] - 1, before[3] - 1)  # the evidence and its attachment record
    shown = world.last(siti.user)  # the same message, back to the evidence question with fresh counts
    assert shown.message_id == listing.message_id and "foto: 1" in shown.text
    assert not Path(wrong_file).exists() and Path(kept_file).is_file()  # the wrong picture is gone from disk too
    assert world.deps.errors == []


async def test_the_same_photo_sent_twice_and_removed_once_keeps_its_file(world) -> None:
    siti, _ = await siti_with_an_open_lpj(world, clients=1)
    await siti.type("01-11-2026 s/d 27-11-2026")
    await siti.tap(buttons.LPJ_ANSWER.data("all"))
    await siti.tap(buttons.LPJ_ANSWER.data("photo"))
    await siti.send("foto-kegiatan.jpg", JPEG_OF_SOMETHING_ELSE, "image/jpeg")
    await siti.send("foto-kegiatan.jpg", JPEG_OF_SOMETHING_ELSE, "image/jpeg")  # again: one file, two records
    (first,), (second,) = await world.rows("SELECT stored_path FROM attachments WHERE purpose = 'lpj_photo'")
    assert first == second
    (doubled,) = (await world.rows("SELECT max(id) FROM lpj_evidence"))[0]
    await siti.tap(buttons.LPJ_ANSWER.data("remove"))
    await siti.tap(buttons.LPJ_ANSWER.data(f"rm{doubled}"))
    assert await world.rows("SELECT count(*) FROM lpj_evidence") == [(1,)]
    assert Path(first).is_file()  # still the evidence of the record that stays

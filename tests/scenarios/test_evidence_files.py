"""Siti's files: nothing empty or broken counts as evidence, sizes are shown as they are, and a file
sent by mistake can be taken back from the draft before it goes to the PIC team (issue 11.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers import buttons
from tests.helpers import jpeg, pdf
from tests.scenarios.intake_cast import open_draft, stored_files
from tests.scenarios.lpj_cast import counts, siti_with_an_open_lpj
from tests.security.matrix import plant_button

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def test_empty_and_broken_files_are_refused_and_nothing_is_kept(world) -> None:
    op = await open_draft(world)
    for name, content, mime, said in (
        ("surat-pengantar.pdf", b"", PDF, "kosong"),  # 0 bytes: once kept as "1 KB"
        ("scan.pdf", b"<html>surat</html>", PDF, "tidak dapat dibuka sebagai PDF"),  # a renamed web page
        ("scan-terpotong.pdf", b"%PDF-1.7\n1 0 obj<</Type/Catalog>>", PDF, "terpotong"),  # cut off: no %%EOF
        ("rab.docx", b"PK\x03\x04 rusak", DOCX, "Word atau Excel"),
    ):
        await world.emu.send_document(op.user, file_name=name, content=content, mime_type=mime)
        await world.emu.settle()
        answer = world.last(op.user).text
        assert answer.startswith("⚠️") and name in answer and said in answer, answer
        assert "Tidak ada yang disimpan" in answer, answer
    await world.emu.send_photo(op.user, content=b"\xff\xd8\xff\xe0" + b"0" * 100)  # no frame, no scan
    await world.emu.settle()
    assert "tidak dapat dibuka sebagai gambar" in world.last(op.user).text
    assert await world.rows("SELECT count(*) FROM attachments") == [(0,)]
    assert stored_files(world) == []
    assert world.deps.errors == []


async def test_sizes_are_shown_truthfully_with_indonesian_decimal_commas(world) -> None:
    op = await open_draft(world)
    small = pdf("x" * 145)
    assert len(small) == 193
    await world.emu.send_document(op.user, file_name="surat.pdf", content=small, mime_type=PDF)
    await world.emu.settle()
    assert "(193 B)" in world.last(op.user).text  # not "1 KB"
    photo = jpeg(b"p" * (4608 - len(jpeg(size=0))), size=0)  # 4608 B = 4,5 KB (an attachment, not a signed form)
    await world.emu.send_photo(op.user, content=photo)
    await world.emu.settle()
    assert "(4,5 KB)" in world.last(op.user).text, world.last(op.user).text
    assert await world.rows("SELECT size FROM attachments ORDER BY id") == [(193,), (len(photo),)]
    # Too big to download: said in MB with a decimal comma, before anything is fetched.
    await world.emu.send_document(
        op.user, file_name="besar.pdf", content=small, mime_type=PDF, declared_size=int(25.4 * 1024 * 1024)
    )
    await world.emu.settle()
    assert "25,4 MB" in world.last(op.user).text
    assert await world.rows("SELECT count(*) FROM attachments") == [(2,)]


async def test_an_attachment_sent_by_mistake_is_listed_and_removed_before_submitting(world) -> None:
    op = await open_draft(world)
    letter, wrong = pdf("surat pengantar"), pdf("foto KTP keluarga lain")
    await world.emu.send_document(op.user, file_name="surat-pengantar.pdf", content=letter, mime_type=PDF)
    await world.emu.settle()
    await world.emu.send_document(op.user, file_name="ktp-salah.pdf", content=wrong, mime_type=PDF)
    await world.emu.settle()
    saved = world.last(op.user)
    assert "2 lampiran" in saved.text
    listing = await op.tap(
        buttons.DRAFT_ATTACHMENTS.data(), saved
    )  # "📎 Lihat atau hapus lampiran" under the saved message
    assert "1. surat-pengantar.pdf" in listing.text and "2. ktp-salah.pdf" in listing.text
    assert f"{len(wrong)} B" in listing.text
    ((wrong_id, wrong_path),) = [
        (i, path)
        for i, path, name in await world.rows("SELECT id, stored_path, file_name FROM attachments")
        if name == "ktp-salah.pdf"
    ]  # the name is sealed
    await op.tap(buttons.DRAFT_REMOVE_ATTACHMENT.data(wrong_id), listing)
    shown = world.last(op.user)
    assert shown.message_id == listing.message_id  # the same list, redrawn
    assert "Dihapus: ktp-salah.pdf" in shown.text and "ktp-salah.pdf ·" not in shown.text
    assert [(name,) for name in ("surat-pengantar.pdf",)] == await world.rows("SELECT file_name FROM attachments")
    assert not Path(wrong_path).exists()  # the file a client's data may be in is gone from the disk too
    assert [world.services.files.read(str(p)) for p in stored_files(world)] == [letter]  # sealed on disk, opened
    assert await world.rows("SELECT action FROM audit_events WHERE action = 'remove_attachment'") == [
        ("remove_attachment",)
    ]
    # A second tap on the old button changes nothing and says why.
    old_copy = plant_button(
        world, op.user.id, buttons.DRAFT_REMOVE_ATTACHMENT.data(wrong_id)
    )  # e.g. an older list further up
    stale = await world.press(op.user, old_copy, buttons.DRAFT_REMOVE_ATTACHMENT.data(wrong_id))
    assert "tidak lagi" in (stale.text or ""), stale
    assert await world.rows("SELECT count(*) FROM attachments") == [(1,)]
    # The summary offers the list too, with the count.
    review = await op.tap(buttons.DRAFT_SUMMARY.data(), shown)
    assert any("Lampiran (1)" in b.text for row in review.buttons for b in row)


async def test_an_empty_receipt_is_not_accepted_in_the_lpj(world) -> None:
    siti, _ = await siti_with_an_open_lpj(world, clients=1)
    await siti.type("01-11-2026 s/d 27-11-2026")
    await siti.tap(buttons.LPJ_ANSWER.data("all"))
    before = await counts(world)
    answer = await siti.send("kuitansi.pdf", b"")
    assert answer.text.startswith("⚠️") and "kosong" in answer.text
    answer = await siti.send("kuitansi.pdf", b"%PDF-1.4\n")  # header only: cut off
    assert "tidak dapat dibuka sebagai PDF" in answer.text
    assert await counts(world) == before
    assert stored_files(world) == []
    asked = await siti.send("kuitansi.pdf", pdf("kuitansi"))  # the real one: its amount is asked
    assert await world.rows("SELECT kind FROM lpj_evidence") == [("receipt",)]
    assert not asked.text.startswith("⚠️")


async def test_a_file_the_draft_cannot_take_is_never_written_to_disk(world) -> None:
    """The service decides before anything is stored: an upload refused for the draft's state (here
    the draft was submitted from another phone in the meantime) leaves no orphan file behind."""
    from bot.services import FileUpload, ServiceError

    op = await open_draft(world)
    who = await world.services.onboarding.identify(op.user.id, op.user.full_name, private_chat=True, language="id")
    draft = await world.services.proposals.current(who)
    async with world.storage.db.transaction() as conn:  # submitted elsewhere
        await conn.execute("UPDATE proposals SET status = 'submitted' WHERE id = ?", (draft.proposal.id,))
    upload = FileUpload("f-late", "u-late", "surat-susulan.pdf", PDF, 200)
    with pytest.raises(ServiceError):
        await world.services.proposals.keep_file(who, upload, pdf("surat susulan"))
    assert stored_files(world) == []
    assert await world.rows("SELECT count(*) FROM attachments") == [(0,)]


async def test_pressing_the_tab_already_chosen_changes_nothing_and_raises_nothing(world) -> None:
    """Siti taps "🧾 Kuitansi" while the receipts tab is already chosen (and again): the screen stays."""
    siti, _ = await siti_with_an_open_lpj(world, clients=1)
    await siti.type("01-11-2026 s/d 27-11-2026")
    await siti.tap(buttons.LPJ_ANSWER.data("all"))
    screen = world.last(siti.user)
    chosen = [b.text for row in screen.buttons for b in row if b.text.startswith("✓ ")]
    assert chosen and "Kuitansi" in chosen[0]
    before = await counts(world)
    for _ in range(2):
        answer = await siti.tap(buttons.LPJ_ANSWER.data("receipt"), screen)
        assert answer is not None and not answer.show_alert
    assert world.last(siti.user).text == screen.text and world.last(siti.user).message_id == screen.message_id
    assert await counts(world) == before
    assert world.deps.errors == []

"""Complaints (issue 16.5): anyone can speak up, and only the complaint officer hears it.

Ibu Sari is the mother of a client of Yayasan Harapan Bogor (JB01). She has no role: she only
pressed Start. The IPWL kept Rp500.000 of her son's assistance "for administration"; she is afraid
of the IPWL, so she complains anonymously, about JB01's proposal, with a photo of the receipt. Dewi
is the centre's complaint officer. Siti (JB01's operator) and the PIC team 1 (Andi, Budi, their
group) must learn nothing of it; the head, Hana, only hears of a complaint left unanswered.

Personas: Ibu Sari (no role), Dewi (complaint officer), Siti (operator JB01), Andi and Budi (PIC,
team 1's group), Hana (head), Pak Joko (an IPWL worker with no role, named complainant).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.models import Role
from handlers import buttons
from storage.db import to_db_time
from tests.helpers import jpeg
from tests.scenarios.admin_cast import data
from tests.scenarios.complaint_cast import data_of, file_complaint, texts
from tests.scenarios.conftest import World
from tests.scenarios.review_cast import submitted, team


async def test_an_anonymous_complaint_about_a_levy_reaches_only_the_officer_and_is_closed_with_an_outcome(
    world: World,
) -> None:
    t = await team(world)
    proposal_id = await submitted(world, t)
    [(code,)] = await world.rows("SELECT code FROM proposals WHERE id = ?", proposal_id)
    dewi = world.emu.add_user("Dewi", last_name="Pengaduan")
    await world.enrol(dewi, Role.COMPLAINT_OFFICER)
    sari = world.emu.add_user("Sari", last_name="Ibu")
    await world.say(sari, "/start")
    seen_before = {u: len(world.emu.chat_messages(u)) for u in (t.op, t.andi, t.budi, t.head)}
    group_before = len(world.emu.chat_messages(t.group))

    # /pengaduan works without any role: the categories, the sensitive ones first, and who will read it.
    intro = (await world.say(sari, "/pengaduan"))[-1]
    assert "hanya sampai kepada petugas pengaduan" in intro.text and "anonim" in intro.text.lower()
    assert [b.text for row in intro.buttons for b in row][0] == "Potongan, pungutan"
    await world.press(sari, intro, data_of(intro, buttons.COMPLAINT_ANSWER, "levy"))
    # The question stays in the chat with what she chose under it.
    assert "→ Potongan atau pungutan atas bantuan ✓" in world.emu.chat_messages(sari)[-2].text
    asked = world.last(sari)
    assert "<b>2/5</b>" in asked.html
    await world.press(sari, asked, data_of(asked, buttons.COMPLAINT_ANSWER, "anon"))

    # The proposal code: a wrong one is refused and said why; nothing is filed meanwhile.
    answer = (await world.say(sari, "JB01-1999-999"))[-1]
    assert "Tidak ada usulan JB01-1999-999" in answer.text and "Lewati" in answer.text
    asked = (await world.say(sari, code.lower()))[-1]
    assert "<b>4/5</b>" in asked.html
    # Too short a description: told what is expected.
    answer = (await world.say(sari, "dipotong"))[-1]
    assert "sedikit lebih lengkap" in answer.text
    story = (
        "Anak saya menerima bantuan Rp1.500.000 bulan November, tetapi pengurus yayasan meminta "
        "Rp500.000 kembali untuk 'biaya administrasi'. Kuitansi terlampir."
    )
    asked = (await world.say(sari, story))[-1]
    assert "<b>5/5</b>" in asked.html
    await world.emu.send_photo(sari, content=jpeg(b"kuitansi potongan"))
    await world.emu.settle()
    got = world.last(sari)
    assert "Berkas 1 dari paling banyak 5 diterima" in got.text
    await world.press(sari, got, data_of(got, buttons.COMPLAINT_ANSWER, "done"))
    summary = world.last(sari)
    assert "Kategori: Potongan atau pungutan atas bantuan" in summary.text
    assert "Pengirim: anonim" in summary.text and f"Usulan: {code}" in summary.text
    assert "Lampiran: 1" in summary.text and "Rp500.000 kembali" in summary.text
    assert await world.rows("SELECT count(*) FROM complaints") == [(0,)]  # nothing filed before Send

    # Send (twice: a double tap files it once).
    send = data_of(summary, buttons.COMPLAINT_SEND)
    # Both presses reach the bot before the button disappears.
    await asyncio.gather(world.emu.press(sari, summary, send), world.emu.press(sari, summary, send))
    await world.drain()
    filed = next(m for m in world.emu.chat_messages(sari) if "Pengaduan Anda sudah terkirim" in m.text)
    ticket = filed.text.split("Nomor tiket: ")[1].split()[0]
    secret = filed.text.split("Kode rahasia: ")[1].split()[0]
    assert "hanya ditampilkan sekali ini" in filed.text
    assert await world.rows("SELECT count(*) FROM complaints") == [(1,)]

    # At rest: no link to Sari at all — no complainant, no actor in the audit, no outbox row to her;
    # the description sealed; the secret kept as a digest only.
    [(cid, anonymous, complainant, category, ipwl, description, digest, status)] = await world.raw_rows(
        "SELECT c.id, c.anonymous, c.complainant, c.category, i.code, c.description, c.secret_digest, c.status"
        " FROM complaints c JOIN ipwl i ON i.id = c.ipwl_id"
    )
    assert (anonymous, complainant, category, ipwl, status) == (1, None, "levy", "JB01", "open")
    assert description.startswith("enc1:") and secret not in digest and len(digest) == 64
    [(sari_id,)] = await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", sari.id)
    assert await world.rows("SELECT actor_id, actor_role, reason FROM audit_events WHERE entity = 'complaint'") == [
        (None, "complainant", None)
    ]
    assert await world.rows("SELECT count(*) FROM outbox WHERE chat_id = ? OR person_id = ?", sari.id, sari_id) == [
        (0,)
    ]
    assert await world.rows("SELECT count(*) FROM conversations WHERE person_id = ?", sari_id) == [(0,)]
    [(raw_name,)] = await world.raw_rows("SELECT file_name FROM complaint_files")
    assert raw_name.startswith("enc1:")

    # Only Dewi is told; the IPWL, its PIC team, its group and the head hear nothing.
    note = world.last(dewi)
    assert f"Pengaduan baru {ticket}" in note.text and "Potongan atau pungutan" in note.text
    assert "Rp500.000" not in note.text  # the notification carries no description
    for user in (t.op, t.andi, t.budi, t.head):
        assert len(world.emu.chat_messages(user)) == seen_before[user], user
    assert len(world.emu.chat_messages(t.group)) == group_before
    assert not any(ticket in text for text in texts(world, t.group))

    # Dewi opens it: the description and the attachment; no sender to show (anonymous).
    await world.press(dewi, note, data_of(note, buttons.COMPLAINT_OPEN))
    card = world.last(dewi)
    assert "Rp500.000 kembali" in card.text and "Pengirim: anonim" in card.text and f"Usulan: {code}" in card.text
    assert not any(buttons.COMPLAINT_IDENTITY.parse(b.callback_data) for row in card.buttons for b in row)
    await world.press(dewi, card, data_of(card, buttons.COMPLAINT_FILES))
    assert world.last(dewi).photo is not None

    # She records an action (the complaint is answered), then the SP4N-LAPOR! reference.
    await world.press(dewi, card, data_of(card, buttons.COMPLAINT_ACTION, cid, "note"))
    card = (await world.say(dewi, "Menelepon ketua yayasan; kunjungan lapangan dijadwalkan 9 Desember."))[-1]
    assert "Menelepon ketua yayasan" in card.text and "Sedang ditangani" in card.text
    await world.press(dewi, card, data_of(card, buttons.COMPLAINT_ACTION, cid, "sp4n"))
    refused = (await world.say(dewi, "no ref!"))[-1]
    assert "LAPOR-2026-1234567" in refused.text  # what is expected
    card = (await world.say(dewi, "LAPOR-2026-7788990"))[-1]
    assert "SP4N-LAPOR!: LAPOR-2026-7788990" in card.text

    # Close: the outcome is read back first, then closed (a double tap closes once).
    await world.press(dewi, card, data_of(card, buttons.COMPLAINT_ACTION, cid, "close"))
    outcome = "Terbukti. Yayasan wajib mengembalikan Rp500.000 kepada klien; IPWL diberi teguran tertulis."
    preview = (await world.say(dewi, outcome))[-1]
    assert "Tutup pengaduan" in preview.text and outcome in preview.text and "anonim" in preview.text
    assert await world.rows("SELECT status FROM complaints") == [("in_progress",)]
    close = data_of(preview, buttons.COMPLAINT_CLOSE)
    await asyncio.gather(world.emu.press(dewi, preview, close), world.emu.press(dewi, preview, close))
    await world.drain()
    assert await world.rows("SELECT status, outcome FROM complaints") == [("closed", outcome)]
    assert await world.rows("SELECT count(*) FROM complaint_actions WHERE kind = 'close'") == [(1,)]
    assert await world.rows("SELECT action FROM audit_events WHERE entity = 'complaint' ORDER BY id") == [
        ("file_complaint",),
        ("complaint_note",),
        ("complaint_sp4n",),
        ("close_complaint",),
    ]

    # Sari checks with her ticket and secret and reads the outcome; without the secret (or with a
    # wrong one) the answer is the same as for an unknown ticket.
    answer = (await world.say(sari, f"/pengaduan {ticket}"))[-1]
    assert "Tidak ada pengaduan yang cocok" in answer.text
    answer = (await world.say(sari, f"/pengaduan {ticket} AAAAA-BBBBB"))[-1]
    assert "Tidak ada pengaduan yang cocok" in answer.text
    answer = (await world.say(sari, f"/pengaduan {ticket.lower()} {secret.lower()}"))[-1]
    assert "Status: Selesai" in answer.text and outcome in answer.text and "LAPOR-2026-7788990" in answer.text
    # Still nothing anywhere near the IPWL or its team.
    assert len(world.emu.chat_messages(t.group)) == group_before
    for user in (t.op, t.andi, t.budi, t.head):
        assert len(world.emu.chat_messages(user)) == seen_before[user], user


async def test_a_named_complaint_shows_its_sender_to_the_officer_only_audited_and_an_unanswered_one_goes_to_the_head(
    world: World,
) -> None:
    t = await team(world)
    dewi = world.emu.add_user("Dewi", last_name="Pengaduan")
    await world.enrol(dewi, Role.COMPLAINT_OFFICER)
    joko = world.emu.add_user("Joko", last_name="Pekerja")
    await world.say(joko, "/start")

    # In a group, the bot points to the private chat and takes nothing.
    said = (await world.say(t.andi, "/pengaduan", chat=t.group))[-1]
    assert "chat pribadi" in said.text

    intro = (await world.say(joko, "/pengaduan"))[-1]
    await world.press(joko, intro, data_of(intro, buttons.COMPLAINT_ANSWER, "conflict"))
    asked = world.last(joko)
    await world.press(joko, asked, data_of(asked, buttons.COMPLAINT_ANSWER, "named"))
    asked = world.last(joko)
    await world.press(joko, asked, data_of(asked, buttons.COMPLAINT_ANSWER, "skip"))
    # A file before the description: refused with the reason, nothing kept.
    await world.emu.send_photo(joko, content=jpeg(b"foto terlalu cepat"))
    await world.emu.settle()
    assert "Lampiran dikirim setelah uraian" in world.last(joko).text
    await world.say(
        joko, "Ketua yayasan juga pemilik toko yang memasok sembako untuk semua klien, dengan harga tinggi."
    )
    files = world.last(joko)
    await world.press(joko, files, data_of(files, buttons.COMPLAINT_ANSWER, "done"))
    summary = world.last(joko)
    assert "Pengirim: dengan nama Anda" in summary.text
    await world.press(joko, summary, data_of(summary, buttons.COMPLAINT_SEND))
    await world.drain()
    filed = next(m for m in world.emu.chat_messages(joko) if "Pengaduan Anda sudah terkirim" in m.text)
    ticket = filed.text.split("Nomor tiket: ")[1].split()[0]
    assert "Kode rahasia" not in filed.text
    [(cid, raw_identity)] = await world.raw_rows("SELECT id, complainant FROM complaints")
    assert raw_identity.startswith("enc1:") and "Joko" not in raw_identity
    # The named complainant checks with the ticket alone; someone else with the same ticket learns nothing.
    assert "Status: Diterima" in (await world.say(joko, f"/pengaduan {ticket}"))[-1].text
    assert "Tidak ada pengaduan yang cocok" in (await world.say(t.stranger, f"/pengaduan {ticket}"))[-1].text

    # Dewi shows the sender: the reading is audited with her name.
    note = world.last(dewi)
    await world.press(dewi, note, data_of(note, buttons.COMPLAINT_OPEN))
    card = world.last(dewi)
    await world.press(dewi, card, data_of(card, buttons.COMPLAINT_IDENTITY))
    shown = world.last(dewi)
    assert "Joko Pekerja" in shown.text and str(joko.id) in shown.text
    [(dewi_id,)] = await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", dewi.id)
    assert await world.rows(
        "SELECT actor_id FROM audit_events WHERE action = 'reveal_complainant' AND entity_id = ?", str(cid)
    ) == [(dewi_id,)]
    # Nobody else may: the operator's and the head's presses are refused.
    for user in (t.op, t.head):
        answer = await world.press(user, card, data_of(card, buttons.COMPLAINT_IDENTITY))
        assert answer is not None and "petugas pengaduan" in (answer.text or "")
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'reveal_complainant'") == [(1,)]

    # Nobody answers: the day before the deadline Dewi is reminded; once it passed, the head is told.
    [(due,)] = await world.rows("SELECT due_at FROM complaints")
    due_at = dt.datetime.fromisoformat(str(due).replace("Z", "+00:00")) if isinstance(due, str) else due
    head_before = len(world.emu.chat_messages(t.head))
    world.clock.set(due_at - dt.timedelta(hours=8))
    await world.services.complaints.deadlines()
    await world.drain()
    assert f"{ticket}" in world.last(dewi).text and "belum ditanggapi" in world.last(dewi).text
    world.clock.set(due_at + dt.timedelta(minutes=1))
    run = await world.services.complaints.deadlines()
    again = await world.services.complaints.deadlines()
    await world.drain()
    assert (run.escalated, again.escalated) == (1, 0)
    told = world.emu.chat_messages(t.head)[head_before:]
    assert len(told) == 1 and ticket in told[0].text and "Konflik kepentingan" in told[0].text
    assert "pemilik toko" not in told[0].text and "Joko" not in told[0].text  # no description, no identity

    # Dewi closes it: Joko is told the outcome in his chat.
    await world.press(dewi, card, data_of(card, buttons.COMPLAINT_ACTION, cid, "close"))
    preview = (await world.say(dewi, "Diteruskan ke Inspektorat; pemasok sembako diganti melalui pengadaan terbuka."))[
        -1
    ]
    assert "Pengadu akan menerima pesan ini" in preview.text
    await world.press(dewi, preview, data_of(preview, buttons.COMPLAINT_CLOSE))
    await world.drain()
    assert "Pengaduan Anda " + ticket + " sudah selesai" in world.last(joko).text
    assert "pengadaan terbuka" in world.last(joko).text


async def test_cancel_at_any_step_files_nothing_and_deletes_the_files(world: World) -> None:
    sari = world.emu.add_user("Sari", last_name="Ibu")
    await world.say(sari, "/start")
    intro = (await world.say(sari, "/pengaduan"))[-1]
    await world.press(sari, intro, data_of(intro, buttons.COMPLAINT_ANSWER, "harassment"))
    asked = world.last(sari)
    await world.press(sari, asked, data_of(asked, buttons.COMPLAINT_ANSWER, "anon"))
    asked = world.last(sari)
    await world.press(sari, asked, data_of(asked, buttons.COMPLAINT_ANSWER, "skip"))
    await world.say(sari, "Petugas yayasan berkata kasar dan mengancam anak saya bila melapor.")
    await world.emu.send_photo(sari, content=jpeg(b"tangkapan layar ancaman"))
    await world.emu.settle()
    got = world.last(sari)
    import pathlib

    files_dir = pathlib.Path(world.settings.storage.files_dir)
    assert any(p.is_file() for p in files_dir.rglob("*"))
    await world.press(sari, got, data_of(got, buttons.COMPLAINT_CANCEL))
    assert "Tidak ada pengaduan yang dikirim" in world.last(sari).text
    assert await world.rows("SELECT count(*) FROM complaints") == [(0,)]
    assert await world.rows("SELECT count(*) FROM conversations") == [(0,)]
    assert not any(p.is_file() for p in (files_dir / "complaints").rglob("*"))
    # /batal in the middle of a new form says the same.
    await world.say(sari, "/pengaduan")
    assert "Tidak ada pengaduan yang dikirim" in (await world.say(sari, "/batal"))[-1].text

    # The guide explains it to her, and /bantuan names the command, though she holds no role.
    assert "/pengaduan" in (await world.say(sari, "/bantuan"))[-1].text
    menu = (await world.say(sari, "/panduan"))[-1]
    await world.press(sari, menu, data(menu, "Pengaduan"))
    page = world.last(sari)
    assert "Menyampaikan pengaduan" in page.text and "tidak pernah IPWL yang diadukan" in page.text
    assert "(1/3)" in page.text  # then the officers' page, and the PIC teams' post-payment checks


async def test_an_unanswered_complaint_is_not_reminded_on_a_weekend_but_on_monday_morning(world: World) -> None:
    """Dewi is not messaged about a complaint on a Saturday; she is on Monday once work starts."""
    dewi = world.emu.add_user("Dewi", last_name="Pengaduan")
    await world.enrol(dewi, Role.COMPLAINT_OFFICER)
    joko = world.emu.add_user("Joko", last_name="Pekerja")
    await world.say(joko, "/start")
    ticket = await file_complaint(world, joko)
    zone = ZoneInfo(world.settings.locale.timezone)
    # Due on Monday 16.00: the reminder was due from Friday 08.00 (one working day before), but the
    # job did not catch it then; on Saturday, and on Monday before work starts, it must stay quiet.
    monday = dt.date(2026, 12, 7)
    due = dt.datetime.combine(monday, dt.time(16, 0), zone)
    async with world.storage.db.transaction() as conn:
        await conn.execute("UPDATE complaints SET due_at = ?", (to_db_time(due.astimezone(dt.UTC)),))
    before = len(world.emu.chat_messages(dewi))

    world.clock.set(dt.datetime.combine(monday - dt.timedelta(days=2), dt.time(10, 0), zone).astimezone(dt.UTC))
    saturday = await world.services.complaints.deadlines()
    world.clock.set(dt.datetime.combine(monday, dt.time(7, 30), zone).astimezone(dt.UTC))
    too_early = await world.services.complaints.deadlines()
    await world.drain()
    assert (saturday.reminded, too_early.reminded) == (0, 0)
    assert not [m for m in world.emu.chat_messages(dewi)[before:] if ticket in m.text]
    assert await world.rows("SELECT reminded_at FROM complaints") == [(None,)]

    world.clock.set(dt.datetime.combine(monday, dt.time(8, 5), zone).astimezone(dt.UTC))
    assert (await world.services.complaints.deadlines()).reminded == 1
    await world.drain()
    assert any(ticket in m.text and "belum ditanggapi" in m.text for m in world.emu.chat_messages(dewi)[before:])

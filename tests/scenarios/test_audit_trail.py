"""The audit trail as an inspector reads it (issues 11.8, 18.8, 18.9): ``/audit`` in the reader's
language, every state change of the proposal and of its clients (transfers, their failure and
retry, an erasure), to the second, the time zone said once; and the small things around it.

Personas: Rina, an admin who reads Indonesian; Andi, a PIC of TIM1; Budi, a PIC of TIM2.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl

from bot.domain.models import Role
from storage.db import to_db_time
from tests.report_seed import build_seed
from tests.scenarios.admin_cast import tap
from tests.scenarios.audit_cast import CODE, ERASED, START, _export, _seed, _sheet
from tests.scenarios.conftest import World


async def test_the_history_reads_in_indonesian_with_transfers_retries_and_an_erasure(world: World) -> None:
    rina = world.emu.add_user("Rina", last_name="Admin", language_code="id")
    await world.enrol(rina, Role.ADMIN)
    _, erased_nik = await _seed(world)

    history = (await world.say(rina, f"/audit {CODE}"))[-1]
    text = history.text
    assert "Halaman 1 dari 2" in text
    await tap(world, rina, history, "›")  # the later events, on the same message
    later = next(m for m in world.emu.chat_messages(rina) if m.message_id == history.message_id).text
    assert later != text
    text = text + "\n" + later
    assert "Waktu dalam WIB (Asia/Jakarta)" in text and text.count("WIB") == 2  # the zone, said once a page
    assert "2 Nov 2026 09.00.07" in text  # to the second
    for words in (
        "mengirim proposal",
        "memverifikasi proposal",
        "memvalidasi proposal",
        "mencatat pembayaran",
        "membuka rincian proposal",
        "klien 2: mencatat transfer gagal",
        "klien 2: mengisi rekening bank klien",
        "klien 2: mencatat transfer terkirim",
        "Rp750.000",
        "“Rekening tidak aktif”",
        "mencoba: mengambil proposal untuk diperiksa — ditolak: bukan IPWL atau timnya",
        "(anggota tim PIC)",
    ):
        assert words in text, words
    for code in ("view_detail", "record_orders", "claim: out_of_scope", "(pic)", "denied", "failed", "sent"):
        assert code not in text, code
    assert "Menunggu transfer → Transfer gagal" in text and "Transfer gagal → Transfer terkirim" in text

    # An erasure appears in the proposal's history, after the client is gone from it.
    request = (await world.say(rina, f"/datapribadi {erased_nik}"))[-1]
    await tap(world, rina, request, "Anonim")
    await tap(world, rina, world.last(rina), "Ya")
    erased = (await world.say(rina, f"/audit {ERASED}"))[-1]
    assert "menganonimkan data pribadi klien" in erased.text, erased.text
    assert erased_nik not in erased.text
    assert await world.rows("SELECT entity, reason FROM audit_events WHERE action = 'anonymize_personal_data'") == [
        ("client", ERASED)
    ]


async def test_audit_without_a_code_or_with_an_unknown_one_says_what_to_write(world: World) -> None:
    rina = world.emu.add_user("Rina", last_name="Admin", language_code="id")
    await world.enrol(rina, Role.ADMIN)
    andi = world.emu.add_user("Andi", language_code="id")
    await world.enrol(andi, Role.PIC, team="TIM1")
    budi = world.emu.add_user("Budi", language_code="id")
    await world.enrol(budi, Role.PIC, team="TIM2")
    await _seed(world)

    bare = (await world.say(rina, "/audit"))[-1].text
    assert bare.startswith("⚠️") and "/audit USL-2026-0001" in bare and "kode -" not in bare
    unknown = (await world.say(rina, "/audit USL-2026-0099"))[-1].text
    assert "USL-2026-0099" in unknown and "Anda tidak memiliki proposal" not in unknown
    assert "Tidak ada proposal berkode USL-2026-0099" in unknown
    # Another team's proposal gets the very answer a code that does not exist gets.
    other = (await world.say(budi, f"/audit {CODE}"))[-1].text
    assert other == unknown.replace("USL-2026-0099", CODE)
    assert CODE in (await world.say(andi, f"/audit {CODE}"))[-1].text.split("\n")[0]
    # Nothing was changed by reading.
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'denied' AND entity_id = ?", CODE) == [
        (1,)
    ]


async def test_exports_an_inspector_can_read(world: World) -> None:
    """Issue 18.8: Indonesian labels for statuses, banks, actions; the zone stated; LPJ per receipt
    and per client against the RAB; the full payment list carries the account holder."""
    rina = world.emu.add_user("Rina", last_name="Admin", language_code="id")
    await world.enrol(rina, Role.ADMIN)
    seeded = build_seed()
    client_id, _ = await _seed(world, seeded)
    stamp = to_db_time(START)
    async with world.storage.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO bank_accounts (client_id, bank_code, account_number, holder_name, status,"
            " updated_at) VALUES (?, 'bri', '123456789012345', 'Siti Rahayu', 'verified', ?)",
            (client_id, stamp),
        )
        lpj_id, proposal_id = (
            await conn.execute_fetchall("SELECT l.id, l.proposal_id FROM lpj l ORDER BY l.id LIMIT 1")
        )[0]
        uploader = (await conn.execute_fetchall("SELECT id FROM people ORDER BY id LIMIT 1"))[0][0]
        attachment_id = await conn.fetchval(
            "INSERT INTO attachments (proposal_id, purpose, telegram_file_id, file_name, size, sha256, uploaded_by,"
            " created_at) VALUES (?, 'lpj', 'f1', 'kuitansi-sembako.pdf', 2048, 'x', ?, ?) RETURNING id",
            (proposal_id, uploader, stamp),
        )
        await conn.execute(
            "INSERT INTO lpj_evidence (lpj_id, attachment_id, kind, amount, stamped, created_at)"
            " VALUES (?, ?, 'receipt', 6500000, TRUE, ?)",
            (lpj_id, attachment_id, stamp),
        )

    audit = _sheet((await _export(world, rina, "Log audit")).file_bytes())
    assert audit[0][0] == "Waktu (WIB)" and "Tindakan" in audit[0], audit[0]
    words = {str(v) for row in audit[1:] for v in row if v is not None}
    assert {"mengirim proposal", "mencatat transfer gagal", "anggota tim PIC", "Proposal", "Klien"} <= words
    assert not {"submit", "transfer", "pic", "proposal", "denied"} & words
    assert any(isinstance(row[0], dt.datetime) for row in audit[1:])

    proposals = _sheet((await _export(world, rina, "Proposal")).file_bytes())
    header = proposals[0]
    status = header.index("Status")
    assert {"Dibuat (WIB)", "Status sejak (WIB)"} <= set(header)
    assert {row[status] for row in proposals[1:]} >= {"Sudah dibayar", "Selesai", "Draf"}

    payments = await _export(world, rina, "Pembayaran", full=True)
    rows = _sheet(payments.file_bytes())
    header = rows[0]
    mine = next(r for r in rows[1:] if r[header.index("Nama pemilik rekening")] == "Siti Rahayu")
    assert "BRI" in mine and "123456789012345" in mine and "Transfer terkirim" in mine
    assert "WIB" in payments.caption
    assert (await world.rows("SELECT reason FROM audit_events WHERE action = 'export' AND entity_id = 'payments'"))[0][
        0
    ].endswith("unmasked")

    lpj = (await _export(world, rina, "LPJ")).file_bytes()
    assert openpyxl.load_workbook(io.BytesIO(lpj)).sheetnames == ["LPJ", "Kuitansi", "Realisasi per klien"]
    receipts = _sheet(lpj, 1)
    assert receipts[0][2:6] == ["No. kuitansi", "Berkas", "Jumlah (Rp)", "Meterai"], receipts[0]
    assert receipts[1][3:6] == ["kuitansi-sembako.pdf", 6_500_000, "Ya"]
    realization = _sheet(lpj, 2)
    assert realization[0][3:] == ["RAB (Rp)", "Realisasi (Rp)", "RAB − realisasi (Rp)"]
    with_lpj = [p for p in seeded if p.lpj_late is not None]
    assert len(realization) - 1 == sum(len(p.clients) for p in with_lpj)
    first = next(p for p in with_lpj)
    row = next(r for r in realization[1:] if r[0] == first.code and r[2] == 1)
    assert row[3:] == [
        first.clients[0].budget,
        sum(first.clients[0].realized or []),
        first.clients[0].budget - sum(first.clients[0].realized or []),
    ]


async def test_recorded_reasons_read_as_indonesian_in_the_history_and_the_audit_export(world: World) -> None:
    """Issue 11.8/18.8: the reasons services record (counts, invitations, an LPJ due date, an amount,
    a version) read as plain Indonesian in ``/audit`` and in the audit export's "Alasan" column; a
    command-line action names the command line as its actor; revoking all access says what it took.
    A person's own words (a return reason) stay quoted; a reason of no known shape is shown as it is."""
    rina = world.emu.add_user("Rina", last_name="Admin", language_code="id")
    await world.enrol(rina, Role.ADMIN)
    andi = world.emu.add_user("Andi", language_code="id")
    await world.enrol(andi, Role.PIC, team="TIM1")
    client_id, _ = await _seed(world)
    later = START + dt.timedelta(days=5)
    async with world.storage.db.transaction() as conn:
        for i, (actor, role, entity, entity_id, action, reason) in enumerate(
            (
                (777, "operator", "proposal", CODE, "bulk_clients", "2 clients, 1 updated"),
                (777, "operator", "proposal", CODE, "resubmit", "v1"),
                (777, "finance", "proposal", CODE, "record_payment", "LPJ due 2027-01-01"),
                (777, "pic", "proposal", CODE, "return", "Foto KTP buram"),
                (777, "pic", "proposal", CODE, "view_detail", "something new"),
                (None, "cli", "ipwl", "*", "import_ipwl", "4 rows"),
                (777, "operator", "person", "5", "redeem_invite", "invite 12"),
                (777, "admin", "export", "audit", "export", "2026-01-01..2026-12-02 2 rows unmasked"),
                (777, "finance", "client", "1", "transfer", f"{CODE} 2700000"),
                (None, "cli", "client", str(client_id), "anonymize_personal_data", f"{CODE} (ledger, after restore)"),
                (777, "pic", "proposal", CODE, "return", "Halaman 2"),  # a person's words, though it looks like data
            )
        ):
            await conn.execute(
                "INSERT INTO audit_events (at, actor_id, actor_role, entity, entity_id, action, from_status,"
                " to_status, reason) VALUES (?, (SELECT id FROM people WHERE telegram_user_id = ?), ?, ?, ?, ?,"
                " NULL, NULL, ?)",
                (to_db_time(later + dt.timedelta(minutes=i)), actor, role, entity, entity_id, action, reason),
            )
    admin = await world.services.onboarding.identify(rina.id, rina.full_name, private_chat=True, language="id")
    andi_id = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", andi.id))[0][0]
    await world.services.access.revoke_person(admin, andi_id)

    history = (await world.say(rina, f"/audit {CODE}"))[-1]
    await tap(world, rina, history, "›")
    text = next(m for m in world.emu.chat_messages(rina) if m.message_id == history.message_id).text
    for words in (
        "2 klien, 1 diperbarui",
        "versi 1",
        "LPJ jatuh tempo 1 Januari 2027",
        "“Foto KTP buram”",
        "something new",
        "“Halaman 2”",
        "baris perintah (CLI): klien 2: menganonimkan data pribadi klien\n"
        f"   {CODE} (dari catatan penghapusan, setelah pemulihan)",
    ):
        assert words in text, (words, text)
    for raw in ("clients", "“v1”", "LPJ due", "2027-01-01", "“2 klien", "“versi", "“something new”"):
        assert raw not in text, (raw, text)

    audit = _sheet((await _export(world, rina, "Log audit")).file_bytes())
    header = audit[0]
    who, reason, before = header.index("Pelaku"), header.index("Alasan"), header.index("Dari")
    reasons = [row[reason] for row in audit[1:]]
    for words in (
        "4 baris",
        "undangan no. 12",
        "LPJ jatuh tempo 1 Januari 2027",
        f"{CODE} · Rp2.700.000",
        "1 Januari 2026 – 2 Desember 2026, 2 baris, tidak disamarkan",
        "2 klien, 1 diperbarui",
        "versi 1",
    ):
        assert words in reasons, (words, reasons)
    for raw in ("4 rows", "invite 12", "v1", f"{CODE} 2700000"):
        assert raw not in reasons, raw
    cli = next(row for row in audit[1:] if row[header.index("Tindakan")] == "mengimpor IPWL dari berkas")
    assert cli[who] == "baris perintah (CLI)"
    revoked = next(row for row in audit[1:] if row[header.index("Tindakan")] == "mencabut seluruh akses")
    assert revoked[before] == "anggota tim PIC" and revoked[reason] == "semua peran dan setiap undangan berikutnya"
    assert await world.rows("SELECT from_status FROM audit_events WHERE action = 'revoke_access'") == [("pic",)]


async def test_the_personal_data_file_reads_in_indonesian_words_not_codes_or_json(world: World) -> None:
    """Issue 18.8: the /datapribadi file is handed to the person it is about: a transfer's status reads
    as the words used everywhere else, a submitted version as "label: value" lines with Rupiah, never
    the stored JSON; days are real dates."""
    rina = world.emu.add_user("Rina", last_name="Admin", language_code="id")
    await world.enrol(rina, Role.ADMIN)
    await _seed(world)
    nik = "3201014508900005"  # client 2 of CODE: her transfer was sent
    version = {
        "nik": nik,
        "full_name": "Sari Wulandari",
        "sex": "P",
        "birth_date": "1990-08-05",
        "province_code": "32",
        "regency": "Kab. Bogor",
        "address": "Jl. Melati 3",
        "phone": None,
        "approach": "keluarga",
        "components": ["1", "3"],
        "assessment": "Butuh dukungan keluarga",
        "intervention_plan": "Konseling",
        "budget": [["1", "Sembako", 3, 250_000]],
    }
    async with world.storage.db.transaction() as conn:
        proposal_id = (await conn.execute_fetchall("SELECT id FROM proposals WHERE code = ?", (CODE,)))[0][0]
        await conn.execute(
            "INSERT INTO proposal_versions VALUES (?, 1, ?, 1, ?)",
            (proposal_id, json.dumps({"clients": [version]}), to_db_time(START)),
        )
        await conn.execute("UPDATE transfers SET transfer_on = '2026-11-06' WHERE amount = 750000")

    request = (await world.say(rina, f"/datapribadi {nik}"))[-1]
    await tap(world, rina, request, "Ekspor semua")
    await world.emu.wait_for(lambda: world.last(rina).document is not None, timeout=15)
    book = openpyxl.load_workbook(io.BytesIO(world.last(rina).file_bytes()))
    transfers = [[c.value for c in row] for row in book["Transfer"].iter_rows()]
    status = transfers[0].index("Status")
    assert transfers[1][status] == "Transfer terkirim", transfers
    # A workbook's dates have no zone: the export writes them in the reader's, as openpyxl reads them back.
    assert transfers[1][transfers[0].index("Tanggal transfer")] == dt.datetime(2026, 11, 6)  # noqa: DTZ001
    versions = [[c.value for c in row] for row in book["Versi proposal"].iter_rows()]
    content = versions[1][versions[0].index("Isi")]
    for line in (
        "Nama lengkap: Sari Wulandari",
        "Tanggal lahir: 5 Agustus 1990",
        "Provinsi: Jawa Barat",
        "Komponen: 1, 3",
        "RAB: komponen 1, Sembako: 3 × Rp250.000 = Rp750.000",
    ):
        assert line in content.split("\n"), (line, content)
    assert "{" not in content and "full_name" not in content and "nik" not in content


async def test_exports_write_days_as_dates_and_name_the_province_column_for_what_it_holds(world: World) -> None:
    rina = world.emu.add_user("Rina", last_name="Admin", language_code="id")
    await world.enrol(rina, Role.ADMIN)
    await _seed(world, build_seed())
    async with world.storage.db.transaction() as conn:  # CODE was decreed on 3 Nov; its LPJ is due 1 Jan 2027
        decree_id = await conn.fetchval(
            "INSERT INTO decrees (number, issued_on, issued_by, created_at) VALUES"
            " ('SK-1/2026', '2026-11-03', 1, ?) RETURNING id",
            (to_db_time(START),),
        )
        await conn.execute(
            "UPDATE proposals SET decree_id = ?, lpj_due_on = '2027-01-01' WHERE code = ?", (decree_id, CODE)
        )
        await conn.execute("UPDATE clients SET province_code = '32'")
    proposals = _sheet((await _export(world, rina, "Proposal")).file_bytes())
    header = proposals[0]
    sk, due = header.index("Tanggal SK"), header.index("Jatuh tempo LPJ")
    mine = next(row for row in proposals[1:] if row[0] == CODE)
    assert (mine[sk], mine[due]) == (dt.datetime(2026, 11, 3), dt.datetime(2027, 1, 1))  # noqa: DTZ001 – cells
    assert not [row for row in proposals[1:] if isinstance(row[sk], str) or isinstance(row[due], str)]
    clients = _sheet((await _export(world, rina, "Klien", full=False)).file_bytes())
    assert "Kode provinsi" not in clients[0] and "Provinsi" in clients[0]
    assert "Jawa Barat" in {row[clients[0].index("Provinsi")] for row in clients[1:]}

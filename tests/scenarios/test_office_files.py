"""Siti works as Indonesian offices do: a CSV from Excel on Windows, then the client list of her draft
downloaded, budget lines added and sent back (issue 12.6)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.files.client_sheet import EXAMPLE_NIK
from handlers import buttons
from tests.client_sheets import INDONESIAN_EXCEL_CSV
from tests.scenarios.intake_cast import XLSX, budget_of, open_draft
from tests.security.matrix import plant_button

DEWI, RENE = "3201015702950003", "3201011203850002"
NEW_CLIENT = [
    "Siti Aminah",
    "3201014508900004",
    "P",
    "05-08-1990",
    "32",
    "Kabupaten Bogor",
    "Jl. Kenanga 9, Desa Sukamaju",
    None,
    "keluarga",
    "1",
    "Pengguna ganja 1 tahun.",
    "Konseling 4 sesi",
]


async def test_a_windows_excel_csv_is_read_and_the_draft_list_round_trips_to_update_clients(world) -> None:
    op = await open_draft(world)
    # Excel on an Indonesian Windows: Windows-1252, semicolons; Telegram Desktop there calls it an Excel file.
    await world.emu.send_document(
        op.user,
        file_name="daftar klien.csv",
        content=INDONESIAN_EXCEL_CSV.encode("cp1252"),
        mime_type="application/vnd.ms-excel",
    )
    await world.emu.settle()
    texts = [m.text for m in world.emu.chat_messages(op.user)[-2:]]
    assert any("2 klien ditambahkan" in text for text in texts), texts
    assert await world.rows("SELECT full_name, address FROM clients ORDER BY position") == [
        ("Dewi Anggraeni", "Gg. Mawar – RT 02/05, Desa Cibinong"),
        ("René Sitompul", "Jl. Raya Cibinong No. 7"),
    ]

    # "📥 Daftar klien (XLSX)" on the summary: her two clients and their lines, not the blank template.
    review = world.last(op.user)
    sent = await op.tap(buttons.DRAFT_TEMPLATE.data(), review)
    assert sent.document is not None and sent.document["file_name"].startswith("klien-")
    assert "2" in (sent.caption or "") and "perbarui" in (sent.caption or "").lower()
    book = load_workbook(io.BytesIO(world.emu.state.files.get(sent.document["file_id"]).content))
    clients, budget = book.worksheets[0], book.worksheets[1]
    assert [(r[0], r[1]) for r in clients.iter_rows(min_row=2, values_only=True) if r[0]] == [
        ("Dewi Anggraeni", DEWI),
        ("René Sitompul", RENE),
    ]
    assert EXAMPLE_NIK not in [r[0] for r in budget.iter_rows(min_row=2, values_only=True)]

    # She adds a second line for Dewi and a new client, and sends the list back.
    budget.append([DEWI, 3, "Transport pertemuan keluarga", 2, 100_000])
    clients.append(NEW_CLIENT)
    out = io.BytesIO()
    book.save(out)
    await world.emu.send_document(op.user, file_name=sent.document["file_name"], content=out.getvalue(), mime_type=XLSX)
    await world.emu.settle()
    offer = world.last(op.user)
    assert "2 klien" in offer.text and "sudah ada" in offer.text and "1 klien" in offer.text, offer.text
    assert any("Perbarui" in b.text for row in offer.buttons for b in row)
    assert await world.rows("SELECT count(*) FROM clients") == [(2,)]  # nothing changes before the tap
    assert await budget_of(world, DEWI) == [("1", "Paket sembako", 3, 250_000)]

    await op.tap(buttons.DRAFT_UPDATE_LISTED.data(), offer)
    texts = [m.text for m in world.emu.chat_messages(op.user)[-2:]]
    assert any("2 klien diperbarui dan 1 ditambahkan" in text for text in texts), texts
    assert await world.rows("SELECT full_name FROM clients ORDER BY position") == [
        ("Dewi Anggraeni",),
        ("René Sitompul",),
        ("Siti Aminah",),
    ]
    assert await budget_of(world, DEWI) == [
        ("1", "Paket sembako", 3, 250_000),
        ("3", "Transport pertemuan keluarga", 2, 100_000),
    ]
    assert await budget_of(world, RENE) == [("4", "Konseling individu", 8, 150_000)]  # as in the file: unchanged
    assert await world.rows("SELECT reason FROM audit_events WHERE action = 'bulk_clients' ORDER BY id") == [
        ("2 clients",),
        ("1 clients, 2 updated",),
    ]

    # The offer, pressed again from an old copy, changes nothing and says why.
    before = await world.rows("SELECT count(*) FROM budget_lines")
    again = plant_button(world, op.user.id, buttons.DRAFT_UPDATE_LISTED.data())
    answer = await world.press(op.user, again, buttons.DRAFT_UPDATE_LISTED.data())
    assert "tidak lagi menunggu" in (answer.text or ""), answer
    assert await world.rows("SELECT count(*) FROM budget_lines") == before
    assert world.deps.errors == []

"""An operator fills the XLSX template with 60 clients and uploads it into her draft."""

from __future__ import annotations

from handlers import buttons
from tests.client_sheets import budget_values, client_values, workbook_bytes
from tests.scenarios.intake_cast import XLSX, open_draft


async def test_sixty_clients_arrive_in_one_upload(world) -> None:
    op = await open_draft(world)
    template = await op.type("/templat")
    assert template.document is not None and template.document["file_name"].endswith(".xlsx")

    data = workbook_bytes(
        [client_values(i) for i in range(60)],
        [line for i in range(60) for line in budget_values(i)],
        keep_example=False,
    )
    await world.emu.send_document(op.user, file_name="klien-desember.xlsx", content=data, mime_type=XLSX)
    await world.emu.settle(quiet=0.3)

    texts = [m.text for m in world.emu.chat_messages(op.user)[-2:]]
    assert any("60" in text for text in texts), texts
    assert await world.rows("SELECT count(*) FROM clients") == [(60,)]
    assert await world.rows("SELECT count(*) FROM budget_lines") == [(120,)]
    review = world.last(op.user)
    assert any(b.callback_data and buttons.DRAFT_PAGE.parse(b.callback_data) for row in review.buttons for b in row)


async def test_a_file_with_errors_is_rejected_row_by_row_and_nothing_is_added(world) -> None:
    op = await open_draft(world)
    rows = [client_values(i) for i in range(5)]
    rows[2][1] = "32010145089000"  # row 4 in the sheet: a NIK of 14 digits
    rows[4][3] = "31-02-1990"  # row 6: no such date
    data = workbook_bytes(rows, keep_example=False)
    await world.emu.send_document(op.user, file_name="klien.xlsx", content=data, mime_type=XLSX)
    await world.emu.settle(quiet=0.3)
    answer = world.last(op.user).text
    assert "NIK" in answer and "4" in answer and "6" in answer
    assert await world.rows("SELECT count(*) FROM clients") == [(0,)]


async def test_a_broken_spreadsheet_gets_a_clear_message(world) -> None:
    op = await open_draft(world)
    await world.emu.send_document(op.user, file_name="klien.xlsx", content=b"PK\x03\x04 not really", mime_type=XLSX)
    await world.emu.settle(quiet=0.3)
    assert ".xlsx" in world.last(op.user).text  # says the file could not be opened and what to send
    assert await world.rows("SELECT count(*) FROM clients") == [(0,)]


async def test_a_doubtful_row_is_named_by_its_row_and_client(world) -> None:
    """A newcomer's run: three clients in the sheet, one whose sex contradicts her NIK — the warning
    said "the NIK is a woman's" without saying whose. Now the operator's private chat names the row
    and the client; the rows are still taken as typed."""
    op = await open_draft(world)
    rows = [client_values(i) for i in range(3)]
    rows[1][2] = "L"  # row 3 in the sheet: Siti B, whose NIK is a woman's, typed as male
    data = workbook_bytes(rows, keep_example=False)
    await world.emu.send_document(op.user, file_name="klien.xlsx", content=data, mime_type=XLSX)
    await world.emu.settle(quiet=0.3)
    texts = "\n".join(m.text or "" for m in world.emu.chat_messages(op.user)[-2:])
    warning = next(line for line in texts.splitlines() if "perempuan" in line)
    assert warning.startswith("⚠️ Baris 3 (klien 2, Siti B):"), warning  # the row, and the number the summary uses
    assert "Budi A" not in warning and "Budi C" not in warning
    assert await world.rows("SELECT count(*) FROM clients") == [(3,)]
    assert await world.rows("SELECT full_name, sex FROM clients ORDER BY position") == [
        ("Budi A", "L"),
        ("Siti B", "L"),
        ("Budi C", "L"),
    ]

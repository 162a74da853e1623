"""Oversize and malformed files sent to the bot: a clear answer, nothing stored, nothing changed.

Client lists (XLSX/CSV) that are garbage, truncated, a zip bomb (honest or with forged sizes), too
many rows, invalid UTF-8 with NUL bytes; attachments that are too big or of a refused type; the
admin's IPWL CSV. (The accounts, transfers and LPJ workbooks are fuzzed in tests/fuzz.)
"""

from __future__ import annotations

from bot.domain.models import Role
from handlers import buttons
from tests.scenarios.intake_cast import open_draft
from tests.security.hostile_files import many_rows, truncated_template, zip_bomb
from tests.security.matrix import changes, fingerprint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


BAD_LISTS = [
    ("klien.xlsx", XLSX, b"\x00garbage" * 500),
    ("klien.xlsx", XLSX, b"PK\x03\x04" + b"\xff" * 2000),
    ("klien.xlsx", XLSX, truncated_template()),
    ("klien.xlsx", XLSX, zip_bomb(160 * 1024 * 1024 // 50, forge=True)),
    ("klien.csv", "text/csv", b"Nama lengkap,NIK\n\xff\xfe\x00\x00Siti\x00,3201\x00\n"),
    ("klien.csv", "text/csv", b""),
    ("klien.csv", "text/csv", many_rows(501)),
]


async def test_malformed_and_oversize_files_are_refused_clearly_and_change_nothing(world) -> None:
    siti = (await open_draft(world, "en")).user
    before = await fingerprint(world)
    for name, mime, content in BAD_LISTS:
        await world.emu.send_document(siti, file_name=name, content=content, mime_type=mime)
        await world.emu.settle()
        answer = world.last(siti).text
        assert answer.startswith(("⚠️", "Nothing was imported")), (name, len(content), answer)
        assert len(answer) <= 4096 and "Traceback" not in answer
    # Attachments: too big to download, a type that is not kept, a photo declared at 30 MB.
    await world.emu.send_document(
        siti, file_name="scan.pdf", content=b"%PDF-1.4", mime_type="application/pdf", declared_size=25 * 1024 * 1024
    )
    await world.emu.settle()
    assert "20 MB" in world.last(siti).text
    await world.emu.send_document(
        siti, file_name="run.exe", content=b"MZ\x90\x00", mime_type="application/x-msdownload"
    )
    await world.emu.settle()
    assert world.last(siti).text.startswith("⚠️")
    await world.emu.send_photo(siti, content=b"\xff\xd8\xff" + b"0" * 64, declared_size=30 * 1024 * 1024)
    await world.emu.settle()
    assert world.last(siti).text.startswith("⚠️")
    assert changes(before, await fingerprint(world)) == {}
    files = world.settings.storage.files_dir
    assert not files.exists() or not any(p.is_file() for p in files.rglob("*"))


async def test_a_bomb_with_honest_sizes_is_refused_before_it_is_inflated(world) -> None:
    siti = (await open_draft(world, "en")).user
    bomb = zip_bomb(160 * 1024 * 1024, forge=False)  # 160 MB inflated, a few hundred KB on the wire
    assert len(bomb) < 2 * 1024 * 1024
    await world.emu.send_document(siti, file_name="klien.xlsx", content=bomb, mime_type=XLSX)
    await world.emu.settle(timeout=20)
    assert "too large" in world.last(siti).text
    assert await world.rows("SELECT count(*) FROM clients") == [(0,)]


async def test_the_admins_ipwl_csv_refuses_garbage(world) -> None:
    rina = await world.speaks(world.emu.add_user("Rina", language_code="en"), "en")
    await world.enrol(rina, Role.ADMIN)
    before = await fingerprint(world)
    ipwl = (await world.say(rina, "/ipwl"))[-1]
    add = next(b.callback_data for row in ipwl.buttons for b in row if b.callback_data == buttons.IPWL_ADD.data())
    await world.press(rina, ipwl, add)
    for content in (b"\xff\xfe\x00garbage", b"code,name\n" + b"A" * 5000 + b"\n", b""):
        await world.emu.send_document(rina, file_name="ipwl.csv", content=content, mime_type="text/csv")
        await world.emu.settle()
        assert world.last(rina).text.startswith(("⚠️", "Nothing was imported")), world.last(rina).text
    after = await fingerprint(world)
    assert set(changes(before, after)) <= {"conversations"}  # only the admin's "adding an IPWL" step
    assert await world.rows("SELECT count(*) FROM ipwl") == [(4,)]

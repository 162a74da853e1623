"""Rina (admin) exports spreadsheets, answers a client's personal-data request, reads a proposal's
history and makes a backup — all from her private chat, without the bot stalling for others."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from bot.config import Settings
from bot.domain.models import Role
from storage.backup import verify_archive
from tests.report_seed import build_seed, seed_program
from tests.scenarios.admin_cast import admin, asked, own_and_shared_files, tap
from tests.scenarios.conftest import World
from tests.scenarios.report_files import sheet_rows


@pytest.fixture
def scenario_settings(scenario_settings: Settings, tmp_path: Path) -> Settings:
    return scenario_settings.model_copy(
        update={
            "admin": scenario_settings.admin.model_copy(
                update={"backups_dir": tmp_path / "backups", "backup_send_in_chat": True}
            )
        }
    )


@pytest.fixture
async def seeded(world: World):
    proposals = build_seed()
    await seed_program(world.storage, proposals)
    return proposals


async def test_exports_by_kind_and_range_masked_unless_asked(world: World, seeded) -> None:
    rina = await admin(world)
    menu = (await world.say(rina, "/ekspor"))[-1]
    await tap(world, rina, menu, "Proposals")
    await tap(world, rina, world.last(rina), "This month")
    await world.emu.wait_for(lambda: world.last(rina).document is not None, timeout=15)
    proposals = world.last(rina)
    assert proposals.document["file_name"] == "proposals-20261101-20261128.xlsx"
    assert len(sheet_rows(proposals.file_bytes())) == len(seeded)  # all were created on 28 November

    # Clients, masked, for dates typed by hand.
    menu = (await world.say(rina, "/ekspor"))[-1]
    await tap(world, rina, menu, "Clients")
    await tap(world, rina, world.last(rina), "Masked")
    await tap(world, rina, world.last(rina), "Other dates")
    clients = (await asked(world, rina, "01-11-2026 30-11-2026", 1))[-1]
    assert clients.document is not None, clients.text
    rows = sheet_rows(clients.file_bytes())
    assert len(rows) == sum(len(p.clients) for p in seeded)
    # No direct identifier: neither the column nor any name or NIK anywhere in the file.
    assert set(rows[0]) == {
        "Proposal",
        "IPWL code",
        "Status",
        "Client code",
        "Initials",
        "Sex",
        "Birth year",
        "Province",
        "Regency/city",
        "Approach",
        "Components",
        "Budget (Rp)",
        "Anonymized (WIB)",
    }
    cells = " ".join(str(v) for r in rows for v in r.values())
    held = await world.rows("SELECT full_name, nik, phone, address FROM clients")
    assert not [value for client in held for value in client if value in cells]
    assert {"Client code": f"{seeded[0].code}/1", "Initials": "K."}.items() <= rows[0].items()  # "Klien 0002"
    assert "Masked" in clients.caption

    # In full: recorded as such.
    menu = (await world.say(rina, "/ekspor"))[-1]
    await tap(world, rina, menu, "Clients")
    await tap(world, rina, world.last(rina), "Full")
    await tap(world, rina, world.last(rina), "This year")
    await world.emu.wait_for(lambda: "Full personal data" in (world.last(rina).caption or ""), timeout=15)
    full = sheet_rows(world.last(rina).file_bytes())
    assert {r["NIK"] for r in full} == {c.nik for p in seeded for c in p.clients}
    assert [
        r[0].split()[-1]
        for r in await world.rows("SELECT reason FROM audit_events WHERE action = 'export' ORDER BY id")
    ] == ["rows", "rows", "unmasked"]


async def test_a_personal_data_request_export_then_erasure_where_allowed(world: World, seeded) -> None:
    rina = await admin(world)
    withdrawn = next(p for p in seeded if p.status == "withdrawn")
    nik = withdrawn.clients[0].nik
    request = (await world.say(rina, f"/datapribadi {nik}"))[-1]
    assert withdrawn.code in request.text and nik not in request.text  # the NIK is masked even here
    await tap(world, rina, request, "Export everything")
    await world.emu.wait_for(lambda: world.last(rina).document is not None, timeout=15)
    book = openpyxl.load_workbook(io.BytesIO(world.last(rina).file_bytes()))
    # Readable by the person it is about (issue 18.8): headings in words, and complete.
    assert {"Read me", "Client data", "Budget (RAB)", "Bank account", "Transfers", "Files", "SK", "Audit trail"} <= set(
        book.sheetnames
    )
    assert nik in [cell.value for cell in book["Client data"][2]]
    assert {"Full name", "NIK", "Address"} <= {cell.value for cell in book["Client data"][1]}
    trail = [[cell.value for cell in row] for row in book["Audit trail"].iter_rows(min_row=1)]
    assert trail[0][:4] == ["Time (WIB)", "Role", "Entity", "Action"]
    assert any("withdrew the proposal" in row for row in trail), trail

    # Her passbook photo is on disk; so is a letter she shares (same file) with another client.
    own, shared = await own_and_shared_files(world, withdrawn, rina)

    await tap(world, rina, request, "Anonymize")
    await tap(world, rina, world.last(rina), "Yes, erase")
    assert "anonymized" in world.last(rina).text
    assert not own.exists() and shared.exists()  # her file is gone; the one still in use stays
    assert await world.rows("SELECT count(*) FROM clients WHERE nik = ?", nik) == [(0,)]
    assert await world.rows("SELECT action FROM audit_events WHERE entity = 'client' ORDER BY id") == [
        ("export_personal_data",),
        ("anonymize_personal_data",),
    ]

    # A client of a paid proposal: the reason it must be kept is said, nothing is offered.
    paid = next(p for p in seeded if p.status == "paid")
    kept = (await world.say(rina, f"/datapribadi {paid.clients[0].nik}"))[-1]
    assert "in progress" in kept.text and not any("Anonymize" in b for b in kept.button_texts)
    bad = (await world.say(rina, "/datapribadi 12345"))[-1]
    assert bad.text.startswith("⚠️") and "16 digits" in bad.text


async def test_history_for_the_team_and_a_backup_while_the_bot_runs(world: World, seeded, tmp_path: Path) -> None:
    rina = await admin(world)
    andi, budi = (
        await world.speaks(world.emu.add_user("Andi", language_code="en"), "en"),
        await world.speaks(world.emu.add_user("Budi", language_code="en"), "en"),
    )
    await world.enrol(andi, Role.PIC, team="TIM2")
    await world.enrol(budi, Role.PIC, team="TIM1")
    history = (await world.say(andi, "/audit usl-2026-0092"))[-1]  # SS01: Andi's team
    assert "returned the proposal for revision" in history.text and "issued the SK" in history.text
    other = (await world.say(budi, "/audit USL-2026-0092"))[-1]
    assert other.text.startswith("⚠️") and "returned" not in other.text
    assert (await world.say(andi, "/audit USL-2026-0092", chat=world.emu.add_group("Tim 2", members=[andi])))[
        -1
    ].text.count("private chat") == 1

    replies = await world.say(rina, "/cadangan")
    backup, done = replies[-2], replies[-1]
    # Named in the centre's zone, the zone said: made at 09.00 WIB (02.00 UTC), it reads 09…-WIB.
    name = backup.document["file_name"]
    assert name.startswith("atensi-20261128-09") and name.endswith("-WIB.tar") and "💾" in done.text, name
    archive = tmp_path / "copy.tar"
    archive.write_bytes(backup.file_bytes())
    if world.storage.db.dialect == "postgresql":
        # The archive holds a pg_dump (checked by pg_restore --list), and the admin is told how
        # to put it back: db restore is SQLite's.
        assert "pg_restore" in done.text and "atensi-bot db restore" not in done.text
        assert "database.pgdump" in verify_archive(archive)["members"]
    else:
        assert "atensi-bot db restore" in done.text and "in place of the database" not in done.text
        copy = tmp_path / "copy.sqlite3"
        verify_archive(archive, database_to=copy)
        connection = sqlite3.connect(copy)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert connection.execute("SELECT count(*) FROM proposals").fetchone()[0] == len(seeded)
        finally:
            connection.close()
    assert len(list((tmp_path / "backups").glob("atensi-*.tar"))) == 1
    assert await world.rows("SELECT action FROM audit_events WHERE action = 'backup'") == [("backup",)]

"""Migrations applied to a database that already holds data carry it forward."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.domain.models import ProposalStatus
from storage import migrate as migrations
from storage.db import Database
from storage.unit import UnitOfWork
from tests.helpers import migrated_before

NOW = "2026-11-28T03:00:00+00:00"


async def test_proposal_numbers_carry_on_from_the_codes_already_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = await Database.open(tmp_path / "atensi.sqlite3")
    # A centre that has run the bot since before migration 7: codes numbered by counting.
    await migrated_before(db, 7, monkeypatch)
    async with db.transaction() as conn:
        for code in ("USL-2025-0012", "USL-2026-0003", "USL-2026-0007"):  # 0004–0006 never existed
            await conn.execute(
                "INSERT INTO proposals (code, ipwl_id, status, created_by, created_at, updated_at,"
                " status_since) VALUES (?, 1, 'submitted', 1, ?, ?, ?)",
                (code, NOW, NOW, NOW),
            )

    assert (await migrations.migrate(db))[0] == "0007_proposal_numbers.sql"

    async def new_code(year: int) -> str:
        async with db.transaction() as conn:
            return (await UnitOfWork(conn).proposals.create_draft(1, 1, dt.datetime(year, 6, 1, tzinfo=dt.UTC))).code

    # Counting would have said USL-2026-0003 (taken); the counter carries on after the highest.
    assert [await new_code(2026), await new_code(2026)] == ["USL-2026-0008", "USL-2026-0009"]
    assert await new_code(2025) == "USL-2025-0013"
    assert await new_code(2027) == "USL-2027-0001"
    await db.close()


async def test_client_flags_move_from_the_comma_list_to_their_own_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = await Database.open(tmp_path / "atensi.sqlite3")
    await migrated_before(db, 9, monkeypatch)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO proposals (id, code, ipwl_id, status, created_by, created_at, updated_at,"
            " status_since) VALUES (1, 'USL-2026-0001', 1, 'submitted', 1, ?, ?, ?)",
            (NOW, NOW, NOW),
        )
        for position, (nik, flags) in enumerate((("3201014508900004", "dup_nik"), ("3201011203850002", "")), 1):
            await conn.execute(
                "INSERT INTO clients (proposal_id, position, full_name, nik, flags) VALUES (1, ?, 'Klien', ?, ?)",
                (position, nik, flags),
            )

    assert "0009_client_flags.sql" in await migrations.migrate(db)
    async with db.reading() as conn:
        uow = UnitOfWork(conn)
        assert [c.flags for c in await uow.clients.of_proposal(1)] == [("dup_nik",), ()]
        (summary,) = await uow.staff.summaries([ProposalStatus.SUBMITTED])
    assert (summary.clients, summary.flagged) == (2, 1)
    await db.close()

"""Shared fixtures: a fixed clock, a fresh database, and the real bot running against the emulator."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from storage.unit import Storage

# Friday 28 November 2026, 09.00 WIB.
START = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.timezone.utc)
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    store = await Storage.open(tmp_path / "atensi.sqlite3")
    yield store
    await store.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "storage": {"database": str(tmp_path / "atensi.sqlite3"), "files_dir": str(tmp_path / "files")},
            "access": {"admin_user_ids": []},
        }
    )

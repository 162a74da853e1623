"""Fixtures for the Bot API emulator's own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Bot

from bot.emulator import BotApiEmulator, SpecValidator, default_spec_path

SPEC_PATH = default_spec_path()


@pytest.fixture(scope="session")
def validator() -> SpecValidator:
    """The spec validator (tests using it are skipped without the spec file)."""
    if SPEC_PATH is None:
        pytest.skip("shared/telegram-bot-api/api.json missing")
    return SpecValidator(SPEC_PATH)


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """A running emulator validating against the spec."""
    if SPEC_PATH is None:
        pytest.skip("shared/telegram-bot-api/api.json missing")
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest_asyncio.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    """A python-telegram-bot ``Bot`` talking to the emulator."""
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as client:
        yield client

"""Fixtures for the Bot API emulator's own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
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


async def call(
    emu: BotApiEmulator,
    method: str,
    data: dict[str, str] | None = None,
    *,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """POST a raw Bot API call the way PTB does; return (HTTP status, JSON body)."""
    url = f"{emu.base_url}{token or emu.token}/{method}"
    form: aiohttp.FormData | dict[str, str] | None = data
    if files:
        form = aiohttp.FormData()
        for key, value in (data or {}).items():
            form.add_field(key, value)
        for key, (filename, content, mime) in files.items():
            form.add_field(key, content, filename=filename, content_type=mime)
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as response:
        return response.status, await response.json()

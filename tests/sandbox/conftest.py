"""The offline sandbox, started as `atensi-bot sandbox` starts it, on a free port.

Each test gets a fresh sandbox (emulator, demo database, real bot, web chat). After the test,
the fixture asserts that the bot made no request the Bot API spec would reject and that no
exception reached the bot's error handler — the same bar as the scenario tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import Settings
from bot.emulator import default_spec_path
from bot.sandbox import SandboxServer
from bot.sandbox.runtime import World
from tests.conftest import SHARED


class Client:
    """The web chat's JSON API, as the page uses it."""

    def __init__(self, session: aiohttp.ClientSession, server: SandboxServer) -> None:
        self.session, self.server = session, server
        self.base = server.url.rstrip("/")

    async def get(self, path: str, **params: Any) -> Any:
        async with self.session.get(self.base + path, params=params) as response:
            assert response.status == 200, (path, response.status, await response.text())
            return await response.json()

    async def post(self, path: str, body: dict[str, Any], *, status: int = 200) -> Any:
        async with self.session.post(self.base + path, json=body, headers={"X-Sandbox": "1"}) as response:
            assert response.status == status, (path, response.status, await response.text())
            return await response.json()

    async def world(self) -> World:
        return await self.server.sandbox.world()

    async def settle(self) -> None:
        """Wait until the bot has handled everything (including outbox deliveries)."""
        await (await self.world()).emu.settle()

    async def answered(self, chat_id: int, message_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot has sent something to ``chat_id`` after message ``message_id``."""
        emu = (await self.world()).emu
        await emu.wait_for(lambda: any(m.message_id > message_id for m in emu.chat_messages(chat_id)), timeout)
        await emu.settle()

    async def rows(self, sql: str, *params: object) -> list[tuple]:
        from tests.helpers import opened

        world = await self.world()
        async with world.storage.db.reading() as conn:
            return [tuple(opened(world.storage.keys, v) for v in r) for r in await conn.execute_fetchall(sql, params)]


@pytest.fixture
def sandbox_settings(tmp_path: Path) -> Settings:
    assert default_spec_path() is not None, "../shared/telegram-bot-api/api.json validates the bot's requests"
    return Settings.model_validate(
        {
            "storage": {"database": str(tmp_path / "real.sqlite3")},
            "sandbox": {"port": 0, "database": str(tmp_path / "sandbox" / "sandbox.sqlite3")},
            # As an admin would configure it (and as the scenario tests do): regencies by code.
            "regions": {"regencies_file": str(SHARED / "wilayah" / "regencies.csv")},
        }
    )


@pytest.fixture
async def server(sandbox_settings: Settings) -> AsyncIterator[SandboxServer]:
    async with SandboxServer(sandbox_settings) as running:
        yield running
        world = await running.sandbox.world()
        await world.emu.settle()
        violations, errors = list(world.emu.violations), list(world.deps.errors)
    assert violations == [], violations
    assert errors == [], [repr(e) for e in errors]


@pytest.fixture
async def client(server: SandboxServer) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as session:
        yield Client(session, server)

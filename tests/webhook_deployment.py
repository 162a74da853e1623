"""The webhook deployment of tests/test_webhook.py in one process: the intake, a worker and its
leader's sender on one storage, and what its tests post, register and wait for."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.app import WorkerRuntime
from bot.clock import ManualClock
from bot.config import Settings
from bot.emulator import BotApiEmulator
from bot.webhook.intake import SECRET_HEADER, WebhookIntake
from handlers.context import deps_of
from storage.unit import Storage
from tests.emulator.helpers import call
from tests.scenarios.conftest import TOKEN

SECRET = "a-Secret_for-tests"
ADMIN_ID = 9001


@dataclass
class Deployment:
    emu: BotApiEmulator
    storage: Storage
    intake: WebhookIntake
    runtime: WorkerRuntime
    clock: ManualClock
    url: str

    async def rows(self, sql: str, *params: object) -> list[tuple]:
        async with self.storage.db.reading() as conn:
            return [tuple(r) for r in await conn.execute_fetchall(sql, params)]

    async def inbox_settled(self, timeout: float = 15.0) -> None:
        """Until the emulator delivered everything and no update waits or runs in the inbox."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            # In this order: once the emulator has nothing left to POST, every update it delivered
            # is stored (the intake answers 200 after its commit), so the inbox count covers it.
            delivered = self.emu.is_idle()
            pending = await self.rows("SELECT count(*) FROM inbox WHERE status = 'pending'")
            sender = deps_of(self.runtime.app).sender
            if (
                delivered
                and pending[0][0] == 0
                and not self.runtime.worker.busy
                and (sender is None or not sender.busy)
            ):
                return
            if loop.time() > deadline:
                raise TimeoutError(f"inbox not settled: {pending[0][0]} pending")
            await asyncio.sleep(0.05)


def webhook_settings(tmp_path: Path, database_url: str, **webhook: object) -> Settings:
    return Settings.model_validate(
        {
            "telegram": {"token": TOKEN},
            "storage": {
                "url": database_url,
                "database": str(tmp_path / "atensi.sqlite3"),
                "files_dir": str(tmp_path / "files"),
            },
            "access": {"admin_user_ids": [ADMIN_ID]},
            "admin": {"backups_dir": str(tmp_path / "backups")},
            "reminders": {"enabled": False},
            "webhook": {
                "secret": SECRET,
                "port": 0,
                "claim_seconds": 30,
                "retry_seconds": 1,
                "idle_poll_seconds": 0.2,
                "leader_check_seconds": 0.2,
                **webhook,
            },
        }
    )


def on_the_emulator(settings: Settings, emu: BotApiEmulator) -> Settings:
    """The settings with the bot's Bot API (and file) URLs pointed at the emulator."""
    return settings.model_copy(
        update={
            "telegram": settings.telegram.model_copy(
                update={"base_url": emu.base_url, "base_file_url": emu.base_file_url}
            )
        }
    )


async def post(url: str, body: bytes, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status


def an_update(update_id: int, user_id: int = 1001, text: str = "/bantuan") -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1764295200,
            "text": text,
            "chat": {"id": user_id, "type": "private", "first_name": "Sari"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Sari"},
        },
    }


async def register(emu: BotApiEmulator, url: str) -> tuple[int, dict]:
    emu.state.webhook_timing.update(timeout=5.0, first_retry=0.05, max_retry=0.5)
    return await call(emu, "setWebhook", {"url": url, "secret_token": SECRET, "max_connections": "10"})


async def wait_rows(deployment: Deployment, sql: str, *params: object, want: list[tuple], timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (got := await deployment.rows(sql, *params)) != want:
        if loop.time() > deadline:
            raise AssertionError(f"{sql}: {got} != {want}")
        await asyncio.sleep(0.05)

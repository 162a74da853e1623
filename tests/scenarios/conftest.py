"""The real bot, built by the composition root, polling the local Bot API emulator.

Each scenario gets a fresh emulator, database and clock. After the scenario, the fixture asserts
that the bot made no request the official Bot API spec or Telegram's limits would reject and that
no exception reached the bot's error handler.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import build_application, is_handling_updates, start_bot, stop_bot
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.models import Role
from bot.emulator import BotApiEmulator, BotMessage, EmuChat, EmuUser, default_spec_path
from bot.services import Services
from handlers.context import Deps, deps_of
from storage.unit import Storage
from tests.conftest import SHARED, START
from tests.helpers import seed_registry

TOKEN = "123456:TEST-TOKEN"


@dataclass
class World:
    """The emulator, the running bot and its services, for one scenario."""

    emu: BotApiEmulator
    storage: Storage
    services: Services
    deps: Deps
    clock: ManualClock
    settings: Settings
    app: object = None
    rate_limiter: bool = False  # True: PTB's rate limiter, as in production

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database, as after a crash or a deploy."""
        await stop_bot(self.app)
        self.app = await run_bot(self.emu, self.storage, self.clock, self.settings, rate_limiter=self.rate_limiter)
        self.deps = deps_of(self.app)
        self.services = self.deps.services

    async def say(self, user: EmuUser, text: str, chat: EmuChat | None = None) -> list[BotMessage]:
        """Send a message as ``user`` and return what the bot sent to that chat in answer."""
        target = chat if chat is not None else user
        before = len(self.emu.chat_messages(target))
        await self.emu.send_text(user, text, chat=chat)
        await self.emu.settle()
        if len(self.emu.chat_messages(target)) == before:
            # A loaded machine can take longer than settle's quiet period to start answering.
            try:
                await self.emu.wait_for(lambda: len(self.emu.chat_messages(target)) > before, timeout=2)
                await self.emu.settle()
            except TimeoutError:
                pass
        return self.emu.chat_messages(target)[before:]

    async def drain(self, *, timeout: float = 15.0) -> None:
        """Until the bot has answered every update and delivered every notification due now.

        ``settle`` sees the HTTP side (updates fetched, calls in flight, handlers running, rows held
        by the sender); a notification committed by a job or a service call outside an update is
        only in the database until the sender claims it, so that is asked too. TimeoutError, with
        what is still waiting, when it does not happen within ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        sender = self.deps.sender
        assert sender is not None, "the bot is not running"
        while True:
            due = await self.services.outbox.due_count()
            if due == 0 and not sender.busy and self.emu.is_idle() and not is_handling_updates(self.app):
                return
            if loop.time() >= deadline:
                raise TimeoutError(
                    f"not drained within {timeout} s: {due} notification(s) due, sender busy={sender.busy}"
                )
            sender.wake()
            await self.emu.settle(timeout=max(0.1, deadline - loop.time()))

    async def press(self, user: EmuUser, message: BotMessage, data: str | None = None, *, text: str | None = None):
        answer = await self.emu.press(user, message, data, text=text)
        await self.emu.settle()
        return answer

    def last(self, chat: EmuChat | EmuUser) -> BotMessage:
        message = self.emu.last_message(chat)
        assert message is not None, "the bot sent nothing to this chat"
        return message

    async def speaks(self, user: EmuUser, locale: str) -> EmuUser:
        """The person has chosen ``locale`` with /bahasa (the service speaks Indonesian until then,
        whatever their app's language)."""
        who = await self.services.onboarding.identify(
            user.id, user.full_name, private_chat=False, language=user.language_code
        )
        await self.services.onboarding.set_locale(who, locale)
        return user

    async def invite(self, role: Role, **scope: str) -> str:
        invite = await self.services.onboarding.create_invite(
            role, ipwl_code=scope.get("ipwl"), team_code=scope.get("team")
        )
        return invite.token

    async def enrol(self, user: EmuUser, role: Role, **scope: str) -> None:
        """The person opens their invite link: ``/start <token>``."""
        token = await self.invite(role, **scope)
        replies = await self.say(user, f"/start {token}")
        assert replies and "✅" in replies[-1].text, [m.text for m in replies]

    async def rows(self, sql: str, *params: object) -> list[tuple]:
        """Rows as the bot reads them: sealed personal values opened (see ``raw_rows``)."""
        from tests.helpers import opened

        async with self.storage.db.reading() as conn:
            return [tuple(opened(self.storage.keys, v) for v in r) for r in await conn.execute_fetchall(sql, params)]

    async def raw_rows(self, sql: str, *params: object) -> list[tuple]:
        """Rows as stored: personal values sealed (``enc1:…``)."""
        async with self.storage.db.reading() as conn:
            return [tuple(r) for r in await conn.execute_fetchall(sql, params)]


@pytest.fixture
def scenario_settings(tmp_path: Path, database_url: str) -> Settings:
    """The bot's settings for one scenario, on this run's engine (``tests/conftest.py``)."""
    return Settings.model_validate(
        {
            "telegram": {"token": TOKEN, "poll_timeout": 1},
            "storage": {
                "url": database_url,
                "database": str(tmp_path / "atensi.sqlite3"),
                "files_dir": str(tmp_path / "files"),
            },
            "access": {"admin_user_ids": [9001]},
            # Backups of a scenario stay in its own folder, never in the checkout.
            "admin": {"backups_dir": str(tmp_path / "backups")},
            # The admin-supplied regions file: the Kemendagri list kept in ../shared for tests.
            "regions": {"regencies_file": str(SHARED / "wilayah" / "regencies.csv")},
        }
    )


async def run_bot(
    emu: BotApiEmulator, storage: Storage, clock: ManualClock, settings: Settings, *, rate_limiter: bool = False
):
    """Build the bot with the composition root, pointed at the emulator, and start it."""
    settings = settings.model_copy(
        update={
            "telegram": settings.telegram.model_copy(
                update={"base_url": emu.base_url, "base_file_url": emu.base_file_url}
            )
        }
    )
    app = build_application(settings, storage=storage, clock=clock, rate_limiter=rate_limiter)
    deps_of(app).errors = []  # collected for the checks at the end of the scenario
    await start_bot(app, poll_timeout=1)
    # settle() waits while the bot handles an update and while the sender holds notifications.
    emu.add_busy_probe(
        lambda: is_handling_updates(app) or (deps_of(app).sender is not None and deps_of(app).sender.busy)
    )
    return app


@asynccontextmanager
async def running_world(settings: Settings, *, rate_limiter: bool = False) -> AsyncIterator[World]:
    """A fresh emulator, database and clock with the real bot running; on leaving, the bot must have
    made no request the Bot API spec or Telegram's limits reject, and no error reached its handler.

    Errors that reach the bot's error handler are collected in ``world.deps.errors``; a test that
    provokes one on purpose empties the list after checking it.
    """
    spec = default_spec_path()
    assert spec is not None, "../shared/telegram-bot-api/api.json is needed to validate the bot's requests"
    clock = ManualClock(START)
    async with BotApiEmulator(TOKEN, spec_path=spec) as emu:
        storage = await Storage.open(settings.storage.target)
        services = Services(storage, clock, settings)
        await seed_registry(services)
        app = await run_bot(emu, storage, clock, settings, rate_limiter=rate_limiter)
        deps: Deps = deps_of(app)
        world = World(emu, storage, deps.services, deps, clock, settings, app, rate_limiter)
        errors: list[BaseException] = []
        try:
            yield world
            await emu.settle()
        finally:
            errors = world.deps.errors
            await stop_bot(world.app)
            await storage.close()
            if world.storage is not storage:  # a test reopened the database (a restore, a copy, a lock timeout)
                await world.storage.close()
        assert emu.violations == [], emu.violations
        assert errors == [], [repr(e) for e in errors]


@pytest.fixture
async def world(scenario_settings: Settings) -> AsyncIterator[World]:
    async with running_world(scenario_settings) as world:
        yield world


async def consent_in_chat(world: World, user: EmuUser) -> BotMessage:
    """Send pressed and the bot asks for the clients' consent (issue 17.6): the operator sends a
    photo of each signed form (typing the guardian first for a client under 18) until the summary
    comes back; → the summary, ready to send."""
    from tests.helpers import jpeg

    forms = 0
    while "✍️" in (asked := world.last(user)).text:
        if "Ketik nama wali" in asked.text:  # a client under 18: the guardian first
            await world.say(user, "Siti Aminah, ibu")
            continue
        forms += 1
        await world.emu.send_photo(user, content=jpeg(f"formulir persetujuan {forms}".encode()))
        await world.emu.settle()
        await world.emu.wait_for(lambda: world.last(user).message_id != asked.message_id, timeout=5)
        await world.emu.settle()
    return asked

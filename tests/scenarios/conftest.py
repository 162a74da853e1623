"""The real bot, built by the composition root, polling the local Bot API emulator.

Each scenario gets a fresh emulator, database and clock. After the scenario, the fixture asserts
that the bot made no request the official Bot API spec or Telegram's limits would reject and that
no exception reached the bot's error handler.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import build_application, is_handling_updates, start_bot, stop_bot
from bot.clock import ManualClock
from bot.config import Settings
from bot.emulator import BotApiEmulator, BotMessage, EmuChat, EmuUser, default_spec_path
from bot.domain.models import Role
from bot.services import Services
from handlers.context import DEPS_KEY, Deps
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

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database, as after a crash or a deploy."""
        await stop_bot(self.app)
        self.app = await run_bot(self.emu, self.storage, self.clock, self.settings)
        self.deps = self.app.bot_data[DEPS_KEY]
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
        who = await self.services.onboarding.identify(user.id, user.full_name, private_chat=False,
                                                      language=user.language_code)
        await self.services.onboarding.set_locale(who, locale)
        return user

    async def invite(self, role: Role, **scope: str) -> str:
        invite = await self.services.onboarding.create_invite(role, ipwl_code=scope.get("ipwl"), team_code=scope.get("team"))
        return invite.token

    async def enrol(self, user: EmuUser, role: Role, **scope: str) -> None:
        """The person opens their invite link: ``/start <token>``."""
        token = await self.invite(role, **scope)
        replies = await self.say(user, f"/start {token}")
        assert replies and "✅" in replies[-1].text, [m.text for m in replies]

    async def rows(self, sql: str, *params: object) -> list[tuple]:
        async with self.storage.db.reading() as conn:
            return [tuple(r) for r in await conn.execute_fetchall(sql, params)]


@pytest.fixture
def scenario_settings(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "telegram": {"token": TOKEN, "poll_timeout": 1},
            "storage": {"database": str(tmp_path / "atensi.sqlite3"), "files_dir": str(tmp_path / "files")},
            "access": {"admin_user_ids": [9001]},
            # The admin-supplied regions file: the Kemendagri list kept in ../shared for tests.
            "regions": {"regencies_file": str(SHARED / "wilayah" / "regencies.csv")},
        }
    )


async def run_bot(emu: BotApiEmulator, storage: Storage, clock: ManualClock, settings: Settings):
    """Build the bot with the composition root, pointed at the emulator, and start it."""
    settings = settings.model_copy(
        update={"telegram": settings.telegram.model_copy(update={"base_url": emu.base_url, "base_file_url": emu.base_file_url})}
    )
    app = build_application(settings, storage=storage, clock=clock, rate_limiter=False)
    await start_bot(app, poll_timeout=1)
    emu.add_busy_probe(lambda: is_handling_updates(app))
    return app


@pytest.fixture
async def world(tmp_path: Path, scenario_settings: Settings) -> AsyncIterator[World]:
    spec = default_spec_path()
    assert spec is not None, "../shared/telegram-bot-api/api.json is needed to validate the bot's requests"
    clock = ManualClock(START)
    async with BotApiEmulator(TOKEN, spec_path=spec) as emu:
        storage = await Storage.open(scenario_settings.storage.database)
        services = Services(storage, clock, scenario_settings)
        await seed_registry(services)
        app = await run_bot(emu, storage, clock, scenario_settings)
        deps: Deps = app.bot_data[DEPS_KEY]
        world = World(emu, storage, deps.services, deps, clock, scenario_settings, app)
        errors: list[BaseException] = []
        try:
            yield world
            await emu.settle()
        finally:
            errors = world.deps.errors
            await stop_bot(world.app)
            await storage.close()
        assert emu.violations == [], emu.violations
        assert errors == [], [repr(e) for e in errors]

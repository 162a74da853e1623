"""Fault tests: the real bot under crashes, a misbehaving Telegram, a locked database, a full disk.

Two harnesses:

* :class:`BotProcess` runs the real ``python -m bot run`` as a child process against a
  :class:`BotApiEmulator` living in the test, so a test can SIGKILL it at a chosen moment and start
  it again on the same database. The database is seeded through the services while the process is
  stopped (or alongside it: SQLite in WAL mode serves both).
* ``prod_world``: the in-process scenario world, but with python-telegram-bot's ``AIORateLimiter``
  on, as ``bot.app.build_application`` builds it in production (scenario tests turn it off).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import os
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.emulator import BotApiEmulator, EmuUser, default_spec_path
from bot.services import Identity, Services
from storage.unit import Storage
from tests.conftest import SHARED
from tests.scenarios.conftest import World, running_world, scenario_settings, world  # noqa: F401 – fixtures used here

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:FAULT-TOKEN"
LAUNCHER = Path(__file__).with_name("launch.py")

# Monday 30 November 2026, 09.00 WIB: inside everyone's working hours (reminders are due).
MONDAY_9AM = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


class ShiftedClock:
    """Real time moved by a fixed offset: the child process (see launch.py) and the test agree."""

    def __init__(self, offset: float) -> None:
        self.offset = offset

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.offset)


class BotProcess:
    """``python -m bot run`` in a child process, pointed at ``emu``; killed and restarted at will."""

    def __init__(
        self,
        emu: BotApiEmulator,
        tmp_path: Path,
        *,
        config: str = "",
        clock_offset: float | None = None,
        database_url: str | None = None,
    ) -> None:
        self.emu = emu
        self.tmp = tmp_path
        # The SQLite file, or the PostgreSQL URL (the test's engine: tests/conftest.py).
        self.database: Path | str = (
            database_url if database_url and database_url.startswith("postgresql://") else tmp_path / "atensi.sqlite3"
        )
        self.files_dir = tmp_path / "files"
        self.log_path = tmp_path / "bot.log"
        self.clock_offset = clock_offset
        self.config = tmp_path / "config.toml"
        self.config.write_text(
            "[telegram]\n"
            f'base_url = "{emu.base_url}"\nbase_file_url = "{emu.base_file_url}"\npoll_timeout = 1\n'
            f'[storage]\n{"url" if isinstance(self.database, str) else "database"} = "{self.database}"\n'
            f'files_dir = "{self.files_dir}"\n'
            f'[regions]\nregencies_file = "{SHARED / "wilayah" / "regencies.csv"}"\n'
            "[access]\nadmin_user_ids = [9001]\n" + config
        )
        self.proc: asyncio.subprocess.Process | None = None
        self.starts: list[float] = []  # seconds from spawn to the first getUpdates, per start
        self.kills = 0

    def settings(self) -> Settings:
        return load_settings(self.config, environ={"ATENSI_BOT_TOKEN": TOKEN})

    async def services(self) -> tuple[Storage, Services]:
        """Open the database as the bot would (migrations applied) for seeding and checking."""
        storage = await Storage.open(self.database)
        clock = ShiftedClock(self.clock_offset) if self.clock_offset is not None else _system_clock()
        return storage, Services(storage, clock, self.settings())

    async def start(self, timeout: float = 30) -> None:
        assert self.proc is None or self.proc.returncode is not None, "already running"
        env = {**os.environ, "ATENSI_BOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
        if self.clock_offset is not None:
            env["ATENSI_TEST_CLOCK_OFFSET"] = str(self.clock_offset)
            argv = [sys.executable, str(LAUNCHER), "run", "--config", str(self.config)]
        else:
            argv = [sys.executable, "-m", "bot", "run", "--config", str(self.config)]
        seen = len(self.emu.requests)
        began = time.perf_counter()
        with open(self.log_path, "ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *argv, env=env, cwd=self.tmp, stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL
            )
        await self.emu.wait_for(lambda: any(m == "getUpdates" for m, _ in self.emu.requests[seen:]), timeout=timeout)
        self.starts.append(time.perf_counter() - began)

    def freeze(self) -> None:
        """SIGSTOP: the process stops at once, wherever it is (a lock taken from outside would have
        to win SQLite's busy wait against a writer that takes the lock again right after each commit)."""
        assert self.proc is not None and self.proc.returncode is None
        self.proc.send_signal(signal.SIGSTOP)

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine loses power or the OOM killer strikes."""
        assert self.proc is not None and self.proc.returncode is None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        self.kills += 1

    async def stop(self) -> int:
        """SIGTERM and wait; returns the exit status."""
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout=20)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _system_clock():
    from bot.clock import SystemClock

    return SystemClock()


class WriteLock:
    """Another connection holding SQLite's write lock (``BEGIN IMMEDIATE``) until released."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def rows(database: Path | str, sql: str, *params: object) -> list[tuple]:
    """Read the database from the test, on a connection of its own while the bot process runs (on
    SQLite, WAL lets it read; on PostgreSQL, a connection with the engine's own value codecs).
    Sealed personal values come back opened with the test run's keys (as the bot reads them)."""
    from storage.sealing import Keyring
    from tests.helpers import opened

    keys = Keyring.from_environment()
    if isinstance(database, str):
        found = _pg_rows(database, sql, params)
    else:
        conn = sqlite3.connect(database, timeout=10)
        try:
            found = [tuple(r) for r in conn.execute(sql, params).fetchall()]
        finally:
            conn.close()
    return [tuple(opened(keys, v) for v in r) for r in found]


def _pg_rows(url: str, sql: str, params: tuple) -> list[tuple]:
    import asyncpg

    from storage.postgres import _prepare, translate

    async def fetch() -> list[tuple]:
        conn = await asyncpg.connect(url, server_settings={"timezone": "UTC"})
        try:
            await _prepare(conn)
            return [tuple(r) for r in await conn.fetch(translate(sql), *params)]
        finally:
            await conn.close()

    # The test's own event loop is running (the emulator lives in it): read from a thread.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, fetch()).result()


def intact(database: Path | str) -> bool:
    """SQLite's integrity check after a kill (PostgreSQL's WAL recovery is the server's own)."""
    return isinstance(database, str) or rows(database, "PRAGMA integrity_check") == [("ok",)]


async def chat_reply(emu: BotApiEmulator, user: EmuUser, text: str, timeout: float = 15.0) -> str:
    """``user`` writes ``text`` to the bot process; the bot's next message to them."""
    before = len(emu.chat_messages(user))
    await emu.send_text(user, text)
    await emu.wait_for(lambda: len(emu.chat_messages(user)) > before, timeout=timeout)
    await emu.settle(quiet=0.1, timeout=timeout)  # a question may follow its acknowledgement
    return emu.chat_messages(user)[-1].text or ""


async def operator_identity(services: Services, user: EmuUser) -> Identity:
    return await services.onboarding.identify(user.id, user.full_name, private_chat=True, language="id")


async def grant(services: Services, user: EmuUser, role, **scope: str) -> Identity:
    """Invite and redeem through the services, as if the person had opened their link."""
    invite = await services.onboarding.create_invite(role, ipwl_code=scope.get("ipwl"), team_code=scope.get("team"))
    who = await operator_identity(services, user)
    await services.onboarding.redeem_invite(who, invite.token)
    return await operator_identity(services, user)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    spec = default_spec_path()
    assert spec is not None
    async with BotApiEmulator(TOKEN, spec_path=spec) as emulator:
        yield emulator


@pytest.fixture
async def make_bot(emu: BotApiEmulator, tmp_path: Path, database_url: str) -> AsyncIterator:
    """``make_bot(config=…, clock_offset=…)`` → a BotProcess on this test's engine; whatever still
    runs is killed at the end."""
    made: list[BotProcess] = []

    def make(**kwargs: object) -> BotProcess:
        bot = BotProcess(emu, tmp_path, database_url=database_url, **kwargs)
        made.append(bot)
        return bot

    try:
        yield make
    finally:
        for bot in made:
            if bot.proc is not None and bot.proc.returncode is None:
                bot.proc.kill()
                await bot.proc.wait()


# --- the in-process world with the production rate limiter ---------------------------------------------


@pytest.fixture
async def prod_world(scenario_settings: Settings) -> AsyncIterator[World]:  # noqa: F811
    """Like the scenarios' ``world`` (same checks at the end), with the production rate limiter."""
    async with running_world(scenario_settings, rate_limiter=True) as running:
        yield running

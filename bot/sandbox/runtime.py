"""The sandbox's lifecycle: the real bot, the local Bot API emulator and the demo data, together.

One :class:`Sandbox` outlives many *worlds*: a world is one emulator, one freshly seeded
database and one running bot. Reset throws the world away and builds a new one; the web chat
(bot/sandbox/web.py) keeps serving and only sees the version number jump.

The bot is built by the one composition root, ``bot.app.build_application``, and started with
``bot.app.start_bot`` exactly as ``atensi-bot run`` does; only its settings point it at the
emulator and at the sandbox's own database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.date import DateTrigger
from pydantic import SecretStr

from bot.app import build_application, is_handling_updates, start_bot, stop_bot
from bot.config import ConfigError, Settings
from bot.domain.reminder_rules import Calendar
from bot.emulator import BotApiEmulator, default_spec_path
from bot.services import Services
from handlers.context import Deps, deps_of
from storage.sealing import Keyring
from storage.unit import Storage

from . import demo
from .clock import SandboxClock

__all__ = ["Changes", "Sandbox", "SandboxPaths", "TravelReport", "World", "resolve_paths"]

log = logging.getLogger("atensi.sandbox")

#: The emulator accepts only this token; it never leaves the machine.
SANDBOX_TOKEN = "777000:SANDBOX-OFFLINE"
BOT_USERNAME = "atensi_sandbox_bot"
BOT_NAME = "ATENSI Bot"
#: getUpdates waits at most this long; short so that stopping the bot (reset) is quick.
POLL_TIMEOUT = 2


@dataclass(frozen=True)
class SandboxPaths:
    """Where the sandbox keeps its database and uploaded files (never the real ones)."""

    database: Path
    files_dir: Path
    backups_dir: Path

    def wipe(self) -> None:
        """Delete the sandbox database (with its WAL files) and its folders."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(self.files_dir, ignore_errors=True)
        shutil.rmtree(self.backups_dir, ignore_errors=True)


def resolve_paths(settings: Settings) -> SandboxPaths:
    """The sandbox's files; refuses a configuration that would point it at the real database.

    By default one database per port (``sandbox-8080.sqlite3``): two sandboxes started on two
    ports — two trainers on one machine — must not wipe and seed each other's data."""
    database = settings.sandbox.database
    if database is None:
        port = settings.sandbox.port
        name = f"sandbox-{port}.sqlite3" if port else f"sandbox-pid{os.getpid()}.sqlite3"
        database = Path(tempfile.gettempdir()) / "atensi-sandbox" / name
    database = database.expanduser().resolve()
    if database == settings.storage.database.expanduser().resolve():
        # The sandbox wipes its database at every start: it must never be the real one.
        raise ConfigError(
            f"[sandbox] database is the same file as [storage] database ({database}); "
            "choose another file for the sandbox"
        )
    return SandboxPaths(
        database, database.with_name(f"{database.stem}-files"), database.with_name(f"{database.stem}-backups")
    )


class SandboxBusy(ConfigError):
    """Another sandbox uses this database (its lock is held)."""


class _DatabaseLock:
    """An exclusive lock beside the sandbox database, held while the sandbox runs, so a second
    sandbox configured with the same database refuses to start instead of wiping the first's."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock, as before
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise SandboxBusy(
                f"another sandbox is running with the database {self.path.name.removesuffix('.lock')} "
                f"({self.path.parent}); stop it, or give this one another [sandbox] database or port"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the lock
            self._handle = None


@dataclass(frozen=True)
class TravelReport:
    """What a jump in time brought: the bot's new messages, or why there were none."""

    now: dt.datetime
    sent: list[dict[str, Any]] = field(default_factory=list)  # {"chat", "title", "preview"}
    working_hours: bool = True  # the centre's working hours (reminders wait outside them)
    next_working: dt.datetime | None = None  # when they open next, if closed now
    work_start: dt.time = dt.time(8, 0)
    work_end: dt.time = dt.time(16, 0)


class Changes:
    """A version number that grows with every change the web chat should show, and a way to
    wait for the next one (the page long-polls it)."""

    def __init__(self) -> None:
        self.version = 0
        self._changed = asyncio.Event()

    def bump(self, _event: object = None) -> None:
        """Something changed (an emulator event, the clock, a reset)."""
        self.version += 1
        self._changed.set()
        # Waiters hold the old event; a fresh one makes the next wait block again.
        self._changed = asyncio.Event()

    async def wait(self, since: int, timeout: float) -> int:
        """Return the version once it is above ``since``, or after ``timeout`` seconds."""
        if self.version > since:
            return self.version
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            pass
        return self.version


@dataclass
class World:
    """One emulator, one seeded database, one running bot."""

    emu: BotApiEmulator
    storage: Storage
    app: Any  # telegram.ext.Application (bot/ core modules do not import telegram)
    cast: demo.Cast
    unsubscribe: Callable[[], None]

    @property
    def deps(self) -> Deps:
        deps: Deps = deps_of(self.app)
        return deps


class Sandbox:
    """Start, reset, time-travel and stop the offline sandbox."""

    def __init__(self, settings: Settings, *, clock: SandboxClock | None = None) -> None:
        self.settings = settings
        self.paths = resolve_paths(settings)
        self.clock = clock or SandboxClock()
        self.changes = Changes()
        self._world: World | None = None
        # Held while a world is built or torn down; web requests wait for it to be ready.
        self._lock = asyncio.Lock()
        self._database_lock = _DatabaseLock(self.paths.database)

    # --------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Build the first world (refused when another sandbox runs on the same database)."""
        async with self._lock:
            self._database_lock.acquire()
            try:
                await self._open()
            except BaseException:
                self._database_lock.release()
                raise

    async def stop(self) -> None:
        """Stop the bot and the emulator; the sandbox database stays until the next start."""
        async with self._lock:
            try:
                await self._close()
            finally:
                self._database_lock.release()

    async def reset(self) -> None:
        """Back to the demo data: stop the bot, recreate the database, re-seed, restart."""
        async with self._lock:
            log.info("sandbox reset")
            await self._close()
            await self._open()

    async def world(self) -> World:
        """The running world (waits while a reset is in progress)."""
        async with self._lock:
            if self._world is None:
                raise RuntimeError("the sandbox is not running")
            return self._world

    async def advance(self, delta: dt.timedelta) -> TravelReport:
        """Time travel: move the clock forward, let the bot act on what came due, and say what
        it sent — or, when nothing, whether working hours held the reminders back."""
        async with self._lock:
            world = self._world
            before = {(m.chat_id, m.message_id) for m in world.emu.all_bot_messages()} if world else set()
            now = self.clock.advance(delta)
            log.info("sandbox clock advanced by %s", delta)
            sent: list[dict[str, Any]] = []
            if world is not None:
                await self._run_due_work(world)
                await demo.outbox_drained(world.deps.services)
                await world.emu.settle()
                sent = [
                    self._sent(world, m)
                    for m in world.emu.all_bot_messages()
                    if (m.chat_id, m.message_id) not in before
                ]
            self.changes.bump()
            return self._report(now, sent)

    def next_working_morning(self) -> dt.datetime:
        """The start of the next working day's hours (08.00 in the centre's zone, Monday to
        Friday, not a configured holiday) after now: when reminders and the digest go out."""
        reminders, zone = self.settings.reminders, self.settings.locale.timezone
        calendar = Calendar(reminders.work_start, reminders.work_end, frozenset(reminders.holidays))
        local = self.clock.now().astimezone(ZoneInfo(zone))
        day = local.date()
        for _ in range(400):  # a year of holidays is the worst case
            start = dt.datetime.combine(day, reminders.work_start, ZoneInfo(zone))
            if calendar.is_working_day(day) and start > local:
                return start.astimezone(dt.UTC)
            day += dt.timedelta(days=1)
        raise ValueError("no working day within a year")  # pragma: no cover

    def _report(self, now: dt.datetime, sent: list[dict[str, Any]]) -> TravelReport:
        reminders, zone = self.settings.reminders, self.settings.locale.timezone
        calendar = Calendar(reminders.work_start, reminders.work_end, frozenset(reminders.holidays))
        open_now = calendar.is_open(now, zone)
        return TravelReport(
            now,
            sent,
            open_now,
            None if open_now else calendar.next_open(now, zone),
            reminders.work_start,
            reminders.work_end,
        )

    @staticmethod
    def _sent(world: World, message: Any) -> dict[str, Any]:
        state = world.emu.state
        group = state.groups.get(message.chat_id)
        user = state.users.get(message.chat_id)
        title = group.title if group is not None else (user.full_name if user is not None else str(message.chat_id))
        first_line = (message.text or message.caption or "").strip().split("\n", 1)[0]
        return {"chat": message.chat_id, "title": title, "preview": first_line[:120], "group": group is not None}

    # ---------------------------------------------------------------------------- internals

    def bot_settings(self, emu: BotApiEmulator) -> Settings:
        """The configured settings, pointed at the emulator and the sandbox's own files.

        Every place the bot writes to is redirected (database, uploaded files, backups); the
        rest — language, program, intake rules, regions file, reminder rules — is the centre's
        own configuration, so the sandbox behaves as their bot will.
        """
        s = self.settings
        return s.model_copy(
            update={
                "telegram": s.telegram.model_copy(
                    update={
                        "token": SecretStr(emu.token),
                        "base_url": emu.base_url,
                        "base_file_url": emu.base_file_url,
                        "bot_username": BOT_USERNAME,
                        "poll_timeout": POLL_TIMEOUT,
                    }
                ),
                "storage": s.storage.model_copy(
                    update={
                        # Never the centre's database, SQLite file or PostgreSQL alike.
                        "url": None,
                        "database": self.paths.database,
                        "files_dir": self.paths.files_dir,
                        "erasure_ledger": None,  # beside the sandbox's database, never the centre's
                    }
                ),
                # Admins of the demo are enrolled by invite; real admin ids mean nothing here.
                "access": s.access.model_copy(update={"admin_user_ids": []}),
                # /cadangan in the sandbox must neither write nor prune the centre's real backups.
                "admin": s.admin.model_copy(update={"backups_dir": self.paths.backups_dir}),
            }
        )

    async def _open(self) -> None:
        self.paths.wipe()
        self.paths.database.parent.mkdir(parents=True, exist_ok=True)
        self.clock.set_offset(dt.timedelta())
        # The spec file exists in a checkout with ../shared beside it; a packaged install has
        # none and then runs unvalidated.
        emu = BotApiEmulator(
            SANDBOX_TOKEN,
            spec_path=default_spec_path(),
            bot_username=BOT_USERNAME,
            bot_name=BOT_NAME,
            clock=self.clock.timestamp,
        )
        await emu.start()
        unsubscribe = emu.subscribe(self.changes.bump)
        # A throwaway key for the made-up data (the database and files are wiped at every start).
        storage = await Storage.open(self.paths.database, keys=Keyring.generate())
        settings = self.bot_settings(emu)
        app = build_application(settings, storage=storage, clock=self.clock)
        # The training room keeps what reached the error handler (made-up data only), so that its
        # tests can say none did; the production bot keeps nothing.
        deps_of(app).errors = []
        try:
            await start_bot(app, poll_timeout=POLL_TIMEOUT)
            emu.add_busy_probe(lambda: is_handling_updates(app))
            cast = await demo.seed(
                emu, Services(storage, self.clock, settings), self.clock, centre_zone=settings.locale.timezone
            )
        except BaseException:
            unsubscribe()
            await stop_bot(app)
            await storage.close()
            await emu.stop()
            raise
        self._world = World(emu, storage, app, cast, unsubscribe)
        self.changes.bump()
        log.info(
            "sandbox ready: %d people, %d groups, database %s", len(cast.users), len(cast.groups), self.paths.database
        )

    async def _close(self) -> None:
        world, self._world = self._world, None
        if world is None:
            return
        world.unsubscribe()
        await stop_bot(world.app)
        await world.storage.close()
        await world.emu.stop()
        self.changes.bump()

    async def _run_due_work(self, world: World) -> None:
        """After a jump in time: wake the outbox sender and run every repeating job once now.

        Repeating jobs (reminders) ask "what is due now?" and record what they sent under a
        unique key, so an extra run is safe; without it, what became due would wait for the
        job's next tick in real time.
        """
        if world.deps.sender is not None:
            world.deps.sender.wake()
        job_queue = world.app.job_queue
        if job_queue is None:
            return
        for job in job_queue.jobs():
            if not isinstance(job.job.trigger, DateTrigger):
                await job.run(world.app)

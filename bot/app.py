"""The composition root: the ONE place where bot/, handlers/ and storage/ meet.

Nothing happens at import. ``build_application`` wires settings, storage, clock, translations
and handlers into a python-telegram-bot ``Application``; the CLI runs it, tests drive it against
the local Bot API emulator.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest, HTTPXRequest

import handlers
from bot.clock import Clock
from bot.config import Settings
from bot.domain.regions import RegionsCatalog, load_regions
from bot.i18n import Translations, load_translations
from bot.services import Services
from bot.update_scope import note_commit
from handlers.complaints import schedule_complaints
from handlers.context import DEPS_KEY, BotContext, Deps, deps_of
from handlers.flood import FloodLimiter
from handlers.menus import publish_command_menus, schedule_menus
from handlers.outbox import OutboxSender
from handlers.reminders import schedule_reminders
from handlers.reports import schedule_admin_jobs
from handlers.retention import schedule_retention
from storage.unit import Storage

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"

log = logging.getLogger("atensi.api")


def build_application(
    settings: Settings,
    *,
    storage: Storage,
    clock: Clock,
    translations: Translations | None = None,
    regions: RegionsCatalog | None = None,
    request: BaseRequest | None = None,
    rate_limiter: bool = True,
) -> Application:
    """Build the bot. ``request`` lets tests inject their own HTTP layer."""
    translations = translations or load_translations(LOCALES_DIR, default=settings.locale.default)
    if regions is None and settings.regions.regencies_file:
        regions = load_regions(settings.regions.regencies_file)
    deps = Deps(
        settings=settings,
        services=Services(storage, clock, settings, regions=regions),
        translations=translations,
        clock=clock,
        regions=regions,
    )

    builder = (
        ApplicationBuilder()
        .token(settings.telegram.token.get_secret_value())
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.base_file_url)
        .context_types(ContextTypes(context=BotContext))
        # Every text the bot sends is HTML (user text escaped by the views).
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # Updates are handled concurrently: one slow upload must not hold up everyone else.
        .concurrent_updates(True)
    )
    if request is not None:
        builder = builder.request(request)
    else:
        builder = builder.request(HTTPXRequest(connection_pool_size=16, read_timeout=15, write_timeout=30))
    builder = builder.get_updates_request(HTTPXRequest(read_timeout=settings.telegram.poll_timeout + 10))
    # With the limiter the bot is an ExtBot[str] (the limiter's per-call argument), else ExtBot[None].
    app: Application
    if rate_limiter:
        app = builder.rate_limiter(FloodLimiter(max_retries=3)).build()
    else:
        app = builder.build()
    app.bot_data[DEPS_KEY] = deps
    if note_commit not in storage.commit_listeners:
        storage.commit_listeners.append(note_commit)
    storage.begin_listeners[:] = [deps.services.onboarding.record_update]
    handlers.register(app)
    return app


async def start_bot(app: Application, *, poll_timeout: int, poll_interval: float = 0.0) -> None:
    """Connect, publish the command menus, start the outbox sender, then poll for updates."""
    deps: Deps = deps_of(app)
    await app.initialize()
    # A redelivery after a restart is dropped before any handler too (the table is the truth).
    deps.recent_updates.remember(await deps.services.onboarding.recent_update_ids(10_000))
    await publish_command_menus(app.bot, deps.translations, deps.settings.locale.default)
    deps.sender = OutboxSender(app.bot, deps, handlers.NOTIFICATIONS)
    deps.sender.start()
    schedule_reminders(app)
    schedule_admin_jobs(app)
    schedule_retention(app)
    schedule_complaints(app)
    schedule_menus(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=poll_timeout, poll_interval=poll_interval)


def is_handling_updates(app: Application) -> bool:
    """True while updates wait in the queue or are being handled (for tests and the sandbox, which
    wait for the bot to finish answering before they look)."""
    # The queue counts an update from put() until PTB's wrapper calls task_done() after its handlers
    # ran; qsize() and the processor's count leave a gap between get() and the handling task's start.
    unfinished: int = getattr(app.update_queue, "_unfinished_tasks", 0)
    return unfinished > 0 or app.update_queue.qsize() > 0 or app.update_processor.current_concurrent_updates > 0


async def stop_bot(app: Application) -> None:
    """Stop polling, let running handlers finish, stop the sender, disconnect."""
    deps: Deps = deps_of(app)
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if deps.sender is not None:
        await deps.sender.stop()
        deps.sender = None
    await app.shutdown()


def configure_logging(level: int = logging.INFO) -> None:
    """Log ids and events, never message bodies or the token."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # At DEBUG, python-telegram-bot logs every request and answer (message bodies) and aiosqlite every
    # statement with its parameters (names, NIK, accounts): never below INFO, whatever ``level`` is.
    # DEBUG applies to the bot's own loggers ("atensi.*"), which log ids only.
    for name in ("telegram", "aiosqlite"):
        logging.getLogger(name).setLevel(max(level, logging.INFO))


# --- several processes on PostgreSQL (issue 15): intake, workers, one leader ------------------------


class WorkerRuntime:
    """A worker process's parts: the inbox worker, the leadership, their own connection."""

    def __init__(self, app: Application, name: str) -> None:
        from handlers.inbox_worker import InboxWorker
        from handlers.leadership import Leadership

        self.app = app
        self.name = name
        self.worker = InboxWorker(app, name=name)
        self.leadership = Leadership(app, None, name=name, reconnect=self._control)
        self._heartbeat: asyncio.Task[None] | None = None

    async def _control(self):  # -> ControlConnection | None
        from storage.inbox import INBOX_CHANNEL
        from storage.leadership import open_control
        from storage.outbox import OUTBOX_CHANNEL

        deps = deps_of(self.app)
        control = await open_control(deps.settings.storage.target, name=self.name)
        if control is not None:
            await control.listen(INBOX_CHANNEL, self.worker.wake)
            await control.listen(OUTBOX_CHANNEL, lambda: deps.sender.wake() if deps.sender is not None else None)
        return control

    async def start(self) -> None:
        """Connect, start the job queue, claim updates, and stand for leader."""
        await self.app.initialize()
        self.leadership.control = await self._control()
        await self.app.start()
        self.worker.start()
        self.leadership.start()
        self._heartbeat = asyncio.create_task(self._beat(), name="heartbeat")

    async def stop(self) -> None:
        """Stop claiming and leading, let updates in hand finish, disconnect."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        await self.worker.stop()
        await self.leadership.stop()
        if self.leadership.control is not None:
            await self.leadership.control.close()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def _beat(self) -> None:
        seconds = deps_of(self.app).settings.webhook.heartbeat_seconds
        while True:
            logging.getLogger("atensi.worker").info(
                "heartbeat %s: %s, %d update(s) in hand, handled %d, retried %d, parked %d",
                self.name,
                "leading" if self.leadership.leading else "standby",
                self.worker.in_hand,
                self.worker.stats["handled"],
                self.worker.stats["retried"],
                self.worker.stats["parked"],
            )
            await asyncio.sleep(seconds)


async def register_webhook(settings: Settings) -> None:
    """``setWebhook`` with the configured URL, secret, allowed updates and connections."""
    from telegram import Bot

    cfg = settings.webhook
    async with Bot(
        settings.telegram.token.get_secret_value(),
        base_url=settings.telegram.base_url,
        base_file_url=settings.telegram.base_file_url,
    ) as bot:
        await bot.set_webhook(
            url=cfg.url,
            secret_token=cfg.secret.get_secret_value(),
            allowed_updates=cfg.allowed_updates,
            max_connections=cfg.max_connections,
        )


async def delete_webhook(settings: Settings) -> None:
    """``deleteWebhook``: Telegram stops POSTing (pending updates are kept for polling)."""
    from telegram import Bot

    async with Bot(
        settings.telegram.token.get_secret_value(),
        base_url=settings.telegram.base_url,
        base_file_url=settings.telegram.base_file_url,
    ) as bot:
        await bot.delete_webhook()

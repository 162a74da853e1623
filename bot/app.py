"""The composition root: the ONE place where bot/, handlers/ and storage/ meet.

Nothing happens at import. ``build_application`` wires settings, storage, clock, translations
and handlers into a python-telegram-bot ``Application``; the CLI runs it, tests drive it against
the local Bot API emulator.
"""

from __future__ import annotations

import logging
from pathlib import Path

from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest, HTTPXRequest

import handlers
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Translations, load_translations
from bot.domain.regions import RegionsCatalog, load_regions
from bot.services import Services
from bot.update_scope import note_commit
from handlers.context import DEPS_KEY, BotContext, Deps, deps_of
from handlers.flood import FloodLimiter
from handlers.outbox import OutboxSender
from handlers.menus import publish_command_menus, schedule_menus
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
        # Updates are handled concurrently: one slow upload must not hold up everyone else.
        .concurrent_updates(True)
    )
    if request is not None:
        builder = builder.request(request)
    else:
        builder = builder.request(HTTPXRequest(connection_pool_size=16, read_timeout=15, write_timeout=30))
    builder = builder.get_updates_request(
        HTTPXRequest(read_timeout=settings.telegram.poll_timeout + 10)
    )
    if rate_limiter:
        builder = builder.rate_limiter(FloodLimiter(max_retries=3))
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
    deps.sender = OutboxSender(app.bot, deps)
    deps.sender.start()
    schedule_reminders(app)
    schedule_admin_jobs(app)
    schedule_retention(app)
    schedule_menus(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=poll_timeout, poll_interval=poll_interval)


def is_handling_updates(app: Application) -> bool:
    """True while updates wait in the queue or are being handled (for tests and the sandbox, which
    wait for the bot to finish answering before they look)."""
    return app.update_queue.qsize() > 0 or app.update_processor.current_concurrent_updates > 0


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

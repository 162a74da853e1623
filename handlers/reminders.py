"""The reminder job (PTB JobQueue) and the renderer of the reminders it queues.

The job itself decides nothing and sends nothing: it asks ``services.reminders.run()`` what is
due now, which records each reminder under its unique key and queues it in the outbox; the
outbox sender delivers it within Telegram's flood limits. PTB's JobQueue lives in memory only,
which is fine: every run recomputes from the database.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, Job

from bot.i18n import Translator
from handlers.context import BotContext, Deps, deps_of
from handlers.outbox import Rendered
from handlers.views import reminders as rv

log = logging.getLogger("atensi.reminders")

JOB_NAME = "reminders"


async def job_send_reminders(context: BotContext) -> None:
    """One run: queue every reminder due now (safe to overlap with another instance's run)."""
    report = await context.services.reminders.run()
    if report.recorded or report.waiting:
        log.info(
            "reminders: %d queued (%d messages), %d waiting for a recipient, %d items in %d pages",
            report.recorded,
            report.messages,
            report.waiting,
            report.candidates,
            report.pages,
        )


def schedule_reminders(app: Application) -> Job | None:
    """Register the repeating job (call before ``app.start()``); None when reminders are off."""
    deps: Deps = deps_of(app)
    cfg = deps.settings.reminders
    if not cfg.enabled or app.job_queue is None:
        return None
    # At least 1 s: APScheduler moves a first run time that has already passed when the scheduler
    # starts (first_run_seconds = 0) to one whole interval later.
    return app.job_queue.run_repeating(
        job_send_reminders,
        interval=cfg.interval_minutes * 60,
        first=max(cfg.first_run_seconds, 1),
        name=JOB_NAME,
        # One run at a time in this process; runs of other instances are made safe by the reminder log.
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


async def render_reminder(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """A reminder or a digest. One about an item that has moved on since is dropped, not sent."""
    if "proposal_id" in params and not await deps.services.reminders.still_current(
        int(params["proposal_id"]), str(params.get("status"))
    ):
        return None
    return Rendered(rv.reminder(t, params, deps.clock.now()))


async def render_grant_expiry(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To an admin: a role ends soon (dropped when the grant was revoked meanwhile)."""
    grant = await deps.services.reminders.lapsing_grant(int(params["grant_id"]))
    if grant is None or grant.valid_until <= deps.clock.now():
        return None
    return Rendered(rv.grant_expiry(t, grant))

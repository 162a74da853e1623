"""The retention job (issue 17.7) on PTB's job queue, and the admins' messages it queues.

The job decides nothing itself: ``services.retention.run()`` announces and erases from the
database's state, so a restart (the job queue lives in memory) loses nothing."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from telegram.ext import Application

from bot.i18n import N_, Translator
from handlers.context import BotContext, Deps, deps_of
from handlers.outbox import Rendered
from handlers.views import _

log = logging.getLogger("atensi.retention")


async def retention_job(context: BotContext) -> None:
    deps: Deps = deps_of(context.application)
    report = await deps.services.retention.run()
    if report.announced or report.erased:
        log.info("retention: %d record(s) announced, %d anonymized", report.announced, report.erased)


def schedule_retention(app: Application) -> None:
    """Register the repeating job (before ``app.start()``); nothing when ``[admin] retention_job`` is off."""
    deps: Deps = deps_of(app)
    cfg = deps.settings.admin
    if not cfg.retention_job or app.job_queue is None:
        return
    app.job_queue.run_repeating(
        retention_job,
        interval=cfg.retention_check_hours * 3600,
        first=120,
        name="retention",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


async def render_retention(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To each admin: what the retention job will anonymize (codes and counts), or has."""
    count = int(params["count"])
    if params.get("stage") in ("complaints_notice", "complaints_done"):
        return _complaints(deps, t, params, count)
    if params.get("stage") == "done":
        return Rendered(
            _(
                t,
                N_(
                    "🧹 Retention: the personal data of {count} client record(s) was anonymized, as "
                    "announced. The amounts stay for the reports; the erasures are in the audit trail "
                    "and the erasure ledger."
                ),
                count=count,
            )
        )
    codes = ", ".join(str(c) for c in params.get("codes") or [])
    more = int(params.get("more") or 0)
    text = _(
        t,
        N_(
            "🗓 Retention: on {date} the personal data of {count} client record(s) will be anonymized "
            "({years} years after their proposal was closed, or consent withdrawn): {codes}"
        ),
        date=dt.datetime.fromisoformat(str(params["erase_on"])),
        count=count,
        years=deps.settings.admin.retention_years,
        codes=codes,
    )
    return _announcement(t, text, _(t, N_("and {count} more proposal(s)."), count=more) if more else "")


def _complaints(deps: Deps, t: Translator, params: dict[str, Any], count: int) -> Rendered:
    """Complaints past their retention: tickets and counts only, never who or what."""
    years = deps.settings.admin.complaint_retention_years
    if params.get("stage") == "complaints_done":
        return Rendered(
            _(
                t,
                N_(
                    "🧹 Retention: the personal data of {count} closed complaint(s) was erased, as announced "
                    "(who filed them, what they said, the outcome, the notes and files). Tickets, categories "
                    "and dates stay for the figures."
                ),
                count=count,
            )
        )
    text = _(
        t,
        N_(
            "🗓 Retention: on {date} the personal data of {count} complaint(s) closed more than {years} "
            "years ago will be erased (who filed them, what they said, the outcome, the notes and files): "
            "{tickets}"
        ),
        date=dt.datetime.fromisoformat(str(params["erase_on"])),
        count=count,
        years=years,
        tickets=", ".join(str(c) for c in params.get("codes") or []),
    )
    more = int(params.get("more") or 0)
    return _announcement(t, text, _(t, N_("and {count} more complaint(s)."), count=more) if more else "")


def _announcement(t: Translator, text: str, more: str) -> Rendered:
    """An erasure announced: its ``text``, how many more were not named (``more``, may be empty), and
    what an admin does if one must be kept."""
    if more:
        text += " " + more
    text += "\n" + _(
        t,
        N_(
            "Nothing to do if that is right. A record that must be kept longer (an audit, a "
            "dispute): tell the head of centre before that day."
        ),
    )
    return Rendered(text)

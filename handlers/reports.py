"""/laporan (the monthly report), /ekspor (XLSX exports), the scheduled report and the admin jobs.

The report is built off the bot's back (a separate read connection, rendering in a worker thread);
while it is made the person sees "preparing…", which then becomes the summary, followed by the
workbook and the charts as photos (readable on a phone without opening a file).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
from typing import Any

from telegram import InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import Application

from bot.i18n import Translator, zone_label
from bot.services import Identity, ServiceError
from bot.services.reports import FULL_OPTIONAL
from handlers import views
from handlers.admin import answer_and_send
from handlers.broadcasts import broadcast_reports_job
from handlers.context import BotContext, Deps, deps_of
from handlers.keyboards import admin as kb
from handlers.outbox import Rendered
from handlers.replies import (
    answer_press,
    answers_refusals,
    button_arg,
    int_arg,
    is_private,
    redraw,
    refused_in_group,
    reply,
    send_file,
    typed_text,
)
from handlers.views import payment_checks as pcv
from handlers.views import reports as rv

log = logging.getLogger("atensi.reports")

MONTHLY_CHECK_SECONDS = 3600


# --- /laporan ------------------------------------------------------------------------------------------------


@answers_refusals
async def cmd_report(update: Update, context: BotContext) -> None:
    """``/laporan [YYYY-MM]`` (admins and the head of centre): summary, workbook, charts."""
    who, t = await context.identify_reader(update)
    services = context.services.reports
    report = await services.monthly(who, " ".join(context.args or []))
    chat = update.effective_chat
    assert chat is not None
    if not is_private(update):  # figures only, no files: groups see totals, and this keeps them short
        await reply(update, rv.summary(t, report))
        return
    waiting = await context.bot.send_message(chat.id, rv.preparing(t, report.period))
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    files = await services.render(report, t)
    # Issue 16.4: whether the money reached the clients, per IPWL (counts only), under the figures.
    checks = pcv.coverage(t, await context.services.payment_checks.coverage(who))
    await waiting.edit_text(views.clip(rv.summary(t, report) + "\n\n" + checks))
    await send_file(context, chat.id, files.workbook_name, files.workbook, rv.workbook_caption(t, report.period))
    for chart in files.charts:  # photos: a phone shows them in the chat and lets people enlarge them
        await context.bot.send_photo(
            chat.id, InputFile(io.BytesIO(chart.png), filename=chart.name), caption=rv.chart_caption(t, chart.caption)
        )


def _stored(deps: Deps, params: dict[str, Any]) -> bytes | None:
    # Through the file store: what it keeps is sealed on disk (storage/sealing.py).
    content = deps.services.files.read(str(params["path"])) if "path" in params else None
    if content is None:
        log.warning("monthly report file for %s is missing", params.get("period"))
    return content


async def render_monthly_report(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered:
    """The scheduled report's workbook, with its summary as the caption (files kept on disk)."""
    caption = rv.scheduled_caption(t, str(params["period"]), params.get("summary", {}), deps.settings.locale.timezone)
    content = _stored(deps, params)
    if content is None:
        return Rendered(caption)
    return Rendered(caption, document=(str(params["name"]), content))


async def render_monthly_chart(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    content = _stored(deps, params)
    if content is None:
        return None
    return Rendered(rv.chart_caption(t, str(params.get("caption") or "")), photo=(str(params["name"]), content))


async def monthly_report_job(context: BotContext) -> None:
    """Hourly: send last month's report to the head of centre once it is due (idempotent)."""
    deps: Deps = deps_of(context.application)
    sent = await deps.services.reports.send_due_monthly(deps.translations)
    if sent is not None:
        log.info("monthly report %s queued", sent.key)


def _next_hour_seconds(now: float | None = None) -> float:
    """Seconds from now to one minute past the next whole hour (the centre's zones are whole hours off UTC)."""
    moment = time.time() if now is None else now
    return MONTHLY_CHECK_SECONDS - moment % MONTHLY_CHECK_SECONDS + 60


def schedule_admin_jobs(app: Application) -> None:
    """The repeating jobs of this area: the monthly report check, and broadcast delivery reports.

    Both are derived from the database (a report run table, the outbox), so PTB's in-memory job
    queue losing them on a restart loses nothing: the next run picks up where things stand.
    """
    deps: Deps = deps_of(app)
    queue = app.job_queue
    if queue is None:  # python-telegram-bot without the job-queue extra
        log.warning("no job queue: monthly reports and broadcast reports are not scheduled")
        return
    # At the top of every hour (plus a minute), so the report goes out within its configured hour,
    # and once shortly after a start, so a run missed while the bot was down is caught up (late).
    queue.run_repeating(
        monthly_report_job, interval=MONTHLY_CHECK_SECONDS, first=_next_hour_seconds(), name="monthly_report"
    )
    queue.run_once(monthly_report_job, when=60, name="monthly_report_catch_up")
    queue.run_repeating(
        broadcast_reports_job,
        interval=deps.settings.admin.broadcast_check_seconds,
        first=deps.settings.admin.broadcast_check_seconds,
        name="broadcast_reports",
    )


# --- /ekspor ------------------------------------------------------------------------------------------------------


@answers_refusals
async def cmd_export(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    context.services.reports.check_export(who)
    await reply(update, rv.export_kinds(t), reply_markup=kb.export_kinds(t))


@answers_refusals
async def on_export_kind(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    kind = button_arg(update)
    context.services.reports.check_export(who, kind)
    if kind in FULL_OPTIONAL and context.services.reports.may_export_full(who):  # an auditor's is masked
        await redraw(update, rv.export_mask(t, kind), kb.export_mask(t, kind))
    else:
        await redraw(update, rv.export_range(t, kind), kb.export_range(t, kind, 0))


@answers_refusals
async def on_export_mask(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    kind, unmasked = button_arg(update, 0), bool(int_arg(update, 1))
    context.services.reports.check_export(who, kind, unmasked=unmasked)
    await redraw(update, rv.export_range(t, kind), kb.export_range(t, kind, int(unmasked)))


@answers_refusals
async def on_export_range(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    span = context.services.reports.export_range(button_arg(update, 1))
    await _export(update, context, who, button_arg(update, 0), span, bool(int_arg(update, 2)))


@answers_refusals
async def on_export_other_dates(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    await context.services.reports.start_custom_export(who, button_arg(update, 0), bool(int_arg(update, 1)))
    await answer_and_send(update, rv.export_range_prompt(t), kb.cancel_only(t))


async def on_export_dates(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    kind, unmasked = await context.services.reports.custom_export(who)
    span = context.services.reports.parse_range(typed_text(update))
    await _export(update, context, who, kind, span, unmasked)


async def _export(
    update: Update, context: BotContext, who: Identity, kind: str, span: tuple[dt.date, dt.date], unmasked: bool
) -> None:
    t = context.translator(who)
    chat = update.effective_chat
    assert chat is not None
    # Who may export is known at once: a refusal is an alert (or a reply), never "Preparing…" first.
    context.services.reports.check_export(who, kind, unmasked=unmasked)
    if update.callback_query is not None:
        # Answered now: a large export takes longer than a button may keep spinning. A refusal that
        # comes later is therefore a message, not an alert.
        await answer_press(update, rv.export_working(t))
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    try:
        export = await context.services.reports.export(who, kind, span, t, unmasked=unmasked)
    except ServiceError as error:
        await context.bot.send_message(chat.id, views.refusal(t, error))
        return
    caption = rv.export_caption(t, kind, export.rows, span, unmasked, zone_label(context.deps.settings.locale.timezone))
    await send_file(context, chat.id, export.name, export.content, caption)

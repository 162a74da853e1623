"""/siaran: a message to the operators (all, a province's, a team's), its confirmation and its delivery report."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.i18n import Translator
from bot.services import Identity
from handlers.admin import admin_here, answer_and_close
from handlers.context import BotContext, Deps
from handlers.keyboards import admin as kb
from handlers.outbox import Rendered
from handlers.replies import answers_refusals, button_arg, int_arg, redraw, reply, typed_text
from handlers.views import admin as av


@answers_refusals
async def cmd_broadcast(update: Update, context: BotContext) -> None:
    if (here := await admin_here(update, context)) is None:
        return
    who, t = here
    audiences = await context.services.broadcasts.audiences(who)
    await reply(update, av.broadcast_audience(t, audiences), reply_markup=kb.broadcast_audience(t, audiences))


@answers_refusals
async def on_broadcast_audience(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    audience = button_arg(update)
    if audience == "all":
        await _broadcast_prompt(update, context, who, "all", None)
        return
    audiences = await context.services.broadcasts.audiences(who)
    if audience == "province":
        await redraw(update, av.broadcast_provinces(t), kb.broadcast_provinces(t, audiences))
    else:
        await redraw(update, av.broadcast_teams(t), kb.broadcast_teams(t, audiences))


async def _broadcast_prompt(update: Update, context: BotContext, who: Identity, audience: str, ref: str | None) -> None:
    t = context.translator(who)
    count = await context.services.broadcasts.begin(who, audience, ref)
    await redraw(update, av.broadcast_prompt(t, count), kb.cancel_only(t))


@answers_refusals
async def on_broadcast_province(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _broadcast_prompt(update, context, who, "province", button_arg(update))


@answers_refusals
async def on_broadcast_team(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _broadcast_prompt(update, context, who, "team", str(int_arg(update)))


async def on_broadcast_text(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    preview = await context.services.broadcasts.draft(who, typed_text(update))
    await reply(
        update,
        av.broadcast_preview(t, preview, context.deps.settings.program.centre_name),
        reply_markup=kb.broadcast_preview(t, preview.broadcast.id, preview.recipients),
    )


@answers_refusals
async def on_broadcast_send(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    preview = await context.services.broadcasts.confirm(who, int_arg(update))
    await answer_and_close(update)  # the preview stays readable as what was sent
    await reply(update, av.broadcast_queued(t, preview))


@answers_refusals
async def on_broadcast_cancel(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await context.services.broadcasts.cancel(who, int_arg(update))
    await redraw(update, av.broadcast_cancelled(context.translator(who)))


async def render_broadcast(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    body = await deps.services.broadcasts.body(int(params["broadcast_id"]))
    if body is None:
        return None
    # Not clipped: the body's length was checked when it was typed, and Telegram's limit counts the
    # visible text (an escaped "&" is one character), which clipping the HTML would not respect.
    return Rendered(av.broadcast_message(t, deps.settings.program.centre_name, body))


async def render_broadcast_report(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered:
    return Rendered(av.broadcast_report(t, params))


async def broadcast_reports_job(context: BotContext) -> None:
    """Repeating job: report on every broadcast whose messages are all settled."""
    await context.deps.services.broadcasts.report_settled()

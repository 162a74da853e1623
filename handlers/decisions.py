"""Decisions that need words or numbers: return/reject with reasons (PIC), and the SK (head).

Both continue in the person's private chat; what they have picked and typed so far lives in the
``conversations`` table, so a restart loses nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from telegram import Update
from telegram.error import BadRequest

from bot.domain.models import Action, ProposalStatus
from bot.files.finance_sheets import build_sk_annex
from bot.i18n import Translator
from bot.services import Identity
from bot.services.budget import OverCeiling
from bot.services.decrees import SkDraft
from handlers import views
from handlers.context import BotContext, Deps
from handlers.keyboards import payments as pkb
from handlers.keyboards import reviews as kb
from handlers.outbox import Rendered
from handlers.replies import (
    alert_text,
    answer_press,
    answers_refusals,
    int_arg,
    optional_arg,
    redraw,
    refused_in_group,
    reply,
    typed_text,
)
from handlers.reviews import action_arg, send_private
from handlers.views import _
from handlers.views import budget as bv
from handlers.views import payments as pv
from handlers.views import reviews as rv

# --- return / reject (PIC) ------------------------------------------------------------------------------

_DECIDED = {ProposalStatus.RETURNED: Action.RETURN, ProposalStatus.REJECTED: Action.REJECT}


@answers_refusals
async def on_decision_pressed(update: Update, context: BotContext) -> None:
    """Return or Reject on the card: the reasons checklist opens in the presser's private chat."""
    who, t = await context.identify_reader(update)
    draft = await context.services.reviews.start_decision(who, int_arg(update), action_arg(update, 1))

    async def send(chat_id: int) -> None:
        await context.bot.send_message(chat_id, rv.reason_draft(t, draft), reply_markup=kb.reason_checklist(t, draft))

    if await send_private(update, context, who, send):
        await answer_press(update, rv.detail_sent(t))


@answers_refusals
async def on_reason_pressed(update: Update, context: BotContext) -> None:
    """A tick in the checklist, Confirm (``ok``) or Cancel (``x``)."""
    who, t = await context.identify_reader(update)
    proposal_id, item = int_arg(update), optional_arg(update, 1)
    services = context.services.reviews
    if item == "ok":
        proposal = await services.decide(who, proposal_id)
        text, markup = _(t, rv.ACTION_DONE[_DECIDED[proposal.status]], code=proposal.code), None
    elif item == "x":
        proposal = await services.cancel_decision(who, proposal_id)
        text, markup = rv.decision_cancelled(t, proposal.code), None
    else:
        draft = await services.toggle_reason(who, proposal_id, item)
        text, markup = rv.reason_draft(t, draft), kb.reason_checklist(t, draft)
    await redraw(update, text, markup)


async def on_reason_text(update: Update, context: BotContext) -> None:
    """The reason typed as a message: show the checklist again, now with Confirm."""
    who, t = await context.identify_reader(update)
    draft = await context.services.reviews.reason_text(who, typed_text(update))
    await reply(update, rv.reason_draft(t, draft), reply_markup=kb.reason_checklist(t, draft))


async def _reasons_notice(deps: Deps, t: Translator, params: dict[str, Any], *, returned: bool) -> Rendered | None:
    found = await deps.services.reviews.reasons(int(params["proposal_id"]), int(params["version"]))
    if found is None:
        return None
    proposal, clients, reasons = found
    if returned:
        return Rendered(rv.returned_notice(t, proposal, clients, reasons), kb.revise(t, proposal.id))
    return Rendered(rv.rejected_notice(t, proposal, clients, reasons))


async def render_returned(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To the IPWL's operators: returned, with every reason, and a button to revise."""
    return await _reasons_notice(deps, t, params, returned=True)


async def render_rejected(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    return await _reasons_notice(deps, t, params, returned=False)


# --- SK (head of centre) ------------------------------------------------------------------------------------


@answers_refusals
async def cmd_sk(update: Update, context: BotContext) -> None:
    """``/sk``: tick validated proposals, give the number and date, confirm."""
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    draft = await context.services.decrees.start(who)
    await _show_sk_card(update, context, who, draft)


@answers_refusals
async def on_sk_pressed(update: Update, context: BotContext) -> None:
    """``p`` tick a proposal, ``n`` ask for the number, ``r`` take it from the register, ``y`` issue, ``x`` cancel."""
    who, t = await context.identify_reader(update)
    query = update.callback_query
    assert query is not None
    op = optional_arg(update)
    decrees = context.services.decrees
    if op == "y":
        try:
            decree, count = await decrees.issue(who)
        except OverCeiling as over:
            # The four figures do not fit an alert (200 characters): a message of its own; the
            # draft stays open to untick proposals.
            await answer_press(update, alert_text(views.refusal(t, over)), show_alert=True)
            await reply(update, bv.over_ceiling(t, over.years))
            # The draft stays open, and its card moves below the refusal: what the head taps next,
            # and the SK it issues, is drawn there — not on the card above the refusal.
            pressed = query.message.message_id if query.message else None
            await _show_sk_card(update, context, who, replace(await decrees.current(who), replaces=pressed))
            return
        await answer_press(update)
        await redraw(update, pv.sk_issued(t, decree, count))
        return
    if op == "x":
        await decrees.cancel(who)
        await answer_press(update)
        await redraw(update, pv.sk_cancelled(t))
        return
    if op == "p":
        draft = await decrees.toggle(who, int_arg(update, 1))
    elif op == "n":
        draft = await decrees.ask_number(who)
    elif op == "r":
        draft = await decrees.use_register(who)
    else:
        draft = await decrees.current(who)
    await redraw(update, pv.sk_draft(t, draft), pkb.sk_draft(t, draft))


async def on_sk_text(update: Update, context: BotContext) -> None:
    """The SK number (and date) typed by the head."""
    who = await context.identify(update)
    draft = await context.services.decrees.number_text(who, typed_text(update))
    await _show_sk_card(update, context, who, draft)


async def _show_sk_card(update: Update, context: BotContext, who: Identity, draft: SkDraft) -> None:
    """Send the SK card as a new message and close the one it replaces (one live card at a time)."""
    t = context.translator(who)
    chat = update.effective_chat
    assert chat is not None
    if draft.replaces is not None:
        try:
            await context.bot.edit_message_text(
                pv.sk_card_replaced(t), chat_id=chat.id, message_id=draft.replaces, reply_markup=None
            )
        except BadRequest:
            pass  # deleted by the person, or already closed: nothing left to take away
    sent = await reply(update, pv.sk_draft(t, draft), reply_markup=pkb.sk_draft(t, draft))
    await context.services.decrees.card_sent(who, sent.message_id)


async def render_sk_issued(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To the IPWL's operators: the SK is out; send the bank accounts."""
    found = await deps.services.decrees.proposal_decree(int(params["proposal_id"]))
    return Rendered(pv.sk_issued_notice(t, *found)) if found else None


async def render_sk_annex(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To the head: the annex workbook (beneficiaries by IPWL with amounts)."""
    annex = await deps.services.decrees.annex(int(params["decree_id"]))
    if annex is None:
        return None
    content = build_sk_annex(annex.decree.number, annex.decree.issued_on, annex.rows, t.locale)
    name = "lampiran-sk-" + "".join(ch if ch.isalnum() else "-" for ch in annex.decree.number).strip("-") + ".xlsx"
    total = sum(r.amount for r in annex.rows)
    caption = pv.sk_annex_caption(t, annex.decree, len(annex.rows), total, annex.held, annex.confirmed)
    return Rendered(caption, pkb.annex_held(t, annex.held), document=(name, content))

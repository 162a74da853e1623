"""Changes after the SK (issue 16.6): ``/perubahan KODE`` (operators), the card in the PIC team's
group and its private details, ``/skperubahan`` (the head), and finance's refunds in ``/bayar``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import InputFile, Message, Update
from telegram.error import BadRequest

from bot.domain.client_changes import ChangeKind, ChangeStatus, ChangeStep
from bot.domain.models import Attachment
from bot.files.amendment_annex import build_amendment_annex
from bot.i18n import Translator
from bot.services import FileUpload, StaleButton
from bot.services.client_changes import RefundEntry
from handlers import views
from handlers.admin import answer_and_send
from handlers.context import BotContext, Deps
from handlers.keyboards import client_changes as kb
from handlers.outbox import Rendered
from handlers.replies import (
    answer_press,
    answers_refusals,
    button_arg,
    download,
    int_arg,
    redraw,
    refused_in_group,
    reply,
    send_photo_or_document,
    typed_text,
    upload_of,
)
from handlers.reviews import send_private
from handlers.views import client_changes as cv

# --- the operator ---------------------------------------------------------------------------------


@answers_refusals
async def cmd_change(update: Update, context: BotContext) -> None:
    """``/perubahan KODE``: the decreed proposal's clients; tap one to ask for a change."""
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    args = list(context.args or [])
    if not args:
        if not who.actor.operated_ipwl_ids:
            await reply(update, cv.usage(t))
            return
        proposals = await context.services.client_changes.changeable(who)
        await reply(update, cv.changeable(t, proposals), reply_markup=kb.changeable(t, proposals))
        return
    if len(args) > 1:  # /perubahan KODE N: the client by number (a long list has no buttons)
        picked = await context.services.client_changes.pick_number(who, args[0], args[1])
        client = picked.client
        await reply(
            update,
            cv.pick_kind(t, client.position, client.full_name),
            reply_markup=kb.kinds(t, client.id, picked.kinds),
        )
        return
    data = await context.services.client_changes.sheet(who, args[0])
    await reply(update, cv.sheet(t, data), reply_markup=kb.sheet(t, data))


@answers_refusals
async def on_proposal_pressed(update: Update, context: BotContext) -> None:
    """A proposal pressed in the ``/perubahan`` list: its clients, in place of the list."""
    who, t = await context.identify_reader(update)
    data = await context.services.client_changes.sheet_of(who, int_arg(update))
    await redraw(update, cv.sheet(t, data), kb.sheet(t, data))


@answers_refusals
async def on_client_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    picked = await context.services.client_changes.pick(who, int_arg(update))
    client = picked.client
    markup = kb.kinds(t, client.id, picked.kinds)
    await answer_and_send(update, cv.pick_kind(t, client.position, client.full_name), markup)


@answers_refusals
async def on_kind_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    try:
        kind = ChangeKind(button_arg(update, 1))
    except ValueError:
        raise StaleButton() from None
    draft = await context.services.client_changes.start(who, int_arg(update), kind)
    await answer_and_send(update, cv.ask(t, draft), None)


async def on_text(update: Update, context: BotContext) -> None:
    """The corrected value, the receiving IPWL or the reason."""
    who = await context.identify(update)
    draft = await context.services.client_changes.answer(who, typed_text(update))
    await reply(update, cv.ask(context.translator(who), draft))


async def _checked_file(message: Message, context: BotContext) -> tuple[FileUpload, bytes]:
    """A photo or PDF sent as evidence or proof: its kind and size checked before it is downloaded."""
    upload = upload_of(message)
    context.services.client_changes.check_evidence(upload)
    return upload, await download(context, upload.telegram_file_id)


async def on_file(update: Update, context: BotContext) -> None:
    """The evidence (a photo or a PDF): the request is filed."""
    message = update.effective_message
    assert message is not None
    who = await context.identify(update)
    upload, data = await _checked_file(message, context)
    change = await context.services.client_changes.evidence(who, upload, data)
    await reply(update, cv.filed(context.translator(who), change))


# --- PIC and head ---------------------------------------------------------------------------------


@answers_refusals
async def on_detail_pressed(update: Update, context: BotContext) -> None:
    """The change in full, with its evidence, in the presser's private chat (never in the group)."""
    who, t = await context.identify_reader(update)
    data = await context.services.client_changes.detail(who, int_arg(update))

    async def send(chat_id: int) -> None:
        await context.bot.send_message(chat_id, cv.detail(t, data), reply_markup=kb.detail(t, data))
        if data.evidence is not None:
            await _resend(context, chat_id, data.evidence)

    if await send_private(update, context, who, send):
        await answer_press(update, cv.detail_sent(t))


async def _resend(context: BotContext, chat_id: int, attachment: Attachment) -> None:
    """The evidence by its Telegram file id, or the centre's stored copy if Telegram lost it."""
    photo = (attachment.mime_type or "").startswith("image/")
    try:
        await send_photo_or_document(context, chat_id, attachment.telegram_file_id, photo=photo)
        return
    except BadRequest:
        pass
    data = context.services.client_changes.stored_copy(attachment)
    if data is None:
        return
    upload = InputFile(data, filename=attachment.file_name or "bukti")
    await send_photo_or_document(context, chat_id, upload, photo=photo)


@answers_refusals
async def on_decision_pressed(update: Update, context: BotContext) -> None:
    """Verify (a PIC), or return / reject (a PIC, or the head once verified): the reason asked privately."""
    who, t = await context.identify_reader(update)
    try:
        action = ChangeStep(button_arg(update, 1))
    except ValueError:
        raise StaleButton() from None
    service = context.services.client_changes
    if action == ChangeStep.VERIFY:
        change = await service.verify(who, int_arg(update))
        await redraw(update, cv.progress(t, change))
        return
    change = await service.start_decision(who, int_arg(update), action)
    await answer_and_send(update, cv.ask_decision_reason(t, change, action == ChangeStep.RETURN), None)


async def on_reason_text(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    change = await context.services.client_changes.decision_text(who, typed_text(update))
    await reply(update, cv.progress(context.translator(who), change))


# --- the head: the SK perubahan ---------------------------------------------------------------------


@answers_refusals
async def cmd_amendment(update: Update, context: BotContext) -> None:
    """``/skperubahan``: the verified changes, the number and date, then Issue."""
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    draft = await context.services.client_changes.amendment(who)
    await reply(update, cv.amendment_draft(t, draft), reply_markup=kb.amendment(t, draft))


async def on_amendment_text(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    draft = await context.services.client_changes.amendment_number(who, typed_text(update))
    await reply(update, cv.amendment_draft(t, draft), reply_markup=kb.amendment(t, draft))


@answers_refusals
async def on_amendment_pressed(update: Update, context: BotContext) -> None:
    """``r`` the next number from the register, ``y`` issue, ``x`` cancel."""
    who, t = await context.identify_reader(update)
    service = context.services.client_changes
    op = button_arg(update)
    if op == "y":
        decree, changes = await service.issue_amendment(who)
        await redraw(update, cv.amendment_issued(t, decree, changes))
    elif op == "r":
        draft = await service.amendment_register(who)
        await redraw(update, cv.amendment_draft(t, draft), kb.amendment(t, draft))
    else:
        await service.cancel_amendment(who)
        await redraw(update, views.cancelled(t))


# --- finance: refunds -------------------------------------------------------------------------------


@answers_refusals
async def on_refund_pressed(update: Update, context: BotContext) -> None:
    """ "Returned": the amount read back, to confirm with ✅ (nothing is recorded on this press)."""
    who, t = await context.identify_reader(update)
    entry = await context.services.client_changes.start_refund(who, int_arg(update))
    await answer_and_send(update, cv.refund_ask(t, entry), None)


async def on_refund_text(update: Update, context: BotContext) -> None:
    """The amount and date received, then the proof's reference number."""
    who, t = await context.identify_reader(update)
    entry = await context.services.client_changes.refund_text(who, typed_text(update))
    await _refund_next(update, t, entry, context)


async def on_refund_file(update: Update, context: BotContext) -> None:
    """The proof as a photo or a PDF (a deposit slip)."""
    message = update.effective_message
    assert message is not None
    who = await context.identify(update)
    upload, data = await _checked_file(message, context)
    entry = await context.services.client_changes.refund_proof(who, upload, data)
    await _refund_next(update, context.translator(who), entry, context)


async def _refund_next(update: Update, t: Translator, entry: RefundEntry, context: BotContext) -> None:
    if entry.step == "confirm":
        await reply(update, cv.refund_confirm(t, entry), reply_markup=kb.refund_confirm(t, entry.case.id))
    else:
        await reply(update, cv.refund_ask(t, entry))


@answers_refusals
async def on_refund_confirmed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    case = await context.services.client_changes.settle_refund(who, int_arg(update))
    await redraw(update, cv.refund_settled(context.translator(who), case))


@answers_refusals
async def on_refund_cancelled(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await context.services.client_changes.cancel_refund(who)
    await redraw(update, cv.refund_not_recorded(context.translator(who)))


# --- notifications ------------------------------------------------------------------------------------


async def render_requested(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """The team's group (or each PIC): a change to check — codes and the kind, no personal data."""
    change = await deps.services.client_changes.change(int(params["change_id"]))
    return Rendered(cv.card(t, change), kb.card(t, change.id)) if change else None


async def render_card_update(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """The group card edited after a step: where the change is now; its button only while it waits."""
    change = await deps.services.client_changes.change(int(params["change_id"]))
    if change is None:
        return None
    markup = kb.card(t, change.id) if change.status == ChangeStatus.REQUESTED else None
    return Rendered(cv.card(t, change), markup, edit_message_id=int(params["message_id"]))


async def render_to_approve(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    found = await deps.services.client_changes.to_approve(int(params["change_id"]))
    if found is None:
        return None
    change, check = found
    return Rendered(cv.to_approve(t, change, check), kb.card(t, change.id))


async def render_decided(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To the operators: the step, and once approved the SK perubahan and any money to come back."""
    decided = await deps.services.client_changes.decided(int(params["change_id"]))
    if decided is None:
        return None
    return Rendered(cv.progress(t, decided.change, amendment=decided.amendment, refund=decided.refund))


async def render_moved_in(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    found = await deps.services.client_changes.moved_in(int(params["change_id"]))
    if found is None:
        return None
    change, client, from_ipwl = found
    return Rendered(cv.moved_in(t, change, client, from_ipwl))


async def render_amendment_annex(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    annex = await deps.services.client_changes.amendment_annex(int(params["decree_id"]))
    if annex is None:
        return None
    content = build_amendment_annex(annex.decree.number, annex.decree.issued_on, annex.lines, t.locale)
    name = "lampiran-sk-perubahan-" + "".join(ch if ch.isalnum() else "-" for ch in annex.decree.number).strip("-")
    return Rendered(cv.amendment_annex_caption(t, annex.decree, len(annex.lines)), document=(name + ".xlsx", content))


async def render_refund_recorded(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To the IPWL's operators: finance recorded (part of) a refund as received."""
    case = await deps.services.client_changes.refund(int(params["refund_id"]))
    if case is None:
        return None
    return Rendered(cv.refund_recorded(t, case, int(params["amount"]), dt.date.fromisoformat(str(params["on"]))))


async def render_refund_opened(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    case = await deps.services.client_changes.refund(int(params["refund_id"]))
    return Rendered(cv.refund_opened(t, case), kb.refunds(t, [case])) if case else None

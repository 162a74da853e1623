"""Step (f) in chat: the operator's /lpj conversation, the PIC and finance buttons, and the LPJ
notifications. Every handler: who is this → one service call → render → reply; the LPJ draft in the
database is the conversation's state, so nothing is kept in memory between updates."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from telegram import Update
from telegram.error import BadRequest, Forbidden

from bot.clock import today_in
from bot.domain.lpj_intake import NumberedLine, Reply, Step
from bot.domain.models import Attachment
from bot.domain.validation import ValidationError
from bot.files.lpj_sheet import build_lpj_template, template_name
from bot.files.problems import ImportRejected
from bot.i18n import N_, Translator
from bot.services import LpjState, ServiceError
from handlers import views
from handlers.context import BotContext, Deps
from handlers.keyboards import lpj as kb
from handlers.outbox import Rendered
from handlers.replies import (
    alerted_refused_press,
    answer_press,
    answers_refusals,
    chat_id,
    close_buttons,
    download,
    int_arg,
    is_private,
    optional_arg,
    pressed_choice,
    redraw,
    refused_in_group,
    reply,
    send_file,
    send_photo_or_document,
    typed_text,
    upload_of,
)
from handlers.reviews import send_private
from handlers.views import lpj as lv

log = logging.getLogger("atensi.lpj")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _today(context: BotContext, state: LpjState) -> dt.date:
    """Today in the IPWL's zone (a Papuan operator's "today" starts two hours before Java's)."""
    return today_in(context.deps.clock, state.zone)


async def _ask(update: Update, context: BotContext, state: LpjState, previous: NumberedLine | None = None) -> None:
    """Send the question at the LPJ's cursor, with its one-tap answers."""
    t = context.translator(await context.identify(update))
    text = _question_text(context, t, state, previous)
    await context.bot.send_message(chat_id(update), text, reply_markup=kb.for_question(t, state))


def _question_text(context: BotContext, t: Translator, state: LpjState, previous: NumberedLine | None = None) -> str:
    """The question at the LPJ's cursor (after ``previous``, the line just answered, read back)."""
    return lv.question(t, state, _today(context, state), context.services.lpj.rules, previous)


# --- the operator -----------------------------------------------------------------------------------


@answers_refusals
async def cmd_lpj(update: Update, context: BotContext) -> None:
    """``/lpj`` opens the LPJ due (or asks which one); ``/lpj CODE`` opens that proposal's."""
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    if context.args:
        state = await context.services.lpj.open(who, code=context.args[0])
    else:
        choices = await context.services.lpj.choices(who)
        if not choices:
            await reply(update, lv.nothing_due(t))
            return
        if len(choices) > 1:
            await reply(update, lv.choose(t), reply_markup=kb.choose(choices))
            return
        state = await context.services.lpj.open(who, proposal_id=choices[0][0])
    await _ask(update, context, state)


@answers_refusals
async def on_open_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    state = await context.services.lpj.open(who, proposal_id=int_arg(update))
    await close_buttons(update)
    await _ask(update, context, state)


async def _answer(update: Update, context: BotContext, answer: Reply) -> None:
    who, t = await context.identify_reader(update)
    before = await context.services.lpj.current(who)
    try:
        state = await context.services.lpj.answer(who, answer)
    except ValidationError as error:
        text = views.refusal(t, error)  # the draft is unchanged; say what was wrong
        if not await alerted_refused_press(update, text):
            await reply(update, text)
        return
    query = update.callback_query
    if query is not None:
        await answer_press(update)
        files = (Step.EVIDENCE, Step.EVIDENCE_REMOVE)
        toggled = state.cursor.step == Step.SERVICE_COMPONENTS or (
            state.cursor.step in files
            and before is not None
            and before.cursor.step in files
            and answer.choice != "review"
        )
        if toggled:  # a toggle: redraw the same question in place instead of a new message
            # (pressing the tab already selected redraws the same screen: edit() treats that as done)
            await redraw(update, _question_text(context, t, state), kb.for_question(t, state))
            return
        await close_buttons(update)
    previous = (
        before.line if before is not None and before.cursor.step in (Step.REALIZATION, Step.REALIZATION_NOTE) else None
    )
    await _ask(update, context, state, previous)


async def on_text(update: Update, context: BotContext) -> None:
    """Free text while an LPJ is open: the answer to its current question."""
    await _answer(update, context, Reply(text=typed_text(update)))


@answers_refusals
async def on_answer_pressed(update: Update, context: BotContext) -> None:
    await _answer(update, context, Reply(choice=pressed_choice(update)))


@answers_refusals
async def on_section_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    state = await context.services.lpj.go_to(who, optional_arg(update, 0, "review"))
    await close_buttons(update)
    await _ask(update, context, state)


@answers_refusals
async def on_template_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    state = await context.services.lpj.current(who)
    if state is None:
        raise ServiceError("no_lpj_open", N_("There is no LPJ open. Open one with /lpj."))
    await answer_press(update)
    data = build_lpj_template(state.content, state.proposal.code, who.locale)
    await send_file(context, who.person.telegram_user_id, template_name(state.proposal.code), data, lv.send_template(t))


@answers_refusals
async def on_submit_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    query = update.callback_query
    assert query is not None
    try:
        state = await context.services.lpj.submit(who, int_arg(update))
    except ValidationError as error:
        # The whole list of what is missing, as a message: an alert would cut it off.
        await answer_press(update)
        await reply(update, views.refusal(t, error))
        return
    await close_buttons(update)
    team = await context.services.onboarding.team_of(state.ipwl)
    await reply(update, lv.submitted(t, state, team.name if team else None))


async def on_file(update: Update, context: BotContext) -> None:
    """A file while an LPJ is open: the LPJ workbook (XLSX), or evidence (receipt, photo, BAST)."""
    message = update.effective_message
    assert message is not None
    who, t = await context.identify_reader(update)
    service = context.services.lpj
    state = await service.current(who)
    if state is None:
        await reply(update, views.no_upload_expected(t))
        return
    upload = upload_of(message)
    spreadsheet = upload.mime_type == XLSX
    service.check_upload(state, upload, spreadsheet=spreadsheet)  # before downloading anything
    data = await download(context, upload.telegram_file_id)
    if spreadsheet:
        try:
            sheet = service.parse_sheet(state, data, context.deps.clock.now())
        except ImportRejected as rejected:
            await reply(update, lv.sheet_problems(t, rejected.problems))
            return
        state = await service.import_sheet(who, sheet.realizations, sheet.services)
        await reply(update, lv.sheet_imported(t, len(sheet.realizations), len(sheet.services)))
        await _ask(update, context, state)
        return
    state = await service.keep_file(who, upload, data)  # an empty or broken file is refused there
    if state.cursor.step in (Step.EVIDENCE, Step.EVIDENCE_REMOVE, Step.RECEIPT_AMOUNT):
        await _ask(update, context, state)
    else:
        await reply(update, lv.evidence_saved(t, state))


# --- PIC and finance ----------------------------------------------------------------------------------


@answers_refusals
async def on_verify_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    review = await context.services.lpj.verify(who, int_arg(update))
    await answer_press(update, lv.verified(context.translator(who), review.proposal.code))


@answers_refusals
async def on_validate_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    review = await context.services.lpj.validate(who, int_arg(update))
    await answer_press(update, lv.validated(context.translator(who), review.proposal.code))
    await close_buttons(update)


@answers_refusals
async def on_return_pressed(update: Update, context: BotContext) -> None:
    """Return: the reasons are typed in the presser's private chat (never in the group)."""
    who, t = await context.identify_reader(update)

    async def ask_reasons(private_chat: int) -> None:
        started = await context.services.lpj.start_return(who, int_arg(update))
        try:
            await context.bot.send_message(
                private_chat, lv.reason_prompt(t, started.proposal.code), reply_markup=kb.cancel_return(t)
            )
        except Forbidden:  # blocked the bot since: undo (send_private sends them to the private chat)
            await context.services.lpj.cancel_return(who)
            raise

    if await send_private(update, context, who, ask_reasons):
        await answer_press(update, lv.reason_asked(t))


async def on_reason_text(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    review = await context.services.lpj.return_lpj(who, typed_text(update))
    await reply(update, lv.returned_by_staff(context.translator(who), review.proposal.code))


@answers_refusals
async def on_cancel_return_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await context.services.lpj.cancel_return(who)
    await redraw(update, lv.return_cancelled(context.translator(who)))


@answers_refusals
async def on_detail_pressed(update: Update, context: BotContext) -> None:
    """The whole LPJ, with names: always in the presser's private chat."""
    who, t = await context.identify_reader(update)
    shown: list[LpjState] = []

    async def send_detail(chat_id: int) -> None:
        detail = await context.services.lpj.detail(who, int_arg(update))
        await context.bot.send_message(chat_id, lv.detail(t, detail.state, _today(context, detail.state)))
        # The evidence itself, by Telegram file id (nothing is uploaded again): who approves sees it.
        for number, (evidence, attachment) in enumerate(detail.files, start=1):
            await _send_evidence(
                context, chat_id, t, lv.evidence_caption(t, evidence, number, len(detail.files)), attachment
            )
        shown.append(detail.state)

    if not await send_private(update, context, who, send_detail):
        return
    await context.services.lpj.detail_shown(who, shown[0].proposal.id)
    await answer_press(update, None if is_private(update) else lv.detail_sent(t))


async def _send_evidence(
    context: BotContext, chat_id: int, t: Translator, caption: str, attachment: Attachment
) -> None:
    photo = (attachment.mime_type or "").startswith("image/")
    try:
        await send_photo_or_document(context, chat_id, attachment.telegram_file_id, photo=photo, caption=caption)
    except BadRequest:
        # A file id Telegram no longer knows: say so, so nobody approves what they could not see.
        await context.bot.send_message(chat_id, caption + "\n" + lv.evidence_unavailable(t))


# --- notifications ----------------------------------------------------------------------------------------


async def render_card(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """The LPJ's card in the PIC group: a new one per submission, edited as the review moves on."""
    review = await deps.services.lpj.review(int(params["proposal_id"]))
    if review is None:
        return None
    edit = (
        None if params.get("new") else await deps.services.lpj.card_message(review.proposal.id, int(params["chat_id"]))
    )
    return Rendered(
        lv.card(t, review, deps.settings.locale.timezone),
        kb.card(t, review.proposal.id, review.proposal.status),
        edit_message_id=edit,
    )


async def render_to_validate(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    review = await deps.services.lpj.review(int(params["proposal_id"]))
    if review is None:
        return None
    return Rendered(
        lv.to_validate(t, review, deps.settings.locale.timezone),
        kb.to_validate(t, review.proposal.id, review.proposal.status),
    )


async def render_returned(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    found = await deps.services.lpj.returned_reasons(int(params["proposal_id"]))
    if found is None:
        return None
    proposal, version, reasons = found
    return Rendered(lv.returned_to_operator(t, proposal.code, version, reasons))


async def render_closed(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    review = await deps.services.lpj.review(int(params["proposal_id"]))
    return Rendered(lv.closed(t, review.proposal.code)) if review is not None else None

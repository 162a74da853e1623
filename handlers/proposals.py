"""The operator's side of step (b): /ajukan, /lanjut, answers, review, submit, withdraw, files.

Every handler: who is this → one service call → render → reply. The conversation's state is the
draft in the database, so these handlers keep nothing in memory between updates.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.domain.models import Component
from bot.domain.proposal_intake import Reply, Step
from bot.domain.validation import ValidationError
from bot.files.client_sheet import TEMPLATE_FILE_NAME, ClientInput, build_template, parse_client_sheet
from bot.i18n import N_, Translator
from bot.services import DraftState, ServiceError, StaleButton
from bot.services.proposals import EDITABLE
from handlers import buttons, views
from handlers.context import BotContext
from handlers.keyboards import proposals as kb
from handlers.replies import (
    alerted_refused_press,
    answer_press,
    answers_refusals,
    button_args,
    chat_id,
    close_buttons,
    download,
    int_arg,
    keep_answered,
    optional_arg,
    pressed_choice,
    redraw,
    refused_in_group,
    reply,
    send_file,
    typed_text,
    upload_of,
)
from handlers.views import proposals as pv

log = logging.getLogger("atensi.proposals")

SPREADSHEET_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/csv",
    "text/comma-separated-values",
}


async def _ask(update: Update, context: BotContext, state: DraftState, *, prefix: str = "") -> None:
    """Send the question at the draft's cursor, with its one-tap answers (after ``prefix``)."""
    who, t = await context.identify_reader(update)
    if state.cursor.step == Step.REVIEW:
        text = pv.review(t, state)
        if state.edited_nik is not None:
            text = pv.nik_read_back(t, state, context.services.proposals.regions) + "\n\n" + text
    else:
        text = _question_text(context, t, state)
    markup = _answers(context, t, state)
    if prefix:
        text = prefix + "\n\n" + text
    sent = await context.bot.send_message(chat_id(update), views.clip(text), reply_markup=markup)
    if context.chat_data is not None:
        context.chat_data[_ASKED_WITH_BUTTONS] = sent.message_id if markup is not None else None


def _question_text(context: BotContext, t: Translator, state: DraftState) -> str:
    """The question at the draft's cursor (any step but the review, which ``_ask`` writes)."""
    proposals = context.services.proposals
    return pv.question(
        t, state, proposals.regions, context.deps.settings.intake.unit_cost_ceilings, proposals.today_for(state)
    )


def _answers(context: BotContext, t: Translator, state: DraftState) -> InlineKeyboardMarkup | None:
    """The one-tap answers to the question at the draft's cursor."""
    proposals = context.services.proposals
    return kb.for_question(t, state, proposals.regions, proposals.today_for(state))


# The chat's last question that came with buttons: a typed answer closes them (in this process;
# a question asked by another worker keeps its buttons, which answer the current step as before).
_ASKED_WITH_BUTTONS = "intake_question_with_buttons"
# A tap on one of these redraws the components picker in place; any other answer moves on.
_COMPONENT_TOGGLES = frozenset(c.value for c in Component)


async def _close_typed_over(update: Update, context: BotContext) -> None:
    """The question answered by typing (e.g. components "1, 4") keeps no live buttons: a later tap
    on them would answer another question."""
    asked = context.chat_data.pop(_ASKED_WITH_BUTTONS, None) if context.chat_data is not None else None
    chat = update.effective_chat
    if asked is None or chat is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat.id, asked, reply_markup=None)
    except BadRequest:
        pass  # already without buttons, or too old to edit


# --- commands --------------------------------------------------------------------------------------


@answers_refusals
async def cmd_propose(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    ipwls = await context.services.proposals.operated_ipwls(who)
    if len(ipwls) > 1:  # one person running two IPWL: the proposal must not land in the wrong one
        await reply(update, pv.choose_ipwl(t), reply_markup=kb.choose_ipwl(ipwls))
        return
    await _start(update, context, None)


@answers_refusals
async def on_ipwl_chosen(update: Update, context: BotContext) -> None:
    await _start(update, context, int_arg(update))  # (a refusal is the press's answer, so answer after)
    await close_buttons(update)


async def _start(update: Update, context: BotContext, ipwl_id: int | None) -> None:
    """A new draft — or, when the IPWL already has one, the offer to continue or discard it."""
    who, t = await context.identify_reader(update)
    try:
        state = await context.services.proposals.start(who, ipwl_id)
    except ServiceError as error:
        if error.code != "draft_exists":
            raise
        draft = await context.services.proposals.resume(who, str(error.params["code"]))
        await reply(
            update, pv.draft_exists(t, draft.proposal.code), reply_markup=kb.continue_or_discard(t, draft.proposal.id)
        )
        return
    await _ask(update, context, state)


@answers_refusals
async def cmd_resume(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    code = context.args[0] if context.args else None
    await _ask(update, context, await context.services.proposals.resume(who, code))


@answers_refusals
async def cmd_template(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    await _send_template(update, context)


async def _send_template(update: Update, context: BotContext, *, listed: bool = False) -> None:
    """The blank template; with ``listed``, the open draft's clients and budget lines in it (when it
    has any), to add lines or correct data and send back."""
    who, t = await context.identify_reader(update)
    state = await context.services.proposals.current(who) if listed else None
    if state is not None and state.clients:
        content, name = build_template(who.locale, state.clients), f"klien-{state.proposal.code}.xlsx"
        caption = pv.send_client_list(t, state.proposal.code, len(state.clients))
    else:
        content, name, caption = build_template(who.locale), TEMPLATE_FILE_NAME, pv.send_template(t)
    await send_file(context, chat_id(update), name, content, caption)


async def on_cancel_command(update: Update, context: BotContext) -> None:
    """``/batal`` in a draft: ask before stopping (the draft is kept either way unless discarded)."""
    who, t = await context.identify_reader(update)
    state = await context.services.proposals.current(who)
    if state is None:
        await reply(update, views.nothing_to_cancel(t))
        return
    token = await context.services.proposals.ask_stop(who)
    # (the token marks this question: its Stop button is refused once the draft is resumed or answered)
    await reply(
        update,
        pv.confirm_discard(t, state.proposal.code),
        reply_markup=kb.confirm(
            (t.pgettext("button", "⏸ Stop, keep the draft"), buttons.DRAFT_STOP),
            (t.pgettext("button", "🗑 Discard the draft"), buttons.PROPOSAL_WITHDRAW),
            state.proposal.id,
            token,
        ),
    )


@answers_refusals
async def cmd_status(update: Update, context: BotContext) -> None:
    """``/status`` lists the IPWL's proposals; ``/status KODE`` shows one of them."""
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    if not context.args:
        statuses = await context.services.onboarding.operator_status(who)
        await reply(update, views.operator_status(t, statuses, context.deps.clock.now()))
        return
    state = await context.services.proposals.operator_view(who, context.args[0])
    await reply(
        update, pv.operator_detail(t, state, context.deps.clock.now()), reply_markup=kb.status_actions(t, state)
    )


# --- answers ---------------------------------------------------------------------------------------


async def _answer(update: Update, context: BotContext, answer: Reply) -> None:
    who, t = await context.identify_reader(update)
    try:
        state = await context.services.proposals.answer(who, answer)
    except ValidationError as error:
        # Say what was wrong and ask again (with the same buttons); the draft is unchanged.
        text = views.refusal(t, error)
        if await alerted_refused_press(update, text):
            return
        unchanged = await context.services.proposals.current(who)
        if unchanged is None:
            await reply(update, text)
            return
        await _close_typed_over(update, context)  # asked again below, with the same buttons
        await _ask(update, context, unchanged, prefix=text)
        return
    query = update.callback_query
    if query is not None:
        await answer_press(update)
        if (
            state.cursor.step in (Step.COMPONENTS, Step.EDIT)
            and state.cursor.edit_field in (None, "components")
            and answer.choice in _COMPONENT_TOGGLES
        ):
            # A toggle: redraw the same question in place instead of a new message.
            await query.edit_message_text(_question_text(context, t, state), reply_markup=_answers(context, t, state))
            return
        # The question stays in the chat with its answer; the next one comes in a new message.
        await keep_answered(update, _components_chosen(update, t) if answer.choice == "done" else None)
    else:
        await _close_typed_over(update, context)
    await _ask(update, context, state)


def _components_chosen(update: Update, t: Translator) -> str | None:
    """What "Done" on the components picker confirmed, read off the ticks the person saw."""
    query = update.callback_query
    markup = getattr(query.message, "reply_markup", None) if query else None
    if markup is None:
        return None
    ticked = [
        b.text.removeprefix("✅ ")
        for row in markup.inline_keyboard
        for b in row
        if b.text.startswith("✅ ") and b.text.removeprefix("✅ ").isdigit()
    ]
    return views._(t, N_("Components: {list}"), list=pv.components_label(t, ticked)) if ticked else None


async def on_text(update: Update, context: BotContext) -> None:
    """Free text while a draft is open: the answer to its current question."""
    await _answer(update, context, Reply(text=typed_text(update)))


@answers_refusals
async def on_answer_pressed(update: Update, context: BotContext) -> None:
    await _answer(update, context, Reply(choice=pressed_choice(update)))


# --- review buttons ----------------------------------------------------------------------------------


@answers_refusals
async def on_client_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    client_id = int_arg(update)
    state = await context.services.proposals.go_to(who, Step.REVIEW)
    client = next((c for c in state.clients if c.id == client_id), None)
    if client is None:
        raise StaleButton()
    await reply(update, pv.client_card(t, client), reply_markup=kb.client_card(t, state, client.id))


@answers_refusals
async def on_edit_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    state = await context.services.proposals.edit(who, int_arg(update), optional_arg(update, 1))
    await answer_press(update)
    await _ask(update, context, state)


@answers_refusals
async def on_budget_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    state = await context.services.proposals.add_budget(who, int_arg(update))
    await answer_press(update)
    await _ask(update, context, state)


@answers_refusals
async def on_remove_line_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    client_id, line_id = int_arg(update, 0), int_arg(update, 1)
    state = await context.services.proposals.remove_budget_line(who, client_id, line_id)
    client = next(c for c in state.clients if c.id == client_id)
    await redraw(update, pv.client_card(t, client), kb.client_card(t, state, client_id))


@answers_refusals
async def on_remove_client_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    state = await context.services.proposals.remove_client(who, int_arg(update))
    await close_buttons(update)
    await _ask(update, context, state)


@answers_refusals
async def on_review_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    state = await context.services.proposals.go_to(who, Step.REVIEW)
    await keep_answered(update)
    await _ask(update, context, state)


@answers_refusals
async def on_page_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    page = max(0, int_arg(update))
    state = await context.services.proposals.go_to(who, Step.REVIEW)
    await redraw(update, pv.review(t, state, page), kb.review(t, state, page))


@answers_refusals
async def on_add_client_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    state = await context.services.proposals.go_to(who, Step.NAME)
    await keep_answered(update)
    await _ask(update, context, state)


@answers_refusals
async def on_template_pressed(update: Update, context: BotContext) -> None:
    await answer_press(update)
    await _send_template(update, context, listed=True)


@answers_refusals
async def on_continue_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    args = button_args(update)  # (buttons sent before the draft's id was added carry none)
    state = await context.services.proposals.resume(who, proposal_id=int_arg(update) if args else None)
    await close_buttons(update)
    await _ask(update, context, state)


@answers_refusals
async def on_open_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    proposal_id = int_arg(update)
    current = await context.services.proposals.resume(who, proposal_id=proposal_id)
    await close_buttons(update)
    await _ask(update, context, current)


@answers_refusals
async def on_submit_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    state = await context.services.proposals.submit(who, int_arg(update))
    if state.proposal.status in EDITABLE:  # not sent yet: the clients' consent comes first
        await close_buttons(update)
        await _ask(update, context, state)
        return
    # The summary pressed now says what the proposal is (sent, its status), with no buttons left:
    # closing them alone left it reading "Status: Draft, not sent yet" above "sent".
    await redraw(update, pv.review(t, state))
    team = await context.services.onboarding.team_of(state.ipwl)
    await reply(update, pv.submitted(t, state, team.name if team else None))


@answers_refusals
async def on_withdraw_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    proposal_id = int_arg(update)
    state = await context.services.proposals.operator_view(who, proposal_id=proposal_id)
    is_draft = state.proposal.submitted_at is None  # never sent: the draft is discarded
    await reply(
        update,
        pv.confirm_withdraw(t, state.proposal.code, is_draft=is_draft),
        reply_markup=kb.confirm(
            (
                t.pgettext("button", "Yes, discard") if is_draft else t.pgettext("button", "Yes, withdraw"),
                buttons.PROPOSAL_WITHDRAW_CONFIRMED,
            ),
            (
                t.pgettext("button", "No, keep the draft") if is_draft else t.pgettext("button", "No, keep it"),
                buttons.DRAFT_KEEP,
            ),
            proposal_id,
        ),
    )


@answers_refusals
async def on_withdraw_confirmed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    proposal = await context.services.proposals.withdraw(who, int_arg(update))
    await redraw(update, pv.withdrawn(t, proposal.code, was_draft=proposal.submitted_at is None))


@answers_refusals
async def on_keep_pressed(update: Update, context: BotContext) -> None:
    await close_buttons(update)


@answers_refusals
async def on_stop_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await context.services.proposals.stop_conversation(who, int_arg(update), optional_arg(update, 1, None))
    await redraw(update, pv.stopped(context.translator(who)))


# --- files -------------------------------------------------------------------------------------------


@answers_refusals
async def on_attachments_pressed(update: Update, context: BotContext) -> None:
    """📎 The draft's attachments, each with a button to take it back."""
    who, t = await context.identify_reader(update)
    state = await context.services.proposals.current(who)
    if state is None:
        raise ServiceError("no_draft", N_("There is no draft open. Start one with /ajukan or continue with /lanjut."))
    await reply(update, pv.attachments(t, state), reply_markup=kb.attachments(t, state))


@answers_refusals
async def on_remove_attachment_pressed(update: Update, context: BotContext) -> None:
    """🗑 An attachment sent by mistake: removed from the draft, and its file from the disk."""
    who, t = await context.identify_reader(update)
    before = await context.services.proposals.current(who)
    state = await context.services.proposals.remove_attachment(who, int_arg(update))
    name = next((a.file_name for a in (before.attachments if before else []) if a.id == int_arg(update)), None)
    await redraw(update, pv.attachments(t, state, removed=name or "-"), kb.attachments(t, state))


async def on_file(update: Update, context: BotContext) -> None:
    """A document or photo in a private chat: a client list, or an attachment of the open draft."""
    message = update.effective_message
    assert message is not None
    who, t = await context.identify_reader(update)
    services = context.services.proposals
    state = await services.current(who)
    if state is None:
        await reply(update, views.no_upload_expected(t))
        return
    upload = upload_of(message)  # (a spreadsheet may come with a vague type: told by its name)
    upload = replace(upload, mime_type=_mime_type(upload.file_name or "", upload.mime_type or ""))
    services.check_upload(upload)
    data = await download(context, upload.telegram_file_id)
    if upload.mime_type in SPREADSHEET_TYPES and _is_client_list(upload.file_name or ""):
        inputs = _client_list(context, state, data, upload.file_name or "")
        before = len(state.clients)
        try:
            state = await services.add_clients(who, inputs)
        except ServiceError as error:
            if error.code != "clients_listed":
                raise
            # Clients entered before (by chat, or an earlier list): offer to update them from this file.
            await services.hold_sheet(who, upload)
            listed, new = error.params["listed"], error.params["new"]
            assert isinstance(listed, int) and isinstance(new, int)  # the counts add_clients refused with
            await reply(update, pv.clients_listed(t, listed, new), reply_markup=kb.update_listed(t))
            return
        await reply(update, pv.clients_added(t, len(state.clients) - before))
        await _ask(update, context, state)
        return
    consenting = state.editing if state.cursor.step == Step.CONSENT_FORM else None
    state = await services.keep_file(who, upload, data)  # an empty or broken file is refused there
    if consenting is not None and consenting.id in state.consents:  # the signed form of the client asked for
        await reply(update, pv.consent_saved(t, consenting, state))
        await _ask(update, context, state)
        return
    await reply(
        update,
        pv.attachment_saved(t, upload.file_name or "", len(data), len(state.documents)),
        reply_markup=kb.attachment_saved(t),
    )


@answers_refusals
async def on_update_listed_pressed(update: Update, context: BotContext) -> None:
    """🔄 The client list held back: clients already in the draft take its data, new ones are added."""
    who, t = await context.identify_reader(update)
    services = context.services.proposals
    held = await services.held_sheet(who)
    data = await download(context, held.telegram_file_id)
    before = await services.current(who)
    if before is None:
        await reply(update, views.no_upload_expected(t))
        return
    inputs = _client_list(context, before, data, held.file_name or "")
    state = await services.add_clients(who, inputs, update_existing=True)
    known = {c.nik for c in before.clients} if before else set()
    await close_buttons(update)
    await reply(
        update,
        pv.clients_updated(
            t, len([i for i in inputs if i.nik not in known]), len([i for i in inputs if i.nik in known])
        ),
    )
    await _ask(update, context, state)


def _client_list(context: BotContext, state: DraftState, data: bytes, file_name: str) -> list[ClientInput]:
    """Read a client list (all rows, or ImportRejected listing every problem)."""
    return parse_client_sheet(
        data,
        file_name,
        today=context.services.proposals.today_for(state),
        unit_cost_ceilings=context.deps.settings.intake.unit_cost_ceilings,
        max_rows=context.deps.settings.intake.max_clients,
    )


# What computers call a CSV or XLSX they send: Windows, where Excel registers .csv, says
# "application/vnd.ms-excel"; some phones say "text/plain" or nothing useful. The name decides.
_VAGUE_TYPES = frozenset(
    {
        "",
        "application/octet-stream",
        "application/vnd.ms-excel",
        "text/plain",
        "text/x-csv",
        "application/csv",
        "application/x-csv",
    }
)


def _mime_type(file_name: str, declared: str) -> str:
    name = file_name.lower()
    if declared.lower() in _VAGUE_TYPES and name.endswith(".csv"):
        return "text/csv"
    if declared.lower() in _VAGUE_TYPES - {"text/plain"} and name.endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return declared


def _is_client_list(file_name: str) -> bool:
    """Spreadsheets are client lists unless their name says they are something else (e.g. a RAB)."""
    name = file_name.lower()
    return name.endswith((".xlsx", ".csv")) and not any(word in name for word in ("lampiran", "surat", "scan"))

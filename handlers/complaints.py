"""``/pengaduan`` (issue 16.5): anyone files a complaint (named or anonymous) and checks its status;
the complaint officers read, act, record the SP4N-LAPOR! reference and close with an outcome.

Private chats only. ``/pengaduan`` alone opens the form (for a complaint officer: the list of
complaints); ``/pengaduan TICKET [SECRET]`` is the status check.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.domain.complaints import ComplaintStatus, Step, normalize_ticket
from bot.domain.conversation import Reply
from bot.domain.models import Role
from bot.i18n import Translator
from bot.services.complaints import ClosePreview, ComplaintFile
from handlers.context import BotContext, Deps, deps_of
from handlers.keyboards import complaints as kb
from handlers.outbox import Rendered
from handlers.replies import (
    answer_press,
    answers_refusals,
    button_arg,
    button_args,
    chat_id,
    close_buttons,
    download,
    int_arg,
    keep_answered,
    redraw,
    refused_in_group,
    reply,
    send_photo_or_document,
    typed_text,
    upload_of,
)
from handlers.views import complaints as cv


@answers_refusals
async def cmd_complaint(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t, cv.private_only(t)):
        return
    args = list(context.args or [])
    if args and normalize_ticket(args[0]) is None and len(args) >= 2 and normalize_ticket(args[0] + args[1]):
        args = [args[0] + args[1], *args[2:]]  # "ADU 7K3M…" typed with a space
    if args:
        status = await context.services.complaints.status(who, args[0], " ".join(args[1:]) or None)
        await reply(update, cv.public_status(t, status))
        return
    if who.actor.has_role(Role.COMPLAINT_OFFICER):
        data = await context.services.complaints.queue(who)
        await reply(update, cv.queue(t, data), reply_markup=kb.queue(t, data))
        return
    await context.services.complaints.start(who)
    await reply(update, cv.intro(t), reply_markup=kb.categories(t))


@answers_refusals
async def on_new_pressed(update: Update, context: BotContext) -> None:
    """An officer files a complaint themself (the form as anyone else fills it)."""
    who, t = await context.identify_reader(update)
    await context.services.complaints.start_as_officer(who)
    await reply(update, cv.intro(t), reply_markup=kb.categories(t))


@answers_refusals
async def on_answer_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    choice = button_arg(update)
    draft = await context.services.complaints.answer(who, Reply(choice=choice))
    # The question stays with what was chosen under it (a category in full, not its short button).
    await keep_answered(update, cv.category_answered(t, choice))
    await reply(update, cv.ask(t, draft), reply_markup=kb.step(t, draft))


async def on_text(update: Update, context: BotContext) -> None:
    """Typed text in the form: the proposal code or the description."""
    who, t = await context.identify_reader(update)
    draft = await context.services.complaints.answer(who, Reply(text=typed_text(update)))
    await reply(update, cv.ask(t, draft), reply_markup=kb.step(t, draft))


async def on_file(update: Update, context: BotContext) -> None:
    """A photo or PDF sent at the attachments step."""
    message = update.effective_message
    assert message is not None
    who, t = await context.identify_reader(update)
    sent = upload_of(message)
    upload = ComplaintFile(sent.telegram_file_id, sent.file_name, sent.mime_type, bool(message.photo), sent.size)
    draft = await context.services.complaints.current(who)
    if draft is not None and draft.step == Step.FILES and draft.can_add_files:
        content = await download(context, upload.telegram_file_id)
    else:
        content = b""  # refused by the service below with the reason (wrong step, too many)
    draft = await context.services.complaints.add_file(who, upload, content)
    await reply(update, cv.file_received(t, draft), reply_markup=kb.step(t, draft))


@answers_refusals
async def on_send_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    filed = await context.services.complaints.submit(who)
    await close_buttons(update)  # the summary stays readable as what was sent
    # A direct reply, not an outbox row: for an anonymous complaint that row would pair this chat
    # with the ticket.
    await reply(update, cv.filed(t, filed))


@answers_refusals
async def on_cancel_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await context.services.complaints.cancel(who)
    await close_buttons(update)
    await reply(update, cv.cancelled(context.translator(who)))


@answers_refusals
async def on_cancel_command(update: Update, context: BotContext) -> None:
    """/batal in the form: it goes, with its files."""
    who = await context.identify(update)
    await context.services.complaints.cancel(who)
    await reply(update, cv.cancelled(context.translator(who)))


# --- the complaint officers -------------------------------------------------------------------------


@answers_refusals
async def on_list_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    data = await context.services.complaints.queue(who)
    await redraw(update, cv.queue(t, data), kb.queue(t, data))


@answers_refusals
async def on_open_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.complaints.card(who, int_arg(update))
    if len(button_args(update)) > 1:  # a notification's Open: a new message, the notification stays
        await answer_press(update)
        await reply(update, cv.card(t, card), reply_markup=kb.card(t, card))
        return
    await redraw(update, cv.card(t, card), kb.card(t, card))


@answers_refusals
async def on_identity_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    ticket, filer = await context.services.complaints.reveal_identity(who, int_arg(update))
    await reply(update, cv.identity(t, ticket, filer))


@answers_refusals
async def on_files_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    files = await context.services.complaints.attachments(who, int_arg(update))
    await answer_press(update)
    chat = chat_id(update)
    for f in files:
        await send_photo_or_document(context, chat, f.telegram_file_id, photo=f.is_photo)


@answers_refusals
async def on_action_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    prompt = await context.services.complaints.begin_action(who, int_arg(update), button_arg(update, 1))
    await reply(update, cv.action_prompt(t, prompt), reply_markup=kb.action_cancel(t, prompt.complaint_id))


async def on_action_text(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    result = await context.services.complaints.action_text(who, typed_text(update))
    if isinstance(result, ClosePreview):
        await reply(
            update,
            cv.close_preview(t, result),
            reply_markup=kb.close_confirm(t, result.complaint_id, named=result.named and not result.opened_by_bot),
        )
        return
    await reply(update, cv.card(t, result), reply_markup=kb.card(t, result))


@answers_refusals
async def on_close_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.complaints.close(who, int_arg(update))
    await close_buttons(update)
    await reply(update, cv.card(t, card), reply_markup=kb.card(t, card))


@answers_refusals
async def on_action_cancel_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await context.services.complaints.cancel_action(who)
    await close_buttons(update)
    await reply(update, cv.cancelled_action(context.translator(who)))


# --- notifications and the deadline job -------------------------------------------------------------


async def render_new(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    row = await deps.services.complaints.for_notification(int(params["complaint_id"]))
    if row is None:
        return None
    return Rendered(cv.officer_new(t, row), kb.open_one(t, row.id))


async def render_due(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    row = await deps.services.complaints.for_notification(int(params["complaint_id"]))
    if row is None or row.status != ComplaintStatus.OPEN:
        return None  # answered meanwhile: nothing to remind
    return Rendered(cv.officer_due(t, row), kb.open_one(t, row.id))


async def render_overdue(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    row = await deps.services.complaints.for_notification(int(params["complaint_id"]))
    if row is None:
        return None
    return Rendered(cv.overdue(t, row, no_officer=params.get("tag") == "no_officer"))


async def render_no_officer(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    row = await deps.services.complaints.for_notification(int(params["complaint_id"]))
    if row is None or row.status == ComplaintStatus.CLOSED:
        return None
    return Rendered(cv.no_officer_admin(t, row))


async def render_backlog(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    tickets = [str(x) for x in params.get("tickets", [])]
    return Rendered(cv.backlog(t, int(params.get("count", len(tickets))), tickets))


async def render_closed(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    row = await deps.services.complaints.for_notification(int(params["complaint_id"]))
    if row is None or row.status != ComplaintStatus.CLOSED:
        return None
    return Rendered(cv.complainant_closed(t, row))


async def render_case_closed(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """A case the bot opened is closed: its outcome to the head and the PIC team (privately)."""
    card = await deps.services.complaints.closed_case(int(params["complaint_id"]))
    return Rendered(cv.case_closed(t, card)) if card is not None else None


async def complaint_deadlines_job(context: BotContext) -> None:
    """Repeating job: reminders before a complaint's deadline, and the head told once it passed."""
    await context.deps.services.complaints.deadlines()


def schedule_complaints(app: Application) -> None:
    """Register the repeating deadline job (before ``app.start()``); safe on several instances (each
    reminder and escalation is a compare-and-set on the complaint)."""
    deps = deps_of(app)
    if app.job_queue is None:
        return
    app.job_queue.run_repeating(
        complaint_deadlines_job,
        interval=deps.settings.complaints.interval_minutes * 60,
        first=60,
        name="complaint_deadlines",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )

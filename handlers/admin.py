"""What every admin screen shares (the admin check, answering and closing a screen, /batal on one),
and the two that stand alone: a proposal's history (/audit) and a backup (/cadangan).

The screens by what they serve: :mod:`handlers.registry`, :mod:`handlers.access`,
:mod:`handlers.broadcasts`, :mod:`handlers.privacy`.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, InputFile, Message, Update

from bot.i18n import Translator
from bot.services import Identity
from handlers import views
from handlers.context import BotContext
from handlers.keyboards import admin as kb
from handlers.replies import (
    answer_press,
    answers_refusals,
    chat_id,
    close_buttons,
    int_arg,
    is_private,
    redraw,
    refused_in_group,
    reply,
)
from handlers.views import admin as av


async def admin_here(update: Update, context: BotContext) -> tuple[Identity, Translator] | None:
    """The admin and their translator; None once answered in a group (registry and people data stay
    out of groups: a non-admin is refused, an admin sent to the private chat). In private chats the
    service each handler calls refuses non-admins."""
    who, t = await context.identify_reader(update)
    if not is_private(update):
        await reply(update, av.admin_only(t) if not who.is_admin else views.private_only(t))
        return None
    return who, t


async def answer_and_send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer the button (if any) and send a new message in the chat."""
    if update.callback_query is not None:
        await answer_press(update)
    await reply(update, views.clip(text), reply_markup=markup)


@answers_refusals
async def cmd_history(update: Update, context: BotContext) -> None:
    """``/audit KODE``: the proposal's history (admins, the head, and the proposal's PIC team)."""
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):  # reasons may name clients
        return
    history = await context.services.admin.history(who, " ".join(context.args or []))
    await reply(
        update, av.history(t, history, 0), reply_markup=kb.history(t, history.proposal_id, 0, av.history_pages(history))
    )


@answers_refusals
async def on_history_page(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    proposal_id, page = int_arg(update, 0), int_arg(update, 1)
    history = await context.services.admin.history_by_id(who, proposal_id)
    await redraw(update, av.history(t, history, page), kb.history(t, proposal_id, page, av.history_pages(history)))


@answers_refusals
async def cmd_backup(update: Update, context: BotContext) -> None:
    if (here := await admin_here(update, context)) is None:
        return
    who, t = here
    backup = await context.services.backups.backup(who)
    send = context.deps.settings.admin.backup_send_in_chat and backup.size <= 49 * 1024 * 1024
    if send:
        await context.bot.send_document(
            chat_id(update),
            InputFile(backup.path.read_bytes(), filename=backup.path.name),
        )
    await reply(update, av.backup_done(t, backup, sent=send))


async def answer_and_close(update: Update) -> None:
    """Answer the press, then take the buttons away (the screen stays readable)."""
    assert update.callback_query is not None
    await answer_press(update)
    await close_buttons(update)


@answers_refusals
async def on_close(update: Update, context: BotContext) -> None:
    """✖️ on any admin screen: stop what was being typed, and take the buttons away, saying so on the
    screen (a picker that only lost its buttons reads as if the bot had not heard)."""
    who = await context.identify(update)
    await context.services.admin.stop_conversation(who)
    await answer_press(update)
    shown = update.callback_query.message if update.callback_query else None
    if isinstance(shown, Message) and shown.text and shown.reply_markup is not None:
        await redraw(update, f"{shown.text_html}\n\n{views.screen_cancelled(context.translator(who))}")
    else:
        await close_buttons(update)


async def on_cancel_command(update: Update, context: BotContext) -> None:
    """``/batal`` while an admin question waits for an answer."""
    who = await context.identify(update)
    await context.services.admin.stop_conversation(who)
    await reply(update, views.cancelled(context.translator(who)))

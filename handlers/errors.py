"""The last resort: an exception nobody handled. Log ids only, tell the person, keep going."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError, TimedOut
from telegram.ext import ApplicationHandlerStop

from bot.update_scope import DuplicateUpdate, committed_in_this_update, failure_is_retried, note_failure
from handlers import views
from handlers.context import BotContext
from handlers.replies import alert_text, answer_press

log = logging.getLogger("atensi.errors")


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    assert error is not None
    if isinstance(error, DuplicateUpdate):  # a redelivery, stopped at its first write: nothing to say
        log.info("update %s was delivered again; dropped before it changed anything", error)
        return
    if context.deps.errors is not None:
        context.deps.errors.append(error)
    note_failure(error)
    update_id = update.update_id if isinstance(update, Update) else None
    # Ids and the exception type only: message bodies may hold personal data.
    log.error(
        "unhandled %s while handling update %s",
        type(error).__name__,
        update_id,
        exc_info=(type(error), error, error.__traceback__),
    )
    if not isinstance(update, Update):
        return
    if failure_is_retried():
        # A webhook worker tries this update again later (it saved nothing): the person hears
        # once, from the try that succeeds or from the last one.
        raise ApplicationHandlerStop
    # An update that failed is not handed to the handlers of later groups: when the duplicate check
    # (group -1) fails — the database is unavailable — the handler would fail too and the person
    # would be told twice (or it would run unrecorded).
    if update.effective_chat is not None and not isinstance(error, TimedOut):
        # (A timeout is not reported: Telegram may well have carried the call out — the answer is
        # probably on its way and the change is saved — so "nothing was changed" would be wrong.)
        t = context.deps.translations.for_locale(None)
        text = views.unexpected_error(t, saved=committed_in_this_update())
        try:
            if update.callback_query is not None:
                await answer_press(update, alert_text(text), show_alert=True)
            else:
                await context.bot.send_message(update.effective_chat.id, text)
        except TelegramError:
            log.warning("could not tell chat about error in update %s", update_id)
    raise ApplicationHandlerStop

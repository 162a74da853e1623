"""Answering people: the one wrapper that turns a refusal into a clear message.

Handlers let services refuse by raising; ``answers_refusals`` renders the refusal for the person
(a reply in chat, or an alert on a button) so nothing reaches the error handler and nobody waits
on a spinning button.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Update
from telegram.constants import ParseMode

from bot.bulk_import import ImportRejected
from bot.services import ServiceError
from bot.validation import ValidationError
from bot.workflow import WorkflowError
from handlers import views
from handlers.context import BotContext

Refusal = (ServiceError, WorkflowError, ValidationError)
Handler = Callable[[Update, BotContext], Awaitable[object]]
R = TypeVar("R")

ALERT_LIMIT = 200


async def reply(update: Update, text: str, **kwargs: object) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(text, parse_mode=ParseMode.HTML, **kwargs)  # type: ignore[arg-type]


def _plain(text: str) -> str:
    # Alerts are plain text: drop the few tags views use.
    for tag in ("<b>", "</b>", "<i>", "</i>", "<code>", "</code>"):
        text = text.replace(tag, "")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text if len(text) <= ALERT_LIMIT else text[: ALERT_LIMIT - 1] + "…"


def answers_refusals(handler: Handler) -> Handler:
    """Render ServiceError / WorkflowError / ValidationError / ImportRejected for the person."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: BotContext) -> object:
        try:
            return await handler(update, context)
        except (*Refusal, ImportRejected) as error:
            who = await context.identify(update) if update.effective_user else None
            t = context.translator(who)
            if isinstance(error, ImportRejected):
                text = views.import_problems(t, error.problems)
            else:
                text = views.refusal(t, error)
            if update.callback_query is not None:
                await update.callback_query.answer(_plain(text), show_alert=True)
            else:
                await reply(update, text)
            return None

    return wrapper

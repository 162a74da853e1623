"""Answering people: the one wrapper that turns a refusal into a clear message.

Handlers let services refuse by raising; ``answers_refusals`` renders the refusal for the person
(a reply in chat, or an alert on a button) so nothing reaches the error handler, and answers any
button press its handler left unanswered, so nobody waits on a spinning button.
"""

from __future__ import annotations

import functools
import html
import io
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, TypeVar, overload

from telegram import InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.domain.validation import ValidationError
from bot.domain.workflow import WorkflowError
from bot.files.problems import ImportRejected
from bot.i18n import Translator
from bot.services import FileUpload, ServiceError, StaleButton
from handlers import callback_data, views
from handlers.context import BotContext
from handlers.keyboards.lpj import PHOTO_NAME_PREFIX

Refusal = (ServiceError, WorkflowError, ValidationError)
# A coroutine function, as PTB's handlers take it (an Awaitable would not do for them).
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, object]]
R = TypeVar("R")

ALERT_LIMIT = 200
# Whether the press being handled has been answered. Each update runs in its own task, so the
# value the wrapper sets is this update's alone.
_PRESS_ANSWERED: ContextVar[list[bool] | None] = ContextVar("press_answered", default=None)


async def reply(update: Update, text: str, **kwargs: Any) -> Message:  # kwargs: reply_text's own
    """Answer in the chat of the update; returns the message sent (to edit or close it later)."""
    message = update.effective_message
    assert message is not None
    return await message.reply_text(text, **kwargs)


def alert_text(text: str) -> str:
    """A message as a callback alert: plain text (alerts show no HTML) within Telegram's 200
    characters; a longer one is cut at the last whole word, with "…" (never mid-word)."""
    for tag in ("<b>", "</b>", "<i>", "</i>", "<code>", "</code>"):
        text = text.replace(tag, "")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if len(text) <= ALERT_LIMIT:
        return text
    cut = text[: ALERT_LIMIT - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > ALERT_LIMIT // 2:  # (a single very long word is cut where it must be)
        cut = cut[:space]
    return cut.rstrip(" ,;:\n") + "…"


async def answer_press(
    update: Update, text: str | None = None, *, show_alert: bool = False, url: str | None = None
) -> None:
    """Answer the button just pressed (a toast, an alert, or a link to open); once per press."""
    query = update.callback_query
    assert query is not None
    answered = _PRESS_ANSWERED.get()
    if answered is not None:
        if answered[0]:
            return
        answered[0] = True
    try:
        await query.answer(text, show_alert=show_alert, url=url)
    except BadRequest as error:
        # Answered already (the update handled again after a worker died between its answer and
        # marking it done) or too late for Telegram: the press's effect stands either way, and
        # failing here would make a redelivered update fail for good.
        if "query is too old" not in error.message.lower() and "query id is invalid" not in error.message.lower():
            raise


def answers_refusals(handler: Handler) -> Handler:
    """Render ServiceError / WorkflowError / ValidationError / ImportRejected for the person, and
    answer a button press the handler did not."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: BotContext) -> object:
        token = _PRESS_ANSWERED.set([False])
        try:
            result = await handler(update, context)
            if update.callback_query is not None:
                await answer_press(update)  # (nothing, if the handler did)
            return result
        except (*Refusal, ImportRejected) as error:
            who = await context.identify(update) if update.effective_user else None
            t = context.translator(who)
            if isinstance(error, ImportRejected):
                text = views.import_problems(t, error.problems)
            else:
                text = views.refusal(t, error)
            if update.callback_query is not None:
                await answer_press(update, alert_text(text), show_alert=True)
            else:
                await reply(update, text)
            return None
        finally:
            _PRESS_ANSWERED.reset(token)

    return wrapper


# --- reading an update ---------------------------------------------------------------------------


def is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def refused_in_group(update: Update, t: Translator, text: str | None = None) -> bool:
    """Whether this came from outside a private chat, where personal data must not go; if so, says so there.

    ``text`` is the refusal to send, the usual private-only line when none is given.
    """
    if is_private(update):
        return False
    await reply(update, views.private_only(t) if text is None else text)
    return True


async def alerted_refused_press(update: Update, text: str) -> bool:
    """Whether the refused answer came from a button; if so, says ``text`` in an alert (without its
    "⚠️ ": an alert is a warning already). A typed answer is the caller's to answer."""
    if update.callback_query is None:
        return False
    await answer_press(update, alert_text(text.replace("⚠️ ", "")), show_alert=True)
    return True


def upload_of(message: Message) -> FileUpload:
    """A photo (its largest size, named by its id) or a document a person sent, as the services take it."""
    if message.photo:
        photo = message.photo[-1]
        return FileUpload(
            photo.file_id,
            photo.file_unique_id,
            f"{PHOTO_NAME_PREFIX}{photo.file_unique_id}.jpg",
            "image/jpeg",
            photo.file_size or 0,
        )
    document = message.document
    assert document is not None
    return FileUpload(
        document.file_id,
        document.file_unique_id,
        document.file_name or "dokumen",
        document.mime_type or "",
        document.file_size or 0,
    )


async def download(context: BotContext, file_id: str) -> bytes:
    """The content of a file a person sent (Telegram keeps it until asked); callers check its kind
    and size first, so a refused file is never fetched."""
    return bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())


def typed_text(update: Update) -> str:
    """The text of the message being handled (a text route's update always has one)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    return message.text


def chat_id(update: Update) -> int:
    """The chat the update came from (every update a handler answers has one)."""
    chat = update.effective_chat
    assert chat is not None
    return chat.id


async def send_file(context: BotContext, chat: int, name: str, content: bytes, caption: str | None = None) -> Message:
    """Send bytes the bot made (a workbook, a template, an export) into ``chat`` as the document ``name``."""
    return await context.bot.send_document(chat, InputFile(io.BytesIO(content), filename=name), caption=caption)


async def send_photo_or_document(
    context: BotContext, chat: int, file: str | InputFile, *, photo: bool, caption: str | None = None
) -> None:
    """Send a file a person sent earlier (its Telegram file id, or the stored copy) into ``chat``:
    a photo, which a phone shows in the chat, or a document. Telegram refuses a file id that was
    a document as a photo and the other way round, so the caller says which it is."""
    if photo:
        await context.bot.send_photo(chat, file, caption=caption)
    else:
        await context.bot.send_document(chat, file, caption=caption)


def button_args(update: Update) -> tuple[str, ...]:
    """The ids a pressed button carries (empty for a forged or foreign button)."""
    decoded = callback_data.decode(update.callback_query.data if update.callback_query else None)
    return decoded.args if decoded else ()


@overload
def optional_arg(update: Update, index: int = 0, default: str = "") -> str: ...


@overload
def optional_arg(update: Update, index: int, default: None) -> str | None: ...


def optional_arg(update: Update, index: int = 0, default: str | None = "") -> str | None:
    """The button's arg at ``index``, or ``default`` when it carries fewer (an older or forged
    button): for the args a handler reads as an option and leaves the service to refuse."""
    args = button_args(update)
    return args[index] if len(args) > index else default


def pressed_choice(update: Update) -> str | None:
    """The answer a guided conversation's answer button carries; None for a forged or foreign one,
    which the conversation then refuses as no choice at all."""
    return optional_arg(update, 0, None)


def button_arg(update: Update, index: int = 0) -> str:
    args = button_args(update)
    if index >= len(args):
        raise StaleButton()
    return args[index]


def int_arg(update: Update, index: int = 0) -> int:
    try:
        return int(button_arg(update, index))
    except ValueError:
        raise StaleButton() from None


def pressed_label(update: Update) -> str | None:
    """The text of the button just pressed, as the person saw it (None for a forged press)."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message) or query.message.reply_markup is None:
        return None
    for row in query.message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == query.data:
                return button.text
    return None


async def keep_answered(update: Update, answer: str | None = None) -> None:
    """Keep the question just answered by a button in the chat with its answer under it
    ("→ Januari 2027 ✓") and without its buttons, so the person can read back what they chose;
    the next question goes in a new message. ``answer`` (HTML) defaults to the pressed label."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    label = answer if answer is not None else html.escape(pressed_label(update) or "")
    question = query.message.text_html if query.message.text else None
    if not label or not question:
        await close_buttons(update)
        return
    text = views.clip(question + "\n\n→ <b>" + label + "</b> ✓")
    try:
        await query.edit_message_text(text, reply_markup=None)
    except BadRequest:
        pass  # already edited (a double tap)


async def redraw(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Redraw the pressed message in place (a list turning into a card, a page turning, a step
    moving on); a second tap that changes nothing is not an error and sends nothing."""
    query = update.callback_query
    assert query is not None
    text = views.clip(text)
    shown = query.message
    if isinstance(shown, Message) and shown.text_html == text and shown.reply_markup == markup:
        return  # the same screen again (e.g. the register number chosen twice)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def close_buttons(update: Update) -> None:
    """Remove the buttons of the message just answered, so an old question cannot be answered twice."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message) and query.message.reply_markup is not None:
        try:
            await query.edit_message_reply_markup(None)
        except BadRequest:
            pass  # already edited (a double tap)

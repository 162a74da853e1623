"""The Telegram adapter: parse the update, call one service, render, reply.

``register`` is the one ordered list of handlers.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import common, notifications, proposals, router  # noqa: F401 – notifications registers renderers
from handlers.callback_data import pattern
from handlers.errors import on_error

PRIVATE = filters.ChatType.PRIVATE

# Indonesian command names; the menus (handlers/menus.py) describe them in the reader's language.
COMMANDS = {
    "start": common.cmd_start,
    "bantuan": common.cmd_help,
    "help": common.cmd_help,
    "bahasa": common.cmd_language,
    "batal": proposals.cmd_cancel,
    "status": proposals.cmd_status,
    "hubungkan": common.cmd_bind_group,
    "ajukan": proposals.cmd_propose,
    "lanjut": proposals.cmd_resume,
    "templat": proposals.cmd_template,
}

# Button kind → handler. Kinds are the second field of callback data (handlers/callback_data.py).
BUTTONS = {
    "lang": common.on_language_pressed,
    "in": proposals.on_answer_pressed,
    "cl": proposals.on_client_pressed,
    "ed": proposals.on_edit_pressed,
    "bl": proposals.on_budget_pressed,
    "rl": proposals.on_remove_line_pressed,
    "rm": proposals.on_remove_client_pressed,
    "rv": proposals.on_review_pressed,
    "pg": proposals.on_page_pressed,
    "add": proposals.on_add_client_pressed,
    "tpl": proposals.on_template_pressed,
    "cont": proposals.on_continue_pressed,
    "open": proposals.on_open_pressed,
    "sub": proposals.on_submit_pressed,
    "wd": proposals.on_withdraw_pressed,
    "wdy": proposals.on_withdraw_confirmed,
    "keep": proposals.on_keep_pressed,
    "stop": proposals.on_stop_pressed,
}


def handlers() -> list[BaseHandler]:
    ordered: list[BaseHandler] = [CommandHandler(name, callback) for name, callback in COMMANDS.items()]
    ordered += [CallbackQueryHandler(callback, pattern=pattern(kind)) for kind, callback in BUTTONS.items()]
    ordered += [
        MessageHandler(PRIVATE & (filters.Document.ALL | filters.PHOTO), router.on_private_file),
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, router.on_private_text),
        # Last: a button nobody else claims gets an answer, never an endless spinner.
        CallbackQueryHandler(common.on_stale_button),
    ]
    return ordered


def register(app: Application) -> None:
    # Group -1 runs first for every update: a duplicate delivery is dropped before any handler.
    app.add_handler(TypeHandler(Update, common.drop_duplicate_update), group=-1)
    app.add_handlers(handlers())
    app.add_error_handler(on_error)

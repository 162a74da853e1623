"""The Telegram adapter: parse the update, call one service, render, reply.

``register`` is the one ordered list of handlers.
"""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers import callback_data, common
from handlers.errors import on_error

# Indonesian command names; the English menu shows the same commands with English descriptions.
COMMANDS = {
    "start": common.cmd_start,
    "bantuan": common.cmd_help,
    "help": common.cmd_help,
    "bahasa": common.cmd_language,
    "batal": common.cmd_cancel,
    "status": common.cmd_status,
    "hubungkan": common.cmd_bind_group,
}


def register(app: Application) -> None:
    for name, callback in COMMANDS.items():
        app.add_handler(CommandHandler(name, callback))
    app.add_handler(CallbackQueryHandler(common.on_language_pressed, pattern=callback_data.pattern("lang")))
    # Last: a button nobody else claims gets an answer, never an endless spinner.
    app.add_handler(CallbackQueryHandler(common.on_stale_button))
    app.add_error_handler(on_error)

"""Helpers of the emulator's own tests (tests/emulator): the handlers of the small PTB application that
polls it, and the keyboards and messages the spec validator's cases are built from."""

from __future__ import annotations

import json
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.emulator import SpecValidator


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [payload]: a welcome with one button."""
    assert update.effective_message is not None
    payload = " ".join(context.args or [])
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Lanjut", callback_data="next")]])
    text = f"<b>Selamat datang</b>{' — ' + payload if payload else ''}"
    await update.effective_message.reply_html(text, reply_markup=keyboard)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any button: answer it and show the choice in place of the welcome."""
    query = update.callback_query
    assert query is not None
    await query.answer("Tersimpan", show_alert=True)
    await query.edit_message_text(f"Dipilih: <i>{query.data}</i>", parse_mode="HTML")


def keyboard(*rows: list[dict[str, Any]]) -> str:
    """An inline keyboard as PTB serializes it."""
    return json.dumps({"inline_keyboard": list(rows)})


def send(validator: SpecValidator, **params: str) -> list[str]:
    """Validate a sendMessage to chat 1 with text "x" unless overridden."""
    return validator.validate("sendMessage", {"chat_id": "1", "text": "x", **params})


def _chat(update: dict[str, Any]) -> int:
    message = update.get("message") or update.get("callback_query", {}).get("message")
    return int(message["chat"]["id"])

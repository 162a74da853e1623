"""Inline keyboards. Labels are translated for the reader; callback data carries ids only."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from handlers import buttons
from handlers.buttons import Button

LANGUAGE_NAMES = {"id": "🇮🇩 Bahasa Indonesia", "en": "🇬🇧 English"}


def button(label: str, kind: Button, *args: object) -> InlineKeyboardButton:
    """One inline button of ``kind``: ``label`` shown, its data built from ``args`` (ids and short words)."""
    return InlineKeyboardButton(label, callback_data=kind.data(*args))


def language_choice(current: str) -> InlineKeyboardMarkup:
    # Language names are shown in their own language, whatever the reader's locale.
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(("✓ " if code == current else "") + name, callback_data=buttons.LANGUAGE.data(code))]
            for code, name in LANGUAGE_NAMES.items()
        ]
    )


def private_chat_url(bot_username: str, start: str = "hi") -> str:
    """The deep link that opens a private chat with the bot (a button's or an answer's ``url``)."""
    return f"https://t.me/{bot_username}?start={start}"


def start_bot_link(t: Translator, bot_username: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "Open a private chat with the bot"), url=private_chat_url(bot_username)
                )
            ]
        ]
    )

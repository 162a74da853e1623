"""Buttons of a post-payment check's card: the four answers, and Cancel while the amount is typed."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.payment_checks import CheckAnswer
from bot.i18n import Translator
from handlers import buttons


def answers(t: Translator, check_id: int) -> InlineKeyboardMarkup:
    def b(label: str, answer: CheckAnswer) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=buttons.PAYMENT_CHECK_ANSWER.data(check_id, answer.value))

    return InlineKeyboardMarkup(
        [
            [b(t.pgettext("button", "✅ Received in full"), CheckAnswer.FULL)],
            [b(t.pgettext("button", "➖ Received less…"), CheckAnswer.LESS)],
            [b(t.pgettext("button", "❌ Not received"), CheckAnswer.NONE)],
            [b(t.pgettext("button", "📵 Not reachable"), CheckAnswer.UNREACHABLE)],
        ]
    )


def cancel(t: Translator, check_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "✖️ Cancel"), callback_data=buttons.PAYMENT_CHECK_CANCEL.data(check_id)
                )
            ]
        ]
    )

"""The ✅/✖️ under a budget ceiling (pagu) read back before it is saved."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.budget import WHOLE_YEAR
from bot.i18n import Translator
from bot.services.budget import CeilingProposal
from handlers import buttons

ALL = "all"  # the whole-year ceiling in callback data (its key is the empty string)
NONE = "-"  # no ceiling before


def confirm_ceiling(t: Translator, p: CeilingProposal) -> InlineKeyboardMarkup:
    args = (p.year, p.component or ALL, p.after, NONE if p.before is None else p.before)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "✅ Save"), callback_data=buttons.CEILING_CONFIRM.data("y", *args)
                ),
                InlineKeyboardButton(
                    t.pgettext("button", "✖️ Cancel"), callback_data=buttons.CEILING_CONFIRM.data("n", *args)
                ),
            ]
        ]
    )


def component_of(arg: str) -> str:
    return WHOLE_YEAR if arg == ALL else arg


def before_of(arg: str) -> int | None:
    return None if arg == NONE else int(arg)

"""Buttons of the guidance: a menu of topics, page turning in place, and back to the menu."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.guidance import SECTIONS, Section
from bot.i18n import Translator
from handlers import buttons


def menu(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"{s.icon} {t.gettext(s.title)}", callback_data=buttons.GUIDE_PAGE.data(s.key, 0))]
            for s in SECTIONS
        ]
    )


def page(t: Translator, section: Section, index: int, count: int) -> InlineKeyboardMarkup:
    nav = []
    if index > 0:
        nav.append(
            InlineKeyboardButton(
                t.pgettext("button", "‹ Previous"), callback_data=buttons.GUIDE_PAGE.data(section.key, index - 1)
            )
        )
    if index + 1 < count:
        nav.append(
            InlineKeyboardButton(
                t.pgettext("button", "Next ›"), callback_data=buttons.GUIDE_PAGE.data(section.key, index + 1)
            )
        )
    rows = [nav] if nav else []
    rows.append([InlineKeyboardButton(t.pgettext("button", "☰ All topics"), callback_data=buttons.GUIDE_MENU.data())])
    return InlineKeyboardMarkup(rows)

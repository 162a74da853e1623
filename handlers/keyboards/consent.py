"""Buttons of ``/persetujuan``: a withdrawal per client with consent, and its confirmation."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.services.admin import ConsentSheet
from handlers.callback_data import encode


def sheet(t: Translator, data: ConsentSheet) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(t.pgettext("button", "✋ Withdrawn: {number}. {name}", number=client.position,
                                             name=client.full_name[:24]),
                                  callback_data=encode("cs.w", client.id))]
            for client, consent in data.clients if client.full_name != "-" and (consent is None or consent.in_force)]
    rows.append([InlineKeyboardButton(t.pgettext("button", "✖️ Close"), callback_data=encode("ad.x"))])
    return InlineKeyboardMarkup(rows)


def confirm(t: Translator, client_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t.pgettext("button", "Yes, consent withdrawn"), callback_data=encode("cs.wy", client_id)),
        InlineKeyboardButton(t.pgettext("button", "✖️ Cancel"), callback_data=encode("ad.x"))]])

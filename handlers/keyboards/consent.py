"""Buttons of ``/persetujuan``: a withdrawal per client with consent, and its confirmation."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.services.privacy import ConsentSheet
from handlers import buttons


def sheet(t: Translator, data: ConsentSheet) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(
                t.pgettext(
                    "button",
                    "✋ Withdraw consent: {number}. {name}",
                    number=client.position,
                    name=client.full_name[:24],
                ),
                callback_data=buttons.CONSENT_WITHDRAW_ASKED.data(client.id),
            )
        ]
        for client, consent in data.clients
        if data.may_record and client.full_name != "-" and (consent is None or consent.in_force)
    ]
    rows.append([InlineKeyboardButton(t.pgettext("button", "✖️ Close"), callback_data=buttons.ADMIN_CLOSE.data())])
    return InlineKeyboardMarkup(rows)


def confirm(t: Translator, client_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "Yes, consent withdrawn"),
                    callback_data=buttons.CONSENT_WITHDRAW.data(client_id),
                ),
                InlineKeyboardButton(t.pgettext("button", "✖️ Cancel"), callback_data=buttons.ADMIN_CLOSE.data()),
            ]
        ]
    )

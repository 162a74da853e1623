"""Buttons of ``/persetujuan``: a page of clients, one client's consent (its form, its guardian, a
withdrawal), and the withdrawal's confirmation."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.services.privacy import ConsentCard, ConsentSheet
from handlers import buttons

PAGE_SIZE = 10  # clients per page: a proposal may hold hundreds, a keyboard at most 100 buttons


def page_count(data: ConsentSheet) -> int:
    return max(1, -(-len(data.clients) // PAGE_SIZE))


def sheet(t: Translator, data: ConsentSheet, page: int = 0) -> InlineKeyboardMarkup:
    """The page's clients, each opening their consent (for those who may act on it), and ‹ ›."""
    rows: list[list[InlineKeyboardButton]] = []
    if data.may_record:
        rows = [
            [
                InlineKeyboardButton(
                    f"{client.position}. {client.full_name[:40]}", callback_data=buttons.CONSENT_CLIENT.data(client.id)
                )
            ]
            for client, _ in data.clients[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
            if client.full_name != "-"
        ]
    pages = page_count(data)
    if pages > 1:
        turn = []
        if page > 0:
            turn.append(InlineKeyboardButton("‹", callback_data=buttons.CONSENT_PAGE.data(data.proposal_id, page - 1)))
        if page < pages - 1:
            turn.append(InlineKeyboardButton("›", callback_data=buttons.CONSENT_PAGE.data(data.proposal_id, page + 1)))
        rows.append(turn)
    rows.append([InlineKeyboardButton(t.pgettext("button", "✖️ Close"), callback_data=buttons.ADMIN_CLOSE.data())])
    return InlineKeyboardMarkup(rows)


def consent_card(t: Translator, card: ConsentCard) -> InlineKeyboardMarkup:
    client_id = card.client.id
    rows: list[list[InlineKeyboardButton]] = []
    if card.has_form:
        rows.append(
            [
                InlineKeyboardButton(
                    t.pgettext("button", "📄 Signed form"), callback_data=buttons.CONSENT_FORM.data(client_id)
                )
            ]
        )
    if card.has_guardian:
        rows.append(
            [
                InlineKeyboardButton(
                    t.pgettext("button", "✏️ Correct the guardian"),
                    callback_data=buttons.CONSENT_GUARDIAN.data(client_id),
                )
            ]
        )
    if card.may_withdraw:
        rows.append(
            [
                InlineKeyboardButton(
                    t.pgettext("button", "✋ Withdraw consent"),
                    callback_data=buttons.CONSENT_WITHDRAW_ASKED.data(client_id),
                )
            ]
        )
    back = buttons.CONSENT_PAGE.data(card.sheet.proposal_id, card.index // PAGE_SIZE)
    rows.append([InlineKeyboardButton(t.pgettext("button", "‹ Back"), callback_data=back)])
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

"""Buttons of ``/pengaduan``: the form's answers (Cancel at every step) and the officers' desk."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.complaints import (
    ANONYMOUS,
    CATEGORY_BUTTONS,
    DONE,
    NAMED,
    SKIP,
    ActionKind,
    ComplaintCategory,
    ComplaintStatus,
    Step,
)
from bot.i18n import Translator
from bot.services.complaints import ComplaintCard, ComplaintDraft, ComplaintQueue
from handlers import buttons
from handlers.keyboards import button as _b

Rows = list[list[InlineKeyboardButton]]


def _cancel(t: Translator) -> InlineKeyboardButton:
    return _b(t.pgettext("button", "✖️ Cancel"), buttons.COMPLAINT_CANCEL)


def categories(t: Translator) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(t.gettext(label), buttons.COMPLAINT_ANSWER, c.value)] for c, label in CATEGORY_BUTTONS.items()]
    return InlineKeyboardMarkup([*rows, [_cancel(t)]])


def step(t: Translator, draft: ComplaintDraft) -> InlineKeyboardMarkup:
    """The buttons of the form's current question."""
    if draft.step == Step.CATEGORY:
        return categories(t)
    if draft.step == Step.IDENTITY:
        rows: Rows = [
            [_b(t.pgettext("button", "👤 With my name"), buttons.COMPLAINT_ANSWER, NAMED)],
            [_b(t.pgettext("button", "🕶 Anonymous"), buttons.COMPLAINT_ANSWER, ANONYMOUS)],
        ]
    elif draft.step == Step.PROPOSAL:
        rows = [[_b(t.pgettext("button", "Skip ›"), buttons.COMPLAINT_ANSWER, SKIP)]]
    elif draft.step == Step.FILES:
        rows = [[_b(t.pgettext("button", "Continue ›"), buttons.COMPLAINT_ANSWER, DONE)]]
    elif draft.step == Step.CONFIRM:
        rows = [[_b(t.pgettext("button", "📨 Send the complaint"), buttons.COMPLAINT_SEND)]]
    else:
        rows = []
    return InlineKeyboardMarkup([*rows, [_cancel(t)]])


def queue(t: Translator, data: ComplaintQueue) -> InlineKeyboardMarkup:
    rows: Rows = [
        [
            _b(
                f"{row.ticket} · {t.gettext(CATEGORY_BUTTONS[ComplaintCategory(row.category)])}",
                buttons.COMPLAINT_OPEN,
                row.id,
            )
        ]
        for row in [*data.open, *data.closed]
    ]
    rows.append([_b(t.pgettext("button", "📝 File a complaint myself"), buttons.COMPLAINT_NEW)])
    return InlineKeyboardMarkup(rows)


def card(t: Translator, data: ComplaintCard) -> InlineKeyboardMarkup:
    c = data.complaint
    rows: Rows = []
    if not c.anonymous and c.source == "complainant":
        rows.append([_b(t.pgettext("button", "👤 Show sender"), buttons.COMPLAINT_IDENTITY, c.id)])
    if c.files:
        rows.append([_b(t.pgettext("button", "📎 Attachments"), buttons.COMPLAINT_FILES, c.id)])
    if data.status != ComplaintStatus.CLOSED:
        rows.append(
            [
                _b(t.pgettext("button", "✍️ Record an action"), buttons.COMPLAINT_ACTION, c.id, ActionKind.NOTE.value),
                _b(t.pgettext("button", "🔗 SP4N-LAPOR!"), buttons.COMPLAINT_ACTION, c.id, ActionKind.SP4N.value),
            ]
        )
        rows.append(
            [
                _b(
                    t.pgettext("button", "✅ Close with an outcome"),
                    buttons.COMPLAINT_ACTION,
                    c.id,
                    ActionKind.CLOSE.value,
                )
            ]
        )
    rows.append([_b(t.pgettext("button", "‹ Complaints"), buttons.COMPLAINT_LIST)])
    return InlineKeyboardMarkup(rows)


def open_one(t: Translator, complaint_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(t.pgettext("button", "Open the complaint"), buttons.COMPLAINT_OPEN, complaint_id, "n")]]
    )


def action_cancel(t: Translator, complaint_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(t.pgettext("button", "✖️ Cancel"), buttons.COMPLAINT_ACTION_CANCEL, complaint_id)]])


def close_confirm(t: Translator, complaint_id: int, *, named: bool) -> InlineKeyboardMarkup:
    # An anonymous complainant is told nothing: they read the outcome with their ticket and secret.
    label = t.pgettext("button", "✅ Close and tell the complainant") if named else t.pgettext("button", "✅ Close")
    return InlineKeyboardMarkup(
        [
            [
                _b(label, buttons.COMPLAINT_CLOSE, complaint_id),
                _b(t.pgettext("button", "✖️ Cancel"), buttons.COMPLAINT_ACTION_CANCEL, complaint_id),
            ]
        ]
    )

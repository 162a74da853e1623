"""Buttons of the PIC review: the group card, Detail, the reasons checklist. Ids only in callback data."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.domain.models import Action
from bot.services.reviews import DECISIONS, REASON_FIELDS, Card, Detail, ReasonDraft
from handlers.callback_data import encode
from handlers.views.reviews import REASON_FIELD_LABELS

MAX_CLIENT_BUTTONS = 60  # Telegram allows 100 buttons; keep room for fields and confirm


def _button(label: str, kind: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(kind, *args))


def _action_label(t: Translator, action: Action) -> str:
    labels = {
        Action.CLAIM: t.pgettext("button", "🙋 Claim"),
        Action.RELEASE: t.pgettext("button", "Release"),
        Action.VERIFY: t.pgettext("button", "✅ Verify"),
        Action.VALIDATE: t.pgettext("button", "☑️ Validate"),
        Action.RETURN: t.pgettext("button", "↩️ Return"),
        Action.REJECT: t.pgettext("button", "⛔ Reject"),
    }
    return labels[action]


def card(t: Translator, c: Card) -> InlineKeyboardMarkup:
    """Detail, plus the actions a PIC of the team could take now (each re-checked on press)."""
    pid = c.proposal.id
    # Return and reject continue in the private chat (reasons), so they have their own kind.
    actions = [_button(_action_label(t, a), "pdc" if a in DECISIONS else "pic", pid, a.value) for a in c.actions]
    rows = [actions[i:i + 3] for i in range(0, len(actions), 3)]
    rows.append([_button(t.pgettext("button", "🔎 Detail"), "pdt", pid)])
    return InlineKeyboardMarkup(rows)


def detail(t: Translator, d: Detail) -> InlineKeyboardMarkup | None:
    """One button per client to reveal the full NIK (audited)."""
    buttons = [_button(t.pgettext("button", "🪪 NIK {number}", number=c.position), "nik", c.id)
               for c in d.clients[:MAX_CLIENT_BUTTONS]]
    rows = [buttons[i:i + 4] for i in range(0, len(buttons), 4)]
    return InlineKeyboardMarkup(rows) if rows else None


def reason_checklist(t: Translator, d: ReasonDraft) -> InlineKeyboardMarkup:
    pid = d.proposal.id
    clients = [_button(("✅ " if c.id in d.picked_clients else "") + f"{c.position}. {c.full_name[:20]}", "rsn", pid,
                       f"c{c.id}") for c in d.clients[:MAX_CLIENT_BUTTONS]]
    rows = [clients[i:i + 2] for i in range(0, len(clients), 2)]
    rows.append([_button(("✅ " if f in d.picked_fields else "") + t.gettext(REASON_FIELD_LABELS[f]), "rsn", pid, f"f{f}")
                 for f in REASON_FIELDS])
    last = [_button(t.pgettext("button", "✖️ Cancel"), "rsn", pid, "x")]
    if d.ready:
        last.insert(0, _button(t.pgettext("button", "📤 Confirm"), "rsn", pid, "ok"))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def revise(t: Translator, proposal_id: int) -> InlineKeyboardMarkup:
    """For the operator of a returned proposal: open it (the proposal conversation's own button)."""
    return InlineKeyboardMarkup([[_button(t.pgettext("button", "✏️ Open and revise"), "open", proposal_id)]])


def private_chat_link(bot_username: str) -> str:
    return f"https://t.me/{bot_username}?start=hi"

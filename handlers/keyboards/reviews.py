"""Buttons of the PIC review: the group card, Detail, the reasons checklist. Ids only in callback data."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.models import Action
from bot.i18n import Translator
from bot.services.reviews import DECISIONS, REASON_FIELDS, Card, Detail, ReasonDraft
from handlers import buttons
from handlers.buttons import Button
from handlers.views import double_assistance as da
from handlers.views.reviews import REASON_FIELD_LABELS

MAX_CLIENT_BUTTONS = 60  # Telegram allows 100 buttons; keep room for fields and confirm


def _button(label: str, kind: Button, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=kind.data(*args))


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
    actions = [
        _button(_action_label(t, a), buttons.CARD_DECISION if a in DECISIONS else buttons.CARD_ACTION, pid, a.value)
        for a in c.actions
    ]
    rows = [actions[i : i + 3] for i in range(0, len(actions), 3)]
    rows.append([_button(t.pgettext("button", "🔎 Detail"), buttons.CARD_DETAIL, pid)])
    return InlineKeyboardMarkup(rows)


def detail(t: Translator, d: Detail) -> InlineKeyboardMarkup | None:
    """One button per client to reveal the full NIK (audited); one to decide each client with an
    open double-assistance conflict (issue 16.1)."""
    cells = [
        _button(t.pgettext("button", "🪪 NIK {number}", number=c.position), buttons.CARD_NIK, c.id)
        for c in d.clients[:MAX_CLIENT_BUTTONS]
    ]
    rows = [cells[i : i + 4] for i in range(0, len(cells), 4)]
    open_pairs = [c for c in d.conflicts if not c.adjudicated] if d.may_decide else []
    undecided = sorted({c.client_id: c.position for c in open_pairs}.items(), key=lambda x: x[1])
    decide = [
        _button(da.decide_label(t, position), buttons.NIK_ADJUDICATE, client_id)
        for client_id, position in undecided[:MAX_CLIENT_BUTTONS]
    ]
    rows += [decide[i : i + 3] for i in range(0, len(decide), 3)]
    return InlineKeyboardMarkup(rows) if rows else None


def adjudication(t: Translator, client_id: int) -> InlineKeyboardMarkup:
    """Under the adjudication prompt: the other outcome, the same person (held or only warned, before
    or after the SK)."""
    return InlineKeyboardMarkup([[_button(da.same_person_label(t), buttons.NIK_SAME_PERSON, client_id)]])


def reason_checklist(t: Translator, d: ReasonDraft) -> InlineKeyboardMarkup:
    pid = d.proposal.id
    clients = [
        _button(
            ("✅ " if c.id in d.picked_clients else "") + f"{c.position}. {c.full_name[:20]}",
            buttons.DECISION_REASON,
            pid,
            f"c{c.id}",
        )
        for c in d.clients[:MAX_CLIENT_BUTTONS]
    ]
    rows = [clients[i : i + 2] for i in range(0, len(clients), 2)]
    rows.append(
        [
            _button(
                ("✅ " if f in d.picked_fields else "") + t.gettext(REASON_FIELD_LABELS[f]),
                buttons.DECISION_REASON,
                pid,
                f"f{f}",
            )
            for f in REASON_FIELDS
        ]
    )
    last = [_button(t.pgettext("button", "✖️ Cancel"), buttons.DECISION_REASON, pid, "x")]
    if d.ready:
        last.insert(0, _button(t.pgettext("button", "📤 Confirm"), buttons.DECISION_REASON, pid, "ok"))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def revise(t: Translator, proposal_id: int) -> InlineKeyboardMarkup:
    """For the operator of a returned proposal: open it (the proposal conversation's own button)."""
    return InlineKeyboardMarkup(
        [[_button(t.pgettext("button", "✏️ Open and revise"), buttons.PROPOSAL_OPEN, proposal_id)]]
    )

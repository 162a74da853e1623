"""Buttons of the LPJ: the operator's one-tap answers and the review's actions (private), and the
staff's Verify / Return / Validate / Detail (group card, finance). Callback data carries ids only."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.lpj_intake import REMOVE_PREFIX, Evidence, EvidenceKind, Step
from bot.domain.models import Component, ProposalStatus
from bot.i18n import Translator, format_money
from bot.services import LpjState
from handlers import buttons
from handlers.buttons import Button

Rows = list[list[InlineKeyboardButton]]
# The most recent files offered for removal: a keyboard a thumb can still scroll.
REMOVABLE_SHOWN = 30
PHOTO_NAME_PREFIX = "foto-"  # what a photo (which has no file name) is stored as: not shown
_EVIDENCE_ICONS = {EvidenceKind.RECEIPT: "🧾", EvidenceKind.PHOTO: "📷", EvidenceKind.BAST: "📝"}


def evidence_label(evidence: Evidence, number: int) -> str:
    """A file as a button shows it: its kind and number among that kind (as the counts above the
    list say them), a short name when it has one (photos do not), and a receipt's amount."""
    label = f"{_EVIDENCE_ICONS[evidence.kind]} {number}"
    if evidence.file_name and not evidence.file_name.startswith(PHOTO_NAME_PREFIX):
        name = evidence.file_name
        label += " " + (name if len(name) <= 20 else name[:19] + "…")
    return f"{label} · {format_money(evidence.amount)}" if evidence.amount is not None else label


def _numbered(evidence: tuple[Evidence, ...]) -> list[tuple[Evidence, int]]:
    seen: dict[EvidenceKind, int] = {}
    numbered = []
    for item in evidence:
        seen[item.kind] = seen.get(item.kind, 0) + 1
        numbered.append((item, seen[item.kind]))
    return numbered


def _answer(label: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=buttons.LPJ_ANSWER.data(value))


def _button(label: str, kind: Button, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=kind.data(*args))


def choose(choices: list[tuple[int, str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(f"📑 {code}", buttons.LPJ_OPEN, pid)] for pid, code, _ in choices[:20]])


def for_question(t: Translator, state: LpjState) -> InlineKeyboardMarkup | None:
    """The one-tap answers offered with the question at the cursor."""
    c = state.cursor
    to_review = _answer("📋 " + t.pgettext("button", "Review"), "review")
    rows: Rows = []
    if c.step == Step.SERVICES:
        client_ids = [x.id for x in state.content.clients]
        index = client_ids.index(c.client_id) if c.client_id in client_ids else 0
        if any(state.content.services.get(cid) for cid in client_ids[:index]):
            rows.append([_answer("↺ " + t.pgettext("button", "Same dates as the previous client"), "same")])
        rows.append([_answer("✏️ " + t.pgettext("button", "Change the components"), "components"), to_review])
    elif c.step == Step.SERVICE_COMPONENTS:
        toggles = [_answer(("✅ " if x.value in c.components else "") + x.value, x.value) for x in Component]
        rows = [toggles[:4], toggles[4:], [_answer("✔️ " + t.pgettext("button", "Done"), "done")]]
    elif c.step == Step.REALIZATION and state.line is not None:
        rows = [
            [
                _answer(
                    "= " + t.pgettext("button", "As budgeted: {amount}", amount=format_money(state.line.line.total)),
                    "rab",
                )
            ],
            [_answer("⚡ " + t.pgettext("button", "All remaining lines as budgeted"), "all")],
            [to_review],
        ]
    elif c.step == Step.REALIZATION_NOTE:
        rows = [[_answer("‹ " + t.pgettext("button", "Back"), "back")]]
    elif c.step == Step.EVIDENCE:
        labels = {
            EvidenceKind.RECEIPT: "🧾 " + t.pgettext("button", "Receipts"),
            EvidenceKind.PHOTO: "📷 " + t.pgettext("button", "Photos"),
            EvidenceKind.BAST: "📝 " + t.pgettext("button", "BAST"),
        }
        rows = [[_answer(("✓ " if kind == c.kind else "") + label, kind.value) for kind, label in labels.items()]]
        if state.content.evidence:
            rows.append([_answer("🗑 " + t.pgettext("button", "Remove a file"), "remove")])
        rows.append([to_review])
    elif c.step == Step.EVIDENCE_REMOVE:
        rows = [
            [_answer(f"🗑 {evidence_label(e, number)}", f"{REMOVE_PREFIX}{e.id}")]
            for e, number in _numbered(state.content.evidence)[-REMOVABLE_SHOWN:]
        ]
        rows.append([_answer("‹ " + t.pgettext("button", "Back"), "back")])
    elif c.step == Step.METERAI:
        rows = [
            [
                _answer("✅ " + t.pgettext("button", "Yes, it bears a meterai"), "yes"),
                _answer("✖️ " + t.pgettext("button", "No"), "no"),
            ]
        ]
    elif c.step == Step.REVIEW:
        return review(t, state)
    return InlineKeyboardMarkup(rows) if rows else None


def review(t: Translator, state: LpjState) -> InlineKeyboardMarkup:
    rows: Rows = [
        [
            _button("🗓 " + t.pgettext("button", "Services"), buttons.LPJ_SECTION, "services"),
            _button("💰 " + t.pgettext("button", "Realization"), buttons.LPJ_SECTION, "realization"),
            _button("📎 " + t.pgettext("button", "Evidence"), buttons.LPJ_SECTION, "evidence"),
        ],
    ]
    if len(state.content.realizations) < len(state.content.lines):
        rows.append([_answer("⚡ " + t.pgettext("button", "All remaining lines as budgeted"), "all")])
    rows.append([_button("📥 " + t.pgettext("button", "LPJ workbook (XLSX)"), buttons.LPJ_TEMPLATE)])
    label = (
        t.pgettext("button", "📤 Send again to the PIC team")
        if state.proposal.status == ProposalStatus.LPJ_RETURNED
        else t.pgettext("button", "📤 Send to the PIC team")
    )
    rows.append([_button(label, buttons.LPJ_SUBMIT, state.proposal.id)])
    return InlineKeyboardMarkup(rows)


def card(t: Translator, proposal_id: int, status: ProposalStatus) -> InlineKeyboardMarkup:
    """The PIC group card: act while it waits for the team; details always open privately."""
    verify = ("✅ " + t.pgettext("button", "Verify"), buttons.LPJ_VERIFY)
    detail = "🔎 " + t.pgettext("button", "Detail (private)")
    return _review_step(t, proposal_id, verify if status == ProposalStatus.LPJ_SUBMITTED else None, detail)


def to_validate(t: Translator, proposal_id: int, status: ProposalStatus) -> InlineKeyboardMarkup:
    validate = ("✅ " + t.pgettext("button", "Validate"), buttons.LPJ_VALIDATE)
    detail = "🔎 " + t.pgettext("button", "Detail")
    return _review_step(t, proposal_id, validate if status == ProposalStatus.LPJ_VERIFIED else None, detail)


def _review_step(
    t: Translator, proposal_id: int, approve: tuple[str, Button] | None, detail: str
) -> InlineKeyboardMarkup:
    """A review step's buttons: approve or return while the LPJ waits at that step (``approve`` given); the
    detail always."""
    rows: Rows = []
    if approve is not None:
        label, kind = approve
        rows.append(
            [
                _button(label, kind, proposal_id),
                _button("↩️ " + t.pgettext("button", "Return"), buttons.LPJ_RETURN, proposal_id),
            ]
        )
    rows.append([_button(detail, buttons.LPJ_DETAIL, proposal_id)])
    return InlineKeyboardMarkup(rows)


def cancel_return(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button("✖️ " + t.pgettext("button", "Cancel"), buttons.LPJ_CANCEL_RETURN)]])

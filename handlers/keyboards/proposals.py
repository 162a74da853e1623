"""Buttons of the proposal conversation. Callback data carries step values and ids, never text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.models import Approach, Component, Ipwl, ProposalStatus
from bot.domain.proposal_intake import CLIENT_STEPS, EDITABLE_FIELDS, Step, nik_region
from bot.domain.regions import PROVINCES, RegionsCatalog
from bot.i18n import Translator
from bot.services import DraftState
from handlers import buttons
from handlers.buttons import Button
from handlers.views.proposals import APPROACH_LABELS, FIELD_LABELS, PAGE_SIZE, month_label, region_label

Rows = list[list[InlineKeyboardButton]]


def _answer(label: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=buttons.INTAKE_ANSWER.data(value))


def _button(label: str, kind: Button, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=kind.data(*args))


def for_question(
    t: Translator, state: DraftState, regions: RegionsCatalog, today: dt.date
) -> InlineKeyboardMarkup | None:
    """The one-tap answers offered with the question at the cursor."""
    c = state.cursor
    rows: Rows = []
    if c.step == Step.PERIOD:
        nxt = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        rows = [[_answer(month_label(t, today.year, today.month), "this"), _answer(month_label(t, *nxt), "next")]]
    elif c.step == Step.NIK_CONFIRM:
        # One tap confirms the NIK's data and says where the client lives.
        province, regency = nik_region(c.client, regions)
        here = regency or PROVINCES.get(province, province)
        rows = [[_answer("✅ " + t.pgettext("button", "Correct, lives in {place}", place=here), "here")]]
        prev = state.previous
        if prev is not None and prev.province_code and prev.regency and prev.regency != here:
            rows.append(
                [_answer("✅ " + t.pgettext("button", "Correct, lives in {place}", place=prev.regency), "prev")]
            )
        rows += [
            [_answer("✅ " + t.pgettext("button", "Correct, lives elsewhere"), "elsewhere")],
            [_answer("✏️ " + t.pgettext("button", "Change birth date or sex"), "change")],
        ]
    elif c.step == Step.NIK_MISMATCH:
        rows = [
            [_answer("✔️ " + t.pgettext("button", "Keep what I entered"), "keep")],
            [_answer("🪪 " + t.pgettext("button", "Use the NIK's birth date and sex"), "nik")],
        ]
    elif c.step == Step.SEX or (c.step == Step.EDIT and c.edit_field == "sex"):
        rows = [[_answer(t.pgettext("button", "Male"), "L"), _answer(t.pgettext("button", "Female"), "P")]]
    elif c.step == Step.REGION:
        province, regency = nik_region(c.client, regions)
        rows = [[_answer("📍 " + region_label(province, regency), "nik")]]
        if state.previous is not None and state.previous.province_code:
            previous_place = region_label(state.previous.province_code, state.previous.regency)
            if previous_place != region_label(province, regency):
                rows.append([_answer("↺ " + previous_place, "prev")])
        rows.append([_answer(t.pgettext("button", "Somewhere else"), "other")])
    elif c.step == Step.PROVINCE and c.choices:
        rows = [[_answer(PROVINCES[code], code)] for code in c.choices]
    elif c.step == Step.PROVINCE:
        # The IPWL's own province (most clients live near it) and the previous client's, one tap each.
        offered = [
            code
            for code in (state.ipwl.province_code, state.previous.province_code if state.previous else None)
            if code is not None and code in PROVINCES
        ]
        rows = [[_answer(PROVINCES[code], code)] for code in dict.fromkeys(offered)]
    elif c.step == Step.REGENCY and c.choices:
        rows = [[_answer(r.name, r.code)] for code in c.choices if (r := regions.regency(code))]
    elif c.step == Step.REGENCY and regions.has_regencies:
        # Every regency and city of the province, from the regions file, two to a row.
        found = [_answer(r.name, r.code) for r in regions.regencies_of(c.client.get("province_code", ""))]
        rows = [found[i : i + 2] for i in range(0, len(found), 2)]
    elif c.step == Step.PHONE or (c.step == Step.EDIT and c.edit_field == "phone"):
        rows = [[_answer(t.pgettext("button", "Skip"), "skip")]]
    elif c.step == Step.APPROACH or (c.step == Step.EDIT and c.edit_field == "approach"):
        rows = [[_answer(t.gettext(APPROACH_LABELS[a]), a.value) for a in Approach]]
        prev = state.previous
        if c.step == Step.APPROACH and prev is not None and prev.approach:
            label = t.pgettext(
                "button",
                "Same as previous client: {approach}, {components}",
                approach=t.gettext(APPROACH_LABELS[prev.approach]),
                components=",".join(x.value for x in prev.components),
            )
            rows.append([_answer("↺ " + label, "same")])
    elif c.step == Step.COMPONENTS or (c.step == Step.EDIT and c.edit_field == "components"):
        selected = set(c.client.get("components", []))
        toggles = [_answer(("✅ " if x.value in selected else "") + x.value, x.value) for x in Component]
        rows = [toggles[:4], toggles[4:], [_answer("✔️ " + t.pgettext("button", "Done"), "done")]]
    elif c.step in (Step.BUDGET, Step.BUDGET_LINE) and state.editing is not None:
        others = [x for x in state.editing.components if c.step == Step.BUDGET or x.value != c.component]
        if others:
            rows = [
                [_answer("➕ " + t.pgettext("button", "Line for {number}", number=x.value), x.value) for x in others]
            ]
        if state.previous is not None and state.previous.budget and not state.editing.budget:
            rows.append([_answer("↺ " + t.pgettext("button", "Copy the previous client's budget"), "copy")])
        if state.editing.budget:
            rows.append(
                [
                    _answer("➕ " + t.pgettext("button", "Next client"), "next"),
                    _answer("📋 " + t.pgettext("button", "Summary and send"), "review"),
                ]
            )
        else:
            rows.append([_button("📋 " + t.pgettext("button", "Back to the summary"), buttons.DRAFT_SUMMARY)])
        return InlineKeyboardMarkup(rows)
    elif c.step == Step.EDIT and c.edit_field in ("regency", "province") and regions.has_regencies:
        if c.choices and c.edit_field == "province":
            rows = [[_answer(PROVINCES[code], code)] for code in c.choices if code in PROVINCES]
        elif c.choices:
            rows = [[_answer(r.name, r.code)] for code in c.choices if (r := regions.regency(code))]
        elif c.edit_field == "province":
            rows = (
                [[_answer(PROVINCES[state.ipwl.province_code], state.ipwl.province_code)]]
                if state.ipwl.province_code in PROVINCES
                else []
            )
        else:
            chosen = c.client.get("province_code") or (state.editing.province_code if state.editing else "")
            found = [_answer(r.name, r.code) for r in regions.regencies_of(chosen or "")]
            rows = [found[i : i + 2] for i in range(0, len(found), 2)]
            rows.append([_answer("🗺 " + t.pgettext("button", "Another province"), "province")])
        rows.append([_answer("‹ " + t.pgettext("button", "Back"), "back")])
    elif c.step == Step.EDIT:
        rows = [[_answer("‹ " + t.pgettext("button", "Back"), "back")]]
    elif c.step in (Step.CONSENT_GUARDIAN, Step.CONSENT_FORM):
        rows = [[_answer("📋 " + t.pgettext("button", "Back to the summary"), "back")]]
    elif c.step == Step.REVIEW:
        return review(t, state)
    if c.step in CLIENT_STEPS:
        # Every question offers the way back to the summary; a client not finished is not kept.
        label = (
            t.pgettext("button", "Back to the summary (this client is not saved)")
            if c.client
            else t.pgettext("button", "Back to the summary")
        )
        rows.append([_button("📋 " + label, buttons.DRAFT_SUMMARY)])
    return InlineKeyboardMarkup(rows) if rows else None


def review(t: Translator, state: DraftState, page: int = 0) -> InlineKeyboardMarkup:
    p = state.proposal
    rows: Rows = []
    start = page * PAGE_SIZE
    for client in state.clients[start : start + PAGE_SIZE]:
        rows.append(
            [
                InlineKeyboardButton(
                    f"✏️ {client.position}. {client.full_name[:30]}", callback_data=buttons.DRAFT_CLIENT.data(client.id)
                )
            ]
        )
    nav = []
    if page > 0:
        nav.append(_button(t.pgettext("button", "‹ Previous"), buttons.DRAFT_PAGE, page - 1))
    if start + PAGE_SIZE < len(state.clients):
        nav.append(_button(t.pgettext("button", "Next ›"), buttons.DRAFT_PAGE, page + 1))
    if nav:
        rows.append(nav)
    rows.append(
        [
            _button(t.pgettext("button", "➕ Add a client"), buttons.DRAFT_ADD_CLIENT),
            _button(t.pgettext("button", "📥 Client list (XLSX)"), buttons.DRAFT_TEMPLATE),
        ]
    )
    if state.documents:
        rows.append(
            [
                _button(
                    t.pgettext(
                        "button",
                        "📎 Attachments ({count})",
                        count=len(state.documents),
                    ),
                    buttons.DRAFT_ATTACHMENTS,
                )
            ]
        )
    label = (
        t.pgettext("button", "📤 Send again to the PIC team")
        if p.status == ProposalStatus.RETURNED
        else t.pgettext("button", "📤 Send to the PIC team")
    )
    rows.append([_button(label, buttons.PROPOSAL_SUBMIT, p.id)])
    rows.append([_button(t.pgettext("button", "🗑 Withdraw"), buttons.PROPOSAL_WITHDRAW, p.id)])
    return InlineKeyboardMarkup(rows)


REMOVABLE_SHOWN = 20  # attachments offered for removal, the most recent (a message's buttons stay usable)


def attachments(t: Translator, state: DraftState) -> InlineKeyboardMarkup:
    """One 🗑 button per attachment (numbered as the list says), and the way back to the summary."""
    files = list(enumerate(state.documents, start=1))
    rows: Rows = [
        [_button(f"🗑 {number}. {(a.file_name or '-')[:40]}", buttons.DRAFT_REMOVE_ATTACHMENT, a.id)]
        for number, a in files[-REMOVABLE_SHOWN:]
    ]
    rows.append([_button(t.pgettext("button", "‹ Back to the review"), buttons.DRAFT_SUMMARY)])
    return InlineKeyboardMarkup(rows)


def update_listed(t: Translator) -> InlineKeyboardMarkup:
    """Under a client list that names clients already entered: update them, or leave it."""
    return InlineKeyboardMarkup(
        [
            [_button("🔄 " + t.pgettext("button", "Update them from the file"), buttons.DRAFT_UPDATE_LISTED)],
            [_button("✖️ " + t.pgettext("button", "No, change nothing"), buttons.DRAFT_KEEP)],
        ]
    )


def attachment_saved(t: Translator) -> InlineKeyboardMarkup:
    """Under "📎 Saved": the list, to take back a file sent by mistake."""
    return InlineKeyboardMarkup(
        [[_button(t.pgettext("button", "📎 See or remove attachments"), buttons.DRAFT_ATTACHMENTS)]]
    )


def client_card(t: Translator, state: DraftState, client_id: int) -> InlineKeyboardMarkup:
    client = next(c for c in state.clients if c.id == client_id)
    cells = [
        InlineKeyboardButton(
            "✏️ " + t.gettext(FIELD_LABELS[f]), callback_data=buttons.DRAFT_EDIT_FIELD.data(client.id, f)
        )
        for f in EDITABLE_FIELDS
    ]
    rows: Rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    for line in client.budget:
        rows.append(
            [
                InlineKeyboardButton(
                    f"🗑 [{line.component.value}] {line.description[:28]}",
                    callback_data=buttons.DRAFT_REMOVE_LINE.data(client.id, line.id),
                )
            ]
        )
    rows.append(
        [
            _button(t.pgettext("button", "➕ Budget line"), buttons.DRAFT_BUDGET_LINE, client.id),
            _button(t.pgettext("button", "🗑 Remove client"), buttons.DRAFT_REMOVE_CLIENT, client.id),
        ]
    )
    rows.append([_button(t.pgettext("button", "‹ Back to the review"), buttons.DRAFT_SUMMARY)])
    return InlineKeyboardMarkup(rows)


def confirm(yes: tuple[str, Button], no: tuple[str, Button], *args: object) -> InlineKeyboardMarkup:
    """Two buttons: (label, kind) for yes and for no, both carrying ``args``."""
    return InlineKeyboardMarkup([[_button(yes[0], yes[1], *args), _button(no[0], no[1], *args)]])


def choose_ipwl(ipwls: Sequence[Ipwl]) -> InlineKeyboardMarkup:
    """One button per IPWL the operator runs: which one the new proposal is for."""
    return InlineKeyboardMarkup(
        [[_button(f"🏠 {i.code} · {i.name}"[:60], buttons.DRAFT_IPWL, i.id)] for i in ipwls[:20]]
    )


def continue_or_discard(t: Translator, proposal_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(t.pgettext("button", "▶️ Continue the draft"), buttons.DRAFT_CONTINUE, proposal_id)],
            [_button(t.pgettext("button", "🗑 Discard the draft"), buttons.PROPOSAL_WITHDRAW, proposal_id)],
        ]
    )


def status_actions(t: Translator, state: DraftState) -> InlineKeyboardMarkup | None:
    status = state.proposal.status
    rows: Rows = []
    if status in (ProposalStatus.DRAFT, ProposalStatus.RETURNED):
        rows.append([_button(t.pgettext("button", "✏️ Open and revise"), buttons.PROPOSAL_OPEN, state.proposal.id)])
    if status in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.RETURNED):
        rows.append([_button(t.pgettext("button", "🗑 Withdraw"), buttons.PROPOSAL_WITHDRAW, state.proposal.id)])
    return InlineKeyboardMarkup(rows) if rows else None

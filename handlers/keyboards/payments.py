"""Buttons of steps c–d: the SK picker, bank accounts, their verification, the payment."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.models import BankAccountStatus, ProposalStatus, TransferStatus
from bot.domain.records import StaffSummary
from bot.domain.validation import BANKS
from bot.i18n import Translator
from bot.services.decrees import SkDraft
from bot.services.payments import AccountEntry, Accounts, PaymentStep
from handlers import buttons
from handlers.buttons import Button
from handlers.views.payments import ACCOUNT_STATUS

MAX_ROWS = 40


def _button(label: str, kind: Button, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=kind.data(*args))


def _grid(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


# --- SK --------------------------------------------------------------------------------------------


def sk_draft(t: Translator, d: SkDraft) -> InlineKeyboardMarkup | None:
    if not d.candidates:
        return None
    rows = [
        [_button(("✅ " if s.id in d.picked else "⬜ ") + s.code, buttons.SK_DRAFT, "p", s.id)]
        for s in d.candidates[:MAX_ROWS]
    ]
    if d.asked_number:
        rows.append([_button(t.pgettext("button", "🔢 Next number from the register"), buttons.SK_DRAFT, "r")])
        rows.append(
            [
                _button(t.pgettext("button", "🖋 Issue the SK"), buttons.SK_DRAFT, "y"),
                _button(t.pgettext("button", "✖️ Cancel"), buttons.SK_DRAFT, "x"),
            ]
        )
    else:
        rows.append(
            [
                _button(t.pgettext("button", "Next: number and date ›"), buttons.SK_DRAFT, "n"),
                _button(t.pgettext("button", "✖️ Cancel"), buttons.SK_DRAFT, "x"),
            ]
        )
    return InlineKeyboardMarkup(rows)


# --- bank accounts -----------------------------------------------------------------------------------


def annex_held(t: Translator, held: Sequence[tuple[str, int, int]]) -> InlineKeyboardMarkup | None:
    """Under the SK annex, for the head: decide each client held for double assistance (issue 16.1)."""
    cells = [
        _button(
            t.pgettext("button", "⚖️ Decide {code} no. {number}", code=code, number=position),
            buttons.NIK_ADJUDICATE,
            client_id,
        )
        for code, position, client_id in held[:30]
    ]
    return InlineKeyboardMarkup(_grid(cells, 1)) if cells else None


def accounts_overview(t: Translator, items: Sequence[Accounts]) -> InlineKeyboardMarkup | None:
    rows = []
    for a in items:
        editable = [r for r in a.rows if a.asks_account(r)]  # (not a client held for double assistance)
        cells = [
            _button(
                f"{ACCOUNT_STATUS[r.account_status]} {r.client.position}. {r.client.full_name[:18]}",
                buttons.ACCOUNT_ENTER,
                r.client.id,
            )
            for r in editable[:MAX_ROWS]
        ]
        rows.extend(_grid(cells, 2))
        if a.proposal.status == ProposalStatus.DECREED:
            rows.append(
                [
                    _button(
                        t.pgettext("button", "📥 Workbook for all clients of {code}", code=a.proposal.code),
                        buttons.ACCOUNTS_SHEET,
                        a.proposal.id,
                    )
                ]
            )
    return InlineKeyboardMarkup(rows) if rows else None


REGIONAL_PAGE = "bpd"


def account_question(t: Translator, e: AccountEntry, *, page: str = "") -> InlineKeyboardMarkup | None:
    cancel = _button(t.pgettext("button", "✖️ Cancel"), buttons.ACCOUNT_CANCEL)
    if e.step == "bank":
        # Two pages, so the picker fits a phone: the national banks, then the regional ones (BPD).
        regional = page == REGIONAL_PAGE
        shown = [b for b in BANKS.values() if b.regional == regional]
        rows = _grid(
            [_button(f"{b.name} ({b.transfer_code})", buttons.ACCOUNT_BANK, b.code) for b in shown],
            2 if regional else 3,
        )
        if regional:
            rows.append([_button(t.pgettext("button", "‹ National banks"), buttons.ACCOUNT_BANK_PAGE, "main"), cancel])
        else:
            rows.append(
                [_button(t.pgettext("button", "🏛 Regional banks (BPD) ›"), buttons.ACCOUNT_BANK_PAGE, REGIONAL_PAGE)]
            )
            rows.append([cancel])
        return InlineKeyboardMarkup(rows)
    if e.step == "passbook":
        return InlineKeyboardMarkup(
            [
                [_button(t.pgettext("button", "💾 Save without a photo"), buttons.ACCOUNT_SKIP_PASSBOOK)],
                [_button(t.pgettext("button", "✏️ Type again"), buttons.ACCOUNT_RETYPE), cancel],
            ]
        )
    return InlineKeyboardMarkup([[cancel]])


def accounts_review(t: Translator, a: Accounts) -> InlineKeyboardMarkup | None:
    if a.proposal.status != ProposalStatus.ACCOUNTS_SUBMITTED:
        return None
    rows = []
    for r in a.rows[:MAX_ROWS]:
        if r.account_status == BankAccountStatus.SUBMITTED:
            photo = (
                [_button(f"📷 {r.client.position}", buttons.ACCOUNT_PASSBOOK, r.client.id)]
                if r.account and r.account.passbook_id
                else []
            )
            rows.append(
                [
                    _button(f"✅ {r.client.position}", buttons.ACCOUNT_VERIFY, r.client.id, r.revision),
                    _button(f"↩️ {r.client.position}", buttons.ACCOUNT_RETURN, r.client.id),
                    *photo,
                ]
            )
        elif r.account_status == BankAccountStatus.VERIFIED:
            rows.append([_button(f"↩️ {r.client.position}", buttons.ACCOUNT_RETURN, r.client.id)])
    if a.unquestioned:
        rows.append(
            [
                _button(
                    t.pgettext("button", "✅ Verify the rest without ⚠️")
                    if a.set_aside
                    else t.pgettext("button", "✅ Verify all remaining"),
                    buttons.ACCOUNTS_VERIFY_ALL,
                    a.proposal.id,
                    a.submitted_revisions,
                )
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def open_accounts(t: Translator, proposal_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(t.pgettext("button", "🏦 Check the accounts"), buttons.ACCOUNTS_REVIEW, proposal_id)]]
    )


def enter_account(t: Translator, client_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(t.pgettext("button", "🏦 Enter the account"), buttons.ACCOUNT_ENTER, client_id)]]
    )


# --- payment -------------------------------------------------------------------------------------------


def payment_candidates(t: Translator, items: Sequence[StaffSummary]) -> InlineKeyboardMarkup | None:
    rows = [[_button(f"💸 {s.code} · {s.ipwl_code}", buttons.PAYMENT_OPEN, s.id)] for s in items[:MAX_ROWS]]
    return InlineKeyboardMarkup(rows) if rows else None


def open_payment(t: Translator, proposal_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(t.pgettext("button", "💸 Record the payment"), buttons.PAYMENT_OPEN, proposal_id)]]
    )


def payment_step(t: Translator, step: PaymentStep) -> InlineKeyboardMarkup | None:
    a = step.accounts
    if step.step == "confirm":
        return InlineKeyboardMarkup(
            [
                [
                    _button(
                        t.pgettext("button", "✅ Save SPP and SPM"),
                        buttons.PAYMENT_ORDERS_CONFIRMED,
                        a.proposal.id,
                        "y",
                    ),
                    _button(t.pgettext("button", "✏️ Type again"), buttons.PAYMENT_ORDERS_CONFIRMED, a.proposal.id, "n"),
                ]
            ]
        )
    if step.step is not None or a.proposal.status != ProposalStatus.ACCOUNTS_VERIFIED:
        return None
    rows = []
    for r in a.rows[:MAX_ROWS]:
        if r.transfer_status == TransferStatus.SENT or r.account_status == BankAccountStatus.REJECTED:
            continue
        if r.client.id in a.held:
            continue  # held for double assistance: no transfer until adjudicated
        # Each carries the revision of the account shown: a later account needs a newer card.
        rows.append(
            [
                _button(f"✅ {r.client.position}", buttons.TRANSFER_SENT, r.client.id, r.revision),
                _button(
                    f"❌ {r.client.position}",
                    buttons.TRANSFER_FAILED,
                    r.client.id,
                    TransferStatus.FAILED.value,
                    r.revision,
                ),
                _button(
                    f"↩️ {r.client.position}",
                    buttons.TRANSFER_FAILED,
                    r.client.id,
                    TransferStatus.RETURNED.value,
                    r.revision,
                ),
            ]
        )
    if a.all_pending:  # (not a client held, nor one cleared after the SPM: their own ✅)
        rows.append(
            [_button(t.pgettext("button", "✅ All pending sent today"), buttons.TRANSFERS_ALL_SENT, a.proposal.id)]
        )
    rows.append([_button(t.pgettext("button", "📥 Transfers workbook"), buttons.TRANSFERS_SHEET, a.proposal.id)])
    if a.payment is not None and not a.payment.sp2d_number:
        rows.append([_button(t.pgettext("button", "🏦 Record the SP2D"), buttons.PAYMENT_SP2D, a.proposal.id)])
    return InlineKeyboardMarkup(rows)


def start_lpj(t: Translator, proposal_id: int) -> InlineKeyboardMarkup:
    """On the payment notice: open this proposal's LPJ (the same button /lpj offers)."""
    return InlineKeyboardMarkup([[_button(t.pgettext("button", "📑 Start the LPJ"), buttons.LPJ_OPEN, proposal_id)]])

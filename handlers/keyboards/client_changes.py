"""Buttons of changes after the SK (issue 16.6): the client and the kind, the PIC's and the head's
decisions, the SK perubahan, and finance's refunds."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.client_changes import ChangeKind, ChangeStep, RefundCase
from bot.domain.records import ProposalSummary
from bot.i18n import Translator
from bot.services.client_changes import AmendmentDraft, ChangeDetail, ChangeSheet
from handlers import buttons
from handlers.views.client_changes import LONG_LIST, kind_label


def remove_client(t: Translator, client_id: int) -> InlineKeyboardMarkup:
    """A client decided the same person as another IPWL's: ask for their removal (/perubahan), the
    kind already "double assistance"."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "📝 Ask for the removal"),
                    callback_data=buttons.CHANGE_KIND.data(client_id, ChangeKind.DOUBLE_ASSISTANCE.value),
                )
            ]
        ]
    )


def changeable(t: Translator, proposals: Sequence[ProposalSummary]) -> InlineKeyboardMarkup | None:
    """One button per proposal whose clients may be changed (none: no buttons at all)."""
    if not proposals:
        return None
    rows = [[InlineKeyboardButton(p.code, callback_data=buttons.CHANGE_PROPOSAL.data(p.id))] for p in proposals]
    rows.append([InlineKeyboardButton(t.pgettext("button", "✖️ Close"), callback_data=buttons.ADMIN_CLOSE.data())])
    return InlineKeyboardMarkup(rows)


def sheet(t: Translator, data: ChangeSheet) -> InlineKeyboardMarkup:
    if len(data.clients) > LONG_LIST:  # typed by number instead (/perubahan KODE N)
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(t.pgettext("button", "✖️ Close"), callback_data=buttons.ADMIN_CLOSE.data())]]
        )
    rows = [
        [
            InlineKeyboardButton(
                t.pgettext("button", "{number}. {name}", number=client.position, name=client.full_name[:28]),
                callback_data=buttons.CHANGE_CLIENT.data(client.id),
            )
        ]
        for client in data.clients
        if client.id not in data.left and data.open_change(client.id) is None and client.full_name != "-"
    ]
    rows.append([InlineKeyboardButton(t.pgettext("button", "✖️ Close"), callback_data=buttons.ADMIN_CLOSE.data())])
    return InlineKeyboardMarkup(rows)


def kinds(t: Translator, client_id: int, offered: Sequence[ChangeKind]) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                _first_upper(kind_label(t, kind)), callback_data=buttons.CHANGE_KIND.data(client_id, kind.value)
            )
        ]
        for kind in offered
    ]
    rows.append([InlineKeyboardButton(t.pgettext("button", "✖️ Close"), callback_data=buttons.ADMIN_CLOSE.data())])
    return InlineKeyboardMarkup(rows)


def card(t: Translator, change_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "🔎 Details and check"), callback_data=buttons.CHANGE_DETAIL.data(change_id)
                )
            ]
        ]
    )


def detail(t: Translator, data: ChangeDetail) -> InlineKeyboardMarkup | None:
    change_id = data.change.id
    row: list[InlineKeyboardButton] = []
    if data.may_verify:
        row.append(
            InlineKeyboardButton(
                t.pgettext("button", "✅ Verify"),
                callback_data=buttons.CHANGE_DECISION.data(change_id, ChangeStep.VERIFY.value),
            )
        )
    if data.may_verify or data.may_approve:
        row += [
            InlineKeyboardButton(
                t.pgettext("button", "↩️ Return"),
                callback_data=buttons.CHANGE_DECISION.data(change_id, ChangeStep.RETURN.value),
            ),
            InlineKeyboardButton(
                t.pgettext("button", "⛔ Reject"),
                callback_data=buttons.CHANGE_DECISION.data(change_id, ChangeStep.REJECT.value),
            ),
        ]
    return InlineKeyboardMarkup([row]) if row else None


def amendment(t: Translator, draft: AmendmentDraft) -> InlineKeyboardMarkup | None:
    """Number and Issue buttons; none at all when no verified change waits (nothing to cancel)."""
    if not draft.changes:
        return None
    rows = []
    if draft.changes:
        if draft.number is not None:
            rows.append(
                [
                    InlineKeyboardButton(
                        t.pgettext("button", "🔢 Next number from the register"),
                        callback_data=buttons.CHANGE_SK.data("r"),
                    )
                ]
            )
        rows.append(
            [
                InlineKeyboardButton(
                    t.pgettext("button", "📜 Issue SK perubahan {number}", number=draft.final_number[:30]),
                    callback_data=buttons.CHANGE_SK.data("y"),
                )
            ]
        )
    rows.append([InlineKeyboardButton(t.pgettext("button", "✖️ Cancel"), callback_data=buttons.CHANGE_SK.data("x"))])
    return InlineKeyboardMarkup(rows)


def refunds(t: Translator, cases: Sequence[RefundCase]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext(
                        "button", "💸 Returned: {code} no. {number}", code=case.proposal_code, number=case.position
                    ),
                    callback_data=buttons.REFUND_SETTLE.data(case.id),
                )
            ]
            for case in cases[:20]
        ]
    )


def _first_upper(label: str) -> str:
    """Sentence case keeping acronyms: "Pindah ke IPWL lain" (``str.capitalize`` wrote "ipwl")."""
    return label[:1].upper() + label[1:]


def refund_confirm(t: Translator, refund_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "✅ Yes, it is in the account"),
                    callback_data=buttons.REFUND_CONFIRM.data(refund_id),
                ),
                InlineKeyboardButton(
                    t.pgettext("button", "✖️ Not yet"), callback_data=buttons.REFUND_CANCEL.data(refund_id)
                ),
            ]
        ]
    )

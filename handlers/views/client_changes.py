"""Changes after the SK (issue 16.6): the operator's request, the PIC's card and detail, the head's SK
perubahan, and finance's refund cases. Names and NIKs only in private chats; the group card names
the proposal, the client's number and the kind of change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from bot.domain.client_changes import ChangeKind, ChangeRequest, ChangeStatus, RefundCase
from bot.domain.models import Client, Decree
from bot.domain.records import ProposalSummary
from bot.domain.validation import mask_nik
from bot.i18n import N_, Translator
from bot.services.client_changes import (
    AmendmentDraft,
    BirthCheck,
    ChangeDetail,
    ChangeDraft,
    ChangeSheet,
    RefundEntry,
)
from handlers.keyboards.lpj import PHOTO_NAME_PREFIX
from handlers.views import STATUS_LABELS as PROPOSAL_STATUS_LABELS
from handlers.views import _, clip, esc
from handlers.views.payments import below_last_note

KIND_LABELS: Mapping[ChangeKind, str] = {
    ChangeKind.DROP_OUT: N_("drops out"),
    ChangeKind.DEATH: N_("died"),
    ChangeKind.MOVE: N_("moves to another IPWL"),
    ChangeKind.NAME: N_("name correction"),
    ChangeKind.NIK: N_("NIK correction"),
    ChangeKind.DOUBLE_ASSISTANCE: N_("double assistance"),
}

STATUS_LABELS: Mapping[ChangeStatus, str] = {
    ChangeStatus.REQUESTED: N_("waiting for the PIC team's check"),
    ChangeStatus.VERIFIED: N_("verified, waiting for the head's SK perubahan"),
    ChangeStatus.APPROVED: N_("approved under an SK perubahan"),
    ChangeStatus.RETURNED: N_("returned to the operator"),
    ChangeStatus.REJECTED: N_("rejected"),
}


def ipwl_named(name: str | None, code: str) -> str:
    """The receiving IPWL as people know it: its name and code ("Rumah Pulih Bandung (JB02)")."""
    return f"{name} ({code})" if name else code


def kind_label(t: Translator, kind: ChangeKind) -> str:
    return t.gettext(KIND_LABELS[kind])


def status_label(t: Translator, status: ChangeStatus) -> str:
    return t.gettext(STATUS_LABELS[status])


def usage(t: Translator) -> str:
    return _(
        t,
        N_(
            "Write the proposal's code after the command, e.g. {example}. A change of a client after the "
            "SK (drop-out, death, move to another IPWL, a wrong name or NIK) is asked for here."
        ),
        example="/perubahan USL-2026-0001",
    )


def changeable(t: Translator, proposals: Sequence[ProposalSummary]) -> str:
    """``/perubahan`` alone, for an operator: the proposals whose clients may be changed, or why none."""
    what = _(
        t,
        N_(
            "A change of a client after the SK (drop-out, death, move to another IPWL, a wrong name or NIK) "
            "is asked for here."
        ),
    )
    if not proposals:
        return "\n".join(
            [
                _(t, N_("📝 <b>Changes after the SK</b>")),
                "",
                _(t, N_("None of your IPWL's proposals is under an SK now, so there is no client to change.")),
                what,
                _(t, N_("Before the SK, a client is corrected in the proposal itself (see /status).")),
            ]
        )
    lines = [_(t, N_("📝 <b>Changes after the SK</b>")), "", what, ""]
    lines += [f"• <code>{esc(p.code)}</code> — {esc(t.gettext(PROPOSAL_STATUS_LABELS[p.status]))}" for p in proposals]
    lines += [
        "",
        _(
            t,
            N_("Choose the proposal whose client changed, or type {example}."),
            example=f"/perubahan {proposals[0].code}",
        ),
    ]
    return clip("\n".join(lines))


# Above this many clients the sheet lists only those with a change, and asks for the client's number
# (a message holds 4096 characters and 100 buttons).
LONG_LIST = 30


def sheet(t: Translator, data: ChangeSheet) -> str:
    lines = [_(t, N_("📝 <b>Changes of the clients of {code}</b>"), code=data.proposal.code), ""]
    long = len(data.clients) > LONG_LIST
    for client in data.clients:
        if long and client.id not in data.left and data.open_change(client.id) is None:
            continue
        if client.id in data.left:
            state = _(t, N_("off the list (SK perubahan)"))
        elif (change := data.open_change(client.id)) is not None:
            state = _(t, N_("{kind}: {status}"), kind=kind_label(t, change.kind), status=status_label(t, change.status))
        else:
            state = _(t, N_("on the list"))
        lines.append(_(t, N_("{number}. {name}: {state}"), number=client.position, name=client.full_name, state=state))
    decided = [c for c in data.changes if c.status in (ChangeStatus.RETURNED, ChangeStatus.REJECTED)]
    for change in decided[-5:]:
        lines.append(
            _(
                t,
                N_("• Client {number}, {kind}: {status} — {reason}"),
                number=change.position,
                kind=kind_label(t, change.kind),
                status=status_label(t, change.status),
                reason=change.decision_reason or "",
            )
        )
    if long:
        lines += [
            "",
            _(
                t,
                N_(
                    "{count} clients: send {example} with the number of the client whose data or participation changed."
                ),
                count=len(data.clients),
                example=f"/perubahan {data.proposal.code} 12",
            ),
        ]
    else:
        lines += ["", _(t, N_("Tap the client whose data or participation changed."))]
    return clip("\n".join(lines))


def pick_kind(t: Translator, draft_client_position: int, name: str) -> str:
    return _(t, N_("What changed for client {number}, {name}?"), number=draft_client_position, name=name)


def ask(t: Translator, draft: ChangeDraft) -> str:
    """The next question of a change being asked for."""
    head = _(
        t,
        N_("📝 {code}, client {number} ({name}): {kind}"),
        code=draft.proposal_code,
        number=draft.client.position,
        name=draft.client.full_name,
        kind=kind_label(t, draft.kind),
    )
    if draft.step == "value" and draft.kind == ChangeKind.NAME:
        question = _(t, N_("Type the correct full name, as on the KTP."))
    elif draft.step == "value":
        question = _(t, N_("Type the correct NIK (16 digits), as on the KTP or KK."))
    elif draft.step == "target":
        question = _(t, N_("Type the code of the IPWL the client moves to (e.g. JB02)."))
    elif draft.step == "reason":
        question = _(t, N_("Type the reason, briefly (what happened and when)."))
    elif draft.kind == ChangeKind.DOUBLE_ASSISTANCE:
        # The PIC's own decision is the reason; what the team can check is the paper behind it.
        question = _(
            t,
            N_(
                "Send the evidence as a photo or a PDF: the client's KTP or KK, or a statement (berita acara) "
                "that the client is assisted at the other IPWL."
            ),
        )
    else:
        question = _(
            t,
            N_(
                "Send the evidence as a photo or a PDF: the client's statement, a death certificate, the "
                "receiving IPWL's letter, or the KTP/KK for a correction."
            ),
        )
    lines = [head]
    if draft.new_value:
        lines.append(_(t, N_("Correct value: {value}"), value=draft.new_value))
    if draft.target_code:
        lines.append(_(t, N_("To IPWL: {ipwl}"), ipwl=ipwl_named(draft.target_name, draft.target_code)))
    if draft.duplicates:
        lines.append(
            _(
                t,
                N_("⚠️ This NIK is also in {codes} this year; the PIC team will check it."),
                codes=", ".join(draft.duplicates),
            )
        )
    if draft.nik_birth:
        lines.append(_birth_disagreement(t, draft.nik_birth, draft.client.birth_date, asking=True))
    if draft.reason:
        lines.append(_(t, N_("Reason: {reason}"), reason=draft.reason))
    lines += ["", question, _(t, N_("/batal stops without saving anything."))]
    return "\n".join(lines)


def _birth_disagreement(t: Translator, carried: dt.date, recorded: dt.date | None, *, asking: bool = False) -> str:
    """The corrected NIK's birth date is not the record's: the approval corrects the record to the
    NIK's (birth date and sex); the operator is told how to go back if the KTP says otherwise."""
    text = _(
        t,
        N_(
            "⚠️ The corrected NIK carries the birth date {carried}, but the record says {recorded}. "
            "Check both against the KTP in the evidence: once approved, the record takes the NIK's birth "
            "date (and sex), so the two agree."
        ),
        carried=carried,
        recorded=recorded or "-",
    )
    if asking:
        text += " " + _(
            t,
            N_(
                "If the KTP shows the recorded birth date, the NIK typed is wrong: stop with /batal and ask "
                "again with the NIK as on the KTP."
            ),
        )
    return text


def _about(t: Translator, msgid: str, change: ChangeRequest, **params: object) -> str:
    """A line about one change: ``msgid`` names its proposal (code), client (number) and kind."""
    return _(t, msgid, code=change.proposal_code, number=change.position, kind=kind_label(t, change.kind), **params)


def filed(t: Translator, change: ChangeRequest) -> str:
    return _about(
        t,
        N_(
            "✅ The change is asked for ({code}, client {number}: {kind}). The PIC team checks it, then the head "
            "decides in an SK perubahan; you are told at each step."
        ),
        change,
    )


def card(t: Translator, change: ChangeRequest) -> str:
    """The team's group card: codes, the client's number and the kind — no name, no NIK."""
    lines = [
        _(t, N_("📝 <b>Change after the SK</b>: {code}"), code=change.proposal_code),
        _(t, N_("Client no. {number}: {kind}"), number=change.position, kind=kind_label(t, change.kind)),
        _(t, N_("Status: {status}"), status=status_label(t, change.status)),
    ]
    if change.duplicates:
        lines.append(_(t, N_("⚠️ The corrected NIK is also in {codes} this year."), codes=", ".join(change.duplicates)))
    lines.append(_(t, N_("Open the details (in your private chat) to check the reason and the evidence.")))
    return "\n".join(lines)


def _values(t: Translator, change: ChangeRequest) -> list[str]:
    if change.kind == ChangeKind.NIK:
        return [
            _(
                t,
                N_("NIK on the SK: {before}\nCorrect NIK: {after}"),
                before=change.old_value or "",
                after=change.new_value or "",
            )
        ]
    if change.kind == ChangeKind.NAME:
        return [
            _(
                t,
                N_("Name on the SK: {before}\nCorrect name: {after}"),
                before=change.old_value or "",
                after=change.new_value or "",
            )
        ]
    if change.kind == ChangeKind.MOVE:
        return [
            _(t, N_("Moves to IPWL {ipwl}"), ipwl=ipwl_named(change.target_ipwl_name, change.target_ipwl_code or "?"))
        ]
    return []


def detail(t: Translator, data: ChangeDetail) -> str:
    change = data.change
    lines = [
        _(t, N_("📝 <b>Change after the SK</b>: {code}"), code=change.proposal_code),
        _(
            t,
            N_("Client {number}: {name}, NIK {nik}"),
            number=change.position,
            name=data.client.full_name,
            nik=mask_nik(data.client.nik),
        ),
        _(t, N_("Change: {kind}"), kind=kind_label(t, change.kind)),
        *_values(t, change),
        _(t, N_("Reason: {reason}"), reason=change.reason),
        _(t, N_("Asked by {name} on {when}"), name=data.requested_by, when=change.requested_at),
    ]
    if data.verified_by:
        lines.append(_(t, N_("Verified by {name}"), name=data.verified_by))
    if change.duplicates:
        lines.append(_(t, N_("⚠️ The corrected NIK is also in {codes} this year."), codes=", ".join(change.duplicates)))
    if data.nik_birth:
        lines.append(_birth_disagreement(t, data.nik_birth, data.client.birth_date))
    if data.paid:
        lines.append(
            _(
                t,
                N_(
                    "💸 Already paid: {amount} was transferred to this client. Once the SK perubahan approves "
                    "this change, it is a refund case for finance: the money must come back."
                ),
                amount=t.format_money(data.paid),
            )
        )
    lines.append(_(t, N_("Status: {status}"), status=status_label(t, change.status)))
    if data.evidence is None:
        lines.append(_(t, N_("⚠️ The evidence file is no longer kept.")))
    if data.may_approve:
        lines.append(_(t, N_("Approve it with the other verified changes in /skperubahan.")))
    return clip("\n".join(lines))


def detail_sent(t: Translator) -> str:
    return _(t, N_("The details are in your private chat with the bot."))


def ask_decision_reason(t: Translator, change: ChangeRequest, returning: bool) -> str:
    if returning:
        return _(
            t,
            N_("Type why change {code}, client {number} goes back to the operator (what to correct)."),
            code=change.proposal_code,
            number=change.position,
        )
    return _(
        t,
        N_("Type why change {code}, client {number} is rejected."),
        code=change.proposal_code,
        number=change.position,
    )


def progress(
    t: Translator, change: ChangeRequest, *, amendment: Decree | None = None, refund: RefundCase | None = None
) -> str:
    """To the operators: where their change is now (and why, when it came back); once approved, the
    SK perubahan's number and date, what it does, and any money already paid that must come back."""
    lines = [
        _about(
            t,
            N_("📝 Change of {code}, client {number} ({kind}): {status}"),
            change,
            status=status_label(t, change.status),
        )
    ]
    if change.decision_reason:
        lines.append(_(t, N_("Reason: {reason}"), reason=change.decision_reason))
    if change.status == ChangeStatus.RETURNED:
        lines.append(_(t, N_("Correct it and ask again with /perubahan {code}."), code=change.proposal_code))
    if change.status == ChangeStatus.APPROVED and amendment is not None:
        lines.append(_(t, N_("SK perubahan {number} of {date}."), number=amendment.number, date=amendment.issued_on))
        if change.is_exit:
            lines.append(
                _(
                    t,
                    N_(
                        "The client is off the list of {code}: transfers not yet sent leave them out, and the LPJ "
                        "covers only the clients still on the list."
                    ),
                    code=change.proposal_code,
                )
            )
    if refund is not None:
        lines.append(
            _(
                t,
                N_(
                    "💸 {amount} was already transferred to this client: it must come back to the centre's account. "
                    "Ask finance for the account to pay into and help the client (or the family) return it. Then "
                    "hand the deposit slip to the centre's finance staff outside this bot (by email or WhatsApp, "
                    "say): the bot does not take it from you. Finance records it in /bayar."
                ),
                amount=t.format_money(refund.amount),
            )
        )
    return "\n".join(lines)


def to_approve(t: Translator, change: ChangeRequest, check: BirthCheck | None = None) -> str:
    """To the head, privately: a verified change; a NIK correction's other birth date named."""
    text = _about(
        t,
        N_(
            "📝 A change after the SK was verified: {code}, client {number} ({kind}). It waits for your "
            "SK perubahan: /skperubahan."
        ),
        change,
    )
    if check is not None:
        text += "\n" + _birth_check(t, check)
    return text


def _birth_check(t: Translator, check: BirthCheck) -> str:
    return _(
        t,
        N_(
            "⚠️ {name}: the corrected NIK carries the birth date {carried}, the record says {recorded}. "
            "Approving it corrects the record to the NIK's birth date (and sex); "
            "open 🔎 Details and check to see the KTP."
        ),
        name=check.name,
        carried=check.carried,
        recorded=check.recorded or "-",
    )


def moved_in(t: Translator, change: ChangeRequest, client: Client, from_ipwl: str) -> str:
    """To the receiving IPWL's operators (a private chat): who comes to them, to propose afresh."""
    return _(
        t,
        N_(
            "📝 A client moves to your IPWL: {name} (NIK {nik}), until now client {number} of {code} ({ipwl}), "
            "by an SK perubahan. Include them in your next proposal if they are to be served by you; "
            "the PIC team sees the earlier proposal when the NIK is checked."
        ),
        name=client.full_name,
        nik=mask_nik(client.nik),
        number=change.position,
        code=change.proposal_code,
        ipwl=from_ipwl,
    )


def amendment_draft(t: Translator, draft: AmendmentDraft) -> str:
    if not draft.changes:
        return _(t, N_("No verified change is waiting for an SK perubahan."))
    lines = [_(t, N_("📜 <b>SK perubahan</b>: the verified changes it approves"))]
    for change in draft.changes:
        line = _about(t, N_("• {code}, client {number}: {kind}"), change)
        if draft.paid.get(change.id):
            line += " · " + _(
                t,
                N_("💸 already paid {amount}: a refund to recover"),
                amount=t.format_money(draft.paid[change.id]),
            )
        lines.append(line)
        if (check := draft.birth_checks.get(change.id)) is not None:
            lines.append("   " + _birth_check(t, check))
    lines += [
        "",
        _(t, N_("Number: {number}"), number=draft.final_number),
        _(t, N_("Date: {date}"), date=draft.date),
        *([below_last_note(t, draft.below)] if draft.below is not None else []),
        "",
        _(
            t,
            N_("Type another number and its date if needed, e.g. {example}; then press Issue."),
            example=draft.example,
        ),
    ]
    return clip("\n".join(lines))


def amendment_issued(t: Translator, decree: Decree, changes: Sequence[ChangeRequest]) -> str:
    return _(
        t,
        N_("✅ SK perubahan {number} of {date} is issued: {count} change(s). Its annex follows."),
        number=decree.number,
        date=decree.issued_on,
        count=len(changes),
    )


def amendment_annex_caption(t: Translator, decree: Decree, count: int) -> str:
    return _(t, N_("Annex to SK perubahan {number}: {count} change(s)."), number=decree.number, count=count)


def refund_opened(t: Translator, case: RefundCase) -> str:
    return _(
        t,
        N_(
            "💸 Refund to recover: {code}, client {number} ({kind}) was paid {amount} before leaving the list "
            "(SK perubahan {sk}). Record it in /bayar when the money is back."
        ),
        code=case.proposal_code,
        number=case.position,
        kind=kind_label(t, case.kind),
        amount=t.format_money(case.amount),
        sk=case.amendment_number or "",
    )


def refunds(t: Translator, cases: Sequence[RefundCase]) -> str:
    lines = [_(t, N_("💸 <b>Refunds to recover</b> (clients paid before leaving the list)"))]
    for case in cases:
        lines.append(
            _(
                t,
                N_("• {code}, client {number} ({kind}): {amount}, SK perubahan {sk}"),
                code=case.proposal_code,
                number=case.position,
                kind=kind_label(t, case.kind),
                amount=t.format_money(case.amount),
                sk=case.amendment_number or "",
            )
            + (
                " · "
                + _(
                    t,
                    N_("{received} back so far, {remaining} still open"),
                    received=t.format_money(case.received),
                    remaining=t.format_money(case.remaining),
                )
                if case.received
                else ""
            )
        )
    return clip("\n".join(lines))


def refund_ask(t: Translator, entry: RefundEntry) -> str:
    """Finance recording a refund: the amount and date first, then the proof."""
    case = entry.case
    if entry.step == "amount":
        return _(
            t,
            N_(
                "💸 Refund of {code}, client {number} ({kind}): {remaining} still to come back.\n"
                "Type the amount received and the day it reached the centre's account, e.g. {example}. "
                "A part is allowed: the rest stays open."
            ),
            code=case.proposal_code,
            number=case.position,
            kind=kind_label(t, case.kind),
            remaining=t.format_money(case.remaining),
            example=entry.example,
        )
    return _(
        t,
        N_(
            "{amount} received on {date}. Now the proof: send a photo or a PDF of the deposit slip, "
            "or type the transfer's reference number."
        ),
        amount=t.format_money(entry.amount or 0),
        date=entry.received_on,
    )


def refund_confirm(t: Translator, entry: RefundEntry) -> str:
    """The refund read back before it is recorded: amount, date, proof and what stays open."""
    case = entry.case
    proof = (
        _(t, N_("reference number {reference}"), reference=entry.reference)
        if entry.reference
        # A photo has no name of its own (it is stored as "foto-<id>.jpg"): shown as a photo.
        else _(t, N_("file {name}"), name=entry.proof_name)
        if entry.proof_name and not entry.proof_name.startswith(PHOTO_NAME_PREFIX)
        else _(t, N_("photo"))
    )
    lines = [
        _(
            t,
            N_("💸 Record this refund of {code}, client {number} ({kind}, SK perubahan {sk})?"),
            code=case.proposal_code,
            number=case.position,
            kind=kind_label(t, case.kind),
            sk=case.amendment_number or "",
        ),
        _(
            t,
            N_("Amount received: <b>{amount}</b> on {date}"),
            amount=t.format_money(entry.amount or 0),
            date=entry.received_on,
        ),
        _(t, N_("Proof: {proof}"), proof=proof),
        _(t, N_("Still open after this: {remaining}"), remaining=t.format_money(entry.remaining_after))
        if entry.remaining_after
        else _(t, N_("After this, the refund is complete.")),
        _(
            t,
            N_(
                "Press ✅ only once this amount is in the centre's account (check the bank statement or the "
                "deposit slip). It is recorded under your name."
            ),
        ),
    ]
    return "\n".join(lines)


def refund_recorded(t: Translator, case: RefundCase, amount: int, on: dt.date) -> str:
    """To the IPWL's operators: finance recorded money of a refund as received."""
    head = _(
        t,
        N_("💸 Refund of {code}, client {number} ({kind}): {amount} received by the centre on {date}."),
        code=case.proposal_code,
        number=case.position,
        kind=kind_label(t, case.kind),
        amount=t.format_money(amount),
        date=on,
    )
    rest = (
        _(t, N_("{remaining} is still to come back to the centre's account."), remaining=t.format_money(case.remaining))
        if case.remaining
        else _(t, N_("The refund is complete: nothing more is to come back."))
    )
    return head + "\n" + rest


def refund_not_recorded(t: Translator) -> str:
    return _(t, N_("Nothing was recorded: the refund stays open in /bayar."))


def refund_settled(t: Translator, case: RefundCase) -> str:
    if case.remaining:
        return _(
            t,
            N_("✅ Recorded: {received} of {amount} back for {code}, client {number}; {remaining} stays open."),
            received=t.format_money(case.received),
            amount=t.format_money(case.amount),
            code=case.proposal_code,
            number=case.position,
            remaining=t.format_money(case.remaining),
        )
    return _(
        t,
        N_("✅ The refund of {code}, client {number} ({amount}) is recorded as returned by {name} on {at}."),
        code=case.proposal_code,
        number=case.position,
        amount=t.format_money(case.amount),
        name=case.settled_by_name or "-",
        at=case.settled_at or "-",
    )


def waiting(t: Translator, counts: Mapping[str, int]) -> list[str]:
    """The /tugas lines for changes after the SK and refunds."""
    lines = []
    if counts.get("verify"):
        lines.append(_(t, N_("📝 Changes after the SK to check: {count}"), count=counts["verify"]))
    if counts.get("approve"):
        lines.append(
            _(
                t,
                N_("📜 Verified changes waiting for your SK perubahan (/skperubahan): {count}"),
                count=counts["approve"],
            )
        )
    if counts.get("refund"):
        lines.append(_(t, N_("💸 Refunds to recover (/bayar): {count}"), count=counts["refund"]))
    return lines

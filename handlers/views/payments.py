"""What the head, operators, verifiers and finance read in steps c–d (all private chats)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from bot.domain.models import BankAccountStatus, Decree, TransferStatus
from bot.domain.records import AccountShare, StaffSummary
from bot.domain.validation import BANKS, Problem, holder_name_warning, mask_account
from bot.i18n import N_, Translator, format_date, format_money
from bot.services.decrees import SkDraft
from bot.services.payments import AccountEntry, Accounts, Beneficiary, PaymentStep
from handlers.views import STATUS_LABELS, _, clip
from handlers.views.budget import held_note, selection_over

ACCOUNT_STATUS: Mapping[BankAccountStatus, str] = {
    BankAccountStatus.MISSING: "⬜",
    BankAccountStatus.SUBMITTED: "🕓",
    BankAccountStatus.VERIFIED: "✅",
    BankAccountStatus.REJECTED: "❌",
}
TRANSFER_STATUS: Mapping[TransferStatus, str] = {
    TransferStatus.PENDING: "⬜",
    TransferStatus.SENT: "✅",
    TransferStatus.FAILED: "❌",
    TransferStatus.RETURNED: "↩️",
}


def _warnings(t: Translator, warnings: Sequence[Problem]) -> list[str]:
    return ["⚠️ " + _(t, w.message, **w.params) for w in warnings]


def _summary(t: Translator, s: StaffSummary) -> str:
    return _(
        t,
        N_("<b>{code}</b> · {ipwl} · {count} client(s) · {total}"),
        code=s.code,
        ipwl=s.ipwl_name,
        count=s.payable_clients,  # (a client held for double assistance is out of the money: said apart)
        total=format_money(s.payable_total),
    )


# --- SK (head) -------------------------------------------------------------------------------------


def sk_draft(t: Translator, d: SkDraft) -> str:
    if not d.candidates:
        return _(t, N_("No validated proposal is waiting for an SK."))
    lines = [_(t, N_("🖋 <b>New SK</b>: tick the validated proposals it covers."))]
    for s in d.candidates:
        line = "• " + _summary(t, s)
        if d.held.get(s.id):
            line += " · " + _(t, N_("🛑 {count} held for double assistance, left out of the annex"), count=d.held[s.id])
        if d.warned.get(s.id):
            line += " · " + _(t, N_("⚠️ {count} same NIK under review elsewhere"), count=d.warned[s.id])
        lines.append(line)
    chosen = d.chosen
    lines.append("")
    lines.append(
        _(
            t,
            N_("Ticked: {count} proposal(s), {clients} client(s), {total}."),
            count=len(chosen),
            clients=sum(s.payable_clients for s in chosen),  # as each line says: held clients apart
            total=format_money(sum(s.payable_total for s in chosen)),
        )
    )
    for s in chosen:
        if s.clients and not s.payable_clients:  # refused at "Issue": said before the tap
            lines.append("⛔ " + sk_all_held(t, s))
        if d.warned.get(s.id):  # a warning, not a refusal: soft conflicts warn (codes and counts only)
            lines.append(
                _(
                    t,
                    N_(
                        "⚠️ {code}: {count} client(s) with the same NIK as a proposal of another IPWL still under "
                        "review, not yet decided by a PIC. Issuing is allowed: the later one will be held."
                    ),
                    code=s.code,
                    count=d.warned[s.id],
                )
            )
    # The head sees the room left before confirming, per budget year the ticked proposals charge
    # (their periods' years: the SK is checked against each).
    for budget in d.budgets:
        if budget.ceiling:
            lines.append(
                _(
                    t,
                    N_("Budget ceiling {year}: {ceiling} · committed {committed} · remaining {remaining}"),
                    year=budget.year,
                    ceiling=format_money(budget.ceiling),
                    committed=format_money(budget.committed),
                    remaining=format_money(budget.ceiling - budget.committed),
                )
            )
            if budget.held:
                lines.append(held_note(t, budget.held))
    for budget in d.budgets:
        if budget.over:
            lines += ["", *selection_over(t, budget.year, budget.over), ""]
    if d.asked_number:
        # Number and date apart, as they will be recorded: nothing is recorded before "Issue".
        lines.append(_(t, N_("SK number: <b>{number}</b>"), number=d.final_number))
        lines.append(_(t, N_("SK date: <b>{date}</b>"), date=d.date))
        if d.number is None:
            lines.append(_(t, N_("(the next number from the register, dated today)")))
        elif d.below is not None:
            lines.append(below_last_note(t, d.below))
        lines.append(
            _(
                t,
                N_("To use another number, type it followed by its date, e.g. {example}; or confirm."),
                example=d.example,
            )
        )
    return clip("\n".join(lines))


def below_last_note(t: Translator, last: Decree) -> str:
    """A typed SK number below the year's last issued one: accepted (gaps happen), but noted."""
    return _(
        t,
        N_("ℹ️ This number is below the last one issued, {number} of {date}."),
        number=last.number,
        date=f"{last.issued_on:%d-%m-%Y}",
    )


def sk_card_replaced(t: Translator) -> str:
    """An older SK card, closed: its buttons go, and it points to the newer one."""
    return _(t, N_("🖋 This SK draft was replaced by the newer message below; use that one."))


def sk_issued(t: Translator, decree: Decree, count: int) -> str:
    return _(
        t,
        N_(
            "✅ SK <b>{number}</b> of {date} issued for {count} proposal(s). The operators are asked for "
            "the bank accounts; the annex follows."
        ),
        number=decree.number,
        date=decree.issued_on,
        count=count,
    )


def sk_all_held(t: Translator, s: StaffSummary) -> str:
    return _(
        t,
        N_(
            "{code}: every client is held for double assistance, so the SK would decree nobody. Untick it "
            "until a PIC or the head decides."
        ),
        code=s.code,
    )


def sk_cancelled(t: Translator) -> str:
    return _(t, N_("Cancelled: no SK was issued."))


def sk_annex_caption(
    t: Translator,
    decree: Decree,
    clients: int,
    total: int,
    held: Sequence[tuple[str, int, int]] = (),
    confirmed: Sequence[tuple[str, int, int]] = (),
) -> str:
    text = _(
        t,
        N_("📎 Annex to SK {number}: {count} beneficiaries, {total}."),
        number=decree.number,
        count=clients,
        total=format_money(total),
    )
    if held:
        # (a caption holds 1024 characters: the first few clients by code and number, then a count)
        listed = ", ".join(_(t, N_("{code} no. {number}"), code=code, number=n) for code, n, _id in held[:8])
        more = len(held) - 8
        text += "\n" + _(
            t,
            N_(
                "🛑 Held out for double assistance until a PIC or the head decides: {list}. "
                "A new annex follows each decision."
            ),
            list=listed + (f" (+{more})" if more > 0 else ""),
        )
    if confirmed:
        listed = ", ".join(_(t, N_("{code} no. {number}"), code=code, number=n) for code, n, _id in confirmed[:8])
        more = len(confirmed) - 8
        text += "\n" + _(
            t,
            N_("⛔ Double assistance confirmed, out of the annex for good: {list}."),
            list=listed + (f" (+{more})" if more > 0 else ""),
        )
    return text


def sk_issued_notice(t: Translator, summary: StaffSummary, decree: Decree) -> str:
    text = _(
        t,
        N_("🖋 SK <b>{number}</b> of {date} covers your proposal <b>{code}</b> ({count} client(s), {total})."),
        number=decree.number,
        date=decree.issued_on,
        code=summary.code,
        count=summary.payable_clients,
        total=format_money(summary.payable_total),
    )
    if summary.held:
        text += "\n" + held_summary(t, summary.held, summary.confirmed)
    if summary.payable_clients:
        text += "\n" + _(t, N_("Now send each client's bank account: /rekening"))
    return text


def held_summary(t: Translator, count: int, confirmed: int = 0) -> str:
    """How many clients are held for double assistance, and what happens to them (no names: the
    same line goes to anyone who handles the proposal's money). ``confirmed`` of them were decided
    the same person: they never come back, so they are not said to wait for a decision."""
    lines = []
    if confirmed:
        lines.append(
            _(
                t,
                N_(
                    "⛔ {count} client(s) decided the same person as a client at another IPWL (double "
                    "assistance confirmed): not in the SK annex, the SPP/SPM or the transfers, for good; an SK "
                    "perubahan takes them off the list."
                ),
                count=confirmed,
            )
        )
    if count > confirmed:
        lines.append(_waiting_summary(t, count - confirmed))
    return "\n".join(lines)


def _waiting_summary(t: Translator, count: int) -> str:
    return _(
        t,
        N_(
            "🛑 {count} client(s) held for double assistance (the same NIK at another IPWL): not in the SK "
            "annex, the SPP/SPM or the transfers, and no bank account is needed yet. They are added once a "
            "PIC or the head clears them."
        ),
        count=count,
    )


# --- bank accounts (operator) -----------------------------------------------------------------------


def accounts_overview(t: Translator, items: Sequence[Accounts]) -> str:
    if not items:
        return _(t, N_("No proposal of yours needs bank accounts now."))
    blocks = []
    for a in items:
        lines = [
            _(
                t,
                N_("🏦 <b>{code}</b> · {status}"),
                code=a.proposal.code,
                status=t.gettext(STATUS_LABELS[a.proposal.status]),
            )
        ]
        for row in a.rows:
            lines.append(account_line(t, row))
            if row.client.id in a.held:
                lines.append("   " + account_held_line(t, confirmed=row.client.id in a.confirmed))
        blocks.append("\n".join(lines))
    blocks.append(
        _(
            t,
            N_(
                "⬜ missing · 🕓 being checked · ✅ verified · ❌ to correct. Tap a client to enter the "
                "account, or fill in the workbook for all clients at once."
            ),
        )
    )
    return clip("\n\n".join(blocks))


def account_line(t: Translator, row: Beneficiary) -> str:
    a = row.account
    mark = ACCOUNT_STATUS[row.account_status]
    if a is None or not a.account_number:
        return _(t, N_("{mark} {number}. {name}"), mark=mark, number=row.client.position, name=row.client.full_name)
    bank = BANKS.get(a.bank_code or "")
    line = _(
        t,
        N_("{mark} {number}. {name} · {bank} {account} a.n. {holder}"),
        mark=mark,
        number=row.client.position,
        name=row.client.full_name,
        bank=bank.name if bank else "-",
        account=mask_account(a.account_number),
        holder=a.holder_name or "-",
    )
    if row.account_status == BankAccountStatus.REJECTED and a.return_reason:
        line += "\n   " + _(t, N_("to correct: {reason}"), reason=a.return_reason)
    return line


def account_held_line(t: Translator, *, confirmed: bool = False) -> str:
    """Under a client the bank-account step skips (issue 16.1): why, and what comes next."""
    if confirmed:
        return _(
            t,
            N_(
                "⛔ double assistance confirmed (the same person at another IPWL): no account is needed; "
                "take the client off with /perubahan (reason “double assistance”) once the SK is out"
            ),
        )
    return _(
        t,
        N_(
            "🛑 held pending the double-assistance decision (the same NIK at another IPWL): no account "
            "needed yet; you will be asked for it once cleared"
        ),
    )


def client_row(a: Accounts, client_id: int) -> Beneficiary | None:
    """The row of client ``client_id`` in a proposal's accounts (None if they have no such client)."""
    return next((r for r in a.rows if r.client.id == client_id), None)


def account_cleared_notice(t: Translator, a: Accounts, client_id: int, *, decided: bool = True) -> str:
    row = client_row(a, client_id)
    message = (
        N_(
            "✅ Client {number}. {name} of <b>{code}</b> is cleared: a PIC or the head decided they are not the "
            "same person as at the other IPWL. Enter their bank account now (the button below, or /rekening)."
        )
        if decided
        else N_(
            "✅ Client {number}. {name} of <b>{code}</b> is no longer held: the same NIK is no longer found at "
            "another IPWL (a NIK was corrected). They are back in the SK annex and the transfers. Enter their "
            "bank account now (the button below, or /rekening)."
        )
    )
    return _(
        t,
        message,
        number=row.client.position if row else "?",
        name=row.client.full_name if row else "?",
        code=a.proposal.code,
    )


def hold_lifted_notice(t: Translator, code: str, number: int, name: str) -> str:
    """A held client freed without a decision, before the SK's bank-account step (or with the
    account already in): nothing to do, but the operator was told they were held."""
    return _(
        t,
        N_(
            "✅ Client {number}. {name} of <b>{code}</b> is no longer held: the same NIK is no longer found at "
            "another IPWL (a NIK was corrected). They are back in the SK annex and the transfers; nothing "
            "more is needed from you for this."
        ),
        number=number,
        name=name,
        code=code,
    )


def account_question(t: Translator, e: AccountEntry) -> str:
    lines = _warnings(t, e.warnings)
    name = e.client.full_name
    if e.step == "bank":
        lines.append(_(t, N_("🏦 Bank of {name}'s account?"), name=name))
        lines.append(_(t, N_("Tap it below (regional banks under 🏛), or type its name or 3-digit code.")))
    elif e.step == "number":
        lines.append(
            _(
                t,
                N_("Account number at {bank} ({code})? Digits only."),
                bank=e.bank.name if e.bank else "-",
                code=e.bank.transfer_code if e.bank else "-",
            )
        )
    elif e.step == "holder":
        lines.append(_(t, N_("Name of the account holder, as in the passbook?")))
    else:
        # Read back before anything is saved: a digit or a name mistyped is caught here.
        lines += [
            _(t, N_("📋 <b>Check the account of {name}</b>"), name=name),
            _(
                t,
                N_("Bank: {bank} ({code})"),
                bank=e.bank.name if e.bank else "-",
                code=e.bank.transfer_code if e.bank else "-",
            ),
            _(t, N_("Account number: {number}"), number=e.number or "-"),
            _(t, N_("Account holder: {holder}"), holder=e.holder or "-"),
            "",
            _(
                t,
                N_(
                    "Right? Send a photo of the passbook's first page to save it, or press Save without a photo. "
                    "Something wrong: press Type again (nothing is saved)."
                ),
            ),
        ]
    return clip("\n".join(lines))


def account_entry_cancelled(t: Translator) -> str:
    return _(t, N_("✖️ Cancelled: nothing was saved for this client's account. Open /rekening to enter it later."))


def accounts_saved(t: Translator, a: Accounts) -> str:
    lines = _warnings(t, a.warnings)
    missing = sum(1 for r in a.expected if r.account_status in (BankAccountStatus.MISSING, BankAccountStatus.REJECTED))
    if a.proposal.status.value == "accounts_submitted":
        lines.append(_(t, N_("✅ All accounts of {code} are in and sent for checking."), code=a.proposal.code))
    elif missing:
        lines.append(
            _(t, N_("✅ Saved. {count} account(s) of {code} still to enter."), count=missing, code=a.proposal.code)
        )
    else:
        lines.append(_(t, N_("✅ Saved. Finance is told about the new account.")))
    return clip("\n".join(lines))


def accounts_template_caption(t: Translator, code: str) -> str:
    return _(
        t,
        N_(
            "Fill in the bank, account number and holder for each client of {code} and send the file back "
            "here. Every row is checked; nothing is saved unless all rows are right."
        ),
        code=code,
    )


def account_returned_notice(t: Translator, a: Accounts, client_id: int) -> str:
    row = client_row(a, client_id)
    name = row.client.full_name if row else "?"
    reason = row.account.return_reason if row and row.account else None
    return _(
        t,
        N_("❌ The bank account of {name} ({code}) was sent back: {reason}\nEnter it again with /rekening."),
        name=name,
        code=a.proposal.code,
        reason=reason or "-",
    )


# --- verification (PIC team or finance) --------------------------------------------------------------


def accounts_submitted_notice(t: Translator, a: Accounts) -> str:
    text = _(
        t,
        N_("🏦 The bank accounts of <b>{code}</b> ({ipwl}, {count} client(s)) are in. Please check them."),
        code=a.proposal.code,
        ipwl=a.ipwl.name,
        count=len(a.payable),
    ) + _held_note(t, a)
    shared = len({s.client_id for s in a.shares})
    if shared:
        text += "\n" + _(t, N_("⚠️ {count} of them have an account number another client was also given."), count=shared)
    return text


def _share_flag(t: Translator, a: Accounts, share: AccountShare) -> str:
    """For the verifiers (PIC team, finance): which other client has the same account number."""
    if share.other_proposal_id == a.proposal.id:
        return "   ⚠️ " + _(
            t,
            N_("same account number as client {number}. {name} of this proposal"),
            number=share.other_position,
            name=share.other_name,
        )
    return "   ⚠️ " + _(
        t,
        N_("same account number as client {number} of {code} ({ipwl})"),
        number=share.other_position,
        code=share.other_proposal_code,
        ipwl=share.other_ipwl_code,
    )


def accounts_review(t: Translator, a: Accounts) -> str:
    lines = [_(t, N_("🏦 <b>{code}</b> · {ipwl}: bank accounts"), code=a.proposal.code, ipwl=a.ipwl.name)]
    for row in a.rows:
        lines.append(account_line(t, row))
        if row.account and row.account.holder_name:
            warning = holder_name_warning(row.account.holder_name, row.client.full_name)
            if warning:
                lines.append("   ⚠️ " + _(t, warning.message, **warning.params))
        lines.extend(_share_flag(t, a, share) for share in a.shared_with(row.client.id))
    lines.append("")
    lines.append(_(t, N_("Verified {done} of {count}."), done=a.count(BankAccountStatus.VERIFIED), count=len(a.rows)))
    if a.set_aside:
        lines.append(
            _(
                t,
                N_(
                    "Accounts marked ⚠️ are not verified all at once: check each one (📷 shows the passbook photo "
                    "the operator sent, if any; or call the operator), then ✅ or ↩️ it on its own."
                ),
            )
        )
    waiting = [r for r in a.rows if r.account_status in (BankAccountStatus.REJECTED, BankAccountStatus.MISSING)]
    if a.proposal.status.value == "decreed" and waiting:
        # Sent back: the card says what it waits for, and comes back when the operator answers.
        names = ", ".join(f"{r.client.position}. {r.client.full_name}" for r in waiting)
        lines.append(
            _(
                t,
                N_(
                    "⏳ Waiting for the operator's new account for {clients}. This card comes back to you, "
                    "with its buttons, when it arrives."
                ),
                clients=names,
            )
        )
    return clip("\n".join(lines))


def accounts_back(t: Translator, a: Accounts) -> str:
    """The verifiers' card again, once the operator has sent the account(s) that went back."""
    return clip(
        _(t, N_("🏦 The operator of <b>{code}</b> has sent the new account. Please check again:"), code=a.proposal.code)
        + "\n\n"
        + accounts_review(t, a)
    )


def passbook_caption(t: Translator, row: Beneficiary) -> str:
    """Under the passbook photo (private chat): whose account it should be, to compare with."""
    return _(
        t,
        N_("📷 Passbook sent with the account of client {number}. {name} (holder typed: {holder})"),
        number=row.client.position,
        name=row.client.full_name,
        holder=row.account.holder_name if row.account and row.account.holder_name else "-",
    )


def account_return_prompt(t: Translator, row: Beneficiary) -> str:
    return _(
        t, N_("Why does the account of {name} go back to the operator? Type the reason."), name=row.client.full_name
    )


def accounts_verified_notice(t: Translator, a: Accounts) -> str:
    return _(
        t,
        N_(
            "✅ The bank accounts of <b>{code}</b> ({ipwl}) are verified: {count} client(s), {total}. "
            "Record the payment with /bayar."
        ),
        code=a.proposal.code,
        ipwl=a.ipwl.name,
        count=len(a.payable),
        total=format_money(a.total),
    ) + _held_note(t, a)


def _held_note(t: Translator, a: Accounts) -> str:
    """Finance's screens: how many clients are held (a count, no names) and that they come later."""
    return "\n" + held_summary(t, len(a.held), len(a.confirmed)) if a.held else ""


def account_fixed_notice(t: Translator, a: Accounts) -> str:
    return _(
        t,
        N_(
            "🏦 A new bank account was entered for <b>{code}</b> after a failed transfer. Record the transfer "
            "again with /bayar."
        ),
        code=a.proposal.code,
    )


def account_of_cleared_notice(t: Translator, a: Accounts, client_id: int) -> str:
    """Finance: the account of a client no longer held for double assistance (never a failed transfer)."""
    row = client_row(a, client_id)
    text = _(
        t,
        N_(
            "🏦 Client {number} of <b>{code}</b> is no longer held for double assistance and their bank account "
            "was entered. They are in the transfers now: check the account and record the transfer with /bayar "
            "(✅ verifies the account as it records the transfer)."
        ),
        number=row.client.position if row else "?",
        code=a.proposal.code,
    )
    # Cleared after the SPM was saved: not in it — said here too, before finance pays them.
    return "\n".join([text, *cleared_after_order_lines(t, a, only=client_id)])


# --- payment (finance) ---------------------------------------------------------------------------------


def payment_candidates(t: Translator, items: Sequence[StaffSummary]) -> str:
    if not items:
        return _(t, N_("No proposal is waiting for payment."))
    return clip(
        "\n".join([_(t, N_("💸 Proposals with verified bank accounts:"))] + ["• " + _summary(t, s) for s in items])
    )


def payment_step(t: Translator, step: PaymentStep) -> str:
    a = step.accounts
    lines = [
        _(
            t,
            N_("💸 <b>{code}</b> · {ipwl} · {total}"),
            code=a.proposal.code,
            ipwl=a.ipwl.name,
            total=format_money(a.total),
        )
    ]
    if a.held:  # out of the SPP/SPM amount, the transfers list and its control totals
        lines.append(held_summary(t, len(a.held), len(a.confirmed)))
    if a.payment:
        lines.append(
            _(
                t,
                N_("SPP {spp} of {spp_date} · SPM {spm} of {spm_date}"),
                spp=a.payment.spp_number,
                spp_date=a.payment.spp_date,
                spm=a.payment.spm_number,
                spm_date=a.payment.spm_date,
            )
        )
        lines.append(sp2d_line(t, a))
        lines.extend(cleared_after_order_lines(t, a))
    if step.step == "sp2d":
        lines.append(
            _(
                t,
                N_(
                    "🏦 Type the SP2D number the KPPN issued for this SPM, then its date, e.g. {example}. "
                    "You may add its amount on the same line: {line_example}."
                ),
                example=step.examples.get("sp2d", ""),
                line_example=step.examples.get("sp2d_line", ""),
            )
        )
        return clip("\n".join(lines))
    if step.step == "sp2d_amount":
        for entry in step.typed:
            lines.append(
                _(t, N_("SP2D number: <b>{number}</b> · date: <b>{date}</b>"), number=entry.number, date=entry.date)
            )
        lines.append(
            _(
                t,
                N_("Now the SP2D amount as the KPPN wrote it (it must be the SPM's, {amount})."),
                amount=format_money(a.spm_amount),
            )
        )
        return clip("\n".join(lines))
    if step.step == "spp":
        lines.append(_(t, N_("Type the SPP number and date, e.g. {example}."), example=step.examples.get("spp", "")))
        return clip("\n".join(lines))
    if step.step in ("spm", "confirm"):
        # Each number with its date apart, as they will be recorded (at the SPM step only the SPP's yet).
        for label, entry in zip(
            (
                N_("SPP number: <b>{number}</b> · date: <b>{date}</b>"),
                N_("SPM number: <b>{number}</b> · date: <b>{date}</b>"),
            ),
            step.typed,
            strict=False,
        ):
            lines.append(_(t, label, number=entry.number, date=entry.date))
        if step.step == "spm":
            lines.append(_(t, N_("Now the SPM number and date, e.g. {example}."), example=step.examples.get("spm", "")))
        else:
            lines.append(_(t, N_("Check them: nothing is recorded until you press Save.")))
        return clip("\n".join(lines))
    if step.failing is not None:
        lines.append(
            _(t, N_("Why did the transfer to {name} not arrive? Type the reason."), name=step.failing.client.full_name)
        )
        return clip("\n".join(lines))
    for row in a.rows:
        lines.append(transfer_line(t, row))
        if row.client.id in a.held:
            lines.append("   " + held_line(t, confirmed=row.client.id in a.confirmed))
        # The last look before the money goes: an account number another client also has.
        lines.extend(_share_flag(t, a, share) for share in a.shared_with(row.client.id))
    lines.append("")
    lines.append(
        _(
            t,
            N_(
                "Sent {sent} of {total}. ✅ records a transfer as sent today for the full amount; ❌ failed, "
                "↩️ came back. For other dates or amounts use the workbook."
            ),
            sent=format_money(a.sent),
            total=format_money(a.total),
        )
    )
    if a.proposal.status.value == "paid":
        lines.append(_(t, N_("✅ All transfers sent: {code} is paid."), code=a.proposal.code))
    return clip("\n".join(lines))


def sp2d_line(t: Translator, a: Accounts) -> str:
    """The SP2D of the SPM, or that it is still to be recorded."""
    p = a.payment
    assert p is not None
    if p.sp2d_number and p.sp2d_date and p.sp2d_amount is not None:
        return _(
            t,
            N_("SP2D {number} of {date} · {amount}"),
            number=p.sp2d_number,
            date=p.sp2d_date,
            amount=format_money(p.sp2d_amount),
        )
    return _(t, N_("SP2D: not recorded yet (🏦 below, once the KPPN has issued it)."))


def held_line(t: Translator, *, confirmed: bool = False) -> str:
    """Why a client gets no transfer button (issue 16.1)."""
    if confirmed:
        return _(t, N_("⛔ double assistance confirmed: no transfer, ever (an SK perubahan takes them off)"))
    return _(t, N_("🛑 held: the same NIK is in an SK or paid at another IPWL; no transfer until a PIC decides"))


def transfer_line(t: Translator, row: Beneficiary) -> str:
    account = row.account
    bank = BANKS.get(account.bank_code or "") if account else None
    line = _(
        t,
        N_("{mark} {number}. {name} · {amount} · {bank} {account}"),
        mark=TRANSFER_STATUS[row.transfer_status],
        number=row.client.position,
        name=row.client.full_name,
        amount=format_money(row.client.total),
        bank=bank.name if bank else "-",
        account=mask_account(account.account_number) if account and account.account_number else "-",
    )
    if row.account_status == BankAccountStatus.REJECTED:
        line += "\n   " + _(t, N_("waiting for a new account from the operator"))
    elif row.account_status == BankAccountStatus.SUBMITTED:
        line += "\n   " + _(t, N_("new account: check it as you record the transfer"))
    return line


def transfers_template_caption(t: Translator, a: Accounts) -> str:
    text = _(
        t,
        N_(
            "Fill in the transfer date and status (terkirim / gagal / dikembalikan) for {code} and send the "
            "file back. Rows without a status are left as they are."
        ),
        code=a.proposal.code,
    )
    notes = ([held_summary(t, len(a.held), len(a.confirmed))] if a.held else []) + cleared_after_order_lines(t, a)
    return "\n".join([text, *notes])


def cleared_after_order_lines(t: Translator, a: Accounts, *, only: int | None = None) -> list[str]:
    """Finance (private chat): each client (or the client ``only``) cleared of double assistance
    after the SPM was saved — not in it, nor in the transfers list — and how they are paid, until
    their transfer is sent. Their position only: the row on the screen names them."""
    if a.payment is None:
        return []
    lines = [
        _(
            t,
            N_(
                "Client {number} was cleared after SPM {spm} and is not in it: pay them with an SPM of "
                "their own, then record the transfer with ✅."
            ),
            number=r.client.position,
            spm=a.payment.spm_number,
        )
        for r in a.cleared_after_order
        if r.transfer_status != TransferStatus.SENT and only in (None, r.client.id)
    ]
    if a.left_after_order and only is None:
        lines.append(
            _(
                t,
                N_(
                    "{amount} of SPM {spm} is for {count} client(s) an SK perubahan took off the list after "
                    "it, so the transfers list leaves them out and adds up to {listed}. What was not "
                    "transferred to them goes back to the treasury; what was is a refund, listed in /bayar."
                ),
                amount=format_money(a.returned),
                spm=a.payment.spm_number,
                count=len(a.left_after_order),
                listed=format_money(a.spm_amount - a.returned),
            )
        )
    return lines


def transfer_failed_notice(t: Translator, a: Accounts, client_id: int) -> str:
    row = client_row(a, client_id)
    note = row.transfer.note if row and row.transfer else None
    return _(
        t,
        N_("❌ The transfer to {name} ({code}) did not arrive: {reason}\nEnter a new bank account with /rekening."),
        name=row.client.full_name if row else "?",
        code=a.proposal.code,
        reason=note or "-",
    )


def paid_notice(t: Translator, a: Accounts, due: dt.date, *, meterai_above: int, meterai_amount: int) -> str:
    lines = [
        _(t, N_("💸 The funds of <b>{code}</b> have been transferred (dana telah ditransfer):"), code=a.proposal.code)
    ]
    for row in a.rows:
        amount = row.transfer.amount if row.transfer else 0
        lines.append(
            _(
                t,
                N_("• {name}: {amount} on {date}"),
                name=row.client.full_name,
                amount=format_money(amount),
                date=format_date(row.transfer.transfer_on, t.locale)
                if row.transfer and row.transfer.transfer_on
                else "-",
            )
        )
    lines.append(_(t, N_("Total: <b>{total}</b>"), total=format_money(a.sent)))
    lines.append("")
    lines.append(_(t, N_("The accountability report (LPJ) is due by {date}."), date=due))
    # Said up front, so the IPWL keeps its evidence from the first day of services.
    lines.append(
        _(
            t,
            N_(
                "The LPJ needs: the services each client received (dates), what was spent on each budget "
                "line, the receipts (kuitansi; above {above} with a {meterai} meterai), photos of the "
                "activities and the signed BAST."
            ),
            above=format_money(meterai_above),
            meterai=format_money(meterai_amount),
        )
    )
    lines.append(_(t, N_("Start it with /lpj or the button below; it is saved as you go.")))
    return clip("\n".join(lines))

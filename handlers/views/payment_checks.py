"""Post-payment checks (issue 16.4): the PIC's private card, the head's mismatch notice, and the
coverage per IPWL in /laporan. The card names the client (a private chat of their PIC team only);
the head's notice and the coverage carry codes, numbers and amounts only."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.payment_checks import ANSWER_LABELS, CheckAnswer
from bot.i18n import N_, Translator
from bot.services.payment_checks import CheckRow, IpwlCoverage
from handlers.views import _, clip


def card(t: Translator, check: CheckRow) -> str:
    lines = [
        _(t, N_("📞 <b>Post-payment check · {code}</b>"), code=check.proposal_code),
        _(
            t,
            N_("Client {number}: {name}"),
            number=check.client_position,
            name=check.client_name,
        ),
        _(t, N_("Phone: {phone}"), phone=check.client_phone)
        if check.client_phone
        else _(t, N_("Phone: not in the proposal (if the client cannot be reached, record Not reachable)")),
        "",
        _(
            t,
            N_("Call the client and ask: “Did you receive {amount} in full?” Then record the answer below."),
            amount=t.format_money(check.expected_amount),
        ),
    ]
    if check.status != "pending":
        lines += ["", recorded_line(t, check)]
    return clip("\n".join(lines))


def recorded_line(t: Translator, check: CheckRow) -> str:
    answer = CheckAnswer(check.status)
    label = t.gettext(ANSWER_LABELS[answer])
    if answer == CheckAnswer.LESS:
        label += " (" + t.format_money(check.received_amount or 0) + ")"
    line = _(t, N_("✓ {answer} — recorded by {name}"), answer=label, name=check.checked_by_name or "-")
    if check.complaint_ticket:
        line += "\n" + _(
            t,
            N_("⚠️ Not as paid: complaint {ticket} was opened for the complaint officers and the head was told."),
            ticket=check.complaint_ticket,
        )
    return line


def amount_prompt(t: Translator, check: CheckRow) -> str:
    return _(
        t,
        N_("How much did client {number} of {code} receive? Type the amount (the transfer was {expected})."),
        number=check.client_position,
        code=check.proposal_code,
        expected=t.format_money(check.expected_amount),
    )


def amount_cancelled(t: Translator) -> str:
    return _(t, N_("Stopped. The check is still open on its card."))


def mismatch(t: Translator, check: CheckRow) -> str:
    if check.status == CheckAnswer.LESS:
        said = _(
            t,
            N_("received {received} of {expected}"),
            received=t.format_money(check.received_amount or 0),
            expected=t.format_money(check.expected_amount),
        )
    else:
        said = _(t, N_("received nothing of {expected}"), expected=t.format_money(check.expected_amount))
    return _(
        t,
        N_(
            "⚠️ Post-payment check of {code} (IPWL {ipwl}): client {number} {said}. Complaint {ticket} was "
            "opened for the complaint officers."
        ),
        code=check.proposal_code,
        ipwl=check.ipwl_code,
        number=check.client_position,
        said=said,
        ticket=check.complaint_ticket or "-",
    )


def coverage(t: Translator, rows: Sequence[IpwlCoverage]) -> str:
    lines = [_(t, N_("📞 <b>Post-payment checks per IPWL</b> (since the checks began)"))]
    if not rows:
        lines.append(_(t, N_("No proposal has been paid since the checks began.")))
    for row in rows:
        cover = round(100 * row.answered / row.paid_clients) if row.paid_clients else 0
        rate = round(100 * row.mismatches / row.answered) if row.answered else 0
        flag = "⚠️ " if row.mismatches else ""
        lines.append(
            flag
            + _(
                t,
                N_(
                    "{ipwl}: {answered} of {paid} paid clients reached ({cover}%), {unreachable} not reachable, "
                    "{sampled} drawn; {mismatches} not as paid ({rate}%)"
                ),
                ipwl=row.ipwl_code,
                answered=row.answered,
                paid=row.paid_clients,
                cover=cover,
                unreachable=row.unreachable,
                sampled=row.sampled,
                mismatches=row.mismatches,
                rate=rate,
            )
        )
    return clip("\n".join(lines))

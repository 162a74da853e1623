"""Post-payment checks (issue 16.4): the PIC's private card, the head's mismatch notice, and the
coverage per IPWL in /laporan. The card names the client (a private chat of their PIC team only);
the head's notice and the coverage carry codes, numbers and amounts only."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.payment_checks import ANSWER_LABELS, CheckAnswer
from bot.i18n import N_, Translator
from bot.services.payment_checks import Attempted, CheckRow, IpwlCoverage
from handlers.views import _, clip


def card(t: Translator, check: CheckRow, *, allowed: int | None = None, live: bool = False) -> str:
    """The check's card. ``live``: a card with its answer buttons (a call to make now); otherwise a
    copy as it stands once answered, or closed after a call that did not get through."""
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
        else _(
            t,
            N_(
                "☎️ The proposal has no phone number for this client: ask the operator of {ipwl} ({code}) for it. "
                "If the client still cannot be reached, record Not reachable."
            ),
            ipwl=check.ipwl_name,
            code=check.ipwl_code,
        ),
        "",
        _(
            t,
            N_("Call the client and ask: “Did you receive {amount} in full?” Then record the answer below."),
            amount=t.format_money(check.expected_amount),
        ),
    ]
    if check.status != "pending":
        lines += ["", recorded_line(t, check)]
    elif check.attempts:
        lines += ["", attempts_line(t, check, allowed, live=live)]
    return clip("\n".join(lines))


def attempts_line(t: Translator, check: CheckRow, allowed: int | None, *, live: bool) -> str:
    params = {
        "count": check.attempts,
        "max": allowed or check.attempts,
        "name": check.last_attempt_by_name or "-",
        "at": check.last_attempt_at or "-",
    }
    if live:
        return _(
            t,
            N_(
                "📵 Calls that did not get through so far: {count} of {max} (the last recorded by {name}, {at}). "
                "Call again now; after {max} the check is recorded as not reachable."
            ),
            **params,
        )
    return _(
        t,
        N_(
            "📵 Call {count} of {max} did not get through (recorded by {name}, {at}). This card is closed: "
            "a new one comes the next working day for another call."
        ),
        **params,
    )


def call_again(t: Translator, result: Attempted) -> str:
    return _(
        t,
        N_(
            "📵 Recorded: call {count} of {max} to client {number} of {code} did not get through. The check "
            "stays open: every PIC of the team gets the card again on {at}."
        ),
        count=result.check.attempts,
        max=result.allowed,
        number=result.check.client_position,
        code=result.check.proposal_code,
        at=result.again_at,
    )


def recorded_line(t: Translator, check: CheckRow) -> str:
    answer = CheckAnswer(check.status)
    label = t.gettext(ANSWER_LABELS[answer])
    if answer == CheckAnswer.LESS:
        label += " (" + t.format_money(check.received_amount or 0) + ")"
    if answer == CheckAnswer.UNREACHABLE and check.attempts > 1:
        label += " (" + _(t, N_("after {count} calls"), count=check.attempts) + ")"
    line = _(
        t,
        N_("✓ {answer} — recorded by {name}, {at}"),
        answer=label,
        name=check.checked_by_name or "-",
        at=check.checked_at or "-",
    )
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


def received_phrase(t: Translator, check: CheckRow, *, reported: bool = False) -> str:
    """What a check found short: "received X of Y", or "received nothing of Y"; ``reported`` puts it
    as the client's word ("said they received …"), for the complaint officer reading the case."""
    expected = t.format_money(check.expected_amount)
    if check.status == CheckAnswer.LESS:
        received = t.format_money(check.received_amount or 0)
        if reported:
            return _(t, N_("said they received {received} of {expected}"), received=received, expected=expected)
        return _(t, N_("received {received} of {expected}"), received=received, expected=expected)
    if reported:
        return _(t, N_("said they received nothing of {expected}"), expected=expected)
    return _(t, N_("received nothing of {expected}"), expected=expected)


def mismatch(t: Translator, check: CheckRow) -> str:
    said = received_phrase(t, check)
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


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def coverage(t: Translator, rows: Sequence[IpwlCoverage]) -> str:
    """Per IPWL, one short line (78 of them fit under the report's figures): paid clients reached by
    phone, and of those the ones who did not get the amount in full; the IPWL with a mismatch first."""
    lines = [_(t, N_("📞 <b>Post-payment checks</b> (since the checks began)"))]
    if not rows:
        return "\n".join([*lines, _(t, N_("No proposal has been paid since the checks began."))])
    answered = sum(r.answered for r in rows)
    mismatches = sum(r.mismatches for r in rows)
    paid = sum(r.paid_clients for r in rows)
    lines.append(
        _(
            t,
            N_(
                "All IPWL: {answered} of {paid} paid clients reached ({cover}%), {unreachable} not reachable; "
                "{mismatches} not as paid ({rate}%)"
            ),
            answered=answered,
            paid=paid,
            cover=_percent(answered, paid),
            unreachable=sum(r.unreachable for r in rows),
            mismatches=mismatches,
            rate=_percent(mismatches, answered),
        )
    )
    lines.append(_(t, N_("Per IPWL: reached/paid (coverage) · not as paid (rate)")))
    for row in sorted(rows, key=lambda r: (-r.mismatches, r.ipwl_code)):
        lines.append(
            ("⚠️ " if row.mismatches else "")
            + _(
                t,
                N_("{ipwl} {answered}/{paid} ({cover}%) · {mismatches} ({rate}%)"),
                ipwl=row.ipwl_code,
                answered=row.answered,
                paid=row.paid_clients,
                cover=_percent(row.answered, row.paid_clients),
                mismatches=row.mismatches,
                rate=_percent(row.mismatches, row.answered),
            )
        )
    return clip("\n".join(lines), 2400)

"""What people read about LPJ: the operator's questions and review (private), the PIC group card
(codes, counts, totals, flags — never a client's name), finance's and the operator's notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from bot.domain.lpj_intake import Evidence, EvidenceKind, LpjRules, NumberedLine, Step, served_example, variance
from bot.domain.models import ProposalStatus, ReturnReason
from bot.domain.validation import Problem
from bot.files.problems import ImportProblem
from bot.i18n import N_, Translator, format_date, format_datetime, format_money
from bot.services import LpjState
from bot.services.lpj import LpjReview
from handlers.keyboards.lpj import REMOVABLE_SHOWN
from handlers.views import STATUS_LABELS, _, clip, esc, team_label
from handlers.views.proposals import COMPONENT_LABELS

KIND_LABELS: Mapping[EvidenceKind, str] = {
    EvidenceKind.RECEIPT: N_("receipts (kuitansi)"),
    EvidenceKind.PHOTO: N_("activity photos"),
    EvidenceKind.BAST: N_("signed recipient list (BAST)"),
}


def signed(amount: int) -> str:
    """A variance: ``+Rp100.000`` above the RAB, ``-Rp50.000`` below, ``Rp0`` on it."""
    return ("+" if amount > 0 else "") + format_money(amount)


def _day(day: dt.date | None, t: Translator) -> str:
    return format_date(day, t.locale) if day else "-"


def _problems(t: Translator, problems: Sequence[Problem], icon: str = "⚠️ ") -> list[str]:
    return [icon + _(t, p.message, **p.params) for p in problems]


def due_line(t: Translator, due_on: dt.date | None, today: dt.date) -> str:
    if due_on is None:
        return _(t, N_("Due date: not set"))
    days = (due_on - today).days
    if days > 0:
        return _(t, N_("Due {date} ({days} days left)"), date=_day(due_on, t), days=days)
    if days == 0:
        return _(t, N_("Due <b>today</b>, {date}"), date=_day(due_on, t))
    return _(t, N_("⏰ Due {date}: <b>{days} days overdue</b>"), date=_day(due_on, t), days=-days)


# --- the operator's conversation ------------------------------------------------------------------------


def choose(t: Translator) -> str:
    return _(t, N_("Several proposals are waiting for their LPJ. Which one?"))


def nothing_due(t: Translator) -> str:
    return _(t, N_("None of your IPWL's proposals waits for an LPJ now. An LPJ is due once the funds are transferred."))


def question(
    t: Translator, state: LpjState, today: dt.date, rules: LpjRules, previous: NumberedLine | None = None
) -> str:
    """The text that asks for the answer the cursor waits for."""
    c = state.cursor
    head: list[str] = _problems(t, state.warnings)
    if previous is not None and previous.line.id in state.content.realizations:
        spent = state.content.realizations[previous.line.id].amount
        head.append(
            _(
                t,
                N_("✅ Line {number}: {spent} spent, variance {variance}."),
                number=previous.number,
                spent=format_money(spent),
                variance=signed(variance(previous.line, spent)),
            )
        )
    if c.step == Step.SERVICES and state.client is not None:
        body = _services_prompt(t, state, today)
    elif c.step == Step.SERVICE_COMPONENTS and state.client is not None:
        body = _components_prompt(t, state)
    elif c.step in (Step.REALIZATION, Step.REALIZATION_NOTE) and state.line is not None:
        body = _realization_prompt(t, state)
    elif c.step == Step.EVIDENCE:
        body = _evidence_prompt(t, state)
    elif c.step == Step.EVIDENCE_REMOVE:
        body = _evidence_remove_prompt(t, state)
    elif c.step == Step.RECEIPT_AMOUNT:
        body = _(t, N_("🧾 Receipt received. What amount is written on it? e.g. {example}"), example="1.250.000")
    elif c.step == Step.METERAI and state.pending is not None:
        # TRANSLATORS: the question the centre asks in Indonesian: "Kuitansi ini bermeterai Rp10.000?"
        body = _(
            t,
            N_("This receipt is for {amount}, more than {threshold}.\n<b>Does it bear a {meterai} meterai?</b>"),
            amount=format_money(state.pending.amount or 0),
            threshold=format_money(rules.meterai_above),
            meterai=format_money(rules.meterai_amount),
        )
    else:
        return review(t, state, today, head)
    return clip("\n\n".join([*head, body]) if head else body)


def _services_prompt(t: Translator, state: LpjState, today: dt.date) -> str:
    client = state.client
    assert client is not None
    chosen = state.cursor.components or tuple(x.value for x in client.components)
    lines = [
        _(
            t,
            N_("🗓 Services, client {number} of {count}: <b>{name}</b>"),
            number=client.position,
            count=len(state.content.clients),
            name=client.full_name,
        ),
        _(t, N_("Components: {components}"), components=", ".join(chosen) or "-"),
    ]
    reported = state.content.services.get(client.id)
    if reported:
        lines.append(
            _(
                t,
                N_("Reported now: {first} – {last}"),
                first=_day(reported[0].served_from, t),
                last=_day(reported[0].served_to, t),
            )
        )
    p = state.proposal
    earliest = dt.date(p.period_year, p.period_month, 1) if p.period_year and p.period_month else today
    lines.append(
        _(
            t,
            N_("Type the first and the last day the services were given, e.g. {example}."),
            example=served_example(earliest, today),
        )
    )
    return "\n".join(lines)


def _components_prompt(t: Translator, state: LpjState) -> str:
    client = state.client
    assert client is not None
    lines = [_(t, N_("Which components did {name} actually receive? Tap to select, then Done."), name=client.full_name)]
    for component in COMPONENT_LABELS:
        mark = "✅" if component.value in state.cursor.components else "▫️"
        lines.append(f"{mark} {component.value}. {esc(t.gettext(COMPONENT_LABELS[component]))}")
    return "\n".join(lines)


def _realization_prompt(t: Translator, state: LpjState) -> str:
    numbered = state.line
    assert numbered is not None
    line = numbered.line
    lines = [
        _(t, N_("💰 Realization, line {number} of {count}"), number=numbered.number, count=len(state.content.lines)),
        _(t, N_("Client {position}: {name}"), position=numbered.client.position, name=numbered.client.full_name),
        _(
            t,
            N_("[{component}] {description}: RAB <b>{budget}</b>"),
            component=line.component.value,
            description=line.description,
            budget=format_money(line.total),
        ),
    ]
    done = state.content.realizations.get(line.id)
    if done is not None:
        lines.append(_(t, N_("Reported now: {spent}"), spent=format_money(done.amount)))
    if state.cursor.step == Step.REALIZATION_NOTE and state.cursor.amount is not None:
        lines.append("")
        lines.append(
            _(
                t,
                N_("{spent} is <b>{excess} above the RAB</b>. Write a short note explaining why."),
                spent=format_money(state.cursor.amount),
                excess=format_money(variance(line, state.cursor.amount)),
            )
        )
    else:
        lines.append(_(t, N_("How much was actually spent? Type the amount, or tap below.")))
    return "\n".join(lines)


def _evidence_prompt(t: Translator, state: LpjState) -> str:
    return "\n".join(
        [
            _(
                t,
                N_("📎 <b>Evidence</b>. Send the files here as photos or PDF; now receiving: <b>{kind}</b>."),
                kind=t.gettext(KIND_LABELS[state.cursor.kind]),
            ),
            _(t, N_("Tap below to switch between receipts, activity photos and the BAST.")),
            "",
            _evidence_counts(t, state),
        ]
    )


def _evidence_remove_prompt(t: Translator, state: LpjState) -> str:
    lines = [_(t, N_("🗑 <b>Which file should be removed from this LPJ?</b> Tap it below; the other files stay."))]
    hidden = len(state.content.evidence) - REMOVABLE_SHOWN
    if hidden > 0:
        lines.append(_(t, N_("Only the {shown} most recent files are listed."), shown=REMOVABLE_SHOWN))
    return "\n".join([*lines, "", _evidence_counts(t, state)])


def _evidence_counts(t: Translator, state: LpjState) -> str:
    content = state.content
    return _(
        t,
        N_("Receipts: {receipts} ({total}) · photos: {photos} · BAST: {bast}"),
        receipts=len(content.of_kind(EvidenceKind.RECEIPT)),
        total=format_money(content.receipts_total),
        photos=len(content.of_kind(EvidenceKind.PHOTO)),
        bast=len(content.of_kind(EvidenceKind.BAST)),
    )


def review(t: Translator, state: LpjState, today: dt.date, head: Sequence[str] = ()) -> str:
    """The LPJ at a glance: what is reported, the variance against the RAB, and what is missing."""
    p, content = state.proposal, state.content
    lines = [
        *head,
        _(
            t,
            N_("📑 <b>LPJ {code}</b> – {ipwl} (version {version})"),
            code=p.code,
            ipwl=state.ipwl.name,
            version=state.lpj.version + (1 if p.status == ProposalStatus.LPJ_RETURNED else 0),
        ),
        due_line(t, state.due_on, today),
    ]
    served = sum(1 for c in content.clients if content.services.get(c.id))
    lines.append(_(t, N_("Services: {served} of {count} clients"), served=served, count=len(content.clients)))
    filled = len([n for n in content.lines if n.line.id in content.realizations])
    lines.append(
        _(
            t,
            N_("Realization: {filled} of {count} lines · {spent} spent of {budget} budgeted · variance {variance}"),
            filled=filled,
            count=len(content.lines),
            spent=format_money(content.realized_total),
            budget=format_money(content.realized_budget),
            variance=signed(content.realized_total - content.realized_budget),
        )
    )
    above = [n for n in content.lines if (r := content.realizations.get(n.line.id)) and r.amount > n.line.total]
    if above:
        lines.append(
            _(t, N_("Above the RAB: {count} line(s), e.g. line {number}"), count=len(above), number=above[0].number)
        )
    lines.append(_(t, N_("Total RAB of the proposal: {budget}"), budget=format_money(content.budget_total)))
    lines.append(_evidence_counts(t, state))
    if state.reasons:
        lines.append("")
        lines.append(_(t, N_("<b>Returned because:</b>")))
        lines.extend("• " + esc(r.reason) for r in state.reasons)
    lines.append("")
    if state.problems:
        lines.append(_(t, N_("<b>Still missing before it can be sent:</b>")))
        lines.extend(_problems(t, state.problems, "• "))
    else:
        lines.append(_(t, N_("✅ Complete: it can be sent to the PIC team.")))
    return clip("\n".join(lines))


def submitted(t: Translator, state: LpjState, team_name: str | None) -> str:
    text = _(
        t,
        N_("📤 The LPJ of <b>{code}</b> (version {version}) has been sent: {spent} spent, {receipts} receipt(s)."),
        code=state.proposal.code,
        version=state.lpj.version,
        spent=format_money(state.content.realized_total),
        receipts=len(state.content.of_kind(EvidenceKind.RECEIPT)),
    )
    if state.lpj.late:
        text += "\n" + _(t, N_("⏰ It was sent after its due date and is recorded as late."))
    if team_name:
        text += "\n" + _(
            t, N_("{team} will check it. You will be told here when anything changes."), team=team_label(t, team_name)
        )
    return text


def evidence_saved(t: Translator, state: LpjState) -> str:
    return _(t, N_("📎 Saved.")) + " " + _evidence_counts(t, state)


def sheet_imported(t: Translator, lines: int, services: int) -> str:
    return _(
        t,
        N_("✅ Workbook read: {lines} realization line(s) and {services} service period(s) saved."),
        lines=lines,
        services=services,
    )


def send_template(t: Translator) -> str:
    return _(
        t,
        N_(
            "Fill in the white columns (one row per budget line; service dates on the second sheet) "
            "and send the file back here while this LPJ is open."
        ),
    )


def sheet_problems(t: Translator, problems: Sequence[ImportProblem], *, limit: int = 30) -> str:
    """Every row to fix, "sheet X, row N: …" (nothing was saved)."""
    lines = [_(t, N_("Nothing was saved. Fix these rows and send the file again:"))]
    for problem in problems[:limit]:
        where = ""
        if problem.row > 0:
            sheet = problem.params.get("sheet")
            where = (
                _(t, N_("sheet {sheet}, row {row}:"), sheet=sheet, row=problem.row)
                if sheet
                else _(t, N_("row {row}:"), row=problem.row)
            ) + " "
        lines.append("• " + where + _(t, problem.message, **problem.params))
    if len(problems) > limit:
        lines.append(_(t, N_("…and {count} more."), count=len(problems) - limit))
    return clip("\n".join(lines))


# --- staff ----------------------------------------------------------------------------------------------


def _status_by(t: Translator, review: LpjReview, zone: str) -> str:
    status = t.gettext(STATUS_LABELS[review.proposal.status])
    change = review.last_change
    if change is None or change.actor_name is None or change.to_status != review.proposal.status.value:
        return _(t, N_("Status: {status}"), status=status)
    return _(
        t,
        N_("Status: {status} — {name}, {at}"),
        status=status,
        name=change.actor_name,
        at=format_datetime(change.at, zone, t.locale),
    )


def card(t: Translator, review: LpjReview, zone: str) -> str:
    """The PIC group card: codes, counts, totals and flags only (principle 9)."""
    totals, p = review.totals, review.proposal
    lines = [
        _(
            t,
            N_("📑 <b>LPJ {code}</b> · {ipwl} · version {version}"),
            code=p.code,
            ipwl=review.ipwl.code,
            version=review.lpj.version,
        ),
        _(
            t,
            N_("{clients} clients · RAB {budget} · spent {spent} ({variance})"),
            clients=totals.clients,
            budget=format_money(totals.budget),
            spent=format_money(totals.realized),
            variance=signed(totals.realized - totals.budget),
        ),
        _(
            t,
            N_("Evidence: {receipts} receipt(s), {photos} photo(s), {bast} BAST"),
            receipts=totals.receipts,
            photos=totals.photos,
            bast=totals.bast,
        ),
    ]
    if review.due_on is not None:
        lines.append(_(t, N_("Due {date}"), date=_day(review.due_on, t)))
    if review.lpj.late:
        lines.append(_(t, N_("⏰ <b>Sent late</b>")))
    lines.append(_status_by(t, review, zone))
    return "\n".join(lines)


def to_validate(t: Translator, review: LpjReview, zone: str) -> str:
    return _(t, N_("🧾 An LPJ verified by the PIC team waits for your validation.")) + "\n\n" + card(t, review, zone)


def detail(t: Translator, state: LpjState, today: dt.date) -> str:
    """The whole LPJ with names (private chats of authorized people only)."""
    content = state.content
    lines = [review(t, state, today).split("\n\n")[0], ""]
    for client in content.clients:
        periods = content.services.get(client.id, ())
        served = (
            "; ".join(f"{p.component.value}: {_day(p.served_from, t)} – {_day(p.served_to, t)}" for p in periods) or "-"
        )
        lines.append(
            _(
                t,
                N_("<b>{number}. {name}</b> · services {served}"),
                number=client.position,
                name=client.full_name,
                served=served,
            )
        )
        for n in [n for n in content.lines if n.client.id == client.id]:
            # The budget line as planned (number, component, description, RAB), then what was spent.
            planned = {
                "number": n.number,
                "component": n.line.component.value,
                "description": n.line.description,
                "budget": format_money(n.line.total),
            }
            done = content.realizations.get(n.line.id)
            if done is None:
                lines.append(
                    _(t, N_("  {number}. [{component}] {description}: RAB {budget} · not reported"), **planned)
                )
                continue
            lines.append(
                _(
                    t,
                    N_("  {number}. [{component}] {description}: RAB {budget} · spent {spent} ({variance})"),
                    spent=format_money(done.amount),
                    variance=signed(variance(n.line, done.amount)),
                    **planned,
                )
            )
            if done.note:
                lines.append("     " + _(t, N_("note: {note}"), note=done.note))
    lines.append("")
    for e in content.evidence:
        extra = ""
        if e.kind == EvidenceKind.RECEIPT:
            extra = (
                " · "
                + (format_money(e.amount) if e.amount is not None else "?")
                + (" · meterai ✓" if e.stamped else "")
            )
        lines.append(f"📎 {esc(t.gettext(KIND_LABELS[e.kind]))}: {esc(e.file_name or '-')}{esc(extra)}")
    return clip("\n".join(lines))


_EVIDENCE_ONE: Mapping[EvidenceKind, str] = {
    EvidenceKind.RECEIPT: N_("Receipt (kuitansi)"),
    EvidenceKind.PHOTO: N_("Activity photo"),
    EvidenceKind.BAST: N_("BAST"),
}


def evidence_caption(t: Translator, e: Evidence, number: int, total: int) -> str:
    """The caption of one evidence file sent with the Detail: which one, and a receipt's amount."""
    parts = [f"📎 {number}/{total}", esc(t.gettext(_EVIDENCE_ONE[e.kind]))]
    if e.file_name and not e.file_name.startswith("foto-"):
        parts.append(esc(e.file_name[:200]))
    if e.kind == EvidenceKind.RECEIPT:
        parts.append(format_money(e.amount) if e.amount is not None else "?")
        if e.stamped:
            parts.append(esc(t.gettext(N_("meterai ✓"))))
    return " · ".join(parts)


def evidence_unavailable(t: Translator) -> str:
    return _(t, N_("⚠️ Telegram no longer has this file. Ask the IPWL to send it again before deciding."))


def reason_prompt(t: Translator, code: str) -> str:
    return _(
        t,
        N_("↩️ Returning the LPJ of <b>{code}</b>. Type the reasons in one message: what must the IPWL correct or add?"),
        code=code,
    )


def reason_asked(t: Translator) -> str:
    return _(t, N_("Type the reasons in your private chat with the bot."))


def returned_by_staff(t: Translator, code: str) -> str:
    return _(t, N_("↩️ The LPJ of {code} was returned to the IPWL with your reasons."), code=code)


def return_cancelled(t: Translator) -> str:
    return _(t, N_("Cancelled: nothing was returned."))


def verified(t: Translator, code: str) -> str:
    return _(t, N_("✅ LPJ {code} verified; finance has been notified."), code=code)


def validated(t: Translator, code: str) -> str:
    return _(t, N_("✅ LPJ {code} validated; the proposal is closed."), code=code)


def open_private_first(t: Translator) -> str:
    return _(t, N_("Open a private chat with the bot first (press Start there), then press the button again."))


def detail_sent(t: Translator) -> str:
    return _(t, N_("Sent to your private chat."))


# --- the operator's notifications ------------------------------------------------------------------------


def returned_to_operator(t: Translator, code: str, version: int, reasons: Sequence[ReturnReason]) -> str:
    lines = [
        _(
            t,
            N_("↩️ The LPJ of <b>{code}</b> (version {version}) was returned for revision:"),
            code=code,
            version=version,
        )
    ]
    lines.extend("• " + esc(r.reason) for r in reasons)
    lines.append("")
    lines.append(_(t, N_("Correct it and send it again with /lpj {code}."), code=code))
    return clip("\n".join(lines))


def closed(t: Translator, code: str) -> str:
    return _(
        t,
        N_("✅ The LPJ of <b>{code}</b> has been validated by finance. The proposal is closed. Thank you!"),
        code=code,
    )

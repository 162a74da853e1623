"""What the PIC team reads: the group card (no personal data), Detail, the reasons checklist, and
what operators are told when a proposal is returned or rejected."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.models import Action, Client, Proposal, ReturnReason
from bot.domain.proposal_intake import NIK_MISMATCH
from bot.domain.regions import PROVINCES
from bot.domain.validation import mask_nik
from bot.i18n import N_, Translator, format_date, format_money
from bot.services.reviews import REASON_FIELDS, Card, Detail, ReasonDraft, Stamp, VersionChanges
from handlers.views import STATUS_LABELS, _, clip, double_assistance, esc
from handlers.views.proposals import APPROACH_LABELS, FIELD_LABELS, budget_line, components_label, nik_mismatch_flag

ACTION_DONE: Mapping[Action, str] = {
    Action.CLAIM: N_("✅ You are now checking {code}."),
    Action.RELEASE: N_("Released: {code} is free for the team again."),
    Action.VERIFY: N_("✅ {code} verified. Another colleague validates it."),
    Action.VALIDATE: N_("✅ {code} validated. The head of centre is told."),
    Action.RETURN: N_("↩️ {code} returned to the operator with your reasons."),
    Action.REJECT: N_("⛔ {code} rejected; the operator is told why."),
}

_STAMPS: Mapping[str, str] = {
    "submit": N_("Submitted on {when}"),
    "resubmit": N_("New version submitted on {when}"),
    "claim": N_("Being checked by {name} since {when}"),
    "release": N_("Released by {name}, {when}"),
    "verify": N_("Verified by {name}, {when}"),
    "validate": N_("Validated by {name}, {when}"),
    "return": N_("Returned by {name}, {when}"),
    "reject": N_("Rejected by {name}, {when}"),
    "return_on_withdrawal": N_("Back to the IPWL, {when}: a client withdrew their consent"),
    "issue_sk": N_("SK issued by {name}, {when}"),
    "submit_accounts": N_("Bank accounts submitted, {when}"),
    "return_accounts": N_("A bank account was sent back by {name}, {when}"),
    "verify_accounts": N_("Bank accounts verified by {name}, {when}"),
    "record_payment": N_("Funds transferred, recorded by {name}, {when}"),
}

REASON_FIELD_LABELS: Mapping[str, str] = {
    "nik": FIELD_LABELS["nik"],
    "address": FIELD_LABELS["address"],
    "budget": N_("budget"),
    "assessment": FIELD_LABELS["assessment"],
}


def stamp_line(t: Translator, stamp: Stamp | None) -> str | None:
    if stamp is None:
        return None
    return _(t, _STAMPS.get(stamp.action, N_("Last change: {when}")), name=stamp.name or "-", when=stamp.at)


# --- the group card (codes, counts, totals, flags: never names, NIK, addresses or health data) -------


def card(t: Translator, c: Card) -> str:
    s = c.summary
    lines = [
        _(t, N_("📋 <b>{code}</b> · version {version}"), code=s.code, version=s.version),
        _(t, N_("IPWL: {name} ({code})"), name=s.ipwl_name, code=s.ipwl_code),
        _(t, N_("Province: {province}"), province=PROVINCES.get(s.province_code, s.province_code)),
        _(t, N_("Clients: {count} · total budget {total}"), count=s.clients, total=format_money(s.total))
        if not c.left
        else _(  # after an SK perubahan: the amended list, and what it amended
            t,
            N_("Clients: {count} ({left} left the list, SK perubahan {sk}) · total budget {total} (SK: {original})"),
            count=s.clients - c.left,
            left=c.left,
            sk=", ".join(c.amendments),
            total=format_money(s.total - c.left_total),
            original=format_money(s.total),
        ),
        _(t, N_("Attachments: {count}"), count=c.attachments),
    ]
    # The intake's flag, less the clients whose every pair is decided: their ✅/⛔ line below says it
    # (a warning above a decision read as if nothing had been decided).
    decided = {x.client_id for x in c.conflicts} - {x.client_id for x in c.conflicts if not x.adjudicated}
    if s.flagged - len(decided) > 0:
        lines.append(
            _(
                t,
                N_("⚠️ {count} client(s) also appear in another IPWL's proposal this year."),
                count=s.flagged - len(decided),
            )
        )
    lines.extend(double_assistance.card_lines(t, c.conflicts))
    if not c.attachments:
        lines.append(_(t, N_("⚠️ No supporting documents attached.")))
    lines.append("")
    lines.append(_(t, N_("Status: <b>{status}</b>"), status=t.gettext(STATUS_LABELS[s.status])))
    stamp = stamp_line(t, c.stamp)
    if stamp:
        lines.append(stamp)
    return clip("\n".join(lines))


def superseded_card(t: Translator, c: Card, version: int) -> str:
    return _(
        t,
        N_("📋 <b>{code}</b> · version {version}\nReplaced by version {current}: see the newer card below."),
        code=c.summary.code,
        version=version,
        current=c.summary.version,
    )


# --- detail (private chat, authorized staff) ----------------------------------------------------------


def detail_pages(t: Translator, d: Detail) -> list[str]:
    """The proposal in full, NIK masked, split into messages within Telegram's limit."""
    p = d.proposal
    head = [
        _(t, N_("🔎 <b>{code}</b> · version {version} – {ipwl}"), code=p.code, version=p.version, ipwl=d.ipwl.name),
        _(t, N_("Status: {status}"), status=t.gettext(STATUS_LABELS[p.status])),
        _(t, N_("Clients: {count} · total budget {total}"), count=len(d.clients), total=format_money(d.total)),
        _(t, N_("Attachments: {count}"), count=len(d.attachments)),
    ]
    if d.changes is not None:
        head.append("")
        head.append(changes(t, d.changes))
    if d.earlier_reasons:
        head.append("")
        head.append(_(t, N_("<b>Reasons given for version {version}:</b>"), version=p.version - 1))
        head.extend(reason_lines(t, d.clients, d.earlier_reasons))
    pages, current = [], "\n".join(head)
    for client in d.clients:
        block = client_block(t, client)
        conflicts = d.conflicts_of(client.id)
        if conflicts:
            block += "\n" + "\n".join(double_assistance.conflict_line(t, c, private=True) for c in conflicts)
        if len(current) + len(block) + 2 > 3900:
            pages.append(current)
            current = block
        else:
            current += "\n\n" + block
    pages.append(current)
    return [clip(page) for page in pages]


def client_block(t: Translator, c: Client) -> str:
    lines = [
        _(t, N_("<b>{number}. {name}</b> · NIK {nik}"), number=c.position, name=c.full_name, nik=mask_nik(c.nik)),
        _(
            t,
            N_("Address: {address}, {region}"),
            address=c.address or "-",
            region=", ".join(x for x in (c.regency, PROVINCES.get(c.province_code or "", "")) if x),
        ),
        _(
            t,
            N_("Approach: {approach} · components {components}"),
            approach=t.gettext(APPROACH_LABELS[c.approach]) if c.approach else "-",
            components=components_label(t, [x.value for x in c.components]),
        ),
        _(t, N_("Assessment: {text}"), text=(c.assessment or "-")[:300]),
        _(t, N_("Plan: {text}"), text=(c.intervention_plan or "-")[:300]),
    ]
    if c.birth_date:
        lines.insert(1, _(t, N_("Born {date}"), date=format_date(c.birth_date, t.locale)))
    if "dup_nik" in c.flags:
        lines.append(_(t, N_("⚠️ Also in another IPWL's proposal this year.")))
    if NIK_MISMATCH in c.flags:
        lines.append(nik_mismatch_flag(t))
    lines.extend(budget_line(t, line) for line in c.budget)
    lines.append(_(t, N_("Budget: <b>{total}</b>"), total=format_money(c.total)))
    return "\n".join(lines)


def changes(t: Translator, ch: VersionChanges) -> str:
    lines = [_(t, N_("<b>Changes since version {version}:</b>"), version=ch.previous)]
    if ch.empty:
        lines.append(_(t, N_("No changes in the client data.")))
    if ch.period:
        lines.append(_(t, N_("• the period changed")))
    for name in ch.added:
        lines.append(_(t, N_("• added: {name}"), name=name))
    for name in ch.removed:
        lines.append(_(t, N_("• removed: {name}"), name=name))
    if ch.erased:
        lines.append(
            _(
                t,
                N_("• left the proposal: {count} client(s) whose consent was withdrawn (data erased)"),
                count=ch.erased,
            )
        )
    for change in ch.changed:
        labels = ", ".join(t.gettext(FIELD_LABELS.get(f, REASON_FIELD_LABELS.get(f, f))) for f in change.fields)
        lines.append(_(t, N_("• {name}: {fields}"), name=change.name, fields=labels))
    return "\n".join(lines)


def nik_revealed(t: Translator, client: Client) -> str:
    return _(t, N_("NIK of {name}: {nik}"), name=client.full_name[:60], nik=client.nik)


def detail_sent(t: Translator) -> str:
    return _(t, N_("The details are in your private chat with the bot."))


def start_private_chat(t: Translator) -> str:
    return _(t, N_("Open the bot in a private chat first (press Start), then press the button again."))


# --- reasons checklist (private chat) ---------------------------------------------------------------


def reason_draft(t: Translator, d: ReasonDraft) -> str:
    title = N_("↩️ <b>Return {code}</b> to the operator") if d.action == Action.RETURN else N_("⛔ <b>Reject {code}</b>")
    lines = [
        _(t, title, code=d.proposal.code),
        _(t, N_("Tick the clients and the fields concerned (optional), then type the reason as a message.")),
    ]
    picked = [c for c in d.clients if c.id in d.picked_clients]
    if picked:
        lines.append(_(t, N_("Clients: {list}"), list=", ".join(f"{c.position}. {c.full_name}" for c in picked)))
    if d.picked_fields:
        lines.append(
            _(
                t,
                N_("Fields: {list}"),
                list=", ".join(t.gettext(REASON_FIELD_LABELS[f]) for f in REASON_FIELDS if f in d.picked_fields),
            )
        )
    if d.text:
        lines.append(_(t, N_("Reason: <i>{text}</i>"), text=d.text))
        lines.append(_(t, N_("Press Confirm to send it, or type the reason again to change it.")))
    return clip("\n".join(lines))


def reason_lines(t: Translator, clients: Sequence[Client], reasons: Sequence[ReturnReason]) -> list[str]:
    by_id = {c.id: c for c in clients}
    lines = []
    for reason in reasons:
        parts = []
        client = by_id.get(reason.client_id) if reason.client_id else None
        if client is not None:
            parts.append(_(t, N_("client {number} ({name})"), number=client.position, name=client.full_name))
        if reason.field:
            parts.append(t.gettext(REASON_FIELD_LABELS.get(reason.field, FIELD_LABELS.get(reason.field, reason.field))))
        prefix = ", ".join(parts)
        lines.append("• " + (prefix + ": " if prefix else "") + esc(reason.reason))
    return lines


def decision_cancelled(t: Translator, code: str) -> str:
    return _(t, N_("Cancelled: {code} was not changed."), code=code)


# --- operators (private, their own IPWL) ------------------------------------------------------------


def returned_notice(
    t: Translator, proposal: Proposal, clients: Sequence[Client], reasons: Sequence[ReturnReason]
) -> str:
    lines = [
        _(
            t,
            N_("↩️ Proposal <b>{code}</b> (version {version}) was returned for revision. Reasons:"),
            code=proposal.code,
            version=proposal.version,
        )
    ]
    lines.extend(reason_lines(t, clients, reasons))
    lines.append("")
    lines.append(_(t, N_("Correct it and send it again: press the button or use /lanjut.")))
    return clip("\n".join(lines))


def rejected_notice(
    t: Translator, proposal: Proposal, clients: Sequence[Client], reasons: Sequence[ReturnReason]
) -> str:
    lines = [_(t, N_("⛔ Proposal <b>{code}</b> was rejected. Reasons:"), code=proposal.code)]
    lines.extend(reason_lines(t, clients, reasons))
    return clip("\n".join(lines))


PROGRESS: Mapping[Action, str] = {
    Action.VERIFY: N_(
        "✅ Your proposal <b>{code}</b> (version {version}) has been verified by the PIC team. "
        "Next, another member of the team validates it; you will be told."
    ),
    Action.VALIDATE: N_(
        "✅ Your proposal <b>{code}</b> (version {version}) has been validated by the PIC team. "
        "Next, the head of centre issues the SK; you will then be asked for the clients' bank "
        "accounts."
    ),
    Action.VERIFY_ACCOUNTS: N_(
        "✅ The bank accounts of your proposal <b>{code}</b> are verified. Next, finance "
        "makes the payment; you will be told when the funds are transferred."
    ),
    Action.VERIFY_LPJ: N_(
        "✅ The LPJ of <b>{code}</b> (version {version}) has been verified by the PIC team. Next, "
        "finance validates it; you will be told."
    ),
}


def progress_notice(t: Translator, c: Card, action: Action, version: int) -> str:
    """The operator's news at each step of the review (no reviewer names: the step is the team's)."""
    return _(t, PROGRESS[action], code=c.summary.code, version=version)


def awaiting_sk(t: Translator, c: Card) -> str:
    s = c.summary
    return _(
        t,
        N_("🖋 Proposal <b>{code}</b> of {ipwl} is validated: {count} client(s), {total}. Issue the SK with /sk."),
        code=s.code,
        ipwl=s.ipwl_name,
        count=s.clients,
        total=format_money(s.total),
    )

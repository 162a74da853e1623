"""Complaints (issue 16.5): the form, the ticket, the status check, and the officers' desk.

Private chats only. The description and the complainant's identity are shown to complaint officers
and never appear in a group; every value a person typed is HTML-escaped.
"""

from __future__ import annotations

from bot.domain.complaints import (
    CATEGORY_BUTTONS,
    CATEGORY_LABELS,
    MAX_FILES,
    SENSITIVE,
    STATUS_LABELS,
    ActionKind,
    ComplaintCategory,
    ComplaintStatus,
    Step,
)
from bot.i18n import N_, Translator
from bot.services.complaints import (
    ActionPrompt,
    CheckRow,
    ClosePreview,
    Complainant,
    ComplaintCard,
    ComplaintDraft,
    ComplaintQueue,
    ComplaintRow,
    Filed,
    PublicStatus,
)
from handlers.views import _, clip, esc
from handlers.views.payment_checks import received_phrase

_ACTION_LABELS = {
    ActionKind.NOTE: N_("Action"),
    ActionKind.SP4N: N_("SP4N-LAPOR! reference"),
    ActionKind.CLOSE: N_("Outcome"),
}


def category_label(t: Translator, category: ComplaintCategory | str) -> str:
    return t.gettext(CATEGORY_LABELS[ComplaintCategory(category)])


def intro(t: Translator) -> str:
    return "\n".join(
        [
            _(t, N_("📣 <b>Complaint to the centre</b>")),
            "",
            _(
                t,
                N_(
                    "Anyone may complain here: a client, a family member, an IPWL worker. Your complaint goes "
                    "only to the centre's complaint officers — never to the IPWL concerned nor to its PIC team."
                ),
            ),
            _(
                t,
                N_(
                    "You may stay anonymous: then nothing links the complaint to your Telegram account, and you "
                    "check it with the ticket number and a secret you will be shown once."
                ),
            ),
            "",
            _(t, N_("<b>1/5</b> What is the complaint about?")),
            *(
                f"• <b>{esc(t.gettext(CATEGORY_BUTTONS[c]))}</b> — {esc(t.gettext(label))}"
                for c, label in CATEGORY_LABELS.items()
            ),
        ]
    )


def category_answered(t: Translator, choice: str | None) -> str | None:
    """The full category read back under the question once its (short) button was pressed, or None
    when the choice is not a category (the pressed label is read back then)."""
    try:
        return esc(category_label(t, ComplaintCategory(choice or "")))
    except ValueError:
        return None


def ask(t: Translator, draft: ComplaintDraft) -> str:
    """The form's next question."""
    if draft.step == Step.IDENTITY:
        return "\n".join(
            [
                _(t, N_("<b>2/5</b> Do you want to give your name?")),
                _(
                    t,
                    N_(
                        "Named: the complaint officers can reach you, and you are told the outcome here. "
                        "Your name is seen by the complaint officers only."
                    ),
                ),
                _(
                    t,
                    N_(
                        "Anonymous: nobody, not even the officers, can see who sent it. You check the outcome "
                        "yourself with the ticket number and secret."
                    ),
                ),
            ]
        )
    if draft.step == Step.PROPOSAL:
        return _(
            t,
            N_("<b>3/5</b> Is it about a particular proposal? Type its code (for example {example}), or press Skip."),
            example="USL-2026-0001",
        )
    if draft.step == Step.DESCRIPTION:
        return _(
            t,
            N_(
                "<b>4/5</b> Tell what happened, in one message: what, when, where, who was involved "
                "(if you know), and how much money if it is about money."
            ),
        )
    if draft.step == Step.FILES:
        return _(
            t,
            N_(
                "<b>5/5</b> Do you have proof (a photo, a receipt, a screenshot, a PDF)? Send up to {max} "
                "files, one at a time, then press Continue. Nothing to attach: press Continue."
            ),
            max=MAX_FILES,
        )
    return summary(t, draft)


def file_received(t: Translator, draft: ComplaintDraft) -> str:
    return _(
        t,
        N_("📎 File {count} of at most {max} received. Send another, or press Continue."),
        count=draft.files,
        max=MAX_FILES,
    )


def summary(t: Translator, draft: ComplaintDraft) -> str:
    """The whole complaint read back before Send."""
    lines = [_(t, N_("📝 <b>Your complaint — check it, then press Send</b>")), ""]
    if draft.category is not None:
        lines.append(_(t, N_("Category: {category}"), category=category_label(t, draft.category)))
    lines.append(
        _(t, N_("Sender: anonymous (no link to your account)"))
        if draft.anonymous
        else _(t, N_("Sender: with your name (seen by the complaint officers only)"))
    )
    lines.append(
        _(t, N_("Proposal: {code}"), code=draft.proposal_code) if draft.proposal_code else _(t, N_("Proposal: -"))
    )
    lines.append(_(t, N_("Attachments: {count}"), count=draft.files))
    lines += ["", _(t, N_("<b>Description</b>")), esc(draft.description or "")]
    return clip("\n".join(lines))


def filed(t: Translator, result: Filed) -> str:
    lines = [
        _(t, N_("✅ <b>Your complaint has been sent.</b>")),
        _(t, N_("Ticket number: <code>{ticket}</code>"), ticket=result.ticket),
    ]
    if result.secret:
        lines += [
            _(t, N_("Secret: <code>{secret}</code>"), secret=result.secret),
            "",
            _(
                t,
                N_(
                    "⚠️ Write down the ticket number and the secret now: they are shown only this once and "
                    "cannot be recovered. Check the status with /pengaduan {ticket} {secret}"
                ),
                ticket=result.ticket,
                secret=result.secret,
            ),
        ]
    else:
        lines += [
            "",
            _(
                t,
                N_("Check the status with /pengaduan {ticket}. You will also be told the outcome here."),
                ticket=result.ticket,
            ),
        ]
    lines.append(
        _(t, N_("A complaint officer responds by {due}."), due=result.due_at),
    )
    return "\n".join(lines)


def cancelled(t: Translator) -> str:
    return _(t, N_("Cancelled. No complaint was sent, and the files you sent for it were deleted."))


def cancelled_action(t: Translator) -> str:
    return _(t, N_("Stopped. Nothing was recorded on the complaint."))


def public_status(t: Translator, status: PublicStatus) -> str:
    lines = [
        _(t, N_("📣 <b>Complaint {ticket}</b>"), ticket=status.ticket),
        _(t, N_("Category: {category}"), category=category_label(t, status.category)),
        _(t, N_("Sent: {at}"), at=status.submitted_at),
        _(t, N_("Status: {status}"), status=t.gettext(STATUS_LABELS[status.status])),
    ]
    if status.status == ComplaintStatus.OPEN:
        lines.append(_(t, N_("A complaint officer responds by {due}."), due=status.due_at))
    if status.sp4n_reference:
        lines.append(
            _(t, N_("Also reported on SP4N-LAPOR! under number {reference}."), reference=status.sp4n_reference)
        )
    if status.status == ComplaintStatus.CLOSED and status.outcome:
        lines += ["", _(t, N_("<b>Outcome</b> ({at})"), at=status.closed_at), esc(status.outcome)]
    return clip("\n".join(lines))


def private_only(t: Translator) -> str:
    return _(
        t, N_("Complaints are made in a private chat with the bot, never in a group. Open the bot and send /pengaduan.")
    )


# --- the officers -----------------------------------------------------------------------------------


def _line(t: Translator, row: ComplaintRow, now: object) -> str:
    flag = "🔴 " if ComplaintCategory(row.category) in SENSITIVE else ""
    late = " ⏰" if row.status == ComplaintStatus.OPEN and row.due_at <= now else ""  # type: ignore[operator]
    return f"{flag}<code>{esc(row.ticket)}</code> · {esc(category_label(t, row.category))}{late}"


def queue(t: Translator, data: ComplaintQueue) -> str:
    lines = [_(t, N_("📣 <b>Complaints</b>")), ""]
    if not data.open:
        lines.append(_(t, N_("No complaint is open.")))
    else:
        lines.append(_(t, N_("Open ({count}), the nearest deadline first:"), count=len(data.open)))
        lines += [_line(t, row, data.now) for row in data.open]
    if data.closed:
        lines += ["", _(t, N_("Recently closed:"))] + [_line(t, row, data.now) for row in data.closed]
    lines += ["", _(t, N_("🔴 sensitive category · ⏰ deadline passed without a response"))]
    return clip("\n".join(lines))


def card(t: Translator, data: ComplaintCard) -> str:
    c = data.complaint
    lines = [
        _(t, N_("📣 <b>Complaint {ticket}</b>"), ticket=c.ticket),
        _(t, N_("Category: {category}"), category=category_label(t, c.category)),
        _(t, N_("Status: {status}"), status=t.gettext(STATUS_LABELS[data.status])),
        _(t, N_("Sent: {at}"), at=c.submitted_at),
        _(t, N_("Response due: {due}"), due=c.due_at) + (" ⏰" if data.overdue else ""),
    ]
    if c.source != "complainant":
        lines.append(
            _(
                t,
                N_(
                    "Opened by the bot after a post-payment check: the client says the assistance did not arrive "
                    "in full. The cause is not known yet — a transfer that failed or came back to the centre's "
                    "account looks the same to the client as money kept back: check the transfer with finance first."
                ),
            )
        )
        if data.check is not None:
            lines.append(check_facts(t, data.check))
    elif c.anonymous:
        lines.append(_(t, N_("Sender: anonymous")))
    else:
        lines.append(_(t, N_("Sender: named (press Show sender; the reading is recorded)")))
    if c.proposal_code:
        lines.append(_(t, N_("Proposal: {code} (IPWL {ipwl})"), code=c.proposal_code, ipwl=c.ipwl_code or "-"))
    if c.sp4n_reference:
        lines.append(_(t, N_("SP4N-LAPOR!: {reference}"), reference=c.sp4n_reference))
    lines.append(_(t, N_("Attachments: {count}"), count=c.files))
    if c.source == "complainant":
        lines += ["", _(t, N_("<b>Description</b>")), esc(c.description)]
    if data.actions:
        lines += ["", _(t, N_("<b>What was done</b>"))]
        for action in data.actions:
            label = t.gettext(_ACTION_LABELS.get(ActionKind(action.kind), N_("Action")))
            lines.append(
                _(t, N_("{at} · {who} · {label}:"), at=action.at, who=action.by_name, label=label)
                + " "
                + esc(action.text)
            )
    return clip("\n".join(lines))


def check_facts(t: Translator, check: CheckRow) -> str:
    """What a post-payment check found, for the complaint officer (private: the client is named)."""
    said = received_phrase(t, check, reported=True)
    return _(
        t,
        N_("Client {number} of {code}, {name}, {said} (recorded by {pic} on {at})."),
        number=check.client_position,
        code=check.proposal_code,
        name=check.client_name,
        said=said,
        pic=check.checked_by_name or "-",
        at=check.checked_at or "-",
    )


def identity(t: Translator, ticket: str, filer: Complainant | None) -> str:
    if filer is None:
        return _(t, N_("Complaint {ticket} was sent anonymously: nobody can see who sent it."), ticket=ticket)
    return "\n".join(
        [
            _(t, N_("👤 <b>Sender of {ticket}</b>"), ticket=ticket),
            _(t, N_("Name on Telegram: {name}"), name=filer.name),
            _(
                t,
                N_("Telegram user id: {user} (open tg://user?id={user} to write to them)"),
                user=filer.telegram_user_id,
            ),
            _(t, N_("This reading is recorded in the audit trail.")),
        ]
    )


def action_prompt(t: Translator, prompt: ActionPrompt) -> str:
    if prompt.kind == ActionKind.SP4N:
        return _(
            t,
            N_("Type the SP4N-LAPOR! tracking number of the report opened for {ticket}."),
            ticket=prompt.ticket,
        )
    if prompt.kind == ActionKind.CLOSE:
        return _(
            t,
            N_(
                "Type the outcome of {ticket} as the complainant will read it (what was found and what was "
                "done). You will see it again before it is sent."
            ),
            ticket=prompt.ticket,
        )
    return _(
        t,
        N_("Type the action taken on {ticket} (a call, a visit, a letter…). It is kept on the complaint."),
        ticket=prompt.ticket,
    )


def close_preview(t: Translator, preview: ClosePreview) -> str:
    if preview.opened_by_bot:
        told = _(
            t,
            N_(
                "There is no complainant: the bot opened this case after a post-payment check. The outcome is "
                "recorded on the complaint, and the head of centre and the IPWL's PIC team receive it."
            ),
        )
    elif preview.named:
        told = _(t, N_("The complainant will receive this message."))
    else:
        told = _(t, N_("The complainant is anonymous: they read this with their ticket number and secret."))
    return "\n".join(
        [
            _(t, N_("Close complaint {ticket} with this outcome?"), ticket=preview.ticket),
            "",
            esc(preview.outcome),
            "",
            told,
        ]
    )


def officer_new(t: Translator, row: ComplaintRow) -> str:
    return "\n".join(
        [
            _(t, N_("📣 New complaint <code>{ticket}</code>"), ticket=row.ticket),
            _(t, N_("Category: {category}"), category=category_label(t, row.category)),
            _(t, N_("Response due: {due}"), due=row.due_at),
        ]
    )


def officer_due(t: Translator, row: ComplaintRow) -> str:
    return _(
        t,
        N_("⏳ Complaint <code>{ticket}</code> ({category}) has no response yet; it is due by {due}."),
        ticket=row.ticket,
        category=category_label(t, row.category),
        due=row.due_at,
    )


def overdue(t: Translator, row: ComplaintRow, *, no_officer: bool) -> str:
    if no_officer:
        return _(
            t,
            N_(
                "📣 Complaint <code>{ticket}</code> ({category}) came in, but no complaint officer is appointed "
                "to answer it. Ask the admin for a complaint officer (/undang)."
            ),
            ticket=row.ticket,
            category=category_label(t, row.category),
        )
    return _(
        t,
        N_(
            "⚠️ Complaint <code>{ticket}</code> ({category}) was due for a response by {due} and has none yet. "
            "The complaint officers have been reminded."
        ),
        ticket=row.ticket,
        category=category_label(t, row.category),
        due=row.due_at,
    )


def no_officer_admin(t: Translator, row: ComplaintRow) -> str:
    """To an admin: a complaint waits and nobody can read it (nothing of what it says)."""
    return _(
        t,
        N_(
            "📣 A complaint (ticket <code>{ticket}</code>) is waiting, but no complaint officer is appointed to "
            "read it. Appoint one: /undang, then “Complaint officer”. Their invitation tells them of every "
            "complaint waiting."
        ),
        ticket=row.ticket,
    )


def backlog(t: Translator, count: int, tickets: list[str]) -> str:
    """To a new complaint officer, once: what was filed before they joined."""
    lines = [
        _(
            t,
            N_("📣 {count} complaint(s) are already waiting for a complaint officer:"),
            count=count,
        )
    ]
    lines += [f"• <code>{esc(ticket)}</code>" for ticket in tickets]
    if count > len(tickets):
        lines.append(_(t, N_("…and {count} more."), count=count - len(tickets)))
    lines += ["", _(t, N_("Open them with /pengaduan (the nearest deadline first)."))]
    return clip("\n".join(lines))


def case_closed(t: Translator, data: ComplaintCard) -> str:
    """To the head and the PIC team: the outcome of a case opened by a post-payment check (private
    chats; the check names the proposal and the client's number, not the client)."""
    c, check = data.complaint, data.check
    about = (
        _(
            t,
            N_("post-payment check of {code}, client {number}"),
            code=check.proposal_code,
            number=check.client_position,
        )
        if check is not None
        else (c.proposal_code or "-")
    )
    closer = next((a.by_name for a in reversed(data.actions) if a.kind == ActionKind.CLOSE), "-")
    return clip(
        "\n".join(
            [
                _(
                    t,
                    N_("📣 Complaint <code>{ticket}</code> ({about}) is closed by {officer} on {at}."),
                    ticket=c.ticket,
                    about=about,
                    officer=closer,
                    at=c.closed_at or "-",
                ),
                "",
                _(t, N_("<b>Outcome</b>")),
                esc(c.outcome or ""),
            ]
        )
    )


def complainant_closed(t: Translator, row: ComplaintRow) -> str:
    return clip(
        "\n".join(
            [
                _(t, N_("📣 <b>Your complaint {ticket} is closed.</b>"), ticket=row.ticket),
                "",
                _(t, N_("<b>Outcome</b>")),
                esc(row.outcome or ""),
                "",
                _(t, N_("Thank you for telling the centre.")),
            ]
        )
    )

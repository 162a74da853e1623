"""Reminders, digests and the /tugas queues: codes, statuses, dates and ages — never personal data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.models import LapsingGrant, ProposalStatus, Role
from bot.domain.reminder_rules import Kind
from bot.i18n import N_, Translator, format_age, format_date
from bot.services.reminders import QueueSection
from handlers.views import ROLE_LABELS, STATUS_LABELS, _, clip, double_assistance


def _date(t: Translator, iso: object) -> str:
    return format_date(dt.date.fromisoformat(str(iso)), t.locale)


def _status(t: Translator, status: str | ProposalStatus) -> str:
    return t.gettext(STATUS_LABELS[ProposalStatus(status)])


# Kinds whose reminders say the same things of different items, by kind: returned and not sent again
# (how many days it waited), a draft left untouched (for how long), an overdue LPJ escalated (to whom).
_RETURNED = {
    Kind.RETURNED: N_(
        "↩️ Proposal <b>{code}</b> was returned {days} day(s) ago and has not been sent again. "
        "Revise it with /lanjut {code}."
    ),
    Kind.LPJ_RETURNED: N_(
        "↩️ The LPJ of <b>{code}</b> was returned {days} day(s) ago and has not been sent again. "
        "Revise it with /lpj {code}."
    ),
}
_IDLE = {
    Kind.DRAFT_IDLE: N_("📝 Your draft <b>{code}</b> has not been touched for {age}. Continue it with /lanjut."),
    Kind.LPJ_DRAFT_IDLE: N_(
        "📝 The LPJ of <b>{code}</b> has not been touched for {age}. Continue it with /lpj {code}."
    ),
}
_ESCALATED = {
    Kind.ESCALATE_TEAM: N_(
        "🚨 The LPJ of <b>{code}</b> ({ipwl}) is <b>{days} day(s) overdue</b> (due {date}). "
        "Please follow up with the IPWL."
    ),
    Kind.ESCALATE_HEAD: N_(
        "🚨 The LPJ of <b>{code}</b> ({ipwl}) is <b>{days} day(s) overdue</b> (due {date}); the PIC team has been told."
    ),
}


def reminder(t: Translator, params: Mapping[str, Any], now: dt.datetime) -> str:
    """One reminder about one item, for its recipient."""
    kind = Kind(params["rkind"])
    code, ipwl = params.get("code", ""), params.get("ipwl_code", "")
    if kind == Kind.LPJ_DUE:
        days = int(params["days_left"])
        if days > 0:
            return _(
                t,
                N_("⏰ The LPJ of <b>{code}</b> is due in {days} day(s), on {date}. Fill it in with /lpj {code}."),
                code=code,
                days=days,
                date=_date(t, params["due_on"]),
            )
        if days == 0:
            return _(
                t,
                N_("⏰ The LPJ of <b>{code}</b> is due <b>today</b>, {date}. Send it with /lpj {code}."),
                code=code,
                date=_date(t, params["due_on"]),
            )
        return _(
            t,
            N_(
                "⚠️ The LPJ of <b>{code}</b> is <b>{days} day(s) overdue</b> (due {date}). "
                "Send it as soon as possible with /lpj {code}."
            ),
            code=code,
            days=-days,
            date=_date(t, params["due_on"]),
        )
    if kind in _RETURNED:
        return _(t, _RETURNED[kind], code=code, days=params["waited_days"])
    if kind == Kind.ACCOUNTS_MISSING:
        return _(
            t,
            N_(
                "🏦 The SK for <b>{code}</b> was issued {days} day(s) ago and {missing} client bank account(s) "
                "are still missing. Supply them with /rekening so the funds can be transferred."
            ),
            code=code,
            days=params["waited_days"],
            missing=params.get("missing", 0),
        )
    if kind == Kind.TRANSFER_RESULTS_MISSING:
        return _(
            t,
            N_(
                "🏦 The SP2D for <b>{code}</b> ({ipwl}) is dated {date}, {days} working day(s) ago, and the "
                "results of {missing} transfer(s) are still not recorded. Record them with /bayar (the buttons "
                "or the transfers workbook)."
            ),
            code=code,
            ipwl=ipwl,
            date=_date(t, params["sp2d_on"]),
            days=params["working_days"],
            missing=params.get("missing", 0),
        )
    if kind in _IDLE:
        return _(t, _IDLE[kind], code=code, age=_age(t, params["since"], now))
    if kind in _ESCALATED:
        return _(
            t, _ESCALATED[kind], code=code, ipwl=ipwl, days=params["overdue_days"], date=_date(t, params["due_on"])
        )
    return digest(t, params)


def _age(t: Translator, since: object, now: dt.datetime) -> str:
    return format_age(now - dt.datetime.fromisoformat(str(since)), t.locale)


def digest(t: Translator, params: Mapping[str, Any]) -> str:
    """ONE message for a whole group (or person): counts per status, the oldest items with ages."""
    kind = Kind(params["rkind"])
    at = dt.datetime.fromisoformat(str(params["at"]))
    counts: Mapping[str, int] = params.get("counts", {})
    if kind == Kind.DIGEST_TEAM:
        head = _(
            t,
            N_("☀️ <b>Good morning, team {team}.</b> Waiting for you: {count} item(s)."),
            team=params.get("label", ""),
            count=sum(counts.values()),
        )
    elif kind == Kind.DIGEST_FINANCE:
        head = _(t, N_("☀️ <b>Good morning.</b> Waiting for finance: {count} item(s)."), count=sum(counts.values()))
    else:
        head = _(
            t, N_("☀️ <b>Good morning.</b> Waiting for the head of centre: {count} item(s)."), count=sum(counts.values())
        )
    lines = [head]
    lines.extend(_(t, N_("{status}: {count}"), status=_status(t, status), count=n) for status, n in counts.items())
    if params.get("overdue"):
        lines.append(_(t, N_("⏰ LPJ overdue: {count}"), count=params["overdue"]))
    if params.get("items"):
        lines.append("")
        lines.append(_(t, N_("Oldest first:")))
        for code, ipwl, status, since in params["items"]:
            lines.append(
                _(
                    t,
                    N_("• {code} · {ipwl} · {status} · {age}"),
                    code=code,
                    ipwl=ipwl,
                    status=_status(t, status),
                    age=format_age(at - dt.datetime.fromisoformat(since), t.locale),
                )
            )
    if params.get("more"):
        lines.append(_(t, N_("…and {count} more."), count=params["more"]))
    lines.append("")
    lines.append(_(t, N_("Send /tugas for your own queue.")))
    return clip("\n".join(lines))


def _counted_lines(t: Translator, section: QueueSection) -> list[str]:
    """What waits for a role besides its proposals, as counts (roles ending, records announced for
    anonymization, complaints, post-payment checks, SP2D): one line for each there is, in this order."""
    counted: tuple[tuple[int, str, dict[str, object]], ...] = (
        (section.lapsing_roles, N_("• {count} role(s) end within a few days: /pengguna"), {}),
        (
            section.retention_announced,
            N_("• {count} client record(s) announced for anonymization by the retention job"),
            {},
        ),
        (
            section.complaints_without_officer,
            N_("• {count} complaint(s) wait with no complaint officer to read them: appoint one (/undang)"),
            {},
        ),
        (
            section.payment_checks,
            N_("• {count} post-payment check(s) to phone (the cards are in your private chat)"),
            {},
        ),
        (
            section.complaints_open,
            N_("• {count} complaint(s) open, {overdue} past the response deadline: /pengaduan"),
            {"overdue": section.complaints_overdue},
        ),
        (section.without_sp2d, N_("• {count} SPM without an SP2D recorded yet: /bayar, 🏦"), {}),
        (section.awaiting_results, N_("• {count} SP2D whose transfer results are still missing: /bayar"), {}),
    )
    return [_(t, message, count=count, **extra) for count, message, extra in counted if count]


def queue(t: Translator, sections: Sequence[QueueSection], now: dt.datetime) -> str:
    """``/tugas``: what waits for the person, per role, oldest first, with ages."""
    lines = [_(t, N_("📋 <b>Your queue</b>"))]
    if not sections:
        lines.append(_(t, N_("Your roles have no queue of their own.")))
    for section in sections:
        lines.append("")
        role = t.gettext(ROLE_LABELS[section.role])
        role = role[:1].upper() + role[1:]  # ("operator IPWL", not "Operator ipwl")
        if section.scope:
            lines.append(
                _(t, N_("<b>{role}</b> {scope}: {count} item(s)"), role=role, scope=section.scope, count=section.total)
            )
        else:
            lines.append(_(t, N_("<b>{role}</b>: {count} item(s)"), role=role, count=section.total))
        lines.extend(_counted_lines(t, section))
        lines.extend(double_assistance.waiting_lines(t, section.held, head=section.role == Role.HEAD))
        if (
            not section.items
            and not section.lapsing_roles
            and not section.retention_announced
            and not section.complaints_without_officer
            and not section.complaints_open
            and not section.payment_checks
            and not section.held
        ):
            lines.append(_(t, N_("Nothing waits for you here.")))
        for item in section.items:
            line = _(
                t,
                N_("• {code} · {ipwl} · {status} · {age}"),
                code=item.code,
                ipwl=item.ipwl_code,
                status=_status(t, item.status),
                age=format_age(now - item.since, t.locale),
            )
            if section.role == Role.OPERATOR and item.due_on is not None:
                line += " · " + _(t, N_("LPJ due {date}"), date=format_date(item.due_on, t.locale))
            lines.append(line)
        if section.more:
            lines.append(_(t, N_("…and {count} more."), count=section.more))
    return clip("\n".join(lines))


def grant_expiry(t: Translator, grant: LapsingGrant) -> str:
    """To an admin, once, some days before a role with an expiry ends."""
    role = t.gettext(ROLE_LABELS[grant.role]) + (f" {grant.scope}" if grant.scope else "")
    return _(
        t,
        N_(
            "⏳ The role <b>{role}</b> of {name} ends on {date}. To keep it, send a new invitation "
            "with a later last day (/undang); otherwise nothing is needed: it stops by itself."
        ),
        role=role,
        name=grant.full_name,
        date=grant.valid_until - dt.timedelta(minutes=1),
    )

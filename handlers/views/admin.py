"""What admins read: the registry, people and access, invites, broadcasts, personal-data requests,
a proposal's history and backups (all in the admin's private chat)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.domain.audit_terms import actor_words, describe, role_words
from bot.domain.models import Invite, Person, Role
from bot.domain.regions import PROVINCES
from bot.domain.segregation import CONFLICTING_ROLES, conflicts_in
from bot.i18n import N_, Translator, zone_label
from bot.services.access import GroupToLeave, PeoplePage, PersonCard
from bot.services.admin import ProposalHistory
from bot.services.backups import BackupFile
from bot.services.broadcasts import Audiences, BroadcastPreview
from bot.services.privacy import ErasureDone, PersonalData
from bot.services.registry import IpwlCard, IpwlLine, IpwlPage, IpwlStep, PksState, TeamCard, TeamLine
from handlers.keyboards import private_chat_url
from handlers.views import ROLE_LABELS, STATUS_LABELS, _, clip, esc, role_names

HISTORY_PAGE = 12

FIELD_LABELS: Mapping[str, str] = {
    "code": N_("code"),
    "name": N_("name"),
    "province": N_("province"),
    "regency": N_("regency/city"),
    "address": N_("address"),
    "pks_number": N_("PKS number"),
    "pks_valid_from": N_("PKS valid from"),
    "pks_valid_until": N_("PKS valid until"),
    "team": N_("PIC team"),
}

_QUESTIONS: Mapping[str, str] = {
    "code": N_(
        "➕ <b>New IPWL</b> (1/9)\nIts code, e.g. {example}? (Or send a CSV file to add many at once, "
        "with the columns of the registry import.)"
    ),
    "name": N_("(2/9) The IPWL's full name?"),
    "province": N_("(3/9) Its province? Type part of the name or the code, e.g. {example}."),
    "regency": N_("(4/9) Regency or city? (- to skip)"),
    "address": N_("(5/9) Address? (- to skip)"),
    "pks_number": N_("(6/9) The PKS number? (- if not signed yet)"),
    "pks_valid_from": N_("(7/9) PKS valid from (e.g. {example})? (- to skip)"),
    "pks_valid_until": N_("(8/9) PKS valid until (e.g. {example})? (- to skip)"),
    "team": N_("(9/9) Which PIC team assists it? Tap one, or type its code."),
}

_EXAMPLES = {"code": "JB03", "province": "Jawa Barat", "pks_valid_from": "01-01-2026", "pks_valid_until": "31-12-2027"}


def _province(code: str) -> str:
    return PROVINCES.get(code, code)


# --- IPWL --------------------------------------------------------------------------------------------------


def pks_label(t: Translator, pks: PksState, until: dt.date | None) -> str:
    if pks.kind == "lapsed":
        return _(t, N_("⛔ PKS ended on {date}: new proposals are blocked"), date=until)
    if pks.kind == "expiring":
        return _(t, N_("⚠️ PKS ends on {date}, in {days} days"), date=until, days=pks.days_left)
    if pks.kind == "ok":
        return _(t, N_("PKS valid until {date}"), date=until)
    return _(t, N_("No PKS end date recorded"))


def _flag(pks: PksState) -> str:
    return {"lapsed": " ⛔", "expiring": " ⚠️"}.get(pks.kind, "")


def ipwl_line(t: Translator, line: IpwlLine) -> str:
    i = line.ipwl
    return _(
        t,
        N_("• <b>{code}</b> {name} · {province} · {team}"),
        code=i.code,
        name=i.name,
        province=_province(i.province_code),
        team=line.team.code if line.team else "-",
    ) + _flag(line.pks)


def _list_head(t: Translator, page: IpwlPage | PeoplePage, matching: str, paged: str) -> str:
    """A searchable list's first line: what matched the search (``matching``), or which page of all (``paged``)."""
    if page.query:
        return _(t, matching, query=page.query, count=page.total)
    return _(t, paged, count=page.total, page=page.page + 1, pages=page.pages)


def ipwl_list(t: Translator, page: IpwlPage, warning_days: int) -> str:
    lines = [
        _list_head(
            t,
            page,
            N_("<b>IPWL matching “{query}”</b>: {count}"),
            N_("<b>IPWL registry</b> – {count} IPWL, page {page} of {pages}"),
        )
    ]
    if page.attention:
        lines.append(
            _(t, N_("⚠️ {count} PKS lapsed or ending within {days} days."), count=page.attention, days=warning_days)
        )
    lines.append("")
    lines += [ipwl_line(t, line) for line in page.items] or [_(t, N_("No IPWL found."))]
    if page.query and page.total > len(page.items):
        lines.append(_(t, N_("…and {count} more: be more precise."), count=page.total - len(page.items)))
    lines.append("")
    lines.append(_(t, N_("Tap an IPWL to see or change it. Search: /ipwl followed by a code, a name or a province.")))
    return clip("\n".join(lines))


def pks_attention(t: Translator, lines: Sequence[IpwlLine], warning_days: int) -> str:
    if not lines:
        return _(t, N_("✅ No PKS has lapsed or ends within {days} days."), days=warning_days)
    out = [_(t, N_("<b>PKS to renew</b> (lapsed or ending within {days} days)"), days=warning_days), ""]
    for line in lines:
        out.append(
            _(
                t,
                N_("• <b>{code}</b> {name}: {pks}"),
                code=line.ipwl.code,
                name=line.ipwl.name,
                pks=pks_label(t, line.pks, line.ipwl.pks_valid_until),
            )
        )
    return clip("\n".join(out))


def ipwl_card(t: Translator, card: IpwlCard) -> str:
    i = card.line.ipwl
    lines = [
        _(t, N_("🏠 <b>{name}</b> ({code})"), name=i.name, code=i.code),
        _(t, N_("Province: {province}"), province=_province(i.province_code)),
        _(t, N_("Regency/city: {regency}"), regency=i.regency or "-"),
        _(t, N_("Address: {address}"), address=i.address or "-"),
        _(t, N_("PKS number: {number}"), number=i.pks_number or "-"),
        _(t, N_("PKS period: {start} – {end}"), start=i.pks_valid_from or "-", end=i.pks_valid_until or "-"),
        pks_label(t, card.line.pks, i.pks_valid_until),
        _(t, N_("PIC team: {team}"), team=f"{card.line.team.name} ({card.line.team.code})" if card.line.team else "-"),
        _(
            t,
            N_("Operators: {operators} · open proposals: {proposals}"),
            operators=card.operators,
            proposals=card.open_proposals,
        ),
    ]
    if card.payment_mismatches:
        lines.append(
            _(
                t,
                N_("⚠️ Flagged: {count} post-payment check(s) where a client did not get the amount in full (/laporan)"),
                count=card.payment_mismatches,
            )
        )
    if card.moved_from is not None:
        lines += [
            "",
            _(
                t,
                N_(
                    "🔁 Moved from team {old} to {new}. Its {count} open proposal(s) moved with it: the "
                    "new team sees them now. A proposal claimed by the old team must be released by an "
                    "admin."
                ),
                old=card.moved_from.code,
                new=card.line.team.code if card.line.team else "-",
                count=card.open_proposals,
            ),
        ]
    return "\n".join(lines)


def ipwl_question(t: Translator, step: IpwlStep) -> str:
    if step.choices:
        return _(t, N_("Several provinces match. Tap one:"))
    return _(t, _QUESTIONS[step.step], example=_EXAMPLES.get(step.step, ""))


def ipwl_created(t: Translator, card: IpwlCard) -> str:
    return _(t, N_("✅ IPWL {code} added."), code=card.line.ipwl.code) + "\n\n" + ipwl_card(t, card)


def ipwl_imported(t: Translator, count: int) -> str:
    return _(t, N_("✅ {count} IPWL imported."), count=count)


def edit_prompt(t: Translator, card: IpwlCard, field_name: str) -> str:
    example = _EXAMPLES.get(field_name, "")
    text = _(t, N_("New {field} for {code}?"), field=t.gettext(FIELD_LABELS[field_name]), code=card.line.ipwl.code)
    if example:
        text += " " + _(t, N_("e.g. {example}"), example=example)
    if field_name not in ("name", "province"):
        text += " " + _(t, N_("(- to empty it)"))
    return text


def choose_team(t: Translator, card: IpwlCard) -> str:
    return _(
        t,
        N_("Which PIC team should assist {code}? It now has: {team}."),
        code=card.line.ipwl.code,
        team=card.line.team.code if card.line.team else "-",
    )


# --- teams ---------------------------------------------------------------------------------------------------


def team_list(t: Translator, lines: Sequence[TeamLine]) -> str:
    out = [_(t, N_("<b>PIC teams</b>")), ""]
    for line in lines:
        group = t.gettext(N_("group bound")) if line.team.group_chat_id else t.gettext(N_("no group yet"))
        out.append(
            _(
                t,
                N_("• <b>{code}</b> {name}: {members} member(s), {ipwl} IPWL, {group}"),
                code=line.team.code,
                name=line.team.name,
                members=line.members,
                ipwl=line.ipwl,
                group=group,
            )
        )
    if not lines:
        out.append(_(t, N_("No PIC teams yet.")))
    out += ["", _(t, N_("Tap a team for its members and IPWL. To move an IPWL to another team, open the IPWL."))]
    return clip("\n".join(out))


def team_card(t: Translator, card: TeamCard) -> str:
    out = [_(t, N_("👥 <b>{name}</b> ({code})"), name=card.team.name, code=card.team.code)]
    out.append(
        _(
            t,
            N_("Group: {state}"),
            state=t.gettext(N_("bound"))
            if card.team.group_chat_id
            else t.gettext(
                N_("not bound yet: add the bot to the team's group and send /hubungkan {code} there"),
                code=card.team.code,
            ),
        )
    )
    out += ["", _(t, N_("<b>Members</b> ({count})"), count=len(card.members))]
    out += [f"• {esc(p.full_name)}" for p in card.members] or [_(t, N_("none yet: invite one below"))]
    out += ["", _(t, N_("<b>IPWL assisted</b> ({count})"), count=len(card.ipwl))]
    out += [ipwl_line(t, line) for line in card.ipwl] or [_(t, N_("none"))]
    return clip("\n".join(out))


def team_prompt(t: Translator) -> str:
    return _(t, N_("➕ <b>New PIC team</b>: type its code and name, e.g. {example}"), example="TIM8 Tim PIC 8")


def team_created(t: Translator, code: str, name: str) -> str:
    return _(t, N_("✅ Team {code} ({name}) created. Invite its members from its card."), code=code, name=name)


# --- people ------------------------------------------------------------------------------------------------


def people_list(t: Translator, page: PeoplePage) -> str:
    out = [
        _list_head(
            t,
            page,
            N_("<b>People matching “{query}”</b>: {count}"),
            N_("<b>People</b> – {count}, page {page} of {pages}"),
        )
    ]
    out.append("")
    for line in page.items:
        roles = role_names(t, line.roles) if line.roles else t.gettext(N_("no role"))
        mark = " ⛔" if line.person.revoked else ""
        out.append(f"• {esc(line.person.full_name)} – {esc(roles)}{mark}")
    if not page.items:
        out.append(_(t, N_("Nobody found.")))
    out += ["", _(t, N_("Tap a person to see their roles or revoke access. Search: /pengguna followed by a name."))]
    return clip("\n".join(out))


def grant_label(t: Translator, role: Role, scope: str | None) -> str:
    label = t.gettext(ROLE_LABELS[role])
    return f"{label} {scope}" if scope else label


def left_group(t: Translator, person: Person, group: GroupToLeave, removed: bool) -> str:
    """After a PIC role is revoked: out of the team's group, or what the admin must do."""
    if removed:
        return _(
            t,
            N_("👥 {name} was removed from the group of {team} ({code})."),
            name=person.full_name,
            team=group.team_name,
            code=group.team_code,
        )
    return _(
        t,
        N_(
            "⚠️ Please remove {name} from the group of {team} ({code}) yourself: the bot may not remove "
            "members there (make it an admin with the right to ban users, then it will)."
        ),
        name=person.full_name,
        team=group.team_name,
        code=group.team_code,
    )


def person_card(t: Translator, card: PersonCard) -> str:
    p = card.person
    out = [_(t, N_("👤 <b>{name}</b> (Telegram id {id})"), name=p.full_name, id=p.telegram_user_id)]
    if p.revoked:
        out.append(_(t, N_("⛔ All access revoked.")))
    if card.configured_admin:
        out.append(_(t, N_("Listed in the configuration (access.admin_user_ids): it gave the first admin role.")))
    active = [g for g in card.grants if g.revoked_at is None]
    ended = [g for g in card.grants if g.revoked_at is not None]
    out += ["", _(t, N_("<b>Roles</b>"))]
    out += [
        _(t, N_("• {role}, since {date}"), role=grant_label(t, g.role, g.scope_code), date=g.granted_at) for g in active
    ] or [_(t, N_("none"))]
    if ended:
        out += ["", _(t, N_("<b>Revoked roles</b>"))]
        out += [
            _(t, N_("• {role}, revoked {date}"), role=grant_label(t, g.role, g.scope_code), date=g.revoked_at)
            for g in ended[-10:]
        ]
    for pair in conflicts_in(g.role for g in active):
        out += ["", segregation_warning(t, pair)]
    if not p.private_chat_started:
        out += ["", _(t, N_("Has not opened a private chat with the bot yet."))]
    return clip("\n".join(out))


def segregation_warning(t: Translator, roles: Iterable[Role]) -> str:
    return _(
        t,
        N_(
            "⚠️ <b>Segregation of duties</b>: {roles} should not be held by one person — a complaint officer "
            "could then read (and bury) complaints about the payments they make. Revoke one of the roles, "
            "or keep both knowingly (the audit trail records the warning)."
        ),
        roles=role_names(t, roles),
    )


def role_conflict(t: Translator, name: str, roles: Iterable[Role]) -> str:
    """To an admin, when an invite or grant gave someone the second role of a conflicting pair."""
    return "\n".join(
        [
            _(t, N_("⚠️ {name} now holds the roles {roles}."), name=name, roles=role_names(t, roles)),
            segregation_warning(t, roles),
        ]
    )


def confirm_revoke_grant(t: Translator, card: PersonCard, grant_id: int) -> str:
    grant = next(g for g in card.grants if g.id == grant_id)
    return _(
        t,
        N_("Revoke the role {role} of {name}? Their buttons and commands for it stop working at once."),
        role=grant_label(t, grant.role, grant.scope_code),
        name=card.person.full_name,
    )


def confirm_revoke_person(t: Translator, card: PersonCard) -> str:
    return _(
        t,
        N_(
            "Revoke all access of {name}? Every role stops at once, and invites cannot be used until an "
            "admin restores access."
        ),
        name=card.person.full_name,
    )


def revoked_notice(t: Translator, role: str | None, scope: str | None) -> str:
    if role:
        return _(
            t,
            N_("Your access as {role} has been ended by the centre's admin. Contact the centre if this is a mistake."),
            role=grant_label(t, Role(role), scope),
        )
    return _(
        t,
        N_(
            "Your access to the ATENSI bot has been ended by the centre's admin. Contact the centre if "
            "this is a mistake."
        ),
    )


# --- invites ---------------------------------------------------------------------------------------------------


def invite_roles(t: Translator) -> str:
    return _(
        t, N_("📨 <b>Invite someone</b>: which role? (Quicker: /undang IPWL-CODE, /undang pic TEAM, /undang head.)")
    )


def invite_ipwl_prompt(t: Translator) -> str:
    return _(t, N_("Which IPWL will the operator work for? Type its code or part of its name."))


def invite_team_prompt(t: Translator) -> str:
    return _(t, N_("Which PIC team will the new member join?"))


def invite_ipwl_choices(t: Translator, count: int) -> str:
    return _(t, N_("{count} IPWL match. Tap the right one:"), count=count)


def invite_link(t: Translator, invite: Invite, scope: str | None, bot_username: str) -> str:
    link = private_chat_url(bot_username, invite.token)
    role = grant_label(t, invite.role, scope)
    return "\n".join(
        [
            _(t, N_("📨 Invitation for: <b>{role}</b>"), role=role),
            "",
            f"<code>{esc(link)}</code>",
            "",
            _(
                t,
                N_("Send this link to that one person (privately). It works once and expires on {date}."),
                date=invite.expires_at,
            ),
            *[
                _(
                    t,
                    N_(
                        "Segregation of duties: do not give it to someone who holds {roles}; if they do, the "
                        "admins are warned."
                    ),
                    roles=role_names(t, pair - {invite.role}),
                )
                for pair in CONFLICTING_ROLES
                if invite.role in pair
            ],
            *(
                []
                if invite.grant_valid_until is None
                else [
                    _(
                        t,
                        N_("The role ends on {date}; the admins are reminded some days before."),
                        date=invite.grant_valid_until - dt.timedelta(minutes=1),
                    )
                ]
            ),
        ]
    )


# --- broadcasts ------------------------------------------------------------------------------------------------


def broadcast_audience(t: Translator, audiences: Audiences) -> str:
    return _(
        t,
        N_("📣 <b>Broadcast to operators</b>\nWho should receive it? All operators: {count}."),
        count=audiences.everyone,
    )


def broadcast_provinces(t: Translator) -> str:
    return _(t, N_("Which province? (the number of operators in brackets)"))


def broadcast_teams(t: Translator) -> str:
    return _(t, N_("The operators of which PIC team's IPWL? (the number of operators in brackets)"))


def broadcast_prompt(t: Translator, count: int) -> str:
    return _(
        t,
        N_(
            "Type the message for {count} operator(s). Plain text; line breaks are kept. You will see a "
            "preview before anything is sent."
        ),
        count=count,
    )


def broadcast_message(t: Translator, centre: str, body: str) -> str:
    """What every recipient reads: the admin's text, escaped, under the centre's name."""
    return _(t, N_("📣 <b>Message from {centre}</b>"), centre=centre) + "\n\n" + esc(body)


def broadcast_preview(t: Translator, preview: BroadcastPreview, centre: str) -> str:
    audience = preview.audience_name or t.gettext(N_("all operators"))
    head = _(
        t,
        N_("<b>Preview</b> – to {audience}: {count} operator(s). Type again to change the text."),
        audience=audience,
        count=preview.recipients,
    )
    return head + "\n\n" + broadcast_message(t, centre, preview.broadcast.body)  # within 4096 visible


def broadcast_queued(t: Translator, preview: BroadcastPreview) -> str:
    return _(
        t,
        N_("📤 Sending to {count} operator(s). You will get a delivery report when every message is settled."),
        count=preview.recipients,
    )


def broadcast_cancelled(t: Translator) -> str:
    return _(t, N_("Broadcast cancelled; nothing was sent."))


def broadcast_report(t: Translator, params: Mapping[str, Any]) -> str:
    lines = [
        _(t, N_("📊 <b>Broadcast delivered</b> (to {recipients} operator(s))"), recipients=params.get("recipients", 0)),
        _(t, N_("✅ Sent: {count}"), count=params.get("sent", 0)),
        _(t, N_("🚫 Blocked the bot or never started it: {count}"), count=params.get("blocked", 0)),
        _(t, N_("⚠️ Failed otherwise: {count}"), count=params.get("failed", 0)),
    ]
    if params.get("blocked"):
        lines.append(_(t, N_("Ask those operators (e.g. through their PIC team) to open the bot and press Start.")))
    return "\n".join(lines)


# --- personal data -------------------------------------------------------------------------------------------


def personal_data(t: Translator, data: PersonalData, nik_masked: str) -> str:
    out = [
        _(
            t,
            N_("🔐 <b>Personal data held under NIK {nik}</b>: {count} record(s)"),
            nik=nik_masked,
            count=len(data.records),
        ),
        "",
    ]
    for record, rule in data.records:
        out.append(
            _(
                t,
                N_("• {code} ({ipwl}), client no. {position}: {status}"),
                code=record.proposal_code,
                ipwl=record.ipwl_code,
                position=record.position,
                status=t.gettext(STATUS_LABELS[record.proposal_status]),
            )
        )
        if rule.action == "delete":
            out.append("   " + _(t, N_("can be removed from the draft")))
        elif rule.action == "anonymize":
            out.append("   " + _(t, N_("can be anonymized")))
        else:
            out.append("   " + _(t, rule.reason, **rule.params))
    out += [
        "",
        _(
            t,
            N_(
                "The export holds everything about this person (a spreadsheet for them). Each request is "
                "recorded in the audit log."
            ),
        ),
    ]
    return clip("\n".join(out))


def confirm_erase(t: Translator, code: str) -> str:
    return _(
        t,
        N_(
            "Erase this client's personal data in {code}? Names, NIK, address, contact, assessment, plan, "
            "bank account and attachments are removed; amounts stay for the program's figures. This cannot "
            "be undone."
        ),
        code=code,
    )


def erased(t: Translator, done: ErasureDone, *, for_admin: bool = True) -> str:
    """What an erasure did; the database and backup details only for the centre's admins (an
    operator cannot act on them)."""
    if done.action == "delete":
        lines = [_(t, N_("🧹 The client was removed from {code} with their personal data."), code=done.proposal_code)]
    else:
        lines = [_(t, N_("🧹 The client's personal data in {code} is anonymized."), code=done.proposal_code)]
    if done.files:
        lines.append(_(t, N_("{count} stored file(s) about them were deleted."), count=done.files))
    if not for_admin:
        return "\n".join(lines)
    lines.append(
        _(t, N_("The database holds no copy of the erased data any more."))
        if done.purged
        else _(
            t, N_("The space it took in the database is overwritten at the next checkpoint (the database was busy).")
        )
    )
    lines.append(
        _(
            t,
            N_(
                "Backups made before now still hold this client: the erasure is recorded in the erasure "
                "ledger (without personal data), and restoring any backup with atensi-bot db restore erases "
                "them again."
            ),
        )
    )
    return "\n".join(lines)


def personal_export_caption(t: Translator, count: int) -> str:
    return _(
        t,
        N_("🔐 Everything held about this person ({count} record(s)). Handle with care: it is personal data."),
        count=count,
    )


PERSONAL_EXPORT_INTRO = (
    N_("Personal data held by the ATENSI bot about one client, exported on request (UU 27/2022)."),
    N_("Each sheet is one table of the bot's database; attachments are listed, their files are kept by the centre."),
)


# --- history ---------------------------------------------------------------------------------------------------


def history(t: Translator, h: ProposalHistory, page: int) -> str:
    """A proposal's history as an inspector reads it: plain words in the reader's language, each
    event to the second, the time zone said once."""
    pages = max(1, -(-len(h.entries) // HISTORY_PAGE))
    page = min(max(page, 0), pages - 1)
    out = [
        _(t, N_("🗂 <b>History of {code}</b> – {ipwl}"), code=h.code, ipwl=h.ipwl.name),
        _(t, N_("Now: {status}"), status=t.gettext(STATUS_LABELS[h.status])),
        _(t, N_("Times in {zone} ({name})"), zone=zone_label(h.timezone), name=h.timezone),
    ]
    if pages > 1:
        out.append(_(t, N_("Page {page} of {pages}"), page=page + 1, pages=pages))
    out.append("")
    for entry in h.entries[page * HISTORY_PAGE : (page + 1) * HISTORY_PAGE]:
        said = describe(t, entry.action, entry.from_status, entry.to_status, entry.reason, entry.entity)
        who = actor_words(t, entry.actor_name, entry.actor_role)
        action = said.action  # plain text: the line below escapes it
        if entry.entity == "client":
            action = (
                t.gettext(N_("client {number}: {action}"), number=entry.client_position, action=said.action)
                if entry.client_position is not None
                else t.gettext(N_("a client: {action}"), action=said.action)
            )
        when = t.format_datetime(entry.at, h.timezone, seconds=True, zone=False)
        if entry.actor_name is None and entry.actor_role == "cli":  # "command line (CLI)" says its role already
            line = _(t, N_("<b>{when}</b> · {who}: {action}"), when=when, who=who, action=action)
        else:
            line = _(
                t,
                N_("<b>{when}</b> · {who} ({role}): {action}"),
                when=when,
                who=who,
                role=role_words(t, entry.actor_role),
                action=action,
            )
        if said.change:
            line += " · " + esc(said.change)
        if said.detail and said.quoted:
            line += "\n   " + _(t, N_("“{reason}”"), reason=said.detail[:300])
        elif said.detail:
            line += "\n   " + esc(said.detail[:300])
        out.append(line)
    if not h.entries:
        out.append(_(t, N_("No recorded changes yet.")))
    return clip("\n".join(out))


def history_pages(h: ProposalHistory) -> int:
    return max(1, -(-len(h.entries) // HISTORY_PAGE))


# --- backups ---------------------------------------------------------------------------------------------------


def backup_done(t: Translator, backup: BackupFile, *, sent: bool) -> str:
    path = str(backup.path)
    text = _(
        t,
        N_(
            "💾 Backup made and checked: <code>{path}</code> ({size} MB), one archive of the database and "
            "the {files} stored file(s) (receipts, photos, BAST, assessments). {kept} backup(s) are kept."
        ),
        path=path,
        size=t.format_number(backup.size / 1024 / 1024, decimals=1),
        files=backup.files,
        kept=backup.kept,
    )
    if backup.missing_files:
        text += "\n" + _(
            t,
            N_("⚠️ {count} file(s) the records name were not in the file store, so they are not in the backup either."),
            count=backup.missing_files,
        )
    if not sent:
        text += "\n" + _(t, N_("It stays on the server (it holds every client's personal data)."))
    if backup.restore:  # PostgreSQL: the dump goes back with pg_restore
        text += "\n" + _(
            t,
            N_(
                "To restore it: stop the bot, run <code>{command}</code> with the database's address, "
                "put the archive's files/ folder back as the file store, run <code>atensi-bot db "
                "apply-erasures</code>, and start the bot."
            ),
            command=esc(backup.restore),
        )
        return text
    text += "\n" + _(
        t,
        N_(
            "To restore it, do not copy files by hand: stop the bot and run <code>atensi-bot db "
            "restore {path}</code>. It checks the backup, moves the current database and files aside, "
            "and erases again every client erased since the backup was made."
        ),
        path=path,
    )
    return text


def admin_only(t: Translator) -> str:
    return _(t, N_("Only an admin can do this."))

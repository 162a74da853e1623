"""Buttons of the admin screens. Callback data carries kinds and ids only (never names or NIK).

Kinds (second field of the callback data): ``ip.*`` IPWL, ``tm.*`` teams, ``pp.*`` people,
``iv.*`` invites, ``bc.*`` broadcasts, ``pd.*`` personal data, ``au.*`` history, ``ex.*`` exports,
``ad.x`` close/cancel.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.models import Ipwl, Role, Team
from bot.domain.regions import province_short_name
from bot.i18n import Translator
from bot.services.access import PeoplePage, PersonCard
from bot.services.broadcasts import Audiences
from bot.services.privacy import PersonalData
from bot.services.registry import EDITABLE, IpwlCard, IpwlPage, IpwlStep, TeamCard, TeamLine
from handlers import buttons
from handlers.buttons import Button
from handlers.keyboards import button as _b
from handlers.views.admin import FIELD_LABELS, grant_label
from handlers.views.reports import EXPORT_LABELS

Rows = list[list[InlineKeyboardButton]]


def _close(t: Translator) -> InlineKeyboardButton:
    return _b(t.pgettext("button", "✖️ Close"), buttons.ADMIN_CLOSE)


def _cancel(t: Translator) -> InlineKeyboardButton:
    return _b(t.pgettext("button", "✖️ Cancel"), buttons.ADMIN_CLOSE)


def _page_nav(t: Translator, page: IpwlPage | PeoplePage, kind: Button) -> Rows:
    """‹ Previous / Next › under a list of all (a search shows its matches on one page), if it has pages."""
    if page.query or page.pages <= 1:
        return []
    nav = []
    if page.page > 0:
        nav.append(_b(t.pgettext("button", "‹ Previous"), kind, page.page - 1))
    if page.page + 1 < page.pages:
        nav.append(_b(t.pgettext("button", "Next ›"), kind, page.page + 1))
    return [nav]


def cancel_only(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_cancel(t)]])


# --- IPWL -----------------------------------------------------------------------------------------------------


def ipwl_list(t: Translator, page: IpwlPage) -> InlineKeyboardMarkup:
    rows: Rows = []
    for line in page.items:
        flag = {"lapsed": "⛔ ", "expiring": "⚠️ "}.get(line.pks.kind, "")
        rows.append([_b(f"{flag}{line.ipwl.code} · {line.ipwl.name[:40]}", buttons.IPWL_CARD, line.ipwl.id)])
    rows += _page_nav(t, page, buttons.IPWL_LIST)
    extra = [_b(t.pgettext("button", "➕ Add an IPWL"), buttons.IPWL_ADD)]
    if page.attention:
        extra.append(_b(t.pgettext("button", "⚠️ PKS to renew"), buttons.IPWL_ATTENTION))
    rows.append(extra)
    rows.append([_close(t)])
    return InlineKeyboardMarkup(rows)


def ipwl_card(t: Translator, card: IpwlCard) -> InlineKeyboardMarkup:
    ipwl_id = card.line.ipwl.id
    edits = [_b("✏️ " + t.gettext(FIELD_LABELS[name]), buttons.IPWL_EDIT, ipwl_id, name) for name in EDITABLE]
    rows: Rows = [edits[i : i + 2] for i in range(0, len(edits), 2)]
    rows.append(
        [
            _b(t.pgettext("button", "🔁 Change PIC team"), buttons.IPWL_TEAM, ipwl_id),
            _b(t.pgettext("button", "📨 Invite an operator"), buttons.INVITE_IPWL, ipwl_id),
        ]
    )
    rows.append([_b(t.pgettext("button", "‹ Back to the list"), buttons.IPWL_LIST, 0), _close(t)])
    return InlineKeyboardMarkup(rows)


def back_to_list(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(t.pgettext("button", "‹ Back to the list"), buttons.IPWL_LIST, 0)]])


def team_choice(t: Translator, ipwl_id: int, teams: Sequence[Team], current: int | None) -> InlineKeyboardMarkup:
    cells = [
        _b(("✓ " if team.id == current else "") + team.code, buttons.IPWL_MOVE, ipwl_id, team.id) for team in teams
    ]
    rows: Rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
    rows.append([_b(t.pgettext("button", "‹ Back"), buttons.IPWL_CARD, ipwl_id)])
    return InlineKeyboardMarkup(rows)


def ipwl_step(t: Translator, step: IpwlStep) -> InlineKeyboardMarkup:
    rows: Rows = []
    if step.choices:
        rows += [[_b(name, buttons.IPWL_PROVINCE, code)] for code, name in step.choices]
    elif step.step == "team":
        cells = [_b(team.code, buttons.IPWL_ADD_TEAM, team.id) for team in step.teams]
        rows += [cells[i : i + 3] for i in range(0, len(cells), 3)]
        rows.append([_b(t.pgettext("button", "No team yet"), buttons.IPWL_ADD_TEAM, 0)])
    rows.append([_cancel(t)])
    return InlineKeyboardMarkup(rows)


# --- teams ------------------------------------------------------------------------------------------------------


def team_list(t: Translator, lines: Sequence[TeamLine]) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(f"{line.team.code} · {line.team.name[:40]}", buttons.TEAM_CARD, line.team.id)] for line in lines]
    rows.append([_b(t.pgettext("button", "➕ New team"), buttons.TEAM_ADD), _close(t)])
    return InlineKeyboardMarkup(rows)


def team_card(t: Translator, card: TeamCard) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(t.pgettext("button", "📨 Invite a PIC member"), buttons.TEAM_INVITE, card.team.id)]]
    members = [_b("👤 " + p.full_name[:30], buttons.PERSON_CARD, p.id) for p in card.members]
    rows += [members[i : i + 2] for i in range(0, len(members), 2)]
    ipwl = [_b(line.ipwl.code, buttons.IPWL_CARD, line.ipwl.id) for line in card.ipwl]
    rows += [ipwl[i : i + 4] for i in range(0, len(ipwl), 4)]
    rows.append([_b(t.pgettext("button", "‹ All teams"), buttons.TEAM_LIST), _close(t)])
    return InlineKeyboardMarkup(rows)


# --- people --------------------------------------------------------------------------------------------------------


def people_list(t: Translator, page: PeoplePage) -> InlineKeyboardMarkup:
    rows: Rows = [
        [_b(("⛔ " if line.person.revoked else "") + line.person.full_name[:50], buttons.PERSON_CARD, line.person.id)]
        for line in page.items
    ]
    rows += _page_nav(t, page, buttons.PEOPLE_LIST)
    rows.append([_close(t)])
    return InlineKeyboardMarkup(rows)


def person_card(t: Translator, card: PersonCard) -> InlineKeyboardMarkup:
    rows: Rows = [
        [
            _b(
                "🚫 " + t.pgettext("button", "Revoke") + " " + grant_label(t, g.role, g.scope_code)[:40],
                buttons.GRANT_REVOKE_ASKED,
                g.id,
            )
        ]
        for g in card.grants
        if g.revoked_at is None
    ]
    if card.person.revoked:
        rows.append([_b(t.pgettext("button", "↩️ Restore access"), buttons.PERSON_RESTORE, card.person.id)])
    else:
        rows.append([_b(t.pgettext("button", "⛔ Revoke all access"), buttons.PERSON_REVOKE_ASKED, card.person.id)])
    rows.append([_b(t.pgettext("button", "‹ People"), buttons.PEOPLE_LIST, 0), _close(t)])
    return InlineKeyboardMarkup(rows)


def open_person(t: Translator, person_id: int) -> InlineKeyboardMarkup:
    """Under a warning about a person's roles: their card, to revoke one."""
    return InlineKeyboardMarkup([[_b(t.pgettext("button", "👤 See their roles"), buttons.PERSON_CARD, person_id)]])


def confirm(t: Translator, kind: Button, item_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(t.pgettext("button", "Yes, revoke"), kind, item_id), _cancel(t)]])


# --- invites ---------------------------------------------------------------------------------------------------------


def invite_roles(t: Translator) -> InlineKeyboardMarkup:
    labels = {
        Role.OPERATOR: t.pgettext("button", "IPWL operator"),
        Role.PIC: t.pgettext("button", "PIC team member"),
        Role.FINANCE: t.pgettext("button", "Finance"),
        Role.HEAD: t.pgettext("button", "Head of centre"),
        Role.ADMIN: t.pgettext("button", "Admin"),
        Role.AUDITOR: t.pgettext("button", "Auditor (read only)"),
        Role.COMPLAINT_OFFICER: t.pgettext("button", "Complaint officer"),
    }
    rows: Rows = [[_b(label, buttons.INVITE_ROLE, role.value)] for role, label in labels.items()]
    rows.append([_cancel(t)])
    return InlineKeyboardMarkup(rows)


def invite_teams(t: Translator, teams: Sequence[Team]) -> InlineKeyboardMarkup:
    cells = [_b(f"{team.code} · {team.name[:20]}", buttons.INVITE_TEAM, team.id) for team in teams]
    return InlineKeyboardMarkup([cells[i : i + 2] for i in range(0, len(cells), 2)] + [[_cancel(t)]])


def invite_ipwl(t: Translator, found: Sequence[Ipwl]) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(f"{i.code} · {i.name[:40]}", buttons.INVITE_IPWL, i.id)] for i in found[:20]]
    return InlineKeyboardMarkup(rows + [[_cancel(t)]])


# --- broadcasts ---------------------------------------------------------------------------------------------------


def broadcast_audience(t: Translator, audiences: Audiences) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(t.pgettext("button", "📣 All operators"), buttons.BROADCAST_AUDIENCE, "all")]]
    if audiences.provinces:
        rows.append([_b(t.pgettext("button", "🗺 One province"), buttons.BROADCAST_AUDIENCE, "province")])
    if audiences.teams:
        rows.append([_b(t.pgettext("button", "👥 One PIC team's IPWL"), buttons.BROADCAST_AUDIENCE, "team")])
    rows.append([_cancel(t)])
    return InlineKeyboardMarkup(rows)


def broadcast_provinces(t: Translator, audiences: Audiences) -> InlineKeyboardMarkup:
    cells = [
        _b(f"{province_short_name(code)} ({count})", buttons.BROADCAST_PROVINCE, code)
        for code, _name, count in audiences.provinces
    ]
    return InlineKeyboardMarkup([cells[i : i + 2] for i in range(0, len(cells), 2)] + [[_cancel(t)]])


def broadcast_teams(t: Translator, audiences: Audiences) -> InlineKeyboardMarkup:
    cells = [_b(f"{team.code} ({count})", buttons.BROADCAST_TEAM, team.id) for team, count in audiences.teams]
    return InlineKeyboardMarkup([cells[i : i + 3] for i in range(0, len(cells), 3)] + [[_cancel(t)]])


def broadcast_preview(t: Translator, broadcast_id: int, count: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _b(
                    t.pgettext("button", "📤 Send to {count} operator(s)", count=count),
                    buttons.BROADCAST_SEND,
                    broadcast_id,
                )
            ],
            [_b(t.pgettext("button", "✖️ Cancel"), buttons.BROADCAST_CANCEL, broadcast_id)],
        ]
    )


# --- personal data, history -------------------------------------------------------------------------------------


def personal_data(t: Translator, data: PersonalData) -> InlineKeyboardMarkup:
    first = data.records[0][0]
    rows: Rows = [[_b(t.pgettext("button", "📄 Export everything (XLSX)"), buttons.PERSONAL_EXPORT, first.client_id)]]
    for record, rule in data.records:  # one erase button a record, named by what its rule does
        if rule.action == "delete":
            label = t.pgettext("button", "🧹 Remove from draft {code}", code=record.proposal_code)
        elif rule.action == "anonymize":
            label = t.pgettext("button", "🧹 Anonymize in {code}", code=record.proposal_code)
        else:
            continue
        rows.append([_b(label, buttons.PERSONAL_ERASE_ASKED, record.client_id)])
    rows.append([_close(t)])
    return InlineKeyboardMarkup(rows)


def confirm_erase(t: Translator, client_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(t.pgettext("button", "Yes, erase"), buttons.PERSONAL_ERASE, client_id), _cancel(t)]]
    )


def history(t: Translator, proposal_id: int, page: int, pages: int) -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    nav = []
    if page > 0:
        nav.append(_b(t.pgettext("button", "‹ Earlier"), buttons.HISTORY_PAGE, proposal_id, page - 1))
    if page + 1 < pages:
        nav.append(_b(t.pgettext("button", "Later ›"), buttons.HISTORY_PAGE, proposal_id, page + 1))
    return InlineKeyboardMarkup([nav])


# --- exports ------------------------------------------------------------------------------------------------------


def export_kinds(t: Translator) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(t.gettext(label), buttons.EXPORT_KIND, kind)] for kind, label in EXPORT_LABELS.items()]
    return InlineKeyboardMarkup(rows + [[_cancel(t)]])


def export_mask(t: Translator, kind: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _b(t.pgettext("button", "🔒 Masked"), buttons.EXPORT_MASK, kind, 0),
                _b(t.pgettext("button", "🔓 Full (recorded)"), buttons.EXPORT_MASK, kind, 1),
            ],
            [_cancel(t)],
        ]
    )


def export_range(t: Translator, kind: str, unmasked: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _b(t.pgettext("button", "This month"), buttons.EXPORT_RANGE, kind, "m0", unmasked),
                _b(t.pgettext("button", "Last month"), buttons.EXPORT_RANGE, kind, "m1", unmasked),
            ],
            [
                _b(t.pgettext("button", "This year"), buttons.EXPORT_RANGE, kind, "y0", unmasked),
                _b(t.pgettext("button", "📅 Other dates"), buttons.EXPORT_OTHER_DATES, kind, unmasked),
            ],
            [_cancel(t)],
        ]
    )

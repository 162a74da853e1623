"""Buttons of the admin screens. Callback data carries kinds and ids only (never names or NIK).

Kinds (second field of the callback data): ``ip.*`` IPWL, ``tm.*`` teams, ``pp.*`` people,
``iv.*`` invites, ``bc.*`` broadcasts, ``pd.*`` personal data, ``au.*`` history, ``ex.*`` exports,
``ad.x`` close/cancel.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.domain.models import Ipwl, Role, Team
from bot.domain.regions import province_short_name
from bot.services.admin import (
    EDITABLE,
    Audiences,
    IpwlCard,
    IpwlPage,
    IpwlStep,
    PeoplePage,
    PersonalData,
    PersonCard,
    TeamCard,
    TeamLine,
)
from handlers.callback_data import encode
from handlers.views.admin import FIELD_LABELS, grant_label
from handlers.views.reports import EXPORT_LABELS

Rows = list[list[InlineKeyboardButton]]


def _b(label: str, kind: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(kind, *args))


def _close(t: Translator) -> InlineKeyboardButton:
    return _b(t.pgettext("button", "✖️ Close"), "ad.x")


def _cancel(t: Translator) -> InlineKeyboardButton:
    return _b(t.pgettext("button", "✖️ Cancel"), "ad.x")


def cancel_only(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_cancel(t)]])


# --- IPWL -----------------------------------------------------------------------------------------------------


def ipwl_list(t: Translator, page: IpwlPage) -> InlineKeyboardMarkup:
    rows: Rows = []
    for line in page.items:
        flag = {"lapsed": "⛔ ", "expiring": "⚠️ "}.get(line.pks.kind, "")
        rows.append([_b(f"{flag}{line.ipwl.code} · {line.ipwl.name[:40]}", "ip.s", line.ipwl.id)])
    if not page.query and page.pages > 1:
        nav = []
        if page.page > 0:
            nav.append(_b(t.pgettext("button", "‹ Previous"), "ip.l", page.page - 1))
        if page.page + 1 < page.pages:
            nav.append(_b(t.pgettext("button", "Next ›"), "ip.l", page.page + 1))
        rows.append(nav)
    extra = [_b(t.pgettext("button", "➕ Add an IPWL"), "ip.a")]
    if page.attention:
        extra.append(_b(t.pgettext("button", "⚠️ PKS to renew"), "ip.w"))
    rows.append(extra)
    rows.append([_close(t)])
    return InlineKeyboardMarkup(rows)


def ipwl_card(t: Translator, card: IpwlCard) -> InlineKeyboardMarkup:
    ipwl_id = card.line.ipwl.id
    edits = [_b("✏️ " + t.gettext(FIELD_LABELS[name]), "ip.e", ipwl_id, name) for name in EDITABLE]
    rows: Rows = [edits[i:i + 2] for i in range(0, len(edits), 2)]
    rows.append([_b(t.pgettext("button", "🔁 Change PIC team"), "ip.t", ipwl_id),
                 _b(t.pgettext("button", "📨 Invite an operator"), "iv.i", ipwl_id)])
    rows.append([_b(t.pgettext("button", "‹ Back to the list"), "ip.l", 0), _close(t)])
    return InlineKeyboardMarkup(rows)


def back_to_list(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(t.pgettext("button", "‹ Back to the list"), "ip.l", 0)]])


def team_choice(t: Translator, ipwl_id: int, teams: Sequence[Team], current: int | None) -> InlineKeyboardMarkup:
    buttons = [_b(("✓ " if team.id == current else "") + team.code, "ip.m", ipwl_id, team.id) for team in teams]
    rows: Rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    rows.append([_b(t.pgettext("button", "‹ Back"), "ip.s", ipwl_id)])
    return InlineKeyboardMarkup(rows)


def ipwl_step(t: Translator, step: IpwlStep) -> InlineKeyboardMarkup:
    rows: Rows = []
    if step.choices:
        rows += [[_b(name, "ip.ap", code)] for code, name in step.choices]
    elif step.step == "team":
        buttons = [_b(team.code, "ip.at", team.id) for team in step.teams]
        rows += [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
        rows.append([_b(t.pgettext("button", "No team yet"), "ip.at", 0)])
    rows.append([_cancel(t)])
    return InlineKeyboardMarkup(rows)


# --- teams ------------------------------------------------------------------------------------------------------


def team_list(t: Translator, lines: Sequence[TeamLine]) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(f"{line.team.code} · {line.team.name[:40]}", "tm.s", line.team.id)] for line in lines]
    rows.append([_b(t.pgettext("button", "➕ New team"), "tm.a"), _close(t)])
    return InlineKeyboardMarkup(rows)


def team_card(t: Translator, card: TeamCard) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(t.pgettext("button", "📨 Invite a PIC member"), "tm.i", card.team.id)]]
    members = [_b("👤 " + p.full_name[:30], "pp.s", p.id) for p in card.members]
    rows += [members[i:i + 2] for i in range(0, len(members), 2)]
    ipwl = [_b(line.ipwl.code, "ip.s", line.ipwl.id) for line in card.ipwl]
    rows += [ipwl[i:i + 4] for i in range(0, len(ipwl), 4)]
    rows.append([_b(t.pgettext("button", "‹ All teams"), "tm.l"), _close(t)])
    return InlineKeyboardMarkup(rows)


# --- people --------------------------------------------------------------------------------------------------------


def people_list(t: Translator, page: PeoplePage) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(("⛔ " if line.person.revoked else "") + line.person.full_name[:50], "pp.s", line.person.id)]
                  for line in page.items]
    if not page.query and page.pages > 1:
        nav = []
        if page.page > 0:
            nav.append(_b(t.pgettext("button", "‹ Previous"), "pp.l", page.page - 1))
        if page.page + 1 < page.pages:
            nav.append(_b(t.pgettext("button", "Next ›"), "pp.l", page.page + 1))
        rows.append(nav)
    rows.append([_close(t)])
    return InlineKeyboardMarkup(rows)


def person_card(t: Translator, card: PersonCard) -> InlineKeyboardMarkup:
    rows: Rows = [[_b("🚫 " + t.pgettext("button", "Revoke") + " " + grant_label(t, g.role, g.scope_code)[:40],
                      "pp.rg", g.id)] for g in card.grants if g.revoked_at is None]
    if card.person.revoked:
        rows.append([_b(t.pgettext("button", "↩️ Restore access"), "pp.re", card.person.id)])
    else:
        rows.append([_b(t.pgettext("button", "⛔ Revoke all access"), "pp.rp", card.person.id)])
    rows.append([_b(t.pgettext("button", "‹ People"), "pp.l", 0), _close(t)])
    return InlineKeyboardMarkup(rows)


def confirm(t: Translator, kind: str, item_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(t.pgettext("button", "Yes, revoke"), kind, item_id), _cancel(t)]])


# --- invites ---------------------------------------------------------------------------------------------------------


def invite_roles(t: Translator) -> InlineKeyboardMarkup:
    labels = {Role.OPERATOR: t.pgettext("button", "IPWL operator"), Role.PIC: t.pgettext("button", "PIC team member"),
              Role.FINANCE: t.pgettext("button", "Finance"), Role.HEAD: t.pgettext("button", "Head of centre"),
              Role.ADMIN: t.pgettext("button", "Admin"), Role.AUDITOR: t.pgettext("button", "Auditor (read only)")}
    rows: Rows = [[_b(label, "iv.r", role.value)] for role, label in labels.items()]
    rows.append([_cancel(t)])
    return InlineKeyboardMarkup(rows)


def invite_teams(t: Translator, teams: Sequence[Team]) -> InlineKeyboardMarkup:
    buttons = [_b(f"{team.code} · {team.name[:20]}", "iv.t", team.id) for team in teams]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)] + [[_cancel(t)]])


def invite_ipwl(t: Translator, found: Sequence[Ipwl]) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(f"{i.code} · {i.name[:40]}", "iv.i", i.id)] for i in found[:20]]
    return InlineKeyboardMarkup(rows + [[_cancel(t)]])


# --- broadcasts ---------------------------------------------------------------------------------------------------


def broadcast_audience(t: Translator, audiences: Audiences) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(t.pgettext("button", "📣 All operators"), "bc.a", "all")]]
    if audiences.provinces:
        rows.append([_b(t.pgettext("button", "🗺 One province"), "bc.a", "province")])
    if audiences.teams:
        rows.append([_b(t.pgettext("button", "👥 One PIC team's IPWL"), "bc.a", "team")])
    rows.append([_cancel(t)])
    return InlineKeyboardMarkup(rows)


def broadcast_provinces(t: Translator, audiences: Audiences) -> InlineKeyboardMarkup:
    buttons = [_b(f"{province_short_name(code)} ({count})", "bc.p", code) for code, _name, count in audiences.provinces]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)] + [[_cancel(t)]])


def broadcast_teams(t: Translator, audiences: Audiences) -> InlineKeyboardMarkup:
    buttons = [_b(f"{team.code} ({count})", "bc.t", team.id) for team, count in audiences.teams]
    return InlineKeyboardMarkup([buttons[i:i + 3] for i in range(0, len(buttons), 3)] + [[_cancel(t)]])


def broadcast_preview(t: Translator, broadcast_id: int, count: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_b(t.pgettext("button", "📤 Send to {count} operator(s)", count=count), "bc.y", broadcast_id)],
        [_b(t.pgettext("button", "✖️ Cancel"), "bc.n", broadcast_id)],
    ])


# --- personal data, history -------------------------------------------------------------------------------------


def personal_data(t: Translator, data: PersonalData) -> InlineKeyboardMarkup:
    first = data.records[0][0]
    rows: Rows = [[_b(t.pgettext("button", "📄 Export everything (XLSX)"), "pd.x", first.client_id)]]
    for record, rule in data.records:
        if rule.action == "delete":
            rows.append([_b(t.pgettext("button", "🧹 Remove from draft {code}", code=record.proposal_code),
                            "pd.e", record.client_id)])
        elif rule.action == "anonymize":
            rows.append([_b(t.pgettext("button", "🧹 Anonymize in {code}", code=record.proposal_code),
                            "pd.e", record.client_id)])
    rows.append([_close(t)])
    return InlineKeyboardMarkup(rows)


def confirm_erase(t: Translator, client_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(t.pgettext("button", "Yes, erase"), "pd.ey", client_id), _cancel(t)]])


def history(t: Translator, proposal_id: int, page: int, pages: int) -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    nav = []
    if page > 0:
        nav.append(_b(t.pgettext("button", "‹ Earlier"), "au.p", proposal_id, page - 1))
    if page + 1 < pages:
        nav.append(_b(t.pgettext("button", "Later ›"), "au.p", proposal_id, page + 1))
    return InlineKeyboardMarkup([nav])


# --- exports ------------------------------------------------------------------------------------------------------


def export_kinds(t: Translator) -> InlineKeyboardMarkup:
    rows: Rows = [[_b(t.gettext(label), "ex.k", kind)] for kind, label in EXPORT_LABELS.items()]
    return InlineKeyboardMarkup(rows + [[_cancel(t)]])


def export_mask(t: Translator, kind: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_b(t.pgettext("button", "🔒 Masked"), "ex.c", kind, 0),
         _b(t.pgettext("button", "🔓 Full (recorded)"), "ex.c", kind, 1)],
        [_cancel(t)],
    ])


def export_range(t: Translator, kind: str, unmasked: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_b(t.pgettext("button", "This month"), "ex.r", kind, "m0", unmasked),
         _b(t.pgettext("button", "Last month"), "ex.r", kind, "m1", unmasked)],
        [_b(t.pgettext("button", "This year"), "ex.r", kind, "y0", unmasked),
         _b(t.pgettext("button", "📅 Other dates"), "ex.o", kind, unmasked)],
        [_cancel(t)],
    ])

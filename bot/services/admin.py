"""The centre's admin work from chat.

* :class:`AdminService` – the registry (IPWL with their PKS, PIC teams), people and their access,
  invites, a proposal's history, backups;
* :class:`BroadcastService` – a message to every operator (or a province's, or a team's), through
  the outbox, with a delivery report once every message is settled;
* :class:`PrivacyService` – a client's personal data on request (UU 27/2022): export, and erasure
  where the workflow allows.

Every use case checks the caller's role first (admins only, except a proposal's history, which its
PIC team and the head may read too) and writes its audit event in the transaction of the change.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.domain.kinds import ConversationKind, NotificationKind
from bot.files.ipwl_csv import parse_ipwl_csv
from bot.clock import Clock, today_in
from bot.config import Settings
from bot.i18n import N_, Translator, zone_label
from bot.domain.models import Client, Consent, Invite, Ipwl, Person, ProposalStatus, Role, Team
from bot.files.report_files import render_personal_data, render_tables
from bot.domain.regions import PROVINCES, province_search
from bot.services.base import Identity, Service, ServiceError
from bot.services.onboarding import OnboardingService
from bot.domain.validation import Problem, ValidationError, parse_date, parse_name
from bot.domain.workflow import OPEN_STATUSES, TRANSITIONS
from bot.domain.records import Broadcast, ClientRecord, Delivery, GrantLine, HistoryEntry, PersonLine
from storage.backup import DATABASE_PG, write_backup
from storage.pg_backup import restore_command
from storage.erasures import ErasureEntry, ErasureLedger
from storage.files import FileStore
from bot.domain.records import NewIpwl
from storage.unit import Storage, UnitOfWork

PAGE_SIZE = 10
SEARCH_LIMIT = 20
BROADCAST_MAX = 3500  # leaves room for the header within Telegram's 4096 characters
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")

ADMIN_ONLY = N_("Only an admin can do this.")


def _require_admin(who: Identity) -> None:
    if not who.is_admin:
        raise ServiceError("admin_only", ADMIN_ONLY)


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


# --- PKS validity ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PksState:
    """Where an IPWL's agreement stands today: ``ok``, ``expiring`` (within the warning), ``lapsed``,
    or ``unknown`` (no end date recorded)."""

    kind: Literal["ok", "expiring", "lapsed", "unknown"]
    days_left: int | None = None

    @property
    def needs_attention(self) -> bool:
        return self.kind in ("expiring", "lapsed")


def pks_state(ipwl: Ipwl, today: dt.date, warning_days: int) -> PksState:
    """The PKS as the registry shows it; lapsed means new proposals are blocked (ProposalService)."""
    if ipwl.pks_valid_until is None:
        return PksState("unknown")
    left = (ipwl.pks_valid_until - today).days
    if left < 0:
        return PksState("lapsed", left)
    return PksState("expiring" if left <= warning_days else "ok", left)


# --- records handed to the views --------------------------------------------------------------------


@dataclass(frozen=True)
class IpwlLine:
    ipwl: Ipwl
    team: Team | None
    pks: PksState


@dataclass(frozen=True)
class IpwlPage:
    items: list[IpwlLine]
    total: int
    page: int
    pages: int
    query: str = ""
    attention: int = 0  # how many IPWL of the whole registry have a PKS lapsed or about to


@dataclass(frozen=True)
class IpwlCard:
    line: IpwlLine
    operators: int
    open_proposals: int
    moved_from: Team | None = None  # set right after a reassignment


@dataclass(frozen=True)
class IpwlStep:
    """Where the guided "add an IPWL" stands: the next question, or the IPWL made."""

    step: str
    values: dict[str, Any]
    choices: list[tuple[str, str]] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    created: IpwlCard | None = None


@dataclass(frozen=True)
class TeamLine:
    team: Team
    ipwl: int
    members: int


@dataclass(frozen=True)
class TeamCard:
    team: Team
    members: list[Person]
    ipwl: list[IpwlLine]


@dataclass(frozen=True)
class PeoplePage:
    items: list[PersonLine]
    total: int
    page: int
    pages: int
    query: str = ""


@dataclass(frozen=True)
class GroupToLeave:
    """A team group a person whose PIC role was just revoked is still in."""

    chat_id: int
    team_code: str
    team_name: str
    telegram_user_id: int


@dataclass(frozen=True)
class PersonCard:
    person: Person
    grants: list[GrantLine]
    configured_admin: bool  # listed in the configuration's access.admin_user_ids (it bootstraps the grant)
    leave_groups: list[GroupToLeave] = field(default_factory=list)  # after a PIC revocation


@dataclass(frozen=True)
class ProposalHistory:
    proposal_id: int
    code: str
    ipwl: Ipwl
    status: ProposalStatus
    entries: list[HistoryEntry]
    timezone: str = "Asia/Jakarta"  # the centre's: every time of the history is written in it


@dataclass(frozen=True)
class BackupFile:
    path: Path
    size: int
    kept: int
    files: int = 0  # files of the file store in the archive
    missing_files: int = 0  # files the database names that the store did not have
    # PostgreSQL: how to put the archive's database back by hand (db restore is SQLite's).
    restore: str | None = None


def erasure_ledger(settings: Settings) -> ErasureLedger:
    """The ledger of erasures that a restore re-applies (``[storage] erasure_ledger``)."""
    return ErasureLedger.beside(Path(settings.storage.database), settings.storage.erasure_ledger)


async def make_backup(storage: Storage, settings: Settings, target: Path, now: dt.datetime) -> BackupFile:
    """One verified archive of the database, the file store and the erasure ledger at ``target``
    (for ``/cadangan`` and ``atensi-bot admin backup``)."""
    try:
        made = await write_backup(storage.db, Path(settings.storage.files_dir), target,
                                  ledger=erasure_ledger(settings), now=now)
    except OSError as error:
        raise ServiceError("backup_failed", N_("The backup could not be written ({error}). Check the disk and "
                                               "the backups folder."), error=str(error)[:200] or type(error).__name__
                           ) from None
    restore = None
    if storage.db.dialect == "postgresql":
        restore = f"tar -xf {target} {DATABASE_PG} && {restore_command(DATABASE_PG)}"
    return BackupFile(made.path, made.size, 1, made.files, made.missing_files, restore)


# The guided "add an IPWL": the questions in order, and which may be skipped with "-".
IPWL_STEPS = ("code", "name", "province", "regency", "address", "pks_number", "pks_valid_from",
              "pks_valid_until", "team")
OPTIONAL_STEPS = frozenset({"regency", "address", "pks_number", "pks_valid_from", "pks_valid_until"})
# Fields an admin edits one at a time from the IPWL card.
EDITABLE = ("name", "province", "regency", "address", "pks_number", "pks_valid_from", "pks_valid_until")
_SKIP = {"-", "—", "skip", "lewati"}


class AdminService(Service):
    """The registry, people and access, invites, history and backups — for admins."""

    def __init__(self, storage: Storage, clock: Clock, settings: Settings, *, files: FileStore | None = None) -> None:
        super().__init__(storage, clock, settings, files=files)
        self._onboarding = OnboardingService(storage, clock, settings, files=files)

    def check(self, who: Identity) -> None:
        """Refuse anyone but an admin (before a screen offers them anything)."""
        _require_admin(who)

    # --- IPWL ---------------------------------------------------------------------------------------

    def _today(self) -> dt.date:
        return today_in(self.clock, self.settings.locale.timezone)

    def _line(self, ipwl: Ipwl, teams: dict[int, Team]) -> IpwlLine:
        team = teams.get(ipwl.team_id) if ipwl.team_id else None
        return IpwlLine(ipwl, team, pks_state(ipwl, self._today(), self.settings.admin.pks_warning_days))

    async def ipwl_page(self, who: Identity, query: str = "", page: int = 0) -> IpwlPage:
        """``/ipwl [text]``: the registry a page at a time, or the IPWL matching ``text``.

        Text matches a code, a name or a regency, or names a province ("jabar", "32").
        """
        _require_admin(who)
        query = " ".join(query.split())[:60]
        provinces = [code for code, _ in province_search(query)][:3] if query else []
        async with self.storage.reading() as uow:
            teams = {t.id: t for t in await uow.teams.all()}
            limit = SEARCH_LIMIT if query else PAGE_SIZE
            items, total = await uow.admin.ipwl_page(text=query, province_codes=provinces,
                                                     offset=0 if query else max(page, 0) * PAGE_SIZE, limit=limit)
            everything = await uow.ipwl.all()
        attention = sum(1 for i in everything if self._line(i, teams).pks.needs_attention)
        pages = 1 if query else _pages(total)
        return IpwlPage([self._line(i, teams) for i in items], total, min(max(page, 0), pages - 1), pages, query,
                        attention)

    async def ipwl_attention(self, who: Identity) -> list[IpwlLine]:
        """IPWL whose PKS has lapsed or lapses within the warning period, soonest first."""
        _require_admin(who)
        async with self.storage.reading() as uow:
            teams = {t.id: t for t in await uow.teams.all()}
            lines = [self._line(i, teams) for i in await uow.ipwl.all()]
        return sorted((line for line in lines if line.pks.needs_attention), key=lambda x: x.pks.days_left or 0)

    async def ipwl_card(self, who: Identity, ipwl_id: int) -> IpwlCard:
        _require_admin(who)
        async with self.storage.reading() as uow:
            return await self._card(uow, ipwl_id)

    async def _card(self, uow: UnitOfWork, ipwl_id: int, moved_from: Team | None = None) -> IpwlCard:
        ipwl = await uow.ipwl.by_id(ipwl_id)
        if ipwl is None:
            raise ServiceError("stale", N_("This button is no longer valid."))
        teams = {t.id: t for t in await uow.teams.all()}
        operators, open_proposals = await uow.admin.ipwl_facts(ipwl.id, sorted(OPEN_STATUSES - {ProposalStatus.DRAFT}))
        return IpwlCard(self._line(ipwl, teams), operators, open_proposals, moved_from)

    async def start_ipwl(self, who: Identity) -> IpwlStep:
        """Begin the guided "add an IPWL" (one question at a time; a CSV file adds many)."""
        _require_admin(who)
        async with self.storage.transaction() as uow:
            await uow.conversations.start(who.person.id, ConversationKind.ADMIN_IPWL_ADD, None, self.clock.now(), {"values": {}})
        return IpwlStep("code", {})

    async def answer_ipwl(self, who: Identity, text: str) -> IpwlStep:
        """The answer to the current question of "add an IPWL"; the last one creates it."""
        _require_admin(who)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is None or conversation.kind != ConversationKind.ADMIN_IPWL_ADD:
                raise ServiceError("no_conversation", N_("Nothing is waiting for this answer. Start again with /ipwl."))
            values: dict[str, Any] = dict(conversation.state.get("values", {}))
            step = next(s for s in IPWL_STEPS if s not in values)
            choices: list[tuple[str, str]] = []
            if step == "team":
                team = await self._team_from_text(uow, text)
                values["team"] = team.code if team else None
            elif step == "province":
                choices = province_search(text)
                if len(choices) == 1:
                    values["province"] = choices[0][0]
                    choices = []
                elif not choices:
                    raise ValidationError(_problem(N_("No province matches {text}. Type part of its name or its "
                                                      "code, e.g. {example}."), text=text[:40], example="Jawa Barat"))
            else:
                value = self._parse(step, text, optional=step in OPTIONAL_STEPS)
                if step == "code" and await uow.ipwl.by_code(value):
                    raise ServiceError("ipwl_exists", N_("An IPWL with code {code} already exists."), code=value)
                if step == "pks_valid_until" and value and values.get("pks_valid_from") \
                        and value < dt.date.fromisoformat(values["pks_valid_from"]):
                    raise ValidationError(_problem(N_("The PKS cannot end before it starts.")))
                values[step] = value.isoformat() if isinstance(value, dt.date) else value
            if len(values) < len(IPWL_STEPS):
                await uow.conversations.start(who.person.id, ConversationKind.ADMIN_IPWL_ADD, None, now, {"values": values})
                nxt = next(s for s in IPWL_STEPS if s not in values)
                return IpwlStep(step if choices else nxt, values, choices[:8],
                                await uow.teams.all() if nxt == "team" else [])
            card = await self._create_ipwl(uow, who, values, now)
            await uow.conversations.end(who.person.id)
            return IpwlStep("done", values, created=card)

    async def _create_ipwl(self, uow: UnitOfWork, who: Identity, values: dict[str, Any], now: dt.datetime) -> IpwlCard:
        team = await uow.teams.by_code(values["team"]) if values.get("team") else None
        dates = {k: dt.date.fromisoformat(values[k]) if values.get(k) else None
                 for k in ("pks_valid_from", "pks_valid_until")}
        await uow.ipwl.create_many([NewIpwl(values["code"], values["name"], values["province"],
                                            values.get("regency") or "", values.get("address") or "",
                                            values.get("pks_number") or "", dates["pks_valid_from"],
                                            dates["pks_valid_until"], team.id if team else None)], now)
        created = await uow.ipwl.by_code(values["code"])
        assert created is not None
        await uow.audit.record(self.event(who, "ipwl", created.code, "create_ipwl", to=team.code if team else None))
        return await self._card(uow, created.id)

    async def import_ipwl(self, who: Identity, data: bytes) -> int:
        """A CSV of many IPWL (the same file as ``atensi-bot admin import-ipwl``): all or nothing."""
        _require_admin(who)
        rows = parse_ipwl_csv(data, today=self._today())
        count = await self._onboarding.import_ipwl(rows)
        async with self.storage.transaction() as uow:
            await uow.conversations.end(who.person.id)
            await uow.audit.record(self.event(who, "ipwl", "*", "import_ipwl_chat", reason=f"{count} rows"))
        return count

    async def start_edit(self, who: Identity, ipwl_id: int, field_name: str) -> IpwlCard:
        """Ask for a new value of one field of the IPWL card (the next text message answers)."""
        _require_admin(who)
        if field_name not in EDITABLE:
            raise ServiceError("stale", N_("This button is no longer valid."))
        async with self.storage.transaction() as uow:
            card = await self._card(uow, ipwl_id)
            await uow.conversations.start(who.person.id, ConversationKind.ADMIN_IPWL_EDIT, ipwl_id, self.clock.now(), {"field": field_name})
        return card

    async def answer_edit(self, who: Identity, text: str) -> IpwlCard:
        """Save the typed value of the field being edited; the change is audited with old and new value."""
        _require_admin(who)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is None or conversation.kind != ConversationKind.ADMIN_IPWL_EDIT or conversation.entity_id is None:
                raise ServiceError("no_conversation", N_("Nothing is waiting for this answer. Start again with /ipwl."))
            ipwl = await uow.ipwl.by_id(conversation.entity_id)
            if ipwl is None:
                raise ServiceError("stale", N_("This button is no longer valid."))
            name = conversation.state.get("field", "")
            value: str | dt.date | None  # the answer as the step reads it
            if name == "province":
                matches = province_search(text)
                if len(matches) != 1:
                    raise ValidationError(_problem(N_("Type one province: its name or its code, e.g. {example}."),
                                                  example="Jawa Barat"))
                column, value = "province_code", matches[0][0]
            else:
                column, value = name, self._parse(name, text, optional=name in OPTIONAL_STEPS)
            if column == "pks_valid_until" and isinstance(value, dt.date) and ipwl.pks_valid_from \
                    and value < ipwl.pks_valid_from:
                raise ValidationError(_problem(N_("The PKS cannot end before it starts.")))
            if column == "pks_valid_from" and isinstance(value, dt.date) and ipwl.pks_valid_until \
                    and value > ipwl.pks_valid_until:
                raise ValidationError(_problem(N_("The PKS cannot end before it starts.")))
            old = getattr(ipwl, column)
            await uow.admin.update_ipwl(ipwl.id, now, **{column: value if value is not None else _empty(column)})
            await uow.conversations.end(who.person.id)
            await uow.audit.record(self.event(who, "ipwl", ipwl.code, "edit_ipwl", frm=_text(old), to=_text(value),
                                              reason=column))
            return await self._card(uow, ipwl.id)

    async def move_ipwl(self, who: Identity, ipwl_id: int, team_id: int) -> IpwlCard:
        """Reassign an IPWL to another PIC team; its open proposals follow it (the team is read through
        the IPWL), so the new team sees them at once."""
        _require_admin(who)
        async with self.storage.transaction() as uow:
            ipwl = await uow.ipwl.by_id(ipwl_id)
            team = await uow.teams.by_id(team_id)
            if ipwl is None or team is None:
                raise ServiceError("stale", N_("This button is no longer valid."))
            old = await uow.teams.by_id(ipwl.team_id) if ipwl.team_id else None
            if old is not None and old.id == team.id:
                return await self._card(uow, ipwl.id)
            await uow.admin.update_ipwl(ipwl.id, self.clock.now(), team_id=team.id)
            await uow.audit.record(self.event(who, "ipwl", ipwl.code, "move_ipwl", frm=old.code if old else None,
                                              to=team.code))
            return await self._card(uow, ipwl.id, moved_from=old)

    def _parse(self, step: str, text: str, *, optional: bool) -> Any:
        text = text.strip()
        if optional and text.lower() in _SKIP:
            return None
        if step == "code":
            if not _CODE.match(text):
                raise ValidationError(_problem(N_("An IPWL code is 1–20 letters, digits, - or _, e.g. {example}."),
                                               example="JB03"))
            return text.upper()
        if step == "name":
            return parse_name(text, field="name", max_length=200)
        if step in ("pks_valid_from", "pks_valid_until"):
            return parse_date(text, today=self._today(), allow_future=True, field=step)
        if not text or len(text) > 200:
            raise ValidationError(_problem(N_("Type 1–200 characters, or - to leave it empty.")))
        return text

    async def _team_from_text(self, uow: UnitOfWork, text: str) -> Team | None:
        text = text.strip()
        if text.lower() in _SKIP or text == "0":
            return None
        team = await uow.teams.by_code(text)
        if team is None:
            known = ", ".join(t.code for t in await uow.teams.all()) or "-"
            raise ServiceError("unknown_team", N_("There is no PIC team with code {code}. Known teams: {known}."),
                               code=text[:30], known=known)
        return team

    async def choose_ipwl_team(self, who: Identity, team_id: int | None) -> IpwlStep:
        """The team button of "add an IPWL" (0: no team yet)."""
        code = "-"
        if team_id:
            async with self.storage.reading() as uow:
                team = await uow.teams.by_id(team_id)
            if team is None:
                raise ServiceError("stale", N_("This button is no longer valid."))
            code = team.code
        return await self.answer_ipwl(who, code)

    # --- teams ----------------------------------------------------------------------------------------

    async def teams(self, who: Identity) -> list[TeamLine]:
        _require_admin(who)
        async with self.storage.reading() as uow:
            ipwl = await uow.teams.ipwl_counts()
            members = await uow.admin.member_counts()
            return [TeamLine(t, ipwl.get(t.id, 0), members.get(t.id, 0)) for t in await uow.teams.all()]

    async def team_card(self, who: Identity, team_id: int) -> TeamCard:
        _require_admin(who)
        async with self.storage.reading() as uow:
            team = await uow.teams.by_id(team_id)
            if team is None:
                raise ServiceError("stale", N_("This button is no longer valid."))
            teams = {t.id: t for t in await uow.teams.all()}
            return TeamCard(team, await uow.admin.team_members(team.id),
                            [self._line(i, teams) for i in await uow.admin.ipwl_of_team(team.id)])

    async def start_team(self, who: Identity) -> None:
        _require_admin(who)
        async with self.storage.transaction() as uow:
            await uow.conversations.start(who.person.id, ConversationKind.ADMIN_TEAM_ADD, None, self.clock.now())

    async def add_team(self, who: Identity, text: str) -> Team:
        """``TIM8 Tim PIC 8``: the code, then the name."""
        code, _, name = text.strip().partition(" ")
        team = await self._onboarding.create_team(code, name, created_by=who)
        async with self.storage.transaction() as uow:
            await uow.conversations.end(who.person.id)
        return team

    # --- people and access ------------------------------------------------------------------------------

    async def people_page(self, who: Identity, query: str = "", page: int = 0) -> PeoplePage:
        _require_admin(who)
        query = " ".join(query.split())[:60]
        async with self.storage.reading() as uow:
            items, total = await uow.admin.people_page(text=query, offset=max(page, 0) * PAGE_SIZE, limit=PAGE_SIZE)
        return PeoplePage(items, total, max(page, 0), _pages(total), query)

    async def person_card(self, who: Identity, person_id: int) -> PersonCard:
        _require_admin(who)
        async with self.storage.reading() as uow:
            return await self._person_card(uow, person_id)

    async def _person_card(self, uow: UnitOfWork, person_id: int) -> PersonCard:
        person = await uow.people.by_id(person_id)
        if person is None:
            raise ServiceError("stale", N_("This button is no longer valid."))
        return PersonCard(person, await uow.admin.grants_of(person.id),
                          person.telegram_user_id in self.settings.access.admin_user_ids)

    async def grant_owner(self, who: Identity, grant_id: int) -> int:
        """The person holding a grant (to ask before revoking it)."""
        _require_admin(who)
        async with self.storage.reading() as uow:
            person_id = await uow.admin.grant_owner(grant_id)
        if person_id is None:
            raise ServiceError("stale", N_("This button is no longer valid."))
        return person_id

    async def revoke_grant(self, who: Identity, grant_id: int) -> PersonCard:
        """Take one role away. It stops working on the person's very next press or command."""
        _require_admin(who)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            person_id = await uow.admin.grant_owner(grant_id)
            if person_id is None:
                raise ServiceError("stale", N_("This button is no longer valid."))
            self._not_self(who, person_id)
            grant = next(g for g in await uow.admin.grants_of(person_id) if g.id == grant_id)
            leave: list[GroupToLeave] = []
            if await uow.admin.revoke_grant(grant_id, now):
                await uow.conversations.end(person_id)
                await uow.audit.record(self.event(who, "person", person_id, "revoke_grant", frm=grant.role.value,
                                                  reason=grant.scope_code))
                await self._tell_revoked(uow, person_id, grant.role.value, grant.scope_code, now)
                leave = await self._groups_to_leave(uow, person_id, grant)
            card = await self._person_card(uow, person_id)
            return PersonCard(card.person, card.grants, card.configured_admin, leave)

    async def _groups_to_leave(self, uow: UnitOfWork, person_id: int, grant: GrantLine) -> list[GroupToLeave]:
        """A revoked PIC leaves the team's group too (unless they are still on that team)."""
        if grant.role != Role.PIC or not grant.scope_code:
            return []
        team = await uow.teams.by_code(grant.scope_code)
        person = await uow.people.by_id(person_id)
        if team is None or team.group_chat_id is None or person is None:
            return []
        if any(g.role == Role.PIC and g.team_id == team.id for g in await uow.people.grants(person_id)):
            return []
        return [GroupToLeave(team.group_chat_id, team.code, team.name, person.telegram_user_id)]

    async def left_group(self, who: Identity, person_id: int, group: GroupToLeave, removed: bool) -> None:
        """Record that a revoked PIC was removed from the team's group, or that the admin was asked to."""
        _require_admin(who)
        async with self.storage.transaction() as uow:
            await uow.audit.record(self.event(who, "person", person_id, "remove_from_group", to=group.team_code,
                                              reason="removed" if removed else "admin asked to remove"))

    async def revoke_person(self, who: Identity, person_id: int) -> PersonCard:
        """Take all access away (every role, and any future invite) until an admin restores it."""
        _require_admin(who)
        self._not_self(who, person_id)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            if await uow.people.by_id(person_id) is None:
                raise ServiceError("stale", N_("This button is no longer valid."))
            # The roles it took away, recorded so the trail says what was revoked.
            held = ",".join(sorted({g.role.value for g in await uow.admin.grants_of(person_id)
                                  if g.revoked_at is None})) or None
            if await uow.admin.revoke_person(person_id, now):
                await uow.conversations.end(person_id)
                await uow.audit.record(self.event(who, "person", person_id, "revoke_access", frm=held))
                await self._tell_revoked(uow, person_id, None, None, now)
            return await self._person_card(uow, person_id)

    async def restore_person(self, who: Identity, person_id: int) -> PersonCard:
        """Lift a full revocation. Roles revoked stay revoked: send a new invite for what they need."""
        _require_admin(who)
        async with self.storage.transaction() as uow:
            if await uow.admin.restore_person(person_id):
                await uow.audit.record(self.event(who, "person", person_id, "restore_access"))
            return await self._person_card(uow, person_id)

    def _not_self(self, who: Identity, person_id: int) -> None:
        if who.person.id == person_id:
            raise ServiceError("not_yourself", N_("You cannot revoke your own access; ask another admin."))

    async def _tell_revoked(self, uow: UnitOfWork, person_id: int, role: str | None, scope: str | None,
                            now: dt.datetime) -> None:
        person = await uow.people.by_id(person_id)
        if person is None or not person.private_chat_started:
            return
        await uow.outbox.enqueue(dedupe_key=f"access_revoked:{person_id}:{now.timestamp()}:{role}:{scope}",
                                 chat_id=person.telegram_user_id, kind=NotificationKind.ACCESS_REVOKED, now=now, person_id=person_id,
                                 params={"role": role, "scope": scope})

    # --- invites -------------------------------------------------------------------------------------------

    async def invite(self, who: Identity, role: Role, scope: str | None = None,
                     valid_until: str | None = None) -> Invite:
        """A single-use invite, as ``atensi-bot admin invite`` makes (audited with its creator).
        ``valid_until``: the last day of the role as the admin typed it (``31-12-2027``)."""
        _require_admin(who)
        last_day = None
        if valid_until is not None:
            today = self.clock.now().astimezone(ZoneInfo(self.settings.locale.timezone)).date()
            try:
                last_day = parse_date(valid_until, today=today, allow_future=True)
            except ValidationError:
                raise ServiceError("bad_grant_expiry",
                                   N_("“{text}” is not a date. Type the last day of the role as {example}, "
                                      "for example /undang head {example}."),
                                   text=valid_until[:40], example=(today + dt.timedelta(days=90)).strftime("%d-%m-%Y")) from None
        return await self._onboarding.create_invite(
            role, ipwl_code=scope if role == Role.OPERATOR else None,
            team_code=scope if role == Role.PIC else None, created_by=who, grant_valid_until=last_day)

    async def invite_ipwl_by_id(self, who: Identity, ipwl_id: int) -> tuple[Invite, str]:
        """An operator invite for an IPWL chosen by button; with the IPWL's code."""
        _require_admin(who)
        async with self.storage.transaction() as uow:
            ipwl = await uow.ipwl.by_id(ipwl_id)
            await uow.conversations.end(who.person.id)
        if ipwl is None:
            raise ServiceError("stale", N_("This button is no longer valid."))
        return await self.invite(who, Role.OPERATOR, ipwl.code), ipwl.code

    async def invite_team_by_id(self, who: Identity, team_id: int) -> tuple[Invite, str]:
        """A PIC invite for a team chosen by button; with the team's code."""
        _require_admin(who)
        async with self.storage.reading() as uow:
            team = await uow.teams.by_id(team_id)
        if team is None:
            raise ServiceError("stale", N_("This button is no longer valid."))
        return await self.invite(who, Role.PIC, team.code), team.code

    async def start_operator_invite(self, who: Identity) -> None:
        """An operator invite needs its IPWL: the next text message names it."""
        _require_admin(who)
        async with self.storage.transaction() as uow:
            await uow.conversations.start(who.person.id, ConversationKind.ADMIN_INVITE, None, self.clock.now())

    async def find_ipwl(self, who: Identity, text: str) -> list[Ipwl]:
        """IPWL matching a typed code or name (for an operator invite)."""
        _require_admin(who)
        async with self.storage.reading() as uow:
            exact = await uow.ipwl.by_code(text.strip())
            if exact is not None:
                return [exact]
            provinces = [code for code, _ in province_search(text)][:3]
            items, _ = await uow.admin.ipwl_page(text=" ".join(text.split())[:60], province_codes=provinces,
                                                 limit=SEARCH_LIMIT)
        return items

    async def team_choices(self, who: Identity) -> list[Team]:
        _require_admin(who)
        async with self.storage.reading() as uow:
            return await uow.teams.all()

    # --- a proposal's history --------------------------------------------------------------------------

    async def history(self, who: Identity, code: str) -> ProposalHistory:
        """``/audit KODE``: who did what, when, to one proposal and its clients — for admins, the
        head, auditors (the whole centre) and the proposal's PIC team."""
        code = code.strip().upper()
        centre_wide = who.is_admin or who.actor.has_role(Role.HEAD) or who.actor.has_role(Role.AUDITOR)
        if not (centre_wide or who.actor.has_role(Role.PIC)):
            raise ServiceError("staff_only", N_("The history of a proposal is for the centre's staff."))
        if not code:
            raise ServiceError("history_needs_code", N_("Write the proposal's code after the command, e.g. {example}."),
                               example="/audit USL-2026-0001")
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_code(code)
            if proposal is None or not (centre_wide or who.actor.in_team(proposal.team_id)):
                # The same answer for another team's code and a code that does not exist.
                raise ServiceError("unknown_proposal", N_("No proposal with code {code} is found among those you may "
                                                          "see. Check the code, e.g. {example}."),
                                   code=code[:30], example="USL-2026-0001")
            ipwl = await uow.ipwl.by_id(proposal.ipwl_id)
            assert ipwl is not None
            return ProposalHistory(proposal.id, proposal.code, ipwl, proposal.status,
                                   await uow.admin.history(proposal.code), self.settings.locale.timezone)

    async def history_by_id(self, who: Identity, proposal_id: int) -> ProposalHistory:
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_id(proposal_id)
        if proposal is None:
            raise ServiceError("stale", N_("This button is no longer valid."))
        return await self.history(who, proposal.code)

    # --- backups ------------------------------------------------------------------------------------------

    async def backup(self, who: Identity) -> BackupFile:
        """``/cadangan``: one verified archive of the live database, the file store and the erasure
        ledger (:func:`make_backup`); the oldest beyond ``admin.backups_keep`` are deleted."""
        _require_admin(who)
        folder = Path(self.settings.admin.backups_dir)
        now = self.clock.now()
        zone = self.settings.locale.timezone
        target = folder / backup_name(now, zone)
        if target.exists():
            raise ServiceError("backup_exists", N_("A backup was made this very second; try again in a moment."))
        made = await make_backup(self.storage, self.settings, target, now)
        # A listing of the backups folder (a few dozen names) after a backup that ran in threads.
        kept = sorted(folder.glob("atensi-*.tar"), key=lambda path: (backup_made_at(path, zone), path.name))  # noqa: ASYNC240
        for old in kept[: max(0, len(kept) - self.settings.admin.backups_keep)]:
            old.unlink(missing_ok=True)
        async with self.storage.transaction() as uow:
            await uow.audit.record(self.event(who, "database", target.name, "backup",
                                              reason=f"{made.files} files"))
        return BackupFile(target, made.size, min(len(kept), self.settings.admin.backups_keep), made.files,
                          made.missing_files, made.restore)

    async def record_cli_backup(self, target: Path) -> None:
        """``atensi-bot admin backup PATH``: audited like ``/cadangan`` (by the command line)."""
        async with self.storage.transaction() as uow:
            await uow.audit.record(self.event(None, "database", target.name, "backup", reason=str(target)))

    async def stop_conversation(self, who: Identity) -> None:
        """Cancel whatever admin question is waiting for an answer (nothing else is touched)."""
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is not None and conversation.kind.startswith("admin_"):
                await uow.conversations.end(who.person.id)
                if conversation.kind == ConversationKind.ADMIN_BROADCAST and conversation.entity_id:
                    await uow.broadcasts.cancel(conversation.entity_id)

    # --- who to contact (the guidance) ----------------------------------------------------------------

    async def contacts(self, who: Identity) -> list[tuple[Ipwl, Team | None, list[Person]]]:
        """For an operator: each of their IPWL with its PIC team and the team's members."""
        ipwl_ids = who.actor.operated_ipwl_ids
        found = []
        async with self.storage.reading() as uow:
            for ipwl_id in ipwl_ids:
                ipwl = await uow.ipwl.by_id(ipwl_id)
                if ipwl is None:
                    continue
                team = await uow.teams.by_id(ipwl.team_id) if ipwl.team_id else None
                found.append((ipwl, team, await uow.admin.team_members(team.id) if team else []))
        return found


def _problem(message: str, **params: object) -> Problem:
    return Problem(message, dict(params))


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:100]


def _empty(column: str) -> object:
    # Text columns are NOT NULL (empty string); dates may be NULL.
    return None if column.startswith("pks_valid") else ""


# --- broadcasts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audiences:
    everyone: int
    provinces: list[tuple[str, str, int]]  # code, name, operators
    teams: list[tuple[Team, int]]


@dataclass(frozen=True)
class BroadcastPreview:
    broadcast: Broadcast
    recipients: int
    audience_name: str | None  # the province's or team's name; None for every operator


@dataclass(frozen=True)
class BroadcastReport:
    broadcast: Broadcast
    delivery: Delivery


class BroadcastService(Service):
    """``/siaran``: one message to many operators, through the outbox, with a delivery report."""

    async def audiences(self, who: Identity) -> Audiences:
        _require_admin(who)
        async with self.storage.reading() as uow:
            provinces, teams = await uow.broadcasts.operator_counts()
            everyone = len(await uow.broadcasts.recipients("all", None))
            return Audiences(
                everyone,
                sorted(((code, PROVINCES.get(code, code), n) for code, n in provinces.items()), key=lambda x: x[1]),
                [(team, teams[team.id]) for team in await uow.teams.all() if teams.get(team.id)],
            )

    async def begin(self, who: Identity, audience: str, ref: str | None) -> int:
        """Choose the audience; the admin's next text message is the broadcast. Returns the recipients."""
        _require_admin(who)
        if audience not in ("all", "province", "team"):
            raise ServiceError("stale", N_("This button is no longer valid."))
        async with self.storage.transaction() as uow:
            if audience == "team" and (ref is None or not ref.isdigit() or await uow.teams.by_id(int(ref)) is None):
                raise ServiceError("stale", N_("This button is no longer valid."))
            if audience == "province" and ref not in PROVINCES:
                raise ServiceError("stale", N_("This button is no longer valid."))
            count = len(await uow.broadcasts.recipients(audience, ref))
            if not count:
                raise ServiceError("no_recipients", N_("No operator is registered there yet."))
            await uow.conversations.start(who.person.id, ConversationKind.ADMIN_BROADCAST, None, self.clock.now(),
                                          {"audience": audience, "ref": ref})
        return count

    async def draft(self, who: Identity, text: str) -> BroadcastPreview:
        """The typed message becomes (or replaces) the draft; the preview shows it as sent."""
        _require_admin(who)
        body = text.strip()
        if not body:
            raise ValidationError(_problem(N_("Type the message to send.")))
        if len(body) > BROADCAST_MAX:
            raise ValidationError(_problem(N_("The message is {length} characters; at most {max} fit. Shorten it."),
                                           length=len(body), max=BROADCAST_MAX))
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is None or conversation.kind != ConversationKind.ADMIN_BROADCAST:
                raise ServiceError("no_conversation", N_("Nothing is waiting for this answer. Start again with /siaran."))
            state = dict(conversation.state)
            broadcast_id = state.get("broadcast_id")
            if not (broadcast_id and await uow.broadcasts.set_body(broadcast_id, body)):
                broadcast_id = await uow.broadcasts.create(who.person.id, state["audience"], state["ref"], body, now)
                state["broadcast_id"] = broadcast_id
                await uow.conversations.start(who.person.id, ConversationKind.ADMIN_BROADCAST, broadcast_id, now, state)
            return await self._preview(uow, broadcast_id)

    async def _preview(self, uow: UnitOfWork, broadcast_id: int) -> BroadcastPreview:
        broadcast = await uow.broadcasts.by_id(broadcast_id)
        if broadcast is None:
            raise ServiceError("stale", N_("This button is no longer valid."))
        name = None
        if broadcast.audience == "province":
            name = PROVINCES.get(broadcast.audience_ref or "", broadcast.audience_ref)
        elif broadcast.audience == "team":
            team = await uow.teams.by_id(int(broadcast.audience_ref or 0))
            name = team.name if team else broadcast.audience_ref
        recipients = len(await uow.broadcasts.recipients(broadcast.audience, broadcast.audience_ref))
        return BroadcastPreview(broadcast, recipients, name)

    async def confirm(self, who: Identity, broadcast_id: int) -> BroadcastPreview:
        """Queue the broadcast: one outbox row per operator, in this one transaction. A double tap
        queues it once."""
        _require_admin(who)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            preview = await self._preview(uow, broadcast_id)
            recipients = await uow.broadcasts.recipients(preview.broadcast.audience, preview.broadcast.audience_ref)
            if not recipients:
                raise ServiceError("no_recipients", N_("No operator is registered there yet."))
            if not await uow.broadcasts.confirm(broadcast_id, len(recipients), now):
                raise ServiceError("already_done", N_("This broadcast has already been sent or cancelled."))
            for recipient in recipients:
                await uow.outbox.enqueue(dedupe_key=f"broadcast:{broadcast_id}:{recipient.person_id}",
                                         chat_id=recipient.chat_id, kind=NotificationKind.BROADCAST, now=now,
                                         person_id=recipient.person_id, params={"broadcast_id": broadcast_id})
            await uow.conversations.end(who.person.id)
            await uow.audit.record(self.event(who, "broadcast", broadcast_id, "broadcast",
                                              to=preview.broadcast.audience_ref or preview.broadcast.audience,
                                              reason=f"{len(recipients)} recipients"))
            return BroadcastPreview(preview.broadcast, len(recipients), preview.audience_name)

    async def cancel(self, who: Identity, broadcast_id: int) -> None:
        _require_admin(who)
        async with self.storage.transaction() as uow:
            if not await uow.broadcasts.cancel(broadcast_id):
                raise ServiceError("already_done", N_("This broadcast has already been sent or cancelled."))
            await uow.conversations.end(who.person.id)

    async def body(self, broadcast_id: int) -> str | None:
        """The text of a broadcast (for its notification)."""
        async with self.storage.reading() as uow:
            broadcast = await uow.broadcasts.by_id(broadcast_id)
        return broadcast.body if broadcast else None

    async def report_settled(self) -> int:
        """For every broadcast whose messages have all been sent or given up: queue the delivery
        report to the admin who sent it, once. Safe to run from two instances at once."""
        async with self.storage.reading() as uow:  # most of the time there is nothing to do: no write lock
            if not await uow.broadcasts.sending():
                return 0
        now = self.clock.now()
        reported = 0
        async with self.storage.transaction() as uow:
            for broadcast in await uow.broadcasts.sending():
                delivery = await uow.broadcasts.delivery(broadcast.id)
                if delivery.pending or not await uow.broadcasts.finish(broadcast.id, now):
                    continue
                author = await uow.people.by_id(broadcast.created_by)
                if author is not None:
                    await uow.outbox.enqueue(
                        dedupe_key=f"broadcast_report:{broadcast.id}", chat_id=author.telegram_user_id,
                        kind=NotificationKind.BROADCAST_REPORT, now=now, person_id=author.id,
                        params={"broadcast_id": broadcast.id, "sent": delivery.sent, "blocked": delivery.blocked,
                                "failed": delivery.failed, "recipients": broadcast.recipients})
                reported += 1
        return reported


# --- personal data --------------------------------------------------------------------------------------------

_NIK = re.compile(r"^\d{16}$")
# Proposals whose client data nobody needs any more for the workflow.
_ANONYMIZABLE = frozenset({ProposalStatus.WITHDRAWN, ProposalStatus.REJECTED})
# Personal fields of a client in a version snapshot; the rest (approach, components, budget) stays.
_SNAPSHOT_PERSONAL = ("full_name", "sex", "birth_date", "regency", "address", "phone", "assessment",
                      "intervention_plan")


@dataclass(frozen=True)
class Erasure:
    """What may happen to one client record: delete (a draft), anonymize, or keep (and why)."""

    action: Literal["delete", "anonymize", "keep"]
    reason: str = ""  # msgid, for "keep"
    params: dict[str, object] = field(default_factory=dict)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def erasure_rule(record: ClientRecord, now: dt.datetime, retention_years: int) -> Erasure:
    """Whether the workflow allows erasing a client's data now.

    A draft was never sent: the client is removed. Withdrawn and rejected proposals need the data no
    more: anonymized. A closed proposal's data is kept for the retention period (its accountability
    may be audited), then anonymized. Anything in between is needed for the SK, the payment or the
    LPJ: kept, and the reason is said.
    """
    if record.erased:
        return Erasure("keep", N_("Already anonymized."))
    if record.proposal_status == ProposalStatus.DRAFT:
        return Erasure("delete")
    if record.proposal_status in _ANONYMIZABLE:
        return Erasure("anonymize")
    if record.proposal_status == ProposalStatus.CLOSED:
        until = add_years(record.status_since.date(), retention_years)
        if until <= now.date():
            return Erasure("anonymize")
        return Erasure("keep", N_("Closed on {closed}; kept until {until} ({years} years' retention)."),
                       {"closed": record.status_since.date(), "until": until, "years": retention_years})
    return Erasure("keep", N_("Proposal {code} is in progress: the data is needed for its SK, payment and LPJ. "
                              "It can be anonymized once the proposal is closed and {years} years have passed, "
                              "or if it is withdrawn or rejected."),
                   {"code": record.proposal_code, "years": retention_years})


@dataclass(frozen=True)
class PersonalData:
    records: list[tuple[ClientRecord, Erasure]]


@dataclass(frozen=True)
class PersonalExport:
    name: str
    content: bytes
    records: int
    tables: dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class ErasureDone:
    action: Literal["delete", "anonymize"]
    proposal_code: str
    files: int = 0  # stored files deleted with it
    purged: bool = True  # the WAL was truncated at once (else: at the next checkpoint)


@dataclass(frozen=True)
class ConsentSheet:
    """The consents of one proposal's clients (None: none on record)."""

    proposal_code: str
    clients: list[tuple[Client, Consent | None]]


@dataclass(frozen=True)
class ConsentWithdrawn:
    """A withdrawal recorded: the erasure it made now, or the rule that keeps the data for now."""

    proposal_code: str
    erased: ErasureDone | None
    kept: Erasure | None


class PrivacyService(Service):
    """``/datapribadi NIK``: everything held about one client, and erasure where allowed."""

    async def lookup(self, who: Identity, nik: str) -> PersonalData:
        _require_admin(who)
        nik = "".join(nik.split())
        if not _NIK.match(nik):
            raise ValidationError(_problem(N_("Write the client's NIK (16 digits) after the command, e.g. {example}."),
                                           example="/datapribadi 3201014508900004"))
        async with self.storage.reading() as uow:
            records = await uow.privacy.records(nik)
        if not records:
            raise ServiceError("nothing_held", N_("No client with this NIK is held."))
        now = self.clock.now()
        return PersonalData([(r, erasure_rule(r, now, self.settings.admin.retention_years)) for r in records])

    async def lookup_client(self, who: Identity, client_id: int) -> ClientRecord:
        """One record (by its client id, from a button) and whether it may be erased now."""
        _require_admin(who)
        async with self.storage.reading() as uow:
            nik = await self._nik(uow, client_id)
            record = next(r for r in await uow.privacy.records(nik) if r.client_id == client_id)
        rule = erasure_rule(record, self.clock.now(), self.settings.admin.retention_years)
        if rule.action == "keep":
            raise ServiceError("erasure_refused", rule.reason, **rule.params)
        return record

    async def _nik(self, uow: UnitOfWork, client_id: int) -> str:
        nik = await uow.privacy.nik_of(client_id)
        if nik is None:
            raise ServiceError("stale", N_("This button is no longer valid."))
        return nik

    async def export(self, who: Identity, client_id: int, intro: Sequence[str] = (),
                     t: Translator | None = None) -> PersonalExport:
        """Everything held under the client's NIK as a workbook (a sheet per table; ``intro`` lines
        first), headings and values in ``t``'s language so the person it is about can read it;
        rendered in a worker thread. Each record's export is audited."""
        tables, count = await self._collect(who, client_id)
        if t is None:
            content = await asyncio.to_thread(render_tables, tables, intro=intro)
        else:
            content = await asyncio.to_thread(render_personal_data, tables, t, self.settings.locale.timezone,
                                              intro=intro)
        return PersonalExport(f"data-pribadi-{client_id}.xlsx", content, count, tables)

    async def _collect(self, who: Identity, client_id: int) -> tuple[dict[str, list[dict[str, Any]]], int]:
        _require_admin(who)
        async with self.storage.transaction() as uow:
            nik = await self._nik(uow, client_id)
            records = await uow.privacy.records(nik)
            tables: dict[str, list[dict[str, Any]]] = {}
            versions: list[dict[str, Any]] = []
            for record in records:
                for table, rows in (await uow.privacy.everything(record.client_id)).items():
                    tables.setdefault(table, []).extend(rows)
                for version, snapshot in await uow.privacy.snapshots(record.proposal_id):
                    for entry in json.loads(snapshot).get("clients", []):
                        if entry.get("nik") == nik:
                            versions.append({"proposal": record.proposal_code, "version": version,
                                             "snapshot": json.dumps(entry, ensure_ascii=False)})
                # The SK that decided on them, and every audit event about them or their proposal.
                tables.setdefault("decrees", []).extend(await uow.privacy.decrees(record.proposal_id))
                tables.setdefault("audit_events", []).extend(
                    await uow.privacy.audit_events(record.client_id, record.proposal_code))
                await uow.audit.record(self.event(who, "client", record.client_id, "export_personal_data",
                                                  reason=record.proposal_code))
            tables["proposal_versions"] = versions
        return tables, len(records)

    async def erase(self, who: Identity, client_id: int) -> ErasureDone:
        """Delete (draft) or anonymize one client record, if :func:`erasure_rule` allows it.

        Everything about the person goes: the record, its files, and — when they were the
        proposal's only client with data — what is attached to the proposal as a whole. Freed
        pages are zeroed (``secure_delete``) and the WAL folded in and truncated before this
        returns, so the bytes are gone when the bot says so. The erasure is also written to the
        ledger (:func:`erasure_ledger`) that ``atensi-bot db restore`` applies to an older backup.
        """
        _require_admin(who)
        done = await self._erase(who, client_id)
        if isinstance(done, Erasure):
            raise ServiceError("erasure_refused", done.reason, **done.params)
        return done

    async def consents_of(self, who: Identity, code: str) -> ConsentSheet:
        """``/persetujuan KODE``: the consent of each client of a proposal (its IPWL's operators and
        the admins; names are for the private chat only)."""
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_code(code.strip())
            if proposal is None:
                raise ServiceError("unknown_proposal", N_("There is no proposal {code}."), code=code.strip()[:30])
            if not who.is_admin and not who.actor.operates(proposal.ipwl_id):
                raise ServiceError("out_of_scope", N_("Only the client's IPWL operator or an admin can record this."))
            clients = await uow.clients.of_proposal(proposal.id)
            consents = await uow.consents.of_proposal(proposal.id)
        return ConsentSheet(proposal.code, [(c, consents.get(c.id)) for c in clients])

    async def consent_subject(self, who: Identity, client_id: int) -> tuple[str, int]:
        """The proposal code and client number a withdrawal button is about (asked to confirm)."""
        record = await self._consent_scope(who, client_id)
        return record.proposal_code, record.position

    async def _consent_scope(self, who: Identity, client_id: int) -> ClientRecord:
        """The client's record, if ``who`` may record their consent's withdrawal: an admin, or an
        operator of the client's IPWL (re-checked at every press)."""
        async with self.storage.reading() as uow:
            nik = await self._nik(uow, client_id)
            record = next(r for r in await uow.privacy.records(nik) if r.client_id == client_id)
            ipwl = await uow.ipwl.by_code(record.ipwl_code)
        if not who.is_admin and not (ipwl is not None and who.actor.operates(ipwl.id)):
            raise ServiceError("out_of_scope", N_("Only the client's IPWL operator or an admin can record this."))
        return record

    async def withdraw_consent(self, who: Identity, client_id: int) -> ConsentWithdrawn:
        """The client withdrew their consent (told the IPWL's operator, or the centre's admin, who
        records it on their behalf; issue 17.6): the withdrawal is recorded and audited, and the
        erasure rule (:func:`erasure_rule`) runs at once — a draft's client is removed, a withdrawn
        or rejected proposal's anonymized; what the rule keeps (an open proposal, a closed one
        within its retention) the retention job erases as soon as the rule allows it."""
        record = await self._consent_scope(who, client_id)

        async def withdraw(uow: UnitOfWork, now: dt.datetime) -> None:
            if await uow.consents.withdraw(client_id, who.person.id, now):
                await uow.audit.record(self.event(who, "client", client_id, "withdraw_consent",
                                                  reason=record.proposal_code))

        done = await self._erase(who, client_id, first=withdraw)
        return ConsentWithdrawn(record.proposal_code, None if isinstance(done, Erasure) else done,
                                done if isinstance(done, Erasure) else None)

    async def _erase(self, who: Identity | None, client_id: int, *,
                     first: Callable[[UnitOfWork, dt.datetime], Awaitable[None]] | None = None
                     ) -> ErasureDone | Erasure:
        """Erase one record if the rule allows it now; else the rule (why it is kept). ``first``
        runs in the same transaction once the record is locked (a withdrawal of consent is
        recorded whether or not the erasure can happen now)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            nik = await self._nik(uow, client_id)
            record = next(r for r in await uow.privacy.records(nik) if r.client_id == client_id)
            # One erasure of a record at a time (PostgreSQL): the proposal's row, then the client's
            # (the order the draft's own edits take: no deadlock), then read again — a concurrent
            # erasure has committed by now and is seen.
            await uow.proposals.lock(record.proposal_id)
            await uow.privacy.lock_client(client_id)
            nik = await self._nik(uow, client_id)
            record = next(r for r in await uow.privacy.records(nik) if r.client_id == client_id)
            if first is not None:
                await first(uow, now)
            rule = erasure_rule(record, now, self.settings.admin.retention_years)
            if rule.action == "keep":
                return rule
            action: Literal["delete", "anonymize"] = rule.action
            paths = await self._erase_record(uow, record, action, nik, now)
            await uow.audit.record(self.event(who, "client", client_id, f"{action}_personal_data",
                                              reason=record.proposal_code))
            # In the transaction, before the commit: an erasure the ledger could not keep is not
            # made (the admin is told it failed). A commit failing after this leaves an entry for
            # an erasure the admin asked for and the rule allowed — a restore makes it, rightly.
            try:
                await asyncio.to_thread(erasure_ledger(self.settings).record, action=action, client_id=client_id,
                                        proposal_id=record.proposal_id, proposal_code=record.proposal_code,
                                        nik=nik, at=now)
            except OSError as error:
                raise ServiceError("ledger_failed", N_("The erasure could not be recorded in the erasure ledger "
                                                       "({error}), so nothing was erased. Check the disk and try "
                                                       "again."), error=type(error).__name__) from None
        purged = await self._purge(paths)
        return ErasureDone(action, record.proposal_code, len(paths), purged)

    async def reapply_erasures(self, entries: Sequence[ErasureEntry]) -> int:
        """After a restore: erase again every record of the ledger the restored database still
        holds (a backup made before the erasure). The record is matched by its ids *and* the keyed
        hash of its NIK, so a reused id never erases someone else. Returns how many were erased."""
        ledger = erasure_ledger(self.settings)
        now = self.clock.now()
        paths: list[str] = []
        erased = 0
        async with self.storage.transaction() as uow:
            for entry in entries:
                found = await uow.privacy.by_client(entry.client_id, entry.proposal_id)
                if found is None or found[0].erased:
                    continue
                record, nik = found
                if ledger.subject(nik) != entry.subject:
                    continue
                # A draft's client is deleted; if the backup holds the proposal further on, the
                # record must stay for its figures: anonymized.
                action: Literal["delete", "anonymize"] = (
                    "delete" if entry.action == "delete" and record.proposal_status == ProposalStatus.DRAFT
                    else "anonymize")
                paths += await self._erase_record(uow, record, action, nik, now)
                await uow.audit.record(self.event(None, "client", record.client_id, f"{action}_personal_data",
                                                  reason=f"{record.proposal_code} (ledger, after restore)"))
                erased += 1
        await self._purge(sorted(set(paths)))
        return erased

    async def _erase_record(self, uow: UnitOfWork, record: ClientRecord, action: Literal["delete", "anonymize"],
                            nik: str, now: dt.datetime) -> list[str]:
        """Erase one record in ``uow``; returns the stored files no record uses any more."""
        client_id = record.client_id
        paths = await uow.privacy.attachment_paths(client_id)
        sole = not await uow.privacy.others_hold_data(record.proposal_id, client_id)
        if sole:
            paths += await uow.privacy.proposal_attachment_paths(record.proposal_id)
        if action == "delete":
            await uow.clients.remove(client_id)
            await uow.proposals.set_cursor(record.proposal_id, None, now)  # it may point at the client
        else:
            await uow.privacy.anonymize(client_id, now)
            for version, snapshot in await uow.privacy.snapshots(record.proposal_id):
                scrubbed = _scrub(snapshot, nik, client_id)
                if scrubbed != snapshot:
                    await uow.privacy.set_snapshot(record.proposal_id, version, scrubbed)
        if sole:
            await uow.privacy.erase_proposal_level(record.proposal_id, record.proposal_code, _FREE_TEXT_ACTIONS)
        await uow.privacy.scrub_client_events(client_id, _PRIVACY_ACTIONS)
        return await uow.attachments.unused(paths)  # (a file another record still uses stays)

    async def _purge(self, paths: Sequence[str]) -> bool:
        """After the commit (a rollback must not have lost the files): the files go, overwritten
        first, and the WAL is folded in and truncated. False if a reader delayed the checkpoint."""
        store = self.files
        for path in paths:
            store.discard(path, overwrite=True)
        return await self.storage.db.purge_freed()


# Actions whose audit reason is text someone typed (it may name the client), and the privacy
# actions whose reason is only the proposal code.
_FREE_TEXT_ACTIONS = tuple(t.action.value for t in TRANSITIONS if "reason" in t.requires)
# A backup is named by when it was made in the centre's zone, the zone said ("atensi-20261202-050128-WIB.tar"),
# so an admin reads the time right; archives named before this are in UTC ("atensi-20261201-220128.tar").
_BACKUP_NAME = re.compile(r"^atensi-(?P<stamp>\d{8}-\d{6})(?:-(?P<zone>[^.]+))?\.tar$")


def backup_name(now: dt.datetime, timezone: str) -> str:
    """The file name of a backup made ``now``: the time in ``timezone``, named by its label."""
    return f"atensi-{now.astimezone(ZoneInfo(timezone)):%Y%m%d-%H%M%S}-{zone_label(timezone, now)}.tar"


def backup_made_at(path: Path, timezone: str) -> dt.datetime:
    """When a backup was made, read from its name (an old name is UTC, a new one the centre's zone);
    a name of neither shape: its file's modification time."""
    match = _BACKUP_NAME.match(path.name)
    if match is None:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    zone = ZoneInfo(timezone) if match["zone"] else dt.UTC
    return dt.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S").replace(tzinfo=zone).astimezone(dt.UTC)


_PRIVACY_ACTIONS = ("export_personal_data", "delete_personal_data", "anonymize_personal_data", "reveal_nik")


def _scrub(snapshot: str, nik: str, client_id: int) -> str:
    data = json.loads(snapshot)
    changed = False
    for entry in data.get("clients", []):
        if entry.get("nik") == nik:
            entry["nik"] = f"ANON-{client_id}"
            for key in _SNAPSHOT_PERSONAL:
                if key in entry:
                    entry[key] = None
            changed = True
    return json.dumps(data, ensure_ascii=False, sort_keys=True) if changed else snapshot


__all__ = [
    "AdminService", "Audiences", "BackupFile", "BroadcastPreview", "BroadcastReport", "BroadcastService", "Erasure",
    "ErasureDone", "IpwlCard", "PersonalExport", "IpwlLine", "IpwlPage", "IpwlStep", "PeoplePage", "PersonCard", "PersonalData",
    "PksState", "PrivacyService", "ProposalHistory", "TeamCard", "TeamLine", "erasure_ledger", "erasure_rule",
    "make_backup", "pks_state",
]

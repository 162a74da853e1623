"""The registry of the partnership from chat: the IPWL (with their PKS) and the PIC teams.

Admins only; every change writes its audit event in the transaction of the change.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.clock import today_in
from bot.domain.kinds import ConversationKind
from bot.domain.models import Ipwl, Person, ProposalStatus, Team
from bot.domain.records import NewIpwl
from bot.domain.regions import province_search
from bot.domain.validation import Problem, ValidationError, add_years, parse_date, parse_name
from bot.domain.workflow import OPEN_STATUSES
from bot.files.ipwl_csv import parse_ipwl_csv
from bot.i18n import N_
from bot.services.admin import PAGE_SIZE, AdminDeskService, page_count, require_admin
from bot.services.base import Identity, ServiceError, StaleButton
from bot.services.onboarding import operated_ipwls, team_by_code
from storage.unit import UnitOfWork

SEARCH_LIMIT = 20


_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")
PKS_YEARS = 10  # the furthest a PKS date may lie ahead


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
    # Post-payment checks (issue 16.4) where a client said they got less than paid, or nothing: the flag.
    payment_mismatches: int = 0


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


# Fields an admin edits one at a time from the IPWL card.
EDITABLE = ("name", "province", "regency", "address", "pks_number", "pks_valid_from", "pks_valid_until")

# The guided "add an IPWL": the same fields between the code and the team, in that order, and
# which may be skipped with "-".
IPWL_STEPS = ("code", *EDITABLE, "team")
OPTIONAL_STEPS = frozenset(EDITABLE) - {"name", "province"}


_SKIP = {"-", "—", "skip", "lewati"}


def _problem(message: str, **params: object) -> Problem:
    return Problem(message, dict(params))


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:100]


def _empty(column: str) -> object:
    # Text columns are NOT NULL (empty string); dates may be NULL.
    return None if column.startswith("pks_valid") else ""


class RegistryService(AdminDeskService):
    """The registry: IPWL with their PKS, and the PIC teams."""

    def _today(self) -> dt.date:
        return today_in(self.clock, self.settings.locale.timezone)

    def _line(self, ipwl: Ipwl, teams: dict[int, Team]) -> IpwlLine:
        team = teams.get(ipwl.team_id) if ipwl.team_id else None
        return IpwlLine(ipwl, team, pks_state(ipwl, self._today(), self.settings.admin.pks_warning_days))

    async def ipwl_page(self, who: Identity, query: str = "", page: int = 0) -> IpwlPage:
        """``/ipwl [text]``: the registry a page at a time, or the IPWL matching ``text``.

        Text matches a code, a name or a regency, or names a province ("jabar", "32").
        """
        require_admin(who)
        query = " ".join(query.split())[:60]
        provinces = [code for code, _ in province_search(query)][:3] if query else []
        async with self.storage.reading() as uow:
            teams = {t.id: t for t in await uow.teams.all()}
            limit = SEARCH_LIMIT if query else PAGE_SIZE
            items, total = await uow.admin.ipwl_page(
                text=query, province_codes=provinces, offset=0 if query else max(page, 0) * PAGE_SIZE, limit=limit
            )
            everything = await uow.ipwl.all()
        attention = sum(1 for i in everything if self._line(i, teams).pks.needs_attention)
        pages = 1 if query else page_count(total)
        return IpwlPage(
            [self._line(i, teams) for i in items], total, min(max(page, 0), pages - 1), pages, query, attention
        )

    async def ipwl_attention(self, who: Identity) -> list[IpwlLine]:
        """IPWL whose PKS has lapsed or lapses within the warning period, soonest first."""
        require_admin(who)
        async with self.storage.reading() as uow:
            teams = {t.id: t for t in await uow.teams.all()}
            lines = [self._line(i, teams) for i in await uow.ipwl.all()]
        return sorted((line for line in lines if line.pks.needs_attention), key=lambda x: x.pks.days_left or 0)

    async def ipwl_card(self, who: Identity, ipwl_id: int) -> IpwlCard:
        require_admin(who)
        async with self.storage.reading() as uow:
            return await self._card(uow, ipwl_id)

    async def _card(self, uow: UnitOfWork, ipwl_id: int, moved_from: Team | None = None) -> IpwlCard:
        ipwl = await uow.ipwl.by_id(ipwl_id)
        if ipwl is None:
            raise StaleButton()
        teams = {t.id: t for t in await uow.teams.all()}
        operators, open_proposals = await uow.admin.ipwl_facts(ipwl.id, sorted(OPEN_STATUSES - {ProposalStatus.DRAFT}))
        mismatches = await uow.payment_checks.mismatches_of(ipwl.id)
        return IpwlCard(self._line(ipwl, teams), operators, open_proposals, moved_from, mismatches)

    async def start_ipwl(self, who: Identity) -> IpwlStep:
        """Begin the guided "add an IPWL" (one question at a time; a CSV file adds many)."""
        require_admin(who)
        async with self.storage.transaction() as uow:
            await uow.conversations.start(
                who.person.id, ConversationKind.ADMIN_IPWL_ADD, None, self.clock.now(), {"values": {}}
            )
        return IpwlStep("code", {})

    async def answer_ipwl(self, who: Identity, text: str) -> IpwlStep:
        """The answer to the current question of "add an IPWL"; the last one creates it."""
        require_admin(who)
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
                    raise ValidationError(
                        _problem(
                            N_("No province matches {text}. Type part of its name or its code, e.g. {example}."),
                            text=text[:40],
                            example="Jawa Barat",
                        )
                    )
            else:
                value = self._parse(step, text, optional=step in OPTIONAL_STEPS)
                if step == "code" and await uow.ipwl.by_code(value):
                    raise ServiceError("ipwl_exists", N_("An IPWL with code {code} already exists."), code=value)
                if (
                    step == "pks_valid_until"
                    and value
                    and values.get("pks_valid_from")
                    and value < dt.date.fromisoformat(values["pks_valid_from"])
                ):
                    raise ValidationError(_problem(N_("The PKS cannot end before it starts.")))
                values[step] = value.isoformat() if isinstance(value, dt.date) else value
            if len(values) < len(IPWL_STEPS):
                await uow.conversations.start(
                    who.person.id, ConversationKind.ADMIN_IPWL_ADD, None, now, {"values": values}
                )
                nxt = next(s for s in IPWL_STEPS if s not in values)
                return IpwlStep(
                    step if choices else nxt, values, choices[:8], await uow.teams.all() if nxt == "team" else []
                )
            card = await self._create_ipwl(uow, who, values, now)
            await uow.conversations.end(who.person.id)
            return IpwlStep("done", values, created=card)

    async def _create_ipwl(self, uow: UnitOfWork, who: Identity, values: dict[str, Any], now: dt.datetime) -> IpwlCard:
        team = await uow.teams.by_code(values["team"]) if values.get("team") else None
        dates = {
            k: dt.date.fromisoformat(values[k]) if values.get(k) else None
            for k in ("pks_valid_from", "pks_valid_until")
        }
        await uow.ipwl.create_many(
            [
                NewIpwl(
                    values["code"],
                    values["name"],
                    values["province"],
                    values.get("regency") or "",
                    values.get("address") or "",
                    values.get("pks_number") or "",
                    dates["pks_valid_from"],
                    dates["pks_valid_until"],
                    team.id if team else None,
                )
            ],
            now,
        )
        created = await uow.ipwl.by_code(values["code"])
        assert created is not None
        await uow.audit.record(self.event(who, "ipwl", created.code, "create_ipwl", to=team.code if team else None))
        return await self._card(uow, created.id)

    async def import_ipwl(self, who: Identity, data: bytes) -> int:
        """A CSV of many IPWL (the same file as ``atensi-bot admin import-ipwl``): all or nothing."""
        require_admin(who)
        rows = parse_ipwl_csv(data, today=self._today())
        count = await self._onboarding.import_ipwl(rows)
        async with self.storage.transaction() as uow:
            await uow.conversations.end(who.person.id)
            await uow.audit.record(self.event(who, "ipwl", "*", "import_ipwl_chat", reason=f"{count} rows"))
        return count

    async def start_edit(self, who: Identity, ipwl_id: int, field_name: str) -> IpwlCard:
        """Ask for a new value of one field of the IPWL card (the next text message answers)."""
        require_admin(who)
        if field_name not in EDITABLE:
            raise StaleButton()
        async with self.storage.transaction() as uow:
            card = await self._card(uow, ipwl_id)
            await uow.conversations.start(
                who.person.id, ConversationKind.ADMIN_IPWL_EDIT, ipwl_id, self.clock.now(), {"field": field_name}
            )
        return card

    async def answer_edit(self, who: Identity, text: str) -> IpwlCard:
        """Save the typed value of the field being edited; the change is audited with old and new value."""
        require_admin(who)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if (
                conversation is None
                or conversation.kind != ConversationKind.ADMIN_IPWL_EDIT
                or conversation.entity_id is None
            ):
                raise ServiceError("no_conversation", N_("Nothing is waiting for this answer. Start again with /ipwl."))
            ipwl = await uow.ipwl.by_id(conversation.entity_id)
            if ipwl is None:
                raise StaleButton()
            name = conversation.state.get("field", "")
            value: str | dt.date | None  # the answer as the step reads it
            if name == "province":
                matches = province_search(text)
                if len(matches) != 1:
                    raise ValidationError(
                        _problem(N_("Type one province: its name or its code, e.g. {example}."), example="Jawa Barat")
                    )
                column, value = "province_code", matches[0][0]
            else:
                column, value = name, self._parse(name, text, optional=name in OPTIONAL_STEPS)
            if (
                column == "pks_valid_until"
                and isinstance(value, dt.date)
                and ipwl.pks_valid_from
                and value < ipwl.pks_valid_from
            ):
                raise ValidationError(_problem(N_("The PKS cannot end before it starts.")))
            if (
                column == "pks_valid_from"
                and isinstance(value, dt.date)
                and ipwl.pks_valid_until
                and value > ipwl.pks_valid_until
            ):
                raise ValidationError(_problem(N_("The PKS cannot end before it starts.")))
            old = getattr(ipwl, column)
            await uow.admin.update_ipwl(ipwl.id, now, **{column: value if value is not None else _empty(column)})
            await uow.conversations.end(who.person.id)
            await uow.audit.record(
                self.event(who, "ipwl", ipwl.code, "edit_ipwl", frm=_text(old), to=_text(value), reason=column)
            )
            return await self._card(uow, ipwl.id)

    async def move_ipwl(self, who: Identity, ipwl_id: int, team_id: int) -> IpwlCard:
        """Reassign an IPWL to another PIC team; its open proposals follow it (the team is read through
        the IPWL), so the new team sees them at once."""
        require_admin(who)
        async with self.storage.transaction() as uow:
            ipwl = await uow.ipwl.by_id(ipwl_id)
            team = await uow.teams.by_id(team_id)
            if ipwl is None or team is None:
                raise StaleButton()
            old = await uow.teams.by_id(ipwl.team_id) if ipwl.team_id else None
            if old is not None and old.id == team.id:
                return await self._card(uow, ipwl.id)
            await uow.admin.update_ipwl(ipwl.id, self.clock.now(), team_id=team.id)
            await uow.audit.record(
                self.event(who, "ipwl", ipwl.code, "move_ipwl", frm=old.code if old else None, to=team.code)
            )
            return await self._card(uow, ipwl.id, moved_from=old)

    def _parse(self, step: str, text: str, *, optional: bool) -> Any:
        text = text.strip()
        if optional and text.lower() in _SKIP:
            return None
        if step == "code":
            if not _CODE.match(text):
                raise ValidationError(
                    _problem(N_("An IPWL code is 1–20 letters, digits, - or _, e.g. {example}."), example="JB03")
                )
            return text.upper()
        if step == "name":
            return parse_name(text, field="name", max_length=200)
        if step in ("pks_valid_from", "pks_valid_until"):
            # An agreement runs for years, not decades: a mistyped year is said, not stored.
            today = self._today()
            return parse_date(text, today=today, allow_future=True, field=step, latest=add_years(today, PKS_YEARS))
        if not text or len(text) > 200:
            raise ValidationError(_problem(N_("Type 1–200 characters, or - to leave it empty.")))
        return text

    async def _team_from_text(self, uow: UnitOfWork, text: str) -> Team | None:
        text = text.strip()
        if text.lower() in _SKIP or text == "0":
            return None
        return await team_by_code(uow, text)

    async def choose_ipwl_team(self, who: Identity, team_id: int | None) -> IpwlStep:
        """The team button of "add an IPWL" (0: no team yet)."""
        code = "-"
        if team_id:
            async with self.storage.reading() as uow:
                team = await uow.teams.by_id(team_id)
            if team is None:
                raise StaleButton()
            code = team.code
        return await self.answer_ipwl(who, code)

    async def teams(self, who: Identity) -> list[TeamLine]:
        require_admin(who)
        async with self.storage.reading() as uow:
            ipwl = await uow.teams.ipwl_counts()
            members = await uow.admin.member_counts()
            return [TeamLine(t, ipwl.get(t.id, 0), members.get(t.id, 0)) for t in await uow.teams.all()]

    async def team_card(self, who: Identity, team_id: int) -> TeamCard:
        require_admin(who)
        async with self.storage.reading() as uow:
            team = await uow.teams.by_id(team_id)
            if team is None:
                raise StaleButton()
            teams = {t.id: t for t in await uow.teams.all()}
            return TeamCard(
                team,
                await uow.admin.team_members(team.id),
                [self._line(i, teams) for i in await uow.admin.ipwl_of_team(team.id)],
            )

    async def start_team(self, who: Identity) -> None:
        require_admin(who)
        async with self.storage.transaction() as uow:
            await uow.conversations.start(who.person.id, ConversationKind.ADMIN_TEAM_ADD, None, self.clock.now())

    async def add_team(self, who: Identity, text: str) -> Team:
        """``TIM8 Tim PIC 8``: the code, then the name."""
        code, _, name = text.strip().partition(" ")
        team = await self._onboarding.create_team(code, name, created_by=who)
        async with self.storage.transaction() as uow:
            await uow.conversations.end(who.person.id)
        return team

    async def find_ipwl(self, who: Identity, text: str) -> list[Ipwl]:
        """IPWL matching a typed code or name (for an operator invite)."""
        require_admin(who)
        async with self.storage.reading() as uow:
            exact = await uow.ipwl.by_code(text.strip())
            if exact is not None:
                return [exact]
            provinces = [code for code, _ in province_search(text)][:3]
            items, _ = await uow.admin.ipwl_page(
                text=" ".join(text.split())[:60], province_codes=provinces, limit=SEARCH_LIMIT
            )
        return items

    async def team_choices(self, who: Identity) -> list[Team]:
        require_admin(who)
        async with self.storage.reading() as uow:
            return await uow.teams.all()

    async def contacts(self, who: Identity) -> list[tuple[Ipwl, Team | None, list[Person]]]:
        """For an operator: each of their IPWL with its PIC team and the team's members."""
        found = []
        async with self.storage.reading() as uow:
            for ipwl, team in await operated_ipwls(uow, who):
                found.append((ipwl, team, await uow.admin.team_members(team.id) if team else []))
        return found

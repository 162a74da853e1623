"""People and the registry: who is this, invites, group binding, teams, the IPWL import."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from bot.domain.kinds import NotificationKind
from bot.domain.models import Actor, Grant, Invite, Ipwl, Person, Role, Team
from bot.domain.records import ProposalSummary
from bot.domain.regions import reader_zone
from bot.domain.segregation import conflict_of
from bot.domain.validation import add_years
from bot.files.ipwl_csv import IpwlRow
from bot.files.problems import ImportProblem, ImportRejected
from bot.i18n import N_
from bot.services.base import Identity, Service, ServiceError
from bot.services.readers import zone_of_reader
from bot.update_scope import DuplicateUpdate, pending_update
from storage.unit import UnitOfWork

LOCALES = ("id", "en")
# The longest term a role with an end date is given (a head's or an auditor's term is shorter).
GRANT_YEARS = 5


@dataclass(frozen=True)
class Redemption:
    role: Role
    ipwl: Ipwl | None = None
    team: Team | None = None
    # Roles the person now holds together that should be apart (the admins were warned).
    conflict: frozenset[Role] | None = None


@dataclass(frozen=True)
class IpwlStatus:
    ipwl: Ipwl
    team: Team | None
    proposals: list[ProposalSummary] = field(default_factory=list)


def _invite_token() -> str:
    # Deep-link payloads allow A-Z a-z 0-9 _ - and up to 64 characters.
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class MenuOwner:
    """Whose private command menu to keep in step with their roles and language."""

    person_id: int
    chat_id: int  # the private chat (= their Telegram user id)
    locale: str | None  # chosen with /bahasa; None: the service's default language
    roles: frozenset[Role]  # empty when revoked: the general menu applies again
    published: str | None  # the fingerprint of the menu last published to them


async def team_by_code(uow: UnitOfWork, code: str) -> Team:
    """The PIC team with this code, or a refusal that names the teams there are."""
    team = await uow.teams.by_code(code)
    if team is None:
        known = ", ".join(t.code for t in await uow.teams.all()) or "-"
        raise ServiceError(
            "unknown_team",
            N_("There is no PIC team with code {code}. Known teams: {known}."),
            code=code[:30],
            known=known,
        )
    return team


async def operated_ipwls(uow: UnitOfWork, who: Identity) -> list[tuple[Ipwl, Team | None]]:
    """The IPWL the caller operates (one per operator grant, an IPWL no longer there left out), each
    with its PIC team (None: none assigned yet)."""
    return await uow.ipwl.with_teams(who.actor.operated_ipwl_ids)


class OnboardingService(Service):
    """Who people are, how they join, and the registry they work in."""

    # --- who is this -------------------------------------------------------------------------

    async def identify(
        self, telegram_user_id: int, full_name: str, *, private_chat: bool, language: str | None
    ) -> Identity:
        """Load (or record, on first contact) the person and every role they hold right now.

        Called on every update: a revoked grant stops working on the very next press.
        """
        name = full_name[:200]
        centre_zone = self.settings.locale.timezone
        # One statement for the person, their grants and (an operator in a private chat) their
        # IPWL's zone: it runs for every update, and every statement is a round trip to the database.
        async with self.storage.reading() as uow:
            person, found, provinces = await uow.people.with_grants(telegram_user_id, self.clock.now())
        grants = set(found)
        operated = [provinces.get(ipwl_id) for ipwl_id in Actor(0, found).operated_ipwl_ids]
        zone = reader_zone(operated, centre_zone) if private_chat else centre_zone
        first_private = private_chat and (person is None or not person.private_chat_started)
        if person is None or person.full_name != name or (private_chat and not person.private_chat_started):
            # First contact, a new display name, or a first private message: record it.
            async with self.storage.transaction() as uow:
                person = await uow.people.upsert(telegram_user_id, name, self.clock.now(), started=private_chat)
                grants = set(await uow.people.grants(person.id, self.clock.now()))
        if (
            telegram_user_id in self.settings.access.admin_user_ids
            and not person.revoked
            and Grant(Role.ADMIN) not in grants
        ):
            grants |= await self._bootstrap_admin(person.id)
        # The service speaks its default language (Indonesian: UU 24/2009 asks it of official
        # communication) until the person chooses another with /bahasa — whatever their phone's
        # language (``language``, Telegram's language_code) says.
        locale = person.locale if person.locale in LOCALES else self.settings.locale.default
        actor = Actor(person.id, frozenset(grants))
        if private_chat and frozenset(grants) != found:  # recorded or bootstrapped just now
            zone = await self.reader_zone(actor)
        return Identity(person=person, actor=actor, locale=locale, first_private=first_private, zone=zone)

    async def reader_zone(self, actor: Actor) -> str:
        """The zone this person reads times in (their IPWL's for an operator, else the centre's)."""
        if not actor.operated_ipwl_ids:
            return self.settings.locale.timezone
        async with self.storage.reading() as uow:
            return await zone_of_reader(uow, actor, self.settings.locale.timezone)

    async def _bootstrap_admin(self, person_id: int) -> set[Grant]:
        """The configuration's ``admin_user_ids`` bootstrap admins: on first contact the person is
        granted the admin role like any other (listed, audited, revocable). A person whose admin role
        was ever revoked is not granted it again by the configuration: the revocation stands."""
        async with self.storage.transaction() as uow:
            if await uow.people.ever_held(person_id, Role.ADMIN):
                return set()
            if await uow.people.add_grant(person_id, Grant(Role.ADMIN), self.clock.now()):
                await uow.audit.record(
                    self.event(
                        None, "person", person_id, "grant_role", to=Role.ADMIN.value, reason="access.admin_user_ids"
                    )
                )
            return set(await uow.people.grants(person_id, self.clock.now()))

    async def menu_owners(self, after_id: int = 0, limit: int = 500) -> list[MenuOwner]:
        """People with a private chat (a page, by id), with the roles their menu should offer: their
        active grants (admins from the configuration hold a grant since their first contact)."""
        async with self.storage.reading() as uow:
            rows = await uow.people.menu_rows(after_id, limit)
        owners = []
        for row in rows:
            roles = set() if row.revoked else set(row.roles)
            owners.append(
                MenuOwner(row.person_id, row.telegram_user_id, row.locale, frozenset(roles), row.menu_published)
            )
        return owners

    async def menu_published(self, person_id: int, fingerprint: str | None) -> None:
        """Remember which menu the person's chat now shows (None: the general one)."""
        async with self.storage.transaction() as uow:
            await uow.people.set_menu_published(person_id, fingerprint)

    async def set_locale(self, who: Identity, locale: str) -> None:
        if locale not in LOCALES:
            raise ServiceError("unknown_locale", N_("Unknown language."))
        async with self.storage.transaction() as uow:
            await uow.people.set_locale(who.person.id, locale)
            await uow.audit.record(self.event(who, "person", who.person.id, "set_locale", to=locale))

    # --- invites and onboarding ----------------------------------------------------------------

    async def create_invite(
        self,
        role: Role,
        *,
        ipwl_code: str | None = None,
        team_code: str | None = None,
        created_by: Identity | None = None,
        grant_valid_until: dt.date | None = None,
    ) -> Invite:
        """A single-use, expiring invite for one role (operator of an IPWL, PIC of a team, …).
        ``grant_valid_until``: the last day the role it grants works (None: until revoked)."""
        if created_by is not None and not created_by.is_admin:
            raise ServiceError("admin_only", N_("Only an admin can do this."))
        now = self.clock.now()
        lapses = None
        if grant_valid_until is not None:
            zone = ZoneInfo(self.settings.locale.timezone)
            today = now.astimezone(zone).date()
            example = (today + dt.timedelta(days=90)).strftime("%d-%m-%Y")
            if grant_valid_until <= today:
                raise ServiceError(
                    "grant_expiry_past",
                    N_("The last day of the role must be after today (for example {example})."),
                    example=example,
                )
            if grant_valid_until > add_years(today, GRANT_YEARS):
                # A mistyped year (2099 for 2029) would hand out a role for life; a role without an
                # end is an invite without a date.
                raise ServiceError(
                    "grant_expiry_far",
                    N_(
                        "{date} is more than {years} years ahead. Type the last day of the term (for example "
                        "{example}), or no date for a role without an end."
                    ),
                    date=grant_valid_until,
                    years=GRANT_YEARS,
                    example=example,
                )
            lapses = dt.datetime.combine(grant_valid_until + dt.timedelta(days=1), dt.time(0), zone).astimezone(dt.UTC)
        async with self.storage.transaction() as uow:
            ipwl_id = team_id = None
            if role == Role.OPERATOR:
                if not ipwl_code:
                    raise ServiceError("ipwl_required", N_("An operator invite needs an IPWL code."))
                ipwl = await uow.ipwl.by_code(ipwl_code)
                if ipwl is None:
                    raise ServiceError("unknown_ipwl", N_("There is no IPWL with code {code}."), code=ipwl_code)
                ipwl_id = ipwl.id
            elif role == Role.PIC:
                if not team_code:
                    raise ServiceError("team_required", N_("A PIC invite needs a PIC team code."))
                team = await uow.teams.by_code(team_code)
                if team is None:
                    raise ServiceError("unknown_team", N_("There is no PIC team with code {code}."), code=team_code)
                team_id = team.id
            expires = now + dt.timedelta(hours=self.settings.access.invite_ttl_hours)
            invite = await uow.invites.create(
                _invite_token(),
                role,
                ipwl_id=ipwl_id,
                team_id=team_id,
                created_by=created_by.person.id if created_by else None,
                now=now,
                expires_at=expires,
                grant_valid_until=lapses,
            )
            await uow.audit.record(
                self.event(
                    created_by,
                    "invite",
                    invite.id,
                    "create_invite",
                    to=role.value,
                    reason=None if grant_valid_until is None else f"valid_until {grant_valid_until.isoformat()}",
                )
            )
        return invite

    async def redeem_invite(self, who: Identity, token: str) -> Redemption:
        """Bind the person to the invite's role. Single use; expired or unknown tokens refused."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            invite = await uow.invites.by_token(token.strip())
            if invite is None:
                raise ServiceError(
                    "invite_unknown",
                    N_("This invitation link is not valid. Ask the centre's admin for a new one."),
                )
            if invite.used_at is not None:
                if invite.used_by == who.person.id:
                    raise ServiceError(
                        "invite_already_yours", N_("You have already used this invitation; your access is active.")
                    )
                raise ServiceError(
                    "invite_used",
                    N_("This invitation link has already been used. Ask the centre's admin for a new one."),
                )
            if invite.expires_at <= now:
                raise ServiceError(
                    "invite_expired",
                    N_("This invitation link expired on {date}. Ask the centre's admin for a new one."),
                    date=invite.expires_at,
                )
            if who.person.revoked:
                raise ServiceError("revoked", N_("Your access has been revoked. Contact the centre's admin."))
            if not await uow.invites.mark_used(invite.id, who.person.id, now):
                raise ServiceError(
                    "invite_used",
                    N_("This invitation link has already been used. Ask the centre's admin for a new one."),
                )
            grant = Grant(invite.role, invite.ipwl_id, invite.team_id)
            await uow.people.add_grant(who.person.id, grant, now, valid_until=invite.grant_valid_until)
            await uow.audit.record(
                self.event(
                    who, "person", who.person.id, "redeem_invite", to=invite.role.value, reason=f"invite {invite.id}"
                )
            )
            conflict = await self._after_grant(uow, who.person, invite, now)
            ipwl = await uow.ipwl.by_id(invite.ipwl_id) if invite.ipwl_id else None
            team = await uow.teams.by_id(invite.team_id) if invite.team_id else None
        return Redemption(role=invite.role, ipwl=ipwl, team=team, conflict=conflict)

    async def _after_grant(
        self, uow: UnitOfWork, person: Person, invite: Invite, now: dt.datetime
    ) -> frozenset[Role] | None:
        """In the granting transaction: warn the admins of a segregation-of-duties conflict (audited;
        the grant stands), and tell a new complaint officer of the complaints already waiting."""
        held = {g.role for g in await uow.people.grants(person.id, now)}
        conflict = conflict_of(held, invite.role)
        if conflict is not None:
            pair = "+".join(sorted(r.value for r in conflict))
            await uow.audit.record(
                self.event(None, "person", person.id, "segregation_warning", to=invite.role.value, reason=pair)
            )
            await self.notify(
                uow,
                await uow.staff.holding(Role.ADMIN),
                NotificationKind.ROLE_CONFLICT,
                f"{NotificationKind.ROLE_CONFLICT.value}:{invite.id}",
                {"person_id": person.id, "name": person.full_name, "roles": sorted(r.value for r in conflict)},
                now,
            )
        if invite.role == Role.COMPLAINT_OFFICER:
            waiting = await uow.complaints.open_ones(20)
            if waiting:
                # Once per person: complaints filed while nobody could read them are theirs now.
                await self.notify(
                    uow,
                    [person],
                    NotificationKind.COMPLAINT_BACKLOG,
                    NotificationKind.COMPLAINT_BACKLOG.value,
                    {"count": (await uow.complaints.counts(now))[0], "tickets": [c.ticket for c in waiting]},
                    now,
                )
        return conflict

    async def bind_group(self, who: Identity, chat_id: int, team_code: str) -> Team:
        """Make this group chat the PIC team's working group (admins only)."""
        if not who.is_admin:
            raise ServiceError("admin_only", N_("Only an admin can do this."))
        code = team_code.strip()
        if not code:
            raise ServiceError(
                "team_required",
                N_("Write the PIC team code after the command, e.g. {example}."),
                example="/hubungkan TIM1",
            )
        async with self.storage.transaction() as uow:
            team = await team_by_code(uow, code)
            await uow.teams.bind_group(team.id, chat_id)
            await uow.audit.record(self.event(who, "team", team.id, "bind_group", to=str(chat_id)))
        return Team(team.id, team.code, team.name, chat_id)

    # --- registry -------------------------------------------------------------------------------

    async def create_team(self, code: str, name: str, *, created_by: Identity | None = None) -> Team:
        if created_by is not None and not created_by.is_admin:
            raise ServiceError("admin_only", N_("Only an admin can do this."))
        code, name = code.strip().upper(), name.strip()
        if not code or len(code) > 20 or not code.replace("-", "").replace("_", "").isalnum():
            raise ServiceError(
                "bad_team_code", N_("A team code is 1–20 letters or digits, e.g. {example}."), example="TIM1"
            )
        if not name or len(name) > 100:
            raise ServiceError("bad_team_name", N_("A team name is 1–100 characters."))
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            if await uow.teams.by_code(code):
                raise ServiceError("team_exists", N_("A PIC team with code {code} already exists."), code=code)
            team = await uow.teams.create(code, name, now)
            await uow.audit.record(self.event(created_by, "team", team.id, "create_team", to=code))
        return team

    async def teams(self) -> list[tuple[Team, int]]:
        """Every PIC team with the number of IPWL it assists."""
        async with self.storage.reading() as uow:
            counts = await uow.teams.ipwl_counts()
            return [(team, counts.get(team.id, 0)) for team in await uow.teams.all()]

    async def import_ipwl(self, rows: Sequence[IpwlRow]) -> int:
        """Add IPWL from parsed CSV rows: all or nothing, with every problem by row number."""
        problems: list[ImportProblem] = []
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            teams = {t.code.upper(): t for t in await uow.teams.all()}
            existing = await uow.ipwl.existing_codes([r.ipwl.code for r in rows])
            seen: set[str] = set()
            items = []
            for row in rows:
                code = row.ipwl.code
                if code.lower() in existing:
                    problems.append(ImportProblem(row.row, N_("IPWL code {code} already exists"), {"code": code}))
                if code.lower() in seen:
                    problems.append(
                        ImportProblem(row.row, N_("IPWL code {code} appears twice in the file"), {"code": code})
                    )
                seen.add(code.lower())
                team = teams.get(row.team_code.upper()) if row.team_code else None
                if row.team_code and team is None:
                    problems.append(ImportProblem(row.row, N_("unknown PIC team {code}"), {"code": row.team_code}))
                items.append(replace(row.ipwl, team_id=team.id if team else None))
            if problems:
                raise ImportRejected(problems)
            await uow.ipwl.create_many(items, now)
            await uow.audit.record(self.event(None, "ipwl", "*", "import_ipwl", reason=f"{len(items)} rows"))
        return len(items)

    async def record_update(self, uow: UnitOfWork) -> None:
        """In a write transaction just opened: record the update being handled as processed (its
        first write only). Raises DuplicateUpdate when it was recorded before — a redelivery that
        must change nothing — so this transaction, and with it the update's handling, stops."""
        update_id = pending_update()
        if update_id is None:
            return
        now = self.clock.now()
        if not await uow.processed_updates.first_time(update_id, now):
            raise DuplicateUpdate(update_id)
        if update_id % 1000 == 0:  # now and then, forget ids older than a week
            await uow.processed_updates.forget_before(now - dt.timedelta(days=7))

    async def recent_update_ids(self, limit: int) -> list[int]:
        """The update ids recorded last (oldest first), for a new process to recognise redeliveries."""
        async with self.storage.reading() as uow:
            return await uow.processed_updates.latest(limit)

    async def conversation_kind(self, who: Identity) -> str | None:
        """What this person is in the middle of (a draft, a reason being typed…), if anything."""
        async with self.storage.reading() as uow:
            conversation = await uow.conversations.of(who.person.id)
        return conversation.kind if conversation else None

    async def end_conversation(self, who: Identity) -> None:
        """``/batal``: forget what this person was typing (nothing half-done was saved)."""
        async with self.storage.transaction() as uow:
            await uow.conversations.end(who.person.id)

    async def team_of(self, ipwl: Ipwl) -> Team | None:
        if ipwl.team_id is None:
            return None
        async with self.storage.reading() as uow:
            return await uow.teams.by_id(ipwl.team_id)

    # --- what operators see ---------------------------------------------------------------------

    async def operator_status(self, who: Identity) -> list[IpwlStatus]:
        """The caller's IPWL (one per operator grant) with their proposals; nobody else's."""
        ipwl_ids = who.actor.operated_ipwl_ids
        if not ipwl_ids:
            raise ServiceError(
                "not_operator",
                N_("/status is for IPWL operators. Ask the centre's admin for an invitation link."),
            )
        result = []
        async with self.storage.reading() as uow:
            for ipwl, team in await operated_ipwls(uow, who):
                result.append(IpwlStatus(ipwl, team, await uow.proposals.summaries_for_ipwl(ipwl.id)))
        return result

"""People and their access: invites, the roles they hold, revoking and restoring.

Admins only; every change writes its audit event in the transaction of the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import Invite, Person, Role
from bot.domain.records import GrantLine, PersonLine
from bot.domain.validation import ValidationError, parse_date
from bot.i18n import N_
from bot.services.admin import PAGE_SIZE, AdminDeskService, page_count, require_admin
from bot.services.base import Identity, ServiceError, StaleButton
from storage.unit import UnitOfWork


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


class AccessService(AdminDeskService):
    """People and their access: invites, grants, revocations."""

    async def people_page(self, who: Identity, query: str = "", page: int = 0) -> PeoplePage:
        require_admin(who)
        query = " ".join(query.split())[:60]
        async with self.storage.reading() as uow:
            items, total = await uow.admin.people_page(text=query, offset=max(page, 0) * PAGE_SIZE, limit=PAGE_SIZE)
        return PeoplePage(items, total, max(page, 0), page_count(total), query)

    async def person_card(self, who: Identity, person_id: int) -> PersonCard:
        require_admin(who)
        async with self.storage.reading() as uow:
            return await self._person_card(uow, person_id)

    async def _person_card(self, uow: UnitOfWork, person_id: int) -> PersonCard:
        person = await uow.people.by_id(person_id)
        if person is None:
            raise StaleButton()
        return PersonCard(
            person, await uow.admin.grants_of(person.id), person.telegram_user_id in self.settings.access.admin_user_ids
        )

    async def grant_owner(self, who: Identity, grant_id: int) -> int:
        """The person holding a grant (to ask before revoking it)."""
        require_admin(who)
        async with self.storage.reading() as uow:
            person_id = await uow.admin.grant_owner(grant_id)
        if person_id is None:
            raise StaleButton()
        return person_id

    async def revoke_grant(self, who: Identity, grant_id: int) -> PersonCard:
        """Take one role away. It stops working on the person's very next press or command."""
        require_admin(who)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            person_id = await uow.admin.grant_owner(grant_id)
            if person_id is None:
                raise StaleButton()
            self._not_self(who, person_id)
            grant = next(g for g in await uow.admin.grants_of(person_id) if g.id == grant_id)
            leave: list[GroupToLeave] = []
            if await uow.admin.revoke_grant(grant_id, now):
                await uow.conversations.end(person_id)
                await uow.audit.record(
                    self.event(who, "person", person_id, "revoke_grant", frm=grant.role.value, reason=grant.scope_code)
                )
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
        require_admin(who)
        async with self.storage.transaction() as uow:
            await uow.audit.record(
                self.event(
                    who,
                    "person",
                    person_id,
                    "remove_from_group",
                    to=group.team_code,
                    reason="removed" if removed else "admin asked to remove",
                )
            )

    async def revoke_person(self, who: Identity, person_id: int) -> PersonCard:
        """Take all access away (every role, and any future invite) until an admin restores it."""
        require_admin(who)
        self._not_self(who, person_id)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            if await uow.people.by_id(person_id) is None:
                raise StaleButton()
            # The roles it took away, recorded so the trail says what was revoked.
            held = (
                ",".join(sorted({g.role.value for g in await uow.admin.grants_of(person_id) if g.revoked_at is None}))
                or None
            )
            if await uow.admin.revoke_person(person_id, now):
                await uow.conversations.end(person_id)
                await uow.audit.record(self.event(who, "person", person_id, "revoke_access", frm=held))
                await self._tell_revoked(uow, person_id, None, None, now)
            return await self._person_card(uow, person_id)

    async def restore_person(self, who: Identity, person_id: int) -> PersonCard:
        """Lift a full revocation. Roles revoked stay revoked: send a new invite for what they need."""
        require_admin(who)
        async with self.storage.transaction() as uow:
            if await uow.admin.restore_person(person_id):
                await uow.audit.record(self.event(who, "person", person_id, "restore_access"))
            return await self._person_card(uow, person_id)

    def _not_self(self, who: Identity, person_id: int) -> None:
        if who.person.id == person_id:
            raise ServiceError("not_yourself", N_("You cannot revoke your own access; ask another admin."))

    async def _tell_revoked(
        self, uow: UnitOfWork, person_id: int, role: str | None, scope: str | None, now: dt.datetime
    ) -> None:
        person = await uow.people.by_id(person_id)
        if person is None or not person.private_chat_started:
            return
        await uow.outbox.enqueue(
            dedupe_key=f"access_revoked:{person_id}:{now.timestamp()}:{role}:{scope}",
            chat_id=person.telegram_user_id,
            kind=NotificationKind.ACCESS_REVOKED,
            now=now,
            person_id=person_id,
            params={"role": role, "scope": scope},
        )

    async def invite(
        self, who: Identity, role: Role, scope: str | None = None, valid_until: str | None = None
    ) -> Invite:
        """A single-use invite, as ``atensi-bot admin invite`` makes (audited with its creator).
        ``valid_until``: the last day of the role as the admin typed it (``31-12-2027``)."""
        require_admin(who)
        last_day = None
        if valid_until is not None:
            today = self.clock.now().astimezone(ZoneInfo(self.settings.locale.timezone)).date()
            try:
                last_day = parse_date(valid_until, today=today, allow_future=True)
            except ValidationError:
                raise ServiceError(
                    "bad_grant_expiry",
                    N_(
                        "“{text}” is not a date. Type the last day of the role as {example}, "
                        "for example /undang head {example}."
                    ),
                    text=valid_until[:40],
                    example=(today + dt.timedelta(days=90)).strftime("%d-%m-%Y"),
                ) from None
        return await self._onboarding.create_invite(
            role,
            ipwl_code=scope if role == Role.OPERATOR else None,
            team_code=scope if role == Role.PIC else None,
            created_by=who,
            grant_valid_until=last_day,
        )

    async def invite_ipwl_by_id(self, who: Identity, ipwl_id: int) -> tuple[Invite, str]:
        """An operator invite for an IPWL chosen by button; with the IPWL's code."""
        require_admin(who)
        async with self.storage.transaction() as uow:
            ipwl = await uow.ipwl.by_id(ipwl_id)
            await uow.conversations.end(who.person.id)
        if ipwl is None:
            raise StaleButton()
        return await self.invite(who, Role.OPERATOR, ipwl.code), ipwl.code

    async def invite_team_by_id(self, who: Identity, team_id: int) -> tuple[Invite, str]:
        """A PIC invite for a team chosen by button; with the team's code."""
        require_admin(who)
        async with self.storage.reading() as uow:
            team = await uow.teams.by_id(team_id)
        if team is None:
            raise StaleButton()
        return await self.invite(who, Role.PIC, team.code), team.code

    async def start_operator_invite(self, who: Identity) -> None:
        """An operator invite needs its IPWL: the next text message names it."""
        require_admin(who)
        async with self.storage.transaction() as uow:
            await uow.conversations.start(who.person.id, ConversationKind.ADMIN_INVITE, None, self.clock.now())

"""A message to every operator (or a province's, or a team's), through the outbox, with a
delivery report once every message is settled.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import Team
from bot.domain.records import Broadcast, Delivery
from bot.domain.regions import PROVINCES
from bot.domain.validation import ValidationError
from bot.i18n import N_
from bot.services.admin import require_admin
from bot.services.base import Identity, Service, ServiceError, StaleButton
from bot.services.registry import _problem
from storage.unit import UnitOfWork

BROADCAST_MAX = 3500  # leaves room for the header within Telegram's 4096 characters


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
        require_admin(who)
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
        require_admin(who)
        if audience not in ("all", "province", "team"):
            raise StaleButton()
        async with self.storage.transaction() as uow:
            if audience == "team" and (ref is None or not ref.isdigit() or await uow.teams.by_id(int(ref)) is None):
                raise StaleButton()
            if audience == "province" and ref not in PROVINCES:
                raise StaleButton()
            count = len(await uow.broadcasts.recipients(audience, ref))
            if not count:
                raise ServiceError("no_recipients", N_("No operator is registered there yet."))
            await uow.conversations.start(
                who.person.id,
                ConversationKind.ADMIN_BROADCAST,
                None,
                self.clock.now(),
                {"audience": audience, "ref": ref},
            )
        return count

    async def draft(self, who: Identity, text: str) -> BroadcastPreview:
        """The typed message becomes (or replaces) the draft; the preview shows it as sent."""
        require_admin(who)
        body = text.strip()
        if not body:
            raise ValidationError(_problem(N_("Type the message to send.")))
        if len(body) > BROADCAST_MAX:
            raise ValidationError(
                _problem(
                    N_("The message is {length} characters; at most {max} fit. Shorten it."),
                    length=len(body),
                    max=BROADCAST_MAX,
                )
            )
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is None or conversation.kind != ConversationKind.ADMIN_BROADCAST:
                raise ServiceError(
                    "no_conversation", N_("Nothing is waiting for this answer. Start again with /siaran.")
                )
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
            raise StaleButton()
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
        require_admin(who)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            preview = await self._preview(uow, broadcast_id)
            recipients = await uow.broadcasts.recipients(preview.broadcast.audience, preview.broadcast.audience_ref)
            if not recipients:
                raise ServiceError("no_recipients", N_("No operator is registered there yet."))
            if not await uow.broadcasts.confirm(broadcast_id, len(recipients), now):
                raise ServiceError("already_done", N_("This broadcast has already been sent or cancelled."))
            for recipient in recipients:
                await uow.outbox.enqueue(
                    dedupe_key=f"broadcast:{broadcast_id}:{recipient.person_id}",
                    chat_id=recipient.chat_id,
                    kind=NotificationKind.BROADCAST,
                    now=now,
                    person_id=recipient.person_id,
                    params={"broadcast_id": broadcast_id},
                )
            await uow.conversations.end(who.person.id)
            await uow.audit.record(
                self.event(
                    who,
                    "broadcast",
                    broadcast_id,
                    "broadcast",
                    to=preview.broadcast.audience_ref or preview.broadcast.audience,
                    reason=f"{len(recipients)} recipients",
                )
            )
            return BroadcastPreview(preview.broadcast, len(recipients), preview.audience_name)

    async def cancel(self, who: Identity, broadcast_id: int) -> None:
        require_admin(who)
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
                        dedupe_key=f"broadcast_report:{broadcast.id}",
                        chat_id=author.telegram_user_id,
                        kind=NotificationKind.BROADCAST_REPORT,
                        now=now,
                        person_id=author.id,
                        params={
                            "broadcast_id": broadcast.id,
                            "sent": delivery.sent,
                            "blocked": delivery.blocked,
                            "failed": delivery.failed,
                            "recipients": broadcast.recipients,
                        },
                    )
                reported += 1
        return reported

"""The outbox's bookkeeping: what the sender claims, and how each delivery is recorded.

The sender (``handlers/outbox.py``) talks to Telegram; every change it makes to the ``outbox``
table goes through this service. Recording a delivery may carry a kind's own effect in the same
transaction (a group card remembers which message shows it), so a crash can never separate
"sent" from what being sent means.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.domain.kinds import NotificationKind
from bot.domain.models import Actor
from bot.domain.records import OutboxMessage
from bot.services.base import Service
from bot.services.readers import zone_of_reader
from storage.unit import UnitOfWork

log = logging.getLogger("atensi.delivery")

# A kind's effect of being delivered: (uow, params, chat_id, message_id, now), run in the
# transaction that marks the row sent.
OnSent = Callable[[UnitOfWork, dict[str, Any], int, int, dt.datetime], Awaitable[None]]

# Kinds whose failures are reported elsewhere (no "could not deliver" notice to admins).
SELF_REPORTING_KINDS = frozenset({"delivery_failed", "broadcast"})
MAX_ATTEMPTS = 8  # a row that keeps failing to render or send is given up after this many claims


class OutboxService(Service):
    """Claims, releases and records outbox rows for the one sender."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_sent: dict[str, OnSent] = {}

    def use_effects(self, on_sent: dict[str, OnSent]) -> None:
        """What delivering each kind also records (wired once, by ``Services``)."""
        self.on_sent = dict(on_sent)

    async def claim_due(self, *, limit: int, lease: dt.timedelta) -> list[OutboxMessage]:
        async with self.storage.transaction() as uow:
            return list(await uow.outbox.claim_due(self.clock.now(), limit=limit, lease=lease))

    async def due_count(self) -> int:
        """How many notifications wait, due now, for a sender to claim them."""
        async with self.storage.reading() as uow:
            return await uow.outbox.due_count(self.clock.now())

    async def release(self, ids: Sequence[int]) -> None:
        """Give rows back at once (a clean stop): the next sender need not wait for their lease."""
        async with self.storage.transaction() as uow:
            await uow.outbox.release(sorted(ids))

    async def recipient(self, message: OutboxMessage) -> tuple[str | None, str]:
        """The language and the zone the message is read in: its person's, in their private chat;
        a group's (or an unknown person's) are the default language and the centre's zone."""
        centre = self.settings.locale.timezone
        if message.person_id is None:
            return None, centre
        async with self.storage.reading() as uow:
            person = await uow.people.by_id(message.person_id)
            if person is None:
                return None, centre
            if message.chat_id != person.telegram_user_id:  # not their private chat: a group reads it
                return person.locale, centre
            grants = await uow.people.grants(person.id, self.clock.now())
            return person.locale, await zone_of_reader(uow, Actor(person.id, frozenset(grants)), centre)

    async def mark_sent(self, message: OutboxMessage, message_id: int | None, now: dt.datetime) -> None:
        """The message is out. Its kind's effect runs in the same transaction; an effect that
        raises is logged and left out (the row is still marked sent: never send it twice for it),
        while a storage failure propagates for the caller to try again."""
        effect = self.on_sent.get(message.kind) if message_id is not None else None
        in_effect = False
        try:
            async with self.storage.transaction() as uow:
                await uow.outbox.mark_sent(message.id, message_id, now)
                if effect is not None and message_id is not None:
                    in_effect = True
                    await effect(uow, message.params, message.chat_id, message_id, now)
                    in_effect = False
        except Exception:
            if not in_effect:
                raise
            log.exception("outbox %s: its on-sent effect failed; marking sent without it", message.id)
            async with self.storage.transaction() as uow:
                await uow.outbox.mark_sent(message.id, message_id, now)

    async def mark_failed(self, message: OutboxMessage, reason: str) -> None:
        async with self.storage.transaction() as uow:
            await uow.outbox.mark_failed(message.id, reason)

    async def try_later(self, message: OutboxMessage, error_name: str) -> bool:
        """Reschedule with back-off; False when the row has used up its attempts (failed now)."""
        async with self.storage.transaction() as uow:
            if message.attempts >= MAX_ATTEMPTS:
                await uow.outbox.mark_failed(message.id, f"gave up: {error_name}")
                return False
            delay = dt.timedelta(seconds=min(3600, 30 * 2 ** min(message.attempts, 7)))
            log.warning("outbox %s: %s, retrying in %s", message.id, error_name, delay)
            await uow.outbox.reschedule(message.id, self.clock.now() + delay, error_name)
            return True

    async def give_up(self, message: OutboxMessage, reason: str, *, tell_admins: bool) -> None:
        """Failed for good; admins hear of a chat the bot cannot reach (once per chat and admin)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            await uow.outbox.mark_failed(message.id, reason)
            # Broadcasts report their own failures to the admin who sent them.
            if tell_admins and message.kind not in SELF_REPORTING_KINDS:
                await self.tell_admins(
                    uow,
                    NotificationKind.DELIVERY_FAILED,
                    f"delivery_failed:{message.chat_id}",
                    {"chat_id": message.chat_id, "kind": message.kind, "person_id": message.person_id},
                    now,
                )

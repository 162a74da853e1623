"""The webhook inbox's bookkeeping: what the intake stores, what workers claim and finish.

Several processes share one PostgreSQL database (issue 15): any number of intake processes store
the updates Telegram POSTs (before answering 200, so nothing acknowledged is ever lost), and any
number of workers handle them — each chat's updates one at a time, oldest first. "Done in effect"
is the ``processed_updates`` rule: an update's first write transaction records its id with the
change, so an update claimed again after its worker died, whose effects are already in, is
finished without being handled twice. An update that keeps failing is parked after
``[webhook] max_attempts`` claims, with its error kept and each admin told once (outbox), so it
cannot hold its chat up forever.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from bot.domain.kinds import NotificationKind
from bot.services.base import Service
from storage.inbox import InboxRow, InboxStatus

log = logging.getLogger("atensi.inbox")

__all__ = ["BadUpdate", "InboxRow", "InboxService", "InboxStatus", "chat_of_update"]


class BadUpdate(ValueError):
    """A POSTed body that is not a Telegram update (no JSON object with an integer update_id)."""


def chat_of_update(update: dict[str, Any]) -> int:
    """The chat an update belongs to (its order is kept per chat): the chat of the message, of the
    pressed button's message, or else the sender; 0 when an update names neither."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat")
        if not isinstance(chat, dict):
            chat = value.get("message", {}).get("chat") if isinstance(value.get("message"), dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = value.get("from") or value.get("user")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return 0


def parse_update(body: bytes) -> tuple[int, int, str]:
    """(update id, chat, the JSON text to keep) of a POSTed body; BadUpdate otherwise."""
    try:
        update = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BadUpdate("not JSON") from None
    if (
        not isinstance(update, dict)
        or not isinstance(update.get("update_id"), int)
        or isinstance(update.get("update_id"), bool)
    ):
        raise BadUpdate("no integer update_id")
    # Kept as Telegram sent it (valid UTF-8 JSON, checked above): no second serialisation.
    return int(update["update_id"]), chat_of_update(update), body.decode("utf-8")


class InboxService(Service):
    """Every change to the ``inbox`` table (and the ``leadership`` row)."""

    async def store(self, body: bytes) -> bool:
        """Keep a POSTed update; False when it was kept before (a redelivery: a no-op).
        Raises BadUpdate for a body that is not an update."""
        update_id, chat, payload = parse_update(body)
        async with self.storage.transaction() as uow:
            return await uow.inbox.store(update_id, chat, payload, self.clock.now())

    async def claim(self, worker: str, *, limit: int, lease: dt.timedelta, busy_chats: list[int]) -> list[InboxRow]:
        """The next updates this worker may handle: each the oldest of its chat, no chat twice."""
        async with self.storage.transaction() as uow:
            return await uow.inbox.claim(
                self.clock.now(), worker=worker, limit=limit, lease=lease, exclude_chats=busy_chats
            )

    async def extend(self, worker: str, update_ids: list[int], lease: dt.timedelta) -> None:
        """The updates are still being handled: their claims live on."""
        if update_ids:
            async with self.storage.transaction() as uow:
                await uow.inbox.extend(update_ids, worker=worker, until=self.clock.now() + lease)

    async def finish(self, update_id: int, *, error: str | None = None) -> None:
        """The update is handled (``error``: it failed after saving part of its change, or in a way
        a retry would repeat, and the person was told)."""
        async with self.storage.transaction() as uow:
            await uow.inbox.finish(update_id, self.clock.now(), error=error)

    async def failed(self, row: InboxRow, error: str) -> bool:
        """The update failed and changed nothing: try it again later, or park it after the last
        attempt. True when it was parked."""
        if row.attempts >= self.settings.webhook.max_attempts:
            await self.park(row, error)
            return True
        delay = dt.timedelta(seconds=min(60.0, self.settings.webhook.retry_seconds * 2 ** (row.attempts - 1)))
        async with self.storage.transaction() as uow:
            await uow.inbox.retry_later(row.update_id, self.clock.now() + delay, error)
        return False

    async def park(self, row: InboxRow, error: str) -> None:
        """Set the update aside with its error, and tell each admin once (its chat goes on)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            if not await uow.inbox.park(row.update_id, error):
                return
            await self.tell_admins(
                uow,
                NotificationKind.INBOX_PARKED,
                f"{NotificationKind.INBOX_PARKED}:{row.update_id}",
                {"update_id": row.update_id, "chat_id": row.chat_key, "attempts": row.attempts, "error": error[:200]},
                now,
            )
        log.error("update %s parked after %d attempt(s): %s", row.update_id, row.attempts, error[:200])

    async def release(self, worker: str, update_ids: list[int]) -> None:
        """A clean stop: claims this worker took but did not start go back at once."""
        if update_ids:
            async with self.storage.transaction() as uow:
                await uow.inbox.release(update_ids, worker=worker)

    async def status(self) -> InboxStatus:
        """Inbox depth, the oldest pending update, who leads (``atensi-bot db status``)."""
        async with self.storage.reading() as uow:
            return await uow.inbox.status()

    async def note_leader(self, holder: str, *, taking_over: bool) -> None:
        """The leader's row: who leads since when, and its last heartbeat."""
        async with self.storage.transaction() as uow:
            await uow.inbox.note_leader(holder, self.clock.now(), taking_over=taking_over)

    async def ping(self) -> None:
        """Raises when the database cannot be read (the intake's /healthz)."""
        async with self.storage.reading() as uow:
            await uow.inbox.ping()

    async def forget_done(self, days: int = 7) -> int:
        """Handled updates older than ``days`` leave the inbox (the leader's cleanup)."""
        async with self.storage.transaction() as uow:
            return await uow.inbox.forget_done_before(self.clock.now() - dt.timedelta(days=days))

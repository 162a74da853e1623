"""The bot's update queue and ``getUpdates`` long polling."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from .errors import ApiError
from .webhook import WebhookDelivery

__all__ = ["DEFAULT_ALLOWED_UPDATES", "UpdateQueue"]

#: What Telegram delivers when ``allowed_updates`` is empty or was never set.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "guest_message",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
        "managed_bot",
    }
)
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


def _kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Pending updates with Telegram's confirm-by-offset semantics.

    Updates stay pending until a ``getUpdates`` call passes an ``offset`` above their id.
    ``delivered_up_to`` is the highest id ever returned to the bot.
    """

    def __init__(self, first_update_id: int = 1) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_id = first_update_id
        self._allowed = DEFAULT_ALLOWED_UPDATES
        self._waiters: set[asyncio.Future[None]] = set()
        self._generation = 0
        self._closed = False
        self.delivered_up_to = first_update_id - 1
        self.delivered_at = 0.0  # time.monotonic() of the last batch returned
        #: Set while a webhook is active: updates are POSTed there instead of waiting for a poll.
        self.webhook: WebhookDelivery | None = None

    @property
    def undelivered(self) -> int:
        """Updates enqueued but not yet returned by any ``getUpdates`` (or accepted by the webhook)."""
        waiting = sum(1 for update in self._pending if update["update_id"] > self.delivered_up_to)
        return waiting + (self.webhook.pending if self.webhook is not None else 0)

    @property
    def unconfirmed(self) -> int:
        """Updates returned by a ``getUpdates`` that no later call has confirmed yet: the bot has
        them, but may not have queued them for its handlers (it confirms them by asking again)."""
        return sum(1 for update in self._pending if update["update_id"] <= self.delivered_up_to)

    @property
    def pending(self) -> int:
        """Updates not yet confirmed by an offset."""
        return len(self._pending)

    def put(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Enqueue ``{"update_id": …, kind: payload}`` and wake a waiting poll."""
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        if self.webhook is not None:
            self.webhook.submit(update)
            return update
        self._pending.append(update)
        self._wake()
        return update

    def start_webhook(self, delivery: WebhookDelivery) -> WebhookDelivery | None:
        """Deliver through ``delivery`` from now on, starting with what waits for a poll; returns
        the delivery it replaces (to be closed), if any."""
        previous, self.webhook = self.webhook, delivery
        waiting = previous.take_pending() if previous is not None else []
        waiting += self._pending
        self._pending = []
        for update in sorted(waiting, key=lambda u: u["update_id"]):
            delivery.submit(update)
        self._generation += 1  # a poll waiting now ends with 409
        self._wake()
        return previous

    def stop_webhook(self, *, drop_pending: bool) -> WebhookDelivery | None:
        """Back to ``getUpdates``: what the webhook had not delivered waits for a poll (unless
        dropped); returns the delivery to close."""
        previous, self.webhook = self.webhook, None
        if previous is not None:
            left = previous.take_pending()
            if not drop_pending:
                self._pending = sorted(self._pending + left, key=lambda u: u["update_id"])
        return previous

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative offset keeps the last ``-offset``."""
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def clear(self) -> None:
        """Drop every pending update (``deleteWebhook(drop_pending_updates=True)``)."""
        self._pending.clear()

    def close(self) -> None:
        """Release all waiting polls now (they return what they have, maybe nothing)."""
        self._closed = True
        self._wake()

    def reopen(self) -> None:
        """Let polls wait again after :meth:`close` (the emulator was restarted)."""
        self._closed = False

    async def get(
        self,
        *,
        offset: int | None = None,
        limit: int = 100,
        timeout: float = 0,
        allowed_updates: Iterable[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Answer one ``getUpdates`` call, waiting up to ``timeout`` seconds for updates.

        A newer call terminates an older waiting one with ``409 Conflict`` as Telegram does.
        """
        if self.webhook is not None:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        if allowed_updates is not None:
            self._allowed = frozenset(allowed_updates) or DEFAULT_ALLOWED_UPDATES
        if offset is not None:
            self.confirm(offset)
        self._generation += 1
        generation = self._generation
        self._wake()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0)
        while True:
            if self.webhook is not None:
                raise ApiError(409, _WEBHOOK_ACTIVE)
            if generation != self._generation:
                raise ApiError(409, _CONFLICT)
            self._pending = [u for u in self._pending if _kind(u) in self._allowed]
            remaining = deadline - loop.time()
            if self._pending or self._closed or remaining <= 0:
                batch = self._pending[: max(1, min(limit, 100))]
                if batch:
                    self.delivered_up_to = max(self.delivered_up_to, batch[-1]["update_id"])
                    self.delivered_at = time.monotonic()
                return batch
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait({waiter}, timeout=remaining)
            finally:
                self._waiters.discard(waiter)

    def _wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

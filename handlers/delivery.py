"""The outbox sender: the one place notifications leave for Telegram.

Services write notifications into the ``outbox`` table in the same transaction as the change
they announce. This sender claims due rows (a lease, so two senders never take the same row),
renders each for its recipient, sends it within Telegram's flood limits and marks it sent.

- 429: wait ``retry_after`` (every chat pauses: Telegram's flood control is per bot) and retry.
- 5xx, timeouts, dropped connections: retry with back-off; after a few tries the row waits in
  the database and is picked up again later — nothing is lost.
- 403 (blocked, never started) or a chat that is gone: the row is marked failed, the failure is
  recorded and an admin is told (once per chat).

Kinds are registered with ``@notification("kind")``; a renderer turns the row's params into a
``Rendered`` message for one recipient.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.i18n import Translator
from handlers.context import Deps
from storage.outbox import OutboxMessage

log = logging.getLogger("atensi.delivery")

LEASE = dt.timedelta(minutes=2)
BATCH = 50
INLINE_RETRIES = 4
IDLE_POLL_SECONDS = 5.0


@dataclasses.dataclass(frozen=True)
class Rendered:
    """One message for one recipient. ``edit_message_id`` edits an earlier message instead."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None
    edit_message_id: int | None = None
    document: tuple[str, bytes] | None = None  # (file name, content): sent with ``text`` as caption


Renderer = Callable[[Deps, Translator, dict[str, Any]], Awaitable[Rendered | None]]
AfterSend = Callable[[Deps, dict[str, Any], int, int], Awaitable[None]]  # (deps, params, chat_id, message_id)


@dataclasses.dataclass(frozen=True)
class NotificationKind:
    render: Renderer
    after_send: AfterSend | None = None


NOTIFICATIONS: dict[str, NotificationKind] = {}


def notification(kind: str, *, after_send: AfterSend | None = None) -> Callable[[Renderer], Renderer]:
    """Register the renderer of one outbox kind."""

    def register(render: Renderer) -> Renderer:
        if kind in NOTIFICATIONS:
            raise ValueError(f"notification kind registered twice: {kind}")
        NOTIFICATIONS[kind] = NotificationKind(render, after_send)
        return render

    return register


class Pacer:
    """Telegram's flood limits: ~30 messages/s overall, 20/min per group, ~1/s per private chat."""

    def __init__(self, overall_per_second: float = 30, group_per_minute: float = 20,
                 private_per_second: float = 1) -> None:
        self._overall_gap = 1 / overall_per_second
        self._group_gap = 60 / group_per_minute
        self._private_gap = 1 / private_per_second
        self._next_any = 0.0
        self._next_chat: dict[int, float] = {}
        self._lock = asyncio.Lock()

    def pause_all(self, seconds: float) -> None:
        self._next_any = max(self._next_any, time.monotonic() + seconds)

    async def wait_turn(self, chat_id: int) -> None:
        async with self._lock:
            gap = self._group_gap if chat_id < 0 else self._private_gap
            now = time.monotonic()
            start = max(now, self._next_any, self._next_chat.get(chat_id, 0.0))
            self._next_any = start + self._overall_gap
            self._next_chat[chat_id] = start + gap
        delay = start - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


class OutboxSender:
    """Drains the outbox while the bot runs."""

    def __init__(self, bot: Bot, deps: Deps, *, pacer: Pacer | None = None) -> None:
        self.bot = bot
        self.deps = deps
        self.pacer = pacer or Pacer()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.stats = {"sent": 0, "failed": 0, "retried": 0, "rate_limited": 0}

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self.deps.services.storage.outbox_listeners.append(self.wake)
        self._task = asyncio.create_task(self._run(), name="outbox-sender")
        self.wake()

    async def stop(self) -> None:
        if self.wake in self.deps.services.storage.outbox_listeners:
            self.deps.services.storage.outbox_listeners.remove(self.wake)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=IDLE_POLL_SECONDS)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                while await self.drain_once():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must survive anything one batch does
                log.exception("outbox drain failed; will retry")

    async def drain_once(self) -> int:
        """Send one batch of due rows; return how many were handled."""
        now = self.deps.clock.now()
        async with self.deps.services.storage.transaction() as uow:
            batch = await uow.outbox.claim_due(now, limit=BATCH, lease=LEASE)
        # Different chats go out concurrently; one chat's messages stay in order.
        by_chat: dict[int, list[OutboxMessage]] = {}
        for message in batch:
            by_chat.setdefault(message.chat_id, []).append(message)
        await asyncio.gather(*(self._send_chat(messages) for messages in by_chat.values()))
        return len(batch)

    async def _send_chat(self, messages: list[OutboxMessage]) -> None:
        for message in messages:
            await self._deliver(message)

    async def _deliver(self, message: OutboxMessage) -> None:
        kind = NOTIFICATIONS.get(message.kind)
        storage = self.deps.services.storage
        if kind is None:
            log.error("outbox %s: unknown kind %s", message.id, message.kind)
            async with storage.transaction() as uow:
                await uow.outbox.mark_failed(message.id, "unknown kind")
            return
        t = await self._translator(message)
        rendered = await kind.render(self.deps, t, message.params)
        if rendered is None:  # nothing to say any more (e.g. the item changed again)
            async with storage.transaction() as uow:
                await uow.outbox.mark_sent(message.id, None, self.deps.clock.now())
            return
        for attempt in range(1, INLINE_RETRIES + 1):
            await self.pacer.wait_turn(message.chat_id)
            try:
                message_id = await self._send(message.chat_id, rendered)
            except RetryAfter as error:
                self.stats["rate_limited"] += 1
                seconds = error.retry_after if isinstance(error.retry_after, (int, float)) else error.retry_after.total_seconds()
                self.pacer.pause_all(float(seconds))
                continue
            except (Forbidden, BadRequest) as error:
                await self._give_up(message, error)
                return
            except (TimedOut, NetworkError) as error:
                self.stats["retried"] += 1
                if attempt == INLINE_RETRIES:
                    await self._later(message, error)
                    return
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            async with storage.transaction() as uow:
                await uow.outbox.mark_sent(message.id, message_id, self.deps.clock.now())
            self.stats["sent"] += 1
            if kind.after_send is not None and message_id is not None:
                await kind.after_send(self.deps, message.params, message.chat_id, message_id)
            return
        await self._later(message, RetryAfter(1))

    async def _send(self, chat_id: int, rendered: Rendered) -> int | None:
        if rendered.edit_message_id is not None:
            try:
                result = await self.bot.edit_message_text(
                    rendered.text, chat_id=chat_id, message_id=rendered.edit_message_id,
                    parse_mode=ParseMode.HTML, reply_markup=rendered.reply_markup)
            except BadRequest as error:
                if "not modified" in error.message.lower():
                    return rendered.edit_message_id
                raise
            return rendered.edit_message_id if result is True else getattr(result, "message_id", None)
        if rendered.document is not None:
            name, content = rendered.document
            sent = await self.bot.send_document(chat_id, InputFile(content, filename=name), caption=rendered.text,
                                                parse_mode=ParseMode.HTML, reply_markup=rendered.reply_markup)
            return sent.message_id
        sent = await self.bot.send_message(chat_id, rendered.text, parse_mode=ParseMode.HTML,
                                           reply_markup=rendered.reply_markup)
        return sent.message_id

    async def _translator(self, message: OutboxMessage) -> Translator:
        locale = None
        if message.person_id is not None:
            async with self.deps.services.storage.reading() as uow:
                person = await uow.people.by_id(message.person_id)
            locale = person.locale if person else None
        return self.deps.translations.for_locale(locale)

    async def _later(self, message: OutboxMessage, error: Exception) -> None:
        delay = dt.timedelta(seconds=min(3600, 30 * 2 ** min(message.attempts, 7)))
        log.warning("outbox %s: %s, retrying in %s", message.id, type(error).__name__, delay)
        async with self.deps.services.storage.transaction() as uow:
            await uow.outbox.reschedule(message.id, self.deps.clock.now() + delay, type(error).__name__)

    async def _give_up(self, message: OutboxMessage, error: TelegramError) -> None:
        self.stats["failed"] += 1
        log.warning("outbox %s to chat %s failed for good: %s", message.id, message.chat_id, type(error).__name__)
        now = self.deps.clock.now()
        async with self.deps.services.storage.transaction() as uow:
            await uow.outbox.mark_failed(message.id, f"{type(error).__name__}: {error.message[:150]}")
            if message.kind != "delivery_failed":
                for chat_id in await self._admin_chats(uow):
                    await uow.outbox.enqueue(
                        dedupe_key=f"delivery_failed:{message.chat_id}:{chat_id}", chat_id=chat_id,
                        kind="delivery_failed", now=now,
                        params={"chat_id": message.chat_id, "kind": message.kind, "person_id": message.person_id},
                    )

    async def _admin_chats(self, uow: Any) -> list[int]:
        return await uow.people.admin_chat_ids(self.deps.settings.access.admin_user_ids)

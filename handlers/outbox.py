"""The outbox sender: the one place notifications leave for Telegram.

Services write notifications into the ``outbox`` table in the same transaction as the change
they announce. This sender claims due rows (a lease, so two senders never take the same row),
renders each for its recipient, sends it within Telegram's flood limits and marks it sent.

Rows flow through per-chat queues: each chat's messages go out in order, one at a time, while
different chats proceed side by side under one :class:`Pacer` (≈30 messages/s overall, 20/min per
group, 1/s per private chat). There is no batch barrier, so a slow group chat never holds up the
private chats claimed with it.

- 429: every chat pauses for ``retry_after`` (Telegram's flood control is per bot), then retries.
- 5xx, timeouts, dropped connections: retry with back-off; after a few tries the row waits in
  the database and is picked up again later — nothing is lost.
- 403 (blocked, never started) or a chat that is gone: the row is marked failed and an admin is
  told (once per chat). An edit whose message is gone just fails: the chat itself is fine.
- A renderer or hook that raises is logged and the row retried later (failed after a few tries),
  so one bad row never stops the others.

Kinds are registered with ``@notification("kind")``; a renderer turns the row's params into a
``Rendered`` message for one recipient. ``on_sent`` runs in the very transaction that marks the
row sent (e.g. to remember which message is a group card), so a crash cannot separate the two.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.i18n import Translator
from handlers.context import Deps
from bot.domain.records import OutboxMessage
from storage.unit import UnitOfWork

log = logging.getLogger("atensi.delivery")

# The default lease ([delivery] lease_seconds): long enough to cover a row's wait in its chat's local
# queue (BACKLOG rows at most, group chats at 3 s each): a lease that ran out while the row still
# waited here would let another sender take it. (This sender itself never takes a row twice: it
# skips the rows it holds, so a short lease only matters with several instances.)
# Kinds whose failures are reported elsewhere (no "could not deliver" notice to admins).
SELF_REPORTING_KINDS = frozenset({"delivery_failed", "broadcast"})
LEASE = dt.timedelta(minutes=10)
BATCH = 50
BACKLOG = 150  # rows held in local queues at most
INLINE_RETRIES = 4  # 5xx / timeouts in a row before the row waits in the database
MAX_RATE_LIMITED = 20  # 429s in a row for one row before it waits in the database
MAX_ATTEMPTS = 8  # a row that keeps failing to render or send is given up after this many claims
MARK_ATTEMPTS = 8  # tries to record a delivered row (≈ 20 s of a busy database) before leaving it to its lease
IDLE_POLL_SECONDS = 5.0


@dataclasses.dataclass(frozen=True)
class Rendered:
    """One message for one recipient. ``edit_message_id`` edits an earlier message instead."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None
    edit_message_id: int | None = None
    document: tuple[str, bytes] | None = None  # (file name, content): sent with ``text`` as caption
    photo: tuple[str, bytes] | None = None  # (file name, PNG/JPEG): sent as a photo with ``text`` as caption


Renderer = Callable[[Deps, Translator, dict[str, Any]], Awaitable[Rendered | None]]
AfterSend = Callable[[Deps, dict[str, Any], int, int], Awaitable[None]]  # (deps, params, chat_id, message_id)
# (deps, uow, params, chat_id, message_id): runs inside the transaction that marks the row sent.
OnSent = Callable[[Deps, UnitOfWork, dict[str, Any], int, int], Awaitable[None]]


@dataclasses.dataclass(frozen=True)
class NotificationKind:
    render: Renderer
    after_send: AfterSend | None = None
    on_sent: OnSent | None = None


NOTIFICATIONS: dict[str, NotificationKind] = {}


def notification(kind: str, *, after_send: AfterSend | None = None,
                 on_sent: OnSent | None = None) -> Callable[[Renderer], Renderer]:
    """Register the renderer of one outbox kind (and optionally what to do once it is sent)."""

    def register(render: Renderer) -> Renderer:
        if kind in NOTIFICATIONS:
            raise ValueError(f"notification kind registered twice: {kind}")
        NOTIFICATIONS[kind] = NotificationKind(render, after_send, on_sent)
        return render

    return register


class Pacer:
    """Telegram's flood limits: ~30 messages/s overall, 20/min per group, ~1/s per private chat.

    Each send reserves the earliest slot that respects all three, then sleeps until it; a 429
    pauses every chat (``pause_all``), including sends that had already reserved a slot.
    """

    # 29/s, not 30: sends reach Telegram with a few ms of jitter, and a 31st message inside any
    # one-second window costs a 429 that pauses every chat for a whole second (measured with
    # bench/bench_outbox.py: at 30/s, 130 429s and +25 % time for 600 messages; at 29/s none, +3.5 %).
    def __init__(self, overall_per_second: float = 29, group_per_minute: float = 20,
                 private_per_second: float = 1) -> None:
        self._overall_gap = 1 / overall_per_second
        self._group_gap = 60 / group_per_minute
        self._private_gap = 1 / private_per_second
        self._next_any = 0.0
        self._paused_until = 0.0
        self._next_chat: dict[int, float] = {}
        self._before: dict[int, float] = {}  # each chat's slot before its latest reservation
        self._lock = asyncio.Lock()

    def pause_all(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self._next_any = max(self._next_any, self._paused_until)

    def not_sent(self, chat_id: int) -> None:
        """The reserved send failed (5xx, 429, timeout): the chat's own gap was not used up, so a
        retry need not wait 3 s more in a group."""
        if chat_id in self._before:
            self._next_chat[chat_id] = self._before.pop(chat_id)

    async def wait_turn(self, chat_id: int, *, edit: bool = False) -> None:
        """Wait for this chat's next slot. Edits (a card updated in place) are not new messages:
        they keep to the overall rate but neither wait for nor use up the chat's own gap, so a
        card changes as soon as someone presses its button."""
        while True:
            async with self._lock:
                gap = self._group_gap if chat_id < 0 else self._private_gap
                now = time.monotonic()
                start = max(now, self._next_any, 0.0 if edit else self._next_chat.get(chat_id, 0.0))
                self._next_any = start + self._overall_gap
                if not edit:
                    self._before[chat_id] = self._next_chat.get(chat_id, 0.0)
                    self._next_chat[chat_id] = start + gap
                if len(self._next_chat) > 10_000:  # forget chats whose gap has long passed
                    self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
                    self._before = {c: t for c, t in self._before.items() if c in self._next_chat}
            delay = start - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if self._paused_until <= start:
                return
            # A 429 paused everyone and this slot fell inside the pause: it is void. Queue again
            # behind the pause, or every chat waiting in it would fire at once when it ends.
            if not edit:
                self.not_sent(chat_id)


class OutboxSender:
    """Drains the outbox while the bot runs."""

    def __init__(self, bot: Bot, deps: Deps, *, pacer: Pacer | None = None, backlog: int = BACKLOG) -> None:
        self.bot = bot
        self.deps = deps
        self.pacer = pacer or Pacer()
        self.backlog = backlog
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._queues: dict[int, deque[OutboxMessage]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._held: set[int] = set()  # ids of the rows in local queues
        self.stats = {"sent": 0, "failed": 0, "retried": 0, "rate_limited": 0}
        self._stopping = False
        self.lease = dt.timedelta(seconds=deps.settings.delivery.lease_seconds)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self.deps.services.storage.outbox_listeners.append(self.wake)
        self._task = asyncio.create_task(self._run(), name="outbox-sender")
        self.wake()

    async def stop(self, *, grace: float = 10.0) -> None:
        """Stop claiming, let each chat finish the message in hand, release the rest.

        Cancelling a send half-way could leave a message that Telegram accepted but the outbox
        still holds as pending: sent again after the restart. So in-flight sends may finish
        (within ``grace`` seconds); rows still waiting locally get their lease back at once.
        """
        if self.wake in self.deps.services.storage.outbox_listeners:
            self.deps.services.storage.outbox_listeners.remove(self.wake)
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        workers = list(self._workers.values())
        if workers:
            _, late = await asyncio.wait(workers, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._held:
            async with self.deps.services.storage.transaction() as uow:
                await uow.outbox.release(sorted(self._held))
        self._workers.clear()
        self._queues.clear()
        self._held.clear()

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=IDLE_POLL_SECONDS)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                while await self._fill():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must survive anything one claim does
                log.exception("outbox claim failed; will retry")

    async def _fill(self) -> int:
        """Claim due rows into the per-chat queues (up to the backlog); return how many are new."""
        room = self.backlog - len(self._held)
        if room <= 0:
            return 0
        async with self.deps.services.storage.transaction() as uow:
            batch = await uow.outbox.claim_due(self.deps.clock.now(), limit=min(room, BATCH), lease=self.lease)
        new = 0
        for message in batch:
            if message.id in self._held:  # claimed again while still waiting here: already ours
                continue
            self._held.add(message.id)
            self._queues.setdefault(message.chat_id, deque()).append(message)
            if message.chat_id not in self._workers:
                self._workers[message.chat_id] = asyncio.create_task(self._work(message.chat_id))
            new += 1
        return new

    async def drain_once(self) -> int:
        """Claim one batch and deliver it (and anything already queued); return how many were claimed."""
        claimed = await self._fill()
        await self.idle()
        return claimed

    async def idle(self) -> None:
        """Wait until the local queues are empty."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def _work(self, chat_id: int) -> None:
        """Deliver one chat's queued rows in order."""
        queue = self._queues[chat_id]
        try:
            while queue and not self._stopping:
                message = queue[0]
                try:
                    await self._deliver(message)
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # a renderer or hook bug: this row only
                    log.exception("outbox %s (%s) could not be delivered", message.id, message.kind)
                    try:
                        await self._later(message, error)
                    except Exception:  # the database is unavailable too: the lease brings the row back
                        log.exception("outbox %s: could not be rescheduled; retried when its lease ends", message.id)
                queue.popleft()
                self._held.discard(message.id)
                self.wake()  # room for more rows
        finally:
            if not queue:
                self._queues.pop(chat_id, None)
            self._workers.pop(chat_id, None)

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
        failures = limited = 0
        while True:
            await self.pacer.wait_turn(message.chat_id, edit=rendered.edit_message_id is not None)
            try:
                message_id = await self._send(message.chat_id, rendered)
            except RetryAfter as error:
                # Not a failure of this message: Telegram says when to try again. Only an endless
                # series of them sends the row back to the database.
                self.stats["rate_limited"] += 1
                self.pacer.not_sent(message.chat_id)
                seconds = error.retry_after if isinstance(error.retry_after, (int, float)) else error.retry_after.total_seconds()
                self.pacer.pause_all(float(seconds))
                limited += 1
                if limited >= MAX_RATE_LIMITED:
                    await self._later(message, error)
                    return
                continue
            except Forbidden as error:
                await self._give_up(message, error, tell_admins=True)
                return
            except BadRequest as error:
                # The chat exists (or it is an edit of a message that is gone): nothing an admin can fix
                # unless the chat itself was not found.
                await self._give_up(message, error, tell_admins="chat not found" in error.message.lower())
                return
            except (TimedOut, NetworkError) as error:
                self.stats["retried"] += 1
                self.pacer.not_sent(message.chat_id)
                failures += 1
                if failures >= INLINE_RETRIES:
                    await self._later(message, error)
                    return
                await asyncio.sleep(0.2 * 2**failures)
                continue
            await self._sent(kind, message, message_id)
            return

    async def _sent(self, kind: NotificationKind, message: OutboxMessage, message_id: int | None) -> None:
        """Record the delivery. The message is out: its bookkeeping must not make it go twice, so a
        database that is busy (locked longer than the busy timeout) is waited out here, with the row
        in hand, instead of letting the row be sent again later."""
        now = self.deps.clock.now()
        for attempt in range(1, MARK_ATTEMPTS + 1):
            try:
                await self._mark_sent(kind, message, message_id, now)
                break
            except asyncio.CancelledError:
                raise
            except Exception:
                if attempt == MARK_ATTEMPTS:
                    raise
                log.warning("outbox %s: sent, but could not be recorded yet (attempt %d); trying again",
                            message.id, attempt)
                await asyncio.sleep(min(0.5 * 2 ** (attempt - 1), 5.0))
        self.stats["sent"] += 1
        if kind.after_send is not None and message_id is not None:
            await kind.after_send(self.deps, message.params, message.chat_id, message_id)

    async def _mark_sent(self, kind: NotificationKind, message: OutboxMessage, message_id: int | None,
                         now: dt.datetime) -> None:
        storage = self.deps.services.storage
        in_hook = False
        try:
            async with storage.transaction() as uow:
                await uow.outbox.mark_sent(message.id, message_id, now)
                if kind.on_sent is not None and message_id is not None:
                    in_hook = True
                    await kind.on_sent(self.deps, uow, message.params, message.chat_id, message_id)
                    in_hook = False
        except Exception:
            if not in_hook:
                raise  # the storage failed (e.g. locked): the caller tries again, hook included
            # The hook itself is broken: never send the message twice because of it.
            log.exception("outbox %s: on_sent failed; marking sent without it", message.id)
            async with storage.transaction() as uow:
                await uow.outbox.mark_sent(message.id, message_id, now)

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
        if rendered.photo is not None:
            name, content = rendered.photo
            sent = await self.bot.send_photo(chat_id, InputFile(content, filename=name), caption=rendered.text or None,
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
        async with self.deps.services.storage.transaction() as uow:
            if message.attempts >= MAX_ATTEMPTS:
                self.stats["failed"] += 1
                log.error("outbox %s: giving up after %s attempts (%s)", message.id, message.attempts,
                          type(error).__name__)
                await uow.outbox.mark_failed(message.id, f"gave up: {type(error).__name__}")
                return
            delay = dt.timedelta(seconds=min(3600, 30 * 2 ** min(message.attempts, 7)))
            log.warning("outbox %s: %s, retrying in %s", message.id, type(error).__name__, delay)
            await uow.outbox.reschedule(message.id, self.deps.clock.now() + delay, type(error).__name__)

    async def _give_up(self, message: OutboxMessage, error: TelegramError, *, tell_admins: bool) -> None:
        self.stats["failed"] += 1
        log.warning("outbox %s to chat %s failed for good: %s", message.id, message.chat_id, type(error).__name__)
        now = self.deps.clock.now()
        async with self.deps.services.storage.transaction() as uow:
            await uow.outbox.mark_failed(message.id, f"{type(error).__name__}: {error.message[:150]}")
            # Broadcasts report their own failures to the admin who sent them.
            if tell_admins and message.kind not in SELF_REPORTING_KINDS:
                for chat_id in await self._admin_chats(uow):
                    await uow.outbox.enqueue(
                        dedupe_key=f"delivery_failed:{message.chat_id}:{chat_id}", chat_id=chat_id,
                        kind="delivery_failed", now=now,
                        params={"chat_id": message.chat_id, "kind": message.kind, "person_id": message.person_id},
                    )

    async def _admin_chats(self, uow: Any) -> list[int]:
        return await uow.people.admin_chat_ids()

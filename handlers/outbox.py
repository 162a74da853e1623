"""The outbox sender: the one place notifications leave for Telegram.

Services write notifications into the ``outbox`` table in the same transaction as the change
they announce. This sender claims due rows (a lease, so two senders never take the same row),
renders each for its recipient, sends it within Telegram's flood limits and marks it sent.

Rows flow through per-chat queues: each chat's messages go out in order, one at a time, while
different chats proceed side by side. Telegram's flood limits (≈30 messages/s overall, 20/min per
group, 1/s per private chat for notifications) are kept by the bot's one rate limiter
(:mod:`handlers.flood`), which every call passes. There is no batch barrier, so a slow group chat
never holds up the private chats claimed with it.

This sender is the one retry layer for notifications (the limiter does not retry them):

- 429: the limiter pauses every chat for ``retry_after`` (Telegram's flood control is per bot);
  this chat's queue waits it out and tries again.
- 5xx, timeouts, dropped connections: retry with back-off; after a few tries the row waits in
  the database and is picked up again later — nothing is lost.
- 403 (blocked, never started) or a chat that is gone: the row is marked failed and an admin is
  told (once per chat). An edit whose message is gone just fails: the chat itself is fine.
- A renderer or hook that raises is logged and the row retried later (failed after a few tries),
  so one bad row never stops the others.

Each kind has one renderer (the ``NOTIFICATIONS`` table in ``handlers/__init__.py``), which turns
the row's params into a ``Rendered`` message for one recipient. Every change to the outbox table goes through
:class:`bot.services.outbox.OutboxService` — marking a row sent also records what that kind's
delivery means (a group card remembers its message), in one transaction.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.domain.kinds import NotificationKind
from bot.domain.records import OutboxMessage
from bot.i18n import Translator
from handlers.context import Deps
from handlers.flood import OUTBOX, retry_seconds

log = logging.getLogger("atensi.delivery")

BATCH = 50
BACKLOG = 150  # rows held in local queues at most
INLINE_RETRIES = 5  # 5xx / timeouts in a row (≈ 6 s of back-off) before the row waits in the database
MAX_RATE_LIMITED = 20  # 429s in a row for one row before it waits in the database
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


class OutboxSender:
    """Drains the outbox while the bot runs."""

    def __init__(
        self,
        bot: Bot,
        deps: Deps,
        renderers: Mapping[NotificationKind, Renderer] | Mapping[str, Renderer],
        *,
        backlog: int = BACKLOG,
    ) -> None:
        self.bot = bot
        self.deps = deps
        self.renderers: dict[str, Renderer] = {str(kind): render for kind, render in renderers.items()}
        self.backlog = backlog
        # Marks the calls as notifications for the rate limiter (PTB refuses the mark without one).
        self._limits: dict[str, Any] = {"rate_limit_args": OUTBOX} if getattr(bot, "rate_limiter", None) else {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._queues: dict[int, deque[OutboxMessage]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._held: set[int] = set()  # ids of the rows in local queues
        # Rows this sender delivered (or gave up) lately. A row whose lease ran out while it was
        # being sent can be claimed again by a claim that committed just before the row was marked
        # sent; without this, it would be queued — and sent — a second time once it left _held.
        # The value is the record still owed: a delivery whose mark never landed (the database was
        # down longer than MARK_ATTEMPTS) is recorded when its lease brings the row back here.
        self._finished: dict[int, Callable[[], Awaitable[None]] | None] = {}
        self._recording: set[asyncio.Task[None]] = set()
        # A claim is committed before its rows reach the local queues: while one is under way the
        # rows are neither due in the database nor held here, and the sender is still busy.
        self._claiming = 0
        self.stats = {"sent": 0, "failed": 0, "retried": 0, "rate_limited": 0}
        self._stopping = False
        self.lease = dt.timedelta(seconds=deps.settings.delivery.lease_seconds)

    def wake(self) -> None:
        self._wake.set()

    @property
    def busy(self) -> bool:
        """Woken and not yet claiming, rows being claimed, or held here: queued for their chat or
        being sent."""
        return (
            self._wake.is_set()
            or bool(self._claiming)
            or bool(self._held)
            or bool(self._workers)
            or bool(self._recording)
        )

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
            await self.deps.services.outbox.release(sorted(self._held))
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
        self._claiming += 1
        try:
            batch = await self.deps.services.outbox.claim_due(limit=min(room, BATCH), lease=self.lease)
            return self._queue(batch)
        finally:
            self._claiming -= 1

    def _queue(self, batch: Sequence[OutboxMessage]) -> int:
        """Put claimed rows in their chat's queue (starting its worker); return how many are new."""
        new = 0
        for message in batch:
            if message.id in self._held:  # claimed again while still waiting here: already ours
                continue
            if message.id in self._finished:  # claimed again as it was being marked sent: done
                owed = self._finished[message.id]
                if owed is not None:  # delivered, but never recorded: record it now, never send it again
                    task = asyncio.create_task(self._record_owed(message, owed))
                    self._recording.add(task)
                    task.add_done_callback(self._recording.discard)
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
        render = self.renderers.get(message.kind)
        outbox = self.deps.services.outbox
        if render is None:
            log.error("outbox %s: unknown kind %s", message.id, message.kind)
            await outbox.mark_failed(message, "unknown kind")
            return
        t = self.deps.translations.for_reader(*await outbox.recipient(message))
        rendered = await render(self.deps, t, message.params)
        if rendered is None:  # nothing to say any more (e.g. the item changed again)
            await outbox.mark_sent(message, None, self.deps.clock.now())
            self._finish(message)
            return
        failures = limited = 0
        while True:
            try:
                message_id = await self._send(message.chat_id, rendered)
            except RetryAfter as error:
                # Not a failure of this message: Telegram says when to try again (the limiter has
                # paused every chat for as long). Only an endless series sends the row back.
                self.stats["rate_limited"] += 1
                limited += 1
                if limited >= MAX_RATE_LIMITED:
                    await self._later(message, error)
                    return
                await asyncio.sleep(retry_seconds(error))
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
                failures += 1
                if failures >= INLINE_RETRIES:
                    await self._later(message, error)
                    return
                await asyncio.sleep(0.2 * 2**failures)
                continue
            await self._sent(message, message_id)
            return

    async def _sent(self, message: OutboxMessage, message_id: int | None) -> None:
        """Record the delivery. The message is out: its bookkeeping must not make it go twice, so a
        database that is busy (locked longer than the busy timeout) is waited out here, with the row
        in hand, instead of letting the row be sent again later."""
        self._finish(message)  # from now on this sender never sends it again
        now = self.deps.clock.now()
        self.stats["sent"] += 1
        for attempt in range(1, MARK_ATTEMPTS + 1):
            try:
                await self.deps.services.outbox.mark_sent(message, message_id, now)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                if attempt == MARK_ATTEMPTS:
                    break
                log.warning(
                    "outbox %s: sent, but could not be recorded yet (attempt %d); trying again", message.id, attempt
                )
                await asyncio.sleep(min(0.5 * 2 ** (attempt - 1), 5.0))
        # Still pending in the database, under its lease: when the lease brings it back to this
        # sender it is recorded then (not sent again, and not rescheduled as a failure).
        log.error(
            "outbox %s: sent, but not recorded after %d attempts; recorded when it comes back", message.id, attempt
        )
        self._finish(message, owed=lambda: self.deps.services.outbox.mark_sent(message, message_id, now))

    async def _record_owed(self, message: OutboxMessage, owed: Callable[[], Awaitable[None]]) -> None:
        try:
            await owed()
        except Exception:  # still unavailable: the next lease brings it back once more
            log.warning("outbox %s: delivered earlier, still not recorded; trying at its next lease", message.id)
            return
        if self._finished.get(message.id) is owed:
            self._finished[message.id] = None
        log.info("outbox %s: delivered earlier, recorded now", message.id)

    async def _send(self, chat_id: int, rendered: Rendered) -> int | None:
        if rendered.edit_message_id is not None:
            try:
                result = await self.bot.edit_message_text(
                    rendered.text,
                    chat_id=chat_id,
                    message_id=rendered.edit_message_id,
                    reply_markup=rendered.reply_markup,
                    **self._limits,
                )
            except BadRequest as error:
                if "not modified" in error.message.lower():
                    return rendered.edit_message_id
                raise
            return rendered.edit_message_id if result is True else getattr(result, "message_id", None)
        if rendered.document is not None:
            name, content = rendered.document
            sent = await self.bot.send_document(
                chat_id,
                InputFile(content, filename=name),
                caption=rendered.text,
                reply_markup=rendered.reply_markup,
                **self._limits,
            )
            return sent.message_id
        if rendered.photo is not None:
            name, content = rendered.photo
            sent = await self.bot.send_photo(
                chat_id,
                InputFile(content, filename=name),
                caption=rendered.text or None,
                reply_markup=rendered.reply_markup,
            )
            return sent.message_id
        sent = await self.bot.send_message(chat_id, rendered.text, reply_markup=rendered.reply_markup, **self._limits)
        return sent.message_id

    async def _later(self, message: OutboxMessage, error: Exception) -> None:
        if not await self.deps.services.outbox.try_later(message, type(error).__name__):
            self.stats["failed"] += 1
            log.error("outbox %s: giving up after %s attempts (%s)", message.id, message.attempts, type(error).__name__)

    def _finish(self, message: OutboxMessage, *, owed: Callable[[], Awaitable[None]] | None = None) -> None:
        self._finished[message.id] = owed
        if len(self._finished) > 4 * BACKLOG:  # forget the oldest recorded one (never one still owed)
            oldest = next((key for key, due in self._finished.items() if due is None), None)
            if oldest is not None:
                del self._finished[oldest]

    async def _give_up(self, message: OutboxMessage, error: TelegramError, *, tell_admins: bool) -> None:
        self._finish(message)
        self.stats["failed"] += 1
        log.warning("outbox %s to chat %s failed for good: %s", message.id, message.chat_id, type(error).__name__)

        async def record() -> None:
            await self.deps.services.outbox.give_up(
                message, f"{type(error).__name__}: {error.message[:150]}", tell_admins=tell_admins
            )

        try:
            await record()
        except Exception:  # the database is unavailable: recorded when the lease brings the row back
            log.exception("outbox %s: failed for good, not recorded yet", message.id)
            self._finish(message, owed=record)

"""The one rate limiter: every call to Telegram passes it, replies and notifications alike.

Telegram's flood limits are per bot: about 30 messages a second overall, 20 a minute in a group,
about one a second in a private chat; a 429 says how long *every* chat must wait. Each send
waits for its chat's own gap, then for room in the overall window (:class:`FloodSlots`), in the
order the sends asked; a 429 pauses every chat, and the sends waiting start in that order when the
pause ends.

Retries are one layer per kind of call, never stacked:

- A person's answer (a handler's reply or edit) is retried here: a 429 after its ``retry_after``
  (up to ``max_retries``), and a call Telegram certainly did not carry out (5xx, no connection)
  twice with a short back-off — a one-off 502 must not cost a person their answer.
- A notification from the outbox (``rate_limit_args=OUTBOX``) is not retried here: the outbox
  sender has its own retries and, after them, puts the row back in the database. Only
  notifications keep to the private chat's one-a-second: a reply to what a person just did is
  never held back behind their own previous answer.

Edits (a card updated in place) keep to the overall rate but neither wait for nor use up the
chat's own gap, so a card changes as soon as someone presses its button.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import warnings
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger("atensi.api")

OUTBOX = "outbox"  # rate_limit_args of the outbox sender's calls
EDITS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption", "deleteMessage"})


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asks to wait. (PTB 22 warns on reading ``retry_after`` until it becomes
    a timedelta for good; either type is read here, without the warning.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def not_carried_out(error: NetworkError) -> bool:
    """Telegram certainly did not carry the call out: it answered 5xx (PTB raises a bare
    NetworkError with Telegram's description), or no connection could be made, or the server
    closed it without any answer (typically a kept-alive connection it had already dropped).
    Not a timeout (the call may have been done) and not 400/403/409 (retrying cannot help)."""
    if type(error) is not NetworkError:  # BadRequest, TimedOut are subclasses
        return False
    message = error.message
    if message.startswith("httpx."):
        return message.startswith(("httpx.ConnectError", "httpx.RemoteProtocolError"))
    return not message.startswith("Unknown error")


class FloodSlots:
    """The three limits, and the pause that a 429 imposes on every chat.

    The overall limit is a window: a send starts at once unless ``overall_per_second`` sends are
    in flight or finished within the last second (beyond half of that, at an even spacing). Counting them
    until they *finish* keeps any second of their arrivals at Telegram within the limit however
    late each one arrives (a send that starts after them arrives after they started), so a burst
    — a person's answer on a quiet bot, the first of a round of reminders — goes out without
    waiting and without a 429. Sends start in the order they asked (FIFO). A chat's own gap is
    waited for first and apart, so a group's 3-second gap never holds back the other chats."""

    # 29, not 30: a margin for Telegram counting a moment differently than we do (with an even
    # spacing at 30/s bench/bench_outbox.py saw 130 429s and +25 % time for 600 messages; at 29/s none).
    def __init__(
        self, overall_per_second: float = 29, group_per_minute: float = 20, private_per_second: float = 1
    ) -> None:
        self._overall_limit = max(1, int(overall_per_second))
        # Up to half the window starts at once (a quiet bot answers without waiting); beyond it,
        # an even spacing, so that a sustained load does not fill the window in one burst and then
        # hold everyone back for a second.
        self._smooth_from = max(1, self._overall_limit // 2)
        self._overall_gap = 1 / overall_per_second
        self._last_start = 0.0
        self._group_gap = 60 / group_per_minute
        self._private_gap = 1 / private_per_second
        self._in_flight = 0
        self._finished: deque[float] = deque()  # when the sends of the last second finished, oldest first
        self._waiting: deque[asyncio.Future[None]] = deque()  # sends waiting to start, in order
        self._timer: asyncio.TimerHandle | None = None
        self._paused_until = 0.0
        self._next_chat: dict[int, float] = {}
        self._before: dict[int, float] = {}  # each chat's slot before its latest reservation

    def pause_all(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def not_sent(self, chat_id: int) -> None:
        """The send failed (5xx, 429, timeout): the chat's own gap was not used up, so a retry need
        not wait 3 s more in a group."""
        if chat_id in self._before:
            self._next_chat[chat_id] = self._before.pop(chat_id)

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int | None, *, own_gap: bool) -> AsyncIterator[None]:
        """Wait for this send's turn, then hold its place in the window until it has finished;
        ``own_gap``: the chat's own gap applies (and is used up)."""
        if own_gap and chat_id is not None:
            await _sleep_until(self._reserve_chat(chat_id))
        await self._admitted()
        try:
            yield
        finally:
            self._in_flight -= 1
            self._finished.append(time.monotonic())
            self._admit_waiting()

    def _reserve_chat(self, chat_id: int) -> float:
        now = time.monotonic()
        before = self._next_chat.get(chat_id, 0.0)
        slot = max(now, before)
        self._before[chat_id] = before
        self._next_chat[chat_id] = slot + (self._group_gap if chat_id < 0 else self._private_gap)
        if len(self._next_chat) > 10_000:  # forget chats whose gap has long passed
            self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
            self._before = {c: t for c, t in self._before.items() if c in self._next_chat}
        return slot

    def _room_at(self, now: float) -> float | None:
        """When the next send may start (``now`` or later); None: once a send in flight finishes."""
        while self._finished and self._finished[0] <= now - 1.0:
            self._finished.popleft()
        used = self._in_flight + len(self._finished)
        at = max(now, self._paused_until)
        if used >= self._overall_limit:
            if not self._finished:
                return None
            at = max(at, self._finished[0] + 1.0)
        if used >= self._smooth_from:
            at = max(at, self._last_start + self._overall_gap)
        return at

    def _start(self, now: float) -> None:
        self._in_flight += 1
        self._last_start = now

    async def _admitted(self) -> None:
        now = time.monotonic()
        if not self._waiting and self._room_at(now) == now:
            self._start(now)
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        self._admit_waiting()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # admitted, then cancelled: give the place back
                self._in_flight -= 1
                self._admit_waiting()
            raise

    def _admit_waiting(self) -> None:
        """Start the waiting sends there is room for, in order; for the rest, wake up when there is
        next room (a send finishing wakes this too)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._waiting:
            now = time.monotonic()
            at = self._room_at(now)
            if at is None:
                return  # all the room is in flight: the next send to finish makes room
            if at > now:
                self._timer = asyncio.get_running_loop().call_later(at - now, self._admit_waiting)
                return
            waiter = self._waiting.popleft()
            if not waiter.done():  # a cancelled one has left
                self._start(now)
                waiter.set_result(None)


async def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


class FloodLimiter(BaseRateLimiter[str]):
    """PTB's rate-limiter hook filled with Telegram's limits (see the module docstring)."""

    transient_retries = 2
    backoff_seconds = 0.25

    def __init__(self, slots: FloodSlots | None = None, *, max_retries: int = 3) -> None:
        self.slots = slots or FloodSlots()
        self.max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        outbox = rate_limit_args == OUTBOX
        chat_id: int | None = None
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(data["chat_id"]) if data.get("chat_id") is not None else None
        # A group's 20/min counts every new message; a private chat's 1/s only notifications.
        own_gap = endpoint not in EDITS and chat_id is not None and (chat_id < 0 or outbox)
        limited = transient = 0
        while True:
            # Calls without a chat (getUpdates, answers to buttons) are not counted.
            turn = self.slots.turn(chat_id, own_gap=own_gap) if chat_id is not None else contextlib.nullcontext()
            try:
                async with turn:
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                if own_gap and chat_id is not None:
                    self.slots.not_sent(chat_id)
                self.slots.pause_all(retry_seconds(error))
                if outbox or limited >= self.max_retries:
                    raise
                limited += 1
                log.info("Bot API %s: 429, retry %d after the pause", endpoint, limited)
            except NetworkError as error:
                if own_gap and chat_id is not None:
                    self.slots.not_sent(chat_id)
                if outbox or transient >= self.transient_retries or not not_carried_out(error):
                    raise
                transient += 1
                log.warning("Bot API %s not carried out (%s); retry %d", endpoint, type(error).__name__, transient)
                await asyncio.sleep(self.backoff_seconds * 2 ** (transient - 1))

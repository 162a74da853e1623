"""The one rate limiter: every call to Telegram passes it, replies and notifications alike.

Telegram's flood limits are per bot: about 30 messages a second overall, 20 a minute in a group,
about one a second in a private chat; a 429 says how long *every* chat must wait. Each send
reserves the earliest slot that respects them, then waits for it. A 429 pauses every chat; a slot
that falls inside the pause queues again behind it, or every waiting chat would fire at once when
the pause ends.

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
from collections.abc import Callable, Coroutine
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
    """Slot reservation under the three limits, and the pause that a 429 imposes on every chat."""

    # 29/s, not 30: sends reach Telegram with a few ms of jitter, and a 31st message inside any
    # one-second window costs a 429 that pauses every chat for a whole second (measured with
    # bench/bench_outbox.py: at 30/s, 130 429s and +25 % time for 600 messages; at 29/s none, +3.5 %).
    def __init__(
        self, overall_per_second: float = 29, group_per_minute: float = 20, private_per_second: float = 1
    ) -> None:
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

    async def wait_turn(self, chat_id: int | None, *, own_gap: bool) -> None:
        """Wait for the next slot; ``own_gap``: the chat's own gap applies (and is used up)."""
        while True:
            async with self._lock:
                now = time.monotonic()
                chat_slot = self._next_chat.get(chat_id, 0.0) if own_gap and chat_id is not None else 0.0
                start = max(now, self._next_any, chat_slot)
                self._next_any = start + self._overall_gap
                if own_gap and chat_id is not None:
                    gap = self._group_gap if chat_id < 0 else self._private_gap
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
            # A 429 paused everyone and this slot fell inside the pause: it is void. Queue again.
            if own_gap and chat_id is not None:
                self.not_sent(chat_id)


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
            if chat_id is not None:  # calls without a chat (getUpdates, answers to buttons) are not counted
                await self.slots.wait_turn(chat_id, own_gap=own_gap)
            try:
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

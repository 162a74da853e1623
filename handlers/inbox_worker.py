"""The webhook worker (``atensi-bot worker``): handle the inbox's updates, one chat at a time.

It claims updates the intake stored (:mod:`bot.services.inbox`), each the oldest pending update of
its chat and never a chat it already has in hand, and runs each through the same ``Application``
and handlers as polling does (``process_update``), in a task of its own — so the update's facts
(:mod:`bot.update_scope`) belong to it alone. Then:

- it succeeded (or stopped as a redelivery): the row is marked done;
- it failed after saving part of its change: done, with the error kept (a retry would be stopped
  at its first write anyway, and the person was told what was saved);
- it failed and saved nothing: tried again later with back-off, the person told nothing until the
  last try; after ``[webhook] max_attempts`` it is parked and each admin told once;
- the worker died half-way: the claim expires, another worker claims it; if the update's first
  write had committed (``processed_updates``), it is marked done without being handled again.

While an update runs its claim is renewed, so a slow upload is never taken by a second worker.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import socket
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.i18n import N_, Translator
from bot.services.inbox import InboxRow
from bot.update_scope import (
    DuplicateUpdate,
    begin_inbox_attempt,
    begin_update,
    committed_in_this_update,
    failure,
    note_failure,
)
from handlers.context import Deps, deps_of
from handlers.outbox import Rendered
from handlers.views import _

log = logging.getLogger("atensi.worker")


def process_name(role: str) -> str:
    """How this process is named in claims, the leader row and logs: role@host:pid."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}"


def describe(error: BaseException) -> str:
    """An error as kept in the inbox and told to admins: its type, and its text cut short."""
    text = str(error).splitlines()[0][:160] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class InboxWorker:
    """Claims and handles inbox updates until stopped."""

    def __init__(self, app: Application, *, name: str | None = None) -> None:
        self.app = app
        self.deps: Deps = deps_of(app)
        self.name = name or process_name("worker")
        cfg = self.deps.settings.webhook
        self.concurrency = cfg.concurrency
        self.lease = dt.timedelta(seconds=cfg.claim_seconds)
        self.max_attempts = cfg.max_attempts
        self.idle_poll = cfg.idle_poll_seconds
        self._wake = asyncio.Event()
        self._running: dict[int, tuple[int, asyncio.Task[None]]] = {}  # update id -> (chat, task)
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.stats = {"handled": 0, "retried": 0, "parked": 0, "skipped": 0}

    def wake(self) -> None:
        """An update was stored (NOTIFY), or a chat became free: claim now."""
        self._wake.set()

    @property
    def busy(self) -> bool:
        return bool(self._running)

    @property
    def in_hand(self) -> int:
        """Updates being handled now."""
        return len(self._running)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run(), name="inbox-worker"),
            asyncio.create_task(self._renew(), name="inbox-claims"),
        ]
        self.wake()

    async def stop(self, *, grace: float = 10.0) -> None:
        """Stop claiming; updates in hand may finish within ``grace`` seconds (a cancelled one's
        claim expires and another worker takes it)."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        running = [task for _, task in self._running.values()]
        if running:
            _, late = await asyncio.wait(running, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.idle_poll)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                while not self._stopping and await self._fill():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database failing for now: the next round tries again
                log.warning("inbox claim failed (%s); trying again", type(error).__name__)
                await asyncio.sleep(min(self.idle_poll, 1.0))

    async def _fill(self) -> int:
        room = self.concurrency - len(self._running)
        if room <= 0:
            return 0
        busy = sorted({chat for chat, _ in self._running.values()})
        rows = await self.deps.services.inbox.claim(self.name, limit=room, lease=self.lease, busy_chats=busy)
        for row in rows:
            task = asyncio.create_task(self._handle(row), name=f"inbox-{row.update_id}")
            self._running[row.update_id] = (row.chat_key, task)
        return len(rows)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(max(self.lease.total_seconds() / 3, 0.2))
            try:
                await self.deps.services.inbox.extend(self.name, list(self._running), self.lease)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("could not renew inbox claims (%s)", type(error).__name__)

    async def _handle(self, row: InboxRow) -> None:
        inbox = self.deps.services.inbox
        try:
            if row.processed:
                # Its first write committed before a worker stopped: its effects are in.
                await inbox.finish(row.update_id)
                self.stats["skipped"] += 1
                return
            if row.attempts > self.max_attempts:
                # Claimed this often and never finished: each try ended with its worker.
                await inbox.park(row, f"claimed {row.attempts - 1} times, its worker stopped each time")
                self.stats["parked"] += 1
                return
            await self._process(row)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the bookkeeping failed: the claim expires and it is tried again
            log.error("inbox update %s: %s; left to its claim's expiry", row.update_id, type(error).__name__)
        finally:
            self._running.pop(row.update_id, None)
            self.wake()

    async def _process(self, row: InboxRow) -> None:
        inbox = self.deps.services.inbox
        update = Update.de_json(json.loads(row.payload), self.app.bot)
        # A retry in this same process must not be taken for a redelivery.
        self.deps.recent_updates.forget(row.update_id)
        begin_inbox_attempt(retried_if_it_fails=row.attempts < self.max_attempts)
        try:
            await self.app.process_update(update)
        except Exception as raised:  # (process_update hands handler errors to on_error itself)
            note_failure(raised)
        error = failure()
        saved = committed_in_this_update()
        begin_update(None)  # what follows is the worker's bookkeeping, not the update's
        if error is None or isinstance(error, DuplicateUpdate):
            await inbox.finish(row.update_id)
            self.stats["handled"] += 1
        elif saved:
            await inbox.finish(row.update_id, error=describe(error))
            self.stats["handled"] += 1
        elif await inbox.failed(row, describe(error)):
            self.stats["parked"] += 1
        else:
            self.stats["retried"] += 1


async def render_parked(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered:
    """Tell an admin that an update was set aside after failing again and again."""
    return Rendered(
        _(
            t,
            N_(
                "⚠️ A Telegram update (no. {update_id}, chat {chat}) failed {attempts} times and was set "
                "aside so that the chat can go on. Error: {error}. Ask the person to send it again; "
                "the technician can find it with atensi-bot db status."
            ),
            update_id=params["update_id"],
            chat=params["chat_id"],
            attempts=params["attempts"],
            error=params["error"],
        )
    )

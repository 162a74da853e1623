"""One leader among the worker processes: it alone sends the outbox and runs the repeating jobs.

The outbox sender is the only place Telegram's flood limits are kept for the whole deployment, and
the repeating jobs (reminders, menus, the monthly report, broadcast reports, cleanup) must not run
once per process. Every worker is a candidate: it tries the leader lock (an advisory lock on its
own connection, :mod:`storage.leadership`, injected as ``control``) every
``[webhook] leader_check_seconds``; the leader checks its connection as often, and when it is gone
stops sending and drops its jobs at once, so a standby that took the lock meanwhile is alone again
within a check. Two leaders may overlap for that moment: every leader action is idempotent (outbox
rows are claimed with a lease, reminders are deduplicated by their log, the monthly report by its
run row, menus are published whole).

Without ``control`` (SQLite: one process) this process leads from the start.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from telegram.ext import Application, CallbackContext, Job

from handlers import NOTIFICATIONS
from handlers.context import Deps, deps_of
from handlers.menus import publish_command_menus, schedule_menus
from handlers.outbox import OutboxSender
from handlers.reminders import schedule_reminders
from handlers.reports import schedule_admin_jobs

log = logging.getLogger("atensi.leadership")

CLEANUP_SECONDS = 6 * 3600


class LeaderLock(Protocol):
    async def try_lead(self) -> bool: ...

    async def alive(self) -> bool: ...

    async def close(self) -> None: ...


class Leadership:
    """Takes the lead when free, gives it up when its connection dies."""

    def __init__(
        self, app: Application, control: LeaderLock | None, *, name: str, reconnect: ReconnectLock | None = None
    ) -> None:
        self.app = app
        self.deps: Deps = deps_of(app)
        self.control = control
        self.name = name
        self._reconnect = reconnect
        self.leading = False
        self.led_since: float | None = None
        self.times_led = 0
        self._jobs: list[Job] = []
        self._task: asyncio.Task[None] | None = None
        cfg = self.deps.settings.webhook
        self._check = cfg.leader_check_seconds
        self._heartbeat = cfg.heartbeat_seconds

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="leadership")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._step_down()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last_beat = 0.0
        while True:
            try:
                if self.control is None:
                    if not self.leading:
                        await self._take_lead()
                elif not self.leading:
                    if await self.control.try_lead():
                        await self._take_lead()
                        last_beat = loop.time()
                elif not await self.control.alive():
                    log.warning("%s: the leader connection is gone; no longer leading", self.name)
                    await self._step_down()
                    await self.control.close()
                    self.control = await self._reopen()
                elif loop.time() - last_beat >= min(self._heartbeat, 5.0):
                    await self.deps.services.inbox.note_leader(self.name, taking_over=False)
                    last_beat = loop.time()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database failing for now: try again at the next check
                log.warning("%s: leadership check failed (%s)", self.name, type(error).__name__)
                if self.control is not None and not self.leading:
                    await self.control.close()  # the session replaced is ended, not left to the GC
                    self.control = await self._reopen()
            await asyncio.sleep(self._check)

    async def _reopen(self) -> LeaderLock | None:
        if self._reconnect is None:
            return self.control
        try:
            return await self._reconnect()
        except Exception as error:
            log.warning("%s: cannot reconnect for the leader lock yet (%s)", self.name, type(error).__name__)
            return self.control

    async def _take_lead(self) -> None:
        deps = self.deps
        await deps.services.inbox.note_leader(self.name, taking_over=True)
        self.leading = True
        self.times_led += 1
        self.led_since = asyncio.get_running_loop().time()
        log.info("%s leads: the outbox sender and the repeating jobs run here", self.name)
        sender = OutboxSender(self.app.bot, deps, NOTIFICATIONS)
        deps.sender = sender
        sender.start()
        queue = self.app.job_queue
        before = set(queue.jobs()) if queue is not None else set()
        schedule_reminders(self.app)
        schedule_admin_jobs(self.app)
        schedule_menus(self.app)
        if queue is not None:
            queue.run_repeating(_cleanup_job, interval=CLEANUP_SECONDS, first=60, name="inbox_cleanup")
            self._jobs = [job for job in queue.jobs() if job not in before]
        try:
            await publish_command_menus(self.app.bot, deps.translations, deps.settings.locale.default)
        except Exception as error:  # the menus job publishes them again
            log.warning("command menus not published at takeover (%s)", type(error).__name__)

    async def _step_down(self) -> None:
        if not self.leading:
            return
        self.leading = False
        for job in self._jobs:
            job.schedule_removal()
        self._jobs = []
        sender, self.deps.sender = self.deps.sender, None
        if sender is not None:
            await sender.stop()


class ReconnectLock(Protocol):
    async def __call__(self) -> LeaderLock | None: ...


async def _cleanup_job(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Handled updates older than a week leave the inbox."""
    app = context.application
    forgotten = await deps_of(app).services.inbox.forget_done()
    if forgotten:
        log.info("inbox cleanup: %d handled update(s) older than a week removed", forgotten)

"""What the bot knows about the Telegram update it is handling, per task.

PTB handles each update in its own task (copied from the poller's context), so context variables
hold the update's own facts:

- **its id, until its first write records it as processed.** A second delivery of an update must
  change nothing twice. Recording every update in a transaction of its own cost as much as the
  work of a stranger's ``/bantuan``; instead the first write transaction the update's handlers
  open records the id (``processed_updates``) *in that same transaction* — so the change and "this
  update is done" commit together or not at all — and a redelivered update that gets that far
  finds its id and is stopped (:class:`DuplicateUpdate`) before it changes anything. An update that
  writes nothing is never recorded: redelivered after a crash, it is answered again and still
  changes nothing. Within one process, recent ids are also remembered in memory, so a duplicate is
  dropped before any handler runs.
- **whether it has committed anything**, so that its error message never says "nothing was
  changed" when a change was saved before the failure.
- **how it failed**, for a webhook worker (``handlers/inbox_worker.py``): an update from the inbox
  that failed without saving anything is tried again later, and while tries are left the person is
  not told (they hear once: when it succeeds, or at the last try).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from contextvars import ContextVar

# (update id, the task handling it). A task started from a handler inherits the variable; only the
# handling task itself may record the id (a job or a child task must not take the update's place).
_pending_update: ContextVar[tuple[int, asyncio.Task[object] | None] | None] = ContextVar(
    "atensi_pending_update", default=None
)
_committed: ContextVar[bool] = ContextVar("atensi_committed", default=False)
_failure: ContextVar[BaseException | None] = ContextVar("atensi_failure", default=None)
_retried_later: ContextVar[bool] = ContextVar("atensi_retried_later", default=False)


class DuplicateUpdate(Exception):
    """This update was already handled (its first write found its id recorded): stop, silently."""


def begin_update(update_id: int | None) -> None:
    """The update starts here: nothing of its own is saved or recorded yet."""
    _pending_update.set(None if update_id is None else (update_id, _current_task()))
    _committed.set(False)


def pending_update() -> int | None:
    """The id still to record in the next write transaction (None: recorded, or not an update)."""
    pending = _pending_update.get()
    if pending is None or pending[1] is not _current_task():
        return None
    return pending[0]


def note_commit() -> None:
    """A transaction of the current task committed: the update's id, if pending, went with it."""
    _committed.set(True)
    if pending_update() is not None:
        _pending_update.set(None)


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop
        return None


def committed_in_this_update() -> bool:
    return _committed.get()


def begin_inbox_attempt(*, retried_if_it_fails: bool) -> None:
    """A worker is about to handle an inbox update (in the update's own task): no failure yet;
    ``retried_if_it_fails``: it is not the last try, so a failure that saved nothing stays quiet."""
    _failure.set(None)
    _retried_later.set(retried_if_it_fails)


def note_failure(error: BaseException) -> None:
    """The error handler saw this update fail."""
    _failure.set(error)


def failure() -> BaseException | None:
    return _failure.get()


def failure_is_retried() -> bool:
    """A failure now (nothing saved) will be tried again: do not tell the person yet."""
    return _retried_later.get() and not _committed.get()


class RecentUpdates:
    """The ids this process handled lately (bounded), to drop a duplicate before any handler."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._ids: OrderedDict[int, None] = OrderedDict()
        self._capacity = capacity

    def first_time(self, update_id: int) -> bool:
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return True

    def forget(self, update_id: int) -> None:
        """The update is to be handled again (a worker's retry after a failure that saved nothing)."""
        self._ids.pop(update_id, None)

    def remember(self, update_ids: list[int]) -> None:
        for update_id in update_ids[-self._capacity :]:
            self.first_time(update_id)

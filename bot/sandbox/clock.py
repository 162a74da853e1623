"""The sandbox's clock: real time that a trainer can push forward.

Tests use :class:`bot.clock.ManualClock`, which stands still until told to move. The sandbox
cannot: people click around for minutes, and a frozen clock would stamp every message, audit
event and outbox retry with the same instant (a retry scheduled "in 30 seconds" would never come
due). So this clock ticks with the machine's clock and adds an offset that only grows: time
travel moves it forward by hours or days, so reminders and deadlines can be shown in minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

__all__ = ["SandboxClock"]


def _system_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SandboxClock:
    """Satisfies :class:`bot.clock.Clock`; shared by the bot, the emulator and the web chat."""

    def __init__(self, *, source: Callable[[], dt.datetime] = _system_now) -> None:
        self._source = source
        self._offset = dt.timedelta()

    def now(self) -> dt.datetime:
        """The current sandbox instant, aware, in UTC."""
        return self._source().astimezone(dt.UTC) + self._offset

    def timestamp(self) -> float:
        """Unix time of :meth:`now`, for the emulator's message dates."""
        return self.now().timestamp()

    @property
    def offset(self) -> dt.timedelta:
        """How far the sandbox runs ahead of the real clock (or behind, while seeding history)."""
        return self._offset

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Jump forward by ``delta`` (positive) and return the new instant."""
        if delta <= dt.timedelta():
            raise ValueError("time travel only goes forward")
        self._offset += delta
        return self.now()

    def set_offset(self, offset: dt.timedelta) -> None:
        """Place the clock ``offset`` from real time (the demo seeds its history in the past)."""
        self._offset = offset

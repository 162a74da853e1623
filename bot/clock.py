"""Injected time. Services take ``now`` from a clock; tests and the sandbox move it by hand."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


def today_in(clock: Clock, zone: str) -> dt.date:
    """The calendar day it is now where a rule applies (an IANA zone: the IPWL's for its deadlines
    and intake, the centre's for its register and reports). Never the UTC date: between 00.00 and
    07.00 WIB that is still yesterday."""
    return clock.now().astimezone(ZoneInfo(zone)).date()


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that stands still until told to move (tests, sandbox time travel)."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._now = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, delta: dt.timedelta | None = None, **kwargs: float) -> dt.datetime:
        self._now += delta if delta is not None else dt.timedelta(**kwargs)
        return self._now

    def set(self, moment: dt.datetime) -> None:
        self._now = moment.astimezone(dt.UTC)

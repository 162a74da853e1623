"""Reminder rule inputs for the reminder and budget/SP2D rule tests: the policy with Christmas as a holiday, a
moment on a day in a zone, and an item due for a reminder."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.models import ProposalStatus
from bot.domain.reminder_rules import Calendar, Item, Policy

S = ProposalStatus
WIB = ZoneInfo("Asia/Jakarta")
CHRISTMAS = dt.date(2026, 12, 25)
POLICY = Policy(calendar=Calendar(holidays=frozenset({CHRISTMAS})))


def at(day: dt.date, hour: int, minute: int = 0, zone: ZoneInfo = WIB) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(dt.UTC)


def item(
    status: ProposalStatus = S.PAID,
    *,
    province: str = "32",
    due_on: dt.date | None = dt.date(2026, 12, 28),
    since: dt.datetime | None = None,
    team_id: int | None = 1,
) -> Item:
    return Item(
        7,
        7,
        "USL-2026-0007",
        status,
        3,
        "JB01" if province == "32" else "PA01",
        province,
        team_id,
        since or at(dt.date(2026, 11, 20), 9),
        due_on,
    )

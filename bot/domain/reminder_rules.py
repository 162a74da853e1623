"""What is due now: the reminder rules, as pure functions of the data, the clock and the policy.

Reminders are *derived from data* (design principle 6): one repeating job pages through the
items that may need one, asks these functions "is anything due for this item now?", and records
each answer under a unique key before it is sent. The key names the item, the kind and the
**slot** (which occurrence: "7 days before", "overdue, third interval", "digest of 2026-12-01"),
never the time of the run — so a run after a restart, a second instance running at the same
moment, or the first run after a weekend all produce the same key, and the reminder log lets
exactly one of them through.

Working hours are the recipient's: an IPWL in Papua is reminded in WIT (its province's zone, from
``bot.domain.regions.zone_of``), PIC groups, finance and the head in the centre's zone. Outside working
hours, on weekends and on the configured public holidays nothing is due; the first run inside the
next window finds the same slot and sends it once. Only the *latest* slot reached is ever sent: an
LPJ due on Monday whose "1 day left" fell on a Sunday gets "due today" on Monday, not both.

Pure: no I/O, no Telegram, no SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from bot.domain.models import ProposalStatus, Role
from bot.domain.regions import PROVINCE_ZONES, zone_of

S = ProposalStatus

__all__ = [
    "Audience",
    "Calendar",
    "DigestItem",
    "Item",
    "Kind",
    "LPJ_OPEN",
    "Policy",
    "QUEUE_STATUSES",
    "Reminder",
    "accounts_missing",
    "digest",
    "digest_day",
    "escalations",
    "idle_draft",
    "idle_lpj_draft",
    "lpj_due",
    "lpj_due_slot",
    "returned",
    "zones_in_use",
]


class Kind(StrEnum):
    LPJ_DUE = "lpj_due"  # 7, 3, 1 days before, on the day, then every N days overdue
    RETURNED = "returned"  # a returned proposal not resubmitted after N days
    LPJ_RETURNED = "lpj_returned"  # a returned LPJ not resubmitted after N days
    ACCOUNTS_MISSING = "accounts_missing"  # bank accounts still missing N days after the SK
    TRANSFER_RESULTS_MISSING = "transfer_results_missing"  # transfers unrecorded N working days after the SP2D
    DRAFT_IDLE = "draft_idle"  # a proposal draft untouched for N hours (one nudge)
    LPJ_DRAFT_IDLE = "lpj_draft_idle"  # an LPJ draft untouched for N hours (one nudge)
    ESCALATE_TEAM = "escalate_team"  # LPJ overdue X days: the PIC group is told
    ESCALATE_HEAD = "escalate_head"  # LPJ overdue Y days: the head of centre is told
    DIGEST_TEAM = "digest_team"  # the morning digest of a PIC group
    DIGEST_FINANCE = "digest_finance"
    DIGEST_HEAD = "digest_head"


class Audience(StrEnum):
    OPERATORS = "operators"  # the item's IPWL operators, privately, in the IPWL's zone
    TEAM = "team"  # the item's PIC team group, in the centre's zone
    FINANCE = "finance"  # each finance person, privately, in the centre's zone
    HEAD = "head"  # each head of centre, privately, in the centre's zone


# Whose move it is, per role: the /tugas queues and the digests read the same table.
QUEUE_STATUSES: Mapping[Role, tuple[ProposalStatus, ...]] = MappingProxyType(
    {
        Role.OPERATOR: (S.DRAFT, S.RETURNED, S.DECREED, S.PAID, S.LPJ_RETURNED),
        Role.PIC: (S.SUBMITTED, S.IN_REVIEW, S.VERIFIED, S.ACCOUNTS_SUBMITTED, S.LPJ_SUBMITTED),
        Role.FINANCE: (S.ACCOUNTS_SUBMITTED, S.ACCOUNTS_VERIFIED, S.LPJ_VERIFIED),
        Role.HEAD: (S.VALIDATED,),
    }
)
# An LPJ is owed while the proposal is paid (not yet reported) or its LPJ was returned.
LPJ_OPEN: tuple[ProposalStatus, ...] = (S.PAID, S.LPJ_RETURNED)


# --- the calendar ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """Working days (Monday–Friday, minus public holidays) and working hours, in any zone."""

    work_start: dt.time = dt.time(8, 0)
    work_end: dt.time = dt.time(16, 0)
    holidays: frozenset[dt.date] = frozenset()

    def local(self, now: dt.datetime, zone: str) -> dt.datetime:
        return now.astimezone(ZoneInfo(zone))

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def working_day_from(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the next one (a deadline never falls on a holiday)."""
        for _ in range(400):
            if self.is_working_day(day):
                return day
            day += dt.timedelta(days=1)
        raise ValueError("no working day within a year")  # pragma: no cover - holidays are dates

    def is_open(self, now: dt.datetime, zone: str) -> bool:
        """Inside working hours of a working day, in ``zone``."""
        local = self.local(now, zone)
        return self.is_working_day(local.date()) and self.work_start <= local.time() < self.work_end

    def next_open(self, now: dt.datetime, zone: str) -> dt.datetime:
        """When the window is (or next will be) open in ``zone`` (UTC)."""
        local = self.local(now, zone)
        day = local.date()
        for _ in range(400):  # a year of holidays is the worst case
            start = dt.datetime.combine(day, self.work_start, ZoneInfo(zone))
            end = dt.datetime.combine(day, self.work_end, ZoneInfo(zone))
            if self.is_working_day(day) and local < end:
                return max(start, local).astimezone(dt.UTC)
            day += dt.timedelta(days=1)
        raise ValueError("no working day within a year")  # pragma: no cover - holidays are dates


@dataclass(frozen=True)
class Policy:
    """The configured reminder rules (``[reminders]`` in the TOML) and the centre's zone."""

    calendar: Calendar = Calendar()
    centre_zone: str = "Asia/Jakarta"
    lpj_due_days_before: tuple[int, ...] = (7, 3, 1)
    lpj_overdue_every_days: int = 3
    returned_after_days: int = 3
    accounts_missing_after_days: int = 5
    transfer_results_after_working_days: int = 3
    draft_idle_hours: int = 48
    escalate_team_after_days: int = 7
    escalate_head_after_days: int = 14
    digest_at: dt.time = dt.time(8, 0)

    def zone(self, audience: Audience, province_code: str | None) -> str:
        """The recipient's zone: an IPWL's province for operators, the centre's for staff."""
        if audience == Audience.OPERATORS and province_code is not None and province_code in PROVINCE_ZONES:
            return zone_of(province_code)
        return self.centre_zone

    def open_for(self, now: dt.datetime, audience: Audience, province_code: str | None = None) -> bool:
        return self.calendar.is_open(now, self.zone(audience, province_code))


def zones_in_use(policy: Policy) -> frozenset[str]:
    """Every zone a recipient can be in (a run with all of them closed has nothing to do)."""
    return frozenset({tz.zone_name for tz in PROVINCE_ZONES.values()} | {policy.centre_zone})


# --- items and reminders --------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A proposal (or its LPJ draft) as the reminder rules see it: codes, dates, counts — no names."""

    id: int  # the proposal (or, for LPJ drafts, the LPJ) id: the key's item part
    proposal_id: int
    code: str
    status: ProposalStatus
    ipwl_id: int
    ipwl_code: str
    province_code: str
    team_id: int | None
    since: dt.datetime  # status_since; for drafts, the last change
    due_on: dt.date | None = None  # the LPJ due date (paid proposals)
    version: int = 1
    missing: int = 0  # bank accounts still missing (decreed proposals); transfers not sent (after the SP2D)
    sp2d_on: dt.date | None = None  # the SP2D's date (proposals waiting for their transfer results)


@dataclass(frozen=True)
class Reminder:
    key: str  # unique per (kind, item, slot): the reminder log's primary key
    kind: Kind
    audience: Audience
    item: Item | None  # None for digests
    params: Mapping[str, object] = field(default_factory=dict)  # what the message shows
    team_id: int | None = None  # TEAM audience
    recipient_id: int | None = None  # FINANCE/HEAD digests: the one person the digest is for
    empty: bool = False  # a digest with nothing in it: decided (logged) but not sent


def _params(item: Item, **extra: object) -> dict[str, object]:
    """What every reminder about an item carries; ``status`` lets the sender drop a stale one."""
    return {
        "proposal_id": item.proposal_id,
        "code": item.code,
        "ipwl_code": item.ipwl_code,
        "status": item.status.value,
        **extra,
    }


def _local_day(now: dt.datetime, zone: str) -> dt.date:
    return now.astimezone(ZoneInfo(zone)).date()


def lpj_due_slot(due_on: dt.date, today: dt.date, days_before: Sequence[int], every: int) -> int | None:
    """The latest milestone reached: −7, −3, −1 (days before), 0 (the day), then N, 2N, … overdue."""
    offset = (today - due_on).days
    if offset >= 0:
        return offset // every * every
    reached = [-d for d in days_before if -d <= offset]
    return max(reached) if reached else None


def lpj_due(item: Item, now: dt.datetime, policy: Policy) -> Reminder | None:
    """LPJ not submitted yet: remind the operators before, on and after the due date."""
    if item.status != S.PAID or item.due_on is None:
        return None
    zone = policy.zone(Audience.OPERATORS, item.province_code)
    if not policy.calendar.is_open(now, zone):
        return None
    today = _local_day(now, zone)
    slot = lpj_due_slot(item.due_on, today, policy.lpj_due_days_before, policy.lpj_overdue_every_days)
    if slot is None:
        return None
    return Reminder(
        f"{Kind.LPJ_DUE}:{item.id}:{slot:+d}",
        Kind.LPJ_DUE,
        Audience.OPERATORS,
        item,
        _params(item, due_on=item.due_on.isoformat(), days_left=(item.due_on - today).days),
    )


def escalations(item: Item, now: dt.datetime, policy: Policy) -> list[Reminder]:
    """An LPJ long overdue goes up: to the PIC team's group, later to the head of centre (once each)."""
    if item.status not in LPJ_OPEN or item.due_on is None or not policy.open_for(now, Audience.TEAM):
        return []
    overdue = (_local_day(now, policy.centre_zone) - item.due_on).days
    found = []
    params = _params(item, due_on=item.due_on.isoformat(), overdue_days=overdue)
    if overdue >= policy.escalate_team_after_days and item.team_id is not None:
        found.append(
            Reminder(
                f"{Kind.ESCALATE_TEAM}:{item.id}", Kind.ESCALATE_TEAM, Audience.TEAM, item, params, team_id=item.team_id
            )
        )
    if overdue >= policy.escalate_head_after_days:
        found.append(Reminder(f"{Kind.ESCALATE_HEAD}:{item.id}", Kind.ESCALATE_HEAD, Audience.HEAD, item, params))
    return found


def _every(kind: Kind, item: Item, now: dt.datetime, policy: Policy, days: int, **extra: object) -> Reminder | None:
    """Every ``days`` days since the item entered its status (the entry time is part of the key, so
    a proposal returned a second time starts counting again)."""
    if not policy.open_for(now, Audience.OPERATORS, item.province_code):
        return None
    waited = (now - item.since).days
    if waited < days:
        return None
    slot = waited // days
    stamp = int(item.since.timestamp())
    return Reminder(
        f"{kind}:{item.id}:{stamp}:{slot}",
        kind,
        Audience.OPERATORS,
        item,
        _params(item, since=item.since.isoformat(), waited_days=waited, **extra),
    )


def returned(item: Item, now: dt.datetime, policy: Policy) -> Reminder | None:
    """A returned proposal or LPJ the operator has not sent again."""
    kind = {S.RETURNED: Kind.RETURNED, S.LPJ_RETURNED: Kind.LPJ_RETURNED}.get(item.status)
    if kind is None:
        return None
    return _every(kind, item, now, policy, policy.returned_after_days)


def accounts_missing(item: Item, now: dt.datetime, policy: Policy) -> Reminder | None:
    """The SK is issued but the clients' bank accounts have not been supplied."""
    if item.status != S.DECREED:
        return None
    return _every(Kind.ACCOUNTS_MISSING, item, now, policy, policy.accounts_missing_after_days, missing=item.missing)


def working_days_after(calendar: Calendar, start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += calendar.is_working_day(day)
    return days


def transfer_results_missing(item: Item, now: dt.datetime, policy: Policy) -> Reminder | None:
    """The SP2D is issued but some transfer results are still not recorded N working days later:
    finance is reminded, and again every N working days (the SP2D date is in the key)."""
    if item.status != S.ACCOUNTS_VERIFIED or item.sp2d_on is None or not policy.open_for(now, Audience.FINANCE):
        return None
    every = policy.transfer_results_after_working_days
    waited = working_days_after(policy.calendar, item.sp2d_on, _local_day(now, policy.centre_zone))
    if waited < every:
        return None
    return Reminder(
        f"{Kind.TRANSFER_RESULTS_MISSING}:{item.id}:{item.sp2d_on.isoformat()}:{waited // every}",
        Kind.TRANSFER_RESULTS_MISSING,
        Audience.FINANCE,
        item,
        _params(item, sp2d_on=item.sp2d_on.isoformat(), working_days=waited, missing=item.missing),
    )


def _idle(kind: Kind, key: str, item: Item, now: dt.datetime, policy: Policy) -> Reminder | None:
    if now - item.since < dt.timedelta(hours=policy.draft_idle_hours):
        return None
    if not policy.open_for(now, Audience.OPERATORS, item.province_code):
        return None
    return Reminder(key, kind, Audience.OPERATORS, item, _params(item, since=item.since.isoformat()))


def idle_draft(item: Item, now: dt.datetime, policy: Policy) -> Reminder | None:
    """One nudge per proposal draft left untouched."""
    if item.status != S.DRAFT:
        return None
    return _idle(Kind.DRAFT_IDLE, idle_draft_key(item.id), item, now, policy)


def idle_lpj_draft(item: Item, now: dt.datetime, policy: Policy) -> Reminder | None:
    """One nudge per LPJ draft (per version: a returned LPJ being revised is a new draft)."""
    if item.status not in LPJ_OPEN:
        return None
    return _idle(Kind.LPJ_DRAFT_IDLE, idle_lpj_draft_key(item.id, item.version), item, now, policy)


# The once-only keys are also built in SQL (storage/reminders.py skips logged drafts while paging).
def idle_draft_key(proposal_id: int) -> str:
    return f"{Kind.DRAFT_IDLE}:{proposal_id}"


def idle_lpj_draft_key(lpj_id: int, version: int) -> str:
    return f"{Kind.LPJ_DRAFT_IDLE}:{lpj_id}:v{version}"


# --- digests ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    code: str
    ipwl_code: str
    status: ProposalStatus
    since: dt.datetime


def digest_day(now: dt.datetime, policy: Policy) -> dt.date | None:
    """The centre-zone date whose digest is due now (working day, open, from ``digest_at`` for
    ``DIGEST_WINDOW``), or None. A morning digest not sent by then (the bot was down, or started in
    the afternoon) is skipped that day: it is not sent at 14.06 as if it were the morning's."""
    local = now.astimezone(ZoneInfo(policy.centre_zone))
    if not policy.calendar.is_open(now, policy.centre_zone) or local.time() < policy.digest_at:
        return None
    start = dt.datetime.combine(local.date(), policy.digest_at, local.tzinfo)
    if local >= start + DIGEST_WINDOW:
        return None
    return local.date()


#: How long after ``digest_at`` the day's digest may still go out (08.00 → until 12.00).
DIGEST_WINDOW = dt.timedelta(hours=4)


def digest(
    kind: Kind,
    owner: int,
    day: dt.date,
    now: dt.datetime,
    counts: Mapping[ProposalStatus, int],
    oldest: Iterable[DigestItem],
    *,
    overdue: int = 0,
    label: str = "",
) -> Reminder:
    """ONE message for a whole audience: counts per status and the oldest items with their ages."""
    audience = {
        Kind.DIGEST_TEAM: Audience.TEAM,
        Kind.DIGEST_FINANCE: Audience.FINANCE,
        Kind.DIGEST_HEAD: Audience.HEAD,
    }[kind]
    items = [[i.code, i.ipwl_code, i.status.value, i.since.isoformat()] for i in oldest]
    total = sum(counts.values())
    params = {
        "at": now.isoformat(),
        "label": label,
        "counts": {s.value: n for s, n in counts.items() if n},
        "items": items,
        "more": max(0, total - len(items)),
        "overdue": overdue,
    }
    return Reminder(
        f"{kind}:{owner}:{day.isoformat()}",
        kind,
        audience,
        None,
        params,
        team_id=owner if audience == Audience.TEAM else None,
        recipient_id=None if audience == Audience.TEAM else owner,
        empty=total == 0 and not overdue,
    )

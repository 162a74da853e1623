"""The reminder engine: the pure rules (what is due when, for whom, in whose working hours) and the
service's promise — each reminder exactly once, whatever restarts, crashes or rival runs happen."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.domain import reminder_rules as rules
from bot.domain.models import ProposalStatus, Role
from bot.domain.reminder_rules import Audience, Calendar, Kind, Policy
from bot.services import Services
from storage.outbox import OutboxRepository
from storage.unit import Storage
from tests.helpers import enrol, seed_registry
from tests.outbox_rows import reminders_sent
from tests.reminder_items import CHRISTMAS, POLICY, at, item
from tests.seeds import seed_proposal

S = ProposalStatus
WIB, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Jayapura")


# --- the calendar ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "zone", "open_"),
    [
        (at(dt.date(2026, 12, 1), 7, 59), "Asia/Jakarta", False),
        (at(dt.date(2026, 12, 1), 8, 0), "Asia/Jakarta", True),
        (at(dt.date(2026, 12, 1), 15, 59), "Asia/Jakarta", True),
        (at(dt.date(2026, 12, 1), 16, 0), "Asia/Jakarta", False),
        (at(dt.date(2026, 12, 5), 10, 0), "Asia/Jakarta", False),  # Saturday
        (at(dt.date(2026, 12, 25), 10, 0), "Asia/Jakarta", False),  # Christmas
        # 07.30 WIB is 09.30 WIT: Papua is at work while Java is not yet …
        (at(dt.date(2026, 12, 1), 7, 30), "Asia/Jayapura", True),
        # … and 14.30 WIB is 16.30 WIT: Java still works, Papua has gone home.
        (at(dt.date(2026, 12, 1), 14, 30), "Asia/Jayapura", False),
        (at(dt.date(2026, 12, 1), 14, 30), "Asia/Jakarta", True),
    ],
)
def test_working_hours_are_the_recipients(moment, zone, open_) -> None:
    assert POLICY.calendar.is_open(moment, zone) is open_


def test_the_next_window_skips_nights_weekends_and_holidays() -> None:
    christmas_eve_evening = at(dt.date(2026, 12, 24), 17, 0)  # Thursday; Friday is Christmas
    assert POLICY.calendar.next_open(christmas_eve_evening, "Asia/Jakarta") == at(dt.date(2026, 12, 28), 8, 0)
    inside = at(dt.date(2026, 12, 1), 10, 0)
    assert POLICY.calendar.next_open(inside, "Asia/Jakarta") == inside


# --- LPJ due -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "slot"),
    [
        (dt.date(2026, 12, 20), None),
        (dt.date(2026, 12, 21), -7),
        (dt.date(2026, 12, 24), -7),
        (dt.date(2026, 12, 25), -3),
        (dt.date(2026, 12, 27), -1),
        (dt.date(2026, 12, 28), 0),
        (dt.date(2026, 12, 30), 0),
        (dt.date(2026, 12, 31), 3),
        (dt.date(2027, 1, 3), 6),
        (dt.date(2027, 1, 4), 6),
    ],
)
def test_the_lpj_due_slot_is_the_latest_milestone_reached(today, slot) -> None:
    assert rules.lpj_due_slot(dt.date(2026, 12, 28), today, (7, 3, 1), 3) == slot


@given(st.integers(-60, 120), st.integers(0, 30), st.integers(1, 10))
def test_slots_never_run_ahead_of_the_date_and_never_go_back(offset, step, every) -> None:
    due = dt.date(2026, 12, 28)
    day = due + dt.timedelta(days=offset)
    first = rules.lpj_due_slot(due, day, (7, 3, 1), every)
    later = rules.lpj_due_slot(due, day + dt.timedelta(days=step), (7, 3, 1), every)
    if first is not None:
        assert first <= offset and later is not None and later >= first


def test_lpj_due_is_keyed_by_item_and_slot_not_by_the_time_of_the_run() -> None:
    monday = dt.date(2026, 12, 21)
    morning = rules.lpj_due(item(), at(monday, 8, 5), POLICY)
    afternoon = rules.lpj_due(item(), at(monday, 15, 50), POLICY)
    assert morning is not None and afternoon is not None
    assert morning.key == afternoon.key == "lpj_due:7:-7"
    assert morning.params["days_left"] == 7 and morning.audience == Audience.OPERATORS


def test_a_milestone_on_a_holiday_or_weekend_is_superseded_by_the_next_working_day() -> None:
    assert rules.lpj_due(item(), at(CHRISTMAS, 10), POLICY) is None  # d-3 falls on Christmas
    assert rules.lpj_due(item(), at(dt.date(2026, 12, 27), 10), POLICY) is None  # d-1 is a Sunday
    monday = rules.lpj_due(item(), at(dt.date(2026, 12, 28), 8, 0), POLICY)
    assert monday is not None and monday.key == "lpj_due:7:+0" and monday.params["days_left"] == 0


def test_papua_is_reminded_in_wit_working_hours() -> None:
    papua = item(province="91")
    early_java = at(dt.date(2026, 12, 21), 7, 0)  # 09.00 WIT
    late_java = at(dt.date(2026, 12, 21), 14, 30)  # 16.30 WIT
    assert rules.lpj_due(papua, early_java, POLICY) is not None
    assert rules.lpj_due(item(), early_java, POLICY) is None
    assert rules.lpj_due(papua, late_java, POLICY) is None
    assert rules.lpj_due(item(), late_java, POLICY) is not None


def test_only_unreported_paid_proposals_get_lpj_due_reminders() -> None:
    for status in (S.LPJ_SUBMITTED, S.LPJ_VERIFIED, S.CLOSED, S.LPJ_RETURNED):
        assert rules.lpj_due(item(status), at(dt.date(2026, 12, 28), 9), POLICY) is None
    assert rules.lpj_due(item(due_on=None), at(dt.date(2026, 12, 28), 9), POLICY) is None


@pytest.mark.parametrize(
    ("day", "kinds"),
    [
        (dt.date(2027, 1, 1), set()),  # 4 days overdue
        (dt.date(2027, 1, 4), {Kind.ESCALATE_TEAM}),  # 7 days
        (dt.date(2027, 1, 11), {Kind.ESCALATE_TEAM, Kind.ESCALATE_HEAD}),  # 14 days
    ],
)
def test_an_overdue_lpj_goes_up_to_the_team_then_the_head(day, kinds) -> None:
    found = rules.escalations(item(), at(day, 9), POLICY)
    assert {r.kind for r in found} == kinds
    assert all(":" in r.key and r.key.endswith(":7") for r in found)  # once per item: no slot


def test_returned_items_are_reminded_every_n_days_and_a_new_return_counts_again() -> None:
    first = at(dt.date(2026, 12, 1), 10)
    returned = item(S.RETURNED, since=first)
    assert rules.returned(returned, first + dt.timedelta(days=2), POLICY) is None
    r3 = rules.returned(returned, first + dt.timedelta(days=3), POLICY)
    r6 = rules.returned(returned, first + dt.timedelta(days=6), POLICY)
    assert r3 is not None and r6 is not None and r3.key != r6.key
    again = rules.returned(item(S.RETURNED, since=first + dt.timedelta(days=8)), first + dt.timedelta(days=13), POLICY)
    assert again is not None and again.key != r3.key and again.key.endswith(":1")


def test_a_draft_is_nudged_once_after_it_goes_idle() -> None:
    touched = at(dt.date(2026, 12, 1), 10)
    draft = item(S.DRAFT, since=touched)
    assert rules.idle_draft(draft, touched + dt.timedelta(hours=47), POLICY) is None
    nudge = rules.idle_draft(draft, touched + dt.timedelta(hours=48), POLICY)
    later = rules.idle_draft(draft, touched + dt.timedelta(days=8), POLICY)
    assert nudge is not None and later is not None and nudge.key == later.key == "draft_idle:7"


def test_the_digest_is_due_from_its_hour_on_working_days() -> None:
    assert rules.digest_day(at(dt.date(2026, 12, 1), 7, 59), POLICY) is None
    assert rules.digest_day(at(dt.date(2026, 12, 1), 8, 0), POLICY) == dt.date(2026, 12, 1)
    assert rules.digest_day(at(dt.date(2026, 12, 5), 9, 0), POLICY) is None
    later = Policy(calendar=POLICY.calendar, digest_at=dt.time(9, 30))
    assert rules.digest_day(at(dt.date(2026, 12, 1), 9, 0), later) is None


def test_a_digest_not_sent_in_the_morning_waits_for_the_next_morning() -> None:
    """The newcomer's sandbox sent the morning digest at 14.06 (the bot started after lunch)."""
    assert rules.digest_day(at(dt.date(2026, 12, 1), 11, 59), POLICY) == dt.date(2026, 12, 1)
    assert rules.digest_day(at(dt.date(2026, 12, 1), 12, 0), POLICY) is None
    assert rules.digest_day(at(dt.date(2026, 12, 1), 14, 6), POLICY) is None
    assert rules.digest_day(at(dt.date(2026, 12, 2), 8, 0), POLICY) == dt.date(2026, 12, 2)


def test_an_empty_digest_is_decided_but_says_nothing() -> None:
    day = dt.date(2026, 12, 1)
    empty = rules.digest(Kind.DIGEST_TEAM, 1, day, at(day, 8), {}, [])
    busy = rules.digest(Kind.DIGEST_TEAM, 1, day, at(day, 8), {S.SUBMITTED: 2}, [])
    assert empty.empty and not busy.empty and busy.key == "digest_team:1:2026-12-01"
    assert busy.params["more"] == 2


# --- the service: exactly once ---------------------------------------------------------------------------

# Monday 21 December 2026, 09.00 WIB: seven days before an LPJ due on the 28th.
MONDAY = at(dt.date(2026, 12, 21), 9)
DUE = dt.date(2026, 12, 28)


@pytest.fixture
def small_pages(settings):
    """Pages of two rows, so a run of several items spans several transactions."""
    return settings.model_copy(update={"reminders": settings.reminders.model_copy(update={"page_size": 2})})


@pytest.fixture
async def seeded(storage, small_pages):
    clock = ManualClock(MONDAY)
    services = Services(storage, clock, small_pages)
    await seed_registry(services)
    for n, code in enumerate(("JB01", "JB02", "SS01", "PA01")):
        await enrol(services, 1001 + n, f"Operator {code}", Role.OPERATOR, ipwl=code)
    ids = [
        await seed_proposal(services, ipwl=code, due_on=DUE)
        for code in ("JB01", "JB01", "JB02", "JB02", "SS01", "PA01", "PA01")
    ]
    return services, ids


async def test_a_second_run_sends_nothing_new(seeded) -> None:
    services, ids = seeded
    first = await services.reminders.run()
    assert first.recorded == len(ids) and first.messages == len(ids)
    second = await services.reminders.run()
    assert second.recorded == 0 and second.messages == 0 and second.due == len(ids)
    assert len(await reminders_sent(services.storage)) == len(ids)


async def test_two_overlapping_runs_send_each_reminder_once(seeded) -> None:
    services, ids = seeded
    reports = await asyncio.gather(*(services.reminders.run() for _ in range(3)))
    assert sum(r.recorded for r in reports) == len(ids)
    keys = [k for k, _ in await reminders_sent(services.storage)]
    assert len(keys) == len(set(keys)) == len(ids)


async def test_two_instances_on_one_database_send_each_reminder_once(seeded, small_pages) -> None:
    services, ids = seeded
    second = await Storage.open(small_pages.storage.database)  # another process's connection
    try:
        rival = Services(second, services.clock, small_pages)
        reports = await asyncio.gather(services.reminders.run(), rival.reminders.run())
    finally:
        await second.close()
    assert sum(r.recorded for r in reports) == len(ids)
    assert len(await reminders_sent(services.storage)) == len(ids)


async def test_a_run_that_crashes_half_way_is_completed_by_the_next_without_repeats(seeded, monkeypatch) -> None:
    services, ids = seeded
    original = OutboxRepository.enqueue_many
    pages = {"n": 0}

    async def crash_on_the_second_page(self, notes, **kwargs):
        pages["n"] += 1
        if pages["n"] == 2:
            raise RuntimeError("the machine lost power")
        return await original(self, notes, **kwargs)

    monkeypatch.setattr(OutboxRepository, "enqueue_many", crash_on_the_second_page)
    with pytest.raises(RuntimeError):
        await services.reminders.run()
    partial = await reminders_sent(services.storage)
    assert 0 < len(partial) < len(ids)  # the pages before the crash were committed, the crashed one was not
    async with services.storage.db.reading() as conn:
        logged = (await conn.execute_fetchall("SELECT count(*) FROM reminder_log"))[0][0]
    assert logged == len(partial)  # log and outbox rows commit together, or not at all

    monkeypatch.setattr(OutboxRepository, "enqueue_many", original)
    await services.reminders.run()
    keys = [k for k, _ in await reminders_sent(services.storage)]
    assert len(keys) == len(set(keys)) == len(ids)


async def test_outside_working_hours_nothing_is_sent_and_the_window_sends_it_once(seeded) -> None:
    services, ids = seeded
    sunday = at(dt.date(2026, 12, 20), 10)
    assert (await services.reminders.run(sunday)).recorded == 0
    dawn = at(dt.date(2026, 12, 21), 6, 30)  # 06.30 WIB = 08.30 WIT: only Papua is at work
    report = await services.reminders.run(dawn)
    assert report.recorded == 2  # PA01's two proposals
    await services.reminders.run(MONDAY)
    await services.reminders.run(MONDAY + dt.timedelta(hours=3))
    assert len(await reminders_sent(services.storage)) == len(ids)


async def test_a_reminder_nobody_can_receive_waits_until_someone_can(storage, settings) -> None:
    services = Services(storage, ManualClock(MONDAY), settings)
    await seed_registry(services)
    await seed_proposal(services, ipwl="JB01", due_on=DUE)
    report = await services.reminders.run()
    assert report.waiting == 1 and report.recorded == 0
    await enrol(services, 1001, "Siti", Role.OPERATOR, ipwl="JB01")
    report = await services.reminders.run()
    assert report.recorded == 1 and len(await reminders_sent(storage)) == 1


async def test_the_queue_lists_what_waits_for_each_role_oldest_first(seeded) -> None:
    services, ids = seeded
    operator = await enrol(services, 1001, "Operator JB01", Role.OPERATOR, ipwl="JB01")
    sections = await services.reminders.queue(operator)
    assert [s.role for s in sections] == [Role.OPERATOR]
    assert sections[0].total == 2 and [i.code for i in sections[0].items] == sorted(i.code for i in sections[0].items)
    assert all(i.due_on == DUE for i in sections[0].items)


def test_a_deadline_on_a_weekend_or_a_holiday_moves_to_the_next_working_day() -> None:
    """The LPJ fell due on 1 January 2027 (a newcomer's run): a due date is a working day."""
    calendar = Calendar(holidays=frozenset({dt.date(2027, 1, 1)}))
    assert calendar.working_day_from(dt.date(2027, 1, 1)) == dt.date(2027, 1, 4)  # a Friday holiday: Monday
    assert calendar.working_day_from(dt.date(2026, 12, 26)) == dt.date(2026, 12, 28)  # a Saturday: Monday
    assert calendar.working_day_from(dt.date(2026, 12, 28)) == dt.date(2026, 12, 28)

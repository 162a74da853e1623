"""Reminders as people receive them: in their own working hours, never on holidays, one digest per
group, and exactly once across crashes, restarts and overlapping runs.

Personas: Yohana (operator of Yayasan Fajar Jayapura, PA01, Papua — WIT, UTC+9), Siti (operator of
JB01, Jawa Barat — WIB, UTC+7), the PIC teams 1 and 2 in their groups, Fitri (finance), Hadi (head).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain.models import ProposalStatus, Role
from handlers.context import BotContext
from handlers.reminders import job_send_reminders
from storage.outbox import OutboxRepository
from tests.scenarios.lpj_cast import at, operators_in_papua_and_bogor, reminders_to, run_job
from tests.seeds import NAMES, seed_proposal

WIT = ZoneInfo("Asia/Jayapura")
DUE = dt.date(2026, 12, 28)  # a Monday: 7 days before is Monday 21 December


@pytest.fixture
def scenario_settings(scenario_settings):
    reminders = scenario_settings.reminders.model_copy(update={"holidays": [dt.date(2026, 12, 25)]})
    return scenario_settings.model_copy(update={"reminders": reminders})


async def test_papua_is_reminded_in_wit_working_hours_and_never_on_a_holiday(world) -> None:
    yohana, siti = await operators_in_papua_and_bogor(world)
    await seed_proposal(world.services, ipwl="PA01", due_on=DUE)
    await seed_proposal(world.services, ipwl="JB01", due_on=DUE)

    await run_job(world, at(dt.date(2026, 12, 21), 6, 30))  # 06.30 WIB = 08.30 WIT
    assert len(reminders_to(world, yohana)) == 1 and reminders_to(world, siti) == []
    await run_job(world, at(dt.date(2026, 12, 21), 7, 55))  # still before 08.00 in Java
    assert reminders_to(world, siti) == []
    await run_job(world, at(dt.date(2026, 12, 21), 8, 0))  # Java's window opens: Siti's reminder, once
    assert len(reminders_to(world, siti)) == 1 and len(reminders_to(world, yohana)) == 1

    # Christmas (3 days before) is a public holiday everywhere; then a weekend.
    for day in (dt.date(2026, 12, 25), dt.date(2026, 12, 26), dt.date(2026, 12, 27)):
        for hour in (8, 10, 14):
            await run_job(world, at(day, hour, zone=WIT))
    assert len(reminders_to(world, yohana)) == 1

    # Monday the 28th, 15.30 WIB = 17.30 WIT: Papua has gone home, Java has not.
    await run_job(world, at(DUE, 15, 30))
    assert len(reminders_to(world, siti)) == 2 and len(reminders_to(world, yohana)) == 1
    await run_job(world, at(dt.date(2026, 12, 29), 8, 0, zone=WIT))  # Papua's next window: "due yesterday"
    assert len(reminders_to(world, yohana)) == 2
    keys = await world.rows("SELECT key FROM reminder_log WHERE key LIKE 'lpj_due:%' ORDER BY key")
    assert keys == [("lpj_due:1:+0",), ("lpj_due:1:-7",), ("lpj_due:2:+0",), ("lpj_due:2:-7",)]


async def test_each_group_gets_one_digest_a_morning_whatever_the_number_of_items(world) -> None:
    pics = [world.emu.add_user(name, last_name="PIC") for name in ("Andi", "Citra")]
    await world.enrol(pics[0], Role.PIC, team="TIM1")
    await world.enrol(pics[1], Role.PIC, team="TIM2")
    fitri, hadi = world.emu.add_user("Fitri"), world.emu.add_user("Hadi")
    await world.enrol(fitri, Role.FINANCE)
    await world.enrol(hadi, Role.HEAD)
    groups = [world.emu.add_group("Tim PIC 1", members=[pics[0]]), world.emu.add_group("Tim PIC 2", members=[pics[1]])]
    admin = await world.services.onboarding.identify(9001, "Admin", private_chat=True, language="id")
    for group, team in zip(groups, ("TIM1", "TIM2"), strict=True):
        await world.services.onboarding.bind_group(admin, group.id, team)
    monday = dt.date(2026, 11, 30)
    for ipwl, status in (
        ("JB01", ProposalStatus.SUBMITTED),
        ("JB01", ProposalStatus.IN_REVIEW),
        ("JB02", ProposalStatus.LPJ_SUBMITTED),
        ("JB02", ProposalStatus.VERIFIED),
        ("SS01", ProposalStatus.SUBMITTED),
        ("PA01", ProposalStatus.ACCOUNTS_VERIFIED),
        ("PA01", ProposalStatus.VALIDATED),
    ):
        await seed_proposal(world.services, ipwl=ipwl, status=status, at=at(monday - dt.timedelta(days=3), 10))
    before = {g.id: len(world.emu.chat_messages(g)) for g in groups}

    await run_job(world, at(monday, 7, 59))  # before the digest hour: nothing
    assert all(len(world.emu.chat_messages(g)) == before[g.id] for g in groups)
    for minute in (0, 20, 40):  # the job runs three times in the digest hour
        await run_job(world, at(monday, 8, minute))
    first = [world.emu.chat_messages(g)[before[g.id] :] for g in groups]
    assert [len(m) for m in first] == [1, 1]  # ONE message per group
    team1 = first[0][0].text
    assert all(f"USL-2026-000{n}" in team1 for n in (1, 2, 3, 4)) and "USL-2026-0005" not in team1
    assert "2 hari" in team1  # ages: seeded Friday 10.00, digest Monday 08.00
    assert not any(name in team1 for name in NAMES)
    assert "USL-2026-0005" in first[1][0].text
    finance = [m.text for m in world.emu.chat_messages(fitri) if "USL-2026-0006" in m.text]
    head = [m.text for m in world.emu.chat_messages(hadi) if "USL-2026-0007" in m.text]
    assert len(finance) == 1 and len(head) == 1

    await run_job(world, at(monday + dt.timedelta(days=1), 8, 5))  # next morning: one more each
    assert [len(world.emu.chat_messages(g)) - before[g.id] for g in groups] == [2, 2]


async def test_a_crash_and_a_restart_in_the_middle_of_a_run_send_nothing_twice_and_skip_nothing(
    world, monkeypatch
) -> None:
    yohana, siti = await operators_in_papua_and_bogor(world)
    for ipwl in ("JB01", "PA01", "JB01", "PA01", "JB01"):
        await seed_proposal(world.services, ipwl=ipwl, due_on=DUE)
    world.clock.set(at(dt.date(2026, 12, 21), 9))
    # Small pages, so the run spans several transactions; the power goes out on the second page
    # (its third and fourth messages).
    small = world.settings.reminders.model_copy(update={"page_size": 2})
    world.services.reminders.settings = world.settings.model_copy(update={"reminders": small})
    original, pages = OutboxRepository.enqueue_many, {"n": 0}

    async def power_cut(self, notes, **kwargs):
        notes = list(notes)
        if any(note.kind == "reminder" for note in notes):
            pages["n"] += 1
            if pages["n"] == 2:
                raise RuntimeError("power cut")
        return await original(self, notes, **kwargs)

    monkeypatch.setattr(OutboxRepository, "enqueue_many", power_cut)
    with pytest.raises(RuntimeError):
        await world.services.reminders.run()
    monkeypatch.setattr(OutboxRepository, "enqueue_many", original)
    # What the crashed run had committed goes out; then the process restarts. (A send still in
    # flight at a restart is the outbox sender's concern, not the reminder engine's.)
    await world.drain()
    assert len(reminders_to(world, siti)) + len(reminders_to(world, yohana)) == 2
    await world.restart()  # a new process: the JobQueue is empty, the reminder log is not
    world.services.reminders.settings = world.settings.model_copy(update={"reminders": small})

    # Two runs overlap (a slow run and the next tick, or two instances); then one more later.
    await asyncio.gather(job_send_reminders(BotContext(world.app)), job_send_reminders(BotContext(world.app)))
    await world.drain()
    await run_job(world, at(dt.date(2026, 12, 21), 11))
    assert len(reminders_to(world, siti)) == 3 and len(reminders_to(world, yohana)) == 2
    assert await world.rows("SELECT count(*) FROM reminder_log") == [(5,)]
    assert await world.rows("SELECT count(*), count(DISTINCT dedupe_key) FROM outbox WHERE kind = 'reminder'") == [
        (5, 5)
    ]


async def test_tugas_shows_each_person_what_waits_for_them_oldest_first(world) -> None:
    yohana, siti = await operators_in_papua_and_bogor(world)
    andi, fitri = world.emu.add_user("Andi"), world.emu.add_user("Fitri")
    await world.enrol(andi, Role.PIC, team="TIM1")
    await world.enrol(fitri, Role.FINANCE)
    start = world.clock.now()
    await seed_proposal(world.services, ipwl="JB01", status=ProposalStatus.SUBMITTED, at=start - dt.timedelta(days=5))
    await seed_proposal(
        world.services, ipwl="JB02", status=ProposalStatus.LPJ_SUBMITTED, at=start - dt.timedelta(days=9)
    )
    await seed_proposal(world.services, ipwl="JB01", due_on=DUE)
    await seed_proposal(
        world.services, ipwl="SS01", status=ProposalStatus.LPJ_VERIFIED, at=start - dt.timedelta(days=2)
    )

    mine = (await world.say(siti, "/tugas"))[0].text
    assert "USL-2026-0003" in mine and "USL-2026-0001" not in mine and "USL-2026-0002" not in mine
    team = (await world.say(andi, "/tugas"))[0].text
    assert team.index("USL-2026-0002") < team.index("USL-2026-0001")  # the 9-day-old LPJ first
    assert "9" in team and "5" in team
    finance = (await world.say(fitri, "/tugas"))[0].text
    assert "USL-2026-0004" in finance and "USL-2026-0001" not in finance
    quiet = (await world.say(yohana, "/tugas"))[0].text
    assert "PA01: 0" in quiet and "USL-" not in quiet

"""From the transfer to a closed proposal: reminders, a late LPJ filled on a phone, PIC and finance.

Personas: Siti (operator of Yayasan Harapan Bogor, JB01, in WIB), Andi and Bayu (PIC team 1, in the
team's group), Fitri (finance), Hadi (head of centre). The funds were transferred on Friday 28
November 2026; the LPJ is due Monday 28 December. Christmas (Friday 25 December) is a public holiday.
The clock is fast-forwarded morning by morning and the reminder job is run as the JobQueue would.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.domain.models import Role
from handlers import buttons
from handlers.reminders import JOB_NAME
from tests.scenarios.lpj_cast import (
    DUE,
    Phone,
    at,
    cast,
    fill_lpj_by_chat,
    reminder_rows,
    run_job,
    submit_a_plain_lpj,
)
from tests.seeds import seed_proposal

CLIENT_NAMES = ("Siti Rahayu", "Budi Santoso", "Dewi Lestari")


@pytest.fixture
def scenario_settings(scenario_settings):
    """The shared settings, with Christmas as a public holiday."""
    reminders = scenario_settings.reminders.model_copy(update={"holidays": [dt.date(2026, 12, 25)]})
    return scenario_settings.model_copy(update={"reminders": reminders})


async def test_the_whole_cycle_from_payment_to_a_closed_proposal(world) -> None:
    people = await cast(world)
    siti = Phone(world, people.siti)
    assert world.app.job_queue.get_jobs_by_name(JOB_NAME), "start_bot schedules the reminder job"
    pid = await seed_proposal(world.services, ipwl="JB01", clients=3, due_on=DUE)

    # Every day at 09.00 WIB, weekends and Christmas included, the job runs.
    day = dt.date(2026, 11, 30)
    while day <= dt.date(2027, 1, 4):
        await run_job(world, at(day, 9))
        day += dt.timedelta(days=1)
    keys = await world.rows(
        "SELECT dedupe_key FROM outbox WHERE kind = 'reminder' AND chat_id = ? ORDER BY id", people.siti.id
    )
    # 7 days before; due day (the 3- and 1-day reminders fell on Christmas and a Sunday); every 3 days overdue.
    assert reminder_rows(keys) == ["lpj_due:1:-7", "lpj_due:1:+0", "lpj_due:1:+3", "lpj_due:1:+6"]
    texts = [m.text for m in world.emu.chat_messages(people.siti) if "/lpj" in m.text]
    assert len(texts) == 4 and "USL-2026-0001" in texts[0]
    group_texts = [m.text for m in world.emu.chat_messages(people.group)]
    assert sum("USL-2026-0001" in t and "🚨" in t for t in group_texts) == 1  # escalated once, 7 days overdue
    assert not any(name in t for t in group_texts for name in CLIENT_NAMES)

    # Monday 4 January 2027, 10.00: Siti finally fills in the LPJ on her phone.
    world.clock.set(at(dt.date(2027, 1, 4), 10))
    await fill_lpj_by_chat(world, siti)
    review = world.last(people.siti)
    assert "Rp6.100.000" in review.text and "✅" in review.text
    await siti.tap(buttons.LPJ_SUBMIT.data(pid), review)
    assert "USL-2026-0001" in world.last(people.siti).text and "⏰" in world.last(people.siti).text
    assert await world.rows("SELECT late, version FROM lpj") == [(1, 1)]
    assert await world.rows("SELECT count(*), sum(amount) FROM lpj_realizations") == [(6, 6_100_000)]
    assert await world.rows("SELECT kind, amount, stamped FROM lpj_evidence ORDER BY id") == [
        ("receipt", 6_000_000, 1),
        ("receipt", 150_000, None),
        ("photo", None, None),
        ("bast", None, None),
    ]

    # The group gets a card: codes, counts, totals, the late flag — no names.
    await world.drain()
    card = world.last(people.group)
    assert "USL-2026-0001" in card.text and "JB01" in card.text and "Rp6.100.000" in card.text and "⏰" in card.text
    assert not any(name in card.text for name in CLIENT_NAMES)

    # Andi and Bayu press Verify at the same moment: one wins, the other is told who and when.
    verify = Phone(world, people.andi).button(buttons.LPJ_VERIFY.data(pid), card)
    answers = await asyncio.gather(
        world.emu.press(people.andi, card, verify), world.emu.press(people.bayu, card, verify)
    )
    await world.emu.settle()
    loser = [a for a in answers if a is not None and a.show_alert]
    assert len(loser) == 1 and ("Andi" in loser[0].text or "Bayu" in loser[0].text)
    await world.drain()
    assert not any(
        b.callback_data and "|ljv|" in b.callback_data for row in world.last(people.group).buttons for b in row
    )

    # Fitri (finance) validates privately; the proposal is closed and Siti is told.
    to_validate = world.last(people.fitri)
    assert "USL-2026-0001" in to_validate.text
    answer = await Phone(world, people.fitri).tap(buttons.LPJ_VALIDATE.data(pid), to_validate)
    assert answer is not None and not answer.show_alert
    await world.drain()
    assert await world.rows("SELECT status FROM proposals") == [("closed",)]
    assert "USL-2026-0001" in world.last(people.siti).text and "✅" in world.last(people.siti).text
    actions = [r[0] for r in await world.rows("SELECT action FROM audit_events WHERE entity = 'proposal' ORDER BY id")]
    assert actions[-3:] == ["submit_lpj", "verify_lpj", "validate_lpj"]

    # Nothing more is due: the next mornings bring Siti no reminder.
    before = len(world.emu.chat_messages(people.siti))
    await run_job(world, at(dt.date(2027, 1, 7), 9))
    assert len(world.emu.chat_messages(people.siti)) == before


async def test_a_returned_lpj_comes_back_with_reasons_and_is_validated_by_someone_else(world) -> None:
    people = await cast(world)
    world.clock.set(at(dt.date(2026, 12, 1), 10))
    pid = await seed_proposal(world.services, ipwl="JB01", clients=3, due_on=DUE)
    siti = Phone(world, people.siti)
    await fill_lpj_by_chat(world, siti, "01-11-2026 s/d 30-11-2026")
    await siti.tap(buttons.LPJ_SUBMIT.data(pid))
    await world.drain()
    card = world.last(people.group)

    # Bayu returns it: the reasons are asked in his private chat, never in the group.
    andi = Phone(world, people.andi)
    answer = await world.press(people.bayu, card, andi.button(buttons.LPJ_RETURN.data(pid), card))
    assert answer is not None and not answer.show_alert
    prompt = world.last(people.bayu)
    assert "USL-2026-0001" in prompt.text
    await world.say(people.bayu, "BAST belum ditandatangani kepala desa; foto kegiatan buram.")
    await world.drain()
    assert await world.rows("SELECT status FROM proposals") == [("lpj_returned",)]
    returned = world.last(people.siti)
    assert "BAST belum ditandatangani" in returned.text
    assert not any("BAST belum" in m.text for m in world.emu.chat_messages(people.group))

    # Siti adds a new BAST and sends it again: version 2, a new card.
    review = await siti.type("/lpj")
    assert "BAST belum ditandatangani" in review.text
    await siti.tap(buttons.LPJ_SECTION.data("evidence"), review)
    await siti.tap(buttons.LPJ_ANSWER.data("bast"))
    await siti.send("bast-ttd-kades.pdf")
    await siti.tap(buttons.LPJ_ANSWER.data("review"))
    await siti.tap(buttons.LPJ_SUBMIT.data(pid))
    await world.drain()
    assert await world.rows("SELECT version, late FROM lpj") == [(2, 0)]
    card = world.last(people.group)
    assert "2" in card.text

    # Andi, who also holds finance, verifies; he may not validate his own check (four-eyes).
    await world.enrol(people.andi, Role.FINANCE)
    await andi.tap(buttons.LPJ_VERIFY.data(pid), card)
    await world.drain()
    mine = [
        m
        for m in world.emu.chat_messages(people.andi)
        if any(b.callback_data == buttons.LPJ_VALIDATE.data(pid) for row in m.buttons for b in row)
    ]
    refused = await world.press(people.andi, mine[-1], andi.button(buttons.LPJ_VALIDATE.data(pid), mine[-1]))
    assert refused is not None and refused.show_alert
    assert await world.rows("SELECT status FROM proposals") == [("lpj_verified",)]
    await Phone(world, people.fitri).tap(buttons.LPJ_VALIDATE.data(pid), world.last(people.fitri))
    assert await world.rows("SELECT status FROM proposals") == [("closed",)]


async def test_a_pic_of_another_team_in_the_group_is_refused(world) -> None:
    people = await cast(world)
    outsider = world.emu.add_user("Citra", last_name="Tim2")
    await world.enrol(outsider, Role.PIC, team="TIM2")
    world.emu.add_member(people.group, outsider)
    pid = await seed_proposal(world.services, ipwl="JB01", clients=1, due_on=DUE)
    siti = Phone(world, people.siti)
    await submit_a_plain_lpj(world, siti, pid)
    card = world.last(people.group)
    answer = await world.press(outsider, card, siti.button(buttons.LPJ_VERIFY.data(pid), card))
    assert answer is not None and answer.show_alert
    # Audited as denied, as on the proposal card (the LPJ buttons did not record refusals before).
    assert await world.rows("SELECT reason FROM audit_events WHERE action = 'denied'") == [
        ("verify_lpj: out_of_scope",)
    ]
    detail = await world.press(outsider, card, siti.button(buttons.LPJ_DETAIL.data(pid), card))
    assert detail is not None and detail.show_alert
    assert await world.rows("SELECT status FROM proposals") == [("lpj_submitted",)]
    # Andi's Detail opens privately, with the names the group never sees.
    await world.press(people.andi, card, siti.button(buttons.LPJ_DETAIL.data(pid), card))
    assert any("Siti Rahayu" in (m.text or "") for m in world.emu.chat_messages(people.andi))

    # Dedi joined team 1 but never opened the bot: Return sends him to the private chat first.
    dedi = world.emu.add_user("Dedi", last_name="PIC")
    world.emu.add_member(people.group, dedi)
    invite = await world.services.onboarding.create_invite(Role.PIC, team_code="TIM1")
    await world.services.onboarding.redeem_invite(
        await world.services.onboarding.identify(dedi.id, dedi.full_name, private_chat=False, language="id"),
        invite.token,
    )
    link = await world.press(dedi, card, siti.button(buttons.LPJ_RETURN.data(pid), card))
    assert link is not None and link.url == "https://t.me/atensi_bot?start=hi"
    assert (
        await world.rows(
            "SELECT kind FROM conversations c JOIN people p ON p.id = c.person_id WHERE p.telegram_user_id = ?", dedi.id
        )
        == []
    )

"""A misbehaving Telegram: 429 with retry_after, 500/502, dropped connections, calls that time out,
on the bot's answers, on ``getUpdates`` and on the outbox's notifications; and one update twice.

The bot runs in this process with the production rate limiter (``prod_world``): the one limiter
(``handlers.flood``) retries a person's answer after a 429 and, twice, a call Telegram did not carry
out (5xx, a dropped connection); the outbox sender is the one retry layer of notifications.
"""

from __future__ import annotations

import asyncio
import time

from telegram.error import TimedOut

from bot.domain.models import Role
from bot.update_scope import RecentUpdates
from handlers import buttons
from tests.faults.crash_cast import _impatient, claimed_and_delivered_again, said
from tests.scenarios.review_cast import card, submitted, team

FAULTS = [
    {"status": 429, "retry_after": 1},
    {"status": 500},
    {"status": 502},
    {"drop": True},
]


async def test_answers_survive_429_5xx_and_dropped_connections(prod_world) -> None:
    world = prod_world
    siti = world.emu.add_user("Siti")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    expected = [m.text for m in await said(world, siti, "/status")]
    for fault in FAULTS:
        world.emu.fail_next("sendMessage", chat_id=siti.id, **fault)
        began = time.perf_counter()
        replies = await said(world, siti, "/status")
        assert [m.text for m in replies] == expected, (fault, [m.text for m in replies])
        if "retry_after" in fault:
            assert time.perf_counter() - began >= 1.0  # Telegram's retry_after was respected

    # A button: the alert/answer and the edit of the message, each failing once.
    for method in ("answerCallbackQuery", "editMessageText"):
        for fault in FAULTS:
            prompt = (await said(world, siti, "/bahasa"))[-1]
            asked = prompt.text
            world.emu.fail_next(method, **fault)
            answer = await world.emu.press(siti, prompt, buttons.LANGUAGE.data("en"), timeout=8)
            assert answer is not None, (method, fault)
            await world.emu.wait_for(lambda prompt=prompt: bool(prompt.edits), timeout=8)
            assert prompt.edits == [asked] and prompt.text != asked  # edited exactly once
    assert world.emu.stats["injected"] == 12
    assert await world.rows("SELECT locale FROM people WHERE telegram_user_id = ?", siti.id) == [("en",)]


async def test_polling_survives_getupdates_faults_and_handles_each_update_once(prod_world) -> None:
    world = prod_world
    siti = world.emu.add_user("Siti")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    # (502 takes the same path as 500 in python-telegram-bot's polling loop, with a 2.5 s back-off.)
    faults = [f for f in FAULTS if f.get("status") != 502] + [{"delay": 2.0}]
    for fault in faults:
        world.emu.fail_next("getUpdates", **fault)
        replies = await said(world, siti, "/bantuan", timeout=15)
        assert len(replies) == 1, fault
    # Recorded as processed: the updates that wrote something (/start <token>), in their own write;
    # /bantuan changes nothing and is answered once each (above) without a row of its own.
    handled = await world.rows("SELECT count(*) FROM processed_updates")
    assert handled == [(1,)]


async def test_an_answer_that_times_out_is_not_contradicted(prod_world) -> None:
    """Telegram takes longer than the bot waits: PTB raises TimedOut, but Telegram did send the
    answer. The person gets it (late) and no "nothing was changed" on top; the change is kept."""
    world = prod_world
    await _impatient(world)
    siti = world.emu.add_user("Siti")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    prompt = (await said(world, siti, "/bahasa"))[-1]
    world.emu.fail_next("editMessageText", delay=1.5)
    await world.emu.press(siti, prompt, buttons.LANGUAGE.data("en"), timeout=8)
    await world.emu.settle(quiet=0.5)
    assert [type(e) for e in world.deps.errors] == [TimedOut]
    world.deps.errors.clear()
    assert world.emu.chat_messages(siti)[-1].edits  # the edit did happen
    assert len(world.emu.chat_messages(siti)) == len([prompt]) + 1  # nothing else was said
    assert await world.rows("SELECT locale FROM people WHERE telegram_user_id = ?", siti.id) == [("en",)]
    assert len(await said(world, siti, "/bantuan")) == 1  # and the bot carries on


async def test_outbox_notifications_survive_faults_once_each(prod_world) -> None:
    """The group card of a submitted proposal, through 429, 500 ×3, a dropped connection."""
    world = prod_world
    t = await team(world)
    world.team = t
    world.emu.fail_next("sendMessage", chat_id=t.group.id, status=429, retry_after=1)
    world.emu.fail_next("sendMessage", chat_id=t.group.id, status=500, count=3)
    world.emu.fail_next("sendMessage", chat_id=t.group.id, drop=True)
    pid = await submitted(world, t)
    await world.emu.wait_for(
        lambda: any(buttons.CARD_DETAIL.data(pid) in str(m.reply_markup) for m in world.emu.chat_messages(t.group)),
        timeout=20,
    )
    await world.drain()
    cards = [m for m in world.emu.chat_messages(t.group) if buttons.CARD_DETAIL.data(pid) in str(m.reply_markup)]
    assert len(cards) == 1
    assert await world.rows("SELECT kind, status FROM outbox") == [("proposal_card", "sent")]
    assert world.emu.stats["injected"] == 5
    # The card is remembered (its buttons edit it in place later).
    assert card(world, t, pid).message_id == cards[0].message_id


async def test_the_same_button_press_and_message_delivered_twice_are_handled_once(prod_world) -> None:
    world = prod_world
    t = await team(world)
    world.team = t
    pid = await submitted(world, t)
    again, update_id, claim = await claimed_and_delivered_again(world, t, pid, "dup-1")
    press = next(e for e in reversed(world.emu.transcript) if e["kind"] == "press")
    assert press["data"] == claim
    answers_before = sum(1 for e in world.emu.transcript if e["kind"] == "callback_answer")
    # Delivered twice more, at the same time: neither is handled.
    await asyncio.gather(world.app.process_update(again), world.app.process_update(again))
    await world.emu.settle()
    assert sum(1 for e in world.emu.transcript if e["kind"] == "callback_answer") == answers_before
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'claim'") == [(1,)]
    assert await world.rows("SELECT status FROM proposals WHERE id = ?", pid) == [("in_review",)]


async def test_a_press_delivered_again_to_a_process_that_never_saw_it_changes_nothing(prod_world) -> None:
    """Another process (a restarted bot, a second worker) knows nothing of the first delivery in
    memory: the press's first write finds its update recorded — in the very transaction of the
    claim — and stops before changing anything; nobody is told anything twice."""
    world = prod_world
    t = await team(world)
    world.team = t
    pid = await submitted(world, t)
    again, update_id, _ = await claimed_and_delivered_again(world, t, pid, "dup-2")
    world.deps.recent_updates = RecentUpdates()  # as in a process that never saw it
    answers_before = sum(1 for e in world.emu.transcript if e["kind"] == "callback_answer")
    await world.app.process_update(again)
    await world.drain()
    assert sum(1 for e in world.emu.transcript if e["kind"] == "callback_answer") == answers_before
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'claim'") == [(1,)]
    assert await world.rows("SELECT count(*) FROM processed_updates WHERE update_id = ?", update_id) == [(1,)]
    assert world.deps.errors == []


async def test_a_notification_that_times_out_is_sent_again_at_most_once_more(prod_world) -> None:
    """The outbox's at-least-once edge without a crash: Telegram carries a send out but answers too
    late; the sender cannot know and sends again. Bounded: one extra copy per timed-out send."""
    world = prod_world
    await _impatient(world)
    t = await team(world)
    world.team = t
    world.emu.fail_next("sendMessage", chat_id=t.group.id, delay=1.0)
    pid = await submitted(world, t)
    await world.emu.wait_for(
        lambda: (
            len([m for m in world.emu.chat_messages(t.group) if buttons.CARD_DETAIL.data(pid) in str(m.reply_markup)])
            == 2
        ),
        timeout=10,
    )
    await world.drain()
    await world.emu.settle(quiet=0.5)
    cards = [m for m in world.emu.chat_messages(t.group) if buttons.CARD_DETAIL.data(pid) in str(m.reply_markup)]
    assert len(cards) == 2  # the late one, and the retry
    assert await world.rows("SELECT kind, status FROM outbox") == [("proposal_card", "sent")]
    assert card(world, t, pid).message_id == cards[-1].message_id  # the remembered card is the retry
    # Either copy works: a press on the first one is handled like one on the second.
    answer = await world.press(t.andi, cards[0], buttons.CARD_ACTION.data(pid, "claim"))
    assert answer is not None and not answer.show_alert
    assert await world.rows("SELECT status FROM proposals WHERE id = ?", pid) == [("in_review",)]

"""The one rate limiter (handlers/flood.py): Telegram's flood limits, the pause a 429 imposes on
every chat, and one retry layer per kind of call (a person's answer here, a notification in the
outbox sender)."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter

from handlers.flood import OUTBOX, FloodSlots
from tests.flood_retries import Calls, quick_limiter


async def test_a_429_pauses_every_chat_and_slots_inside_the_pause_queue_again() -> None:
    slots = FloodSlots(overall_per_second=50, private_per_second=100)
    async with slots.turn(1, own_gap=True):
        pass
    slots.pause_all(0.5)
    began = time.monotonic()
    async with slots.turn(2, own_gap=True):
        assert time.monotonic() - began >= 0.49


async def test_a_group_keeps_its_gap_but_an_edit_of_its_card_does_not_wait_for_it() -> None:
    slots = FloodSlots(overall_per_second=1000, group_per_minute=60 * 5)  # a group gap of 0.2 s
    async with slots.turn(-100, own_gap=True):
        pass
    began = time.monotonic()
    async with slots.turn(-100, own_gap=False):  # an edit
        assert time.monotonic() - began < 0.15
    async with slots.turn(-100, own_gap=True):  # the next new message waits for the gap
        assert time.monotonic() - began >= 0.15


async def test_half_the_window_goes_out_at_once_the_rest_evenly_and_none_beyond_it() -> None:
    slots = FloodSlots(overall_per_second=6)
    began, started = time.monotonic(), []

    async def send(chat_id: int) -> None:
        async with slots.turn(chat_id, own_gap=False):
            started.append((chat_id, time.monotonic()))
            await asyncio.sleep(0.05)  # the call to Telegram

    await asyncio.gather(*(send(chat) for chat in range(1, 8)))
    assert [chat for chat, _ in started] == list(range(1, 8))  # in the order they asked
    at = [moment - began for _, moment in started]
    assert all(moment < 0.04 for moment in at[:3])  # half the window at once: a quiet bot does not wait
    assert all(later - earlier >= 1 / 6 - 0.01 for earlier, later in zip(at[2:5], at[3:6], strict=True))
    # The seventh starts only when the first finished (0.05 s) a second ago: however late the
    # six arrive at Telegram, no second holds seven arrivals.
    assert at[6] >= 1.04


async def test_a_group_waiting_for_its_gap_holds_back_no_other_chat() -> None:
    slots = FloodSlots(overall_per_second=1000, group_per_minute=60 * 2)  # a group gap of 0.5 s
    began, started = time.monotonic(), []

    async def send(chat_id: int) -> None:
        async with slots.turn(chat_id, own_gap=chat_id < 0):
            started.append((chat_id, time.monotonic()))

    await asyncio.gather(send(-100), send(-100), send(7))
    at = dict(reversed(started))  # each chat's first start
    assert at[7] - began < 0.1 and [chat for chat, _ in started] == [-100, 7, -100]
    assert started[2][1] - at[-100] >= 0.49


async def test_a_persons_answer_survives_two_502s_and_a_429_here() -> None:
    call = Calls(NetworkError("Bad Gateway"), NetworkError("Bad Gateway"), RetryAfter(0.01))
    result = await quick_limiter().process_request(call, (), {}, "sendMessage", {"chat_id": 7}, None)
    assert result is True and call.attempts == 4


async def test_a_notification_is_tried_once_here_its_retries_are_the_outboxs() -> None:
    for error in (NetworkError("Bad Gateway"), RetryAfter(0.01)):
        call = Calls(error)
        with pytest.raises(type(error)):
            await quick_limiter().process_request(call, (), {}, "sendMessage", {"chat_id": 7}, OUTBOX)
        assert call.attempts == 1


async def test_a_call_that_cannot_succeed_or_may_have_been_done_is_not_retried() -> None:
    for error in (BadRequest("Chat not found"), NetworkError("Unknown error in HTTP implementation")):
        call = Calls(error)
        with pytest.raises(type(error)):
            await quick_limiter().process_request(call, (), {}, "sendMessage", {"chat_id": 7}, None)
        assert call.attempts == 1

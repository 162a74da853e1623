"""The outbox's pacer: Telegram's flood limits, and the pause a 429 imposes on every chat."""

from __future__ import annotations

import time

from handlers.outbox import Pacer


async def test_a_429_pauses_every_chat_and_slots_inside_the_pause_queue_again() -> None:
    pacer = Pacer(overall_per_second=50, private_per_second=100)
    await pacer.wait_turn(1)
    pacer.pause_all(0.5)
    began = time.monotonic()
    await pacer.wait_turn(2)
    assert time.monotonic() - began >= 0.49

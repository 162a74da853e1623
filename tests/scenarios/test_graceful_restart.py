"""A restart while a notification is on its way neither loses it nor sends it twice."""

from __future__ import annotations

import asyncio

from bot.domain.models import Role


async def test_a_clean_restart_lets_the_message_in_hand_finish(world) -> None:
    rina = world.emu.add_user("Rina", started=True)
    await world.enrol(rina, Role.ADMIN)
    before = len(world.emu.chat_messages(rina))
    # Telegram is slow to answer this send: the restart comes while it is in flight.
    world.emu.fail_next("sendMessage", delay=1.0, chat_id=rina.id)
    async with world.storage.transaction() as uow:
        await uow.outbox.enqueue(
            dedupe_key="slow",
            chat_id=rina.id,
            kind="delivery_failed",
            now=world.clock.now(),
            params={"chat_id": 1234, "kind": "test", "person_id": None},
        )
    await asyncio.sleep(0.3)

    await world.restart()
    await world.emu.settle(quiet=0.5)

    assert len(world.emu.chat_messages(rina)) == before + 1
    assert await world.rows("SELECT status FROM outbox WHERE dedupe_key = 'slow'") == [("sent",)]

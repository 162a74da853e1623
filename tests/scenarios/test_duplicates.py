"""The same update delivered twice (a crash before Telegram saw the offset) is handled once."""

from __future__ import annotations

from telegram import Update

from tests.scenarios.intake_cast import open_draft


async def test_a_redelivered_answer_is_applied_once(world) -> None:
    siti = (await open_draft(world)).user
    # The next update is what Telegram would hand over twice.
    message = await world.emu.send_text(siti, "Siti Rahayu")
    await world.emu.settle()
    replies_before = len(world.emu.chat_messages(siti))
    cursor = await world.rows("SELECT draft_cursor FROM proposals")

    update_id = max(r[0] for r in await world.rows("SELECT update_id FROM processed_updates"))
    again = Update.de_json({"update_id": update_id, "message": message}, world.app.bot)
    await world.app.process_update(again)
    await world.emu.settle()

    assert await world.rows("SELECT draft_cursor FROM proposals") == cursor
    assert len(world.emu.chat_messages(siti)) == replies_before

"""getUpdates long polling."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.emulator import BotApiEmulator

from .helpers import call


@pytest.mark.asyncio
async def test_long_poll_returns_as_soon_as_an_update_arrives(emu: BotApiEmulator) -> None:
    user = emu.add_user("Sari")
    started = time.monotonic()
    poll = asyncio.create_task(call(emu, "getUpdates", {"timeout": "5"}))
    await asyncio.sleep(0.1)
    assert not poll.done()
    await emu.send_text(user, "/start")
    status, body = await poll
    assert status == 200
    assert time.monotonic() - started < 1.0
    [update] = body["result"]
    message = update["message"]
    assert message["text"] == "/start"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["chat"] == {"id": user.id, "type": "private", "first_name": "Sari"}

    # not confirmed yet: the same update comes again; confirmed by offset: gone
    _, again = await call(emu, "getUpdates", {"timeout": "0"})
    assert [u["update_id"] for u in again["result"]] == [update["update_id"]]
    next_offset = str(update["update_id"] + 1)
    _, after = await call(emu, "getUpdates", {"offset": next_offset, "timeout": "0"})
    assert after["result"] == []
    assert emu.violations == []


@pytest.mark.asyncio
async def test_poll_without_updates_honours_timeout(emu: BotApiEmulator) -> None:
    started = time.monotonic()
    status, body = await call(emu, "getUpdates", {"timeout": "1"})
    elapsed = time.monotonic() - started
    assert (status, body["result"]) == (200, [])
    assert 0.9 <= elapsed < 2.0


@pytest.mark.asyncio
async def test_limit_offset_and_allowed_updates(emu: BotApiEmulator) -> None:
    user = emu.add_user("Sari")
    for text in ("a", "b", "c"):
        await emu.send_text(user, text)
    _, body = await call(emu, "getUpdates", {"limit": "2"})
    first = [u["message"]["text"] for u in body["result"]]
    assert first == ["a", "b"]
    _, body = await call(emu, "getUpdates", {"offset": "-1"})
    assert [u["message"]["text"] for u in body["result"]] == ["c"]

    _, body = await call(emu, "getUpdates", {"offset": str(body["result"][0]["update_id"] + 1)})
    await emu.send_text(user, "d")
    _, body = await call(emu, "getUpdates", {"allowed_updates": '["callback_query"]'})
    assert body["result"] == []  # the message is dropped, not delayed
    _, body = await call(emu, "getUpdates", {"allowed_updates": "[]"})
    assert body["result"] == []


@pytest.mark.asyncio
async def test_delete_webhook_can_drop_pending_updates(emu: BotApiEmulator) -> None:
    user = emu.add_user("Sari")
    await emu.send_text(user, "lama")
    await call(emu, "deleteWebhook", {"drop_pending_updates": "true"})
    _, body = await call(emu, "getUpdates", {})
    assert body["result"] == []


@pytest.mark.asyncio
async def test_a_newer_poll_terminates_the_older_one(emu: BotApiEmulator) -> None:
    older = asyncio.create_task(call(emu, "getUpdates", {"timeout": "5"}))
    await asyncio.sleep(0.1)
    status, _ = await call(emu, "getUpdates", {"timeout": "0"})
    assert status == 200
    status, body = await older
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates")


@pytest.mark.asyncio
async def test_stop_releases_waiting_polls() -> None:
    emu = BotApiEmulator()
    await emu.start()
    poll = asyncio.create_task(call(emu, "getUpdates", {"timeout": "30"}))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await emu.stop()
    status, body = await poll
    assert (status, body["result"]) == (200, [])
    assert time.monotonic() - started < 1.0

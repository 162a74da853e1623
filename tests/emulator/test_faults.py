"""Fault injection and flood limits."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.emulator import BotApiEmulator, FloodLimits

from .helpers import call


@pytest.mark.asyncio
async def test_injected_429_carries_retry_after(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("Sari", started=True)
    emu.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
        await bot.send_message(user.id, "satu")
    await bot.send_message(user.id, "dua")
    assert [m.text for m in emu.chat_messages(user)] == ["dua"]
    assert emu.stats["429"] == 1 and emu.stats["429.injected"] == 1
    assert emu.violations == []


@pytest.mark.asyncio
async def test_raw_429_body(emu: BotApiEmulator) -> None:
    emu.fail_next("getMe", status=429, retry_after=7)
    status, body = await call(emu, "getMe")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }


@pytest.mark.asyncio
async def test_injected_server_errors_and_counts(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("Sari", started=True)
    emu.fail_next("sendMessage", count=2)
    emu.fail_next("sendMessage", status=502)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(user.id, "x")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user.id, "x")
    await bot.send_message(user.id, "ok")
    assert emu.stats["injected"] == 3
    assert len(emu.chat_messages(user)) == 1
    assert emu.violations == []


@pytest.mark.asyncio
async def test_fault_limited_to_one_chat(emu: BotApiEmulator, bot: Bot) -> None:
    sari, budi = emu.add_user("Sari", started=True), emu.add_user("Budi", started=True)
    emu.fail_next("sendMessage", chat_id=budi.id)
    await bot.send_message(sari.id, "untuk Sari")
    with pytest.raises(NetworkError):
        await bot.send_message(budi.id, "untuk Budi")
    await bot.send_message(budi.id, "untuk Budi")
    assert len(emu.chat_messages(budi)) == 1


@pytest.mark.asyncio
async def test_dropped_connection_performs_nothing(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("Sari", started=True)
    emu.fail_next("sendMessage", drop=True)
    with pytest.raises(NetworkError):
        await bot.send_message(user.id, "hilang")
    assert emu.chat_messages(user) == []


@pytest.mark.asyncio
async def test_delay_times_out_the_client_but_the_message_is_sent(emu: BotApiEmulator) -> None:
    user = emu.add_user("Sari", started=True)
    emu.fail_next("sendMessage", delay=0.5)
    request = HTTPXRequest(read_timeout=0.1)
    async with Bot(emu.token, base_url=emu.base_url, request=request) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(user.id, "terlambat")
    await emu.wait_for(lambda: len(emu.chat_messages(user)) == 1, timeout=2)
    assert emu.last_message(user).text == "terlambat"


@pytest.mark.asyncio
async def test_group_flood_limit() -> None:
    async with BotApiEmulator(flood_limits=FloodLimits()) as emu:
        group = emu.add_group("PIC")
        for i in range(20):
            status, _ = await call(emu, "sendMessage", {"chat_id": str(group.id), "text": f"m{i}"})
            assert status == 200
        status, body = await call(emu, "sendMessage", {"chat_id": str(group.id), "text": "m20"})
        assert status == 429
        retry_after = body["parameters"]["retry_after"]
        assert isinstance(retry_after, int) and 55 <= retry_after <= 60
        assert emu.stats["429"] == 1 and emu.stats["429.flood.group"] == 1
        assert len(emu.chat_messages(group)) == 20
        assert emu.violations == []


@pytest.mark.asyncio
async def test_private_and_overall_flood_limits() -> None:
    limits = FloodLimits(overall_per_second=5, private_per_second=1.0, private_burst=3)
    async with BotApiEmulator(flood_limits=limits) as emu:
        sari = emu.add_user("Sari", started=True)

        async def send(chat_id: int) -> int:
            status, _ = await call(emu, "sendMessage", {"chat_id": str(chat_id), "text": "x"})
            return status

        assert [await send(sari.id) for _ in range(4)] == [200, 200, 200, 429]
        others = [emu.add_user(f"U{i}", started=True) for i in range(3)]
        assert [await send(u.id) for u in others] == [200, 200, 429]
        assert emu.stats["429.flood.private"] == 1 and emu.stats["429.flood.overall"] == 1
        # chat actions do not count
        status, _ = await call(emu, "sendChatAction", {"chat_id": str(sari.id), "action": "typing"})
        assert status == 200

"""Webhook mode: setWebhook makes the emulator POST updates, as Telegram does.

A small aiohttp receiver plays the bot's endpoint: it can answer errors, be slow, or record the
order in which the updates of each chat arrived.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bot.emulator import BotApiEmulator
from tests.emulator.emulator_cast import _chat

from .helpers import call


class Receiver:
    """The bot's webhook endpoint, scripted by the test."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []  # (update, secret header)
        self.answers: list[int] = []  # statuses to answer next (then 200)
        self.delay = 0.0
        self.open_now = 0
        self.open_peak = 0
        self.open_by_chat: dict[int, int] = {}
        self.overlap_in_a_chat = False
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _hook(self, request: web.Request) -> web.Response:
        update = json.loads(await request.read())
        chat = _chat(update)
        self.open_now += 1
        self.open_peak = max(self.open_peak, self.open_now)
        self.open_by_chat[chat] = self.open_by_chat.get(chat, 0) + 1
        if self.open_by_chat[chat] > 1:
            self.overlap_in_a_chat = True
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            status = self.answers.pop(0) if self.answers else 200
            if status == 200:
                self.received.append((update, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
            return web.Response(status=status)
        finally:
            self.open_now -= 1
            self.open_by_chat[chat] -= 1

    def texts(self, chat_id: int) -> list[str]:
        return [u["message"]["text"] for u, _ in self.received if _chat(u) == chat_id]


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    await hook.start()
    yield hook
    await hook.stop()


@pytest.fixture
def fast_retries(emu: BotApiEmulator) -> None:
    emu.state.webhook_timing.update(timeout=1.0, first_retry=0.05, max_retry=0.2)


async def test_updates_are_posted_with_the_secret_and_polling_is_refused(
    emu: BotApiEmulator, receiver: Receiver
) -> None:
    sari = emu.add_user("Sari")
    status, body = await call(
        emu, "setWebhook", {"url": receiver.url, "secret_token": "s3cret-Token_1", "max_connections": "5"}
    )
    assert (status, body["result"]) == (200, True)
    await emu.send_text(sari, "/start")
    await emu.wait_for(lambda: len(receiver.received) == 1)
    update, secret = receiver.received[0]
    assert update["message"]["text"] == "/start" and secret == "s3cret-Token_1"

    status, body = await call(emu, "getUpdates", {"timeout": "0"})
    assert status == 409 and "webhook is active" in body["description"]
    _, info = await call(emu, "getWebhookInfo")
    assert info["result"]["url"] == receiver.url
    assert info["result"]["pending_update_count"] == 0 and info["result"]["max_connections"] == 5
    assert emu.violations == []


async def test_a_chat_is_delivered_in_order_one_at_a_time_and_chats_side_by_side(
    emu: BotApiEmulator, receiver: Receiver
) -> None:
    receiver.delay = 0.05
    people = [emu.add_user(f"Operator {n}") for n in range(6)]
    await call(emu, "setWebhook", {"url": receiver.url, "max_connections": "3"})
    for round_ in range(4):
        for person in people:
            await emu.send_text(person, f"answer {round_}")
    await emu.wait_for(lambda: len(receiver.received) == 24, timeout=15)
    for person in people:
        assert receiver.texts(person.id) == [f"answer {n}" for n in range(4)]
    assert not receiver.overlap_in_a_chat
    # Different chats were delivered concurrently, never more than max_connections at once.
    assert 1 < receiver.open_peak <= 3
    assert emu.webhook is not None and emu.webhook.peak_connections <= 3


async def test_errors_and_timeouts_are_retried_and_reported_in_webhook_info(
    emu: BotApiEmulator, receiver: Receiver, fast_retries: None
) -> None:
    sari, budi = emu.add_user("Sari"), emu.add_user("Budi")
    await call(emu, "setWebhook", {"url": receiver.url})
    receiver.answers = [500, 502]
    await emu.send_text(sari, "first")
    await emu.wait_for(lambda: emu.webhook is not None and emu.webhook.last_error_message is not None)
    await emu.send_text(sari, "second")
    await emu.send_text(budi, "hello")
    await emu.wait_for(lambda: len(receiver.received) == 3, timeout=10)
    assert receiver.texts(sari.id) == ["first", "second"]  # the retried one still came first
    _, info = await call(emu, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 0
    assert info["result"]["last_error_message"].startswith("Wrong response from the webhook: 50")
    assert isinstance(info["result"]["last_error_date"], int)

    # A receiver slower than the delivery timeout: the update is sent again until one answer comes in time.
    receiver.delay = 1.5
    await emu.send_text(budi, "slow")
    await emu.wait_for(
        lambda: emu.webhook is not None and emu.webhook.last_error_message == "Read timeout expired", timeout=5
    )
    receiver.delay = 0
    await emu.wait_for(lambda: receiver.texts(budi.id)[-1:] == ["slow"], timeout=5)
    assert emu.webhook is not None and emu.webhook.pending == 0


async def test_a_receiver_that_is_down_keeps_the_updates_pending(
    emu: BotApiEmulator, receiver: Receiver, fast_retries: None
) -> None:
    sari = emu.add_user("Sari")
    await receiver.stop()
    await call(emu, "setWebhook", {"url": receiver.url})
    await emu.send_text(sari, "while down")
    await emu.wait_for(lambda: emu.webhook is not None and emu.webhook.last_error_message == "Connection refused")
    _, info = await call(emu, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 1
    assert not emu.is_idle()  # settle() waits for webhook deliveries too

    # deleteWebhook: the update waits for getUpdates again, as on Telegram.
    await call(emu, "deleteWebhook")
    _, polled = await call(emu, "getUpdates", {"timeout": "0"})
    assert [u["message"]["text"] for u in polled["result"]] == ["while down"]


async def test_updates_waiting_for_a_poll_go_to_the_new_webhook(emu: BotApiEmulator, receiver: Receiver) -> None:
    sari = emu.add_user("Sari")
    await emu.send_text(sari, "before the webhook")
    await call(emu, "setWebhook", {"url": receiver.url, "allowed_updates": json.dumps(["message"])})
    await emu.wait_for(lambda: receiver.texts(sari.id) == ["before the webhook"])
    _, info = await call(emu, "getWebhookInfo")
    assert info["result"]["allowed_updates"] == ["message"]


async def test_webhook_urls_are_checked(emu: BotApiEmulator) -> None:
    status, body = await call(emu, "setWebhook", {"url": "ftp://127.0.0.1/hook"})
    assert status == 400 and "invalid webhook URL" in body["description"]
    status, body = await call(emu, "setWebhook", {"url": "https://example.org/hook"})
    assert status == 400 and "127.0.0.1" in body["description"]
    status, body = await call(emu, "setWebhook", {"url": "http://127.0.0.1:9/hook", "secret_token": "not allowed!"})
    assert status == 400 and "secret token" in body["description"]
    assert emu.webhook is None
    # An empty URL removes the webhook.
    assert (await call(emu, "setWebhook", {"url": ""}))[0] == 200

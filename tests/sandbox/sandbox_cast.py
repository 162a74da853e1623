"""Helpers of the sandbox tests (tests/sandbox): look-ups in the sandbox's state and chats, a message
sent as someone, a raw Bot API call, and how a browser test that cannot run says so."""

from __future__ import annotations

import json
import os

import aiohttp
import pytest

from bot.emulator import BotApiEmulator
from tests.sandbox.conftest import Client


def person(state: dict, key: str) -> dict:
    return next(p for p in state["people"] if p["key"] == key)


def last_bot(view: dict) -> dict:
    return [m for m in view["messages"] if m["from"]["bot"]][-1]


async def say(client: Client, who: str, chat: int, text: str) -> dict:
    """Send ``text`` and return the chat once the bot has answered it."""
    sent = await client.post("/api/send", {"as": who, "chat": chat, "text": text})
    await client.answered(chat, sent["message_id"])
    return await client.get("/api/chat", **{"as": who, "chat": chat})


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (make test installs it when CI=true: see the Makefile)")
    pytest.skip(f"{reason}: install it to run the browser test (apt-get install chromium; pip install -e '.[test]')")


async def call(emu: BotApiEmulator, method: str, **params: object) -> dict:
    body = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in params.items()}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{emu.base_url}{emu.token}/{method}", data=body) as response:
            answer = await response.json()
    assert answer["ok"], answer
    return answer["result"]

"""Steps of the reader-zone stories: the zone labels of a message, the months offered, a complaint."""

from __future__ import annotations

import re

from bot.emulator import BotMessage, EmuUser
from handlers import buttons
from tests.scenarios.complaint_cast import data_of
from tests.scenarios.conftest import World


def zones_in(text: str) -> list[str]:
    """The zone label of every time of day in a message ("16.00 WIB" -> "WIB")."""
    return re.findall(r"\d\d\.\d\d (WIB|WITA|WIT)\b", text)


def months(asked: BotMessage) -> list[str]:
    """The months the period question offers as buttons."""
    return [b.text for row in asked.buttons for b in row if "20" in b.text]


async def complain(world: World, user: EmuUser, story: str) -> BotMessage:
    """A named complaint, without a proposal code, through the /pengaduan form; the receipt."""
    intro = (await world.say(user, "/pengaduan"))[-1]
    await world.press(user, intro, data_of(intro, buttons.COMPLAINT_ANSWER, "conflict"))
    await world.press(user, world.last(user), data_of(world.last(user), buttons.COMPLAINT_ANSWER, "named"))
    await world.press(user, world.last(user), data_of(world.last(user), buttons.COMPLAINT_ANSWER, "skip"))
    await world.say(user, story)
    await world.press(user, world.last(user), data_of(world.last(user), buttons.COMPLAINT_ANSWER, "done"))
    summary = world.last(user)
    await world.press(user, summary, data_of(summary, buttons.COMPLAINT_SEND))
    await world.drain()
    return next(m for m in world.emu.chat_messages(user) if "Pengaduan Anda sudah terkirim" in m.text)

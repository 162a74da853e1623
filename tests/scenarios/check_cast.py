"""Steps of the post-payment check stories: each PIC's copy of a check card, and a check's id."""

from __future__ import annotations

from bot.emulator import BotMessage
from handlers import buttons
from tests.scenarios.conftest import World


def check_cards(world: World, user) -> list[BotMessage]:
    return [
        m
        for m in world.emu.chat_messages(user)
        if any(buttons.PAYMENT_CHECK_ANSWER.parse(b.callback_data) for row in m.buttons for b in row)
    ]


def copy_of(world: World, user, card: BotMessage) -> BotMessage:
    """The message as the chat shows it now (after the bot's edits)."""
    return next(m for m in world.emu.chat_messages(user) if m.message_id == card.message_id)


def check_id_of(card: BotMessage) -> int:
    decoded = next(
        buttons.PAYMENT_CHECK_ANSWER.parse(b.callback_data)
        for row in card.buttons
        for b in row
        if buttons.PAYMENT_CHECK_ANSWER.parse(b.callback_data)
    )
    assert decoded is not None
    return int(decoded.args[0])

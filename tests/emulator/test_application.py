"""A real python-telegram-bot ``Application`` polling the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.emulator import BotApiEmulator
from tests.emulator.emulator_cast import on_button, start

RunningApp = tuple[Application, list[BaseException]]


@pytest_asyncio.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[RunningApp]:
    """A polling Application and the list of errors that reached its error handler."""
    errors: list[BaseException] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        errors.append(context.error)

    application = ApplicationBuilder().token(emu.token).base_url(emu.base_url).base_file_url(emu.base_file_url).build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_error_handler(on_error)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application, errors
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


@pytest.mark.asyncio
async def test_start_and_button_press(emu: BotApiEmulator, app: RunningApp) -> None:
    _, errors = app
    user = emu.add_user("Sari", username="sari")
    await emu.send_text(user, "/start usulan-7")
    await emu.settle()

    welcome = emu.last_message(user)
    assert welcome is not None
    assert welcome.text == "Selamat datang — usulan-7"
    assert welcome.html == "<b>Selamat datang</b> — usulan-7"
    assert welcome.button_texts == ["Lanjut"]

    answer = await emu.press(user, welcome, "next")
    assert answer is not None and answer.text == "Tersimpan" and answer.show_alert
    await emu.settle()
    assert welcome.text == "Dipilih: next"
    assert welcome.edits == ["Selamat datang — usulan-7"]
    assert welcome.reply_markup is None

    assert [(e["kind"], e["text"]) for e in emu.transcript] == [
        ("user_text", "/start usulan-7"),
        ("bot_message", "Selamat datang — usulan-7"),
        ("press", "Lanjut"),
        ("callback_answer", "Tersimpan"),
        ("edit", "Dipilih: next"),
    ]
    assert emu.violations == []
    assert errors == []
    with pytest.raises(LookupError, match="no inline button"):
        await emu.press(user, welcome, "next")


@pytest.mark.asyncio
async def test_command_addressed_to_the_bot_in_a_group(emu: BotApiEmulator, app: RunningApp) -> None:
    _, errors = app
    user = emu.add_user("Budi")
    group = emu.add_group("PIC", members=[user])
    message = await emu.send_text(user, "/start@atensi_bot", chat=group)
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 17}]
    await emu.settle()
    [reply] = emu.chat_messages(group)
    assert reply.text == "Selamat datang"
    assert reply.to_dict()["reply_to_message"]["message_id"] == message["message_id"]
    assert emu.chat_messages(user) == []
    answer = await emu.press(user, reply, text="Lanjut")
    assert answer is not None
    await emu.settle()
    assert emu.violations == [] and errors == []


@pytest.mark.asyncio
async def test_settle_times_out_when_nobody_polls(emu: BotApiEmulator) -> None:
    await emu.send_text(emu.add_user("Sari"), "halo")
    with pytest.raises(TimeoutError, match="1 update"):
        await emu.settle(timeout=0.3)

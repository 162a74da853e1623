"""A local Telegram Bot API emulator for tests and an offline sandbox.

The real bot talks to :class:`BotApiEmulator` over HTTP on 127.0.0.1 as it would to
Telegram; tests act as users and groups through its Python API and read what each chat
received.  Every call is checked by :class:`SpecValidator` against the official spec.

Typical use in a test::

    async with BotApiEmulator() as emu:
        builder = ApplicationBuilder().token(emu.token).base_url(emu.base_url)
        app = builder.base_file_url(emu.base_file_url).build()
        ...  # register handlers, initialize, start, start_polling(poll_interval=0, timeout=1)
        sari = emu.add_user("Sari")
        await emu.send_text(sari, "/start")
        await emu.settle()
        reply = emu.last_message(sari)
        answer = await emu.press(sari, reply, "next")
        assert emu.violations == []
"""

from .flood import FloodLimits
from .models import BotMessage, Button, CallbackAnswer, EmuChat, EmuUser
from .server import BotApiEmulator, default_spec_path
from .spec import FileUpload, SpecValidator

__all__ = [
    "BotApiEmulator",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "EmuChat",
    "EmuUser",
    "FileUpload",
    "FloodLimits",
    "SpecValidator",
    "default_spec_path",
]

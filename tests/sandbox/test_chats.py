"""How the web chat presents what the bot sent: reply keyboards and command menus.

The demo's bot uses inline keyboards; these cases cover what Telegram shows for the other
kinds, straight against the emulator (the bot's side is a plain HTTP call, as PTB makes it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.emulator import BotApiEmulator, default_spec_path
from bot.sandbox.chats import chat_view, viewer
from bot.sandbox.demo import cast_world
from tests.sandbox.sandbox_cast import call


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(spec_path=default_spec_path()) as running:
        yield running
    assert running.violations == []


async def test_a_one_time_reply_keyboard_folds_away_once_used_and_can_be_removed(emu: BotApiEmulator) -> None:
    cast = cast_world(emu, "Asia/Jakarta")
    siti = viewer(cast, "op-jb01", "en")
    assert siti is not None
    await emu.send_text(siti.user, "/start")
    keyboard = {
        "keyboard": [[{"text": "Ya"}, {"text": "Tidak"}]],
        "one_time_keyboard": True,
        "input_field_placeholder": "Ya atau tidak?",
    }
    await call(
        emu, "sendMessage", chat_id=siti.user.id, text="<b>Lanjut?</b>", parse_mode="HTML", reply_markup=keyboard
    )

    view = chat_view(emu, siti, siti.user.id)
    assert view["keyboard"] == {
        "rows": [["Ya", "Tidak"]],
        "one_time": True,
        "collapsed": False,
        "placeholder": "Ya atau tidak?",
    }
    question = view["messages"][-1]
    assert question["text"] == "Lanjut?" and question["entities"] == [{"type": "bold", "offset": 0, "length": 7}]
    assert [m["out"] for m in view["messages"]] == [True, False]

    await emu.send_text(siti.user, "Ya")
    assert chat_view(emu, siti, siti.user.id)["keyboard"]["collapsed"] is True

    await call(emu, "sendMessage", chat_id=siti.user.id, text="Baik.", reply_markup={"remove_keyboard": True})
    assert chat_view(emu, siti, siti.user.id)["keyboard"] is None


async def test_the_command_menu_is_the_narrowest_scope_set(emu: BotApiEmulator) -> None:
    cast = cast_world(emu, "Asia/Jakarta")
    andi, admin = viewer(cast, "pic-tim1-a", "id"), viewer(cast, "admin", "id")
    assert andi is not None and admin is not None
    group = cast.groups["TIM1"]
    await call(emu, "setMyCommands", commands=[{"command": "start", "description": "Mulai"}])
    await call(
        emu,
        "setMyCommands",
        commands=[{"command": "bantuan", "description": "Bantuan"}],
        scope={"type": "all_group_chats"},
    )
    await call(
        emu,
        "setMyCommands",
        commands=[{"command": "hubungkan", "description": "Hubungkan"}],
        scope={"type": "all_chat_administrators"},
    )
    await call(
        emu,
        "setMyCommands",
        commands=[{"command": "help", "description": "Help"}],
        scope={"type": "all_private_chats"},
        language_code="en",
    )

    assert [c["command"] for c in chat_view(emu, andi, andi.user.id)["commands"]] == ["start"]
    assert [c["command"] for c in chat_view(emu, andi, group.id)["commands"]] == ["bantuan"]
    # The admin created the group: administrators get their own menu.
    assert [c["command"] for c in chat_view(emu, admin, group.id)["commands"]] == ["hubungkan"]
    andi.user.language_code = "en"
    assert [c["command"] for c in chat_view(emu, andi, andi.user.id)["commands"]] == ["help"]

"""SIGKILL the real bot process at the worst moments, start it again, and count what survived.

Each test runs ``python -m bot run`` against the emulator in the test (see conftest.BotProcess),
kills it with SIGKILL — no ``finally``, no shutdown — at a moment chosen deterministically (the
database write lock held by another connection, or a Bot API call held open by the emulator),
restarts it on the same database, and checks: nothing the bot acknowledged is lost, nothing half
written, nothing done twice, and the person can carry on.

Telegram's side of a crash, as the emulator implements it: python-telegram-bot confirms an update
(``getUpdates`` with the next offset) as soon as it has *fetched* it, so an update being handled
when the process dies is not delivered again. Its sender got no answer; the state is exactly
what the last committed transaction left, and ``/lanjut`` (or pressing again) carries on from there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time

from bot.bulk_import import parse_ipwl_csv
from bot.clock import ManualClock
from bot.emulator import BotApiEmulator, BotMessage, EmuUser
from bot.models import Role
from bot.services import Services
from tests.faults.conftest import (
    MONDAY_9AM, TOKEN, BotProcess, ShiftedClock, WriteLock, chat_reply, grant, rows, until,
)
from tests.helpers import seed_registry
from tests.scenarios.test_review_flow import client_inputs


def _buttons(message: BotMessage) -> list[str]:
    return [b.callback_data for row in message.buttons for b in row if b.callback_data]


async def _tap(emu: BotApiEmulator, user: EmuUser, suffix: str) -> str:
    """Press the button ending in ``suffix`` on the bot's last message to ``user``; the next message."""
    message = emu.last_message(user)
    assert message is not None
    data = next(d for d in _buttons(message) if d.endswith("|" + suffix))
    answer = await emu.press(user, message, data, timeout=15)
    assert answer is not None, f"{data} was not answered"
    await emu.settle(quiet=0.1, timeout=15)
    return emu.chat_messages(user)[-1].text or ""


def _cursor(bot: BotProcess) -> dict:
    found = rows(bot.database, "SELECT draft_cursor FROM proposals")
    assert len(found) == 1, found
    return json.loads(found[0][0]) if found[0][0] else {}


def _fetched(emu: BotApiEmulator) -> bool:
    return emu.state.updates.undelivered == 0


async def test_sigkill_during_a_draft_loses_no_acknowledged_answer_and_applies_none_twice(emu, tmp_path) -> None:
    bot = BotProcess(emu, tmp_path)
    siti = emu.add_user("Siti", last_name="Operator", started=True)
    storage, services = await bot.services()
    await seed_registry(services)
    await grant(services, siti, Role.OPERATOR, ipwl="JB01")
    await storage.close()

    await bot.start()
    await chat_reply(emu, siti, "/ajukan")
    await _tap(emu, siti, "in|this")
    nik_question = await chat_reply(emu, siti, "Siti Rahayu")
    assert _cursor(bot)["step"] == "nik"

    # 1. The NIK arrives while another connection holds the write lock: the bot is stuck in front of
    #    its transaction (busy_timeout) when it dies. Nothing was acknowledged, nothing applied.
    lock = WriteLock(bot.database)
    seen = len(emu.requests)
    await emu.send_text(siti, "3201014508900004")
    await until(lambda: _fetched(emu))
    await asyncio.sleep(0.3)
    await bot.kill()
    lock.release()
    assert not any(m == "sendMessage" for m, _ in emu.requests[seen:])
    assert _cursor(bot)["step"] == "nik" and "nik" not in _cursor(bot)["client"]

    await bot.start()
    assert await chat_reply(emu, siti, "/lanjut") == nik_question  # the same question: retype the NIK

    # 2. The NIK is written, then the bot dies while its answer (the next question) is on the wire:
    #    the emulator holds sendMessage open and drops it.
    emu.fail_next("sendMessage", delay=30, drop=True, chat_id=siti.id)
    seen = len(emu.requests)
    await emu.send_text(siti, "3201014508900004")
    await until(lambda: any(m == "sendMessage" for m, _ in emu.requests[seen:]))
    await bot.kill()
    cursor = _cursor(bot)
    assert cursor["step"] == "nik_confirm" and cursor["client"]["nik"] == "3201014508900004"

    await bot.start()
    resumed = await chat_reply(emu, siti, "/lanjut")
    assert "5 Agustus 1990" in resumed  # the answer survived: the NIK's birth date is shown for confirmation
    # 3. Carry on to the end: one client, every answer once, and the draft submitted once.
    await _tap(emu, siti, "in|here")
    await chat_reply(emu, siti, "Jl. Melati 3 RT 01/02, Desa Cibinong")
    await _tap(emu, siti, "in|skip")
    for choice in ("in|keluarga", "in|1", "in|done"):
        await _tap(emu, siti, choice)
    await chat_reply(emu, siti, "Pengguna sabu 3 tahun, sudah detoks, keluarga mendukung.")
    await chat_reply(emu, siti, "Konseling keluarga dan dukungan sembako selama 3 bulan.")
    await _tap(emu, siti, "in|1")
    await chat_reply(emu, siti, "Paket sembako, 3 x 500.000")
    await _tap(emu, siti, "in|review")
    review = emu.last_message(siti)
    submit = next(d for d in _buttons(review) if d.startswith("v1|sub|"))
    await emu.press(siti, review, submit, timeout=15)
    await until(lambda: rows(bot.database, "SELECT status FROM proposals") == [("submitted",)])
    assert await bot.stop() == 0

    assert rows(bot.database, "SELECT full_name, nik, address FROM clients") == [
        ("Siti Rahayu", "3201014508900004", "Jl. Melati 3 RT 01/02, Desa Cibinong")]
    assert rows(bot.database, "SELECT count(*), sum(total) FROM budget_lines") == [(1, 1_500_000)]
    assert rows(bot.database, "SELECT count(*) FROM proposal_versions") == [(1,)]
    assert rows(bot.database, "SELECT action, count(*) FROM audit_events WHERE entity = 'proposal'"
                              " GROUP BY action ORDER BY action") == [("create_draft", 1), ("submit", 1)]
    assert rows(bot.database, "PRAGMA integrity_check") == [("ok",)]
    assert TOKEN not in bot.log() and "Traceback" not in bot.log()
    assert emu.violations == []

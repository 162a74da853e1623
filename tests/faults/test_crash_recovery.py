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

import pytest

from bot.domain.models import Role
from handlers import buttons
from tests.faults.conftest import (
    TOKEN,
    WriteLock,
    chat_reply,
    grant,
    intact,
    rows,
)
from tests.faults.crash_cast import (
    _buttons,
    _card,
    _cursor,
    _fetched,
    _monday_offset,
    _received,
    _seed_idle_drafts,
    _seed_review,
    _tap,
)
from tests.helpers import jpeg, seed_registry
from tests.waiting import until


@pytest.mark.sqlite_only  # the first kill comes while SQLite's write lock is held from outside
async def test_sigkill_during_a_draft_loses_no_acknowledged_answer_and_applies_none_twice(emu, make_bot) -> None:
    bot = make_bot()
    siti = emu.add_user("Siti", last_name="Operator", started=True)
    storage, services = await bot.services()
    await seed_registry(services)
    await grant(services, siti, Role.OPERATOR, ipwl="JB01")
    await storage.close()

    await bot.start()
    await chat_reply(emu, siti, "/ajukan")
    await _tap(emu, siti, buttons.INTAKE_ANSWER.data("this"))
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
    emu.fail_next("sendMessage", delay=1.5, drop=True, chat_id=siti.id)
    seen = len(emu.requests)
    await emu.send_text(siti, "3201014508900004")
    await until(lambda: any(m == "sendMessage" for m, _ in emu.requests[seen:]))
    await bot.kill()
    await emu.settle(timeout=10)  # the held call ends (dropped) without reaching Siti
    cursor = _cursor(bot)
    assert cursor["step"] == "nik_confirm" and cursor["client"]["nik"] == "3201014508900004"

    await bot.start()
    resumed = await chat_reply(emu, siti, "/lanjut")
    assert "5 Agustus 1990" in resumed  # the answer survived: the NIK's birth date is shown for confirmation
    # 3. Carry on to the end: one client, every answer once, and the draft submitted once.
    await _tap(emu, siti, buttons.INTAKE_ANSWER.data("here"))
    await chat_reply(emu, siti, "Jl. Melati 3 RT 01/02, Desa Cibinong")  # (no phone number)
    for choice in (buttons.INTAKE_ANSWER.data(a) for a in ("keluarga", "1", "done")):
        await _tap(emu, siti, choice)
    await chat_reply(emu, siti, "Pengguna sabu 3 tahun, sudah detoks, keluarga mendukung.")
    await chat_reply(emu, siti, "Konseling keluarga dan dukungan sembako selama 3 bulan.")  # then component 1's line
    await chat_reply(emu, siti, "Paket sembako, 3 x 500.000")
    await _tap(emu, siti, buttons.INTAKE_ANSWER.data("review"))
    review = emu.last_message(siti)
    submit = next(d for d in _buttons(review) if buttons.PROPOSAL_SUBMIT.parse(d))
    await emu.press(siti, review, submit, timeout=15)
    # Send asks for the client's signed consent form first (issue 17.6): a photo of it, then Send again.
    await until(lambda: "✍️" in (emu.last_message(siti).text or ""))
    await emu.send_photo(siti, content=jpeg(b"formulir persetujuan"))
    await until(
        lambda: (
            rows(bot.database, "SELECT count(*) FROM consents") == [(1,)]
            and "✍️" not in (emu.last_message(siti).text or "")
            and bool(_buttons(emu.last_message(siti)))
        )
    )
    review = emu.last_message(siti)
    await emu.press(siti, review, next(d for d in _buttons(review) if buttons.PROPOSAL_SUBMIT.parse(d)), timeout=15)
    await until(lambda: rows(bot.database, "SELECT status FROM proposals") == [("submitted",)])
    assert await bot.stop() == 0

    assert rows(bot.database, "SELECT full_name, nik, address FROM clients") == [
        ("Siti Rahayu", "3201014508900004", "Jl. Melati 3 RT 01/02, Desa Cibinong")
    ]
    assert rows(bot.database, "SELECT count(*), sum(total) FROM budget_lines") == [(1, 1_500_000)]
    assert rows(bot.database, "SELECT count(*) FROM proposal_versions") == [(1,)]
    assert rows(
        bot.database,
        "SELECT action, count(*) FROM audit_events WHERE entity = 'proposal' GROUP BY action ORDER BY action",
    ) == [("create_draft", 1), ("submit", 1)]
    assert intact(bot.database)
    assert TOKEN not in bot.log() and "Traceback" not in bot.log()
    assert emu.violations == []


async def test_sigkill_during_a_pic_decision_neither_loses_nor_repeats_it(emu, make_bot) -> None:
    bot = make_bot(config="[delivery]\nlease_seconds = 1\n")
    siti, andi, budi, group, pid = await _seed_review(bot, emu)
    await bot.start()
    await until(lambda: _card(emu, group, pid) is not None)
    # (Wait for the card's row to be marked sent too: a crash between Telegram's answer and that
    # commit is the outbox's at-least-once window — see test_sigkill_during_an_outbox_drain.)
    await until(lambda: rows(bot.database, "SELECT status FROM outbox") == [("sent",)])
    claim = buttons.CARD_ACTION.data(pid, "claim")
    assert claim in _buttons(_card(emu, group, pid))

    def state() -> tuple:
        return rows(
            bot.database,
            "SELECT p.status, c.full_name, v.full_name FROM proposals p"
            " LEFT JOIN people c ON c.id = p.claimed_by LEFT JOIN people v ON v.id = p.verified_by",
        )[0]

    def audited(action: str) -> int:
        return rows(bot.database, "SELECT count(*) FROM audit_events WHERE action = ?", action)[0][0]

    # (The bot dying before the claim's transaction — the database locked — is the draft test's step 1:
    # the press is simply not answered and nothing happens; pressing again works.)
    # 1. Andi claims; the claim is written, then the bot dies while answering him.
    emu.fail_next("answerCallbackQuery", delay=1.5, drop=True)
    seen = len(emu.requests)
    press = asyncio.create_task(emu.press(andi, _card(emu, group, pid), claim, timeout=1))
    await until(lambda: any(m == "answerCallbackQuery" for m, _ in emu.requests[seen:]))
    await bot.kill()
    assert await press is None
    assert state() == ("in_review", "Andi PIC", None) and audited("claim") == 1

    # After the restart the card shows the claim (its update was in the outbox with the claim).
    await bot.start()
    await until(lambda: buttons.CARD_ACTION.data(pid, "verify") in _buttons(_card(emu, group, pid)), timeout=20)
    # Budi presses Verify on Andi's claimed card: told who is checking it; nothing changes.
    answer = await emu.press(budi, _card(emu, group, pid), buttons.CARD_ACTION.data(pid, "verify"), timeout=10)
    assert answer is not None and answer.show_alert and "Andi" in (answer.text or ""), answer
    assert state() == ("in_review", "Andi PIC", None) and audited("claim") == 1

    # 2. Andi verifies; the bot dies while Telegram is applying the card's edit (it is applied, but the
    #    bot never hears back). The restarted sender takes the row again once its lease (1 s) is over.
    emu.fail_next("editMessageText", delay=1.5, chat_id=group.id)
    seen = len(emu.requests)
    answer = await emu.press(andi, _card(emu, group, pid), buttons.CARD_ACTION.data(pid, "verify"), timeout=10)
    assert answer is not None and not answer.show_alert
    await until(lambda: any(m == "editMessageText" for m, _ in emu.requests[seen:]))
    await bot.kill()
    await bot.start()
    await until(lambda: rows(bot.database, "SELECT count(*) FROM outbox WHERE status != 'sent'") == [(0,)], timeout=20)
    await emu.settle(timeout=10)
    assert await bot.stop() == 0

    assert state() == ("verified", "Andi PIC", "Andi PIC")
    assert audited("claim") == 1 and audited("verify") == 1
    card = _card(emu, group, pid)
    assert card is not None and buttons.CARD_ACTION.data(pid, "validate") in _buttons(card)
    edits = [p for m, p in emu.requests[seen:] if m == "editMessageText" and p.get("message_id") == card.message_id]
    # The at-least-once edge: the edit in flight at the crash was applied by "Telegram" and sent once
    # more after the restart. An edit is idempotent (the second one is "message is not modified").
    assert 1 <= len(edits) <= 2, len(edits)
    assert rows(bot.database, "SELECT kind, status, count(*) FROM outbox GROUP BY kind, status ORDER BY kind") == [
        ("proposal_card", "sent", 1),
        ("proposal_card_update", "sent", 2),
        ("proposal_progress", "sent", 1),
    ]  # Siti is told of the verification once (issue 12.3)
    assert intact(bot.database)
    assert TOKEN not in bot.log() and "Traceback" not in bot.log()
    # The emulator flags a repeated identical edit ("message is not modified"), as Telegram answers it;
    # here it is the expected trace of an edit repeated after a crash — the verify edit above, and the
    # claim's too when the first kill also fell between its edit and its row being marked sent — and
    # the only kind of trace: at most one per kill.
    repeated = [v for v in emu.violations if "message is not modified" in v]
    assert len(emu.violations) == len(repeated) and len(edits) - 1 <= len(repeated) <= bot.kills, emu.violations


# --- the outbox and the reminder job: many operators, one idle draft each ------------------------------------


async def test_sigkill_during_an_outbox_drain_loses_nothing_and_bounds_the_duplicates(emu, make_bot) -> None:
    count = 45
    bot = make_bot(
        clock_offset=_monday_offset(),
        config="[delivery]\nlease_seconds = 1\n[reminders]\nenabled = false\ndraft_idle_hours = 1\n",
    )
    by_code = await _seed_idle_drafts(bot, emu, count)
    storage, services = await bot.services()
    report = await services.reminders.run()  # the job's work, done here: 60 rows wait in the outbox
    await storage.close()
    assert report.messages == count

    # Every send takes 0.4 s at "Telegram", and is carried out even if the bot is gone by then.
    emu.fail_next("sendMessage", delay=0.4, count=10 * count)
    await bot.start()
    await until(lambda: sum(_received(emu, by_code).values()) >= count // 3, timeout=20)
    await bot.kill()
    marked = rows(bot.database, "SELECT count(*) FROM outbox WHERE status = 'sent'")[0][0]
    await emu.settle(timeout=10)  # the sends in flight land after the crash
    landed = sum(_received(emu, by_code).values())
    in_flight = landed - marked  # accepted by Telegram, never marked sent: these will go again

    await bot.start()
    await until(
        lambda: rows(bot.database, "SELECT count(*) FROM outbox WHERE status = 'sent'") == [(count,)], timeout=30
    )
    await emu.settle(timeout=10)
    assert await bot.stop() == 0

    received = _received(emu, by_code)
    lost = [code for code, n in received.items() if n == 0]
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    print(
        f"\noutbox crash: {count} rows, {marked} marked sent before SIGKILL, {in_flight} in flight; "
        f"after restart: lost {len(lost)}, duplicates {duplicates}"
    )
    assert lost == []
    assert duplicates <= in_flight  # at-least-once: only a row Telegram accepted but the bot never marked repeats
    assert rows(bot.database, "SELECT count(*), count(DISTINCT dedupe_key) FROM outbox") == [(count, count)]
    assert intact(bot.database)
    assert "Traceback" not in bot.log() and TOKEN not in bot.log()
    assert emu.violations == []


async def test_sigkill_during_a_reminder_run_neither_skips_nor_repeats_a_reminder(emu, make_bot) -> None:
    count = 80
    bot = make_bot(
        clock_offset=_monday_offset(),
        config=(
            "[delivery]\nlease_seconds = 1\n[reminders]\nfirst_run_seconds = 0\npage_size = 1\ndraft_idle_hours = 1\n"
        ),
    )  # 0: at once (see below)
    by_code = await _seed_idle_drafts(bot, emu, count)

    def logged() -> int:
        return rows(bot.database, "SELECT count(*) FROM reminder_log")[0][0]

    await bot.start()  # the job's first run starts at once: one page (one draft) per transaction
    await until(lambda: logged() >= 5, interval=0.002)
    bot.freeze()  # the run stops where it is — between pages or inside one's transaction…
    await bot.kill()  # …and the process dies there
    partial = logged()
    assert 0 < partial < count, partial
    queued = rows(bot.database, "SELECT count(*) FROM outbox WHERE kind = 'reminder'")[0][0]
    assert queued == partial  # each logged reminder has its message queued, in the same transaction
    marked = rows(bot.database, "SELECT count(*) FROM outbox WHERE status = 'sent'")[0][0]
    await emu.settle(timeout=10)
    in_flight = sum(_received(emu, by_code).values()) - marked

    await bot.start()  # the next run (at start) picks up exactly what the first did not reach
    await until(
        lambda: rows(bot.database, "SELECT count(*) FROM outbox WHERE status = 'sent'") == [(count,)], timeout=30
    )
    await emu.settle(timeout=10)
    assert await bot.stop() == 0

    assert logged() == count
    assert rows(bot.database, "SELECT count(*), count(DISTINCT dedupe_key) FROM outbox WHERE kind = 'reminder'") == [
        (count, count)
    ]
    received = _received(emu, by_code)
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    print(
        f"\nreminder crash: killed after {partial}/{count} reminders logged ({in_flight} sends in flight); "
        f"after restart: logged {logged()}, lost {sum(1 for n in received.values() if n == 0)}, duplicates {duplicates}"
    )
    assert all(n >= 1 for n in received.values())
    assert duplicates <= in_flight
    assert intact(bot.database)
    assert "Traceback" not in bot.log() and TOKEN not in bot.log()
    assert emu.violations == []

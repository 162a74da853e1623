"""No personal data where it does not belong: group chats see codes, counts, totals and flags;
log lines carry ids — even with logging at DEBUG, as an admin chasing a problem would set it —
and never the bot token.

The story is the whole of steps b–d (tests/scenarios/test_payments_flow.py: submit, claim, verify,
validate in the team's group, the SK, bank accounts typed and uploaded, a returned account, the
payment with a failed transfer), plus a Detail, a NIK reveal, forged presses and a crash-free error
path, all with the production logging configuration (``bot.app.configure_logging``) at DEBUG.
"""

from __future__ import annotations

import logging

from bot.app import configure_logging
from bot.emulator import BotApiEmulator
from handlers import buttons
from storage.audit_chain import AuditMirror
from tests.scenarios import change_cast as changes
from tests.scenarios import double_assistance_cast as double_assistance
from tests.scenarios import payment_cast as payments
from tests.scenarios.complaint_cast import named_complaint_from_a_group_closed
from tests.security.matrix import message_with_button
from tests.security.personal_data import SECRETS, secrets_in

GROUP_KINDS = {"bot_message", "bot_document", "bot_photo", "edit"}


async def test_no_personal_data_in_group_chats_or_log_lines(world, caplog, monkeypatch, tmp_path) -> None:
    # The story waits for the bot to go quiet after every step; 50 ms of quiet is plenty here.
    settle = BotApiEmulator.settle
    monkeypatch.setattr(
        BotApiEmulator,
        "settle",
        lambda self, *, quiet=0.05, timeout=10.0: settle(self, quiet=min(quiet, 0.05), timeout=timeout),
    )
    names = ("", "telegram", "httpx", "httpcore", "apscheduler", "aiosqlite", "asyncio")
    levels = {name: logging.getLogger(name).level for name in names}
    mirror = AuditMirror(tmp_path / "audit-mirror.jsonl")  # issue 17.8: the mirror outside the database
    world.storage.audit_mirror = mirror
    try:
        configure_logging(logging.DEBUG)
        caplog.set_level(logging.DEBUG)
        await payments.sk_accounts_and_payment_until_paid(world)
        await changes.nik_corrected_after_payment(world)  # issue 16.6: the card in the group, the SK perubahan
        t = world.team
        # Issue 17.6/17.7: a client's consent withdrawn by the operator, then the retention job runs.
        code = (await world.rows("SELECT code FROM proposals"))[0][0]
        sheet = (await world.say(t.op, f"/persetujuan {code}"))[-1]
        first = next(
            b.callback_data for row in sheet.buttons for b in row if buttons.CONSENT_CLIENT.parse(b.callback_data)
        )
        await world.press(t.op, sheet, first)
        opened = world.last(t.op)
        await world.press(
            t.op,
            opened,
            next(
                b.callback_data
                for row in opened.buttons
                for b in row
                if buttons.CONSENT_WITHDRAW_ASKED.parse(b.callback_data)
            ),
        )
        confirm = world.last(t.op)
        await world.press(
            t.op,
            confirm,
            next(
                b.callback_data
                for row in confirm.buttons
                for b in row
                if buttons.CONSENT_WITHDRAW.parse(b.callback_data)
            ),
        )
        assert await world.rows("SELECT count(*) FROM consents WHERE withdrawn_at IS NOT NULL") == [(1,)]
        await world.services.retention.run()
        await world.drain()
        await named_complaint_from_a_group_closed(world, t)
        pid = (await world.rows("SELECT id FROM proposals"))[0][0]
        client = (await world.rows("SELECT id FROM clients ORDER BY id"))[0][0]
        # Detail and a NIK reveal by a PIC, from the group; forged and other-team presses too.
        for data in (
            buttons.CARD_DETAIL.data(pid),
            buttons.CARD_NIK.data(client),
            buttons.CARD_ACTION.data(999999, "claim"),
            "v2|junk",
        ):
            for user in (t.andi, t.citra, t.stranger):
                message = await message_with_button(world, t.group.id, data)
                await world.press(user, message, data)
        await world.restart()  # a stop and a start log something at INFO: the capture works
        await world.emu.settle()
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)

    groups = {chat_id for chat_id in (t.group.id,)}
    group_events = [e for e in world.emu.transcript if e["chat_id"] in groups and e["kind"] in GROUP_KINDS]
    assert len(group_events) >= 5
    leaked = {e["text"]: secrets_in(e["text"] or "") for e in group_events if secrets_in(e["text"] or "")}
    assert leaked == {}, leaked
    # Buttons on group messages carry ids only (their labels are checked with the texts above).
    for message in world.emu.chat_messages(t.group):
        for row in message.buttons:
            for button in row:
                assert not secrets_in(button.text) and not secrets_in(button.callback_data or ""), button

    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    assert len(lines) >= 2 and any("Application started" in line for line in lines)
    leaking = [(line[:200], secrets_in(line)) for line in lines if secrets_in(line)]
    assert leaking == [], leaking[:5]
    mirrored = mirror.path.read_text()
    assert mirrored.count("\n") >= 10 and secrets_in(mirrored) == []


async def test_double_assistance_shows_both_teams_codes_only(world, caplog) -> None:
    """Issue 16.1: both PIC teams see a same-NIK conflict by proposal and IPWL code; neither group,
    nor a log line, nor a button shows either IPWL's client (the SS01 client included)."""
    names = ("", "telegram", "httpx", "httpcore", "apscheduler", "aiosqlite", "asyncio")
    levels = {name: logging.getLogger(name).level for name in names}
    try:
        configure_logging(logging.DEBUG)
        caplog.set_level(logging.DEBUG)
        group2 = await double_assistance.held_until_adjudicated(world)
        await world.restart()  # (logs at INFO: the capture works)
        await world.emu.settle()
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    secrets = [*SECRETS, *[x for row in double_assistance.SS01_CLIENT for x in row[:2]], "Jl. Anggrek 5"]
    groups = {world.team.group.id, group2.id}
    events = [e for e in world.emu.transcript if e["chat_id"] in groups and e["kind"] in GROUP_KINDS]
    assert any("🛑" in (e["text"] or "") for e in events) and any("⚠️" in (e["text"] or "") for e in events)
    leaked = [(e["text"], s) for e in events for s in secrets if s in (e["text"] or "")]
    assert leaked == []
    for chat in (world.team.group, group2):
        for message in world.emu.chat_messages(chat):
            for row in message.buttons:
                for button in row:
                    assert not [s for s in secrets if s in button.text or s in (button.callback_data or "")]
    lines = [record.getMessage() for record in caplog.records]
    assert any("Application started" in line for line in lines)
    assert [(line[:200], s) for line in lines for s in secrets if s in line] == []

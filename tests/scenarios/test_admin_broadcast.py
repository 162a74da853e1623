"""/siaran: Rina (admin) writes to all 78 operators; a few have blocked the bot or never started it.

The messages go through the outbox within the flood limits; once every one is settled Rina gets a
delivery report with exact counts.
"""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.services.broadcasts import BROADCAST_MAX
from tests.scenarios.admin_cast import admin, data, seventy_eight_operators, tap
from tests.scenarios.conftest import World


@pytest.fixture
def scenario_settings(scenario_settings: Settings) -> Settings:
    # Look for settled broadcasts often, so the report follows the last message quickly. No admin from
    # the configuration: Rina is the admin here, and the sender tells admins about undeliverable chats.
    return scenario_settings.model_copy(
        update={
            "admin": scenario_settings.admin.model_copy(update={"broadcast_check_seconds": 0.3}),
            "access": scenario_settings.access.model_copy(update={"admin_user_ids": []}),
        }
    )


async def test_a_broadcast_to_78_operators_reports_exactly_who_got_it(world: World) -> None:
    rina = await admin(world)
    operators = await seventy_eight_operators(world)
    for user in operators[10:13]:
        world.emu.block(user)
    operators[20].started = False  # registered, then the chat was deleted: the bot may not write first
    blocked = {u.id for u in operators[10:13]} | {operators[20].id}

    choice = (await world.say(rina, "/siaran"))[-1]
    assert "78" in choice.text
    await tap(world, rina, choice, "All operators")
    preview = (await world.say(rina, "Rapat evaluasi <b>LPJ</b> & RAB: Senin, 7 Desember, 09.00 WIB."))[-1]
    assert "78" in preview.text and "<b>LPJ</b> & RAB" in preview.text  # shown as typed, not as markup
    send = data(preview, "Send to 78")
    # A double tap sends once.
    first, second = await world.emu.press(rina, preview, send), await world.emu.press(rina, preview, send)
    assert sum(1 for a in (first, second) if a is not None and a.show_alert) <= 1

    await world.emu.wait_for(lambda: any("📊" in (m.text or "") for m in world.emu.chat_messages(rina)), timeout=30)
    await world.emu.settle()
    report = next(m for m in world.emu.chat_messages(rina) if "📊" in (m.text or ""))
    assert "Sent: 74" in report.text and "never started it: 4" in report.text and "otherwise: 0" in report.text

    for user in operators:
        got = [m for m in world.emu.chat_messages(user) if "Rapat evaluasi" in (m.text or "")]
        assert len(got) == (0 if user.id in blocked else 1), user.full_name
    received = next(m for m in world.emu.chat_messages(operators[0]) if "Rapat evaluasi" in (m.text or ""))
    assert "<b>LPJ</b> & RAB" in received.text and "BRSKPN Galih Pakuan Bogor" in received.text
    assert await world.rows(
        "SELECT status, count(*) FROM outbox WHERE kind = 'broadcast' GROUP BY status ORDER BY status"
    ) == [("failed", 4), ("sent", 74)]
    assert await world.rows("SELECT status, recipients, reported_at IS NOT NULL FROM broadcasts") == [("done", 78, 1)]
    assert await world.rows("SELECT count(*) FROM outbox WHERE kind = 'broadcast_report'") == [(1,)]
    assert await world.rows("SELECT to_status, reason FROM audit_events WHERE action = 'broadcast'") == [
        ("all", "78 recipients")
    ]


async def test_a_broadcast_to_one_province_can_be_previewed_and_cancelled(world: World) -> None:
    rina = await admin(world)
    await seventy_eight_operators(world)
    choice = (await world.say(rina, "/siaran"))[-1]
    await tap(world, rina, choice, "One province")
    provinces = world.last(rina)
    assert "Jawa Barat (8)" in provinces.button_texts  # JB01, JB02 and six of the new ones
    await tap(world, rina, provinces, "Jawa Barat")
    # The longest message, all of it escaped ("&" → "&amp;"): still one valid message of ≤ 4096 characters.
    first = (await world.say(rina, "&" * BROADCAST_MAX))[-1]
    assert "⚠️" not in first.text and first.text.count("&") == BROADCAST_MAX
    second = (await world.say(rina, "Undangan bimtek LPJ"))[-1]  # typing again replaces the draft
    assert "8 operator" in second.text and "Undangan bimtek" in second.text
    assert await world.rows("SELECT body, audience, audience_ref FROM broadcasts") == [
        ("Undangan bimtek LPJ", "province", "32")
    ]
    await tap(world, rina, second, "Cancel")
    assert "cancelled" in world.last(rina).text
    assert await world.rows("SELECT status FROM broadcasts") == [("cancelled",)]
    assert await world.rows("SELECT count(*) FROM outbox WHERE kind = 'broadcast'") == [(0,)]
    assert first.message_id != second.message_id

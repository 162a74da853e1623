"""A role that ends by itself (issue 17.8): the admin gives the head of centre's deputy the head's
role until a set day; the admins are reminded once some days before; the day after, the deputy's
next command no longer works.

Personas: Rina, the admin (Indonesian); Hadi, acting head of centre while the head is on leave.
"""

from __future__ import annotations

import datetime as dt

from bot.domain.models import Role
from tests.scenarios.conftest import World

MONDAY_MORNING = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)  # Mon 7 Dec 2026 09.00 WIB
AFTER = dt.datetime(2026, 12, 12, 1, 0, tzinfo=dt.UTC)  # Sat 12 Dec 2026 08.00 WIB


async def test_a_role_with_a_last_day_is_reminded_once_and_then_stops(world: World) -> None:
    rina = world.emu.add_user("Rina", last_name="Admin", user_id=9001, language_code="id")
    await world.say(rina, "/start")

    # Bad last days get a clear answer and no invitation.
    for bad, words in (
        ("/undang head besok-lusa", "bukan tanggal"),
        ("/undang head 27-11-2026", "setelah hari ini"),
        ("/undang head 31-12-2099", "lebih dari 5 tahun ke depan"),  # 2099 for 2029: not a role for life
    ):
        answer = (await world.say(rina, bad))[-1].text
        assert words in answer, answer
    assert await world.rows("SELECT count(*) FROM invites") == [(0,)]

    link = (await world.say(rina, "/undang head 11-12-2026"))[-1].text
    assert "Peran ini berakhir pada 11 Des 2026 23.59 WIB" in link, link
    token = link.split("start=")[1].split()[0]
    hadi = world.emu.add_user("Hadi", last_name="Plt", language_code="id")
    assert "✅" in (await world.say(hadi, f"/start {token}"))[-1].text
    assert await world.rows(
        "SELECT role, valid_until FROM grants g JOIN people p ON p.id = g.person_id WHERE p.full_name LIKE 'Hadi%'"
    ) == [("head", "2026-12-11T17:00:00.000000Z")]
    head_menu = (await world.say(hadi, "/tugas"))[-1].text

    # Four days before: the reminder goes to the admins, once, whatever how often the job runs.
    world.clock.set(MONDAY_MORNING)
    before = len(world.emu.chat_messages(rina))
    await world.services.reminders.run()
    await world.services.reminders.run()
    await world.drain()
    told = [m.text for m in world.emu.chat_messages(rina)[before:]]
    assert len(told) == 1, told
    assert "⏳ Peran Kepala Balai milik Hadi Plt berakhir pada 11 Des 2026 23.59 WIB" in told[0], told
    assert await world.rows("SELECT count(*) FROM outbox WHERE kind = 'grant_expiry'") == [(1,)]
    tasks = (await world.say(rina, "/tugas"))[-1].text
    assert "1 peran berakhir dalam beberapa hari" in tasks, tasks

    # The day after the last day: the very next command is refused, without a revocation.
    world.clock.set(AFTER)
    after = (await world.say(hadi, "/tugas"))[-1].text
    assert "Kepala Balai" in head_menu and "Kepala Balai" not in after and "belum terdaftar" in after, after
    assert await world.rows(
        "SELECT g.revoked_at FROM grants g JOIN people p ON p.id = g.person_id WHERE p.full_name LIKE 'Hadi%'"
    ) == [(None,)]
    who = await world.services.onboarding.identify(hadi.id, hadi.full_name, private_chat=True, language="id")
    assert Role.HEAD not in {g.role for g in who.actor.grants}

"""/batal stops whatever a person is in the middle of, and nothing half-done remains."""

from __future__ import annotations

from bot.domain.models import Role
from tests.scenarios.admin_cast import admin, tap


async def test_cancel_stops_an_admin_broadcast_draft(world) -> None:
    rina = await admin(world)
    await world.enrol(world.emu.add_user("Siti"), Role.OPERATOR, ipwl="JB01")
    choice = (await world.say(rina, "/siaran"))[-1]
    await tap(world, rina, choice, "All operators")
    await world.say(rina, "Rapat koordinasi LPJ hari Jumat")
    assert await world.rows("SELECT count(*) FROM conversations") == [(1,)]

    answer = (await world.say(rina, "/batal"))[-1]

    assert answer.text == world.deps.translations.for_locale("en").gettext("Cancelled. Nothing was changed.")
    assert await world.rows("SELECT count(*) FROM conversations") == [(0,)]
    assert await world.rows("SELECT count(*) FROM outbox WHERE kind = 'broadcast'") == [(0,)]

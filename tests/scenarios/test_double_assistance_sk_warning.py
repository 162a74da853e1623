"""The head is warned at /sk of a soft conflict (issue 16.1, a newcomer's run).

Rudi's SS01 proposal with Sity is still under review at Tim PIC 2; Siti's JB01 proposal with Siti
Rahayu (the same NIK) is validated. Before, Hana's /sk draft said nothing about it. Now the line of
JB01's proposal and, once ticked, the draft say that one client has the same NIK as another IPWL's
proposal still under review, not decided by a PIC — codes and counts only. Soft conflicts warn, they
do not block: she issues the SK, and Siti Rahayu is in its annex.
"""

from __future__ import annotations

from bot.domain.models import Role
from handlers import buttons
from tests.scenarios.double_assistance_cast import NIK, annex_cells, submitted_at_ss01
from tests.scenarios.payment_cast import press
from tests.scenarios.review_cast import submitted, team, validated_by_the_team


async def test_the_head_is_warned_at_sk_of_a_client_with_the_same_nik_still_under_review(world) -> None:
    t = world.team = await team(world)
    rudi = world.emu.add_user("Rudi", last_name="Operator")
    await world.enrol(rudi, Role.OPERATOR, ipwl="SS01")
    group2 = world.emu.add_group("Tim PIC 2", members=[t.citra])
    await submitted_at_ss01(world, rudi, group2)
    pid = await submitted(world, t)
    code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    await validated_by_the_team(world, t, pid)
    await world.drain()

    draft = (await world.say(t.head, "/sk"))[-1].text
    assert "⚠️ 1 NIK sama" in draft and "🛑" not in draft, draft
    await press(world, t.head, buttons.SK_DRAFT.data("p", pid))
    ticked = world.last(t.head).text
    warning = f"⚠️ {code}: 1 klien dengan NIK yang sama"
    assert warning in ticked and "belum diputuskan PIC" in ticked, ticked
    assert NIK not in ticked and "Siti Rahayu" not in ticked
    # Warned, not blocked: she issues it, and client 1 is in the annex.
    for data in ("n", "r", "y"):
        await press(world, t.head, buttons.SK_DRAFT.data(data))
    await world.drain()
    assert await world.rows("SELECT status FROM proposals WHERE id = ?", pid) == [("decreed",)]
    annex = [m for m in world.emu.chat_messages(t.head) if m.document][-1]
    assert "Siti Rahayu" in annex_cells(annex)
    assert await world.rows("SELECT count(*) FROM nik_conflicts WHERE adjudicated_at IS NOT NULL") == [(0,)]

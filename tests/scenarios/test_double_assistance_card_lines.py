"""What a group card says of a same-NIK pair as it moves on (issue 16.1, a newcomer's run).

Rudi's SS01 proposal with Sity and Siti's JB01 proposal with Siti Rahayu (the same NIK) are both
under review: JB01's card warns ("…still under review there"). Tim PIC 2 validates SS01's: JB01's
card, redrawn when Andi claims it, no longer says "still under review" but "validated there". Andi
decides they are not the same person: the card shows the decision, and not also the intake's
"⚠️ 1 client also appears in another IPWL's proposal this year" above it.
"""

from __future__ import annotations

from bot.domain.models import Action, Role
from handlers import buttons
from tests.scenarios.change_cast import press as press_in
from tests.scenarios.double_assistance_cast import NIK, submitted_at_ss01
from tests.scenarios.review_cast import card, operator, submitted, tap, team

ALSO_ELSEWHERE = "juga tercantum di proposal IPWL lain"
UNDER_REVIEW = "masih diperiksa di sana"


async def test_a_pair_line_follows_the_other_proposal_and_a_decision_drops_the_warning(world) -> None:
    t = world.team = await team(world)
    rudi = world.emu.add_user("Rudi", last_name="Operator")
    dian = world.emu.add_user("Dian", last_name="Tim2")
    await world.enrol(rudi, Role.OPERATOR, ipwl="SS01")
    await world.enrol(dian, Role.PIC, team="TIM2")
    group2 = world.emu.add_group("Tim PIC 2", members=[t.citra, dian])
    ss01 = await submitted_at_ss01(world, rudi, group2)
    pid = await submitted(world, t)
    await world.drain()
    siti_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ? AND position = 1", pid))[0][0]
    ss01_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", ss01))[0][0]
    shown = card(world, t, pid).text
    assert ALSO_ELSEWHERE in shown and UNDER_REVIEW in shown and ss01_code in shown, shown
    assert "PIC memutuskannya di 🔎 Rincian → ⚖️ Putuskan" in shown, shown  # where the decision is made

    # Tim PIC 2 validates SS01's proposal; Andi claims JB01's: its card says where SS01's is now.
    citra, dian_who = await operator(world, t.citra), await operator(world, dian)
    for person, action in ((citra, Action.CLAIM), (citra, Action.VERIFY), (dian_who, Action.VALIDATE)):
        await world.services.reviews.act(person, ss01, action)
        await world.drain()
    assert await world.rows("SELECT status FROM proposals WHERE id = ?", ss01) == [("validated",)]
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))
    await world.drain()
    shown = card(world, t, pid).text
    assert UNDER_REVIEW not in shown and "divalidasi di sana" in shown and ss01_code in shown, shown
    assert await world.rows("SELECT kind, adjudicated_at FROM nik_conflicts WHERE client_id = ?", siti_client) == [
        ("soft", None)
    ]

    # Andi decides: not the same person. The card shows the decision, not also a warning above it.
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_DETAIL.data(pid))
    await press_in(world, t.andi, t.andi, buttons.NIK_ADJUDICATE.data(siti_client))
    await world.say(t.andi, "Tanggal lahir dan nama ibu berbeda, dicek ke Dukcapil")
    await world.drain()
    shown = card(world, t, pid).text
    assert "✅ Klien 1: bukan orang yang sama" in shown and ALSO_ELSEWHERE not in shown, shown
    assert "PIC memutuskannya" not in shown  # decided: nothing more to decide
    assert await world.rows("SELECT outcome FROM nik_conflicts WHERE client_id = ?", siti_client) == [("different",)]
    group_texts = [x for g in (t.group, group2) for m in world.emu.chat_messages(g) for x in (m.text or "", *m.edits)]
    assert not [x for x in group_texts if NIK in x or "Siti Rahayu" in x or "Sity" in x]

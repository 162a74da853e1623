"""The same person found before any SK (issue 16.1, a newcomer's run).

Rudi's SS01 proposal with Sity waits at Tim PIC 2; Siti sends JB01's with Siti Rahayu, the same NIK:
both teams are warned (soft), nobody is held. Andi checks and finds it is the same person (she moved
from Bandung). Before, ⚖️ only asked why they were *not* the same person: he typed "orangnya sama…",
it was saved as "not the same person", the client was released and both proposals got SKs — one
person paid twice. Now the prompt offers 🟰 The same person as well, and says that the typed reason
records NOT the same person; with 🟰 the decision is recorded as the same person and Siti Rahayu is
held for good: out of JB01's SK annex and out of the pagu committed, while Sity at SS01 stays
assisted; Siti (operator) is told privately that the SK will leave her client out.
"""

from __future__ import annotations

from bot.domain.models import Role
from handlers import buttons
from tests.scenarios.change_cast import press as press_in
from tests.scenarios.double_assistance_cast import NIK, annex_cells, submitted_at_ss01
from tests.scenarios.payment_cast import clients, sk_issued
from tests.scenarios.review_cast import card, datas, submitted, tap, team, validated_by_the_team


async def test_a_warned_client_found_the_same_person_before_the_sk_is_held_out_of_it(world) -> None:
    t = world.team = await team(world)
    rudi = world.emu.add_user("Rudi", last_name="Operator")
    await world.enrol(rudi, Role.OPERATOR, ipwl="SS01")
    group2 = world.emu.add_group("Tim PIC 2", members=[t.citra])
    ss01 = await submitted_at_ss01(world, rudi, group2)
    pid = await submitted(world, t)
    await world.drain()
    siti_client, budi_client, dewi_client = await clients(world, pid)
    ss01_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    ss01_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", ss01))[0][0]
    assert "⚠️" in card(world, t, pid).text and "🛑" not in card(world, t, pid).text

    # Andi opens Detail and ⚖️: both outcomes are offered, and the reason prompt says what it records.
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_DETAIL.data(pid))
    await press_in(world, t.andi, t.andi, buttons.NIK_ADJUDICATE.data(siti_client))
    prompt = world.last(t.andi)
    assert buttons.NIK_SAME_PERSON.data(siti_client) in datas(prompt)
    assert "BUKAN orang yang sama" in prompt.text and "🟰" in prompt.text, prompt.text
    await press_in(world, t.andi, t.andi, buttons.NIK_SAME_PERSON.data(siti_client))
    assert "Orang yang sama" in world.last(t.andi).text
    reason = "orangnya sama, dia pindah dari Bandung"
    replies = await world.say(t.andi, reason)
    assert replies[-1].text.startswith("⛔") and ss01_code in replies[-1].text, replies[-1].text

    # Recorded the same person on both sides; Siti Rahayu's side holds (hard), Sity's stays assisted.
    assert await world.rows("SELECT client_id, kind, outcome, reason FROM nik_conflicts ORDER BY client_id") == [
        (ss01_client, "soft", "same", reason),
        (siti_client, "hard", "same", reason),
    ]
    async with world.storage.reading() as uow:
        assert await uow.nik_conflicts.held([siti_client, ss01_client]) == {siti_client}
    await world.drain()
    shown = card(world, t, pid).text
    assert "⛔" in shown and ss01_code in shown
    # Siti (operator) is told privately: the SK will leave her client out; never the other IPWL's codes.
    notice = next(m for m in reversed(world.emu.chat_messages(t.op)) if "⛔" in (m.text or ""))
    assert "Siti Rahayu" in notice.text and "lampiran SK" in notice.text and ss01_code not in notice.text
    assert f"/perubahan {code} 1" in notice.text
    group_texts = [x for g in (t.group, group2) for m in world.emu.chat_messages(g) for x in (m.text or "", *m.edits)]
    assert not [x for x in group_texts if NIK in x or "Siti Rahayu" in x or "Sity" in x]

    # Andi verifies, Budi validates, Hana issues the SK: client 1 is not in the annex nor in the pagu.
    await validated_by_the_team(world, t, pid)
    await world.drain()
    await sk_issued(world, t, pid)
    annex = [m for m in world.emu.chat_messages(t.head) if m.document][-1]
    cells = annex_cells(annex)
    assert "Siti Rahayu" not in cells and NIK not in cells and "Budi Santoso" in cells and "Dewi Lestari" in cells
    assert await world.rows("SELECT status FROM proposals WHERE id = ?", pid) == [("decreed",)]
    # Siti's SK notice says her client is decided, not waiting to be cleared.
    sk_notice = next(m for m in reversed(world.emu.chat_messages(t.op)) if "🖋" in (m.text or ""))
    assert "1 klien dinyatakan orang yang sama" in sk_notice.text, sk_notice.text
    assert "membebaskannya" not in sk_notice.text
    year = (await world.rows("SELECT period_year FROM proposals WHERE id = ?", pid))[0][0]
    async with world.storage.reading() as uow:
        committed = await uow.budget.committed(year)
    two = await world.rows(
        "SELECT sum(b.total) FROM budget_lines b WHERE b.client_id IN (?, ?)", budi_client, dewi_client
    )
    assert sum(committed.values()) == two[0][0]

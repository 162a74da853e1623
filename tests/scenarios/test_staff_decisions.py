"""The staff side after submission, as first-time users met it (issues 11 and 12).

Personas as in test_review_flow — Siti (operator, JB01), Andi and Budi (PIC team 1), Hana (head) —
plus Rina, an admin who sits in team 1's group but is not on the team, and Fajar (finance).
"""

from __future__ import annotations

from bot.domain.models import Role
from tests.scenarios.test_review_flow import card, datas, drain, person_id, status, submitted, tap, team


async def test_only_two_pic_of_the_team_decide_an_admin_in_the_group_may_only_release(world) -> None:
    t = world.team = await team(world)
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    world.emu.add_member(t.group, rina)
    pid = await submitted(world, t)
    andi_id, budi_id, rina_id = [await person_id(world, u) for u in (t.andi, t.budi, rina)]

    # Rina may not take the proposal for checking: it is the team's work.
    refused = await tap(world, rina, card(world, t, pid), f"v1|pic|{pid}|claim")
    assert refused.show_alert and "Tim PIC" in refused.text and "admin" in refused.text.lower()
    assert (await status(world, pid))[:2] == ("submitted", None)

    # Andi claims; Rina releases the claim (an admin hands a review back) and Andi claims again.
    await tap(world, t.andi, card(world, t, pid), f"v1|pic|{pid}|claim")
    released = await tap(world, rina, card(world, t, pid), f"v1|pic|{pid}|release")
    assert not released.show_alert, released.text
    assert (await status(world, pid))[:2] == ("submitted", None)
    await tap(world, t.andi, card(world, t, pid), f"v1|pic|{pid}|claim")
    await tap(world, t.andi, card(world, t, pid), f"v1|pic|{pid}|verify")
    assert await status(world, pid) == ("verified", andi_id, andi_id, None, 1)

    # Rina presses Validate (and Return): refused, nothing changes, the card does not name her.
    for data in (f"v1|pic|{pid}|validate", f"v1|pdc|{pid}|return", f"v1|pdc|{pid}|reject"):
        refused = await tap(world, rina, card(world, t, pid), data)
        assert refused.show_alert and "admin" in refused.text.lower(), (data, refused.text)
    assert await status(world, pid) == ("verified", andi_id, andi_id, None, 1)
    assert "Rina" not in card(world, t, pid).text
    assert await world.rows("SELECT count(*) FROM conversations WHERE kind = 'review_reason'") == [(0,)]

    # Budi, the second PIC of the team, validates: the card names him.
    await tap(world, t.budi, card(world, t, pid), f"v1|pic|{pid}|validate")
    assert await status(world, pid) == ("validated", andi_id, andi_id, budi_id, 1)
    await drain(world)
    assert "Budi PIC" in card(world, t, pid).text and "Admin" not in card(world, t, pid).text
    denied = await world.rows("SELECT actor_id, reason FROM audit_events WHERE action = 'denied' ORDER BY id")
    assert denied == [(rina_id, "claim: role_required"), (rina_id, "validate: role_required"),
                      (rina_id, "return: role_required"), (rina_id, "reject: role_required")]
    assert datas(card(world, t, pid)) == {f"v1|pdt|{pid}"}


async def test_the_operator_hears_of_each_step_of_the_review(world) -> None:
    t = world.team = await team(world)
    pid = await submitted(world, t)
    before = len(world.emu.chat_messages(t.op))
    await tap(world, t.andi, card(world, t, pid), f"v1|pic|{pid}|claim")
    await tap(world, t.andi, card(world, t, pid), f"v1|pic|{pid}|verify")
    await drain(world)
    verified = world.emu.chat_messages(t.op)[before:]
    assert len(verified) == 1 and "USL-2026-0001" in verified[0].text and "diverifikasi" in verified[0].text
    assert "Andi" not in verified[0].text  # the team's step, not a person's
    await tap(world, t.budi, card(world, t, pid), f"v1|pic|{pid}|validate")
    await drain(world)
    validated = world.emu.chat_messages(t.op)[before + 1:]
    assert len(validated) == 1 and "divalidasi" in validated[0].text and "SK" in validated[0].text
    assert await world.rows("SELECT kind, status FROM outbox WHERE kind = 'proposal_progress' ORDER BY id") == [
        ("proposal_progress", "sent"), ("proposal_progress", "sent")]

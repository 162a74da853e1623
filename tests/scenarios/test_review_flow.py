"""PIC team 1 reviews a proposal of Yayasan Harapan Bogor in its group chat (step b).

Personas: Siti (operator, JB01), Andi and Budi (PIC team 1, in the group), Citra (PIC team 2, also in
the group by mistake), Tamu (a stranger in the group), Hana (head of centre).
"""

from __future__ import annotations

import asyncio

from bot.domain.models import Role
from handlers import buttons
from tests.helpers import submit_with_consent
from tests.scenarios.review_cast import (
    card,
    datas,
    give_reasons,
    operator,
    person_id,
    status,
    submitted,
    tap,
    team,
)


async def test_claim_return_resubmit_verify_validate(world) -> None:
    t = world.team = await team(world)
    pid = await submitted(world, t)
    andi_id, budi_id = await person_id(world, t.andi), await person_id(world, t.budi)

    first = card(world, t, pid)
    assert "USL-2026-0001" in first.text and "Rp4.500.000" in first.text and "JB01" in first.text
    assert datas(first) == {
        buttons.CARD_ACTION.data(pid, "claim"),
        buttons.CARD_DECISION.data(pid, "return"),
        buttons.CARD_DECISION.data(pid, "reject"),
        buttons.CARD_DETAIL.data(pid),
    }

    # Andi claims; the card says so, in place.
    answer = await tap(world, t.andi, first, buttons.CARD_ACTION.data(pid, "claim"))
    assert not answer.show_alert and "USL-2026-0001" in answer.text
    assert await status(world, pid) == ("in_review", andi_id, None, None, 1)
    first = card(world, t, pid)
    assert "Andi PIC" in first.text and first.edits
    assert buttons.CARD_ACTION.data(pid, "verify") in datas(first) and buttons.CARD_ACTION.data(
        pid, "claim"
    ) not in datas(first)

    # Budi may not verify while Andi checks it: told who and since when.
    refused = await tap(world, t.budi, first, buttons.CARD_ACTION.data(pid, "verify"))
    assert refused.show_alert and "Andi PIC" in refused.text and "WIB" in refused.text
    assert await status(world, pid) == ("in_review", andi_id, None, None, 1)

    # Andi returns it: client 2's NIK is wrong.
    budi_client = (
        await world.rows(
            "SELECT id FROM clients WHERE nik_index = ?", world.storage.keys.blind("nik", "3201011203850002")
        )
    )[0][0]
    await give_reasons(world, t.andi, pid, "return", [f"c{budi_client}", "fnik"], "NIK tidak sesuai KTP")
    assert (await status(world, pid))[0] == "returned"
    assert await world.rows("SELECT client_id, field, reason, stage FROM return_reasons") == [
        (budi_client, "nik", "NIK tidak sesuai KTP", "proposal")
    ]
    notice = world.last(t.op)
    assert "USL-2026-0001" in notice.text and "NIK tidak sesuai KTP" in notice.text and "Budi Santoso" in notice.text
    assert datas(notice) == {buttons.PROPOSAL_OPEN.data(pid)}
    assert datas(card(world, t, pid)) == {buttons.CARD_DETAIL.data(pid)}

    # Siti drops client 3 and sends version 2: a new card; the old one says it was replaced.
    who = await operator(world, t.op)
    state = await world.services.proposals.resume(who, proposal_id=pid)
    dewi = next(c for c in state.clients if c.full_name == "Dewi Lestari")
    await world.services.proposals.remove_client(who, dewi.id)
    await submit_with_consent(world.services, who, pid)
    await world.drain()
    cards = [m for m in world.emu.chat_messages(t.group) if "USL-2026-0001" in m.text]
    assert len(cards) == 2 and cards[0].buttons == [] and cards[0].message_id == first.message_id
    second = card(world, t, pid)
    assert second.message_id != first.message_id and "Rp3.000.000" in second.text
    assert await world.rows("SELECT version FROM group_cards WHERE proposal_id = ?", pid) == [(2,)]

    # Budi opens Detail privately: NIK masked, the letter re-sent, the change listed.
    answer = await tap(world, t.budi, second, buttons.CARD_DETAIL.data(pid))
    assert not answer.show_alert
    private = world.emu.chat_messages(t.budi)
    detail = next(m for m in private if m.text and "USL-2026-0001" in m.text)
    assert "3201••••••••0004" in detail.text and "3201014508900004" not in detail.text
    assert "Dewi Lestari" in detail.text  # removed since version 1
    assert any(m.document and m.document.get("file_name") == "surat-pengantar.pdf" for m in private)
    reveal = await tap(world, t.budi, detail, buttons.CARD_NIK.data(budi_client))
    assert reveal.show_alert and "3201011203850002" in reveal.text
    assert await world.rows(
        "SELECT action FROM audit_events WHERE action IN ('view_detail', 'reveal_nik') ORDER BY id"
    ) == [("view_detail",), ("reveal_nik",)]

    # Andi claims and verifies; under four-eyes he may not validate; Budi does.
    await tap(world, t.andi, second, buttons.CARD_ACTION.data(pid, "claim"))
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "verify"))
    assert await status(world, pid) == ("verified", andi_id, andi_id, None, 2)
    refused = await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "validate"))
    assert refused.show_alert
    await tap(world, t.budi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "validate"))
    assert await status(world, pid) == ("validated", andi_id, andi_id, budi_id, 2)
    assert "Budi PIC" in card(world, t, pid).text
    assert "USL-2026-0001" in world.last(t.head).text and "/sk" in world.last(t.head).text
    denied = await world.rows("SELECT actor_id, reason FROM audit_events WHERE action = 'denied'")
    assert denied == [(andi_id, "validate: four_eyes")]


async def test_another_team_and_a_stranger_are_refused_and_audited(world) -> None:
    t = world.team = await team(world)
    pid = await submitted(world, t)
    before = await status(world, pid)
    presses = 0
    for stage in ("submitted", "in_review"):
        message = card(world, t, pid)
        for data in sorted(datas(message)):
            for intruder in (t.citra, t.stranger):
                answer = await tap(world, intruder, message, data)
                presses += 1
                assert answer.show_alert, (data, answer)
        assert await status(world, pid) == before
        if stage == "submitted":
            await tap(world, t.andi, message, buttons.CARD_ACTION.data(pid, "claim"))
            before = await status(world, pid)
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'denied'") == [(presses,)]
    assert world.emu.chat_messages(t.citra)[-1].text.startswith("✅")  # only her enrolment: no detail sent
    assert world.emu.chat_messages(t.stranger) == []
    assert await world.rows("SELECT count(*) FROM conversations WHERE kind = 'review_reason'") == [(0,)]


async def test_two_pic_press_claim_at_once_one_wins(world) -> None:
    t = world.team = await team(world)
    pid = await submitted(world, t)
    message = card(world, t, pid)
    answers = await asyncio.gather(
        world.emu.press(t.andi, message, buttons.CARD_ACTION.data(pid, "claim")),
        world.emu.press(t.budi, message, buttons.CARD_ACTION.data(pid, "claim")),
    )
    await world.emu.settle()
    winners = [a for a in answers if not a.show_alert]
    losers = [a for a in answers if a.show_alert]
    assert len(winners) == 1 and len(losers) == 1
    claimed_by = (await status(world, pid))[1]
    winner_name = (await world.rows("SELECT full_name FROM people WHERE id = ?", claimed_by))[0][0]
    assert winner_name in losers[0].text
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'claim'") == [(1,)]


async def test_detail_for_a_pic_who_never_started_the_bot_is_a_start_link(world) -> None:
    t = world.team = await team(world)
    eko = world.emu.add_user("Eko", last_name="PIC")  # joined the group, never opened the bot
    world.emu.add_member(t.group, eko)
    invite = await world.services.onboarding.create_invite(Role.PIC, team_code="TIM1")
    who = await world.services.onboarding.identify(eko.id, eko.full_name, private_chat=False, language="id")
    await world.services.onboarding.redeem_invite(who, invite.token)
    pid = await submitted(world, t)
    answer = await tap(world, eko, card(world, t, pid), buttons.CARD_DETAIL.data(pid))
    assert answer.url == "https://t.me/atensi_bot?start=hi"
    assert world.emu.chat_messages(eko) == []
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'view_detail'") == [(0,)]
    answer = await tap(world, eko, card(world, t, pid), buttons.CARD_DECISION.data(pid, "return"))
    assert answer.url == "https://t.me/atensi_bot?start=hi"


async def test_notifications_survive_429_and_500_and_arrive_once(world) -> None:
    t = world.team = await team(world)
    world.emu.fail_next("sendMessage", status=429, retry_after=1, chat_id=t.group.id)
    world.emu.fail_next("sendMessage", status=500, count=2, chat_id=t.group.id)
    pid = await submitted(world, t)
    await world.emu.wait_for(lambda: any("USL-2026-0001" in m.text for m in world.emu.chat_messages(t.group)))
    world.emu.fail_next("editMessageText", status=500, chat_id=t.group.id)
    world.emu.fail_next("sendMessage", status=429, retry_after=1, chat_id=t.op.id)
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))
    await give_reasons(world, t.andi, pid, "reject", [], "Bukan sasaran program ATENSI")
    await world.emu.wait_for(lambda: "Bukan sasaran" in (world.last(t.op).text or ""), timeout=8)
    await world.emu.settle()
    assert len([m for m in world.emu.chat_messages(t.group) if "USL-2026-0001" in m.text]) == 1
    assert sum("Bukan sasaran" in (m.text or "") for m in world.emu.chat_messages(t.op)) == 1
    assert "Andi PIC" in card(world, t, pid).text and (await status(world, pid))[0] == "rejected"
    assert world.emu.stats["429.injected"] == 2
    assert await world.rows("SELECT status, count(*) FROM outbox GROUP BY status") == [("sent", 4)]


async def test_a_pic_who_also_runs_the_ipwl_cannot_decide_on_its_proposal(world) -> None:
    t = world.team = await team(world)
    await world.enrol(t.andi, Role.OPERATOR, ipwl="JB01")  # Andi also helps run Yayasan Harapan Bogor
    pid = await submitted(world, t)
    before = await status(world, pid)
    answer = await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))
    assert answer.show_alert and "rekan" in (answer.text or "")  # in Indonesian: a colleague must decide
    assert await status(world, pid) == before
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'denied'") == [(1,)]
    await tap(world, t.budi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))  # Budi, his colleague, may
    assert (await status(world, pid))[0] == "in_review"

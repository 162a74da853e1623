"""Forged and replayed callback data: garbage, another version's prefix, ids out of range or of
another IPWL's items, and an old card's buttons after the proposal moved on. Every press is answered
with a polite alert, nothing reaches the error handler, and the database does not change."""

from __future__ import annotations

import asyncio

from bot.domain.models import Action
from bot.domain.models import ProposalStatus as S
from handlers.callback_data import encode
from tests.helpers import submit_with_consent
from tests.scenarios.review_cast import card, give_reasons, submitted, tap, team
from tests.security.matrix import changes, fingerprint, message_with_button
from tests.seeds import seed_proposal

# Every entry is something none of the pressers may do: malformed (for a real proposal of their team),
# out of range, or a real item of team 2's IPWL SS01 (the pressers are team 1's PICs, a stranger and
# JB01's operator).
FORGED = [
    "x",
    "v1",
    "v1|",
    "v1||",
    "|pic|1|claim",
    "v2|pic|{pid}|claim",
    "V1|pic|{pid}|claim",
    "v0|pic|{pid}|claim",
    "v1|pic",
    "v1|pic|{pid}",
    "v1|pic|{pid}|explode",
    "v1|pic|{other}|claim|extra|args",
    "v1|pic|abc|claim",
    "v1|pic|-1|claim",
    "v1|pic|0|claim",
    "v1|pic|99999|claim",
    "v1|pic|" + "9" * 30 + "|claim",
    "v1|pic|9223372036854775808|claim",
    "v1|pic|1e3|claim",
    "v1|pic|{pid}.0|claim",
    "v1|pic|{pid} |claim",
    "v1|pic|١|claim",
    "v1|pdt|{other}",
    "v1|nik|{other_client}",
    "v1|pic|{other}|claim",
    "v1|pdc|{other}|reject",
    "v1|rsn|{other}|ok",
    "v1|sub|{other}",
    "v1|wdy|{other}",
    "v1|av|{other_client}",
    "v1|ljk|{other}",
    "v1|ip.m|{other}|99999",
    "v1|pp.rpy|1",
    "v1|pd.ey|1",
    "v1|bc.y|1",
    "v1|ex.r|clients|m0|1",
    "v1|nosuchkind|1",
    "v1|pic|{pid}|claim;DROP TABLE proposals",
    "v1|open|{other}",
    "v1|acc|{other_client}",
    "v1|gd.s|nosuchsection|9",
    "v1|lang|xx",
    "v1|in|" + "a" * 40,
    "v1|sk|p|{other}",
    "v1|ljo|{other}",
]


async def test_forged_callback_data_is_refused_politely_and_changes_nothing(world) -> None:
    t = await team(world)
    world.team = t
    pid = await submitted(world, t)
    other = await seed_proposal(world.services, ipwl="SS01", status=S.IN_REVIEW)  # team 2's
    other_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", other))[0][0]
    tamu = t.stranger
    await world.say(tamu, "/start")
    before = await fingerprint(world)
    presses = 0
    for persona in (t.andi, t.budi, tamu, t.op):
        chat = t.op.id if persona is t.op else t.group.id  # Siti is not in the group: her own chat
        forged = [raw.format(pid=pid, other=other, other_client=other_client) for raw in FORGED]
        forged = [data for data in forged if len(data.encode()) <= 64]
        messages = [await message_with_button(world, chat, data) for data in forged]
        answers = await asyncio.gather(*(world.emu.press(persona, m, d) for m, d in zip(messages, forged, strict=True)))
        presses += len(answers)
        for data, answer in zip(forged, answers, strict=True):
            assert answer is not None, data
            assert answer.show_alert and answer.text and "Traceback" not in answer.text, (data, answer)
    await world.drain()
    # Andi (PIC of team 1) may claim the real proposal with a well-formed button — but not with these.
    assert changes(before, await fingerprint(world)) == {}
    assert presses >= 4 * 40
    assert await world.rows("SELECT status FROM proposals WHERE id = ?", pid) == [("submitted",)]


async def test_an_old_cards_buttons_after_the_status_moved_on_change_nothing(world) -> None:
    t = await team(world)
    world.team = t
    pid = await submitted(world, t)
    old = card(world, t, pid)
    buttons_then = [b.callback_data for row in old.buttons for b in row]
    await tap(world, t.andi, old, f"v1|pic|{pid}|claim")
    await tap(world, t.andi, card(world, t, pid), f"v1|pic|{pid}|verify")
    await world.say(t.stranger, "/start")  # known to the bot (a first contact records the person)
    await world.drain()
    before = await fingerprint(world)
    # Buttons shown before (claim) pressed again by everyone, replayed from messages that still carry them.
    for data in [d for d in buttons_then if d.endswith("|claim")]:  # return/reject stay possible when verified
        for persona in (t.andi, t.budi, t.citra, t.stranger, t.op):
            chat = t.op.id if persona is t.op else t.group.id
            message = await message_with_button(world, chat, data)
            answer = await world.emu.press(persona, message, data)
            assert answer is not None
            if data.endswith("|claim"):
                assert answer.show_alert and answer.text
    await world.drain()
    assert changes(before, await fingerprint(world)) == {}
    # A double-tap on the submit of an already-submitted draft, from the operator's old review.
    data = encode("sub", pid)
    answer = await world.press(t.op, await message_with_button(world, t.op.id, data), data)
    assert answer is not None and answer.show_alert
    assert await world.rows("SELECT status, version FROM proposals WHERE id = ?", pid) == [("verified", 1)]
    assert await world.rows("SELECT count(*) FROM proposal_versions WHERE proposal_id = ?", pid) == [(1,)]


async def test_a_resubmitted_proposals_old_card_cannot_act_on_the_new_version(world) -> None:
    """Version 1's card (superseded) must not act on version 2."""
    t = await team(world)
    world.team = t
    pid = await submitted(world, t)
    v1_claim = f"v1|pic|{pid}|claim"
    who = await world.services.onboarding.identify(t.andi.id, t.andi.full_name, private_chat=True, language="id")
    await world.services.reviews.act(who, pid, Action.CLAIM)
    # Returned with a reason and revised by the operator as version 2.
    await give_reasons(world, t.andi, pid, "return", [], "Lengkapi alamat")
    await world.drain()
    op = await world.services.onboarding.identify(t.op.id, t.op.full_name, private_chat=True, language="id")
    await world.services.proposals.resume(op, proposal_id=pid)
    await submit_with_consent(world.services, op, pid)
    await world.drain()
    assert await world.rows("SELECT status, version FROM proposals WHERE id = ?", pid) == [("submitted", 2)]
    before = await fingerprint(world)
    superseded = [
        m for m in world.emu.chat_messages(t.group) if "versi 1" in (m.text or "") or "version 1" in (m.text or "")
    ]
    assert superseded and all(not m.buttons for m in superseded)  # version 1's card lost its buttons
    # Someone kept an old copy of v1's card with its buttons: the press acts on the proposal as it is now
    # (a fresh, legitimate claim of version 2 by a PIC of the team), never on a stale state.
    answer = await world.press(t.citra, await message_with_button(world, t.group.id, v1_claim), v1_claim)
    assert answer is not None and answer.show_alert  # Citra is of team 2
    assert changes(before, await fingerprint(world)) == {}

"""Dodi, an admin who sits in the PIC group, presses the decision buttons of a proposal card and of
an LPJ card: each refusal fits in Telegram's 200-character alert, whole (cut, if ever, at a word,
with "…"), and says what an admin may do; nothing changes."""

from __future__ import annotations

from bot.domain.models import Role
from handlers import buttons
from handlers.replies import alert_text
from tests.scenarios.admin_cast import assert_admin_refusal_whole
from tests.scenarios.lpj_cast import DUE, Phone, cast, submit_a_plain_lpj
from tests.scenarios.review_cast import card, submitted, tap, team
from tests.seeds import seed_proposal


async def test_an_admin_in_the_group_is_told_in_full_what_they_may_do_on_a_proposal_card(world) -> None:
    t = await team(world)
    dodi = world.emu.add_user("Dodi", last_name="Admin")
    await world.enrol(dodi, Role.ADMIN)
    world.emu.add_member(t.group, dodi)
    pid = await submitted(world, t)
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "verify"))
    answer = await tap(world, dodi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "validate"))
    assert answer.show_alert
    assert_admin_refusal_whole(answer.text)
    assert await world.rows("SELECT status, validated_by FROM proposals WHERE id = ?", pid) == [("verified", None)]


async def test_an_admin_in_the_group_is_told_in_full_what_they_may_do_on_an_lpj_card(world) -> None:
    people = await cast(world)
    dodi = world.emu.add_user("Dodi", last_name="Admin")
    await world.enrol(dodi, Role.ADMIN)
    world.emu.add_member(people.group, dodi)
    pid = await seed_proposal(world.services, ipwl="JB01", clients=1, due_on=DUE)
    siti = Phone(world, people.siti)
    await submit_a_plain_lpj(world, siti, pid)
    lpj_card = world.last(people.group)
    answer = await world.press(dodi, lpj_card, siti.button(buttons.LPJ_VERIFY.data(pid), lpj_card))
    assert answer is not None and answer.show_alert
    assert_admin_refusal_whole(answer.text)
    assert await world.rows("SELECT status FROM proposals") == [("lpj_submitted",)]


def test_a_long_alert_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = alert_text("⚠️ " + "kata " * 60)
    assert len(text) <= 200 and text.endswith("kata…")
    assert alert_text("<b>pendek</b> &amp; jelas") == "pendek & jelas"

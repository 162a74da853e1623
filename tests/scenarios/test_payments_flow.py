"""From a validated proposal to the money on the clients' accounts (steps c–d), through the chat.

Personas as in test_review_flow, plus Fajar (finance). Hana issues the SK; Siti supplies the accounts
(one by chat, the rest by workbook); Fajar returns one account, verifies the rest, records the SPP,
SPM and transfers — one fails and Siti gives a new account — until the proposal is paid.
"""

from __future__ import annotations

from handlers import buttons
from tests.scenarios.payment_cast import (
    press,
    sk_accounts_and_payment_until_paid,
    status,
    validated,
)
from tests.scenarios.review_cast import card, give_reasons, submitted, tap, team


async def test_sk_accounts_and_payment_until_paid(world) -> None:
    await sk_accounts_and_payment_until_paid(world)


async def test_the_head_types_the_sk_number_and_others_cannot_issue(world) -> None:
    t = world.team = await team(world)
    pid = await validated(world, t)
    refused = await world.say(t.andi, "/sk")
    assert "⚠️" in refused[-1].text
    await world.say(t.head, "/sk")
    await press(world, t.head, buttons.SK_DRAFT.data("p", pid))
    await press(world, t.head, buttons.SK_DRAFT.data("n"))
    draft = (await world.say(t.head, "SK-045/BRSKPN-GP/XI/2026 28 November 2026"))[-1]
    assert "SK-045/BRSKPN-GP/XI/2026" in draft.text
    await press(world, t.head, buttons.SK_DRAFT.data("y"))
    assert await world.rows("SELECT number, issued_on FROM decrees") == [("SK-045/BRSKPN-GP/XI/2026", "2026-11-28")]
    assert await world.rows("SELECT count(*) FROM sk_register") == [(0,)]  # a typed number uses no register number
    assert await world.rows("SELECT count(*) FROM bank_accounts WHERE status = 'missing'") == [(3,)]
    assert await world.rows("SELECT reason FROM audit_events WHERE action = 'denied'") == [("sk: role_required",)]


async def test_a_rejected_proposal_tells_the_operator_why(world) -> None:
    t = world.team = await team(world)
    pid = await submitted(world, t)
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))
    await give_reasons(world, t.andi, pid, "reject", ["fbudget"], "Anggaran melebihi pagu")
    assert await status(world, pid) == "rejected"
    await world.drain()
    assert "Anggaran melebihi pagu" in world.last(t.op).text
    assert await world.rows("SELECT client_id, field, stage FROM return_reasons") == [(None, "budget", "rejected")]

"""A client held for double assistance is not asked for a bank account until cleared (issue 16.1).

Siti Rahayu (JB01) shares her NIK with Sity, decreed at SS01 this year: she is held at verification
and left out of Hana's SK. Siti (operator) opens /rekening: client 1 says she is held pending the
decision and that her account will be asked once cleared — no button for her, and a forged press is
refused and saves nothing; the accounts of clients 2 and 3 go to the verifiers without waiting for
her. Andi decides they are not the same person: Siti is told, with the button, and enters client 1's
account; the verifiers get the card again with it to check.
"""

from __future__ import annotations

from handlers import buttons
from tests.scenarios.double_assistance_cast import decreed_at_ss01, enter_account
from tests.scenarios.payment_cast import button, clients, finance_officer, press, sk_issued, status
from tests.scenarios.review_cast import datas, submitted, tap, team, validated_by_the_team
from tests.security.matrix import message_with_button


async def test_a_held_client_is_asked_for_an_account_only_once_cleared(world) -> None:
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    await decreed_at_ss01(world, t)
    pid = await submitted(world, t)
    siti_client, budi_client, dewi_client = await clients(world, pid)
    await validated_by_the_team(world, t, pid)
    await world.drain()
    await sk_issued(world, t, pid)
    assert await status(world, pid) == "decreed"

    # Siti's /rekening: client 1 is held, said so, with no button; the others have theirs.
    overview = (await world.say(t.op, "/rekening"))[-1]
    assert "ditahan menunggu keputusan bantuan ganda" in overview.text, overview.text
    assert "akan diminta setelah" in overview.text  # (its account, once cleared)
    assert buttons.ACCOUNT_ENTER.data(siti_client) not in datas(overview)
    assert {buttons.ACCOUNT_ENTER.data(budi_client), buttons.ACCOUNT_ENTER.data(dewi_client)} <= datas(overview)
    # A forged (or old) press for client 1 is refused, and nothing is saved or asked.
    forged = buttons.ACCOUNT_ENTER.data(siti_client)
    refused = await world.emu.press(t.op, await message_with_button(world, t.op.id, forged), forged)
    assert refused is not None and refused.show_alert and "ditahan" in (refused.text or ""), refused
    assert (
        await world.rows(
            "SELECT kind FROM conversations WHERE person_id IN (SELECT id FROM people WHERE telegram_user_id = ?)",
            t.op.id,
        )
        == []
    )

    # Clients 2 and 3: their accounts go to the verifiers without waiting for client 1.
    await enter_account(world, t.op, budi_client, "5550001113", "Budi Santoso")
    assert await status(world, pid) == "decreed"
    await enter_account(world, t.op, dewi_client, "5550001112", "Dewi Lestari")
    assert await status(world, pid) == "accounts_submitted"
    assert await world.rows("SELECT client_id FROM bank_accounts WHERE status = 'submitted' ORDER BY client_id") == [
        (budi_client,),
        (dewi_client,),
    ]
    await world.drain()
    before = len(world.emu.chat_messages(fajar))

    # Andi decides client 1 is not the same person: Siti is asked for her account, with the button.
    detail = buttons.CARD_DETAIL.data(pid)
    await tap(world, t.andi, await message_with_button(world, t.group.id, detail), detail)
    message, data = button(world, t.andi, buttons.NIK_ADJUDICATE.data(siti_client))
    await tap(world, t.andi, message, data)
    await world.say(t.andi, "Tanggal lahir dan nama ibu berbeda, dicek ke Dukcapil")
    await world.drain()
    asked = world.last(t.op)
    assert "Siti Rahayu" in asked.text and "rekening" in asked.text.lower(), asked.text
    assert buttons.ACCOUNT_ENTER.data(siti_client) in datas(asked)
    await enter_account(world, t.op, siti_client, "5550001114", "Siti Rahayu")
    assert await world.rows("SELECT status FROM bank_accounts WHERE client_id = ?", siti_client) == [("submitted",)]

    # The verifiers get the card again; Fajar verifies all three and the proposal goes on.
    await world.drain()
    assert len(world.emu.chat_messages(fajar)) > before
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(pid))
    await press(world, fajar, buttons.ACCOUNTS_VERIFY_ALL.data(pid))
    assert await status(world, pid) == "accounts_verified"
    assert await world.rows("SELECT count(*) FROM bank_accounts WHERE status = 'verified'") == [(3,)]

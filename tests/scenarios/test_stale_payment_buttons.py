"""Old buttons on the accounts and payment cards never act on an account entered later.

Fajar (finance) marks Dewi's transfer failed; Siti gives a new account. Fajar then presses the
"✅ 3" (sent) and "❌ 3" buttons of the payment card he had before the failure, and "✅ 3" of the
accounts check card from before: each is refused as stale and records nothing — no transfer, no
payment, no news to Siti. From a fresh /bayar card the new account is paid as usual.
"""

from __future__ import annotations

from handlers import buttons
from tests.scenarios.payment_cast import (
    accounts_by_workbook,
    button,
    clients,
    finance_officer,
    press,
    record_sp2d,
    sk_issued,
    status,
    validated,
)
from tests.scenarios.review_cast import tap, team

REASON = "Nama rekening tidak sesuai (bank menolak)"


async def test_old_payment_and_account_buttons_are_refused_after_a_failed_transfer(world) -> None:
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    pid = await validated(world, t)
    siti_client, budi_client, dewi_client = await clients(world, pid)
    await sk_issued(world, t, pid)
    await accounts_by_workbook(world, t, pid)

    # Fajar opens the check card twice and uses the second: the first keeps its "✅ 3" for later.
    await world.drain()
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(pid))
    review_card, verify_dewi = button(world, fajar, buttons.ACCOUNT_VERIFY.data(dewi_client))
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(pid))
    await press(world, fajar, buttons.ACCOUNT_VERIFY.data(siti_client))
    await press(world, fajar, buttons.ACCOUNT_VERIFY.data(budi_client))
    await press(world, fajar, buttons.ACCOUNT_VERIFY.data(dewi_client))
    assert await status(world, pid) == "accounts_verified"

    # SPP and SPM; Siti's and Budi's transfers sent, Dewi's fails.
    await world.drain()
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(pid))
    # The SPP question shows an example in the centre's configured form (it was empty: "mis. .").
    assert "mis. 00123/SPP/XI/2026 28-11-2026." in world.last(fajar).text, world.last(fajar).text
    assert await world.rows("SELECT count(*) FROM payments") == [(0,)]
    await world.say(fajar, "00123/SPP/XI/2026 28-11-2026")
    await world.say(fajar, "00456/SPM/XI/2026 28-11-2026")
    await press(world, fajar, buttons.PAYMENT_ORDERS_CONFIRMED.data(pid, "y"))
    await record_sp2d(world, fajar, pid)
    await press(world, fajar, buttons.TRANSFER_SENT.data(siti_client))
    await press(world, fajar, buttons.TRANSFER_SENT.data(budi_client))
    old_card, sent_dewi = button(world, fajar, buttons.TRANSFER_SENT.data(dewi_client))
    _, failed_dewi = button(world, fajar, buttons.TRANSFER_FAILED.data(dewi_client, "failed"))
    await press(world, fajar, buttons.TRANSFER_FAILED.data(dewi_client, "failed"))
    await world.say(fajar, REASON)
    assert await world.rows("SELECT status FROM transfers WHERE client_id = ?", dewi_client) == [("failed",)]

    # Siti gives Dewi a new account.
    await world.emu.wait_for(lambda: any(REASON in (m.text or "") for m in world.emu.chat_messages(t.op)), timeout=5)
    await press(world, t.op, buttons.ACCOUNT_ENTER.data(dewi_client))
    await press(world, t.op, buttons.ACCOUNT_BANK.data("bca"))
    await world.say(t.op, "5550001112")
    await world.say(t.op, "Dewi Lestari")
    await press(world, t.op, buttons.ACCOUNT_SKIP_PASSBOOK.data())
    await world.drain()
    assert await world.rows("SELECT status, account_number FROM bank_accounts WHERE client_id = ?", dewi_client) == [
        ("submitted", "5550001112")
    ]
    siti_saw = len(world.emu.chat_messages(t.op))

    # The old buttons: each refused, out loud, and nothing recorded.
    for message, data in ((old_card, sent_dewi), (old_card, failed_dewi), (review_card, verify_dewi)):
        answer = await tap(world, fajar, message, data)
        assert answer.show_alert and (
            "tidak berlaku" in answer.text or "tidak dapat dilakukan sekarang" in answer.text
        ), (data, answer.text)
    await world.drain()
    assert await status(world, pid) == "accounts_verified"
    assert await world.rows("SELECT status FROM transfers WHERE client_id = ?", dewi_client) == [("failed",)]
    assert await world.rows("SELECT status FROM bank_accounts WHERE client_id = ?", dewi_client) == [("submitted",)]
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'record_payment'") == [(0,)]
    assert not any("Dana" in (m.text or "") for m in world.emu.chat_messages(t.op)[siti_saw:])

    # A fresh card shows the new account: Fajar records its transfer, and the proposal is paid.
    await press(world, fajar, buttons.PAYMENT_OPEN.data(pid))
    await press(world, fajar, buttons.TRANSFER_SENT.data(dewi_client))
    assert await status(world, pid) == "paid"
    assert await world.rows("SELECT status, count(*) FROM transfers GROUP BY status") == [("sent", 3)]
    await world.drain()
    assert "Dana" in world.last(t.op).text

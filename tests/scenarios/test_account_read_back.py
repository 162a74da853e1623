"""A bank account typed by the operator is read back before it is saved.

Siti (operator of JB01) types Budi Santoso's account after the SK and slips on a digit. Before
anything is saved she reads back the bank, the account number and the holder's name, with Save
and Type again; she presses Type again (nothing is saved), types it right, and saves it.

Personas: Siti (operator JB01).
"""

from __future__ import annotations

from handlers import buttons
from tests.scenarios.payment_cast import clients, labels, press, sk_issued, status, validated
from tests.scenarios.review_cast import team


async def test_the_account_typed_is_read_back_and_can_be_typed_again_before_it_is_saved(world) -> None:
    t = world.team = await team(world)
    pid = await validated(world, t)
    _, budi_client, _ = await clients(world, pid)
    await sk_issued(world, t, pid)
    assert await status(world, pid) == "decreed"

    await world.say(t.op, "/rekening")
    await press(world, t.op, buttons.ACCOUNT_ENTER.data(budi_client))
    await press(world, t.op, buttons.ACCOUNT_BANK.data("bri"))
    await world.say(t.op, "1234 5678 9012 399")
    read_back = (await world.say(t.op, "Budi Santoso"))[-1]
    assert "Periksa rekening Budi Santoso" in read_back.text, read_back.text
    assert "Bank: BRI (002)" in read_back.text
    assert "Nomor rekening: 123456789012399" in read_back.text
    assert "Nama pemilik rekening: Budi Santoso" in read_back.text
    assert labels(read_back) == ["💾 Simpan tanpa foto", "✏️ Ketik ulang", "✖️ Batal"]
    assert await world.rows("SELECT status FROM bank_accounts WHERE client_id = ?", budi_client) == [("missing",)]

    # Type again: the bank is asked again, and still nothing is saved.
    await press(world, t.op, buttons.ACCOUNT_RETYPE.data())
    assert "BRI (002)" in labels(world.last(t.op)) and "Periksa rekening" not in world.last(t.op).text
    assert await world.rows("SELECT status FROM bank_accounts WHERE client_id = ?", budi_client) == [("missing",)]
    await press(world, t.op, buttons.ACCOUNT_BANK.data("bri"))
    await world.say(t.op, "1234 5678 9012 345")
    read_back = (await world.say(t.op, "Budi Santoso"))[-1]
    assert "Nomor rekening: 123456789012345" in read_back.text

    await press(world, t.op, buttons.ACCOUNT_SKIP_PASSBOOK.data())
    assert await world.rows(
        "SELECT bank_code, account_number, holder_name FROM bank_accounts WHERE client_id = ?", budi_client
    ) == [("bri", "123456789012345", "Budi Santoso")]

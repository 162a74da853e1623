"""A bank account typed by the operator is read back before it is saved.

Siti (operator of JB01) types Budi Santoso's account after the SK and slips on a digit. Before
anything is saved she reads back the bank, the account number and the holder's name, with Save
and Type again; she presses Type again (nothing is saved), types it right, and saves it.

Then she gives Dewi's account in her mother's name: Fajar (finance) verifies the other two in one
press, and Dewi's, marked ⚠️, on its own.

Personas: Siti (operator JB01), Fajar (finance).
"""

from __future__ import annotations

from handlers import buttons
from tests.helpers import jpeg
from tests.scenarios.double_assistance_cast import enter_account
from tests.scenarios.payment_cast import clients, finance_officer, labels, press, sk_issued, status, validated
from tests.scenarios.review_cast import tap, team


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


async def test_an_account_in_another_person_s_name_is_left_out_of_verify_all(world) -> None:
    """Siti gives Dewi Lestari's account in her mother's name (a warning she sees and keeps). Fajar's
    "verify the rest" verifies the other two only: the ⚠️ account waits for a look of its own, and
    the card says so, until he ✅ it alone."""
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    pid = await validated(world, t)
    siti_client, budi_client, dewi_client = await clients(world, pid)
    await sk_issued(world, t, pid)
    await world.say(t.op, "/rekening")
    await enter_account(world, t.op, siti_client, "1111222233", "Siti Rahayu")
    await enter_account(world, t.op, budi_client, "4444555566", "Budi Santoso")
    # Dewi's, in her mother's name, comes with the passbook photo.
    await press(world, t.op, buttons.ACCOUNT_ENTER.data(dewi_client))
    await press(world, t.op, buttons.ACCOUNT_BANK.data("bca"))
    await world.say(t.op, "7777888899")
    await world.say(t.op, "Ibu Kartini")
    await world.emu.send_photo(t.op, content=jpeg(b"buku tabungan Kartini"))
    await world.emu.settle()
    assert await status(world, pid) == "accounts_submitted"

    await world.drain()
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(pid))
    card = world.last(fajar)
    assert "tidak ikut diverifikasi sekaligus" in card.text, card.text
    assert "✅ Verifikasi sisanya tanpa ⚠️" in labels(card)
    # 📷 3 shows him the passbook Siti sent (privately, and the look is audited); 1 and 2 came without one.
    assert "📷 3" in labels(card) and "📷 1" not in labels(card)
    await press(world, fajar, buttons.ACCOUNT_PASSBOOK.data(dewi_client))
    photo = world.last(fajar)
    assert photo.photo and "klien 3. Dewi Lestari (pemilik yang diketik: Ibu Kartini)" in (photo.caption or "")
    assert await world.rows("SELECT entity_id FROM audit_events WHERE action = 'view_passbook'") == [
        (str(dewi_client),)
    ]
    await press(world, fajar, buttons.ACCOUNTS_VERIFY_ALL.data(pid))
    assert await world.rows(
        "SELECT client_id, status FROM bank_accounts WHERE client_id IN (?, ?, ?) ORDER BY client_id",
        siti_client,
        budi_client,
        dewi_client,
    ) == sorted([(siti_client, "verified"), (budi_client, "verified"), (dewi_client, "submitted")])
    assert await status(world, pid) == "accounts_submitted"
    card = next(m for m in reversed(world.emu.chat_messages(fajar)) if m.buttons)
    assert not any("Verifikasi" in label for label in labels(card))  # only Dewi's own ✅ and ↩️ remain
    await tap(world, fajar, card, buttons.ACCOUNT_VERIFY.data(dewi_client, 1))
    assert await status(world, pid) == "accounts_verified"

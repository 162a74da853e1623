"""The bank picker for a client's account: every province's regional bank, on a phone, with a way out.

Siti (operator of JB01) enters her clients' accounts after the SK. Budi Santoso banks at Bank
Sulselbar (he moved from Makassar): the first page shows the national banks and a button to the
regional banks (BPD), each with its interbank code. For Dewi she starts, then taps ✖️ (she has not
got the passbook yet): nothing is saved. Joko's bank she types by name ("Bank NTT").
"""

from __future__ import annotations

from handlers import buttons
from tests.scenarios.payment_cast import button, clients, labels, press, sk_issued, status, validated
from tests.scenarios.review_cast import team

REGIONAL = (
    "Bank Sulselbar (126)", "Bank Papua (132)", "Bank NTT (130)", "Bank Kalbar (123)", "Bank Maluku Malut (131)",
    "Bank Sultra (135)", "Bank Sulteng (134)", "Bank SulutGo (127)", "Bank Kaltimtara (124)", "Bank Kalteng (125)",
    "Bank Kalsel (122)", "Bank Jambi (115)", "Bank Sumsel Babel (120)", "Bank Nagari (118)",
    "Bank Riau Kepri Syariah (119)", "Bank Aceh Syariah (116)", "Bank Sumut (117)", "Bank Bengkulu (133)",
    "Bank Lampung (121)", "Bank DKI (111)", "bjb (110)", "Bank Jateng (113)", "Bank Jatim (114)", "BPD DIY (112)",
    "BPD Bali (129)", "Bank NTB Syariah (128)",
)  # fmt: skip


async def test_regional_banks_are_a_page_away_and_an_entry_can_be_cancelled(world) -> None:
    t = world.team = await team(world)
    pid = await validated(world, t)
    siti_client, budi_client, dewi_client = await clients(world, pid)
    await sk_issued(world, t, pid)
    assert await status(world, pid) == "decreed"

    await world.say(t.op, "/rekening")
    await press(world, t.op, buttons.ACCOUNT_ENTER.data(budi_client))
    first = world.last(t.op)
    # The first page: the national banks, then the regional banks a tap away, and a way out.
    assert "BRI (002)" in labels(first) and "BSI (451)" in labels(first)
    assert "Bank Sulselbar (126)" not in labels(first)
    assert labels(first)[-2:] == ["🏛 Bank daerah (BPD) ›", "✖️ Batal"]
    assert len(first.buttons) <= 6 and all(len(row) <= 3 for row in first.buttons)
    await press(world, t.op, buttons.ACCOUNT_BANK_PAGE.data("bpd"))
    regional = world.last(t.op)
    assert regional.message_id == first.message_id  # the same question, turned to its second page
    for label in REGIONAL:
        assert label in labels(regional), label
    assert all(len(row) <= 2 for row in regional.buttons) and labels(regional)[-2:] == ["‹ Bank nasional", "✖️ Batal"]
    assert all(len((b.callback_data or "").encode()) <= 64 for row in regional.buttons for b in row)
    _, data = button(world, t.op, buttons.ACCOUNT_BANK.data("sulselbar"))
    await world.press(t.op, regional, data)
    assert "Nomor rekening di Bank Sulselbar (126)" in world.last(t.op).text, world.last(t.op).text
    await world.say(t.op, "0123456789")
    await world.say(t.op, "Budi Santoso")
    await press(world, t.op, buttons.ACCOUNT_SKIP_PASSBOOK.data())
    assert await world.rows("SELECT bank_code, account_number FROM bank_accounts WHERE client_id = ?", budi_client) == [
        ("sulselbar", "0123456789")
    ]

    # ✖️ on Dewi's: nothing saved, and she is told so.
    before = await world.rows("SELECT status FROM bank_accounts WHERE client_id = ?", dewi_client)
    await press(world, t.op, buttons.ACCOUNT_ENTER.data(dewi_client))
    await press(world, t.op, buttons.ACCOUNT_BANK.data("bca"))
    number_question = world.last(t.op)
    assert "✖️ Batal" in labels(number_question)
    await press(world, t.op, buttons.ACCOUNT_CANCEL.data())
    assert "Dibatalkan: tidak ada yang disimpan" in world.last(t.op).text
    assert await world.rows("SELECT status FROM bank_accounts WHERE client_id = ?", dewi_client) == before
    [(op_id,)] = await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", t.op.id)
    assert await world.rows("SELECT count(*) FROM conversations WHERE person_id = ?", op_id) == [(0,)]
    # A number typed now is not taken for an account: no entry is open.
    answer = (await world.say(t.op, "0987654321"))[-1]
    assert "0987654321" not in str(await world.rows("SELECT account_number FROM bank_accounts")), answer.text

    # Siti's own: a bank typed by name; an unknown one is refused with what to do.
    await press(world, t.op, buttons.ACCOUNT_ENTER.data(siti_client))
    refused = (await world.say(t.op, "Bank Antah Berantah"))[-1]
    assert "tidak ada dalam daftar bank" in refused.text and "126" in refused.text
    asked = (await world.say(t.op, "bank ntt"))[-1]
    assert "Bank NTT (130)" in asked.text

"""A newcomer's run: the head typed the register's next number by hand, and the register kept
offering it — /skperubahan showed SK-002 again, and "Terbitkan" said it was already used.

Hana issues the SK from the register (SK-001, the payment story). Siti asks for client 3's drop-out,
Andi verifies it, and Hana types SK-002 by hand for the SK perubahan. For client 2's drop-out
/skperubahan now offers SK-003, the next free number, and the SK perubahan is issued under it.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook

from handlers import buttons
from tests.scenarios.change_cast import ask_change, change_verified, press
from tests.scenarios.payment_cast import sk_accounts_and_payment_until_paid


async def test_a_number_typed_by_hand_is_not_offered_again(world) -> None:
    await sk_accounts_and_payment_until_paid(world)
    t = world.team
    [(pid, code)] = await world.rows("SELECT id, code FROM proposals")
    third, second = [
        (await world.rows("SELECT id FROM clients WHERE proposal_id = ? AND position = ?", pid, n))[0][0]
        for n in (3, 2)
    ]
    for client, typed in ((third, "SK-002/BRSKPN-GP/XI/2026 28-11-2026"), (second, None)):
        await ask_change(world, t.op, code, client, "drop_out", "Klien memilih berhenti dan pulang ke keluarganya")
        await change_verified(world, t)
        opened = (await world.say(t.head, "/skperubahan"))[-1].text
        if typed:
            assert "SK-002/BRSKPN-GP/XI/2026" in opened, opened  # the register's next, typed by hand
            replies = await world.say(t.head, typed)
            assert "SK-002/BRSKPN-GP/XI/2026" in replies[-1].text, replies[-1].text
        else:
            assert "SK-003/BRSKPN-GP/XI/2026" in opened and "SK-002" not in opened, opened
        await press(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
        await world.drain()
        said = [m.text or "" for m in world.emu.chat_messages(t.head)]
        assert not any("sudah dipakai" in text for text in said), said[-3:]
    assert await world.rows("SELECT number FROM decrees ORDER BY id") == [
        ("SK-001/BRSKPN-GP/XI/2026",),
        ("SK-002/BRSKPN-GP/XI/2026",),
        ("SK-003/BRSKPN-GP/XI/2026",),
    ]
    assert await world.rows("SELECT status FROM client_changes ORDER BY id") == [("approved",), ("approved",)]


async def test_a_number_in_use_names_its_sk_and_the_next_free_one_and_a_lower_number_is_noted(world) -> None:
    """Hana types SK-001 (the SK of 28-11-2026) for an SK perubahan: refused, saying which SK holds it
    and the register's next free number, SK-002. She issues it as SK-005; for the next SK perubahan she
    types SK-004: accepted (gaps happen), with a note that it is below SK-005 of 28-11-2026."""
    await sk_accounts_and_payment_until_paid(world)
    t = world.team
    [(pid, code)] = await world.rows("SELECT id, code FROM proposals")
    third, second = [
        (await world.rows("SELECT id FROM clients WHERE proposal_id = ? AND position = ?", pid, n))[0][0]
        for n in (3, 2)
    ]
    for client, typed in (
        (third, "SK-005/BRSKPN-GP/XI/2026 28-11-2026"),
        (second, "SK-004/BRSKPN-GP/XI/2026 28-11-2026"),
    ):
        await ask_change(world, t.op, code, client, "drop_out", "Klien memilih berhenti dan pulang ke keluarganya")
        await change_verified(world, t)
        await world.say(t.head, "/skperubahan")
        if client == third:
            refused = (await world.say(t.head, "sk-001/brskpn-gp/xi/2026 28-11-2026"))[-1].text
            assert (
                "Nomor SK SK-001/BRSKPN-GP/XI/2026 sudah dipakai oleh SK tanggal 28-11-2026. "
                "Nomor berikutnya yang masih kosong di register: SK-002/BRSKPN-GP/XI/2026." in refused
            ), refused
        shown = (await world.say(t.head, typed))[-1].text
        note = "di bawah nomor terakhir yang diterbitkan, SK-005/BRSKPN-GP/XI/2026 tanggal 28-11-2026"
        assert (note in shown) == (client == second), shown
        await press(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
        await world.drain()
    assert await world.rows("SELECT number FROM decrees ORDER BY id") == [
        ("SK-001/BRSKPN-GP/XI/2026",),
        ("SK-005/BRSKPN-GP/XI/2026",),
        ("SK-004/BRSKPN-GP/XI/2026",),
    ]
    assert await world.rows("SELECT status FROM client_changes ORDER BY id") == [("approved",), ("approved",)]
    # The SK's annex and both SKs perubahan's: dated as people read it, not ISO; the amended SK too.
    annexes = [
        load_workbook(io.BytesIO(m.file_bytes())).active
        for m in world.emu.chat_messages(t.head)
        if m.document and m.document["file_name"].endswith(".xlsx")
    ]
    assert [a["A2"].value for a in annexes] == ["Tanggal 28 November 2026"] * 3
    assert annexes[1]["A3"].value == "Mengubah SK-001/BRSKPN-GP/XI/2026 (28-11-2026)"

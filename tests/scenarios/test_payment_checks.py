"""Post-payment verification (issue 16.4): did the money reach the client, in full?

The story of test_payments_flow runs until JB01's three clients are paid (Rp1.500.000 each). The
bot draws two of them (10 %, at least 2) from a seed it records. Andi and Budi (PIC team 1) each
get the two cards privately — never in the group. Andi phones the first client: received in full.
Budi phones the second: she received Rp1.000.000 only. That mismatch opens a complaint for Dewi
(complaint officer) and tells Hana (head), with codes and amounts but no name; /laporan shows JB01's
coverage and mismatch rate.

Personas: Siti (operator JB01), Andi and Budi (PIC team 1, its group), Fajar (finance), Hana (head),
Dewi (complaint officer).
"""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.domain import payment_checks as rules
from bot.domain.models import Role
from handlers import buttons
from tests.scenarios.admin_cast import admin
from tests.scenarios.check_cast import check_cards, check_id_of, copy_of
from tests.scenarios.complaint_cast import data_of
from tests.scenarios.conftest import World
from tests.scenarios.payment_cast import sk_accounts_and_payment_until_paid
from tests.scenarios.review_cast import CLIENTS
from tests.security.matrix import message_with_button


async def test_a_sample_is_drawn_reproducibly_and_a_mismatch_is_escalated(world: World) -> None:
    dewi = world.emu.add_user("Dewi", last_name="Pengaduan")
    await world.enrol(dewi, Role.COMPLAINT_OFFICER)
    group_seen = None
    await sk_accounts_and_payment_until_paid(world)
    t = world.team
    await world.drain()
    [(pid, code)] = await world.rows("SELECT id, code FROM proposals")
    assert (await world.rows("SELECT status FROM proposals"))[0][0] == "paid"

    # The draw is recorded with its seed, and drawing again from it gives the same clients.
    [(seed, permille, minimum, population)] = await world.rows(
        "SELECT seed, share_permille, minimum, population FROM payment_check_draws WHERE proposal_id = ?", pid
    )
    assert (permille, minimum, population) == (100, 2, 3) and len(seed) == 32
    paid = [r[0] for r in await world.rows("SELECT client_id FROM transfers WHERE status = 'sent' ORDER BY client_id")]
    sampled = [r[0] for r in await world.rows("SELECT client_id FROM payment_checks ORDER BY client_id")]
    assert len(sampled) == 2 and sampled == rules.draw(seed, paid, permille / 1000, minimum)
    assert rules.draw(seed, list(reversed(paid)), 0.1, 2) == sampled  # the order given does not matter
    assert await world.rows(
        "SELECT count(*) FROM audit_events WHERE action = 'draw_payment_checks' AND reason LIKE ?", f"%seed {seed}%"
    ) == [(1,)]

    # Each PIC of the team has the two cards in their private chat; the group sees none of it.
    andi_cards, budi_cards = check_cards(world, t.andi), check_cards(world, t.budi)
    assert len(andi_cards) == len(budi_cards) == 2
    names = {name for name, _, _ in CLIENTS}
    assert all(any(n in c.text for n in names) and "Rp1.500.000" in c.text for c in andi_cards), [
        c.text for c in andi_cards
    ]
    # A client with no phone in the proposal: the card says whom to ask for the number, not a dead field.
    phones = dict(await world.rows("SELECT full_name, phone FROM clients"))
    for c in andi_cards:
        name = next(n for n in names if n in c.text)
        if phones[name]:
            assert f"Telepon: {phones[name]}" in c.text
        else:
            assert "mintalah nomornya kepada operator Yayasan Harapan Bogor (JB01)" in c.text, c.text
            assert "Telepon:" not in c.text
    assert any(not phones[next(n for n in names if n in c.text)] for c in andi_cards), phones  # such a card
    group_seen = [m.text for m in world.emu.chat_messages(t.group)]
    assert not any(n in text for text in group_seen for n in names)
    assert not any("Pemeriksaan setelah pembayaran" in text for text in group_seen)

    # Andi: the first client received it in full. Every other copy of that card — Budi's — is edited
    # to say who recorded what, its buttons gone (nobody phones the client a second time).
    first, second = sorted(andi_cards, key=check_id_of)
    first_id, second_id = check_id_of(first), check_id_of(second)
    budi_copies = {check_id_of(c): c for c in budi_cards}  # (an edited card has no button to read it from)
    await world.press(t.andi, first, buttons.PAYMENT_CHECK_ANSWER.data(first_id, "full"))
    await world.drain()
    assert "✓ Diterima utuh — dicatat oleh Andi PIC" in copy_of(world, t.andi, first).text
    assert not copy_of(world, t.andi, first).buttons
    budi_first = budi_copies[first_id]
    edited = copy_of(world, t.budi, budi_first)
    assert "✓ Diterima utuh — dicatat oleh Andi PIC" in edited.text and not edited.buttons, edited.text
    assert await world.rows("SELECT status FROM payment_checks WHERE id = ?", first_id) == [("full",)]
    assert await world.rows("SELECT count(*) FROM payment_check_cards WHERE check_id = ?", first_id) == [
        (2,)
    ]  # both PICs' copies were remembered when delivered

    # Budi: the second client received less. The amount is asked; the full amount is refused.
    budi_second = budi_copies[second_id]
    await world.press(t.budi, budi_second, buttons.PAYMENT_CHECK_ANSWER.data(second_id, "less"))
    assert "Ketik jumlahnya" in world.last(t.budi).text and "Rp1.500.000" in world.last(t.budi).text
    refused = (await world.say(t.budi, "Rp1.500.000"))[-1]
    assert "Diterima utuh" in refused.text
    assert await world.rows("SELECT status FROM payment_checks WHERE id = ?", second_id) == [("pending",)]
    recorded = (await world.say(t.budi, "1.000.000"))[-1]
    assert "Diterima kurang (Rp1.000.000)" in recorded.text and "ADU-" in recorded.text
    await world.drain()
    [(status, received, ticket)] = await world.rows(
        "SELECT status, received_amount, complaint_ticket FROM payment_checks WHERE id = ?", second_id
    )
    assert (status, received) == ("less", 1_000_000) and ticket.startswith("ADU-")
    # The card Budi pressed "received less" on, and Andi's copy, now say it: no live buttons left.
    for user, card in ((t.budi, budi_second), (t.andi, second)):
        edited = copy_of(world, user, card)
        assert "Diterima kurang (Rp1.000.000) — dicatat oleh Budi PIC" in edited.text and not edited.buttons
    assert check_cards(world, t.andi) == check_cards(world, t.budi) == []

    # A complaint case for the officers: about JB01's proposal, opened by the bot, no complainant.
    assert await world.rows(
        "SELECT c.source, c.category, c.anonymous, c.complainant, p.code, i.code FROM complaints c"
        " JOIN proposals p ON p.id = c.proposal_id JOIN ipwl i ON i.id = c.ipwl_id WHERE c.ticket = ?",
        ticket,
    ) == [("payment_check", "not_received", 1, None, code, "JB01")]
    note = world.last(dewi)
    assert ticket in note.text
    await world.press(dewi, note, next(b.callback_data for row in note.buttons for b in row))
    case = world.last(dewi)
    assert "Dibuka oleh bot" in case.text and "Rp1.000.000 dari Rp1.500.000" in case.text and "Budi PIC" in case.text
    # Its category says what the client said, not what may have caused it (a bank can fail too).
    assert "Kategori: Bantuan tidak diterima atau kurang dari yang diputuskan" in case.text, case.text
    assert "Penipuan" not in case.text and "Potongan" not in case.text
    assert "belum diketahui" in case.text and "keuangan" in case.text

    # The head is told with codes and amounts only.
    told = [m.text for m in world.emu.chat_messages(t.head) if "⚠️ Pemeriksaan setelah pembayaran" in (m.text or "")]
    assert len(told) == 1 and code in told[0] and "JB01" in told[0] and ticket in told[0]
    assert "Rp1.000.000 dari Rp1.500.000" in told[0] and not any(n in told[0] for n in names)

    # Dewi records an action: the card she gets back still says what the check found.
    [(cid,)] = await world.rows("SELECT id FROM complaints WHERE ticket = ?", ticket)
    await world.press(dewi, case, data_of(case, buttons.COMPLAINT_ACTION, cid, "note"))
    case = (await world.say(dewi, "Menanyakan status transfer ke bagian keuangan dan bank penyalur."))[-1]
    assert "Menanyakan status transfer" in case.text and "Sedang ditangani" in case.text
    assert "Rp1.000.000 dari Rp1.500.000" in case.text and "Budi PIC" in case.text, case.text
    # Closing: there is no complainant to tell; the preview says who is told instead.
    await world.press(dewi, case, data_of(case, buttons.COMPLAINT_ACTION, cid, "close"))
    outcome = "Bank mengembalikan Rp500.000 karena salah nominal; sisa dana sudah ditransfer ulang ke klien."
    preview = (await world.say(dewi, outcome))[-1]
    assert "Tidak ada pengadu" in preview.text and "kepala balai dan tim PIC" in preview.text, preview.text
    assert "anonim" not in preview.text and "kode rahasia" not in preview.text
    assert [b.text for row in preview.buttons for b in row][0] == "✅ Tutup"
    await world.press(dewi, preview, data_of(preview, buttons.COMPLAINT_CLOSE))
    await world.drain()
    assert "Rp1.000.000 dari Rp1.500.000" in world.last(dewi).text  # the closed card keeps it too
    assert await world.rows("SELECT status, outcome FROM complaints WHERE id = ?", cid) == [("closed", outcome)]
    # The head and both PICs of the team read the outcome privately; the group still nothing.
    for user in (t.head, t.andi, t.budi):
        closed = world.last(user).text
        assert ticket in closed and outcome in closed and "ditutup oleh Dewi Pengaduan" in closed, closed
        assert f"{code}, klien 2" in closed or f"{code}, klien 1" in closed or f"{code}, klien 3" in closed

    # The group still knows nothing; /laporan shows JB01's coverage and mismatch rate.
    assert [m.text for m in world.emu.chat_messages(t.group)] == group_seen
    await world.say(t.head, "/laporan")
    await world.drain()
    report = next(m.text for m in reversed(world.emu.chat_messages(t.head)) if "Pemeriksaan setelah" in (m.text or ""))
    coverage = report.split("Pemeriksaan setelah pembayaran")[1]
    assert "Semua IPWL: 2 dari 3 klien yang dibayar terhubungi (67%)" in coverage
    assert "1 tidak sesuai pembayaran (50%)" in coverage and "⚠️ JB01 2/3 (67%) · 1 (50%)" in coverage

    # The IPWL is flagged on its registry card (the admin's /ipwl).
    rina = await admin(world)
    [(jb01,)] = await world.rows("SELECT id FROM ipwl WHERE code = 'JB01'")
    data = buttons.IPWL_CARD.data(jb01)
    await world.press(rina, await message_with_button(world, rina.id, data), data)
    assert "⚠️ Flagged: 1 post-payment check(s)" in world.last(rina).text  # (Rina reads English)

    # /tugas: nothing left for the team (both checks answered).
    assert "pemeriksaan setelah pembayaran" not in (await world.say(t.andi, "/tugas"))[-1].text


async def test_a_check_can_be_answered_once_even_at_once(world: World) -> None:
    await sk_accounts_and_payment_until_paid(world)
    t = world.team
    # No complaint officer here: the case the mismatch opens goes to the head and to the admins (the
    # cast's admin, 9001, who bound the group), so the admin's chat must exist.
    admin = world.emu.add_user("Admin", user_id=9001, started=True)
    await world.drain()
    # /tugas tells the team two checks wait.
    assert "2 pemeriksaan setelah pembayaran perlu ditelepon" in (await world.say(t.andi, "/tugas"))[-1].text
    a, other = check_cards(world, t.andi)
    check_id = check_id_of(a)
    b = next(c for c in check_cards(world, t.budi) if check_id_of(c) == check_id)
    await asyncio.gather(
        world.emu.press(t.andi, a, buttons.PAYMENT_CHECK_ANSWER.data(check_id, "none")),
        world.emu.press(t.budi, b, buttons.PAYMENT_CHECK_ANSWER.data(check_id, "none")),
    )
    await world.drain()
    assert await world.rows("SELECT count(*) FROM complaints") == [(1,)]
    [(ticket,)] = await world.rows("SELECT ticket FROM complaints")
    assert [ticket in m.text and "belum ada petugas pengaduan" in m.text for m in world.emu.chat_messages(admin)] == [
        True
    ]
    # Not received: one complaint, under "not received" (not "fraud"), with its own deadline.
    assert await world.rows("SELECT category FROM complaints") == [("not_received",)]
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'payment_check'") == [(1,)]
    # Another team's PIC may not answer (the check is team 1's).
    data = buttons.PAYMENT_CHECK_ANSWER.data(check_id_of(other), "full")
    answer = await world.press(t.citra, await message_with_button(world, t.citra.id, data), data)
    assert answer is not None and "Hanya tim PIC" in (answer.text or "")


async def test_a_client_not_reachable_is_called_again_until_the_last_call(world: World) -> None:
    """Andi cannot reach a client: the call is counted, every copy says so (no buttons), and the card
    comes back to both PICs the next working day. Budi tries then, in vain; on the third call (the
    [payment_checks] unreachable_attempts) the check is recorded as not reachable, for good."""
    await sk_accounts_and_payment_until_paid(world)
    t = world.team
    await world.drain()
    assert world.settings.payment_checks.unreachable_attempts == 3
    card = sorted(check_cards(world, t.andi), key=check_id_of)[0]
    check_id = check_id_of(card)
    budi_card = next(c for c in check_cards(world, t.budi) if check_id_of(c) == check_id)

    await world.press(t.andi, card, buttons.PAYMENT_CHECK_ANSWER.data(check_id, "unreachable"))
    told = world.last(t.andi).text
    assert "panggilan 1 dari 3" in told.lower() and "tetap terbuka" in told, told
    await world.drain()
    for user, copy in ((t.andi, card), (t.budi, budi_card)):
        edited = copy_of(world, user, copy)
        assert "Panggilan 1 dari 3 tidak tersambung (dicatat oleh Andi PIC" in edited.text, edited.text
        assert not edited.buttons
    assert await world.rows("SELECT status, attempts, checked_by FROM payment_checks WHERE id = ?", check_id) == [
        ("pending", 1, None)
    ]
    assert await world.rows(
        "SELECT count(*) FROM audit_events WHERE action = 'payment_check_attempt' AND reason LIKE '%call 1 of 3%'"
    ) == [(1,)]
    # /tugas still counts it: the check is open.
    assert "2 pemeriksaan setelah pembayaran perlu ditelepon" in (await world.say(t.andi, "/tugas"))[-1].text

    for call, user in ((2, t.budi), (3, t.andi)):
        # Nothing comes back the same day; the next working morning each PIC has a new live card.
        [(again,)] = await world.rows(
            "SELECT min(not_before) FROM outbox WHERE kind = 'payment_check' AND dedupe_key LIKE ?",
            f"payment_check:{check_id}:%:try{call}",
        )
        assert [c for c in check_cards(world, user) if check_id_of(c) == check_id] == []
        world.clock.set(again if isinstance(again, dt.datetime) else dt.datetime.fromisoformat(again))
        await world.drain()
        [fresh] = [c for c in check_cards(world, user) if check_id_of(c) == check_id]
        assert f"{call - 1} dari 3" in fresh.text and "Telepon lagi sekarang" in fresh.text, fresh.text
        assert (
            len([c for c in check_cards(world, t.andi) + check_cards(world, t.budi) if check_id_of(c) == check_id]) == 2
        )
        await world.press(user, fresh, buttons.PAYMENT_CHECK_ANSWER.data(check_id, "unreachable"))
        await world.drain()

    # The third call was the last: recorded as not reachable, every copy closed, nothing comes again.
    assert await world.rows("SELECT status, attempts FROM payment_checks WHERE id = ?", check_id) == [
        ("unreachable", 3)
    ]
    assert "Tidak dapat dihubungi (setelah 3 panggilan) — dicatat oleh Andi PIC" in world.last(t.andi).text or any(
        "Tidak dapat dihubungi (setelah 3 panggilan) — dicatat oleh Andi PIC" in m.text
        for m in world.emu.chat_messages(t.andi)
    )
    assert [c for c in check_cards(world, t.andi) + check_cards(world, t.budi) if check_id_of(c) == check_id] == []
    assert await world.rows(
        "SELECT count(*) FROM outbox WHERE kind = 'payment_check' AND dedupe_key LIKE ?",
        f"payment_check:{check_id}:%:try4",
    ) == [(0,)]
    assert await world.rows("SELECT count(*) FROM complaints") == [(0,)]  # not reachable is no mismatch

"""The year's budget ceiling (pagu, issue 16.2): Rina (admin) sets it in chat, Hana (head) cannot
issue an SK that takes the committed budget above it, and is told the four figures.

Personas as in test_review_flow: Siti's proposal of three clients (Rp4.500.000) is validated;
Rina sets a ceiling of Rp4.000.000 for 2026, then raises it to Rp5.000.000.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.domain.models import ProposalStatus as S
from bot.domain.models import Role
from bot.i18n import format_money
from handlers import buttons
from tests.scenarios.double_assistance_cast import SAME_NIK, client_total
from tests.scenarios.payment_cast import button, clients, press, set_ceiling, status, validated
from tests.scenarios.review_cast import operator, team
from tests.seeds import pick_for_sk, seed_proposal


async def test_an_sk_over_the_ceiling_is_refused_with_the_figures(world) -> None:
    t = world.team = await team(world)
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    pid = await validated(world, t)

    # Only an admin sets the ceiling; a typo in the amount is explained and changes nothing.
    refused = await world.say(t.head, "/pagu 2026 Rp 9.000.000")
    assert "⚠️" in refused[-1].text and "admin" in refused[-1].text
    wrong = await world.say(rina, "/pagu 2026 empat juta")
    assert "⚠️" in wrong[-1].text and "angka" in wrong[-1].text
    assert await world.rows("SELECT count(*) FROM budget_ceilings") == [(0,)]

    set_ = await set_ceiling(world, rina, "/pagu 2026 Rp 4.000.000")
    assert "Pagu ditetapkan" in set_ and "Rp4.000.000" in set_
    assert await world.rows("SELECT year, component, amount FROM budget_ceilings") == [(2026, "", 4_000_000)]
    assert await world.rows(
        "SELECT entity, entity_id, action, from_status, to_status FROM audit_events WHERE action = 'set_ceiling'"
    ) == [("budget_ceiling", "2026:all", "set_ceiling", None, "4000000")]

    # Hana ticks the proposal (Rp4.500.000) and confirms: refused, with ceiling, committed, this SK, remaining.
    await world.say(t.head, "/sk")
    await press(world, t.head, buttons.SK_DRAFT.data("p", pid))
    card = button(world, t.head, buttons.SK_DRAFT.data("n"))[0]
    assert "Pagu anggaran 2026: Rp4.000.000 · terikat Rp0 · sisa Rp4.000.000" in card.text, card.text
    # Before any "Issue" tap, the card says the selection does not fit, with the four figures.
    assert "Pilihan ini melebihi pagu anggaran 2026" in card.text, card.text
    assert (
        "Satu tahun (semua komponen): pagu Rp4.000.000 · terikat Rp0 · pilihan ini Rp4.500.000 · "
        "sisa Rp4.000.000 (lebih Rp500.000)"
    ) in card.text, card.text
    await press(world, t.head, buttons.SK_DRAFT.data("n"))
    await press(world, t.head, buttons.SK_DRAFT.data("r"))
    message, data = button(world, t.head, buttons.SK_DRAFT.data("y"))
    assert "Pilihan ini melebihi pagu" in message.text
    answer = await world.press(t.head, message, data)
    assert answer.show_alert and "pagu" in answer.text
    # The refusal, then the draft's card again below it (the older card points to it).
    *_, refusal_message, live_card = world.emu.chat_messages(t.head)
    refusal = refusal_message.text
    assert "SK tidak diterbitkan" in refusal
    assert "Pilihan ini melebihi pagu" in live_card.text and live_card.buttons
    older = next(m for m in world.emu.chat_messages(t.head) if m.message_id == message.message_id)
    assert "diganti oleh pesan yang lebih baru di bawah" in older.text and not older.buttons
    for figure in (
        "Pagu: Rp4.000.000",
        "Sudah terikat (SK terbit): Rp0",
        "SK ini: Rp4.500.000",
        "Sisa pagu: Rp4.000.000",
    ):
        assert figure in refusal, refusal
    assert "kelebihan Rp500.000" in refusal
    # Nothing was recorded: no SK, no register number used, the proposal still waits.
    assert await world.rows("SELECT count(*) FROM decrees") == [(0,)]
    assert await world.rows("SELECT count(*) FROM sk_register") == [(0,)]
    assert await status(world, pid) == "validated"
    assert await world.rows("SELECT count(*) FROM bank_accounts") == [(0,)]

    # Rina raises the ceiling (audited: from, to); Hana's open draft now goes through.
    raised = await set_ceiling(world, rina, "/pagu 2026 5000000")
    assert "Pagu diubah" in raised and "Rp5.000.000" in raised
    await press(world, t.head, buttons.SK_DRAFT.data("y"))
    assert await status(world, pid) == "decreed"
    assert await world.rows("SELECT count(*) FROM decrees") == [(1,)]
    # The SK issued is drawn on the live card below the refusal, which stays as it was.
    after = world.emu.chat_messages(t.head)
    issued = next(m for m in after if m.message_id == live_card.message_id)
    assert "diterbitkan" in issued.text and not issued.buttons
    assert next(m for m in after if m.message_id == refusal_message.message_id).text == refusal
    assert [m.message_id for m in after].index(refusal_message.message_id) < [m.message_id for m in after].index(
        live_card.message_id
    )
    shown = await world.say(rina, "/pagu")
    assert "terikat (SK) Rp4.500.000" in shown[-1].text and "sisa Rp500.000" in shown[-1].text
    assert await world.rows(
        "SELECT from_status, to_status FROM audit_events WHERE action = 'set_ceiling' ORDER BY id"
    ) == [(None, "4000000"), ("4000000", "5000000")]


async def test_a_component_ceiling_counts_only_that_components_lines(world) -> None:
    """Siti's clients' lines are all component 1 (living needs): a component-3 ceiling does not
    stop the SK, a component-1 ceiling below Rp4.500.000 does."""
    t = world.team = await team(world)
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    pid = await validated(world, t)
    await set_ceiling(world, rina, "/pagu 2026 komponen 3 Rp 1.000.000")
    await set_ceiling(world, rina, "/pagu 2026 komponen 1 Rp 3.000.000")
    assert await world.rows("SELECT component, amount FROM budget_ceilings ORDER BY component") == [
        ("1", 3_000_000),
        ("3", 1_000_000),
    ]
    await world.say(t.head, "/sk")
    await press(world, t.head, buttons.SK_DRAFT.data("p", pid))
    await press(world, t.head, buttons.SK_DRAFT.data("n"))
    await press(world, t.head, buttons.SK_DRAFT.data("r"))
    message, data = button(world, t.head, buttons.SK_DRAFT.data("y"))
    assert "Komponen 1 (" in message.text and "Komponen 3 (" not in message.text  # said before the tap
    await world.press(t.head, message, data)
    refusal = world.emu.chat_messages(t.head)[-2].text
    assert "Komponen 1" in refusal and "Pagu: Rp3.000.000" in refusal and "Komponen 3" not in refusal
    assert await status(world, pid) == "validated"


async def test_the_monthly_report_shows_the_ceiling_against_committed_transferred_and_accounted(world) -> None:
    t = world.team = await team(world)
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    pid = await validated(world, t)
    before = await world.say(rina, "/laporan")
    await world.drain()
    assert any("Pagu anggaran: belum ditetapkan untuk tahun 2026" in m.text for m in before + [world.last(rina)])
    await set_ceiling(world, rina, "/pagu 2026 Rp 9.000.000")
    await world.say(t.head, "/sk")
    await press(world, t.head, buttons.SK_DRAFT.data("p", pid))
    await press(world, t.head, buttons.SK_DRAFT.data("n"))
    await press(world, t.head, buttons.SK_DRAFT.data("r"))
    await press(world, t.head, buttons.SK_DRAFT.data("y"))
    assert await status(world, pid) == "decreed"
    await world.say(t.head, "/laporan")
    await world.drain()
    summary = next(m.text for m in reversed(world.emu.chat_messages(t.head)) if "Pagu anggaran" in (m.text or ""))
    assert "Pagu anggaran Rp9.000.000: terikat SK Rp4.500.000 (50" in summary, summary[:900]
    assert "ditransfer Rp0" in summary and "sisa Rp4.500.000" in summary


async def test_a_ceiling_change_is_read_back_and_saved_once_on_confirm(world) -> None:
    """Rina types a new ceiling: she sees the old and the new figure and nothing is saved before ✅;
    ✖️ changes nothing and says so; a double tap on ✅ saves (and audits) once."""
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    await set_ceiling(world, rina, "/pagu 2026 Rp 4.000.000")

    asked = (await world.say(rina, "/pagu 2026 Rp 40.000.000"))[-1]
    for figure in ("Sekarang: Rp4.000.000", "Baru: Rp40.000.000", "terikat (SK terbit): Rp0", "Rp40.000.000"):
        assert figure in asked.text, asked.text
    assert "belum disimpan" in asked.text.lower() or "Belum ada yang disimpan" in asked.text
    assert [b.text for row in asked.buttons for b in row] == ["✅ Simpan", "✖️ Batal"]
    assert await world.rows("SELECT amount FROM budget_ceilings") == [(4_000_000,)]

    # ✖️: nothing changes, and she is told the ceiling that stays.
    no = next(b.callback_data for row in asked.buttons for b in row if b.text.startswith("✖️"))
    await world.press(rina, asked, no)
    kept = world.last(rina)
    assert "tidak ada yang diubah" in kept.text.lower() and "Rp4.000.000" in kept.text and not kept.buttons
    assert await world.rows("SELECT amount FROM budget_ceilings") == [(4_000_000,)]
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'set_ceiling'") == [(1,)]

    # She types the right figure and taps ✅ twice: saved once, audited once.
    asked = (await world.say(rina, "/pagu 2026 Rp 4.500.000"))[-1]
    yes = next(b.callback_data for row in asked.buttons for b in row if b.text.startswith("✅"))
    await asyncio.gather(world.emu.press(rina, asked, yes), world.emu.press(rina, asked, yes))
    await world.drain()
    assert await world.rows("SELECT amount FROM budget_ceilings") == [(4_500_000,)]
    assert await world.rows(
        "SELECT from_status, to_status FROM audit_events WHERE action = 'set_ceiling' ORDER BY id"
    ) == [(None, "4000000"), ("4000000", "4500000")]
    assert (
        "Pagu diubah: Satu tahun (semua komponen) 2026, dari Rp4.000.000 menjadi Rp4.500.000" in world.last(rina).text
    )

    # A read-back left open while the ceiling changed is not saved over the newer figure.
    stale = (await world.say(rina, "/pagu 2026 Rp 6.000.000"))[-1]
    await set_ceiling(world, rina, "/pagu 2026 Rp 5.000.000")
    stale_yes = next(b.callback_data for row in stale.buttons for b in row if b.text.startswith("✅"))
    answer = await world.press(rina, stale, stale_yes)
    assert answer is not None and "diubah" in (answer.text or "") + world.last(rina).text
    assert await world.rows("SELECT amount FROM budget_ceilings") == [(5_000_000,)]

    # The same figure again needs no confirmation.
    same = (await world.say(rina, "/pagu 2026 Rp 5.000.000"))[-1]
    assert "sudah Rp5.000.000" in same.text and not same.buttons


async def test_a_past_months_report_shows_the_ceiling_in_force_at_its_end(world) -> None:
    """The year's ceiling was Rp8.000.000 in October and raised to Rp9.000.000 in November:
    Rina's /laporan 2026-10 says Rp8.000.000 (the ceiling at October's end), this month's Rp9.000.000."""
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    today = world.clock.now()
    world.clock.set(dt.datetime(2026, 10, 15, 3, 0, tzinfo=dt.UTC))
    await world.services.budget.set_ceiling(None, 2026, "", 8_000_000)
    world.clock.set(today)
    await world.services.budget.set_ceiling(None, 2026, "", 9_000_000)

    def summary() -> str:
        return next(m.text for m in reversed(world.emu.chat_messages(rina)) if "Pagu anggaran" in (m.text or ""))

    await world.say(rina, "/laporan 2026-10")
    await world.drain()
    assert "Pagu anggaran Rp8.000.000" in summary(), summary()[:900]
    await world.say(rina, "/laporan")
    await world.drain()
    assert "Pagu anggaran Rp9.000.000" in summary(), summary()[:900]


async def test_an_sk_dated_december_for_january_proposals_counts_against_next_years_ceiling(world) -> None:
    """A newcomer's run: Siti's proposal is for January 2027 and Hana's SK is dated in 2026. The
    ceiling charged is the proposal's budget year (its period, as double assistance judges it):
    2027's — before, the SK's date put it against 2026's and 2027's stayed untouched."""
    t = world.team = await team(world)
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    pid = await validated(world, t)
    async with world.storage.db.transaction() as conn:  # the proposal is for January next year
        await conn.execute("UPDATE proposals SET period_year = 2027, period_month = 1 WHERE id = ?", (pid,))
    await set_ceiling(world, rina, "/pagu 2026 Rp 4.000.000")  # would refuse it: not its year
    await set_ceiling(world, rina, "/pagu 2027 Rp 4.000.000")

    await world.say(t.head, "/sk")
    await press(world, t.head, buttons.SK_DRAFT.data("p", pid))
    card = button(world, t.head, buttons.SK_DRAFT.data("n"))[0]
    assert "Pagu anggaran 2027: Rp4.000.000 · terikat Rp0 · sisa Rp4.000.000" in card.text, card.text
    assert "Pagu anggaran 2026" not in card.text and "Pilihan ini melebihi pagu anggaran 2027" in card.text
    await press(world, t.head, buttons.SK_DRAFT.data("n"))
    await press(world, t.head, buttons.SK_DRAFT.data("r"))
    answer = await world.press(t.head, *button(world, t.head, buttons.SK_DRAFT.data("y")))
    assert answer.show_alert and "pagu anggaran 2027" in answer.text, answer.text
    refusal = world.emu.chat_messages(t.head)[-2].text
    assert "SK tidak diterbitkan" in refusal and "2027" in refusal and "SK ini: Rp4.500.000" in refusal, refusal
    assert await status(world, pid) == "validated"

    await set_ceiling(world, rina, "/pagu 2027 Rp 5.000.000")
    await press(world, t.head, buttons.SK_DRAFT.data("y"))
    assert await status(world, pid) == "decreed"
    assert await world.rows("SELECT issued_on FROM decrees") == [("2026-11-28",)]
    next_year = (await world.say(rina, "/pagu 2027"))[-1].text
    assert "terikat (SK) Rp4.500.000" in next_year and "sisa Rp500.000" in next_year, next_year
    this_year = (await world.say(rina, "/pagu 2026"))[-1].text
    assert "terikat (SK) Rp0" in this_year and "sisa Rp4.000.000" in this_year, this_year
    await world.say(t.head, "/laporan")
    await world.drain()
    summary = next(m.text for m in reversed(world.emu.chat_messages(t.head)) if "Pagu anggaran" in (m.text or ""))
    assert "Pagu anggaran Rp4.000.000: terikat SK Rp0" in summary, summary[:900]


async def test_a_held_client_s_budget_stays_in_reserve_until_decided(world) -> None:
    """SS01's and Siti's JB01 proposals are both decreed; JB01's client 1 turns out to carry SS01's
    client's NIK and is held (out of the annex). Rina sets the ceiling to exactly what both SKs
    carry. /pagu says the held client's budget is kept in reserve, and Hana's next SK does not fit:
    the held money is not room for another SK. When Andi clears client 1 (not the same person), the
    committed amount does not grow past the ceiling — it was counted all along."""
    t = world.team = await team(world)
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    head = await operator(world, t.head)
    ss01 = await seed_proposal(world.services, ipwl="SS01", status=S.VALIDATED, clients=1)
    await pick_for_sk(world.services, head, [ss01])
    await world.services.decrees.issue(head)
    jb01 = await seed_proposal(world.services, ipwl="JB01", status=S.VALIDATED, clients=2)
    first, second = await clients(world, jb01)
    other = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    async with world.storage.db.transaction() as conn:
        await conn.execute(SAME_NIK, (other, other, first))
    await pick_for_sk(world.services, head, [jb01])
    await world.services.decrees.issue(head)  # re-checked at the SK: client 1 held, out of the annex
    await world.drain()
    assert await world.rows("SELECT client_id, kind FROM nik_conflicts WHERE client_id = ?", first) == [(first, "hard")]
    andi = await operator(world, t.andi)
    held = await client_total(world, first)
    everything = sum([await client_total(world, c) for c in (first, second, other)])

    await set_ceiling(world, rina, f"/pagu 2026 {format_money(everything)}")
    pagu = (await world.say(rina, "/pagu"))[-1].text
    assert f"terikat (SK) {format_money(everything)} · sisa Rp0" in pagu, pagu
    assert f"Terikat termasuk {format_money(held)} untuk klien yang ditahan" in pagu, pagu

    # Hana's next SK (another validated proposal) does not fit: the held money is not free.
    nxt = await seed_proposal(world.services, ipwl="JB01", status=S.VALIDATED, clients=1)
    await world.say(t.head, "/sk")
    await press(world, t.head, buttons.SK_DRAFT.data("p", nxt))
    card = button(world, t.head, buttons.SK_DRAFT.data("n"))[0]
    assert "Pilihan ini melebihi pagu anggaran 2026" in card.text, card.text
    assert f"Terikat termasuk {format_money(held)}" in card.text, card.text

    # Andi clears client 1: committed stays what it was (within the ceiling).
    await world.services.double_assistance.start(andi, first)
    await world.services.double_assistance.decide(andi, "Tanggal lahir dan nama ibu berbeda, dicek ke Dukcapil")
    assert await world.rows(
        "SELECT count(*) FROM nik_conflicts WHERE client_id = ? AND adjudicated_at IS NULL", first
    ) == [(0,)]
    pagu = (await world.say(rina, "/pagu"))[-1].text
    assert f"terikat (SK) {format_money(everything)} · sisa Rp0" in pagu, pagu
    assert "ditahan" not in pagu


async def test_the_pagu_of_next_year_gives_examples_of_next_year(world) -> None:
    """Rina reads next year's (empty) position in December: the examples name 2027, not 2026."""
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    text = (await world.say(rina, "/pagu 2027"))[-1].text
    assert "Pagu anggaran 2027" in text and "/pagu 2027 Rp 5.000.000.000" in text, text
    assert "/pagu 2026" not in text

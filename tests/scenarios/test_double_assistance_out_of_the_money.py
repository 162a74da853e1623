"""A held client is out of the money everywhere, and a hold that goes away is told (issue 16.1).

Siti's JB01 proposal has its accounts verified; its client 1 carries the NIK of SS01's client,
decreed this year. Fajar (finance) opens /bayar: client 1 is held, the amount is client 2's alone and
the screen says one client is held and comes later. SS01's NIK is then corrected: the hold goes, Siti
is told (in Indonesian) and asked for client 1's account; Fajar is told it is a cleared client's
account (not a failed transfer) and 🏦 Periksa rekening shows it. Hana cannot issue an SK that would
decree nobody: every client of the proposal held.
"""

from __future__ import annotations

from bot.domain.models import ProposalStatus as S
from bot.i18n import format_money
from handlers import buttons
from tests.scenarios.double_assistance_cast import SAME_NIK, client_total, enter_account
from tests.scenarios.payment_cast import button, clients, finance_officer, press
from tests.scenarios.review_cast import datas, operator, tap, team
from tests.seeds import seed_proposal


async def test_a_held_client_is_out_of_the_payment_and_a_corrected_nik_frees_them(world) -> None:
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    jb01 = await seed_proposal(world.services, ipwl="JB01", status=S.ACCOUNTS_VERIFIED, clients=2)
    ss01 = await seed_proposal(world.services, ipwl="SS01", status=S.DECREED, clients=1)
    first, second = await clients(world, jb01)
    other = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    async with world.storage.db.transaction() as conn:
        await conn.execute(SAME_NIK, (first, first, other))
        await conn.execute(
            "INSERT INTO bank_accounts (client_id, bank_code, account_number, holder_name, status, updated_at)"
            " VALUES (?, '002', '5550001199', 'X', 'verified', ?)",
            (second, world.clock.now().isoformat()),
        )
    await world.drain()

    # Fajar opens the payment: client 1 is held — out of the amount, said as a count.
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(jb01))
    screen = world.last(fajar).text
    assert await world.rows("SELECT kind FROM nik_conflicts WHERE client_id = ?", first) == [("hard",)]
    assert "1 klien ditahan karena bantuan ganda" in screen and "ditambahkan setelah" in screen, screen
    payable = await client_total(world, second)
    assert format_money(payable) in screen.splitlines()[0], screen
    assert format_money(payable + await client_total(world, first)) not in screen
    # Siti's /status says client 1 is held, why and what next.
    code = (await world.rows("SELECT code FROM proposals WHERE id = ?", jb01))[0][0]
    status = (await world.say(t.op, f"/status {code}"))[-1].text
    assert "Ditahan: klien 1" in status and "diberi tahu" in status, status

    # SS01's NIK is corrected (an SK perubahan's correction re-checks the pair): the hold goes.
    andi = await operator(world, t.andi)
    async with world.storage.transaction() as uow:
        await uow.clients.update(other, nik="3201011203850002")
        proposal = await uow.proposals.by_id(ss01)
        assert proposal is not None
        await world.services.reviews.recheck_nik(uow, andi, proposal, "change", world.clock.now())
    await world.drain()
    assert await world.rows("SELECT count(*) FROM nik_conflicts") == [(0,)]
    assert await world.rows(
        "SELECT from_status, to_status FROM audit_events WHERE action = 'nik_conflict_lifted' AND entity_id = ?",
        str(first),
    ) == [("held", "lifted")]
    told = world.last(t.op)
    assert "tidak lagi ditahan" in told.text and "Isi rekening" in told.text, told.text
    assert buttons.ACCOUNT_ENTER.data(first) in datas(told)
    assert "🛑" not in (await world.say(t.andi, "/tugas"))[-1].text

    # Siti enters client 1's account: Fajar is told it is a cleared client's, and can check it.
    await enter_account(world, t.op, first, "5550001198", "Budi")
    await world.drain()
    notice = world.last(fajar)
    assert "tidak lagi ditahan" in notice.text and "gagal" not in notice.text, notice.text
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(jb01))
    review = world.last(fajar)  # (not refused: the accounts of a proposal whose others are verified)
    assert "🕓 1. " in review.text, review.text
    await press(world, fajar, buttons.PAYMENT_OPEN.data(jb01))
    assert "ditahan" not in world.last(fajar).text


async def test_an_sk_that_would_decree_nobody_is_refused(world) -> None:
    t = world.team = await team(world)
    jb01 = await seed_proposal(world.services, ipwl="JB01", status=S.VALIDATED, clients=1)
    ss01 = await seed_proposal(world.services, ipwl="SS01", status=S.DECREED, clients=1)
    mine = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", jb01))[0][0]
    other = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    async with world.storage.db.transaction() as conn:
        await conn.execute(SAME_NIK, (mine, mine, other))
    andi = await operator(world, t.andi)
    async with world.storage.transaction() as uow:
        proposal = await uow.proposals.by_id(jb01)
        assert proposal is not None
        await world.services.reviews.recheck_nik(uow, andi, proposal, "validate", world.clock.now())
    await world.drain()

    decrees = await world.rows("SELECT count(*) FROM decrees")
    await world.say(t.head, "/sk")
    await press(world, t.head, buttons.SK_DRAFT.data("p", jb01))
    card = world.last(t.head).text
    assert "⛔" in card and "semua klien ditahan" in card, card
    assert "0 klien" in card  # the ticked proposal decrees nobody
    await press(world, t.head, buttons.SK_DRAFT.data("n"))
    await press(world, t.head, buttons.SK_DRAFT.data("r"))
    message, data = button(world, t.head, buttons.SK_DRAFT.data("y"))
    answer = await tap(world, t.head, message, data)
    shown = " ".join(x for x in ((answer.text if answer else None) or "", world.last(t.head).text) if x)
    assert "SK tidak diterbitkan" in shown, shown
    assert (await world.rows("SELECT status, decree_id FROM proposals WHERE id = ?", jb01)) == [("validated", None)]
    assert await world.rows("SELECT count(*) FROM decrees") == decrees  # nothing recorded, no number taken

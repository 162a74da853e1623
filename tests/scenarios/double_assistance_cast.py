"""The double-assistance story: SS01's decreed proposal with Siti Rahayu's NIK, and Siti's proposal held out of
the SK until adjudicated (the double-assistance test tells it, the privacy and at-rest scans replay it)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.domain.models import Action, Role
from handlers import buttons
from tests.helpers import submit_with_consent
from tests.scenarios.payment_cast import button, clients, finance_officer, press, sk_issued
from tests.scenarios.review_cast import (
    CLIENTS,
    PDF,
    card,
    client_inputs,
    datas,
    operator,
    submitted,
    tap,
    team,
    validated_by_the_team,
    verified_by_andi,
)
from tests.security.matrix import message_with_button

NIK = CLIENTS[0][1]  # Siti Rahayu's NIK, also given by SS01 for "Sity Rahayu"
SS01_CLIENT = [("Sity Rahayu", NIK, "Jl. Anggrek 5, Makassar")]


def annex_cells(message) -> list[object]:
    sheet = load_workbook(io.BytesIO(message.file_bytes())).active
    return [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]


async def submitted_at_ss01(world, rudi, group2) -> int:
    """Rudi (SS01's operator) submits a proposal with Siti Rahayu's NIK, Tim PIC 2's group bound by an admin."""
    admin = await world.services.onboarding.identify(9001, "Admin", private_chat=True, language="id")
    await world.services.onboarding.bind_group(admin, group2.id, "TIM2")
    who = await operator(world, rudi)
    state = await world.services.proposals.start(who)
    await world.services.proposals.add_clients(who, client_inputs(SS01_CLIENT))
    await world.emu.send_document(rudi, file_name="surat-pengantar.pdf", content=PDF, mime_type="application/pdf")
    await world.emu.settle()
    await submit_with_consent(world.services, who, state.proposal.id)
    return state.proposal.id


async def decreed_at_ss01(world, t) -> tuple[int, object]:
    """SS01's proposal with the same NIK, through Tim PIC 2 and an SK (the story's background)."""
    rudi = world.emu.add_user("Rudi", last_name="Operator")
    dian = world.emu.add_user("Dian", last_name="Tim2")
    await world.enrol(rudi, Role.OPERATOR, ipwl="SS01")
    await world.enrol(dian, Role.PIC, team="TIM2")
    group2 = world.emu.add_group("Tim PIC 2", members=[t.citra, dian])
    pid = await submitted_at_ss01(world, rudi, group2)
    citra, dian_who = await operator(world, t.citra), await operator(world, dian)
    await world.drain()
    for person, action in ((citra, Action.CLAIM), (citra, Action.VERIFY), (dian_who, Action.VALIDATE)):
        await world.services.reviews.act(person, pid, action)
        await world.drain()  # (each card edit shows its own step)
    head = await operator(world, t.head)
    await world.services.decrees.start(head)
    await world.services.decrees.toggle(head, pid)
    await world.services.decrees.use_register(head)
    await world.services.decrees.issue(head)
    await world.drain()
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", pid)) == [("decreed",)]
    return pid, group2


async def held_until_adjudicated(world):
    """The story (the privacy and at-rest scans replay it); returns Tim PIC 2's group."""
    t = world.team = await team(world)
    ss01, group2 = await decreed_at_ss01(world, t)
    pid = await submitted(world, t)
    siti_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ? AND position = 1", pid))[0][0]
    ss01_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    ss01_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", ss01))[0][0]

    # Siti sends it: the re-check finds SS01's client in an SK this year, before anyone decides.
    assert await world.rows(
        "SELECT client_id, other_client_id, kind, stage, adjudicated_at FROM nik_conflicts ORDER BY client_id"
    ) == [(ss01_client, siti_client, "soft", "submit", None), (siti_client, ss01_client, "hard", "submit", None)]
    assert "🛑" in card(world, t, pid).text
    # Andi claims and verifies: the re-check there keeps the pair as it was found.
    await verified_by_andi(world, t, pid)
    await world.drain()
    assert await world.rows("SELECT kind, stage FROM nik_conflicts ORDER BY client_id") == [
        ("soft", "submit"),
        ("hard", "submit"),
    ]
    shown = card(world, t, pid).text
    assert "🛑" in shown and "Ditahan" in shown and ss01_code in shown and "SS01" in shown
    # Tim PIC 2 is warned on its own card, with JB01's codes only.
    jb01_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    theirs = world.last(group2).text
    assert "⚠️" in theirs and jb01_code in theirs
    group_texts = [x for g in (t.group, group2) for m in world.emu.chat_messages(g) for x in (m.text or "", *m.edits)]
    assert not [x for x in group_texts if NIK in x or "Siti Rahayu" in x or "Sity" in x]

    # Budi validates; Hana issues the SK: client 1 is not in the annex, and the caption says why.
    await tap(world, t.budi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "validate"))
    await world.drain()
    draft = (await world.say(t.head, "/sk"))[-1]
    assert "🛑 1 ditahan" in draft.text  # Hana knows before she issues it
    await press(world, t.head, buttons.SK_DRAFT.data("p", pid))
    await press(world, t.head, buttons.SK_DRAFT.data("n"))
    await press(world, t.head, buttons.SK_DRAFT.data("r"))
    await press(world, t.head, buttons.SK_DRAFT.data("y"))
    await world.drain()
    annex = [m for m in world.emu.chat_messages(t.head) if m.document][-1]
    cells = annex_cells(annex)
    assert "Siti Rahayu" not in cells and NIK not in cells and "Budi Santoso" in cells
    assert "🛑" in (annex.caption or "") and jb01_code in (annex.caption or "")
    assert datas(annex) == {buttons.NIK_ADJUDICATE.data(siti_client)}  # Hana could decide from here too
    assert "🛑" in (await world.say(t.head, "/tugas"))[-1].text
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", pid)) == [("decreed",)]

    # Citra (Tim PIC 2) may not decide for JB01's client: refused, audited, nothing recorded.
    forged = buttons.NIK_ADJUDICATE.data(siti_client)
    refused = await world.emu.press(t.citra, await message_with_button(world, t.citra.id, forged), forged)
    assert refused is not None and refused.show_alert and "PIC" in (refused.text or "")
    assert await world.rows(
        "SELECT count(*) FROM audit_events WHERE action = 'denied' AND reason = 'adjudicate_nik: out_of_scope'"
    ) == [(1,)]

    # Andi opens Detail: client 1 says held, with a button to decide.
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_DETAIL.data(pid))
    message, data = button(world, t.andi, buttons.NIK_ADJUDICATE.data(siti_client))
    assert "🛑" in message.text and ss01_code in message.text
    await tap(world, t.andi, message, data)
    prompt = world.last(t.andi)
    assert "Siti Rahayu" in prompt.text and ss01_code in prompt.text and "Sity" not in prompt.text
    # Too short: said, nothing recorded.
    replies = await world.say(t.andi, "beda")
    assert replies and "10" in replies[-1].text
    assert (await world.rows("SELECT adjudicated_at FROM nik_conflicts WHERE client_id = ?", siti_client)) == [(None,)]
    # A reason naming the NIK (a newcomer typed it): refused, said why and what to write instead;
    # nothing recorded, nor audited — the audit trail never holds it.
    replies = await world.say(t.andi, f"Beda orang, NIK {NIK[:4]} {NIK[4:8]} {NIK[8:12]} {NIK[12:]} dicek")
    assert replies[-1].text.startswith("⚠️") and "16 angka" in replies[-1].text and "audit" in replies[-1].text
    assert "Dukcapil" in replies[-1].text
    assert (await world.rows("SELECT adjudicated_at FROM nik_conflicts WHERE client_id = ?", siti_client)) == [(None,)]
    assert not [r for (r,) in await world.rows("SELECT reason FROM audit_events") if r and NIK in r.replace(" ", "")]
    replies = await world.say(t.andi, "Tanggal lahir dan nama ibu berbeda, dicek ke Dukcapil")
    assert "✅" in replies[-1].text and "Tanggal lahir" in replies[-1].text
    andi_id = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", t.andi.id))[0][0]
    assert await world.rows(
        "SELECT client_id, adjudicated_by, reason FROM nik_conflicts WHERE adjudicated_at IS NOT NULL"
        " ORDER BY client_id"
    ) == [
        (ss01_client, andi_id, "Tanggal lahir dan nama ibu berbeda, dicek ke Dukcapil"),
        (siti_client, andi_id, "Tanggal lahir dan nama ibu berbeda, dicek ke Dukcapil"),
    ]
    audited = await world.rows(
        "SELECT actor_id, entity_id, from_status, to_status FROM audit_events WHERE action = 'adjudicate_nik'"
        " ORDER BY id"
    )
    assert (andi_id, str(siti_client), "held", "cleared") in audited

    # Hana gets the annex again, with client 1 back in it; the card says it was decided.
    await world.drain()
    again = [m for m in world.emu.chat_messages(t.head) if m.document][-1]
    assert again is not annex and "Siti Rahayu" in annex_cells(again) and not datas(again)
    shown = card(world, t, pid).text
    assert "🛑" not in shown and "✅" in shown and "Andi" in shown
    # A second decision on the same client changes nothing.
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_DETAIL.data(pid))
    assert not any(
        b.callback_data == buttons.NIK_ADJUDICATE.data(siti_client)
        for b in (b for row in world.last(t.andi).buttons for b in row)
    )
    return group2


async def enter_account(world, op, client_id: int, number: str, holder: str) -> None:
    await press(world, op, buttons.ACCOUNT_ENTER.data(client_id))
    await press(world, op, buttons.ACCOUNT_BANK.data("bca"))
    await world.say(op, number)
    await world.say(op, holder)
    await press(world, op, buttons.ACCOUNT_SKIP_PASSBOOK.data())


# The same person at two IPWL: client B gets client A's sealed NIK and its blind index (A, A, B).
SAME_NIK = (
    "UPDATE clients SET nik = (SELECT nik FROM clients WHERE id = ?),"
    " nik_index = (SELECT nik_index FROM clients WHERE id = ?) WHERE id = ?"
)


async def client_total(world, client_id: int) -> int:
    """A client's budget, as the payment counts it."""
    return (await world.rows("SELECT coalesce(sum(total), 0) FROM budget_lines WHERE client_id = ?", client_id))[0][0]


async def verified_with_one_held(world):
    """Siti's proposal decreed with client 1 held (Sity's NIK, decreed at SS01), the accounts of clients 2 and 3
    entered and verified by Fajar (finance): (Fajar, proposal id, [client 1, 2, 3])."""
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    await decreed_at_ss01(world, t)
    pid = await submitted(world, t)
    ids = await clients(world, pid)
    await validated_by_the_team(world, t, pid)
    await world.drain()
    await sk_issued(world, t, pid)
    await world.say(t.op, "/rekening")
    await enter_account(world, t.op, ids[1], "5550001113", "Budi Santoso")
    await enter_account(world, t.op, ids[2], "5550001112", "Dewi Lestari")
    await world.drain()
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(pid))
    await press(world, fajar, buttons.ACCOUNTS_VERIFY_ALL.data(pid))
    assert (await world.rows("SELECT status FROM proposals WHERE id = ?", pid)) == [("accounts_verified",)]
    await world.drain()
    return fajar, pid, ids


async def cleared_by_andi(world, t, pid: int, client_id: int) -> None:
    """Andi (PIC) decides from the card's Detail that the held client is not the same person."""
    detail = buttons.CARD_DETAIL.data(pid)
    await tap(world, t.andi, await message_with_button(world, t.group.id, detail), detail)
    message, data = button(world, t.andi, buttons.NIK_ADJUDICATE.data(client_id))
    await tap(world, t.andi, message, data)
    await world.say(t.andi, "Tanggal lahir dan nama ibu berbeda, dicek ke Dukcapil")
    await world.drain()

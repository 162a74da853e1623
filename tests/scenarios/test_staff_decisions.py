"""The staff side after submission, as first-time users met it (issues 11 and 12).

Personas as in test_review_flow — Siti (operator, JB01), Andi and Budi (PIC team 1), Hana (head) —
plus Rina, an admin who sits in team 1's group but is not on the team, and Fajar (finance).
"""

from __future__ import annotations

from bot.domain.models import ProposalStatus as S
from bot.domain.models import Role
from handlers import buttons
from tests.scenarios.payment_cast import (
    clients,
    decreed,
    enter_account,
    finance_officer,
    press,
    record_sp2d,
    sk_cards,
    validated,
)
from tests.scenarios.review_cast import card, datas, person_id, status, submitted, tap, team
from tests.seeds import seed_proposal


async def test_only_two_pic_of_the_team_decide_an_admin_in_the_group_may_only_release(world) -> None:
    t = world.team = await team(world)
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    world.emu.add_member(t.group, rina)
    pid = await submitted(world, t)
    andi_id, budi_id, rina_id = [await person_id(world, u) for u in (t.andi, t.budi, rina)]

    # Rina may not take the proposal for checking: it is the team's work.
    refused = await tap(world, rina, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))
    assert refused.show_alert and "Tim PIC" in refused.text and "admin" in refused.text.lower()
    assert (await status(world, pid))[:2] == ("submitted", None)

    # Andi claims; Rina releases the claim (an admin hands a review back) and Andi claims again.
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))
    released = await tap(world, rina, card(world, t, pid), buttons.CARD_ACTION.data(pid, "release"))
    assert not released.show_alert, released.text
    assert (await status(world, pid))[:2] == ("submitted", None)
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "verify"))
    assert await status(world, pid) == ("verified", andi_id, andi_id, None, 1)

    # Rina presses Validate (and Return): refused, nothing changes, the card does not name her.
    for data in (
        buttons.CARD_ACTION.data(pid, "validate"),
        buttons.CARD_DECISION.data(pid, "return"),
        buttons.CARD_DECISION.data(pid, "reject"),
    ):
        refused = await tap(world, rina, card(world, t, pid), data)
        assert refused.show_alert and "admin" in refused.text.lower(), (data, refused.text)
    assert await status(world, pid) == ("verified", andi_id, andi_id, None, 1)
    assert "Rina" not in card(world, t, pid).text
    assert await world.rows("SELECT count(*) FROM conversations WHERE kind = 'review_reason'") == [(0,)]

    # Budi, the second PIC of the team, validates: the card names him.
    await tap(world, t.budi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "validate"))
    assert await status(world, pid) == ("validated", andi_id, andi_id, budi_id, 1)
    await world.drain()
    assert "Budi PIC" in card(world, t, pid).text and "Admin" not in card(world, t, pid).text
    denied = await world.rows("SELECT actor_id, reason FROM audit_events WHERE action = 'denied' ORDER BY id")
    assert denied == [
        (rina_id, "claim: role_required"),
        (rina_id, "validate: role_required"),
        (rina_id, "return: role_required"),
        (rina_id, "reject: role_required"),
    ]
    assert datas(card(world, t, pid)) == {buttons.CARD_DETAIL.data(pid)}


async def test_the_operator_hears_of_each_step_of_the_review(world) -> None:
    t = world.team = await team(world)
    pid = await submitted(world, t)
    before = len(world.emu.chat_messages(t.op))
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "claim"))
    await tap(world, t.andi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "verify"))
    await world.drain()
    verified = world.emu.chat_messages(t.op)[before:]
    assert len(verified) == 1 and "USL-2026-0001" in verified[0].text and "diverifikasi" in verified[0].text
    assert "Andi" not in verified[0].text  # the team's step, not a person's
    await tap(world, t.budi, card(world, t, pid), buttons.CARD_ACTION.data(pid, "validate"))
    await world.drain()
    validated = world.emu.chat_messages(t.op)[before + 1 :]
    assert len(validated) == 1 and "divalidasi" in validated[0].text and "SK" in validated[0].text
    assert await world.rows("SELECT kind, status FROM outbox WHERE kind = 'proposal_progress' ORDER BY id") == [
        ("proposal_progress", "sent"),
        ("proposal_progress", "sent"),
    ]


# --- 11.1 official numbers stay numbers; 12.5 one live SK card ---------------------------------------------


async def test_the_head_types_an_sk_number_the_number_stays_a_number_and_one_card_stays_live(world) -> None:
    t = world.team = await team(world)
    pid = await validated(world, t)
    await world.say(t.head, "/sk")
    await press(world, t.head, buttons.SK_DRAFT.data("p", pid))
    await press(world, t.head, buttons.SK_DRAFT.data("n"))

    # What the head typed in issue 11.1, and its relatives: each refused with the reason, nothing kept.
    refusals = {
        "SK-045/BRSKPN-GP/XII/2026 30-02-2026": "30-02-2026",  # no such day
        "SK-045/BRSKPN-GP/XII/2026 17 Desember 2026": "masa depan",  # not yet
        "SK-045/BRSKPN-GP/XI/2026": "tanggal",  # the date is asked for, never taken to be today
        "SK-045/BRSKPN-GP/XII/2026 28-11-2026": "XII/2026",  # the number's month is not the date's
        "SK-045/BRSKPN-GP/XI/2026 27-11-2026": "sebelum proposal",  # before the proposal was made
        "045 tanggal 28-11-2026": "SK-012/BRSKPN-GP/XI/2026",  # not the register's form: an example
    }
    for text, reason in refusals.items():
        answer = (await world.say(t.head, text))[-1]
        assert answer.text.startswith("⚠️") and reason in answer.text, (text, answer.text)
        state = (await world.rows("SELECT state FROM conversations WHERE kind = 'sk'"))[0][0]
        assert '"number": null' in state, (text, state)
    assert await world.rows("SELECT count(*) FROM decrees") == [(0,)]
    assert len([c for c in sk_cards(world, t.head) if c.buttons]) == 1

    # Typed twice (a change of mind): each new card replaces the one before, which loses its buttons.
    await world.say(t.head, "SK-044/BRSKPN-GP/XI/2026 28-11-2026")
    draft = (await world.say(t.head, "sk-045/brskpn-gp/xi/2026, tanggal 28 November 2026"))[-1]
    assert "Nomor SK: SK-045/BRSKPN-GP/XI/2026\n" in draft.text and "Tanggal SK: 28 November 2026" in draft.text
    cards = sk_cards(world, t.head)
    assert [bool(c.buttons) for c in cards] == [False, False, True]
    assert all("diganti" in c.text for c in cards[:-1])
    assert await world.rows("SELECT count(*) FROM decrees") == [(0,)]  # shown, not recorded

    await press(world, t.head, buttons.SK_DRAFT.data("y"))
    assert await world.rows("SELECT number, issued_on FROM decrees") == [("SK-045/BRSKPN-GP/XI/2026", "2026-11-28")]
    assert await world.rows("SELECT action, to_status FROM audit_events WHERE entity = 'decree'") == [
        ("issue_sk", "SK-045/BRSKPN-GP/XI/2026")
    ]
    # A new /sk after that closes nothing live (the card was issued), and starts with one card again.
    await world.say(t.head, "/sk")
    assert [bool(c.buttons) for c in sk_cards(world, t.head)][-1:] in ([False], [True])
    assert sum(1 for c in sk_cards(world, t.head) if c.buttons) <= 1


async def test_finance_types_spp_and_spm_numbers_and_dates_checked_and_shown_before_saving(world) -> None:
    fajar = await finance_officer(world)
    pid = await seed_proposal(world.services, status=S.ACCOUNTS_VERIFIED, clients=2)
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(pid))
    for text, reason in {
        "00123/SPP/XI/2026 17 Desember 2026": "masa depan",
        "00123/SPP/XI/2026": "tanggal",
        "SPP 123 28-11-2026": "00012/SPP/XI/2026 28-11-2026",
    }.items():  # the form, by example
        answer = (await world.say(fajar, text))[-1]
        assert answer.text.startswith("⚠️") and reason in answer.text, (text, answer.text)
    await world.say(fajar, "00123/SPP/XI/2026 27-11-2026")
    refused = (await world.say(fajar, "00456/SPM/XI/2026 26-11-2026"))[-1]  # before its SPP
    assert refused.text.startswith("⚠️") and "27-11-2026" in refused.text
    shown = (await world.say(fajar, "00456/spm/xi/2026 28-11-2026"))[-1]
    assert "Nomor SPP: 00123/SPP/XI/2026 · tanggal: 27 November 2026" in shown.text
    assert "Nomor SPM: 00456/SPM/XI/2026 · tanggal: 28 November 2026" in shown.text
    assert await world.rows("SELECT count(*) FROM payments") == [(0,)]
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'record_orders'") == [(0,)]

    # "Type again" starts over; then Save records both, numbers and dates apart, and audits them.
    await press(world, fajar, buttons.PAYMENT_ORDERS_CONFIRMED.data(pid, "n"))
    assert "Ketik nomor dan tanggal SPP" in world.last(fajar).text and world.last(fajar).buttons == []
    await world.say(fajar, "00123/SPP/XI/2026 27-11-2026")
    await world.say(fajar, "00456/SPM/XI/2026 28-11-2026")
    await press(world, fajar, buttons.PAYMENT_ORDERS_CONFIRMED.data(pid, "y"))
    assert await world.rows("SELECT spp_number, spp_date, spm_number, spm_date FROM payments") == [
        ("00123/SPP/XI/2026", "2026-11-27", "00456/SPM/XI/2026", "2026-11-28")
    ]
    assert await world.rows("SELECT reason FROM audit_events WHERE action = 'record_orders'") == [
        ("SPP 00123/SPP/XI/2026 2026-11-27; SPM 00456/SPM/XI/2026 2026-11-28",)
    ]
    assert buttons.TRANSFERS_SHEET.data(pid) in datas(world.last(fajar))  # on to the transfers


# --- 11.4 one account, one client; 12.4 the accounts card waits and comes back ------------------------------


async def test_one_account_one_client_flagged_at_entry_and_verification_and_the_card_waits(world) -> None:
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    # Another IPWL's client was given 0987654321 at BNI this year (seeded as step d would record it).
    other = await seed_proposal(world.services, ipwl="SS01", status=S.DECREED, clients=1)
    async with world.storage.db.transaction() as conn:
        # Sealed, with its blind index, as the bot stores it (issue 17).
        keys = world.storage.keys
        await conn.execute(
            "INSERT INTO bank_accounts (client_id, bank_code, account_number, account_index, holder_name,"
            " status, updated_at) SELECT id, 'bni', ?, ?, ?, 'submitted', '2026-11-28T00:00:00Z'"
            " FROM clients WHERE proposal_id = ?",
            (
                keys.seal("0987654321", "bank_accounts", "account_number"),
                keys.blind("account", "0987654321"),
                keys.seal("X", "bank_accounts", "holder_name"),
                other,
            ),
        )
    other_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", other))[0][0]
    pid = await decreed(world, t)
    siti, budi, dewi = await clients(world, pid)

    await world.say(t.op, "/rekening")
    said = await enter_account(world, t.op, siti, "bri", "123456789012345", "Siti Rahayu")
    assert not any("sama" in s for s in said)
    said = await enter_account(world, t.op, budi, "bri", "1234 5678 9012 345", "Budi Santoso")
    flagged = [s for s in said if "nomor rekening yang sama" in s]
    assert flagged and "2. Budi Santoso" in flagged[0] and "klien 1. Siti Rahayu pada proposal ini" in flagged[0]
    said = await enter_account(world, t.op, dewi, "bni", "0987654321", "Dewi Lestari")
    flagged = [s for s in said if "nomor rekening yang sama" in s]
    assert flagged and "IPWL lain" in flagged[0] and other_code not in flagged[0]  # no other IPWL's details
    assert await world.rows(
        "SELECT count(*) FROM bank_accounts a JOIN clients c ON c.id = a.client_id"
        " WHERE c.proposal_id = ? AND a.status = 'submitted'",
        pid,
    ) == [(3,)]  # warned, kept

    # Fajar is told, and his card names the other client of each shared account.
    await world.drain()
    notice = next(m for m in world.emu.chat_messages(fajar) if "avr" in str(datas(m)))
    assert "⚠️ 3 di antaranya" in notice.text
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(pid))
    review = world.last(fajar).text
    assert "nomor rekening sama dengan klien 2. Budi Santoso pada proposal ini" in review
    assert "nomor rekening sama dengan klien 1. Siti Rahayu pada proposal ini" in review
    assert f"nomor rekening sama dengan klien 1 pada {other_code} (SS01)" in review

    # He sends Budi's back: the card says what it waits for (no dead buttons) ...
    await press(world, fajar, buttons.ACCOUNT_RETURN.data(budi))
    await world.say(fajar, "Nomor rekening sama dengan milik Siti Rahayu")
    waiting = world.last(fajar)
    assert "Menunggu rekening baru dari operator untuk 2. Budi Santoso" in waiting.text and waiting.buttons == []
    # ... and comes back, with its buttons, when Siti sends the new one.
    await world.drain()
    await enter_account(world, t.op, budi, "bni", "0123456789", "Budi Santoso")
    await world.drain()
    back = world.last(fajar)
    verify_all = next(
        d for d in datas(back) if (all_ := buttons.ACCOUNTS_VERIFY_ALL.parse(d)) and all_.args[0] == str(pid)
    )  # (with the accounts' fingerprint)
    assert "sudah mengirim rekening baru" in back.text
    assert "klien 2. Budi Santoso pada proposal ini" not in back.text  # no longer shared
    assert "tidak ikut diverifikasi sekaligus" in back.text  # Dewi's still shares another IPWL's number
    await tap(world, fajar, back, verify_all)
    assert (await status(world, pid))[0] == "accounts_submitted"  # a ⚠️ account is never ticked off in bulk
    assert await world.rows("SELECT status FROM bank_accounts WHERE client_id = ?", dewi) == [("submitted",)]
    card = world.last(fajar)
    assert not any(buttons.ACCOUNTS_VERIFY_ALL.parse(d) for d in datas(card))  # only Dewi's own ✅ is left
    await tap(world, fajar, card, next(d for d in datas(card) if buttons.ACCOUNT_VERIFY.parse(d)))
    assert (await status(world, pid))[0] == "accounts_verified"
    await world.drain()
    assert "Rekening bank pada proposal Anda USL-2026-0002 sudah diverifikasi" in world.last(t.op).text  # 12.3


# --- 12.3 the payment notice leads to the LPJ; 12.4 reviewers see the evidence they approve ---------------


async def test_paid_notice_says_what_the_lpj_needs_and_opens_it_and_reviewers_get_the_evidence(world) -> None:
    from tests.scenarios.lpj_cast import Phone, add_photo_and_bast, cast

    people = await cast(world)
    pid = await seed_proposal(world.services, status=S.ACCOUNTS_VERIFIED, clients=1)
    async with world.storage.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO bank_accounts (client_id, bank_code, account_number, holder_name, status,"
            " updated_at) SELECT id, 'bri', '123456789012345', 'X', 'verified', '2026-11-28T00:00:00Z'"
            " FROM clients WHERE proposal_id = ?",
            (pid,),
        )
    fitri = Phone(world, people.fitri)
    await fitri.type("/bayar")
    await fitri.tap(buttons.PAYMENT_OPEN.data(pid))
    await fitri.type("00123/SPP/XI/2026 28-11-2026")
    await fitri.type("00456/SPM/XI/2026 28-11-2026")
    await fitri.tap(buttons.PAYMENT_ORDERS_CONFIRMED.data(pid, "y"))
    await record_sp2d(world, people.fitri, pid)
    await fitri.tap(buttons.TRANSFERS_ALL_SENT.data(pid))
    await world.drain()

    # Siti's notice: the due date, what the LPJ needs, and the way to start it.
    siti = Phone(world, people.siti)
    notice = world.last(people.siti)
    assert "harus dikirim paling lambat" in notice.text
    for needed in ("kuitansi", "Rp5.000.000", "meterai Rp10.000", "foto kegiatan", "BAST", "/lpj"):
        assert needed in notice.text, needed
    assert datas(notice) == {buttons.LPJ_OPEN.data(pid)}
    first = await siti.tap(buttons.LPJ_OPEN.data(pid))
    assert first is not None and not first.show_alert
    assert await world.rows(
        "SELECT kind, entity_id FROM conversations c JOIN people p ON p.id = c.person_id WHERE p.telegram_user_id = ?",
        people.siti.id,
    ) == [("lpj", pid)]

    # Siti files it with a receipt above Rp5.000.000, a photo and the BAST.
    await siti.type("01-11-2026 s/d 27-11-2026")
    await siti.tap(buttons.LPJ_ANSWER.data("all"))
    await siti.send("kuitansi2.pdf")
    await siti.type("6.000.000")
    await siti.tap(buttons.LPJ_ANSWER.data("yes"))  # the meterai is on it
    await add_photo_and_bast(siti)
    await siti.tap(buttons.LPJ_SUBMIT.data(pid))
    await world.drain()

    # Andi (PIC) opens the Detail: the text, then each file itself, by Telegram file id.
    card = world.last(people.group)
    before = len(world.emu.chat_messages(people.andi))
    await world.press(people.andi, card, siti.button(buttons.LPJ_DETAIL.data(pid), card))
    shown = world.emu.chat_messages(people.andi)[before:]
    assert "kuitansi2.pdf" in shown[0].text
    files = shown[1:]
    assert [bool(m.document) for m in files] == [True, False, True] and files[1].photo
    assert files[0].document["file_name"] == "kuitansi2.pdf" and files[0].file_bytes().startswith(b"%PDF")
    assert "Kuitansi" in files[0].caption and "meterai ✓" in files[0].caption and "1/3" in files[0].caption
    assert "Foto kegiatan" in files[1].caption and "BAST" in files[2].caption
    uploaded = await world.rows("SELECT telegram_file_id FROM attachments WHERE purpose LIKE 'lpj_%' ORDER BY id")
    assert [r[0] for r in uploaded][0] == files[0].document["file_id"]  # sent again, not uploaded again
    assert await world.rows("SELECT action, reason FROM audit_events WHERE action = 'view_detail'") == [
        ("view_detail", "lpj")
    ]
    await world.press(people.andi, card, siti.button(buttons.LPJ_VERIFY.data(pid), card))
    await world.drain()
    assert "telah diverifikasi oleh Tim PIC" in world.last(people.siti).text  # 12.3: each step is told

    # Fitri (finance) validates from her private notice: its Detail brings the same evidence.
    to_validate = next(
        m for m in reversed(world.emu.chat_messages(people.fitri)) if buttons.LPJ_VALIDATE.data(pid) in datas(m)
    )
    before = len(world.emu.chat_messages(people.fitri))
    await world.press(people.fitri, to_validate, buttons.LPJ_DETAIL.data(pid))
    assert len([m for m in world.emu.chat_messages(people.fitri)[before:] if m.document or m.photo]) == 3

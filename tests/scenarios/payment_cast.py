"""The payment stories' steps: a validated proposal, pressing the newest button of a kind, a proposal's status and
clients, and the whole story from the SK to every client paid (the payment test tells it, the privacy scans and
the payment checks replay it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from openpyxl import load_workbook

from bot.domain.models import Action, Role, Sex
from bot.domain.validation import find_bank
from bot.emulator import EmuChat, EmuUser
from bot.files.finance_sheets import AccountInput
from handlers import buttons
from tests.helpers import submit_with_consent
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
)

SPM = "00456/SPM/XI/2026"  # the SPM number the stories record
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def button(world, chat: EmuUser | EmuChat, prefix: str):
    """The newest message in ``chat`` (a person's private chat, or a group) with a button whose data starts with
    ``prefix``."""
    for message in reversed(world.emu.chat_messages(chat)):
        for row in message.buttons:
            for b in row:
                if b.callback_data and b.callback_data.startswith(prefix):
                    return message, b.callback_data
    where = f"{chat.first_name}'s chat" if isinstance(chat, EmuUser) else "the chat"
    raise AssertionError(f"no button {prefix} in {where}")


async def finance_officer(world) -> EmuUser:
    """Fajar, enrolled in finance: he checks the accounts and pays."""
    fajar = world.emu.add_user("Fajar", last_name="Keuangan")
    await world.enrol(fajar, Role.FINANCE)
    return fajar


async def press(world, user: EmuUser, prefix: str):
    message, data = button(world, user, prefix)
    answer = await tap(world, user, message, data)
    assert not answer.show_alert, answer.text
    return answer


async def status(world, pid: int) -> str:
    return (await world.rows("SELECT status FROM proposals WHERE id = ?", pid))[0][0]


async def clients(world, pid: int) -> list[int]:
    return [r[0] for r in await world.rows("SELECT id FROM clients WHERE proposal_id = ? ORDER BY position", pid)]


SP2D = "261131302002345 28-11-2026"


async def record_sp2d(world, fajar: EmuUser, pid: int) -> None:
    """🏦 The SP2D the KPPN issued for the proposal's SPM (its number, date, and the SPM's amount):
    transfer results are recorded only after it."""
    (amount,) = (await world.rows("SELECT spm_amount FROM payments WHERE proposal_id = ?", pid))[0]
    await press(world, fajar, buttons.PAYMENT_SP2D.data(pid))
    await world.say(fajar, SP2D)
    await world.say(fajar, str(amount))
    assert (await world.rows("SELECT sp2d_number FROM payments WHERE proposal_id = ?", pid)) == [(SP2D.split()[0],)]


async def validated(world, t) -> int:
    pid = await submitted(world, t)
    await validated_by_the_team(world, t, pid)
    assert await status(world, pid) == "validated"
    return pid


async def sk_accounts_and_payment_until_paid(world) -> None:
    """The story from the validated proposal to every client paid (the privacy scans replay it)."""
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    pid = await validated(world, t)
    siti_client, budi_client, dewi_client = await clients(world, pid)

    # Hana issues the SK with the next number from the register.
    assert "USL-2026-0001" in await sk_issued(world, t, pid)
    assert await world.rows("SELECT number, issued_on FROM decrees") == [("SK-001/BRSKPN-GP/XI/2026", "2026-11-28")]
    assert await status(world, pid) == "decreed"
    annex = next(m for m in world.emu.chat_messages(t.head) if m.document)
    sheet = load_workbook(io.BytesIO(annex.file_bytes())).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Siti Rahayu" in cells and "3201014508900004" in cells and 4_500_000 in cells
    assert "SK-001/BRSKPN-GP/XI/2026" in world.last(t.op).text and "/rekening" in world.last(t.op).text

    # Siti types the first account, then sends the workbook for the other two.
    await world.say(t.op, "/rekening")
    await press(world, t.op, buttons.ACCOUNT_ENTER.data(siti_client))
    await press(world, t.op, buttons.ACCOUNT_BANK.data("bri"))
    # The bank question stays readable with the bank chosen (issue 12.5); the next one is new.
    chose = [m for m in world.emu.chat_messages(t.op) if "✓" in m.text and "BRI" in m.text.split("→")[-1]]
    assert len(chose) == 1 and not chose[0].buttons and world.last(t.op) is not chose[0]
    question = (await world.say(t.op, "1234 5678 9012 345"))[-1]
    assert "⚠️" not in question.text  # BRI numbers have 15 digits
    await world.say(t.op, "Siti Rahayu")
    await press(world, t.op, buttons.ACCOUNT_SKIP_PASSBOOK.data())
    assert "✓" in world.emu.chat_messages(t.op)[-2].text  # "Lewati" is kept under its question
    assert await world.rows(
        "SELECT bank_code, account_number, status FROM bank_accounts WHERE client_id = ?", siti_client
    ) == [("bri", "123456789012345", "submitted")]
    await press(world, t.op, buttons.ACCOUNTS_SHEET.data(pid))
    template = world.last(t.op)
    book = load_workbook(io.BytesIO(template.file_bytes()))
    ws = book.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        if row[2].value == CLIENTS[1][1]:
            row[3].value, row[4].value, row[5].value = "BNI", "0123456789", "Budi Santoso"
        if row[2].value == CLIENTS[2][1]:
            row[3].value, row[4].value, row[5].value = "Mandiri", "1234567890123", "Bpk. Joko Susilo"
    filled = io.BytesIO()
    book.save(filled)
    await world.emu.send_document(t.op, file_name="rekening.xlsx", content=filled.getvalue(), mime_type=XLSX)
    await world.emu.settle()
    assert "⚠️" in world.last(t.op).text  # Dewi's account is in her father's name: a warning, not a block
    assert await status(world, pid) == "accounts_submitted"

    # Fajar checks: Siti's is right, Dewi's goes back; Siti corrects it.
    await world.drain()
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(pid))
    await press(world, fajar, buttons.ACCOUNT_VERIFY.data(siti_client))
    await press(world, fajar, buttons.ACCOUNT_RETURN.data(dewi_client))
    await world.say(fajar, "Rekening harus atas nama klien sendiri")
    assert await status(world, pid) == "decreed"
    assert await world.rows("SELECT status, return_reason FROM bank_accounts WHERE client_id = ?", dewi_client) == [
        ("rejected", "Rekening harus atas nama klien sendiri")
    ]
    assert "atas nama klien sendiri" in world.last(t.op).text
    await press(world, t.op, buttons.ACCOUNT_ENTER.data(dewi_client))
    await press(world, t.op, buttons.ACCOUNT_BANK.data("bca"))
    await world.say(t.op, "5550001112")
    await world.say(t.op, "Dewi Lestari")
    await press(world, t.op, buttons.ACCOUNT_SKIP_PASSBOOK.data())
    assert await status(world, pid) == "accounts_submitted"
    await world.drain()
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(pid))
    await press(world, fajar, buttons.ACCOUNTS_VERIFY_ALL.data(pid))
    assert await status(world, pid) == "accounts_verified"

    # Fajar pays: SPP, SPM, two transfers sent, Budi's fails; Siti gives a new account; paid.
    await world.drain()
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(pid))
    await world.say(fajar, "00123/SPP/XI/2026 28-11-2026")
    await world.say(fajar, "00456/SPM/XI/2026 28-11-2026")
    assert await world.rows("SELECT count(*) FROM payments") == [(0,)]  # shown first, recorded on Save
    await press(world, fajar, buttons.PAYMENT_ORDERS_CONFIRMED.data(pid, "y"))
    assert await world.rows("SELECT spp_number, spp_date, spm_number FROM payments") == [
        ("00123/SPP/XI/2026", "2026-11-28", "00456/SPM/XI/2026")
    ]
    # A transfer before the SP2D is refused, out loud, and records nothing.
    for prefix in (
        buttons.TRANSFER_SENT.data(siti_client),
        buttons.TRANSFERS_ALL_SENT.data(pid),
        buttons.TRANSFER_FAILED.data(budi_client, "failed"),
    ):
        refused = await tap(world, fajar, *button(world, fajar, prefix))
        assert refused.show_alert and "Catat SP2D" in refused.text and "00456/SPM/XI/2026" in refused.text, refused
    assert await world.rows("SELECT count(*) FROM transfers WHERE status != 'pending'") == [(0,)]
    await record_sp2d(world, fajar, pid)
    await press(world, fajar, buttons.TRANSFER_SENT.data(siti_client))
    await press(world, fajar, buttons.TRANSFER_FAILED.data(budi_client, "failed"))
    await world.say(fajar, "Rekening tidak aktif")
    await press(world, fajar, buttons.TRANSFER_SENT.data(dewi_client))
    assert await status(world, pid) == "accounts_verified"
    # (Siti's news of the verified accounts may still be on its way too: wait for this one.)
    await world.emu.wait_for(
        lambda: any("Rekening tidak aktif" in (m.text or "") for m in world.emu.chat_messages(t.op)), timeout=5
    )
    await press(world, t.op, buttons.ACCOUNT_ENTER.data(budi_client))
    await press(world, t.op, buttons.ACCOUNT_BANK.data("bni"))
    await world.say(t.op, "0987654321")
    await world.say(t.op, "Budi Santoso")
    await press(world, t.op, buttons.ACCOUNT_SKIP_PASSBOOK.data())
    await world.drain()
    await press(world, fajar, buttons.PAYMENT_OPEN.data(pid))
    await press(world, fajar, buttons.TRANSFER_SENT.data(budi_client))
    assert await status(world, pid) == "paid"
    assert await world.rows("SELECT lpj_due_on FROM proposals") == [
        ((dt.date(2026, 11, 28) + dt.timedelta(days=30)).isoformat(),)
    ]
    assert await world.rows("SELECT status, count(*), sum(amount) FROM transfers GROUP BY status") == [
        ("sent", 3, 4_500_000)
    ]
    await world.drain()
    paid = world.last(t.op)
    assert "USL-2026-0001" in paid.text and "Rp1.500.000" in paid.text and "Rp4.500.000" in paid.text

    # The group saw codes, counts and totals only — never a name, a NIK, an address or an account.
    group_texts = [text for m in world.emu.chat_messages(t.group) for text in (m.text or "", *m.edits)]
    group_texts += [e["text"] or "" for e in world.emu.transcript if e["chat_id"] == t.group.id]
    secrets = [x for client in CLIENTS for x in client] + ["123456789012345", "0123456789", "5550001112", "Joko"]
    leaks = [(s, text) for text in group_texts for s in secrets if s in text]
    assert leaks == []
    assert "Funds transferred" in card(world, t, pid).text or "Fajar" in card(world, t, pid).text
    assert datas(card(world, t, pid)) == {buttons.CARD_DETAIL.data(pid)}
    assert await world.rows("SELECT status, count(*) FROM outbox GROUP BY status") == [
        ("sent", (await world.rows("SELECT count(*) FROM outbox"))[0][0])
    ]


async def accounts_by_workbook(world, t, pid: int) -> None:
    """Siti fills the accounts workbook for all three clients."""
    await world.say(t.op, "/rekening")
    await press(world, t.op, buttons.ACCOUNTS_SHEET.data(pid))
    book = load_workbook(io.BytesIO(world.last(t.op).file_bytes()))
    numbers = {
        CLIENTS[0][1]: ("BRI", "123456789012345", CLIENTS[0][0]),
        CLIENTS[1][1]: ("BNI", "0123456789", CLIENTS[1][0]),
        CLIENTS[2][1]: ("Mandiri", "1234567890123", CLIENTS[2][0]),
    }
    for row in book.worksheets[0].iter_rows(min_row=2):
        if row[2].value in numbers:
            row[3].value, row[4].value, row[5].value = numbers[row[2].value]
    filled = io.BytesIO()
    book.save(filled)
    await world.emu.send_document(t.op, file_name="rekening.xlsx", content=filled.getvalue(), mime_type=XLSX)
    await world.emu.settle()
    assert await status(world, pid) == "accounts_submitted", world.last(t.op).text


def labels(message) -> list[str]:
    return [b.text for row in message.buttons for b in row]


async def set_ceiling(world, admin, text: str) -> str:
    """``/pagu …`` then ✅ under the figures read back; what the admin reads after."""
    await world.say(admin, text)
    await press(world, admin, buttons.CEILING_CONFIRM.data("y") + "|")
    return world.last(admin).text


async def sk_issued(world, t, pid: int) -> str:
    """Hana issues the SK from /sk: this proposal, the register's next number and today's date, confirmed.
    Returns the text of the /sk draft as it first read (its message is edited as she goes)."""
    first = (await world.say(t.head, "/sk"))[-1].text
    for data in ("p", "n", "r", "y"):
        await press(world, t.head, buttons.SK_DRAFT.data(data, pid) if data == "p" else buttons.SK_DRAFT.data(data))
    await world.drain()
    return first


async def spm_saved(world):
    """Siti's proposal decreed, its accounts verified, Fajar's SPP and SPM saved: (Fajar, proposal id)."""
    t = world.team = await team(world)
    fajar = await finance_officer(world)
    pid = await validated(world, t)
    await sk_issued(world, t, pid)
    await accounts_by_workbook(world, t, pid)
    await world.drain()
    await press(world, fajar, buttons.ACCOUNTS_REVIEW.data(pid))
    await press(world, fajar, buttons.ACCOUNTS_VERIFY_ALL.data(pid))
    assert await status(world, pid) == "accounts_verified"
    await world.drain()
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(pid))
    await world.say(fajar, "00123/SPP/XI/2026 28-11-2026")
    await world.say(fajar, f"{SPM} 28-11-2026")
    await press(world, fajar, buttons.PAYMENT_ORDERS_CONFIRMED.data(pid, "y"))
    return fajar, pid


def filled(template: bytes, *, amounts: dict[int, int] | None = None, total: int | None = None) -> bytes:
    """Every client marked sent on 28-11-2026; some amounts (by row) and the TOTAL row's amount changed."""
    book = load_workbook(io.BytesIO(template))
    ws = book.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "TOTAL":
            if total is not None:
                row[6].value = total
            continue
        row[7].value, row[8].value = "28-11-2026", "terkirim"
        if amounts and row[0].row in amounts:
            row[6].value = amounts[row[0].row]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SS01_ONE = ("Rina Wati", "3201014101900001", "Jl. Anggrek 5, Makassar")  # a client of nobody else


async def verified_at_ss01(world, t, fajar: EmuUser) -> int:
    """Another proposal, SS01's with one client of its own, through Tim PIC 2, an SK and its account
    verified by Fajar — by the services (the background of a story told in Fajar's chat)."""
    rudi, dian = world.emu.add_user("Rudi", last_name="Operator"), world.emu.add_user("Dian", last_name="Tim2")
    await world.enrol(rudi, Role.OPERATOR, ipwl="SS01")
    await world.enrol(dian, Role.PIC, team="TIM2")
    group2 = world.emu.add_group("Tim PIC 2", members=[t.citra, dian])
    admin = await world.services.onboarding.identify(9001, "Admin", private_chat=True, language="id")
    await world.services.onboarding.bind_group(admin, group2.id, "TIM2")
    who = await operator(world, rudi)
    state = await world.services.proposals.start(who)
    (row,) = client_inputs([SS01_ONE[:1] + ("3201014508900004",) + SS01_ONE[2:]])
    row = dataclasses.replace(row, nik=SS01_ONE[1], sex=Sex.FEMALE, birth_date=dt.date(1990, 1, 1))
    await world.services.proposals.add_clients(who, [row])
    await world.emu.send_document(rudi, file_name="surat-pengantar.pdf", content=PDF, mime_type="application/pdf")
    await world.emu.settle()
    pid = state.proposal.id
    await submit_with_consent(world.services, who, pid)
    await world.drain()
    citra, dian_who = await operator(world, t.citra), await operator(world, dian)
    for person, action in ((citra, Action.CLAIM), (citra, Action.VERIFY), (dian_who, Action.VALIDATE)):
        await world.services.reviews.act(person, pid, action)
        await world.drain()
    head = await operator(world, t.head)
    await world.services.decrees.start(head)
    await world.services.decrees.toggle(head, pid)
    await world.services.decrees.use_register(head)
    await world.services.decrees.issue(head)
    await world.drain()
    (client_id,) = await clients(world, pid)
    bank = find_bank("BRI")
    assert bank is not None
    await world.services.accounts.import_sheet(
        who, pid, [AccountInput(2, client_id, bank, "111122223333444", SS01_ONE[0])]
    )
    await world.drain()
    finance = await operator(world, fajar)
    shown = await world.services.accounts.review(finance, pid)
    await world.services.accounts.verify(finance, proposal_id=pid, shown=shown.submitted_revisions)
    await world.drain()
    assert await status(world, pid) == "accounts_verified"
    return pid


# --- the SK and the accounts, step by step (the staff decisions stories) ---------------------------------------


def sk_cards(world, user) -> list:
    """The SK drafts in the head's chat, oldest first."""
    return [m for m in world.emu.chat_messages(user) if m.text and ("SK baru" in m.text or "Draf SK" in m.text)]


async def decreed(world, t) -> int:
    pid = await validated(world, t)
    await sk_issued(world, t, pid)
    return pid


async def enter_account(world, op, client_id: int, bank: str, number: str, holder: str) -> list[str]:
    """Siti types one client's account; returns what the bot said along the way."""
    before = len(world.emu.chat_messages(op))
    await press(world, op, buttons.ACCOUNT_ENTER.data(client_id))
    await press(world, op, buttons.ACCOUNT_BANK.data(bank))
    await world.say(op, number)
    await world.say(op, holder)
    await press(world, op, buttons.ACCOUNT_SKIP_PASSBOOK.data())
    return [m.text for m in world.emu.chat_messages(op)[before:]] + [
        e for m in world.emu.chat_messages(op)[before:] for e in m.edits
    ]

"""The client-change stories' steps: pressing a button in a chat, a proposal ready for its transfers, a change
asked by Siti with its evidence, and the NIK corrected after payment (the change test tells it, the privacy and
at-rest scans replay it after the payment story)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from bot.domain.models import ProposalStatus
from handlers import buttons
from tests.helpers import pdf
from tests.scenarios.payment_cast import button, clients
from tests.scenarios.review_cast import tap
from tests.seeds import seed_proposal

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def press(world, user, chat, data: str):
    message, _ = button(world, chat, data)
    answer = await tap(world, user, message, data)
    assert not answer.show_alert, answer.text
    return answer


async def ready_for_transfers(world, pid: int) -> None:
    """What step (d) records before the transfers: verified accounts, the SPP/SPM and the SP2D."""
    async with world.storage.db.transaction() as conn:
        for (client_id,) in await conn.execute_fetchall("SELECT id FROM clients WHERE proposal_id = ?", (pid,)):
            await conn.execute(
                "INSERT INTO bank_accounts (client_id, bank_code, account_number, holder_name, status, updated_at)"
                " VALUES (?, '002', ?, 'X', 'verified', '2026-11-20T01:00:00+00:00')",
                (client_id, f"12345678901234{client_id}"),
            )
        await conn.execute(
            "INSERT INTO payments (proposal_id, spp_number, spp_date, spm_number, spm_date, recorded_by, created_at,"
            " sp2d_number, sp2d_date) SELECT ?, '00001/SPP/XI/2026', '2026-11-21', '00001/SPM/XI/2026', '2026-11-21',"
            " id, '2026-11-21T01:00:00+00:00', '261131302000001', '2026-11-22' FROM people ORDER BY id LIMIT 1",
            (pid,),
        )


async def waiting_for_transfers(world, count: int) -> tuple[int, str, list[int]]:
    """A seeded JB01 proposal of ``count`` clients, ready for its transfers: (its id, its code, its clients' ids
    in order)."""
    pid = await seed_proposal(world.services, ipwl="JB01", status=ProposalStatus.ACCOUNTS_VERIFIED, clients=count)
    await ready_for_transfers(world, pid)
    code = (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
    return pid, code, await clients(world, pid)


async def ask_change(world, siti, code: str, client_id: int, kind: str, reason: str) -> None:
    """Siti: /perubahan CODE, the client, the kind, the reason, then the evidence PDF."""
    replies = await world.say(siti, f"/perubahan {code}")
    assert "Perubahan data klien" in replies[-1].text, replies[-1].text
    await press(world, siti, siti, buttons.CHANGE_CLIENT.data(client_id))
    await press(world, siti, siti, buttons.CHANGE_KIND.data(client_id, kind))
    assert "alasan" in world.last(siti).text.lower()
    replies = await world.say(siti, reason)
    assert "bukti" in replies[-1].text.lower(), replies[-1].text
    await world.emu.send_document(
        siti, file_name="surat-keterangan.pdf", content=pdf("keterangan"), mime_type="application/pdf"
    )
    await world.emu.settle()
    await world.drain()
    assert "✅" in world.last(siti).text, world.last(siti).text


# A NIK corrected (re-checked against the year's other proposals by its blind index), and a request
# returned by the PIC with a reason: the privacy scans replay this after the payments story.
CORRECTED_NIK = "3201014508900005"


async def nik_corrected_after_payment(world) -> None:
    """After tests/scenarios/test_payments_flow's story: Siti asks to correct Siti Rahayu's NIK (the
    KTP photo's name names her), Andi returns a first request and verifies the second, Hana approves
    it in an SK perubahan; the corrected NIK is then the client's."""
    t = world.team
    code, pid = (await world.rows("SELECT code, id FROM proposals"))[0]
    first = (await world.rows("SELECT id FROM clients WHERE proposal_id = ? ORDER BY position", pid))[0][0]
    # Another client's NIK is refused as the correction (the same proposal would pay one person twice).
    await world.say(t.op, f"/perubahan {code}")
    await press(world, t.op, t.op, buttons.CHANGE_CLIENT.data(first))
    await press(world, t.op, t.op, buttons.CHANGE_KIND.data(first, "nik"))
    other_nik = (await world.rows("SELECT nik FROM clients WHERE proposal_id = ? ORDER BY position", pid))[1][0]
    replies = await world.say(t.op, other_nik)
    assert replies[-1].text.startswith("⚠️") and "klien lain" in replies[-1].text, replies[-1].text
    replies = await world.say(t.op, CORRECTED_NIK)
    assert CORRECTED_NIK in replies[-1].text and "alasan" in replies[-1].text.lower()
    await world.say(t.op, "NIK Siti Rahayu di KTP berbeda satu digit dengan data usulan")
    await world.emu.send_document(
        t.op, file_name="KTP Siti Rahayu.pdf", content=pdf("KTP Siti Rahayu"), mime_type="application/pdf"
    )
    await world.emu.settle()
    await world.drain()
    change_id = (await world.rows("SELECT max(id) FROM client_changes"))[0][0]
    card = next(m for m in reversed(world.emu.chat_messages(t.group)) if "Perubahan setelah SK" in (m.text or ""))
    assert "koreksi NIK" in card.text and CORRECTED_NIK not in card.text
    # Andi returns it: the reason is asked privately, and Siti is told why.
    await tap(world, t.andi, card, buttons.CHANGE_DETAIL.data(change_id))
    await press(world, t.andi, t.andi, buttons.CHANGE_DECISION.data(change_id, "return"))
    await world.say(t.andi, "Lampirkan foto KTP yang terbaca jelas")
    await world.drain()
    assert await world.rows("SELECT status, decision_reason FROM client_changes WHERE id = ?", change_id) == [
        ("returned", "Lampirkan foto KTP yang terbaca jelas")
    ]
    assert "Lampirkan foto KTP" in world.last(t.op).text and "/perubahan" in world.last(t.op).text
    # Siti asks again; Andi verifies; Hana approves with a typed number and date.
    await world.say(t.op, f"/perubahan {code}")
    await press(world, t.op, t.op, buttons.CHANGE_CLIENT.data(first))
    await press(world, t.op, t.op, buttons.CHANGE_KIND.data(first, "nik"))
    await world.say(t.op, CORRECTED_NIK)
    await world.say(t.op, "NIK Siti Rahayu di KTP berbeda satu digit dengan data usulan")
    await world.emu.send_document(
        t.op, file_name="KTP Siti Rahayu jelas.pdf", content=pdf("KTP jelas"), mime_type="application/pdf"
    )
    await world.emu.settle()
    await world.drain()
    change_id = await change_verified(world, t)
    await world.say(t.head, "/skperubahan")
    replies = await world.say(t.head, "SK-020/BRSKPN-GP/XI/2026 28-11-2026")
    assert "SK-020/BRSKPN-GP/XI/2026" in replies[-1].text
    await press(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
    await world.drain()
    assert await world.rows("SELECT nik FROM clients WHERE id = ?", first) == [(CORRECTED_NIK,)]
    assert await world.rows("SELECT status, old_value, new_value FROM client_changes WHERE id = ?", change_id) == [
        ("approved", CLIENT_NIK, CORRECTED_NIK)
    ]
    assert "correct_nik" in [r[0] for r in await world.rows("SELECT action FROM audit_events")]


CLIENT_NIK = "3201014508900004"  # Siti Rahayu's NIK in tests/scenarios/review_cast.CLIENTS


async def change_verified(world, t) -> int:
    """The latest change asked for: Andi opens it from the group card and verifies it; returns the change's id."""
    change_id = (await world.rows("SELECT max(id) FROM client_changes"))[0][0]
    card = next(m for m in reversed(world.emu.chat_messages(t.group)) if "Perubahan setelah SK" in (m.text or ""))
    await tap(world, t.andi, card, buttons.CHANGE_DETAIL.data(change_id))
    await press(world, t.andi, t.andi, buttons.CHANGE_DECISION.data(change_id, "verify"))
    return change_id


async def verified_and_approved(world, t) -> int:
    """The latest change asked for: Andi opens it from the group card and verifies it, Hana issues
    the SK perubahan; returns the change's id."""
    change_id = await change_verified(world, t)
    await world.say(t.head, "/skperubahan")
    await press(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
    await world.drain()
    return change_id


async def refund_recorded(world, fajar, refund_id: int, amount_and_day: str, *, reference: str | None = None) -> None:
    """Fajar (finance) records money of a refund case as back from /bayar's button: the amount and
    its day, then the proof — a reference number typed, or (no reference) a deposit slip's PDF — and ✅."""
    await press(world, fajar, fajar, buttons.REFUND_SETTLE.data(refund_id))
    replies = await world.say(fajar, amount_and_day)
    assert not replies[-1].text.startswith("⚠️"), replies[-1].text
    if reference is not None:
        await world.say(fajar, reference)
    else:
        await world.emu.send_document(
            fajar, file_name="bukti setoran.pdf", content=pdf("bukti setoran"), mime_type="application/pdf"
        )
        await world.emu.settle()
    await press(world, fajar, fajar, buttons.REFUND_CONFIRM.data(refund_id))
    await world.drain()


def refund_sheet(content: bytes) -> list[tuple]:
    """The rows of the monthly report's refunds sheet (Indonesian), days as dates."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    # (openpyxl reads a date cell back as a naive midnight datetime: the day is what was written)
    return [
        tuple(v.date() if isinstance(v, dt.datetime) else v for v in r)
        for r in book["Pengembalian dana"].iter_rows(values_only=True)
    ]


def every_cell(content: bytes) -> str:
    """Every cell of every sheet of a workbook, as text (to look for what must not be there)."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v is not None
    )

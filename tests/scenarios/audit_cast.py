"""Steps of the audit-trail scenarios (tests/scenarios/test_audit_trail.py): a proposal with a known history
seeded, an export asked for in the chat, and a sheet of an exported workbook read back."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from storage.db import to_db_time
from tests.report_seed import CHAIN, STEPS_DONE, SeedClient, SeedProposal, seed_program
from tests.scenarios.admin_cast import tap
from tests.scenarios.conftest import World

CODE = "USL-2026-0300"
ERASED = "USL-2026-0301"
START = dt.datetime(2026, 11, 2, 2, 0, 7, tzinfo=dt.UTC)  # 2 Nov 2026 09.00.07 WIB


async def _seed(world: World, others: list[SeedProposal] | None = None) -> tuple[int, str]:
    events = [
        (action, START + dt.timedelta(hours=6 * i))
        for i, action in enumerate(CHAIN[: STEPS_DONE["paid"]])  # submitted … payment recorded
    ]
    withdrawn = SeedProposal(
        ERASED,
        "JB01",
        "withdrawn",
        2026,
        [SeedClient("3201014508900077", [400_000])],
        [("submit", START), ("withdraw", START + dt.timedelta(hours=1))],
    )
    await seed_program(
        world.storage,
        [
            SeedProposal(
                CODE,
                "JB01",
                "paid",
                2026,
                [
                    SeedClient("3201014508900004", [500_000]),
                    SeedClient("3201014508900005", [750_000], ("sent", 750_000)),
                ],
                events,
            ),
            withdrawn,
            *(others or []),
        ],
    )
    client_id = (
        await world.rows(
            "SELECT c.id FROM clients c JOIN proposals p ON p.id = c.proposal_id WHERE p.code = ? AND c.position = 2",
            CODE,
        )
    )[0][0]
    # As PaymentService records them: the transfer failed, the operator sent a new account, it went through;
    # and a PIC of another team tried to take the proposal.
    failed, retried = START + dt.timedelta(days=3, seconds=42), START + dt.timedelta(days=4, seconds=5)
    async with world.storage.db.transaction() as conn:
        for at, entity, entity_id, action, frm, to, reason in (
            (failed, "client", str(client_id), "transfer", "pending", "failed", "Rekening tidak aktif"),
            (failed + dt.timedelta(hours=5), "client", str(client_id), "submit_account", None, "submitted", CODE),
            (retried, "client", str(client_id), "transfer", "failed", "sent", f"{CODE} 750000"),
            (START + dt.timedelta(minutes=3), "proposal", CODE, "denied", None, None, "claim: out_of_scope"),
            (START + dt.timedelta(minutes=4), "proposal", CODE, "view_detail", None, None, None),
        ):
            await conn.execute(
                "INSERT INTO audit_events (at, actor_id, actor_role, entity, entity_id, action, from_status, to_status,"
                " reason) VALUES (?, (SELECT id FROM people WHERE telegram_user_id = 777), 'pic', ?, ?, ?, ?, ?, ?)",
                (to_db_time(at), entity, entity_id, action, frm, to, reason),
            )
    return client_id, "3201014508900077"


async def _export(world: World, user, kind_label: str, *, full: bool | None = None):
    menu = (await world.say(user, "/ekspor"))[-1]
    await tap(world, user, menu, kind_label)
    if full is not None:
        await tap(world, user, world.last(user), "Lengkap" if full else "Disamarkan")
    before = len(world.emu.chat_messages(user))
    await tap(world, user, world.last(user), "Tahun ini")
    await world.emu.wait_for(lambda: any(m.document for m in world.emu.chat_messages(user)[before:]), timeout=15)
    return next(m for m in world.emu.chat_messages(user)[before:] if m.document)


def _sheet(content: bytes, index: int = 0) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(r) for r in book.worksheets[index].iter_rows(values_only=True)]

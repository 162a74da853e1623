"""Helpers of the fuzz tests (tests/fuzz): the desk the conversations run on, how one input is tried and
judged, and the damaged files and look-ups the parser and text-input stories share."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.lpj_intake import Reply as LpjReply
from bot.domain.models import Role
from bot.domain.regions import RegionsCatalog, load_regions
from bot.domain.validation import ValidationError
from bot.domain.workflow import WorkflowError
from bot.files.client_sheet import ClientInput, parse_client_sheet
from bot.files.problems import ImportRejected
from bot.services import Identity, ServiceError, Services
from storage.unit import Storage
from tests.conftest import SHARED, START
from tests.fuzz.conftest import assert_clear, assert_clear_refusal
from tests.helpers import enrol, seed_registry

REFUSALS = (ValidationError, ServiceError, WorkflowError)


class Desk:
    """A database with people and items in every state, and the event loop that drives them."""

    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.settings = Settings.model_validate(
            {
                "storage": {"database": str(tmp / "fuzz.sqlite3"), "files_dir": str(tmp / "files")},
                "regions": {"regencies_file": str(SHARED / "wilayah" / "regencies.csv")},
            }
        )
        self.run(self._open())

    def run(self, coro: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(coro)

    async def _open(self) -> None:
        from bot.domain.regions import load_regions

        self.storage = await Storage.open(self.settings.storage.database)
        self.services = Services(
            self.storage, ManualClock(START), self.settings, regions=load_regions(SHARED / "wilayah" / "regencies.csv")
        )
        s = self.services
        await seed_registry(s)
        self.op = await enrol(s, 101, "Siti Operator", Role.OPERATOR, ipwl="JB01")
        self.pic = await enrol(s, 102, "Andi PIC", Role.PIC, team="TIM1")
        self.head = await enrol(s, 103, "Hana Kepala", Role.HEAD)
        self.fin = await enrol(s, 104, "Fajar Keuangan", Role.FINANCE)
        self.admin = await enrol(s, 105, "Rina Admin", Role.ADMIN)
        self.op2 = await enrol(s, 106, "Dewi Operator", Role.OPERATOR, ipwl="JB02")

    async def fingerprint(self) -> dict[str, list[tuple]]:
        async with self.storage.reading() as uow:
            conn = uow.proposals._conn
            tables = [
                r[0]
                for r in await conn.execute_fetchall(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    " AND name != 'processed_updates' ORDER BY name"
                )
            ]
            return {
                t: [tuple(r) for r in await conn.execute_fetchall(f"SELECT * FROM {t} ORDER BY rowid")] for t in tables
            }

    async def sql(self, statement: str, *params: object) -> None:
        async with self.storage.db.transaction() as conn:
            await conn.execute(statement, params)

    async def conversation_row(self, who: Identity) -> tuple:
        async with self.storage.reading() as uow:
            rows = await uow.proposals._conn.execute_fetchall(
                "SELECT kind, entity_id, state FROM conversations WHERE person_id = ?", (who.person.id,)
            )
        return tuple(rows[0]) if rows else ()

    async def restore_conversation(self, who: Identity, row: tuple) -> None:
        await self.sql(
            "INSERT INTO conversations (person_id, kind, entity_id, state, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (person_id) DO UPDATE SET kind = excluded.kind, entity_id = excluded.entity_id,"
            " state = excluded.state",
            who.person.id,
            *row,
            "2026-11-28T02:00:00.000000Z",
        )

    def close(self) -> None:
        self.run(self.storage.close())
        self.loop.close()


def attempt(desk: Desk, call: Callable[[], Awaitable[Any]]) -> bool:
    """Run one input; True if applied. A refusal must be clear and leave every table unchanged."""
    before = desk.run(desk.fingerprint())
    try:
        desk.run(call())
    except REFUSALS as error:
        assert_clear_refusal(error)
        after = desk.run(desk.fingerprint())
        changed = {t for t in after if after[t] != before.get(t)}
        assert not changed, f"a refused input changed {changed}"
        return False
    return True


async def _cursor(desk: Desk) -> str:
    async with desk.storage.reading() as uow:
        return await uow.proposals.cursor_of(desk.draft)


async def _ids(desk: Desk, sql: str, *params: object) -> list[int]:
    async with desk.storage.reading() as uow:
        return [r[0] for r in await uow.proposals._conn.execute_fetchall(sql, params)]


def _answer(desk: Desk, name: str, text: str, choice: str | None) -> Callable[[], Awaitable[Any]]:
    s = desk.services
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "account number": lambda: s.accounts.answer(desk.op, text),
        "account holder": lambda: s.accounts.answer(desk.op, text),
        "payment SPP": lambda: s.payments.answer(desk.fin, text),
        "payment SPM": lambda: s.payments.answer(desk.fin, text),
        "return reasons": lambda: s.reviews.reason_text(desk.pic, text),
        "SK number and date": lambda: s.decrees.number_text(desk.head, text),
        "add an IPWL": lambda: s.registry.answer_ipwl(desk.admin, text),
        "broadcast text": lambda: s.broadcasts.draft(desk.admin, text),
        "LPJ answer": lambda: s.lpj.answer(desk.op2, LpjReply(text=text if choice is None else None, choice=choice)),
    }
    return calls[name]


async def _cursor_of(desk: Desk, proposal_id: int) -> str:
    async with desk.storage.reading() as uow:
        return await uow.proposals.cursor_of(proposal_id)


TODAY = dt.date(2026, 11, 28)
CEILINGS = {str(n): 5_000_000 for n in range(1, 8)}


def _fill(template: bytes, sheet: int, cells: list[tuple[int, int, Any]]) -> bytes:
    book = load_workbook(io.BytesIO(template))
    ws = book.worksheets[sheet]
    for row, column, value in cells:
        ws.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _damage(data: bytes, seed: int, cut: int) -> bytes:
    damaged = bytearray(data)
    at = (seed * 7919) % len(damaged)
    damaged[at : at + cut % 64] = bytes((seed + k) % 256 for k in range(cut % 64))
    return bytes(damaged[: max(cut * 3, len(damaged) - cut)])


def read_or_refuse(parse, data: bytes) -> Any:
    try:
        return parse(data)
    except ImportRejected as rejected:
        assert_clear_refusal(rejected)
        assert all(p.row >= 0 for p in rejected.problems)
        return None
    except ValidationError as error:  # a parser may refuse one value outright
        assert_clear_refusal(error)
        return None


def _client_list(data: bytes, name: str = "klien.xlsx") -> list[ClientInput]:
    return parse_client_sheet(data, name, today=TODAY, unit_cost_ceilings=CEILINGS, max_rows=50)


@functools.cache
def _regions() -> RegionsCatalog:
    """The admin's regions file (Kemendagri regencies), so region answers are checked for real."""
    return load_regions(SHARED / "wilayah" / "regencies.csv")


def refused_clearly(call: Callable[[], object]) -> object | None:
    try:
        return call()
    except ValidationError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.severity == "block"
            assert_clear(problem.message, problem.params)
        return None

"""LPJ contents for the LPJ rule, sheet and fuzz tests: two clients with their budget lines, the dates, and an
LPJ complete but for what a test overrides."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.lpj_intake import (
    Evidence,
    EvidenceKind,
    LpjContent,
    LpjContext,
    LpjRules,
    Realization,
    ServicePeriod,
)
from bot.domain.models import BudgetLine, Client, Component
from bot.files.lpj_sheet import LpjSheet, build_lpj_template, parse_lpj_sheet

TODAY = dt.date(2026, 12, 10)
EARLIEST = dt.date(2026, 11, 1)
C1, C3 = Component.LIVING_NEEDS, Component.FAMILY


def client(cid: int, position: int, *lines: tuple[int, int]) -> Client:
    """A client with budget lines given as (line id, total)."""
    budget = tuple(BudgetLine(lid, cid, C1, f"item {lid}", 1, total) for lid, total in lines)
    return Client(
        cid, 1, position, f"Client {position}", f"32010145089000{position:02d}", components=(C1, C3), budget=budget
    )


CLIENTS = (client(1, 1, (11, 1_500_000), (12, 500_000)), client(2, 2, (21, 1_500_000)))


def ctx(**content: object) -> LpjContext:
    return LpjContext(TODAY, LpjContent(CLIENTS, **content), EARLIEST, LpjRules())


def served(*client_ids: int) -> dict[int, tuple[ServicePeriod, ...]]:
    return {cid: (ServicePeriod(cid, C1, EARLIEST, TODAY),) for cid in client_ids}


def receipt(eid: int, amount: int | None, stamped: bool | None = None) -> Evidence:
    return Evidence(eid, EvidenceKind.RECEIPT, eid, "k.pdf", 1, amount, stamped)


def complete(**overrides: object) -> LpjContent:
    base: dict[str, object] = {
        "services": served(1, 2),
        "realizations": {11: Realization(11, 1_500_000), 12: Realization(12, 500_000), 21: Realization(21, 1_500_000)},
        "evidence": (
            receipt(1, 3_500_000),
            Evidence(2, EvidenceKind.PHOTO, 2, "f.jpg", 1),
            Evidence(3, EvidenceKind.BAST, 3, "b.pdf", 1),
        ),
    }
    return LpjContent(CLIENTS, **{**base, **overrides})


# --------------------------------------------------------------------------------------------
# The LPJ workbook

CONTENT = LpjContent(CLIENTS)


def filled(edit: Callable[[Worksheet, Worksheet], None]) -> bytes:
    """The template with ``edit(realization_sheet, services_sheet)`` applied, saved again."""
    wb = load_workbook(io.BytesIO(build_lpj_template(CONTENT, "USL-2026-0001")))
    edit(wb["Realisasi"], wb["Layanan"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def fill_all(real: Worksheet, services: Worksheet) -> None:
    """Every budget line spent exactly as planned, every client served all November."""
    for row in real.iter_rows(min_row=2):
        row[6].value = row[5].value
    for row in services.iter_rows(min_row=2):
        row[4].value, row[5].value = "01-11-2026", "30-11-2026"


def parse_sheet(data: bytes) -> LpjSheet:
    """The LPJ workbook read against CONTENT on the test day."""
    return parse_lpj_sheet(data, CONTENT, today=TODAY, earliest=EARLIEST)

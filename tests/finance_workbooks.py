"""The finance workbooks as finance and operators fill them (tests/test_finance_sheets.py): two clients, the
payment order's totals, and the template with cells or its TOTAL row changed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from bot.files.finance_sheets import OrderTotals, SheetClient
from bot.files.problems import ImportRejected

TODAY = dt.date(2026, 11, 28)
CLIENTS = [
    SheetClient(11, 1, "Siti Rahayu", "3201014508900004", 1_500_000),
    SheetClient(12, 2, "Budi Santoso", "3201011203850002", 1_500_000, "bni", "0123456789", "Budi Santoso"),
]


def fill(template: bytes, rows: dict[str, list[object]], first_column: int = 3) -> bytes:
    """Write values from column ``first_column`` (1-based) on the row of each NIK."""
    book = load_workbook(io.BytesIO(template))
    ws = book.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        values = rows.get(row[2].value)
        for offset, value in enumerate(values or []):
            row[first_column + offset].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ORDER = OrderTotals("00456/SPM/XI/2026", 2, 3_000_000)


def problems_in(rejected: pytest.ExceptionInfo[ImportRejected]) -> list[tuple[int, str]]:
    """Each problem of a refused sheet as (row, the message in English)."""
    return [(p.row, p.message.format(**p.params)) for p in rejected.value.problems]


def with_total(template: bytes, *, rows: object = None, amount: object = None, drop: bool = False) -> bytes:
    """The transfers list with its TOTAL row changed (or dropped), as someone might save it."""
    book = load_workbook(io.BytesIO(template))
    ws = book.worksheets[0]
    total = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "TOTAL")
    if drop:
        ws.delete_rows(total[0].row)
    else:
        total[1].value = rows if rows is not None else total[1].value
        total[6].value = amount if amount is not None else total[6].value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

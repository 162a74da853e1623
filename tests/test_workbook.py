"""Every workbook reader opens uploads the same hardened way (bot/files/workbook.py).

The client list, the LPJ, the accounts and the transfers workbooks each refuse, with their own
wording: a workbook that inflates past the one cap, a truncated archive, garbage, an old .xls and
a Word document — before openpyxl parses a single sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from bot.domain.lpj_intake import LpjContent
from bot.files import workbook
from bot.files.client_sheet import build_template, parse_client_sheet
from bot.files.finance_sheets import parse_accounts_sheet, parse_transfers_sheet
from bot.files.lpj_sheet import parse_lpj_sheet
from tests.helpers import docx, first_refusal

TODAY = dt.date(2026, 11, 28)
NOTHING = LpjContent(())

# Every reader gets the same honest workbook (the client template): each must refuse it when it
# inflates past the cap, whatever sheets it holds, because the check comes before any sheet is read.
READERS: dict[str, Callable[[bytes], object]] = {
    "client list": lambda data: parse_client_sheet(data, "klien.xlsx", today=TODAY, unit_cost_ceilings={}),
    "LPJ": lambda data: parse_lpj_sheet(data, NOTHING, today=TODAY, earliest=dt.date(2026, 1, 1)),
    "accounts": lambda data: parse_accounts_sheet(data, []),
    "transfers": lambda data: parse_transfers_sheet(data, [], today=TODAY),
}


@pytest.mark.parametrize("kind", READERS)
def test_a_workbook_that_inflates_past_the_cap_is_refused_unopened(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    read = READERS[kind]
    data = build_template("id")
    monkeypatch.setattr(workbook, "MAX_UNCOMPRESSED", 1_000)
    opened: list[bytes] = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(b"x"))
    message = first_refusal(read, data)
    assert "large" in message or "more than" in message, message
    assert opened == []  # refused before openpyxl saw it


@pytest.mark.parametrize("kind", READERS)
@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: b"\x00garbage" * 50,
        lambda data: workbook.OLE_MAGIC + b"\x00" * 600,
        lambda data: docx(),
    ],
    ids=["truncated", "garbage", "old xls", "word document"],
)
def test_a_damaged_or_foreign_file_is_refused_with_a_message(kind: str, damage: Callable[[bytes], bytes]) -> None:
    message = first_refusal(READERS[kind], damage(build_template("id")))
    assert message  # a msgid the reader words for its own file, never an exception text
    assert "Traceback" not in message

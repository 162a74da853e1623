"""The IPWL registry as a CSV file (``atensi-bot admin import-ipwl``, ``/ipwl`` upload): all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

from bot.domain.records import NewIpwl
from bot.domain.regions import is_known_province_code
from bot.domain.validation import ValidationError, parse_date
from bot.files.problems import ImportProblem, ImportRejected
from bot.i18n import N_

IPWL_COLUMNS = (
    "code",
    "name",
    "province_code",
    "regency",
    "address",
    "pks_number",
    "pks_valid_from",
    "pks_valid_until",
    "team",
)
MAX_ROWS = 5000


@dataclass(frozen=True)
class IpwlRow:
    """One row of the file: the IPWL as it will be created (no team yet) and its team's code."""

    row: int
    ipwl: NewIpwl
    team_code: str


def parse_ipwl_csv(data: bytes, *, today: dt.date) -> list[IpwlRow]:
    """Parse the IPWL registry CSV (UTF-8, header ``code,name,province_code,…,team``)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([ImportProblem(0, N_("the file is not UTF-8 text (save it as CSV UTF-8)"))]) from None
    try:
        return _ipwl_rows(csv.reader(io.StringIO(text, newline="")), today)
    except csv.Error:  # e.g. a field longer than the csv module reads (a runaway quote)
        raise ImportRejected(
            [ImportProblem(0, N_("the file is not a readable CSV: a field is far too long or a quote is never closed"))]
        ) from None


def _ipwl_rows(reader: Iterator[list[str]], today: dt.date) -> list[IpwlRow]:
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in IPWL_COLUMNS if c not in header]
    if missing:
        raise ImportRejected(
            [
                ImportProblem(
                    1,
                    N_("missing columns: {columns} (expected: {expected})"),
                    {"columns": ", ".join(missing), "expected": ",".join(IPWL_COLUMNS)},
                )
            ]
        )
    index = {name: header.index(name) for name in IPWL_COLUMNS}
    problems: list[ImportProblem] = []
    rows: list[IpwlRow] = []
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(ImportProblem(number, N_("too many rows (at most {max})"), {"max": MAX_ROWS}))
            break
        cells = {name: (record[i].strip() if i < len(record) else "") for name, i in index.items()}
        before = len(problems)
        if not cells["code"] or len(cells["code"]) > 20:
            problems.append(ImportProblem(number, N_("code must be 1–20 characters")))
        if not cells["name"] or len(cells["name"]) > 200:
            problems.append(ImportProblem(number, N_("name must be 1–200 characters")))
        if not is_known_province_code(cells["province_code"]):
            problems.append(
                ImportProblem(
                    number,
                    N_("unknown province code {code} (e.g. 32 for Jawa Barat)"),
                    {"code": cells["province_code"][:10]},
                )
            )
        dates: dict[str, dt.date | None] = {}
        for key in ("pks_valid_from", "pks_valid_until"):
            dates[key] = None
            if cells[key]:
                try:
                    dates[key] = parse_date(cells[key], today=today, allow_future=True, field=key)
                except ValidationError:
                    problems.append(ImportProblem(number, N_("not a date (write e.g. 2025-01-31)"), {"column": key}))
        if dates["pks_valid_from"] and dates["pks_valid_until"] and dates["pks_valid_until"] < dates["pks_valid_from"]:
            problems.append(ImportProblem(number, N_("the PKS ends before it starts")))
        if len(problems) == before:
            rows.append(
                IpwlRow(
                    number,
                    NewIpwl(
                        cells["code"],
                        cells["name"],
                        cells["province_code"],
                        cells["regency"],
                        cells["address"],
                        cells["pks_number"],
                        dates["pks_valid_from"],
                        dates["pks_valid_until"],
                        team_id=None,
                    ),
                    cells["team"],
                )
            )
    if problems:
        raise ImportRejected(problems)
    if not rows:
        raise ImportRejected([ImportProblem(2, N_("the file has no data rows"))])
    return rows

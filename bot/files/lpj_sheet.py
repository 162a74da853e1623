"""The LPJ workbook: a template with one row per budget line (and per client service), and its parser.

For a proposal with many clients the operator downloads :func:`build_lpj_template`, fills the
money actually spent on every budget line (sheet "Realisasi") and the first and last day each
client was served (sheet "Layanan"), and sends the file back. :func:`parse_lpj_sheet` reads it all
or nothing: it returns every row, or raises :class:`~bot.files.ipwl_csv.ImportRejected` with every
problem by sheet and row number — a half-applied realization never exists.

Rows are matched by the ids in the first column, never by names, so reordering or sorting the
rows in Excel is harmless. Headers are recognised in Indonesian and English whatever the
operator's language. Pure: no Telegram, no storage; openpyxl only.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.lpj_intake import LpjContent, Realization, ServicePeriod, needs_note, variance
from bot.domain.models import Component
from bot.domain.validation import Problem, ValidationError, parse_date, parse_free_text, parse_money
from bot.files.problems import ImportProblem, ImportRejected
from bot.files.workbook import Refusal, WorkbookRefused, first_sheet, looks_like_xlsx, open_workbook, sheet_names
from bot.i18n import N_, format_money

TEMPLATE_FILE_NAME = "templat-lpj-{code}.xlsx"
MAX_ROWS = 20_000

REALIZATION_SHEETS = {"id": "Realisasi", "en": "Realization"}
SERVICE_SHEETS = {"id": "Layanan", "en": "Services"}
_INSTRUCTION_SHEETS = {"id": "Petunjuk", "en": "Instructions"}

# (key, Indonesian header, English header): headers are data, recognised in both languages.
_REALIZATION_COLUMNS = (
    ("line_id", "ID baris", "Line ID"),
    ("number", "No", "No"),
    ("client", "Klien", "Client"),
    ("component", "Komponen", "Component"),
    ("description", "Uraian", "Item"),
    ("budget", "RAB (Rp)", "Budget (Rp)"),
    ("amount", "Realisasi (Rp)", "Spent (Rp)"),
    ("note", "Catatan", "Note"),
)
_SERVICE_COLUMNS = (
    ("client_id", "ID klien", "Client ID"),
    ("number", "No", "No"),
    ("client", "Klien", "Client"),
    ("component", "Komponen", "Component"),
    ("served_from", "Mulai", "From"),
    ("served_to", "Selesai", "To"),
)

_NOT_XLSX = N_("The file could not be opened as an Excel workbook. Save it as .xlsx and send it again.")
_NO_SHEET = N_("The workbook has no sheet {sheet}. Use the template from the LPJ review.")
_NO_COLUMN = N_("Column {column} is missing from sheet {sheet}. Use the template from the LPJ review.")
_TOO_MANY = N_("The workbook has more than {maximum} rows.")
_UNKNOWN_LINE = N_("{value} is not a budget line ID of this proposal.")
_TWICE_LINE = N_("budget line {number} appears more than once.")
_EMPTY_AMOUNT = N_("the realization is empty; type 0 if nothing was spent.")
_FRACTION = N_("An amount in rupiah cannot have a fraction of a rupiah, e.g. {example}.")
_ABOVE_NO_NOTE = N_("{amount} is {excess} above the RAB of {budget}: write why in the Note column.")
_UNKNOWN_CLIENT = N_("{value} is not a client ID of this proposal.")
_BAD_COMPONENT = N_("the component must be a number from 1 to 7.")
_HALF_DATES = N_("fill in both the first and the last day, or neither.")
_DATES_REVERSED = N_("the last day is before the first day.")
_TWICE_SERVICE = N_("client {number} has component {component} more than once.")


@dataclass(frozen=True)
class LpjSheet:
    realizations: tuple[Realization, ...]
    services: tuple[ServicePeriod, ...]


def template_name(code: str) -> str:
    return TEMPLATE_FILE_NAME.format(code=re.sub(r"[^A-Za-z0-9-]+", "-", code))


# --- the template -----------------------------------------------------------------------------------


def build_lpj_template(content: LpjContent, code: str, locale: str = "id") -> bytes:
    """The workbook for one proposal, prefilled with what was reported so far."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    lang = "en" if locale == "en" else "id"
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="EEEEEE")
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = REALIZATION_SHEETS[lang]
    ws.append([col[2 if lang == "en" else 1] for col in _REALIZATION_COLUMNS])
    for n in content.lines:
        done = content.realizations.get(n.line.id)
        ws.append(
            [
                n.line.id,
                n.number,
                f"{n.client.position}. {n.client.full_name}",
                n.line.component.value,
                n.line.description,
                n.line.total,
                done.amount if done else None,
                done.note if done else None,
            ]
        )
    _style(ws, bold, grey, widths=(9, 5, 28, 10, 32, 14, 16, 40), locked=(1, 2, 3, 4, 5, 6))

    services = wb.create_sheet(SERVICE_SHEETS[lang])
    services.append([col[2 if lang == "en" else 1] for col in _SERVICE_COLUMNS])
    for client in content.clients:
        reported = {p.component: p for p in content.services.get(client.id, ())}
        for component in sorted(set(client.components) | set(reported)):
            period = reported.get(component)
            services.append(
                [
                    client.id,
                    client.position,
                    client.full_name,
                    component.value,
                    _date_text(period.served_from) if period else None,
                    _date_text(period.served_to) if period else None,
                ]
            )
    _style(services, bold, grey, widths=(9, 5, 28, 10, 14, 14), locked=(1, 2, 3))
    for column in ("E", "F"):
        for cell in services[column][1:]:
            cell.number_format = "@"  # keep DD-MM-YYYY as typed, never a US date

    notes = wb.create_sheet(_INSTRUCTION_SHEETS[lang])
    for line in _instructions(lang):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _style(ws: Any, bold: Any, grey: Any, *, widths: Sequence[int], locked: Sequence[int]) -> None:
    for cell in ws[1]:
        cell.font = bold
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + index)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.column in locked:
                cell.fill = grey  # grey = given by the proposal, do not change
    ws.freeze_panes = "A2"


def _instructions(lang: str) -> Iterator[str]:
    if lang == "en":
        yield "LPJ workbook: fill in the white columns and send the file back to the bot while the LPJ is open (/lpj)."
        yield "Realization: one row per budget line. 'Spent (Rp)' is the money actually spent (0 if nothing)."
        yield "If you spent more than the budget (RAB), explain why in 'Note'."
        yield "Services: the first and the last day each client received each component, as DD-MM-YYYY."
        yield "Do not change the grey columns; rows are matched by their ID, so sorting is fine."
        yield "The file is accepted whole or not at all: the bot lists every row to fix."
    else:
        yield "Buku kerja LPJ: isi kolom putih lalu kirim kembali file ini ke bot selama LPJ terbuka (/lpj)."
        yield (
            "Realisasi: satu baris per baris RAB. 'Realisasi (Rp)' adalah uang yang benar-benar dibelanjakan "
            "(0 bila tidak ada)."
        )
        yield "Bila belanja melebihi RAB, jelaskan alasannya di kolom 'Catatan'."
        yield "Layanan: hari pertama dan terakhir setiap klien menerima setiap komponen, dengan format DD-MM-YYYY."
        yield "Jangan mengubah kolom abu-abu; baris dicocokkan dengan ID-nya, jadi boleh diurutkan."
        yield "File diterima utuh atau ditolak seluruhnya: bot menyebutkan setiap baris yang perlu diperbaiki."


def _date_text(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


# --- reading -----------------------------------------------------------------------------------------


def _fold(text: object) -> str:
    return " ".join(str(text or "").casefold().split())


def is_lpj_workbook(data: bytes) -> bool:
    """An XLSX with a realization sheet (anything else sent during the LPJ is evidence)."""
    if not looks_like_xlsx(data):
        return False
    try:
        names = {_fold(n) for n in sheet_names(data)}
    except WorkbookRefused:
        return False
    return bool(names & {_fold(n) for n in REALIZATION_SHEETS.values()})


def _rows(
    ws: Any, columns: Sequence[tuple[str, str, str]], sheet: str, problems: list[ImportProblem], required: Sequence[str]
) -> Iterator[tuple[int, dict[str, object]]]:
    """(row number, {key: value}) for each non-blank row, after finding the header on row 1."""
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    by_header = {_fold(h): key for key, *names in columns for h in names}
    index = {by_header[_fold(v)]: i for i, v in enumerate(header) if _fold(v) in by_header}
    missing = [next(n for k, n, _ in columns if k == key) for key in required if key not in index]
    if missing:
        problems.append(ImportProblem(1, _NO_COLUMN, {"column": missing[0], "sheet": sheet}))
        return
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            problems.append(ImportProblem(number, _TOO_MANY, {"maximum": MAX_ROWS, "sheet": sheet}))
            return
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        yield number, {key: values[i] if i < len(values) else None for key, i in index.items()}


def _int_cell(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _money_cell(value: object, field: str) -> int:
    """A number cell (Excel stores whole amounts as floats) or typed text like "1.500.000"."""
    if isinstance(value, float) and not isinstance(value, bool):
        if not value.is_integer():
            raise ValidationError(Problem(_FRACTION, {"example": "1.500.000"}))
        value = int(value)
    return parse_money(str(value), field=field, minimum=0)


def _date_cell(value: object, *, today: dt.date, earliest: dt.date, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        value = _date_text(value)  # through the same checks as a typed date
    return parse_date(str(value), today=today, field=field, earliest=earliest)


def _blank(value: object) -> bool:
    return value is None or str(value).strip() == ""


def _problem(problems: list[ImportProblem], row: int, sheet: str, column: str, error: ValidationError) -> None:
    for p in error.problems:
        problems.append(ImportProblem(row, p.message, {**p.params, "sheet": sheet, "column": column}))


def parse_lpj_sheet(data: bytes, content: LpjContent, *, today: dt.date, earliest: dt.date) -> LpjSheet:
    """Every realization and service row of the workbook, or ImportRejected with every problem."""
    try:
        names = sheet_names(data)
        with open_workbook(data) as wb:
            folded = {_fold(n): n for n in names}
            real_name = next((folded[_fold(n)] for n in REALIZATION_SHEETS.values() if _fold(n) in folded), None)
            if real_name is None:
                raise ImportRejected([ImportProblem(0, _NO_SHEET, {"sheet": REALIZATION_SHEETS["id"]})])
            problems: list[ImportProblem] = []
            realizations = _read_realizations(wb[real_name], real_name, content, problems)
            service_name = next((folded[_fold(n)] for n in SERVICE_SHEETS.values() if _fold(n) in folded), None)
            services = (
                _read_services(wb[service_name], service_name, content, today, earliest, problems)
                if service_name
                else []
            )
    except WorkbookRefused as refused:
        if refused.refusal is Refusal.TOO_BIG:
            raise ImportRejected([ImportProblem(0, _TOO_MANY, {"maximum": MAX_ROWS})]) from None
        raise ImportRejected([ImportProblem(0, _NOT_XLSX)]) from None
    if problems:
        raise ImportRejected(problems)
    return LpjSheet(tuple(realizations), tuple(services))


def _read_realizations(ws: Any, sheet: str, content: LpjContent, problems: list[ImportProblem]) -> list[Realization]:
    lines = {n.line.id: n for n in content.lines}
    seen: set[int] = set()
    found: list[Realization] = []
    labels = dict((k, n) for k, n, _ in _REALIZATION_COLUMNS)
    for row, cells in _rows(ws, _REALIZATION_COLUMNS, sheet, problems, ("line_id", "amount")):
        line_id = _int_cell(cells.get("line_id"))
        numbered = lines.get(line_id or 0)
        if numbered is None:
            problems.append(
                ImportProblem(
                    row,
                    _UNKNOWN_LINE,
                    {"value": str(cells.get("line_id"))[:20], "sheet": sheet, "column": labels["line_id"]},
                )
            )
            continue
        if numbered.line.id in seen:
            problems.append(ImportProblem(row, _TWICE_LINE, {"number": numbered.number, "sheet": sheet}))
            continue
        seen.add(numbered.line.id)
        if _blank(cells.get("amount")):
            problems.append(ImportProblem(row, _EMPTY_AMOUNT, {"sheet": sheet, "column": labels["amount"]}))
            continue
        try:
            amount = _money_cell(cells.get("amount"), "realization")
            note = (
                None
                if _blank(cells.get("note"))
                else parse_free_text(str(cells.get("note")), field="note", max_length=500)
            )
        except ValidationError as error:
            _problem(problems, row, sheet, labels["amount"], error)
            continue
        if needs_note(numbered.line, amount) and not note:
            problems.append(
                ImportProblem(
                    row,
                    _ABOVE_NO_NOTE,
                    {
                        "amount": format_money(amount),
                        "excess": format_money(variance(numbered.line, amount)),
                        "budget": format_money(numbered.line.total),
                        "sheet": sheet,
                        "column": labels["note"],
                    },
                )
            )
            continue
        found.append(Realization(numbered.line.id, amount, note))
    return found


def _read_services(
    ws: Any, sheet: str, content: LpjContent, today: dt.date, earliest: dt.date, problems: list[ImportProblem]
) -> list[ServicePeriod]:
    clients = {c.id: c for c in content.clients}
    labels = dict((k, n) for k, n, _ in _SERVICE_COLUMNS)
    seen: set[tuple[int, Component]] = set()
    found: list[ServicePeriod] = []
    required = ("client_id", "component", "served_from", "served_to")
    for row, cells in _rows(ws, _SERVICE_COLUMNS, sheet, problems, required):
        first, last = cells.get("served_from"), cells.get("served_to")
        if _blank(first) and _blank(last):
            continue  # not reported in this file: left as it is
        client = clients.get(_int_cell(cells.get("client_id")) or 0)
        if client is None:
            problems.append(
                ImportProblem(
                    row,
                    _UNKNOWN_CLIENT,
                    {"value": str(cells.get("client_id"))[:20], "sheet": sheet, "column": labels["client_id"]},
                )
            )
            continue
        number = _int_cell(cells.get("component"))
        if number is None or not 1 <= number <= 7:
            problems.append(ImportProblem(row, _BAD_COMPONENT, {"sheet": sheet, "column": labels["component"]}))
            continue
        component = Component(str(number))
        if (client.id, component) in seen:
            problems.append(
                ImportProblem(row, _TWICE_SERVICE, {"number": client.position, "component": number, "sheet": sheet})
            )
            continue
        seen.add((client.id, component))
        if _blank(first) or _blank(last):
            problems.append(ImportProblem(row, _HALF_DATES, {"sheet": sheet}))
            continue
        try:
            served_from = _date_cell(first, today=today, earliest=earliest, field="served_from")
        except ValidationError as error:
            _problem(problems, row, sheet, labels["served_from"], error)
            continue
        try:
            served_to = _date_cell(last, today=today, earliest=earliest, field="served_to")
        except ValidationError as error:
            _problem(problems, row, sheet, labels["served_to"], error)
            continue
        if served_to < served_from:
            problems.append(ImportProblem(row, _DATES_REVERSED, {"sheet": sheet, "column": labels["served_to"]}))
            continue
        found.append(ServicePeriod(client.id, component, served_from, served_to))
    return found

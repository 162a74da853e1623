"""Workbooks of steps c–d: the clients' bank accounts, the transfers, and the SK annex.

Pure: bytes in, checked rows out (or :class:`ImportRejected` with every problem by row number, so a
half-read file never changes anything); rows in, XLSX bytes out. No Telegram, no storage.
Headers are written in the reader's language and read in either language.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.models import TransferStatus
from bot.domain.validation import (
    BANKS,
    Bank,
    Problem,
    ValidationError,
    find_bank,
    holder_name_warning,
    parse_account_number,
    parse_date,
    parse_free_text,
    parse_money,
    parse_name,
    refuse_before,
)
from bot.files.problems import ImportProblem, ImportRejected
from bot.files.workbook import Refusal, WorkbookRefused, first_sheet, open_workbook
from bot.i18n import N_, format_date, format_money, resolve_locale

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 5000

# key -> (Indonesian header, English header)
_ACCOUNT_COLUMNS: Mapping[str, tuple[str, str]] = {
    "no": ("No", "No"),
    "name": ("Nama klien", "Client name"),
    "nik": ("NIK", "NIK"),
    "bank": ("Bank", "Bank"),
    "number": ("Nomor rekening", "Account number"),
    "holder": ("Nama pemilik rekening", "Account holder"),
}
_TRANSFER_COLUMNS: Mapping[str, tuple[str, str]] = {
    **_ACCOUNT_COLUMNS,
    "amount": ("Jumlah", "Amount"),
    "date": ("Tanggal transfer", "Transfer date"),
    "status": ("Status", "Status"),
    "note": ("Catatan", "Note"),
}
_ANNEX_COLUMNS = {
    "id": ("No", "Kode IPWL", "Nama IPWL", "Kode proposal", "Nama penerima", "NIK", "Jumlah (Rp)"),
    "en": ("No", "IPWL code", "IPWL name", "Proposal code", "Beneficiary", "NIK", "Amount (Rp)"),
}
_STATUS_WORDS: Mapping[str, TransferStatus] = {
    "terkirim": TransferStatus.SENT,
    "berhasil": TransferStatus.SENT,
    "sent": TransferStatus.SENT,
    "gagal": TransferStatus.FAILED,
    "failed": TransferStatus.FAILED,
    "dikembalikan": TransferStatus.RETURNED,
    "retur": TransferStatus.RETURNED,
    "returned": TransferStatus.RETURNED,
}
_STATUS_LABELS = {"id": ("terkirim", "gagal", "dikembalikan"), "en": ("sent", "failed", "returned")}

_NOT_XLSX = N_("The file is not an XLSX workbook. Fill in the template the bot sent and send it back.")
_MISSING_COLUMN = N_("Column {name} is missing. Keep the header row of the template.")
_UNKNOWN_NIK = N_("NIK {nik} is not a client of this proposal.")
_TWICE = N_("This client is already on row {first}. List each client once.")
_UNKNOWN_BANK = N_("Unknown bank {bank}. Use a bank name from the list, e.g. {example}.")
_INCOMPLETE = N_("Fill in the bank, the account number and the holder's name (or leave all three empty).")
_BAD_STATUS = N_("Status is one of: {choices}.")
_NOTE_NEEDED = N_("Say why the transfer failed or came back (column Note).")
_TOO_MANY = N_("The file has more than {maximum} rows.")
# Control totals (issue 16.3): the transfers list states its row count and total amount on a TOTAL
# row, which the bank or the treasury can check, and which is checked again when the list comes back.
TOTAL_LABELS = frozenset({"total", "jumlah"})
_NO_TOTALS = N_(
    "The TOTAL row (the number of rows and the total amount) is missing. Keep the last row of the "
    "template the bot sent: it is checked against the rows and the SPM."
)
_TOTALS_UNREADABLE = N_(
    "The TOTAL row needs the number of rows (column Client name, e.g. 3 baris) and the total amount "
    "(column Amount, e.g. 4500000)."
)
_TOTALS_TWICE = N_("The list has a second TOTAL row (the first is row {first}). Keep one.")
_ROWS_DIFFER = N_(
    "The TOTAL row says {stated} rows, but the list has {counted}: a difference of {difference}. Nothing was recorded."
)
_AMOUNTS_DIFFER = N_(
    "The TOTAL row says {stated}, but the amounts of the rows add up to {counted}: a difference of "
    "{difference}. Nothing was recorded."
)
_ROWS_NOT_SPM = N_(
    "The list has {stated} rows, but SPM {number} is for {expected} clients: a difference of {difference}. "
    "Nothing was recorded."
)
_AMOUNT_NOT_SPM = N_(
    "The list totals {stated}, but SPM {number} is for {expected}: a difference of {difference}. Nothing was recorded."
)


@dataclass(frozen=True)
class SheetClient:
    """What a workbook row needs about one client (and their account, if any)."""

    client_id: int
    position: int
    full_name: str
    nik: str
    amount: int
    bank_code: str | None = None
    account_number: str | None = None
    holder_name: str | None = None


@dataclass(frozen=True)
class AccountInput:
    """One row of the accounts workbook that passed every check."""

    row: int
    client_id: int
    bank: Bank
    number: str
    holder: str
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class TransferInput:
    """One row of the transfers workbook that passed every check."""

    row: int
    client_id: int
    status: TransferStatus
    amount: int
    on: dt.date
    note: str | None = None


@dataclass(frozen=True)
class OrderTotals:
    """What a transfers list must add up to: the payment order (SPM), its clients and amount."""

    number: str
    rows: int
    amount: int


@dataclass(frozen=True)
class ListTotals:
    """A transfers list's control totals: the rows it has and the sum of their amounts."""

    rows: int
    amount: int


def _signed_money(amount: int) -> str:
    return ("+" if amount > 0 else "") + format_money(amount)


@dataclass(frozen=True)
class AnnexLine:
    ipwl_code: str
    ipwl_name: str
    proposal_code: str
    client_name: str
    nik: str
    amount: int


@dataclass
class _Problems:
    items: list[ImportProblem] = field(default_factory=list)

    def add(self, row: int, message: str, **params: object) -> None:
        self.items.append(ImportProblem(row, message, params))

    def extend(self, row: int, error: ValidationError) -> None:
        self.items.extend(ImportProblem(row, p.message, dict(p.params)) for p in error.problems)


# ------------------------------------------------------------------------------------- building


def _header(columns: Mapping[str, tuple[str, str]], lang: str) -> list[str]:
    return [names[1 if lang == "en" else 0] for names in columns.values()]


def _workbook_bytes(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _styled_sheet(wb: Any, title: str, header: Sequence[str], widths: Sequence[int]) -> Any:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.active if wb.active.title == "Sheet" else wb.create_sheet()
    ws.title = title
    ws.append(list(header))
    for index, width in enumerate(widths, start=1):
        ws.cell(row=1, column=index).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    return ws


def _bank_sheet(wb: Any, lang: str) -> None:
    ws = _styled_sheet(wb, "Bank", ("Bank", "Kode transfer" if lang == "id" else "Transfer code"), (20, 16))
    for bank in BANKS.values():
        ws.append([bank.name, bank.transfer_code])


def build_accounts_template(clients: Sequence[SheetClient], locale: str | None = "id") -> bytes:
    """One row per client with the accounts known so far; the operator fills in the rest."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = resolve_locale(locale)
    wb = Workbook()
    ws = _styled_sheet(
        wb, "Rekening" if lang == "id" else "Accounts", _header(_ACCOUNT_COLUMNS, lang), (5, 30, 20, 16, 22, 30)
    )
    for c in clients:
        bank = BANKS.get(c.bank_code or "")
        ws.append([c.position, c.full_name, c.nik, bank.name if bank else None, c.account_number, c.holder_name])
    for column in ("C", "E"):  # NIK and account numbers are text: Excel must not round them
        for cell in ws[column][1:]:
            cell.number_format = "@"
    banks = DataValidation(type="list", formula1=f"=Bank!$A$2:$A${len(BANKS) + 1}", allow_blank=True)
    ws.add_data_validation(banks)
    banks.add(f"D2:D{max(2, len(clients) + 1)}")
    _bank_sheet(wb, lang)
    return _workbook_bytes(wb)


def build_transfers_template(
    clients: Sequence[SheetClient], locale: str | None = "id", *, order_number: str | None = None
) -> bytes:
    """One row per client with the verified account and the amount; finance fills date and status.

    Below the clients, the TOTAL row: the number of rows and the total amount (and the SPM it pays),
    the control totals a bank or the treasury checks, and the bot checks when the list comes back."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = resolve_locale(locale)
    wb = Workbook()
    ws = _styled_sheet(wb, "Transfer", _header(_TRANSFER_COLUMNS, lang), (5, 30, 20, 16, 22, 30, 14, 16, 14, 30))
    for c in clients:
        bank = BANKS.get(c.bank_code or "")
        ws.append(
            [
                c.position,
                c.full_name,
                c.nik,
                bank.name if bank else None,
                c.account_number,
                c.holder_name,
                c.amount,
                None,
                None,
                None,
            ]
        )
    for column in ("C", "E"):
        for cell in ws[column][1:]:
            cell.number_format = "@"
    from openpyxl.styles import Font

    ws.append(
        [
            "TOTAL",
            f"{len(clients)} " + ("baris" if lang == "id" else "rows"),
            None,
            None,
            None,
            None,
            sum(c.amount for c in clients),
            None,
            None,
            f"SPM {order_number}" if order_number else None,
        ]
    )
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2, min_col=7, max_col=7):
        row[0].number_format = "#,##0"
    statuses = DataValidation(type="list", formula1='"' + ",".join(_STATUS_LABELS[lang]) + '"', allow_blank=True)
    ws.add_data_validation(statuses)
    statuses.add(f"I2:I{max(2, len(clients) + 1)}")
    return _workbook_bytes(wb)


def build_sk_annex(number: str, issued_on: dt.date, lines: Sequence[AnnexLine], locale: str | None = "id") -> bytes:
    """The SK annex: the beneficiaries by IPWL with their amounts, a subtotal per IPWL and the total."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lang = resolve_locale(locale)
    header = _ANNEX_COLUMNS["en" if lang == "en" else "id"]
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = "Lampiran SK" if lang == "id" else "SK annex"
    ws.append([("Lampiran SK " if lang == "id" else "Annex to SK ") + number])
    # The date as people read it, in the annex's language ("2 Desember 2026"), never ISO.
    ws.append([("Tanggal " if lang == "id" else "Date ") + format_date(issued_on, "en" if lang == "en" else "id")])
    ws.append([])
    ws.append(list(header))
    bold = Font(bold=True)
    for cell in (ws["A1"], *ws[4]):
        cell.font = bold
    for letter, width in zip("ABCDEFG", (5, 12, 32, 16, 30, 20, 16), strict=True):
        ws.column_dimensions[letter].width = width
    total = 0
    number_in_list = 0
    for ipwl_code, group in _by_ipwl(lines):
        subtotal = 0
        for line in group:
            number_in_list += 1
            ws.append(
                [
                    number_in_list,
                    line.ipwl_code,
                    line.ipwl_name,
                    line.proposal_code,
                    line.client_name,
                    line.nik,
                    line.amount,
                ]
            )
            ws.cell(row=ws.max_row, column=6).number_format = "@"
            subtotal += line.amount
        ws.append([None, None, None, None, ("Subtotal " if lang == "id" else "Subtotal ") + ipwl_code, None, subtotal])
        ws.cell(row=ws.max_row, column=5).font = bold
        total += subtotal
    ws.append([None, None, None, None, "Total", None, total])
    ws.cell(row=ws.max_row, column=5).font = bold
    for row in ws.iter_rows(min_row=5, min_col=7, max_col=7):
        row[0].number_format = "#,##0"
    return _workbook_bytes(wb)


def _by_ipwl(lines: Sequence[AnnexLine]) -> Iterator[tuple[str, list[AnnexLine]]]:
    groups: dict[str, list[AnnexLine]] = {}
    for line in lines:
        groups.setdefault(line.ipwl_code, []).append(line)
    yield from sorted(groups.items())


# -------------------------------------------------------------------------------------- reading


def _rows(data: bytes, columns: Mapping[str, tuple[str, str]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {key: value}) of the first sheet, by header name in either language."""
    try:
        with open_workbook(data) as wb:
            yield from _sheet_rows(wb.worksheets[0], columns)
    except WorkbookRefused as refused:
        if refused.refusal is Refusal.TOO_BIG:
            raise ImportRejected([ImportProblem(1, _TOO_MANY, {"maximum": MAX_ROWS})]) from None
        raise ImportRejected([ImportProblem(1, _NOT_XLSX)]) from None


def _sheet_rows(ws: Any, columns: Mapping[str, tuple[str, str]]) -> Iterator[tuple[int, dict[str, Any]]]:
    raw = ws.iter_rows(values_only=True)
    header = next(raw, None) or ()
    names = {str(h).strip().casefold(): i for i, h in enumerate(header) if h is not None}
    index: dict[str, int] = {}
    missing = []
    for key, labels in columns.items():
        found = next((names[n.casefold()] for n in labels if n.casefold() in names), None)
        if found is None:
            missing.append(labels[0])
        else:
            index[key] = found
    if missing:
        raise ImportRejected([ImportProblem(1, _MISSING_COLUMN, {"name": name}) for name in missing])
    for number, values in enumerate(raw, start=2):
        if number > MAX_ROWS + 1:
            raise ImportRejected([ImportProblem(number, _TOO_MANY, {"maximum": MAX_ROWS})])
        row = {key: values[i] if i < len(values) else None for key, i in index.items()}
        if any(_text(v) for v in row.values()):
            yield number, row


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _client_of(
    row: int, value: Any, by_nik: Mapping[str, SheetClient], seen: dict[int, int], problems: _Problems
) -> SheetClient | None:
    nik = _text(value).replace(" ", "")
    client = by_nik.get(nik)
    if client is None:
        problems.add(row, _UNKNOWN_NIK, nik=nik[:20] or "-")
        return None
    if client.client_id in seen:
        problems.add(row, _TWICE, first=seen[client.client_id])
        return None
    seen[client.client_id] = row
    return client


def parse_accounts_sheet(data: bytes, clients: Sequence[SheetClient]) -> list[AccountInput]:
    """The filled accounts workbook: every filled row checked; rows left empty are skipped."""
    by_nik = {c.nik: c for c in clients}
    problems = _Problems()
    seen: dict[int, int] = {}
    result = []
    for row, values in _rows(data, _ACCOUNT_COLUMNS):
        bank_text, number_text, holder_text = (_text(values[k]) for k in ("bank", "number", "holder"))
        if not (bank_text or number_text or holder_text):
            continue
        client = _client_of(row, values["nik"], by_nik, seen, problems)
        if client is None:
            continue
        if not (bank_text and number_text and holder_text):
            problems.add(row, _INCOMPLETE)
            continue
        bank = find_bank(bank_text)
        if bank is None:
            problems.add(row, _UNKNOWN_BANK, bank=bank_text[:30], example="BRI")
            continue
        try:
            number, warnings = parse_account_number(number_text, bank)
            holder = parse_name(holder_text, field="holder_name")
        except ValidationError as error:
            problems.extend(row, error)
            continue
        warning = holder_name_warning(holder, client.full_name)
        result.append(
            AccountInput(row, client.client_id, bank, number, holder, tuple(warnings) + ((warning,) if warning else ()))
        )
    if problems.items:
        raise ImportRejected(problems.items)
    return result


def parse_transfers_sheet(
    data: bytes,
    clients: Sequence[SheetClient],
    *,
    today: dt.date,
    earliest: dt.date | None = None,
    order: OrderTotals | None = None,
) -> list[TransferInput]:
    """The filled transfers workbook: rows with a status are recorded; rows without one are skipped.

    A row with a status needs its transfer date: a real day, not in the future, and not before
    ``earliest`` (the payment order, SPM) — never "today" because the cell was left empty.

    Control totals: the TOTAL row's count and amount must be those of the list's rows, and (given
    the ``order``, which makes the TOTAL row required) those of the SPM; a difference refuses the
    whole list, saying by how much."""
    by_nik = {c.nik: c for c in clients}
    problems = _Problems()
    seen: dict[int, int] = {}
    result = []
    counted = ListTotals(0, 0)
    stated: tuple[int, ListTotals | None] | None = None  # (its row, what it says)
    for row, values in _rows(data, _TRANSFER_COLUMNS):
        if _text(values["no"]).casefold() in TOTAL_LABELS:
            if stated is not None:
                problems.add(row, _TOTALS_TWICE, first=stated[0])
            else:
                stated = (row, _stated_totals(values))
            continue
        counted = ListTotals(counted.rows + 1, counted.amount + _row_amount(values["amount"]))
        status_text = _text(values["status"]).casefold()
        if not status_text:
            continue
        client = _client_of(row, values["nik"], by_nik, seen, problems)
        if client is None:
            continue
        status = _STATUS_WORDS.get(status_text)
        if status is None:
            problems.add(row, _BAD_STATUS, choices=", ".join(_STATUS_LABELS["id"]))
            continue
        try:
            amount = (
                values["amount"]
                if isinstance(values["amount"], int) and values["amount"] > 0
                else parse_money(_text(values["amount"]) or "0", field="amount")
            )
            on = _date(values["date"], today, earliest)
            note = (
                parse_free_text(_text(values["note"]), field="note", max_length=300) if _text(values["note"]) else None
            )
        except ValidationError as error:
            problems.extend(row, error)
            continue
        if status != TransferStatus.SENT and not note:
            problems.add(row, _NOTE_NEEDED)
            continue
        result.append(TransferInput(row, client.client_id, status, amount, on, note))
    _check_totals(problems, stated, counted, order)
    if problems.items:
        raise ImportRejected(problems.items)
    return result


def _row_amount(value: Any) -> int:
    """A row's amount as it adds up to the list's total (an unreadable one adds nothing: the row's
    own check, or the totals' difference, says so)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    if not text:
        return 0
    try:
        return parse_money(text, field="amount")
    except ValidationError:
        return 0


def _stated_totals(values: Mapping[str, Any]) -> ListTotals | None:
    """What a TOTAL row says: the rows (``3`` or ``3 baris``) and the amount; None if unreadable."""
    rows_value = values["name"]
    if isinstance(rows_value, float) and rows_value.is_integer():
        rows_value = int(rows_value)
    if isinstance(rows_value, int) and not isinstance(rows_value, bool):
        rows = rows_value
    else:
        found = re.match(r"^\s*(\d{1,6})\b", _text(rows_value))
        if found is None:
            return None
        rows = int(found.group(1))
    amount = _row_amount(values["amount"])
    return ListTotals(rows, amount) if amount or rows == 0 else None


def _check_totals(
    problems: _Problems,
    stated: tuple[int, ListTotals | None] | None,
    counted: ListTotals,
    order: OrderTotals | None,
) -> None:
    if stated is None:
        if order is not None:
            problems.add(counted.rows + 2, _NO_TOTALS)
        return
    row, totals = stated
    if totals is None:
        problems.add(row, _TOTALS_UNREADABLE)
        return
    if totals.rows != counted.rows:
        problems.add(
            row, _ROWS_DIFFER, stated=totals.rows, counted=counted.rows, difference=f"{counted.rows - totals.rows:+d}"
        )
    if totals.amount != counted.amount:
        problems.add(
            row,
            _AMOUNTS_DIFFER,
            stated=format_money(totals.amount),
            counted=format_money(counted.amount),
            difference=_signed_money(counted.amount - totals.amount),
        )
    if order is None:
        return
    if totals.rows != order.rows:
        problems.add(
            row,
            _ROWS_NOT_SPM,
            stated=totals.rows,
            number=order.number,
            expected=order.rows,
            difference=f"{totals.rows - order.rows:+d}",
        )
    if totals.amount != order.amount:
        problems.add(
            row,
            _AMOUNT_NOT_SPM,
            stated=format_money(totals.amount),
            number=order.number,
            expected=format_money(order.amount),
            difference=_signed_money(totals.amount - order.amount),
        )


def _date(value: Any, today: dt.date, earliest: dt.date | None = None) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if value > today:
            raise ValidationError(
                Problem(
                    N_("{date} is in the future. Enter a date up to today ({today})."),
                    {"date": value.isoformat(), "today": today.isoformat()},
                    "block",
                    "date",
                )
            )
        on = value
    else:
        text = _text(value)
        if not text:
            raise ValidationError(
                Problem(
                    N_("Fill in the date of the transfer (e.g. {example})."),
                    {"example": f"{today:%d-%m-%Y}"},
                    "block",
                    "transfer_date",
                )
            )
        on = parse_date(text, today=today, field="transfer_date")
    refuse_before(
        on,
        earliest,
        N_("A transfer cannot be dated {date}, before the payment order (SPM) of {earliest}."),
        "transfer_date",
    )
    return on

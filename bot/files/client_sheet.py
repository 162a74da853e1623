"""The bulk client list: the XLSX template operators fill, and its parser.

An IPWL operator downloads :data:`TEMPLATE_FILE_NAME` (:func:`build_template`), lists the clients
of a proposal *by name by address* on the sheet "Klien" (one row each) and their budget lines (RAB)
on the sheet "Anggaran", and sends the file back. :func:`parse_client_sheet` reads it (or a CSV
export of it) all or nothing: it returns every client, or raises
:class:`~bot.files.ipwl_csv.ImportRejected` listing every problem with its spreadsheet row number.

Problems
--------
A cell that fails a check of :mod:`bot.domain.validation` becomes ``ImportProblem(row, message, params)``
whose ``message`` and ``params`` are the validation problem's own msgid and params, plus two
*location* params: ``column`` (the header as written in the file) and, for the budget sheet,
``sheet`` (the sheet's name). So a handler renders, from msgids only::

    baris 7, kolom NIK: NIK terdiri dari 16 digit, ...

with :func:`bot.files.problems.problem_location` (the msgid and params of the ``"row {row}, column {column}:"``
prefix) or :func:`bot.files.problems.render_problem`. Row 0 means the whole file; row 1 is the header row. Location
params are never used as placeholders of a problem's own message.

Headers and the template's text are data, not msgids: the parser must recognise the Indonesian and
the English spelling of every header whatever the operator's language, so both live here.

Pure module: no Telegram, no storage. The only library it needs is openpyxl.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.models import Approach, Client, Component, Sex
from bot.domain.regions import PROVINCES, is_known_province_code, province_search
from bot.domain.validation import (
    NikInfo,
    Problem,
    ValidationError,
    mask_nik,
    nik_warnings,
    parse_birth_date,
    parse_free_text,
    parse_money,
    parse_name,
    parse_nik,
    parse_phone,
    parse_quantity,
    parse_sex,
)
from bot.files.problems import ImportProblem, ImportRejected
from bot.files.workbook import OLE_MAGIC, Refusal, WorkbookRefused, first_sheet, looks_like_xlsx, open_workbook
from bot.i18n import N_, format_money, resolve_locale

__all__ = [
    "COMPONENT_NAMES",
    "EXAMPLE_NIK",
    "LOCATION_PARAMS",
    "MAX_ROWS",
    "TEMPLATE_FILE_NAME",
    "BudgetInput",
    "ClientInput",
    "build_template",
    "parse_client_sheet",
]

log = logging.getLogger(__name__)

TEMPLATE_FILE_NAME = "templat-klien-atensi.xlsx"
MAX_ROWS = 5000
# Budget lines a file may have, per client allowed (a client rarely has more than a handful).
_BUDGET_LINES_PER_CLIENT = 20
# Params that say where a problem is, added to the problem's own params.
LOCATION_PARAMS = ("sheet", "column")

# Where to look for the header row (operators sometimes put a title above it).
_HEADER_SEARCH_ROWS = 10
_QUOTE_LIMIT = 30

_EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xltx")

# --------------------------------------------------------------------------- messages
# English msgids with named placeholders (see bot.i18n). Cell problems reuse bot.domain.validation's.

_FILE_EMPTY = N_("The file is empty. Fill in the template {template} and send it again.")
_NOT_XLSX = N_(
    "The file could not be opened as an Excel workbook. Save it as .xlsx (Excel Workbook) and send it again."
)
_WORD_DOCUMENT = N_(
    "This is a Word document, not an Excel workbook. Fill in the template {template} and send it again."
)
_PASSWORD = N_(
    "The workbook is protected with a password. Remove the password (File > Info > Protect Workbook) and send it again."
)
_OLD_XLS = N_("This is an old Excel 97-2003 (.xls) file. Save it as .xlsx (Excel Workbook) and send it again.")
_TOO_BIG = N_("The workbook is too large to read. Send at most {maximum} clients per file.")
_NOT_UTF8 = N_("The CSV file is not UTF-8 text. In Excel choose Save As > CSV UTF-8, or send the .xlsx template.")
_NOT_TEXT = N_("This is not a CSV or Excel file. Fill in the template {template} and send it again.")
_CSV_BROKEN = N_("The CSV file could not be read here. Save it again as CSV UTF-8.")
_SHEET_EMPTY = N_("The sheet {name} is empty. Fill in one client per row, from row 2.")
_NO_CLIENTS = N_("There are no clients in the file. Fill in one client per row, from row 2.")
_MISSING_COLUMN = N_("Column {name} is missing. Copy the header row from the template {template}.")
_DUPLICATE_COLUMN = N_("Column {name} appears twice. Keep only one of them.")
_TOO_MANY_CLIENTS = N_("The file has more than {maximum} clients. Split it into several files.")
_TOO_MANY_LINES = N_("The budget has more than {maximum} lines. Split the file into several files.")
_NIK_LOST_DIGITS = N_(
    "The NIK was saved as a number and lost digits (e.g. 3.2E+15). "
    "Format the NIK column as Text and type the NIK again."
)
_NIK_NUMBER_WARNING = N_(
    "The NIK was saved as a number, and Excel keeps only 15 digits: check that the last digit is right."
)
_EXAMPLE_NIK_USED = N_("This is the example NIK of the template. Type the client's own NIK.")
_DUPLICATE_NIK = N_("This NIK is already on row {first_row}. List each client only once.")
_PROVINCE_EMPTY = N_("Please fill in the province code, e.g. 32 for Jawa Barat.")
_PROVINCE_UNKNOWN = N_(
    "{value} is not a province code. Use the 2-digit code, e.g. 32 for Jawa Barat (list on the instructions sheet)."
)
_APPROACH = N_("Choose the approach: keluarga, komunitas or residensial.")
_COMPONENTS_EMPTY = N_("Fill in the ATENSI components as numbers 1–7 separated by commas, e.g. {example}.")
_COMPONENTS_BAD = N_("{value} is not an ATENSI component. Use numbers 1–7 separated by commas, e.g. {example}.")
_COMPONENT_BAD = N_("The component is one number from 1 to 7, e.g. {example}.")
_BUDGET_NIK_UNKNOWN = N_("No client with NIK {nik} on the client sheet. Add the client there or correct the NIK.")
_ABOVE_CEILING = N_("The unit cost {amount} is above the ceiling for component {component}: at most {ceiling}.")
_COMPONENT_NOT_CHOSEN = N_(
    "Component {component} is not one of this client's components ({components}). "
    "Add it on the client sheet or choose another."
)

# Location prefixes (see problem_location). "row {row}:" is shared with handlers/views.py.

# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class BudgetInput:
    """One budget (RAB) line of a client, as read from the file."""

    component: Component
    description: str
    quantity: int
    unit_cost: int  # whole Rupiah

    @property
    def total(self) -> int:
        return self.quantity * self.unit_cost


@dataclass(frozen=True)
class ClientInput:
    """One client row that passed every check. ``row`` is its spreadsheet row number."""

    row: int
    full_name: str
    nik: str
    sex: Sex
    birth_date: dt.date
    province_code: str
    regency: str
    address: str
    phone: str | None
    approach: Approach
    components: tuple[Component, ...]
    assessment: str
    intervention_plan: str
    budget: tuple[BudgetInput, ...]
    # Doubtful but accepted: the NIK's birth date or sex differ from the columns, a NIK that was
    # stored as a number (Excel may have zeroed its last digit).
    warnings: tuple[Problem, ...] = ()

    @property
    def total(self) -> int:
        return sum(line.total for line in self.budget)


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class _Column:
    key: str
    id: str  # header in the Indonesian template
    en: str  # header in the English template
    width: float = 16
    required: bool = True
    text: bool = False  # formatted as Text in the template (Excel must not turn it into a number)
    aliases: tuple[str, ...] = ()


CLIENT_COLUMNS: tuple[_Column, ...] = (
    _Column("full_name", "Nama lengkap", "Full name", 28, aliases=("nama", "nama klien", "name")),
    _Column("nik", "NIK", "NIK", 20, text=True, aliases=("nomor induk kependudukan", "no nik")),
    _Column("sex", "Jenis kelamin (L/P)", "Sex (L/P)", 12, aliases=("jk", "l p", "gender")),
    _Column(
        "birth_date", "Tanggal lahir (DD-MM-YYYY)", "Date of birth (DD-MM-YYYY)", 16, text=True,
        aliases=("tgl lahir", "birth date", "tanggal lahir dd mm yyyy"),
    ),
    _Column("province_code", "Kode provinsi", "Province code", 10, text=True,
            aliases=("provinsi", "province", "kode prov")),
    _Column("regency", "Kabupaten/kota", "Regency/city", 22,
            aliases=("kabupaten", "kab kota", "kota", "regency")),
    _Column("address", "Alamat (jalan, desa/kelurahan)", "Address (street, village)", 36,
            aliases=("alamat lengkap",)),
    _Column("phone", "No. HP (opsional)", "Phone (optional)", 16, required=False, text=True,
            aliases=("hp", "no hp", "nomor hp", "telepon", "no telp", "phone number", "mobile")),
    _Column("approach", "Pendekatan", "Approach", 14),
    _Column("components", "Komponen ATENSI", "ATENSI components", 14, text=True,
            aliases=("komponen", "components")),
    _Column("assessment", "Resume asesmen", "Assessment summary", 40,
            aliases=("asesmen", "resume assessment", "assessment")),
    _Column("intervention_plan", "Rencana intervensi", "Intervention plan", 40,
            aliases=("intervensi", "rencana")),
)  # fmt: skip

BUDGET_COLUMNS: tuple[_Column, ...] = (
    _Column("nik", "NIK", "NIK", 20, text=True, aliases=("nik klien", "client nik")),
    _Column("component", "Komponen (1-7)", "Component (1-7)", 14,
            aliases=("komponen atensi", "nomor komponen")),
    _Column("description", "Uraian", "Description", 40, aliases=("uraian kegiatan", "item")),
    _Column("quantity", "Jumlah (banyaknya)", "Quantity", 12,
            aliases=("volume", "qty", "banyaknya", "jumlah unit")),
    _Column("unit_cost", "Harga satuan (Rp)", "Unit cost (Rp)", 16,
            aliases=("harga", "biaya satuan", "unit price")),
)  # fmt: skip

# A CSV has one sheet, so a client's budget line (one at most) sits on its own row.
CSV_BUDGET_COLUMNS: tuple[_Column, ...] = (
    _Column("budget_component", "Komponen anggaran", "Budget component", required=False),
    _Column("budget_description", "Uraian anggaran", "Budget description", required=False),
    _Column("budget_quantity", "Jumlah", "Quantity", required=False),
    _Column("budget_unit_cost", "Harga satuan", "Unit cost", required=False),
)
_CSV_TO_BUDGET = {
    "budget_component": "component",
    "budget_description": "description",
    "budget_quantity": "quantity",
    "budget_unit_cost": "unit_cost",
}

# Limits of the free-text columns.
_MAX_NAME = 100
_MAX_REGENCY = 100
_MAX_ADDRESS = 300
_MAX_LONG_TEXT = 2000
_MAX_DESCRIPTION = 200

_SHEET_NAMES = {
    "id": ("Klien", "Anggaran", "Petunjuk"),
    "en": ("Clients", "Budget", "Instructions"),
}
_CLIENT_SHEETS = frozenset({"klien", "clients", "client", "daftar klien"})
_BUDGET_SHEETS = frozenset({"anggaran", "budget", "rab"})
_INSTRUCTION_SHEETS = frozenset({"petunjuk", "instructions", "panduan"})

COMPONENT_NAMES: Mapping[str, Mapping[Component, str]] = {
    "id": {
        Component.LIVING_NEEDS: "dukungan pemenuhan kebutuhan hidup layak",
        Component.CARE: "perawatan sosial dan/atau pengasuhan anak",
        Component.FAMILY: "dukungan keluarga",
        Component.THERAPY: "terapi fisik, psikososial dan mental spiritual",
        Component.VOCATIONAL: "pelatihan vokasional dan/atau pembinaan kewirausahaan",
        Component.SOCIAL_AID: "bantuan sosial dan asistensi sosial",
        Component.ACCESSIBILITY: "dukungan aksesibilitas",
    },
    "en": {
        Component.LIVING_NEEDS: "decent living support (dukungan pemenuhan kebutuhan hidup layak)",
        Component.CARE: "social care and/or childcare (perawatan sosial dan/atau pengasuhan anak)",
        Component.FAMILY: "family support (dukungan keluarga)",
        Component.THERAPY: "physical, psychosocial and spiritual therapy (terapi fisik, "
        "psikososial dan mental spiritual)",
        Component.VOCATIONAL: "vocational training and/or entrepreneurship (pelatihan vokasional "
        "dan/atau pembinaan kewirausahaan)",
        Component.SOCIAL_AID: "social aid and assistance (bantuan sosial dan asistensi sosial)",
        Component.ACCESSIBILITY: "accessibility support (dukungan aksesibilitas)",
    },
}

# The template's example: a fictional person with a NIK of the valid form (Kab. Bogor, born
# 17-08-1990, serial 0001). A row left unchanged is skipped; the NIK with any other name is refused.
EXAMPLE_NIK = "3201011708900001"
_EXAMPLE_CLIENT = {
    "full_name": "Budi Santoso",
    "nik": EXAMPLE_NIK,
    "sex": "L",
    "birth_date": "17-08-1990",
    "province_code": "32",
    "regency": "Kabupaten Bogor",
    "address": "Jl. Melati No. 5, Desa Sukamaju",
    "phone": "0812-3456-7890",
    "approach": "keluarga",
    "components": "1,3,4",
}
_EXAMPLE_TEXTS = {
    "id": (
        "Pengguna sabu 3 tahun, putus kerja; keluarga mendukung pemulihan.",
        "Konseling individu 8 sesi, pertemuan keluarga 2 kali, bantuan sembako 3 bulan.",
    ),
    "en": (
        "Methamphetamine user for 3 years, lost his job; the family supports recovery.",
        "8 individual counselling sessions, 2 family meetings, food aid for 3 months.",
    ),
}
_EXAMPLE_BUDGET = {
    "id": (("1", "Paket sembako", 3, 250_000), ("4", "Konseling individu", 8, 150_000)),
    "en": (("1", "Food package", 3, 250_000), ("4", "Individual counselling", 8, 150_000)),
}

# --------------------------------------------------------------------------- locations


# --------------------------------------------------------------------------- template


def _listed_values(client: Client) -> dict[str, str | None]:
    """A saved client's cells, written as the parser reads them back (so the list round-trips)."""
    return {
        "full_name": client.full_name,
        "nik": client.nik,
        "sex": client.sex.value if client.sex else None,
        "birth_date": client.birth_date.strftime("%d-%m-%Y") if client.birth_date else None,
        "province_code": client.province_code,
        "regency": client.regency,
        "address": client.address,
        "phone": client.phone,
        "approach": client.approach.value if client.approach else None,
        "components": ",".join(c.value for c in client.components) or None,
        "assessment": client.assessment,
        "intervention_plan": client.intervention_plan,
    }


def build_template(locale: str | None = "id", clients: Sequence[Client] = ()) -> bytes:
    """The XLSX workbook operators fill: sheets Klien, Anggaran and Petunjuk (en: Clients,
    Budget, Instructions), with dropdowns, Text-formatted NIK/date columns and a frozen header row.

    Blank, it shows an example row; with ``clients`` (a draft's), it lists them and their budget
    lines instead, so an operator can add lines or correct data and send it back."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = resolve_locale(locale)  # "en-US" -> "en"; None or unknown -> "id"
    client_title, budget_title, help_title = _SHEET_NAMES[lang]
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    optional_fill = PatternFill("solid", fgColor="E2EFDA")
    example_font = Font(italic=True, color="7F7F7F")
    wrap = Alignment(wrap_text=True, vertical="top")
    last_row = MAX_ROWS + 1

    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = client_title
    for index, column in enumerate(CLIENT_COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=getattr(column, lang))
        cell.font = bold
        cell.fill = required_fill if column.required else optional_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[letter].width = column.width
        if column.text:
            ws.column_dimensions[letter].number_format = "@"
        example = _EXAMPLE_CLIENT.get(column.key)
        if column.key == "assessment":
            example = _EXAMPLE_TEXTS[lang][0]
        elif column.key == "intervention_plan":
            example = _EXAMPLE_TEXTS[lang][1]
        listed = [_listed_values(client)[column.key] for client in clients]
        for row, value in enumerate(listed or [example], start=2):
            cell = ws.cell(row=row, column=index, value=value)
            if not listed:
                cell.font = example_font
            if column.text:
                cell.number_format = "@"
            if column.width >= 36:
                cell.alignment = wrap
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"

    keys = [c.key for c in CLIENT_COLUMNS]

    def column_range(key: str) -> str:
        letter = get_column_letter(keys.index(key) + 1)
        return f"{letter}2:{letter}{last_row}"

    hints = _VALIDATION_HINTS[lang]
    for key, formula in (
        ("sex", '"L,P"'),
        ("approach", '"' + ",".join(a.value for a in Approach) + '"'),
        ("province_code", '"' + ",".join(PROVINCES) + '"'),
    ):
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.error, dv.errorTitle = hints[key]
        dv.showErrorMessage = True
        dv.add(column_range(key))
        ws.add_data_validation(dv)

    budget = wb.create_sheet(budget_title)
    for index, column in enumerate(BUDGET_COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = budget.cell(row=1, column=index, value=getattr(column, lang))
        cell.font = bold
        cell.fill = required_fill
        budget.column_dimensions[letter].width = column.width
        if column.text:
            budget.column_dimensions[letter].number_format = "@"
    budget.column_dimensions["E"].number_format = "#,##0"
    budget_rows = [
        (client.nik, int(line.component.value), line.description, line.quantity, line.unit_cost)
        for client in clients
        for line in client.budget
    ]
    if not clients:
        budget_rows = [
            (EXAMPLE_NIK, int(component), description, quantity, unit_cost)
            for component, description, quantity, unit_cost in _EXAMPLE_BUDGET[lang]
        ]
    for row, values in enumerate(budget_rows, start=2):
        for index, entry in enumerate(values, start=1):
            cell = budget.cell(row=row, column=index, value=entry)
            if not clients:
                cell.font = example_font
        budget.cell(row=row, column=1).number_format = "@"
        budget.cell(row=row, column=5).number_format = "#,##0"
    budget.freeze_panes = "A2"
    budget_last = MAX_ROWS * 4 + 1
    for letter, low, high, key in (
        ("B", 1, 7, "component"),
        ("D", 1, 1000, "quantity"),
        ("E", 1, 1_000_000_000, "unit_cost"),
    ):
        dv = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high))
        dv.error, dv.errorTitle = hints[key]
        dv.showErrorMessage = True
        dv.add(f"{letter}2:{letter}{budget_last}")
        budget.add_data_validation(dv)

    help_ws = wb.create_sheet(help_title)
    help_ws.column_dimensions["A"].width = 110
    for row, (text, is_heading) in enumerate(_instructions(lang), start=1):
        cell = help_ws.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if is_heading:
            cell.font = Font(bold=True, size=12 if row == 1 else 11)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_VALIDATION_HINTS = {
    "id": {
        "sex": ("Isi L (laki-laki) atau P (perempuan).", "Jenis kelamin"),
        "approach": ("Pilih keluarga, komunitas, atau residensial.", "Pendekatan"),
        "province_code": ("Isi kode provinsi 2 digit, misalnya 32 (lihat Petunjuk).", "Provinsi"),
        "component": ("Isi satu nomor komponen 1 sampai 7.", "Komponen"),
        "quantity": ("Isi bilangan bulat 1 sampai 1000.", "Jumlah"),
        "unit_cost": ("Isi Rupiah utuh tanpa desimal, misalnya 250000.", "Harga satuan"),
    },
    "en": {
        "sex": ("Enter L (male) or P (female).", "Sex"),
        "approach": ("Choose keluarga, komunitas or residensial.", "Approach"),
        "province_code": ("Enter the 2-digit province code, e.g. 32 (see Instructions).",
                          "Province"),
        "component": ("Enter one component number from 1 to 7.", "Component"),
        "quantity": ("Enter a whole number from 1 to 1000.", "Quantity"),
        "unit_cost": ("Enter whole Rupiah without decimals, e.g. 250000.", "Unit cost"),
    },
}  # fmt: skip


def _instructions(lang: str) -> Iterator[tuple[str, bool]]:
    """The lines of the instructions sheet: (text, is_heading)."""
    client_title, budget_title, _ = _SHEET_NAMES[lang]
    required = ", ".join(_header_label(c, lang) for c in CLIENT_COLUMNS if c.required)
    optional = ", ".join(_header_label(c, lang) for c in CLIENT_COLUMNS if not c.required)
    if lang == "en":
        yield "How to fill in the ATENSI client list", True
        yield from (
            (f"1. Sheet {client_title}: one client per row, from row 2. The grey example row "
             "(Budi Santoso) may stay or be deleted: it is never imported.", False),
            (f"2. Required columns: {required}. Optional: {optional}.", False),
            ("3. NIK: 16 digits. Keep the NIK column formatted as TEXT (Format Cells > Text) "
             "before typing or pasting, or Excel turns it into 3.2E+15 and loses the last digit.",
             False),
            ("4. Date of birth: DD-MM-YYYY, e.g. 17-08-1990. Sex: L (male) or P (female).", False),
            ("5. Province code: the 2-digit Kemendagri code, e.g. 32 for Jawa Barat (list below).",
             False),
            ("6. Approach: keluarga, komunitas or residensial.", False),
            ("7. ATENSI components: the numbers separated by commas, e.g. 1,3,4 (list below).",
             False),
            (f"8. Sheet {budget_title} (budget, RAB): one line per item: the client's NIK, the "
             "component number (one of that client's components), description, quantity and "
             "unit cost. Amounts in whole Rupiah without dots or decimals, e.g. 250000. A "
             "client without budget lines is fine: lines can be added in the chat later.", False),
            ("9. The unit cost may not exceed the ceiling set for its component.", False),
            (f"10. At most {MAX_ROWS} clients per file. Send this .xlsx file back to the bot.",
             False),
        )  # fmt: skip
        yield "", False
        yield "The 7 ATENSI components", True
    else:
        yield "Petunjuk pengisian daftar klien ATENSI", True
        yield from (
            (f"1. Lembar {client_title}: satu klien per baris, mulai baris 2. Baris contoh "
             "berwarna abu-abu (Budi Santoso) boleh dibiarkan atau dihapus: tidak ikut diimpor.",
             False),
            (f"2. Kolom wajib: {required}. Boleh kosong: {optional}.", False),
            ("3. NIK: 16 digit. Biarkan kolom NIK berformat TEKS (Format Cells > Text) sebelum "
             "mengetik atau menempel, agar Excel tidak mengubahnya menjadi 3,2E+15 dan "
             "menghapus digit terakhir.", False),
            ("4. Tanggal lahir: DD-MM-YYYY, misalnya 17-08-1990. Jenis kelamin: L (laki-laki) "
             "atau P (perempuan).", False),
            ("5. Kode provinsi: 2 digit kode Kemendagri, misalnya 32 untuk Jawa Barat "
             "(daftar di bawah).", False),
            ("6. Pendekatan: keluarga, komunitas, atau residensial.", False),
            ("7. Komponen ATENSI: nomor komponen dipisah koma, misalnya 1,3,4 (daftar di bawah).",
             False),
            (f"8. Lembar {budget_title} (RAB): satu baris per item: NIK klien, nomor komponen "
             "(harus salah satu komponen klien itu), uraian, jumlah, dan harga satuan. Nominal "
             "dalam Rupiah utuh tanpa titik atau desimal, misalnya 250000. Klien tanpa baris "
             "anggaran boleh: anggaran dapat ditambah lewat chat nanti.", False),
            ("9. Harga satuan tidak boleh melebihi pagu komponennya.", False),
            (f"10. Paling banyak {MAX_ROWS} klien per berkas. Kirim berkas .xlsx ini kembali "
             "ke bot.", False),
        )  # fmt: skip
        yield "", False
        yield "7 komponen ATENSI", True
    for component in Component:
        yield f"{component.value}. {COMPONENT_NAMES[lang][component]}", False
    yield "", False
    yield ("Province codes" if lang == "en" else "Kode provinsi"), True
    for code, name in PROVINCES.items():
        yield f"{code}  {name}", False


def _header_label(column: _Column, lang: str) -> str:
    return _HINT.sub("", getattr(column, lang)).strip()


# --------------------------------------------------------------------------- reading files


_HINT = re.compile(r"\([^)]*\)")
_NOT_ALNUM = re.compile(r"[\W_]+")


def _header_key(text: str) -> str:
    """Fold a header for matching: no "(hint)", case, punctuation or spacing."""
    without_hint = _HINT.sub(" ", unicodedata.normalize("NFKC", text))
    return " ".join(_NOT_ALNUM.sub(" ", without_hint.casefold()).split())


def _lookup(columns: Iterable[_Column]) -> dict[str, _Column]:
    index: dict[str, _Column] = {}
    for column in columns:
        for name in (column.key, column.id, column.en, *column.aliases):
            index.setdefault(_header_key(name), column)
    return index


_CLIENT_LOOKUP = _lookup(CLIENT_COLUMNS)
_CSV_LOOKUP = _lookup((*CLIENT_COLUMNS, *CSV_BUDGET_COLUMNS))
_BUDGET_LOOKUP = _lookup(BUDGET_COLUMNS)


@dataclass
class _Table:
    """One sheet's data rows, as raw cell values, with its header mapping."""

    sheet: str | None  # the "sheet" location param (None: not mentioned)
    header_row: int
    columns: dict[str, int]  # key -> 0-based column index
    headers: dict[str, str]  # key -> header text as in the file
    rows: list[tuple[int, tuple[object, ...]]]  # (spreadsheet row, values), non-empty rows only

    def value(self, values: tuple[object, ...], key: str) -> object:
        index = self.columns.get(key)
        return values[index] if index is not None and index < len(values) else None


def _quote(text: str, limit: int = _QUOTE_LIMIT) -> str:
    flat = "".join(c if c.isprintable() else "?" for c in " ".join(str(text).split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _locate_header(
    rows: Sequence[tuple[int, tuple[object, ...]]],
    lookup: Mapping[str, _Column],
    columns: Sequence[_Column],
    sheet: str | None,
) -> tuple[int, dict[str, int], dict[str, str], list[ImportProblem]]:
    """Find the header row among the first rows; report missing and duplicated columns."""
    best: tuple[int, dict[str, int], dict[str, str], list[str]] | None = None
    for number, values in rows:
        found: dict[str, int] = {}
        headers: dict[str, str] = {}
        duplicates: list[str] = []
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                continue
            column = lookup.get(_header_key(value))
            if column is None:
                continue
            if column.key in found:
                duplicates.append(_quote(value.strip(), 40))
                continue
            found[column.key] = index
            headers[column.key] = _quote(value.strip(), 40)
        if len(found) >= 2:
            best = (number, found, headers, duplicates)
            break
    if best is None:
        # No recognisable header: take the first non-empty row, so every column is "missing".
        first = next((number for number, values in rows if any(not _is_blank(v) for v in values)), 1)
        best = (first, {}, {}, [])
    number, found, headers, duplicates = best
    # Name missing columns in the language of the headers that are there (Indonesian if unsure).
    by_key = {c.key: c for c in columns}
    english = sum(
        1
        for key, text in headers.items()
        if _header_key(text) == _header_key(by_key[key].en) != _header_key(by_key[key].id)
    )
    lang = "en" if english and english * 2 > len(headers) else "id"
    extra = {"sheet": sheet} if sheet is not None else {}
    problems = [ImportProblem(number, _DUPLICATE_COLUMN, {"name": name, **extra}) for name in duplicates]
    for column in columns:
        if column.required and column.key not in found:
            problems.append(
                ImportProblem(
                    number,
                    _MISSING_COLUMN,
                    {"name": getattr(column, lang), "template": TEMPLATE_FILE_NAME, **extra},
                )
            )
    return number, found, headers, problems


def _reject(message: str, row: int = 0, **params: object) -> ImportRejected:
    return ImportRejected([ImportProblem(row, message, params)])


def _read_book(data: bytes, file_name: str, max_rows: int) -> tuple[_Table, _Table | None]:
    if not data.strip():
        raise _reject(_FILE_EMPTY, template=TEMPLATE_FILE_NAME)
    if looks_like_xlsx(data) or data.startswith(OLE_MAGIC):
        try:
            return _read_xlsx(data, max_rows)
        except WorkbookRefused as refused:
            raise _refused(refused.refusal, max_rows) from None
    if file_name.lower().endswith(_EXCEL_EXTENSIONS):
        raise _reject(_NOT_XLSX)
    return _read_csv(data, max_rows), None


def _refused(refusal: Refusal, max_rows: int) -> ImportRejected:
    if refusal is Refusal.WORD_DOCUMENT:
        return _reject(_WORD_DOCUMENT, template=TEMPLATE_FILE_NAME)
    if refusal is Refusal.TOO_BIG:
        return _reject(_TOO_BIG, maximum=max_rows)
    if refusal is Refusal.PASSWORD:
        return _reject(_PASSWORD)
    if refusal is Refusal.OLD_XLS:
        return _reject(_OLD_XLS)
    return _reject(_NOT_XLSX)


def _read_xlsx(data: bytes, max_rows: int) -> tuple[_Table, _Table | None]:
    with open_workbook(data) as workbook:
        worksheets = list(workbook.worksheets)
        if not worksheets:
            raise WorkbookRefused(Refusal.NOT_XLSX)
        folded = [" ".join(ws.title.casefold().split()) for ws in worksheets]
        client_ws = next((ws for ws, name in zip(worksheets, folded, strict=True) if name in _CLIENT_SHEETS), None)
        if client_ws is None:
            others = _BUDGET_SHEETS | _INSTRUCTION_SHEETS
            client_ws = next(
                (ws for ws, name in zip(worksheets, folded, strict=True) if name not in others), worksheets[0]
            )
        budget_ws = next(
            (ws for ws, name in zip(worksheets, folded, strict=True) if name in _BUDGET_SHEETS and ws is not client_ws),
            None,
        )
        problems: list[ImportProblem] = []
        clients = _read_worksheet(client_ws, None, _CLIENT_LOOKUP, CLIENT_COLUMNS,
                                  max_rows, _TOO_MANY_CLIENTS, problems)  # fmt: skip
        budget = None
        if budget_ws is not None:
            budget = _read_worksheet(budget_ws, _quote(budget_ws.title), _BUDGET_LOOKUP,
                                     BUDGET_COLUMNS, max_rows * _BUDGET_LINES_PER_CLIENT,
                                     _TOO_MANY_LINES, problems, allow_empty=True)  # fmt: skip
    if problems:
        raise ImportRejected(problems)
    assert clients is not None
    return clients, budget


def _read_worksheet(
    ws: Any,
    sheet: str | None,
    lookup: Mapping[str, _Column],
    columns: Sequence[_Column],
    limit: int,
    too_many: str,
    problems: list[ImportProblem],
    *,
    allow_empty: bool = False,
) -> _Table | None:
    """Read a worksheet's rows (read-only, values only), or add its problems and return None."""
    ws.reset_dimensions()  # a stale <dimension> would cut rows off
    head = [
        (number, tuple(values))
        for number, values in enumerate(ws.iter_rows(min_row=1, max_row=_HEADER_SEARCH_ROWS, values_only=True), start=1)
    ]
    extra = {"sheet": sheet} if sheet is not None else {}
    if not any(not _is_blank(v) for _, values in head for v in values):
        if not allow_empty:
            problems.append(ImportProblem(1, _SHEET_EMPTY, {"name": _quote(ws.title), **extra}))
        return None
    header_row, found, headers, header_problems = _locate_header(head, lookup, columns, sheet)
    if header_problems:
        problems.extend(header_problems)
        return None
    width = max(found.values()) + 1
    rows: list[tuple[int, tuple[object, ...]]] = []
    counted = 0
    nik_index = found.get("nik")
    for number, values in enumerate(
        ws.iter_rows(min_row=header_row + 1, max_col=width, values_only=True),
        start=header_row + 1,
    ):
        if all(_is_blank(v) for v in values):
            continue
        if not _is_example(values, nik_index):
            counted += 1
            if counted > limit:
                problems.append(ImportProblem(number, too_many, {"maximum": limit, **extra}))
                return None
        rows.append((number, values))
    return _Table(sheet, header_row, found, headers, rows)


def _is_example(values: Sequence[object], nik_index: int | None) -> bool:
    """A row of the template's example (it does not count towards the row limit)."""
    return nik_index is not None and nik_index < len(values) and _code_text(values[nik_index]) == EXAMPLE_NIK


def _decode_csv(data: bytes) -> str:
    """The text of a CSV as offices save it: UTF-8 (with or without BOM), UTF-16 with a BOM
    (Excel's "Unicode Text"), or else Windows-1252 — what Excel on an Indonesian Windows writes
    for "CSV (Comma delimited)". A file valid as UTF-8 is read as UTF-8: Windows-1252 text with
    accents is almost never valid UTF-8, so the order cannot mistake one for the other."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _reject(_NOT_UTF8) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # one of the five bytes Windows-1252 leaves undefined: not such a file
        raise _reject(_NOT_UTF8) from None


def _csv_delimiter(text: str) -> tuple[str, str]:
    """The delimiter and the text without Excel's ``sep=`` line. Indonesian Excel writes ";"
    (the comma is the decimal mark there); others "," or a tab. The header row decides: the
    candidate that splits it into the most fields, quotes respected."""
    first_line, _, rest = text.partition("\n")
    hint = first_line.strip().lower()
    if hint.startswith("sep=") and len(hint) == 5:
        return first_line.strip()[4], rest
    header = next((line for line in text.splitlines() if line.strip()), "")

    def fields(delimiter: str) -> int:
        try:
            return len(next(csv.reader([header], delimiter=delimiter), []))
        except csv.Error:
            return 0

    return max((",", ";", "\t"), key=fields), text


def _read_csv(data: bytes, max_rows: int) -> _Table:
    text = _decode_csv(data)
    if "\x00" in text:
        raise _reject(_NOT_TEXT, template=TEMPLATE_FILE_NAME)
    delimiter, text = _csv_delimiter(text)
    records: list[tuple[int, tuple[object, ...]]] = []
    number = 0
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, record in enumerate(reader, start=1):
            records.append((number, tuple(record)))
    except csv.Error:  # a field over csv.field_size_limit(), a stray quote in strict files…
        raise _reject(_CSV_BROKEN, number + 1) from None
    columns = (*CLIENT_COLUMNS, *CSV_BUDGET_COLUMNS)
    head = records[:_HEADER_SEARCH_ROWS]
    if not any(not _is_blank(v) for _, values in head for v in values):
        raise _reject(_FILE_EMPTY, template=TEMPLATE_FILE_NAME)
    header_row, found, headers, problems = _locate_header(head, _CSV_LOOKUP, columns, None)
    budget_keys = [c for c in CSV_BUDGET_COLUMNS if c.key in found]
    if budget_keys and len(budget_keys) < len(CSV_BUDGET_COLUMNS):
        # The budget columns are optional together: with one of them, all four are needed.
        lang = "en" if any(headers[c.key] == c.en for c in budget_keys) else "id"
        problems.extend(
            ImportProblem(header_row, _MISSING_COLUMN,
                          {"name": getattr(c, lang), "template": TEMPLATE_FILE_NAME})
            for c in CSV_BUDGET_COLUMNS
            if c.key not in found
        )  # fmt: skip
    if problems:
        raise ImportRejected(problems)
    rows = [(n, values) for n, values in records[header_row:] if not all(_is_blank(v) for v in values)]
    counted = [n for n, values in rows if not _is_example(values, found.get("nik"))]
    if len(counted) > max_rows:
        raise _reject(_TOO_MANY_CLIENTS, counted[max_rows], maximum=max_rows)
    return _Table(None, header_row, found, headers, rows)


# --------------------------------------------------------------------------- cells


def _text(value: object) -> str:
    """A cell as trimmed text, the way the operator sees it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"
    return str(value).strip()


def _code_text(value: object) -> str:
    """Text of a code cell (NIK, phone, province): also drop Excel's leading text apostrophe."""
    return _text(value).lstrip("'\u2019").strip()


# "3.20101E+15", "3,20101E+15": a NIK that Excel showed, and exported, in scientific notation.
_SCIENTIFIC = re.compile(r"^[0-9]+(?:[.,][0-9]+)?[eE]\+?[0-9]+$")
# Doubles hold every integer up to 2**53 exactly; NIKs above it (91…–96…) do not survive.
_EXACT_FLOAT_LIMIT = 2**53


def _nik_cell(value: object, *, today: dt.date) -> tuple[NikInfo, list[Problem]]:
    """Parse a NIK cell, raising ValidationError; returns the NIK and its Excel warnings."""
    lost_digits = ValidationError(Problem(_NIK_LOST_DIGITS, field="nik"))
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    # An int cell holds its digits exactly. A float (the file wrote "3.2010145089E+15") is taken
    # only when it is whole, exact, and keeps 16 significant digits: trailing zeros are what
    # Excel's 15-digit limit leaves behind.
    if isinstance(value, float) and not (
        math.isfinite(value)
        and value.is_integer()
        and abs(value) < _EXACT_FLOAT_LIMIT
        and not str(int(value)).endswith("0")
    ):
        raise lost_digits
    text = _code_text(value)
    if _SCIENTIFIC.match(text):
        raise lost_digits
    info = parse_nik(text, today=today)
    warnings: list[Problem] = []
    if numeric and info.nik.endswith("0"):
        warnings.append(Problem(_NIK_NUMBER_WARNING, severity="warn", field="nik"))
    return info, warnings


_PROVINCE_WITH_NAME = re.compile(r"^([0-9]{2})(?:\s*[-–.:]\s*|\s+)\D.*$", re.DOTALL)


def _province_cell(value: object) -> str:
    text = _code_text(value)
    if not text:
        raise ValidationError(Problem(_PROVINCE_EMPTY, field="province_code"))
    match = _PROVINCE_WITH_NAME.match(text)
    code = match.group(1) if match else text
    if is_known_province_code(code):
        return code
    if not code.isdigit():
        found = province_search(text)
        if len(found) == 1:  # "Jawa Barat", "jabar"; never a guess among several
            return found[0][0]
    raise ValidationError(Problem(_PROVINCE_UNKNOWN, {"value": _quote(text)}, field="province_code"))


_APPROACH_WORDS: Mapping[str, Approach] = {
    **{a.value: a for a in Approach},
    "family": Approach.KELUARGA,
    "community": Approach.KOMUNITAS,
    "residential": Approach.RESIDENSIAL,
}


def _approach_cell(value: object) -> Approach:
    key = " ".join(_text(value).casefold().split()).rstrip(".")
    key = key.removeprefix("berbasis ").removesuffix("-based").removesuffix(" based")
    approach = _APPROACH_WORDS.get(key)
    if approach is None:
        raise ValidationError(Problem(_APPROACH, field="approach"))
    return approach


_COMPONENT_SEPARATORS = re.compile(r"[\s,;./+&]+")
_COMPONENTS_EXAMPLE = "1,3,4"


def _components_cell(value: object) -> tuple[Component, ...]:
    text = _code_text(value)
    tokens = [t for t in _COMPONENT_SEPARATORS.split(text) if t]
    if not tokens:
        raise ValidationError(Problem(_COMPONENTS_EMPTY, {"example": _COMPONENTS_EXAMPLE}, field="components"))
    chosen: set[Component] = set()
    for token in tokens:
        if token not in _COMPONENT_VALUES:
            raise ValidationError(
                Problem(
                    _COMPONENTS_BAD,
                    {"value": _quote(token, 20), "example": _COMPONENTS_EXAMPLE},
                    field="components",
                )
            )
        chosen.add(Component(token))
    return tuple(sorted(chosen, key=lambda c: int(c.value)))


_COMPONENT_VALUES = frozenset(c.value for c in Component)
_ONE_COMPONENT = re.compile(r"^([1-7])(?:\s*[-–.:)]\s*.*|\s+.*)?$", re.DOTALL)


def _component_cell(value: object) -> Component:
    match = _ONE_COMPONENT.match(_code_text(value))
    if match is None:
        raise ValidationError(Problem(_COMPONENT_BAD, {"example": 3}, field="component"))
    return Component(match.group(1))


# --------------------------------------------------------------------------- validation


class _Row:
    """Checks the cells of one row, collecting problems with their location."""

    def __init__(self, table: _Table, number: int, values: tuple[object, ...],
                 problems: list[ImportProblem]) -> None:  # fmt: skip
        self.table = table
        self.number = number
        self.values = values
        self.problems = problems
        self.failed = False

    def value(self, key: str) -> object:
        return self.table.value(self.values, key)

    def add(self, key: str, message: str, params: Mapping[str, object] | None = None) -> None:
        location: dict[str, object] = {"column": self.table.headers.get(key, key)}
        if self.table.sheet is not None:
            location["sheet"] = self.table.sheet
        self.problems.append(ImportProblem(self.number, message, {**(params or {}), **location}))
        self.failed = True

    def check(self, key: str, parse: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``parse(*args, **kwargs)``, or None after recording its problems under ``key``."""
        try:
            return parse(*args, **kwargs)
        except ValidationError as error:
            for problem in error.problems:
                self.add(key, problem.message, problem.params)
            return None


_MISSING = object()


class _Validator:
    def __init__(self, *, today: dt.date, ceilings: Mapping[str, int]) -> None:
        self.today = today
        self.ceilings = ceilings
        self.problems: list[ImportProblem] = []

    def run(self, clients: _Table, budget: _Table | None) -> list[ClientInput]:
        parsed: dict[int, dict[str, Any]] = {}  # row -> fields, for rows without problems
        components_by_nik: dict[str, tuple[Component, ...] | None] = {}
        first_row: dict[str, int] = {}
        lines: dict[int, list[BudgetInput]] = {}
        for number, values in clients.rows:
            row = _Row(clients, number, values, self.problems)
            fields = self._client(row)
            if fields is None:  # the template's example row, left as it was
                continue
            nik = fields.get("nik")
            if nik is not None:
                if nik in first_row:
                    row.add("nik", _DUPLICATE_NIK, {"first_row": first_row[nik]})
                else:
                    first_row[nik] = number
                    components_by_nik[nik] = fields.get("components")
            if any(k in clients.columns for k in _CSV_TO_BUDGET):
                line = self._budget_line(row, _CSV_TO_BUDGET, fields.get("components"), csv=True)
                if line is not None:
                    lines.setdefault(number, []).append(line)
            if not row.failed:
                parsed[number] = fields
        if budget is not None:
            keys = {key: key for key in ("component", "description", "quantity", "unit_cost")}
            for number, values in budget.rows:
                row = _Row(budget, number, values, self.problems)
                nik = self._budget_nik(row)
                if nik is _MISSING:
                    continue  # a line of the template's example
                components = components_by_nik.get(nik) if isinstance(nik, str) else None
                if isinstance(nik, str) and nik not in first_row:
                    row.add("nik", _BUDGET_NIK_UNKNOWN, {"nik": mask_nik(nik)})
                line = self._budget_line(row, keys, components, csv=False)
                if line is not None and not row.failed and isinstance(nik, str):
                    lines.setdefault(first_row[nik], []).append(line)
        if self.problems:
            raise ImportRejected(self.problems)
        if not parsed:
            raise _reject(_NO_CLIENTS, clients.header_row + 1)
        return [
            ClientInput(
                row=number,
                budget=tuple(lines.get(number, ())),
                **fields,
            )
            for number, fields in parsed.items()
        ]

    # -- one client row ---------------------------------------------------------------------

    def _client(self, row: _Row) -> dict[str, Any] | None:
        today = self.today
        nik_result = row.check("nik", _nik_cell, row.value("nik"), today=today)
        name = row.check("full_name", parse_name, _text(row.value("full_name")),
                         field="full_name", max_length=_MAX_NAME)  # fmt: skip
        if nik_result is not None and nik_result[0].nik == EXAMPLE_NIK:
            if name is not None and name.casefold() == _EXAMPLE_CLIENT["full_name"].casefold():
                return None
            row.add("nik", _EXAMPLE_NIK_USED)
        sex = row.check("sex", parse_sex, _text(row.value("sex")))
        birth_date = row.check("birth_date", parse_birth_date, _text(row.value("birth_date")), today=today)
        province = row.check("province_code", _province_cell, row.value("province_code"))
        regency = row.check("regency", parse_free_text, _text(row.value("regency")),
                            field="regency", max_length=_MAX_REGENCY)  # fmt: skip
        address = row.check("address", parse_free_text, _text(row.value("address")),
                            field="address", max_length=_MAX_ADDRESS)  # fmt: skip
        phone_text = _code_text(row.value("phone"))
        phone = row.check("phone", parse_phone, phone_text) if phone_text else None
        approach = row.check("approach", _approach_cell, row.value("approach"))
        components = row.check("components", _components_cell, row.value("components"))
        assessment = row.check("assessment", parse_free_text, _text(row.value("assessment")),
                               field="assessment", max_length=_MAX_LONG_TEXT)  # fmt: skip
        plan = row.check("intervention_plan", parse_free_text,
                         _text(row.value("intervention_plan")),
                         field="intervention_plan", max_length=_MAX_LONG_TEXT)  # fmt: skip
        warnings: list[Problem] = []
        nik: str | None = None
        if nik_result is not None:
            info, excel_warnings = nik_result
            nik = info.nik
            warnings.extend(excel_warnings)
            warnings.extend(nik_warnings(info, birth_date=birth_date, sex=sex))
        return {
            "full_name": name,
            "nik": nik,
            "sex": sex,
            "birth_date": birth_date,
            "province_code": province,
            "regency": regency,
            "address": address,
            "phone": phone,
            "approach": approach,
            "components": components,
            "assessment": assessment,
            "intervention_plan": plan,
            "warnings": tuple(warnings),
        }

    # -- budget -------------------------------------------------------------------------------

    def _budget_nik(self, row: _Row) -> str | None | object:
        """The line's NIK; None when it is invalid (reported); _MISSING for an example line."""
        result = row.check("nik", _nik_cell, row.value("nik"), today=self.today)
        if result is None:
            return None
        nik = result[0].nik
        return _MISSING if nik == EXAMPLE_NIK else nik

    def _budget_line(
        self,
        row: _Row,
        keys: Mapping[str, str],
        client_components: tuple[Component, ...] | None,
        *,
        csv: bool,
    ) -> BudgetInput | None:
        """Check one budget line; ``keys`` maps the table's column keys to the line's fields.

        On a CSV row the four budget columns are optional: all empty means no line.
        """
        column = {field: key for key, field in keys.items()}
        values = {field: row.value(key) for key, field in keys.items()}
        if csv and all(_is_blank(v) for v in values.values()):
            return None
        before = len(row.problems)
        component = row.check(column["component"], _component_cell, values["component"])
        description = row.check(column["description"], parse_free_text,
                                _text(values["description"]), field="description",
                                max_length=_MAX_DESCRIPTION)  # fmt: skip
        quantity = row.check(column["quantity"], parse_quantity, _text(values["quantity"]))
        unit_cost = row.check(column["unit_cost"], parse_money, _text(values["unit_cost"]),
                              field="unit_cost")  # fmt: skip
        if component is not None and unit_cost is not None:
            ceiling = self.ceilings.get(component.value)
            if ceiling is not None and unit_cost > ceiling:
                row.add(column["unit_cost"], _ABOVE_CEILING, {
                    "amount": format_money(unit_cost),
                    "component": component.value,
                    "ceiling": format_money(ceiling),
                })  # fmt: skip
        if component is not None and client_components and component not in client_components:
            row.add(column["component"], _COMPONENT_NOT_CHOSEN, {
                "component": component.value,
                "components": ",".join(c.value for c in client_components),
            })  # fmt: skip
        if len(row.problems) != before:
            return None
        return BudgetInput(component, description, quantity, unit_cost)


def parse_client_sheet(
    data: bytes,
    file_name: str,
    *,
    today: dt.date,
    unit_cost_ceilings: Mapping[str, int],
    max_rows: int = MAX_ROWS,
) -> list[ClientInput]:
    """Read a client list: the XLSX template (recognised by content) or a CSV export of it.

    CSV: UTF-8 (with or without BOM), separated by commas, semicolons or tabs; it may carry one
    budget line per client in the optional columns "Komponen anggaran", "Uraian anggaran",
    "Jumlah", "Harga satuan". XLSX budget lines come from the sheet "Anggaran" (any number per
    client, by NIK).

    All or nothing: returns the clients in file order, or raises
    :class:`~bot.files.ipwl_csv.ImportRejected` with every problem (see the module docstring).
    ``unit_cost_ceilings`` maps a component ("1".."7") to its highest unit cost in Rupiah.
    """
    clients, budget = _read_book(data, file_name, max_rows)
    return _Validator(today=today, ceilings=unit_cost_ceilings).run(clients, budget)

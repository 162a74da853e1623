"""The bulk client list (bot/files/client_sheet.py): template, XLSX/CSV parsing, all-or-nothing problems."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

import bot.files.client_sheet as cs
from bot.domain.models import Component
from bot.domain.validation import (
    parse_date,
    parse_free_text,
    parse_money,
    parse_name,
    parse_nik,
    parse_quantity,
)
from bot.files import workbook
from bot.files.client_sheet import (
    BUDGET_COLUMNS,
    CLIENT_COLUMNS,
    EXAMPLE_NIK,
    TEMPLATE_FILE_NAME,
    BudgetInput,
    build_template,
)
from bot.files.problems import ImportProblem, problem_location, render_problem
from tests.client_sheets import (
    CELL,
    CELL_TEXT,
    CSV_BUDGET_ID,
    EXPECTED_BUDGET,
    ID_HEADERS,
    INDONESIAN_EXCEL_CSV,
    budget_values,
    client_values,
    csv_bytes,
    expected_client,
    message_of,
    mutated_rows,
    nik_message,
    only_read_or_rejected,
    parse,
    problems_of,
    where,
    with_raw_number,
    workbook_bytes,
)
from tests.helpers import docx, zip_of
from tests.intake_context import TODAY

KEYS = [c.key for c in CLIENT_COLUMNS]
COL = {key: index for index, key in enumerate(KEYS)}
EN_HEADERS = [c.en for c in CLIENT_COLUMNS]
# In the filled template the example client is row 2, so the test clients start at row 3; the
# example budget lines are rows 2–3, so test budget lines start at row 4.
FIRST_ROW = 3
FIRST_BUDGET_ROW = 4


# --------------------------------------------------------------------------- template


def test_template_layout_id() -> None:
    wb = load_workbook(io.BytesIO(build_template()))
    assert wb.sheetnames == ["Klien", "Anggaran", "Petunjuk"]
    ws = wb["Klien"]
    assert [c.value for c in ws[1]] == [
        "Nama lengkap", "NIK", "Jenis kelamin (L/P)", "Tanggal lahir (DD-MM-YYYY)",
        "Kode provinsi", "Kabupaten/kota", "Alamat (jalan, desa/kelurahan)", "No. HP (opsional)",
        "Pendekatan", "Komponen ATENSI", "Resume asesmen", "Rencana intervensi",
    ]  # fmt: skip
    assert ws.freeze_panes == "A2"
    example = [c.value for c in ws[2]]
    assert example[COL["nik"]] == EXAMPLE_NIK and parse_nik(EXAMPLE_NIK, today=TODAY)
    assert ws["B2"].number_format == "@" and ws.column_dimensions["B"].number_format == "@"
    assert ws.column_dimensions["A"].width >= 20
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["C2"] == '"L,P"'
    assert lists["I2"] == '"keluarga,komunitas,residensial"'
    budget = wb["Anggaran"]
    assert [c.value for c in budget[1]][:2] == ["NIK", "Komponen (1-7)"]
    assert budget["A2"].value == EXAMPLE_NIK and budget.freeze_panes == "A2"
    text = "\n".join(str(c.value) for c in wb["Petunjuk"]["A"] if c.value)
    for needle in ("DD-MM-YYYY", "16 digit", "TEKS", "3,2E+15", "1,3,4", "Rupiah utuh",
                   "1. dukungan pemenuhan kebutuhan hidup layak", "7. dukungan aksesibilitas",
                   "32  Jawa Barat", "No. HP"):  # fmt: skip
        assert needle in text, needle


def test_template_in_english() -> None:
    wb = load_workbook(io.BytesIO(build_template("en")))
    assert wb.sheetnames == ["Clients", "Budget", "Instructions"]
    assert [c.value for c in wb["Clients"][1]] == EN_HEADERS
    assert "format" in "\n".join(str(c.value) for c in wb["Instructions"]["A"] if c.value).lower()
    assert TEMPLATE_FILE_NAME.endswith(".xlsx")
    assert load_workbook(io.BytesIO(build_template("en-US"))).sheetnames[0] == "Clients"
    assert load_workbook(io.BytesIO(build_template(None))).sheetnames[0] == "Klien"


def test_the_untouched_template_has_no_clients() -> None:
    problems = problems_of(build_template())
    assert where(problems) == [(2, None, cs._NO_CLIENTS)]


# --------------------------------------------------------------------------- round trips


def test_round_trip_with_budget_sheet() -> None:
    data = workbook_bytes(
        [client_values(i) for i in range(3)],
        budget_values(0) + budget_values(2)[:1],
    )
    assert (
        parse(data)
        == [
            expected_client(0, 3, EXPECTED_BUDGET),
            expected_client(1, 4),  # no budget line: allowed, no warning
            expected_client(2, 5, EXPECTED_BUDGET[:1]),
        ]
    )


def test_round_trip_without_the_example_rows_and_in_english() -> None:
    data = workbook_bytes([client_values(i) for i in range(2)], budget_values(1),
                          locale="en", keep_example=False)  # fmt: skip
    assert parse(data) == [expected_client(0, 2), expected_client(1, 3, EXPECTED_BUDGET)]


def test_sixty_clients() -> None:
    clients = [client_values(i) for i in range(60)]
    budget = [line for i in range(60) for line in budget_values(i)]
    result = parse(workbook_bytes(clients, budget))
    assert result == [expected_client(i, FIRST_ROW + i, EXPECTED_BUDGET) for i in range(60)]
    assert sum(c.total for c in result) == 60 * (3 * 250_000 + 8 * 150_000)


def test_two_hundred_clients() -> None:
    result = parse(workbook_bytes([client_values(i) for i in range(200)]))
    assert len(result) == 200 and result[-1] == expected_client(199, FIRST_ROW + 199)


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_with_budget_columns(delimiter: str) -> None:
    rows = [client_values(i) + ["1", "Paket sembako", "3", "250.000"] for i in range(2)]
    rows.append(client_values(2) + ["", "", "", ""])
    data = csv_bytes(rows, ID_HEADERS + CSV_BUDGET_ID, delimiter=delimiter)
    assert parse(data, "klien.csv") == [
        expected_client(0, 2, EXPECTED_BUDGET[:1]),
        expected_client(1, 3, EXPECTED_BUDGET[:1]),
        expected_client(2, 4),
    ]


def test_csv_without_bom_in_english_and_without_budget_columns() -> None:
    data = csv_bytes([client_values(5)], EN_HEADERS, delimiter=",", bom=False)
    assert parse(data, "clients.csv") == [expected_client(5, 2)]


def test_csv_problems_name_the_budget_columns() -> None:
    rows = [client_values(0) + ["9", "", "0", "-5"]]
    problems = problems_of(csv_bytes(rows, ID_HEADERS + CSV_BUDGET_ID), "klien.csv")
    assert [(p.row, p.params["column"]) for p in problems] == [
        (2, "Komponen anggaran"), (2, "Uraian anggaran"), (2, "Jumlah"), (2, "Harga satuan"),
    ]  # fmt: skip
    assert "sheet" not in problems[0].params


# --------------------------------------------------------------------------- Excel quirks


def test_excel_cell_types_and_whitespace() -> None:
    values = client_values(0)
    values[COL["full_name"]] = "  Budi   Aa \n"
    values[COL["nik"]] = int(values[COL["nik"]])  # an exact int: accepted
    values[COL["birth_date"]] = dt.datetime(1975, 1, 1)  # noqa: DTZ001 – a date cell (cells have no zone)
    values[COL["province_code"]] = 32  # picked from the dropdown: a number
    values[COL["approach"]] = " Keluarga "
    values[COL["components"]] = 1.3  # "1,3" in an Indonesian Excel: a decimal number
    other = client_values(1)
    other[COL["nik"]] = float(other[COL["nik"]])  # a float holding all 16 digits exactly
    other[COL["province_code"]] = "32 - Jawa Barat"
    data = workbook_bytes([values, [None] * 12, other, ["", " ", None], [None] * 12],
                          [[int(other[COL["nik"]]), 1.0, " Sembako ", 2.0, 250000.0]])  # fmt: skip
    first, second = parse(data)
    assert first.full_name == "Budi Aa" and first.nik == client_values(0)[1]
    assert first.birth_date == dt.date(1975, 1, 1) and first.province_code == "32"
    assert first.components == (Component.LIVING_NEEDS, Component.FAMILY)
    assert second.row == 5 and second.nik == client_values(1)[1]
    assert second.budget == (BudgetInput(Component.LIVING_NEEDS, "Sembako", 2, 250_000),)


@pytest.mark.parametrize(
    ("raw", "accepted"),
    [
        ("3.201010101750001E+15", True),  # a float holding all 16 digits
        ("9.4710145089000049E+15", False),  # above 2**53: digits lost
        ("3.2010101017500005E+15", False),  # not a whole number
        ("3.20101E+15", False),  # Excel's 15-digit rounding, then some
    ],
)
def test_float_nik_cells(raw: str, accepted: bool) -> None:
    data = with_raw_number(workbook_bytes([client_values(0)]), f"B{FIRST_ROW}", raw)
    if accepted:
        assert parse(data) == [expected_client(0, FIRST_ROW)]
    else:
        assert where(problems_of(data)) == [(FIRST_ROW, "NIK", cs._NIK_LOST_DIGITS)]


def test_a_title_row_above_the_header_and_headers_in_other_case() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Daftar klien IPWL Harapan"])
    ws.append([h.upper().replace(" (DD-MM-YYYY)", "") for h in ID_HEADERS])
    ws.append(client_values(0))
    out = io.BytesIO()
    wb.save(out)
    assert parse(out.getvalue()) == [expected_client(0, 3)]


def test_nik_and_column_mismatches_are_warnings() -> None:
    values = client_values(0)  # a man born 01-01-1975
    values[COL["birth_date"]] = "02-01-1975"
    values[COL["sex"]] = "P"
    other = client_values(12)  # serial 0013
    other[COL["nik"]] = int(other[COL["nik"]][:-1] + "0")  # a number ending in 0: Excel may have cut it
    first, second = parse(workbook_bytes([values, other]))
    assert {w.field for w in first.warnings} == {"birth_date", "sex"}
    assert all(w.severity == "warn" for w in first.warnings)
    assert [w.message for w in second.warnings] == [cs._NIK_NUMBER_WARNING]


def test_the_example_nik_under_another_name_is_refused() -> None:
    values = client_values(0)
    values[COL["nik"]] = EXAMPLE_NIK
    assert where(problems_of(workbook_bytes([values]))) == [(3, "NIK", cs._EXAMPLE_NIK_USED)]


# --------------------------------------------------------------------------- bad cells

_LONG_NAME = "A" * 4000


BAD_CELLS: list[tuple[str, str, object, str]] = [
    # (case, column key, cell value, expected msgid)
    ("nik 15 digits", "nik", "320101010175000", nik_message("320101010175000")),
    ("nik letters", "nik", "32010101017500AB", nik_message("32010101017500AB")),
    ("nik scientific text", "nik", "3,20101E+15", cs._NIK_LOST_DIGITS),
    ("nik impossible date", "nik", "3201013102200001", nik_message("3201013102200001")),
    ("nik serial 0000", "nik", "3201010101750000", nik_message("3201010101750000")),
    ("nik unknown province", "nik", "9901010101750001", nik_message("9901010101750001")),
    ("impossible date", "birth_date", "31-02-2020", message_of(lambda: parse_date("31-02-2020", today=TODAY))),
    ("future birth date", "birth_date", "01-01-2030", message_of(lambda: parse_date("01-01-2030", today=TODAY))),
    ("unknown province", "province_code", "99", cs._PROVINCE_UNKNOWN),
    ("empty province", "province_code", None, cs._PROVINCE_EMPTY),
    ("4000-character name", "full_name", _LONG_NAME, message_of(lambda: parse_name(_LONG_NAME))),
    ("name with digits", "full_name", "Budi 2", message_of(lambda: parse_name("Budi 2"))),
    ("sex", "sex", "X", "Answer L (laki-laki) or P (perempuan)."),
    ("approach", "approach", "rawat jalan", cs._APPROACH),
    ("component 9", "components", "1,9", cs._COMPONENTS_BAD),
    ("no components", "components", " ", cs._COMPONENTS_EMPTY),
    ("no address", "address", "", message_of(lambda: parse_free_text("", field="address"))),
    ("bad phone", "phone", "12345", "A phone number starts with 0 or +62, e.g. {example}."),
]


@pytest.mark.parametrize(("key", "value", "message"), [c[1:] for c in BAD_CELLS],
                         ids=[c[0] for c in BAD_CELLS])  # fmt: skip
def test_a_bad_cell_rejects_the_whole_file(key: str, value: object, message: str) -> None:
    clients = [client_values(i) for i in range(3)]
    clients[1][COL[key]] = value
    problems = problems_of(workbook_bytes(clients, budget_values(0)))
    assert (FIRST_ROW + 1, ID_HEADERS[COL[key]], message) in where(problems)
    assert {p.row for p in problems} == {FIRST_ROW + 1}


BAD_LINES: list[tuple[str, int, object, str]] = [
    # (case, budget column index, value, expected msgid)
    ("negative amount", 4, -5, message_of(lambda: parse_money("-5"))),
    ("absurd amount", 4, "99.000.000.000", message_of(lambda: parse_money("99.000.000.000"))),
    ("fraction of a rupiah", 4, 1500.5, message_of(lambda: parse_money("1500.5"))),
    ("above the ceiling", 4, 3_000_001, cs._ABOVE_CEILING),
    ("quantity 0", 3, 0, message_of(lambda: parse_quantity("0"))),
    ("component 8", 1, 8, cs._COMPONENT_BAD),
    ("component not chosen", 1, 2, cs._COMPONENT_NOT_CHOSEN),
    ("no description", 2, None, message_of(lambda: parse_free_text("", field="description"))),
    ("nik not in clients", 0, client_values(7)[1], cs._BUDGET_NIK_UNKNOWN),
    ("nik malformed", 0, "123", nik_message("123")),
]


@pytest.mark.parametrize(("index", "value", "message"), [c[1:] for c in BAD_LINES],
                         ids=[c[0] for c in BAD_LINES])  # fmt: skip
def test_a_bad_budget_line_rejects_the_whole_file(index: int, value: object, message: str) -> None:
    lines = budget_values(0) + budget_values(1)
    lines[2][index] = value
    problems = problems_of(workbook_bytes([client_values(i) for i in range(3)], lines))
    row = FIRST_BUDGET_ROW + 2
    assert where(problems) == [(row, BUDGET_COLUMNS[index].id, message)]
    assert problems[0].params["sheet"] == "Anggaran"


def test_the_ceiling_is_named() -> None:
    lines = budget_values(0)
    lines[0][4] = 3_500_000
    (problem,) = problems_of(workbook_bytes([client_values(0)], lines))
    assert problem.params["ceiling"] == "Rp3.000.000" and problem.params["component"] == "1"
    assert render_problem(problem) == (
        "sheet Anggaran, row 4, column Harga satuan (Rp): The unit cost Rp3.500.000 is above "
        "the ceiling for component 1: at most Rp3.000.000."
    )


def test_duplicate_nik_is_an_error_on_the_second_row() -> None:
    clients = [client_values(i) for i in range(4)]
    clients[3][COL["nik"]] = clients[1][COL["nik"]]
    problems = problems_of(workbook_bytes(clients))
    assert where(problems) == [(FIRST_ROW + 3, "NIK", cs._DUPLICATE_NIK)]
    assert problems[0].params["first_row"] == FIRST_ROW + 1


def test_every_problem_is_listed_with_its_row() -> None:
    clients = [client_values(i) for i in range(5)]
    clients[0][COL["nik"]] = "123"
    clients[2][COL["birth_date"]] = "31-02-2020"
    clients[2][COL["approach"]] = "?"
    lines = budget_values(1)
    lines[1][0] = client_values(9)[1]
    problems = problems_of(workbook_bytes(clients, lines))
    assert [(p.row, p.params.get("sheet"), p.params["column"]) for p in problems] == [
        (3, None, "NIK"),
        (5, None, "Tanggal lahir (DD-MM-YYYY)"),
        (5, None, "Pendekatan"),
        (5, "Anggaran", "NIK"),
    ]


def test_rendering_from_msgids() -> None:
    clients = [client_values(i) for i in range(5)]
    clients[4][COL["nik"]] = "320101010175000"
    (problem,) = problems_of(workbook_bytes(clients))
    assert problem_location(problem) == ("row {row}, column {column}:", {"row": 7, "column": "NIK"})
    assert render_problem(problem) == (
        "row 7, column NIK: A NIK has 16 digits, but you typed 15. Example: 3201xxxxxxxxxxxx."
    )
    # A translator sees only msgids and params (here: a fake Indonesian catalog).
    catalog = {
        "row {row}, column {column}:": "baris {row}, kolom {column}:",
        "A NIK has 16 digits, but you typed {count}. Example: {example}.":
            "NIK harus 16 digit angka, bukan {count}.",
    }  # fmt: skip
    gettext = lambda msgid, **params: catalog.get(msgid, msgid).format(**params)  # noqa: E731
    assert render_problem(problem, gettext) == "baris 7, kolom NIK: NIK harus 16 digit angka, bukan 15."
    whole_file = ImportProblem(0, cs._NOT_XLSX)
    assert problem_location(whole_file) is None and render_problem(whole_file) == cs._NOT_XLSX


# --------------------------------------------------------------------------- bad files


DOCX = docx()
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "klien.xlsx", cs._FILE_EMPTY),
        (b"  \r\n", "klien.csv", cs._FILE_EMPTY),
        (b"PK\x03\x04 broken zip", "klien.xlsx", cs._NOT_XLSX),
        (b"\x89PNG\r\n\x1a\n not a sheet", "klien.xlsx", cs._NOT_XLSX),
        (DOCX, "klien.xlsx", cs._WORD_DOCUMENT),
        (zip_of({"xl/workbook.xml": "<not xml"}), "klien.xlsx", cs._NOT_XLSX),
        (OLE + "EncryptedPackage".encode("utf-16-le"), "klien.xlsx", cs._PASSWORD),
        (OLE, "klien.xls", cs._OLD_XLS),
        (b"\xff\xfeN\x00\x00\xd8", "klien.csv", cs._NOT_UTF8),  # UTF-16 BOM, then a lone surrogate
        (b"Nama lengkap;NIK\n" + b"Jos\x81;1\n", "klien.csv", cs._NOT_UTF8),  # neither UTF-8 nor cp1252
        (b"Nama lengkap\x00NIK", "klien.csv", cs._NOT_TEXT),
    ],
    ids=[
        "empty",
        "blank csv",
        "broken zip",
        "png",
        "docx",
        "bad xml",
        "password",
        "xls",
        "broken utf-16 csv",
        "undefined cp1252 byte",
        "binary csv",
    ],  # fmt: skip
)
def test_a_file_that_cannot_be_read_gives_one_problem(data: bytes, name: str, message: str) -> None:
    assert where(problems_of(data, name)) == [(0, None, message)]


def test_a_truncated_workbook_is_a_broken_file() -> None:
    data = workbook_bytes([client_values(0)])
    assert where(problems_of(data[: len(data) // 2])) == [(0, None, cs._NOT_XLSX)]


def test_a_zip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_UNCOMPRESSED", 10_000)
    assert where(problems_of(workbook_bytes([client_values(0)]))) == [(0, None, cs._TOO_BIG)]


def test_missing_columns_give_one_problem_each() -> None:
    wb = load_workbook(io.BytesIO(workbook_bytes([client_values(0)])))
    ws = wb["Klien"]
    ws.delete_cols(COL["nik"] + 1)
    ws["A1"] = "Nama"  # an alias: still recognised
    ws.cell(row=1, column=ws.max_column).value = None  # drop "Rencana intervensi"
    out = io.BytesIO()
    wb.save(out)
    problems = problems_of(out.getvalue())
    assert [(p.row, p.message, p.params["name"]) for p in problems] == [
        (1, cs._MISSING_COLUMN, "NIK"),
        (1, cs._MISSING_COLUMN, "Rencana intervensi"),
    ]


def test_missing_columns_are_named_in_the_file_language() -> None:
    data = csv_bytes([client_values(0)[:-1]], EN_HEADERS[:-1], delimiter=",")
    (problem,) = problems_of(data, "clients.csv")
    assert problem.params["name"] == "Intervention plan"


def test_a_missing_budget_column_names_the_sheet() -> None:
    wb = load_workbook(io.BytesIO(workbook_bytes([client_values(0)])))
    wb["Anggaran"]["E1"] = "Total"
    out = io.BytesIO()
    wb.save(out)
    (problem,) = problems_of(out.getvalue())
    assert problem.params == {"name": "Harga satuan (Rp)", "template": TEMPLATE_FILE_NAME,
                              "sheet": "Anggaran"}  # fmt: skip
    assert render_problem(problem).startswith("sheet Anggaran, row 1: Column Harga satuan (Rp) is missing")


def test_csv_budget_columns_come_together() -> None:
    data = csv_bytes([client_values(0) + ["3", "250000"]], ID_HEADERS + ["Jumlah", "Harga satuan"])
    problems = problems_of(data, "k.csv")
    assert [(p.row, p.message, p.params["name"]) for p in problems] == [
        (1, cs._MISSING_COLUMN, "Komponen anggaran"),
        (1, cs._MISSING_COLUMN, "Uraian anggaran"),
    ]


def test_duplicate_column() -> None:
    data = csv_bytes([client_values(0) + ["x"]], ID_HEADERS + ["NIK"])
    assert where(problems_of(data, "k.csv")) == [(1, None, cs._DUPLICATE_COLUMN)]


def test_an_empty_sheet() -> None:
    wb = Workbook()
    wb.active.title = "Klien"
    out = io.BytesIO()
    wb.save(out)
    assert where(problems_of(out.getvalue())) == [(1, None, cs._SHEET_EMPTY)]


def test_a_header_without_clients() -> None:
    data = csv_bytes([], ID_HEADERS)
    assert where(problems_of(data, "k.csv")) == [(2, None, cs._NO_CLIENTS)]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_more_clients_than_allowed_is_one_problem(kind: str) -> None:
    clients = [client_values(i) for i in range(7)]
    clients[6][COL["nik"]] = "bad"  # never validated: the count comes first
    if kind == "xlsx":
        data, first_excess = workbook_bytes(clients), FIRST_ROW + 5
    else:
        data, first_excess = csv_bytes(clients, ID_HEADERS), 7
    problems = problems_of(data, f"k.{kind}", max_rows=5)
    assert [(p.row, p.message, dict(p.params)) for p in problems] == [
        (first_excess, cs._TOO_MANY_CLIENTS, {"maximum": 5})
    ]


# --------------------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b),
        st.binary(max_size=300).map(lambda b: OLE + b),
        st.binary(max_size=300).map(lambda b: b"Nama lengkap;NIK;Jenis kelamin\n" + b),
    ),
    name=st.sampled_from(["klien.xlsx", "klien.csv", "klien", "KLIEN.XLS"]),
)
def test_random_bytes_are_only_ever_rejected(data: bytes, name: str) -> None:
    only_read_or_rejected(data, name)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), cut=st.integers(1, 5000))
def test_damaged_workbooks_are_only_ever_rejected(seed: int, cut: int) -> None:
    data = bytearray(workbook_bytes([client_values(seed % 100)], budget_values(seed % 100)))
    position = (seed * 7919) % len(data)
    data[position : position + cut % 64] = bytes((seed + k) % 256 for k in range(cut % 64))
    only_read_or_rejected(bytes(data[: max(cut * 3, len(data) - cut)]), "klien.xlsx")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clients=mutated_rows(3), line=st.lists(CELL, min_size=5, max_size=5))
def test_random_cells_in_a_workbook_are_only_ever_rejected(clients: list[list[Any]], line: list[Any]) -> None:
    only_read_or_rejected(workbook_bytes(clients, [line]), "klien.xlsx", readable=True)


@settings(max_examples=100, deadline=None)
@given(
    clients=mutated_rows(3),
    budget=st.lists(st.one_of(st.just(""), CELL_TEXT), min_size=4, max_size=4),
    delimiter=st.sampled_from([";", ","]),
)
def test_random_cells_in_a_csv_are_only_ever_rejected(
    clients: list[list[Any]], budget: list[str], delimiter: str
) -> None:
    rows = [row + budget for row in clients]
    only_read_or_rejected(csv_bytes(rows, ID_HEADERS + CSV_BUDGET_ID, delimiter=delimiter), "k.csv", readable=True)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_random_csv_text_is_only_ever_rejected(text: str) -> None:
    only_read_or_rejected(("Nama lengkap,NIK,Pendekatan\n" + text).encode("utf-8", "surrogatepass"),
                     "k.csv")  # fmt: skip


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig", "utf-16"])
def test_a_csv_saved_by_indonesian_excel_is_read_whatever_its_encoding(encoding: str) -> None:
    data = INDONESIAN_EXCEL_CSV.encode(encoding)
    if encoding == "utf-16":  # Excel's "Unicode Text" is tab-separated
        data = INDONESIAN_EXCEL_CSV.replace(";", "\t").encode(encoding)
    dewi, rene = parse(data, "klien.csv")
    assert dewi.full_name == "Dewi Anggraeni" and dewi.address == "Gg. Mawar – RT 02/05, Desa Cibinong"
    assert "“pemulihan”" in dewi.assessment and dewi.birth_date == dt.date(1995, 2, 17)
    assert dewi.budget == (BudgetInput(Component.LIVING_NEEDS, "Paket sembako", 3, 250_000),)
    assert rene.full_name == "René Sitompul" and "’ingin pulih’" in rene.assessment
    assert rene.budget == (BudgetInput(Component.THERAPY, "Konseling individu", 8, 150_000),)


def test_excel_sep_line_names_the_delimiter() -> None:
    data = ("sep=;\r\n" + INDONESIAN_EXCEL_CSV).encode("cp1252")
    assert [c.full_name for c in parse(data, "klien.csv")] == ["Dewi Anggraeni", "René Sitompul"]


def test_the_client_list_of_a_draft_reads_back_as_the_same_clients() -> None:
    from bot.domain.models import BudgetLine, Client

    first, second = parse(INDONESIAN_EXCEL_CSV.encode("cp1252"), "klien.csv")
    saved = [
        Client(
            id=10 + i,
            proposal_id=1,
            position=i + 1,
            full_name=c.full_name,
            nik=c.nik,
            sex=c.sex,
            birth_date=c.birth_date,
            province_code=c.province_code,
            regency=c.regency,
            address=c.address,
            phone=c.phone,
            approach=c.approach,
            components=c.components,
            assessment=c.assessment,
            intervention_plan=c.intervention_plan,
            budget=tuple(
                BudgetLine(100 + j, 10 + i, b.component, b.description, b.quantity, b.unit_cost)
                for j, b in enumerate(c.budget)
            ),
        )
        for i, c in enumerate((first, second))
    ]
    listed = parse(build_template("id", saved))
    assert [(c.full_name, c.nik, c.birth_date, c.address, c.components, c.budget) for c in listed] == [
        (c.full_name, c.nik, c.birth_date, c.address, c.components, c.budget) for c in (first, second)
    ]
    assert [c.phone for c in listed] == [first.phone, None]

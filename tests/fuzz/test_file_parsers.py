"""Every file the bot reads — the client list (XLSX and CSV), the accounts and transfers workbooks,
the LPJ workbook, the IPWL registry CSV — fed random bytes, damaged files and real templates with
random cells: each is read whole or refused whole with clear, row-numbered problems."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bot.domain.lpj_intake import LpjContent
from bot.files.client_sheet import ClientInput, build_template
from bot.files.finance_sheets import (
    SheetClient,
    build_accounts_template,
    build_transfers_template,
    parse_accounts_sheet,
    parse_transfers_sheet,
)
from bot.files.ipwl_csv import parse_ipwl_csv
from bot.files.lpj_sheet import build_lpj_template, parse_lpj_sheet
from tests.fuzz.conftest import examples, tried
from tests.fuzz.fuzz_cast import TODAY, _client_list, _damage, _fill, read_or_refuse
from tests.lpj_contents import CLIENTS as LPJ_CLIENTS
from tests.lpj_contents import EARLIEST
from tests.lpj_contents import TODAY as LPJ_TODAY

SHEET_CLIENTS = [
    SheetClient(11, 1, "Siti Rahayu", "3201014508900004", 1_500_000),
    SheetClient(12, 2, "Budi Santoso", "3201011203850002", 1_500_000, "bni", "0123456789", "Budi Santoso"),
]

_TEXT = st.text(max_size=40).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))
CELL = st.one_of(
    st.none(),
    _TEXT,
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.booleans(),
    st.sampled_from(
        [
            "L",
            "P",
            "32",
            "1,3",
            "01-01-1990",
            "3201014508900004",
            "3201011203850002",
            "keluarga",
            "BRI",
            "Bank Mandiri",
            "0123456789",
            "123456789012345",
            "sent",
            "failed",
            "returned",
            "terkirim",
            "gagal",
            "=A1",
            '=HYPERLINK("x")',
            "Rp 1.500.000,-",
            "1e400",
            "\u00a0",
            "{x}",
        ]
    ),
)
JUNK = st.one_of(
    st.binary(max_size=400),
    st.binary(max_size=400).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=400).map(lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b),  # an old .xls
)


_CELLS = st.lists(st.tuples(st.integers(1, 8), st.integers(1, 14), CELL), max_size=10)
_CLIENT_TEMPLATE = build_template("id")
_ACCOUNTS = build_accounts_template(SHEET_CLIENTS)
_TRANSFERS = build_transfers_template(SHEET_CLIENTS)
_LPJ_CONTENT = LpjContent(LPJ_CLIENTS)
_LPJ = build_lpj_template(_LPJ_CONTENT, "USL-2026-0001")


@examples(60)
@given(data=JUNK, name=st.sampled_from(["klien.xlsx", "klien.csv", "klien", "KLIEN.XLS"]))
def test_client_list_junk_is_refused_clearly(data: bytes, name: str) -> None:
    tried("client list: junk bytes")
    read_or_refuse(lambda d: _client_list(d, name), data)


@examples(25)
@given(cells=_CELLS, sheet=st.sampled_from([0, 1]))
def test_client_list_template_with_random_cells(cells, sheet) -> None:
    tried("client list: template + random cells")
    result = read_or_refuse(_client_list, _fill(_CLIENT_TEMPLATE, sheet, cells))
    assert result is None or all(isinstance(c, ClientInput) for c in result)


@examples(15)
@given(seed=st.integers(0, 10**6), cut=st.integers(1, 5000))
def test_client_list_damaged_workbook(seed: int, cut: int) -> None:
    tried("client list: damaged workbook")
    read_or_refuse(_client_list, _damage(_CLIENT_TEMPLATE, seed, cut))


_CSV_HEADER = (
    "Nama lengkap;NIK;Jenis kelamin;Tanggal lahir;Provinsi;Kabupaten/Kota;Alamat;Telepon;Pendekatan;"
    "Komponen;Asesmen;Rencana intervensi\n"
)


@examples(80)
@given(
    rows=st.lists(
        st.lists(st.one_of(_TEXT, st.sampled_from(["3201014508900004", "P", "32", "1,3"])), max_size=14), max_size=6
    ),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]),
)
def test_client_list_csv_with_random_rows(rows, delimiter, encoding) -> None:
    tried("client list: CSV rows")
    text = _CSV_HEADER.replace(";", delimiter) + "\n".join(delimiter.join(r) for r in rows)
    read_or_refuse(lambda d: _client_list(d, "klien.csv"), text.encode(encoding, "replace"))


@examples(30)
@given(
    cells=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 7), CELL), max_size=8), junk=JUNK, use_junk=st.booleans()
)
def test_accounts_workbook(cells, junk, use_junk) -> None:
    tried("accounts workbook")
    data = junk if use_junk else _fill(_ACCOUNTS, 0, cells)
    read_or_refuse(lambda d: parse_accounts_sheet(d, SHEET_CLIENTS), data)


@examples(30)
@given(
    cells=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 9), CELL), max_size=8), junk=JUNK, use_junk=st.booleans()
)
def test_transfers_workbook(cells, junk, use_junk) -> None:
    tried("transfers workbook")
    data = junk if use_junk else _fill(_TRANSFERS, 0, cells)
    read_or_refuse(lambda d: parse_transfers_sheet(d, SHEET_CLIENTS, today=TODAY), data)


@examples(30)
@given(
    cells=st.lists(st.tuples(st.integers(1, 6), st.integers(1, 9), CELL), max_size=8),
    sheet=st.sampled_from([0, 1]),
    junk=JUNK,
    use_junk=st.booleans(),
)
def test_lpj_workbook(cells, sheet, junk, use_junk) -> None:
    tried("LPJ workbook")
    data = junk if use_junk else _fill(_LPJ, sheet, cells)
    read_or_refuse(lambda d: parse_lpj_sheet(d, _LPJ_CONTENT, today=LPJ_TODAY, earliest=EARLIEST), data)


_IPWL_HEADER = "code,name,province_code,regency,address,pks_number,pks_valid_from,pks_valid_until,team\n"
_IPWL_ROW = "JB09,Yayasan Baru,32,Kabupaten Bogor,Jl. 1,PKS-9,2026-01-01,2027-12-31,TIM1"


@examples(120)
@given(
    rows=st.lists(
        st.one_of(
            st.just(_IPWL_ROW),
            _TEXT,
            st.lists(st.one_of(_TEXT, st.sampled_from(["32", "91", "2026-01-01", "TIM1", ""])), max_size=10).map(
                ",".join
            ),
        ),
        max_size=6,
    ),
    header=st.sampled_from([_IPWL_HEADER, _IPWL_HEADER.upper(), "code;name\n", ""]),
    junk=st.binary(max_size=200),
    use_junk=st.booleans(),
)
def test_ipwl_registry_csv(rows, header, junk, use_junk) -> None:
    tried("IPWL registry CSV")
    data = junk if use_junk else (header + "\n".join(rows)).encode()
    read_or_refuse(lambda d: parse_ipwl_csv(d, today=TODAY), data)

"""Client sheets as operators fill them, for the sheet, upload and office-file tests: valid client rows and
budget lines by index, the real template filled with openpyxl, a CSV, and what Excel on an Indonesian Windows
writes; how a sheet is read and its problems judged; and random sheets for the properties (any cell, rows with
cells changed)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bot.domain.models import Approach, Component, Sex
from bot.domain.validation import ValidationError, parse_nik
from bot.files.client_sheet import (
    CLIENT_COLUMNS,
    LOCATION_PARAMS,
    BudgetInput,
    ClientInput,
    build_template,
    parse_client_sheet,
)
from bot.files.problems import ImportProblem, ImportRejected, render_problem
from bot.i18n import Translator
from tests.intake_context import CEILINGS, TODAY
from tests.well_formed import placeholders

ID_HEADERS = [c.id for c in CLIENT_COLUMNS]
CSV_BUDGET_ID = ["Komponen anggaran", "Uraian anggaran", "Jumlah", "Harga satuan"]
APPROACHES = ["keluarga", "komunitas", "residensial"]


def letters(i: int) -> str:
    """A distinct capitalised word for index ``i`` (A, B, …, Z, Aa, …): names that differ by row."""
    word = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        word = "abcdefghijklmnopqrstuvwxyz"[r] + word
    return word.capitalize()


def client_values(i: int) -> list[Any]:
    """A valid client row (cells as an operator types them) for index ``i`` (0..9998)."""
    female = i % 2 == 1
    day, month, year = 1 + i % 28, 1 + i % 12, 1975 + i % 25
    nik = f"3201{1 + i % 30:02d}{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}{i + 1:04d}"
    return [
        f"{'Siti' if female else 'Budi'} {letters(i)}",
        nik,
        "P" if female else "L",
        f"{day:02d}-{month:02d}-{year}",
        "32",
        "Kabupaten Bogor",
        f"Jl. Melati No. {i + 1}, Desa Sukamaju",
        f"0812-3456-{i % 10000:04d}" if i % 3 else "",
        APPROACHES[i % 3],
        "1,3,4",
        f"Resume asesmen klien nomor {i + 1}.",
        f"Konseling {i % 8 + 1} sesi dan dukungan keluarga.",
    ]


def expected_client(i: int, row: int, budget: Sequence[BudgetInput] = ()) -> ClientInput:
    v = client_values(i)
    day, month, year = (int(x) for x in v[3].split("-"))
    return ClientInput(
        row=row,
        full_name=v[0],
        nik=v[1],
        sex=Sex(v[2]),
        birth_date=dt.date(year, month, day),
        province_code="32",
        regency="Kabupaten Bogor",
        address=v[6],
        phone=("+62" + v[7].replace("-", "")[1:]) if v[7] else None,
        approach=Approach(v[8]),
        components=(Component.LIVING_NEEDS, Component.FAMILY, Component.THERAPY),
        assessment=v[10],
        intervention_plan=v[11],
        budget=tuple(budget),
        warnings=(),
    )


def budget_values(i: int) -> list[list[Any]]:
    nik = client_values(i)[1]
    return [[nik, 1, "Paket sembako", 3, 250_000], [nik, "4", "Konseling individu", "8", "150.000"]]


EXPECTED_BUDGET = (
    BudgetInput(Component.LIVING_NEEDS, "Paket sembako", 3, 250_000),
    BudgetInput(Component.THERAPY, "Konseling individu", 8, 150_000),
)


def workbook_bytes(
    clients: Sequence[Sequence[Any]],
    budget: Sequence[Sequence[Any]] = (),
    *,
    locale: str = "id",
    keep_example: bool = True,
) -> bytes:
    """Fill the real template the way an operator does (openpyxl, not read-only)."""
    wb = load_workbook(io.BytesIO(build_template(locale)))
    client_ws, budget_ws = wb.worksheets[0], wb.worksheets[1]
    if not keep_example:
        client_ws.delete_rows(2)
        budget_ws.delete_rows(2, 2)
    for values in clients:
        client_ws.append(list(values))
    for values in budget:
        budget_ws.append(list(values))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str], *, delimiter: str = ";",
              bom: bool = True) -> bytes:  # fmt: skip
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


# What Excel on an Indonesian Windows writes for "CSV (Comma delimited)": Windows-1252, semicolons
# (the comma is the decimal mark), dates as the regional short date, no BOM (issue 12.6).
INDONESIAN_EXCEL_CSV = (
    "\r\n".join(
        [
            ";".join(ID_HEADERS + CSV_BUDGET_ID),
            "Dewi Anggraeni;3201015702950003;P;17/02/1995;32;Kabupaten Bogor;Gg. Mawar – RT 02/05, Desa Cibinong;"
            '0812-1111-2222;keluarga;1,3;"Pengguna sabu 2 tahun; keluarga mendukung “pemulihan”.";'
            "Konseling keluarga 4 kali;"
            "1;Paket sembako;3;250.000",
            "René Sitompul;3201011203850002;L;12/03/1985;32;Kabupaten Bogor;Jl. Raya Cibinong No. 7;;komunitas;4;"
            "Putus kerja, ’ingin pulih’;Konseling individu 8 sesi;4;Konseling individu;8;150000",
        ]
    )
    + "\r\n"
)


# --------------------------------------------------------------------------- reading a sheet


def parse(data: bytes, name: str = "klien.xlsx", **kwargs: Any) -> list[ClientInput]:
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("unit_cost_ceilings", CEILINGS)
    return parse_client_sheet(data, name, **kwargs)


def assert_problems_well_formed(problems: Sequence[ImportProblem]) -> None:
    assert problems
    for problem in problems:
        assert isinstance(problem.row, int) and problem.row >= 0
        assert problem.message.strip()
        names = placeholders(problem.message)
        assert names <= set(problem.params), (problem.message, dict(problem.params))
        assert not names & set(LOCATION_PARAMS), problem.message  # location params only locate
        assert render_problem(problem).strip()
        assert render_problem(problem, Translator("en").gettext) == render_problem(problem)


def problems_of(data: bytes, name: str = "klien.xlsx", **kwargs: Any) -> list[ImportProblem]:
    with pytest.raises(ImportRejected) as caught:
        parse(data, name, **kwargs)
    assert_problems_well_formed(caught.value.problems)
    return caught.value.problems


def message_of(call: Callable[[], object]) -> str:
    """The msgid bot.domain.validation gives for a bad value (the parser must reuse it)."""
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.problem.message


def where(problems: Sequence[ImportProblem]) -> list[tuple[int, object, str]]:
    return [(p.row, p.params.get("column"), p.message) for p in problems]


def with_raw_number(data: bytes, cell: str, raw: str, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """Store ``raw`` as the number in ``cell`` the way Excel writes it (openpyxl would not)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                text, count = re.subn(rf'<c r="{cell}"[^>]*?(?:/>|>.*?</c>)',
                                      f'<c r="{cell}" t="n"><v>{raw}</v></c>', content.decode())  # fmt: skip
                assert count == 1
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


def nik_message(text: str) -> str:
    """The msgid parse_nik gives for ``text`` on the test day (a sheet's bad NIK must say the same)."""
    return message_of(lambda: parse_nik(text, today=TODAY))


# --------------------------------------------------------------------------- random sheets


def only_read_or_rejected(data: bytes, name: str, *, readable: bool = False) -> None:
    """The file is read into clients or refused with well-formed problems, never anything else."""
    try:
        result = parse(data, name)
    except ImportRejected as rejected:
        assert_problems_well_formed(rejected.problems)
        if readable:  # a sound file: its problems are about cells, never "cannot open"
            assert all(p.row > 0 for p in rejected.problems), rejected.problems
    else:
        assert isinstance(result, list) and all(isinstance(c, ClientInput) for c in result)


# What a cell may hold (text openpyxl can store, numbers, dates, booleans, and strings that look like answers).
CELL_TEXT = st.text(max_size=40).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))
CELL = st.one_of(
    st.none(),
    CELL_TEXT,
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.booleans(),
    st.sampled_from(["L", "P", "32", "1,3", "01-01-1990", "3201011708900002", "keluarga", "-1",
                     "1e400", "3,2E+15", "=A1", "Rp 1.500.000,-", "\u00a0", "(", "{x}"]),
)  # fmt: skip


def mutated_rows(rows: int) -> st.SearchStrategy[list[list[Any]]]:
    """``rows`` valid client rows with up to 8 cells replaced by any ``CELL``."""

    def mutate(args: tuple[list[tuple[int, int, Any]], int]) -> list[list[Any]]:
        changes, base = args
        table = [client_values(base + r) for r in range(rows)]
        for r, c, value in changes:
            table[r % rows][c % 12] = value
        return table

    change = st.tuples(st.integers(0, rows - 1), st.integers(0, 11), CELL)
    return st.tuples(st.lists(change, max_size=8), st.integers(0, 50)).map(mutate)

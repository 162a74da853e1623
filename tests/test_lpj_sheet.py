"""The LPJ workbook: the template round-trips, and a bad file is refused whole with every row named."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from bot.domain.lpj_intake import Realization
from bot.domain.models import Component
from bot.files.lpj_sheet import build_lpj_template, is_lpj_workbook, template_name
from bot.files.problems import ImportRejected
from tests.lpj_contents import CONTENT, fill_all, filled, parse_sheet


def test_the_template_has_one_row_per_budget_line_and_per_client_component() -> None:
    wb = load_workbook(io.BytesIO(build_lpj_template(CONTENT, "USL-2026-0001")))
    assert wb.sheetnames == ["Realisasi", "Layanan", "Petunjuk"]
    assert [r[0] for r in wb["Realisasi"].iter_rows(min_row=2, values_only=True)] == [11, 12, 21]
    assert len(list(wb["Layanan"].iter_rows(min_row=2))) == 4  # two clients × components 1 and 3
    assert template_name("USL-2026-0001") == "templat-lpj-USL-2026-0001.xlsx"
    english = load_workbook(io.BytesIO(build_lpj_template(CONTENT, "X", "en")))
    assert english.sheetnames[:2] == ["Realization", "Services"]


def test_a_filled_template_is_read_whole() -> None:
    sheet = parse_sheet(filled(fill_all))
    assert sheet.realizations == (Realization(11, 1_500_000), Realization(12, 500_000), Realization(21, 1_500_000))
    assert len(sheet.services) == 4
    assert (
        sheet.services[0].served_from == dt.date(2026, 11, 1) and sheet.services[0].component == Component.LIVING_NEEDS
    )
    assert is_lpj_workbook(filled(fill_all))


def test_sorted_rows_and_excel_dates_and_typed_amounts_are_fine() -> None:
    def edit(real, services) -> None:
        fill_all(real, services)
        real["G2"].value = "Rp 1.400.000"
        services["E2"].value = dt.datetime(2026, 11, 3)  # noqa: DTZ001 – a date cell (cells have no zone)
        real.move_range("A2:H2", rows=10)  # moved to the bottom: matched by its ID, not its place

    sheet = parse_sheet(filled(edit))
    assert Realization(11, 1_400_000) in sheet.realizations
    assert any(s.served_from == dt.date(2026, 11, 3) for s in sheet.services)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda r, s: setattr(r["G2"], "value", 1_600_000), "above the RAB"),
        (lambda r, s: setattr(r["G3"], "value", None), "empty"),
        (lambda r, s: setattr(r["A2"], "value", 999), "not a budget line"),
        (lambda r, s: setattr(r["A3"], "value", 11), "more than once"),
        (lambda r, s: setattr(r["G2"], "value", 1500.5), "fraction"),
        (lambda r, s: setattr(r["G2"], "value", "banyak"), "digits"),
        (lambda r, s: setattr(s["F2"], "value", None), "both"),
        (lambda r, s: setattr(s["E2"], "value", "31-12-2026"), "future"),
        (lambda r, s: setattr(s["F2"], "value", "01-10-2026"), "early"),
        (lambda r, s: setattr(s["D2"], "value", 9), "1 to 7"),
        (lambda r, s: setattr(s["A2"], "value", 77), "not a client"),
    ],
)
def test_every_bad_row_is_named_and_nothing_is_returned(edit, expected) -> None:
    def apply(real, services) -> None:
        fill_all(real, services)
        edit(real, services)

    with pytest.raises(ImportRejected) as caught:
        parse_sheet(filled(apply))
    rendered = [p.message.format(**p.params) for p in caught.value.problems]
    assert any(expected in text for text in rendered), rendered
    assert all(p.row >= 2 and p.params.get("sheet") in ("Realisasi", "Layanan") for p in caught.value.problems)


def test_all_problems_of_the_file_are_listed_at_once() -> None:
    def apply(real, services) -> None:
        fill_all(real, services)
        real["G2"].value, real["G4"].value = 9_000_000, None

    with pytest.raises(ImportRejected) as caught:
        parse_sheet(filled(apply))
    assert sorted(p.row for p in caught.value.problems) == [2, 4]


def test_an_above_budget_line_with_a_note_is_accepted() -> None:
    def apply(real, services) -> None:
        fill_all(real, services)
        real["G2"].value, real["H2"].value = 1_600_000, "Harga naik di bulan Desember"

    assert Realization(11, 1_600_000, "Harga naik di bulan Desember") in parse_sheet(filled(apply)).realizations


@pytest.mark.parametrize("data", [b"", b"not a workbook", b"PK\x03\x04garbage", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old"])
def test_a_file_that_is_not_a_workbook_is_refused(data: bytes) -> None:
    with pytest.raises(ImportRejected) as caught:
        parse_sheet(data)
    assert caught.value.problems[0].row == 0
    assert not is_lpj_workbook(data)


def test_a_workbook_without_the_realization_sheet_is_refused() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Klien"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ImportRejected) as caught:
        parse_sheet(out.getvalue())
    assert "Realisasi" in caught.value.problems[0].message.format(**caught.value.problems[0].params)
    assert not is_lpj_workbook(out.getvalue())

"""Tests for bot.domain.regions: province facts, time zones, and the regions file."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.regions import (
    PROVINCE_ZONES,
    PROVINCES,
    Regency,
    RegionsCatalog,
    TimeZone,
    is_known_province_code,
    load_regions,
    province_search,
    time_zone,
    zone_label,
    zone_of,
)
from tests.regions_files import regions_file, regions_file_errors

SHARED = Path(__file__).resolve().parents[2] / "shared" / "wilayah"
REGENCIES_CSV = SHARED / "regencies.csv"
PROVINCES_CSV = SHARED / "provinces.csv"

HEADER = "code,province_code,name\n"


# --------------------------------------------------------------------------- provinces


def test_38_provinces_with_two_digit_codes() -> None:
    assert len(PROVINCES) == 38
    assert all(len(code) == 2 and code.isdigit() for code in PROVINCES)
    assert list(PROVINCES) == sorted(PROVINCES)
    assert PROVINCES["11"] == "Aceh"
    assert PROVINCES["32"] == "Jawa Barat"
    assert PROVINCES["96"] == "Papua Barat Daya"


@pytest.mark.skipif(not PROVINCES_CSV.exists(), reason="shared wilayah data not available")
def test_provinces_match_reference_list() -> None:
    lines = PROVINCES_CSV.read_text(encoding="utf-8").splitlines()[1:]
    reference = dict(line.split(",", 1) for line in lines if line)
    assert dict(PROVINCES) == reference


@pytest.mark.parametrize(
    ("code", "known"),
    [
        ("32", True),
        ("91", True),  # Papua: also the prefix of older NIKs from today's Papua Selatan/Tengah/…
        ("92", True),  # Papua Barat: older NIKs from today's Papua Barat Daya
        ("93", True),
        ("96", True),
        ("65", True),
        ("00", False),
        ("20", False),
        ("54", False),  # Timor Timur's old code: no NIK carries it
        ("99", False),
        ("3", False),
        ("320", False),
        ("", False),
    ],
)
def test_is_known_province_code(code: str, known: bool) -> None:
    assert is_known_province_code(code) is known


@pytest.mark.parametrize(
    ("code", "label", "zone"),
    [
        ("11", "WIB", "Asia/Jakarta"),  # Aceh
        ("21", "WIB", "Asia/Jakarta"),  # Kepulauan Riau
        ("31", "WIB", "Asia/Jakarta"),
        ("32", "WIB", "Asia/Jakarta"),
        ("36", "WIB", "Asia/Jakarta"),
        ("61", "WIB", "Asia/Jakarta"),  # Kalimantan Barat
        ("62", "WIB", "Asia/Jakarta"),  # Kalimantan Tengah
        ("51", "WITA", "Asia/Makassar"),  # Bali
        ("52", "WITA", "Asia/Makassar"),
        ("53", "WITA", "Asia/Makassar"),
        ("63", "WITA", "Asia/Makassar"),  # Kalimantan Selatan
        ("64", "WITA", "Asia/Makassar"),
        ("65", "WITA", "Asia/Makassar"),
        ("71", "WITA", "Asia/Makassar"),
        ("75", "WITA", "Asia/Makassar"),  # Gorontalo
        ("76", "WITA", "Asia/Makassar"),
        ("81", "WIT", "Asia/Jayapura"),
        ("82", "WIT", "Asia/Jayapura"),
        ("91", "WIT", "Asia/Jayapura"),
        ("96", "WIT", "Asia/Jayapura"),
    ],
)
def test_time_zones(code: str, label: str, zone: str) -> None:
    assert zone_label(code) == label
    assert zone_of(code) == zone


def test_every_province_has_a_loadable_zone() -> None:
    assert set(PROVINCE_ZONES) == set(PROVINCES)
    counts = {tz: sum(1 for z in PROVINCE_ZONES.values() if z is tz) for tz in TimeZone}
    assert counts == {TimeZone.WIB: 18, TimeZone.WITA: 12, TimeZone.WIT: 8}
    assert [tz.utc_offset_hours for tz in TimeZone] == [7, 8, 9]
    for tz in TimeZone:
        # No daylight saving time: the offset is the same in January and July.
        for month in (1, 7):
            offset = datetime(2026, month, 1, tzinfo=ZoneInfo(tz.zone_name)).utcoffset()
            assert offset == timedelta(hours=tz.utc_offset_hours)


def test_unknown_province_zone_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown province code"):
        zone_of("99")
    with pytest.raises(ValueError):
        time_zone("")


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("32", ["32"]),
        ("Jawa Barat", ["32"]),
        ("jawa barat", ["32"]),
        ("Provinsi Jawa Barat", ["32"]),
        ("jabar", ["32"]),
        ("JATENG", ["33"]),
        ("jawa", ["32", "33", "35"]),
        ("barat", ["13", "32", "52", "61", "76", "92", "96"]),
        ("papua", ["91", "92", "93", "94", "95", "96"]),
        ("Papua Barat", ["92", "96"]),
        ("sulawesi", ["71", "72", "73", "74", "76"]),
        ("DKI", ["31"]),
        ("jakarta", ["31"]),
        ("DIY", ["34"]),
        ("jogja", ["34"]),
        ("NTT", ["53"]),
        ("babel", ["19"]),
        ("kepri", ["21"]),
        ("maluku", ["81", "82"]),
        ("", []),
        ("   ", []),
        ("99", []),
        ("atlantis", []),
    ],
)
def test_province_search(text: str, codes: list[str]) -> None:
    results = province_search(text)
    assert [code for code, _ in results] == codes
    assert all(name == PROVINCES[code] for code, name in results)


# --------------------------------------------------------------------------- catalog, small

SMALL = [
    Regency("32.01", "32", "Kabupaten Bogor"),
    Regency("32.71", "32", "Kota Bogor"),
    Regency("32.76", "32", "Kota Depok"),
    Regency("32.04", "32", "Kabupaten Bandung"),
    Regency("32.17", "32", "Kabupaten Bandung Barat"),
    Regency("32.73", "32", "Kota Bandung"),
    Regency("31.71", "31", "Kota Administrasi Jakarta Pusat"),
    Regency("31.01", "31", "Kabupaten Administrasi Kepulauan Seribu"),
]


@pytest.fixture
def small() -> RegionsCatalog:
    return RegionsCatalog(SMALL)


def test_empty_catalog() -> None:
    catalog = RegionsCatalog.empty()
    assert not catalog.has_regencies
    assert len(catalog) == 0
    assert catalog.regencies_of("32") == []
    assert catalog.regency("32.01") is None
    assert catalog.find("32", "bogor") == []
    assert catalog.province_name("32") == "Jawa Barat"


def test_regencies_sorted_by_name(small: RegionsCatalog) -> None:
    names = [r.name for r in small.regencies_of("32")]
    assert names == sorted(names, key=str.casefold)
    assert small.regencies_of("99") == []
    # callers get a copy and cannot disturb the catalog
    small.regencies_of("32").clear()
    assert len(small.regencies_of("32")) == 6


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("32.01", "Kabupaten Bogor"),
        ("3201", "Kabupaten Bogor"),
        (" 32.71 ", "Kota Bogor"),
        ("32.99", None),
        ("3", None),
        ("32-01", None),
        ("", None),
    ],
)
def test_regency_lookup(small: RegionsCatalog, code: str, name: str | None) -> None:
    regency = small.regency(code)
    assert (regency.name if regency else None) == name


@pytest.mark.parametrize(
    ("province", "text", "names"),
    [
        ("32", "bogor", ["Kabupaten Bogor", "Kota Bogor"]),
        ("32", "BOGOR", ["Kabupaten Bogor", "Kota Bogor"]),
        ("32", "Kabupaten Bogor", ["Kabupaten Bogor"]),
        ("32", "Kab. Bogor", ["Kabupaten Bogor"]),
        ("32", "kab bogor", ["Kabupaten Bogor"]),
        ("32", "Kota Bogor", ["Kota Bogor"]),
        ("32", "kab. depok", ["Kota Depok"]),  # wrong kind still finds the only Depok
        ("32", "bandung", ["Kabupaten Bandung", "Kota Bandung", "Kabupaten Bandung Barat"]),
        ("32", "barat", ["Kabupaten Bandung Barat"]),
        ("32", "dep", ["Kota Depok"]),
        ("32", "3201", ["Kabupaten Bogor"]),
        ("32", "31.71", []),  # a code from another province
        ("31", "jakarta pusat", ["Kota Administrasi Jakarta Pusat"]),
        ("31", "Kota Jakarta Pusat", ["Kota Administrasi Jakarta Pusat"]),
        ("31", "seribu", ["Kabupaten Administrasi Kepulauan Seribu"]),
        ("32", "jakarta", []),
        ("32", "kota", []),
        ("32", "", []),
        ("99", "bogor", []),
    ],
)
def test_find(small: RegionsCatalog, province: str, text: str, names: list[str]) -> None:
    assert [r.name for r in small.find(province, text)] == names


def test_regency_properties() -> None:
    assert SMALL[0].nik_code == "3201" and not SMALL[0].is_city
    assert SMALL[1].nik_code == "3271" and SMALL[1].is_city


# --------------------------------------------------------------------------- the real file

needs_shared = pytest.mark.skipif(not REGENCIES_CSV.exists(), reason="shared wilayah data not available")


@pytest.fixture(scope="module")
def catalog() -> RegionsCatalog:
    if not REGENCIES_CSV.exists():
        pytest.skip("shared wilayah data not available")
    return load_regions(REGENCIES_CSV)


@needs_shared
def test_load_reference_file(catalog: RegionsCatalog) -> None:
    assert catalog.has_regencies
    assert len(catalog) == 514
    assert len(catalog.regencies_of("32")) == 27
    assert sum(len(catalog.regencies_of(code)) for code in PROVINCES) == 514
    assert all(catalog.regencies_of(code) for code in PROVINCES)
    bogor = catalog.regency("32.01")
    assert bogor == Regency("32.01", "32", "Kabupaten Bogor")
    assert catalog.regency("3201") is bogor
    assert catalog.regency("32.71") == Regency("32.71", "32", "Kota Bogor")
    assert sum(1 for r in catalog if r.is_city) == 98
    assert catalog.province_name("32") == "Jawa Barat"
    assert catalog.province_name("99") is None


@needs_shared
@pytest.mark.parametrize(
    ("province", "text", "first"),
    [
        ("32", "bogor", "Kabupaten Bogor"),
        ("32", "kota bogor", "Kota Bogor"),
        ("32", "sukabumi", "Kabupaten Sukabumi"),
        ("31", "jakarta selatan", "Kota Administrasi Jakarta Selatan"),
        ("73", "makassar", "Kota Makassar"),
        ("93", "merauke", "Kabupaten Merauke"),
    ],
)
def test_find_in_reference_file(catalog: RegionsCatalog, province: str, text: str, first: str) -> None:
    found = catalog.find(province, text)
    assert found and found[0].name == first


@needs_shared
def test_reference_codes_are_consistent(catalog: RegionsCatalog) -> None:
    for regency in catalog:
        assert is_known_province_code(regency.nik_code[:2])
        assert regency.code.startswith(regency.province_code + ".")


# --------------------------------------------------------------------------- broken files


def test_broken_file_gives_row_numbered_errors(tmp_path: Path) -> None:
    path = regions_file(
        tmp_path,
        HEADER
        + "32.01,32,Kabupaten Bogor\n"  # row 2: fine
        + "3202,32,Kabupaten Sukabumi\n"  # row 3: bad code format
        + "32.03,99,Kabupaten Cianjur\n"  # row 4: unknown province
        + "33.04,32,Kabupaten Bandung\n"  # row 5: prefix does not match
        + "32.01,32,Kabupaten Bogor Lagi\n"  # row 6: duplicate of row 2
        + "32.05,32,   \n"  # row 7: empty name
        + "32.06,32\n"  # row 8: missing column
        + "\n"  # row 9: blank, ignored
        + "32.1,32,Kabupaten Bandung\n"  # row 10: spreadsheet-mangled 32.10
        + "32.00,32,Provinsi\n",  # row 11: regency 00
    )
    error = regions_file_errors(path)
    rows = [p.row for p in error.problems]
    assert rows == [3, 4, 5, 6, 7, 8, 10, 11]
    text = str(error)
    assert "Row 3: code 3202 is not in the form PP.KK" in text
    assert "Row 4: province code 99 is not a known province" in text
    assert "Row 5: code 33.04 does not start with its province code 32" in text
    assert "Row 6: code 32.01 already appears in row 2" in text
    assert "Row 7: the name is empty" in text
    assert "Row 8: expected 3 columns (code, province_code, name), found 2" in text
    assert "Row 10: code 32.1 is not in the form PP.KK" in text
    assert "format the column as text" in text
    assert "Row 11: code 32.00" in text
    assert str(path) in text


def test_missing_file(tmp_path: Path) -> None:
    error = regions_file_errors(tmp_path / "nope.csv")
    assert error.problems[0].row is None
    assert "The regions file was not found" in str(error)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert "could not be read" in str(regions_file_errors(tmp_path))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "The regions file is empty"),
        (
            "kode,provinsi,nama\n32.01,32,Kabupaten Bogor\n",
            "The first row must be the header code,province_code,name",
        ),
        ("32.01,32,Kabupaten Bogor\n", "found 32.01,32,Kabupaten Bogor"),
        ("code,name\n", "The first row must be the header"),
        (HEADER, "header but no regencies"),
        (HEADER + '32.01,32,"Kabupaten Bogor\n', "Row 2: the CSV is malformed"),
        (b"code,province_code,name\n32.01,32,Kabupaten Bogor\xff\n", 'save it as "CSV UTF-8"'),
    ],
)
def test_bad_files(tmp_path: Path, content: str | bytes, expected: str) -> None:
    assert expected in str(regions_file_errors(regions_file(tmp_path, content)))


def test_lenient_about_harmless_things(tmp_path: Path) -> None:
    path = regions_file(
        tmp_path,
        "\ufeffCode, Province_Code ,Name\r\n"  # BOM and CRLF from spreadsheets, header spacing/case
        '32.01,32,"Kabupaten  Bogor"\r\n'
        ' 32.71 , 32 ,"Kota Bogor, Jawa Barat"\r\n'
        "\r\n",
    )
    catalog = load_regions(path)
    names = [r.name for r in catalog.regencies_of("32")]
    assert names == ["Kabupaten Bogor", "Kota Bogor, Jawa Barat"]
    assert catalog.regency("32.71") is not None


def test_many_problems_are_summarized(tmp_path: Path) -> None:
    rows = "".join(f"99.{n:02d},99,Kabupaten {n}\n" for n in range(1, 31))
    error = regions_file_errors(regions_file(tmp_path, HEADER + rows))
    assert len(error.problems) == 30
    assert "… and 10 more problems" in str(error)
    assert error.path.endswith("regions.csv")

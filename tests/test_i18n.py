"""Translator, catalog loading and pinned formatting (bot/i18n/__init__.py)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import (
    DEFAULT_LOCALE,
    N_,
    SUPPORTED_LOCALES,
    Translations,
    Translator,
    format_age,
    format_date,
    format_datetime,
    format_money,
    format_number,
    load_translations,
    resolve_locale,
    zone_label,
)
from tests.catalogs import po_catalog, translator_of, write_po_file

REPO_ROOT = Path(__file__).resolve().parents[1]
UTC = dt.UTC


# --------------------------------------------------------------------------------------------
# Translator


def test_constants() -> None:
    assert SUPPORTED_LOCALES == ("id", "en")
    assert DEFAULT_LOCALE == "id"
    assert N_("Submit") == "Submit"


def test_gettext_translates_and_formats() -> None:
    t = translator_of()
    assert t.locale == "id"
    assert t.gettext("Proposal") == "Proposal"
    assert t.gettext("Hello {name}", name="Sari") == "Halo Sari"
    assert t._("Hello {name}", name="Sari") == "Halo Sari"  # the alias


def test_gettext_without_params_does_not_format() -> None:
    t = translator_of()
    assert t.gettext("Use {braces} literally") == "Pakai {braces} apa adanya"
    assert t.gettext("Missing {x} and a lone {") == "Missing {x} and a lone {"


def test_missing_empty_and_fuzzy_translations_fall_back_to_the_msgid() -> None:
    t = translator_of()
    assert t.gettext("Not in the catalog {x}", x=1) == "Not in the catalog 1"
    assert t.gettext("Untranslated") == "Untranslated"
    assert t.gettext("Fuzzy entry") == "Fuzzy entry"
    assert t.gettext("") == ""


def test_params_are_not_escaped() -> None:
    t = translator_of()
    assert t.gettext("Hello {name}", name="<b>&</b>") == "Halo <b>&</b>"


def test_broken_translation_falls_back_to_the_msgid(caplog: pytest.LogCaptureFixture) -> None:
    t = translator_of()
    assert t.gettext("Broken {name}", name="X") == "Broken X"
    assert "broken id translation" in caplog.text


def test_broken_msgid_raises() -> None:
    with pytest.raises(KeyError):
        Translator("en").gettext("Hello {name}", nama="X")


def test_ngettext() -> None:
    t = translator_of()
    assert t.ngettext("{n} client", "{n} clients", 1) == "1 klien"
    assert t.ngettext("{n} client", "{n} clients", 7) == "7 klien"
    assert t.ngettext("One proposal from {ipwl}", "{n} proposals from {ipwl}", 2, ipwl="X") == ("2 proposal dari X")
    # missing: English rule on the msgids
    assert t.ngettext("{n} day", "{n} days", 1) == "1 day"
    assert t.ngettext("{n} day", "{n} days", 0) == "0 days"
    en = Translator("en")
    assert en.ngettext("One client", "{n} clients", 1) == "One client"
    assert en.ngettext("One client", "{n} clients", 3) == "3 clients"


def test_untranslated_plural_in_id_falls_back_by_english_rule(tmp_path: Path) -> None:
    # Babel's write_mo would put the singular msgid in id's only form; our compile leaves it out.
    catalog = Catalog(locale="id", domain="bot", fuzzy=False)
    catalog.add(("{n} day", "{n} days"), ("",))
    catalog.add("Proposal", "Proposal")
    write_po_file(tmp_path / "id" / "LC_MESSAGES" / "bot.po", catalog)
    t = load_translations(tmp_path).for_locale("id")
    assert t.ngettext("{n} day", "{n} days", 5) == "5 days"
    assert t.ngettext("{n} day", "{n} days", 1) == "1 day"


def test_pgettext_and_npgettext() -> None:
    t = translator_of()
    assert t.pgettext("button", "Approve") == "Setujui"
    assert t.gettext("Approve") == "Persetujuan"
    assert t.pgettext("menu", "Approve") == "Approve"
    assert t.pgettext("button", "Send {what}", what="LPJ") == "Send LPJ"
    assert t.npgettext("button", "{n} file", "{n} files", 3) == "3 berkas"
    assert t.npgettext("button", "{n} row", "{n} rows", 3) == "3 rows"


def test_translator_without_catalog_is_english_passthrough() -> None:
    t = Translator("en")
    assert t.gettext("Hello {name}", name="Budi") == "Hello Budi"
    assert t.pgettext("button", "Approve") == "Approve"
    assert repr(t) == "Translator('en')"


def test_translator_formatting_shortcuts() -> None:
    t = Translator("en")
    assert t.format_money(1_500_000) == "Rp1.500.000"
    assert t.format_number(1234) == "1,234"
    assert t.format_date(dt.date(2025, 8, 17)) == "17 August 2025"
    assert t.format_datetime(dt.datetime(2026, 11, 28, 7, 5, tzinfo=UTC)) == "28 Nov 2026 14:05 WIB"
    assert t.format_age(dt.timedelta(hours=5)) == "5 hours"
    # functions accept a translator as the locale too
    assert format_date(dt.date(2025, 8, 17), translator_of()) == "17 Agustus 2025"


# --------------------------------------------------------------------------------------------
# Registry and loading


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (None, "id"),
        ("", "id"),
        ("id", "id"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN_gb", "en"),
        ("id-ID", "id"),
        ("in", "id"),
        ("fr", "id"),
        ("zz-Latn-XX", "id"),
        (" en ", "en"),
    ],
)
def test_resolve_locale(code: str | None, expected: str) -> None:
    assert resolve_locale(code) == expected


def test_for_locale_falls_back_to_the_default() -> None:
    translations = Translations({"id": None, "en": None}, default="id")
    assert translations.for_locale(None).locale == "id"
    assert translations.for_locale("de").locale == "id"
    assert translations.for_locale("en-US").locale == "en"
    assert translations.available == ["id", "en"]
    assert "en" in translations and "de" not in translations
    assert translations.for_locale("en") is translations.for_locale("en-AU")


def test_registry_needs_its_default() -> None:
    with pytest.raises(ValueError):
        Translations({"en": None}, default="id")


def test_load_translations_compiles_po_in_memory(tmp_path: Path) -> None:
    write_po_file(tmp_path / "id" / "LC_MESSAGES" / "bot.po", po_catalog("Usulan"))
    translations = load_translations(tmp_path)
    assert translations.available == ["id", "en"]  # English is the msgid language
    t = translations.for_locale("id")
    assert t.gettext("Proposal") == "Usulan"
    assert t.ngettext("{n} client", "{n} clients", 4) == "4 klien"
    assert t.pgettext("button", "Approve") == "Setujui"
    assert translations.for_locale("en").gettext("Proposal") == "Proposal"
    assert translations.for_locale("xx").locale == "id"


def test_load_translations_prefers_a_fresh_mo_and_ignores_a_stale_one(tmp_path: Path) -> None:
    lc = tmp_path / "id" / "LC_MESSAGES"
    write_po_file(lc / "bot.po", po_catalog("from po"))
    buf = BytesIO()
    write_mo(buf, po_catalog("from mo"))
    (lc / "bot.mo").write_bytes(buf.getvalue())
    po_time = (lc / "bot.po").stat().st_mtime
    os.utime(lc / "bot.mo", (po_time + 10, po_time + 10))
    assert load_translations(tmp_path).for_locale("id").gettext("Proposal") == "from mo"
    os.utime(lc / "bot.mo", (po_time - 10, po_time - 10))  # the .po was edited after compiling
    assert load_translations(tmp_path).for_locale("id").gettext("Proposal") == "from po"


def test_load_translations_without_default_catalog_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_translations(tmp_path)
    assert load_translations(tmp_path, default="en").available == ["en"]


def test_load_translations_from_the_repository() -> None:
    translations = load_translations(REPO_ROOT / "locales")
    assert translations.available[:1] == ["id"]
    assert set(SUPPORTED_LOCALES) <= set(translations.available)
    assert translations.for_locale("en-US").locale == "en"
    assert translations.for_locale(None).locale == "id"


# --------------------------------------------------------------------------------------------
# Money and numbers


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "Rp0"),
        (1, "Rp1"),
        (999, "Rp999"),
        (1_000, "Rp1.000"),
        (10_000, "Rp10.000"),
        (1_500_000, "Rp1.500.000"),
        (5_000_000, "Rp5.000.000"),
        (1_234_567_890, "Rp1.234.567.890"),
        (-1_500_000, "-Rp1.500.000"),
        (-5, "-Rp5"),
        (Decimal(2500), "Rp2.500"),
    ],
)
def test_format_money(amount: int, expected: str) -> None:
    assert format_money(amount) == expected


@pytest.mark.parametrize("bad", [1.5, 1500000.0, True, "1500", Decimal("1.5"), None])
def test_format_money_refuses_non_integers(bad: object) -> None:
    with pytest.raises(TypeError):
        format_money(bad)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_money_round_trips(amount: int) -> None:
    text = format_money(amount)
    sign, _, digits = text.partition("Rp")
    assert sign == ("-" if amount < 0 else "")
    groups = digits.split(".")
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
    assert int(digits.replace(".", "")) == abs(amount)


@pytest.mark.parametrize(
    ("n", "locale", "kwargs", "expected"),
    [
        (0, "id", {}, "0"),
        (1234567, "id", {}, "1.234.567"),
        (1234567, "en", {}, "1,234,567"),
        (-1234, "id", {}, "-1.234"),
        (999, "en", {}, "999"),
        (1234.5, "id", {"decimals": 1}, "1.234,5"),
        (1234.5, "en", {"decimals": 2}, "1,234.50"),
        (2.5, "en", {}, "3"),  # rounds half up
        (Decimal("-0.4"), "id", {}, "0"),
        (78, None, {}, "78"),
    ],
)
def test_format_number(n: object, locale: str | None, kwargs: dict, expected: str) -> None:
    assert format_number(n, locale, **kwargs) == expected


def test_format_number_defaults_to_indonesian_grouping() -> None:
    assert format_number(1_000_000) == "1.000.000"
    with pytest.raises(TypeError):
        format_number("12")


# --------------------------------------------------------------------------------------------
# Dates and times


def test_format_date() -> None:
    d = dt.date(2025, 8, 17)
    assert format_date(d, "id") == "17 Agustus 2025"
    assert format_date(d, "en") == "17 August 2025"
    assert format_date(d) == "17 Agustus 2025"
    assert format_date(dt.date(2026, 1, 5), "en-GB") == "5 January 2026"
    assert format_date(dt.date(2026, 12, 31), "fr") == "31 Desember 2026"  # unknown -> id


def test_format_date_month_names() -> None:
    id_months = [format_date(dt.date(2025, m, 1), "id").split()[1] for m in range(1, 13)]
    assert id_months == [
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ]  # fmt: skip


def test_format_date_refuses_datetimes() -> None:
    with pytest.raises(TypeError):
        format_date(dt.datetime(2025, 8, 17, tzinfo=UTC), "id")


@pytest.mark.parametrize(
    ("tz", "locale", "expected"),
    [
        ("Asia/Jakarta", "id", "28 Nov 2026 14.05 WIB"),
        ("Asia/Jakarta", "en", "28 Nov 2026 14:05 WIB"),
        ("Asia/Pontianak", "id", "28 Nov 2026 14.05 WIB"),
        ("Asia/Makassar", "id", "28 Nov 2026 15.05 WITA"),
        ("Asia/Makassar", "en", "28 Nov 2026 15:05 WITA"),
        ("Asia/Jayapura", "id", "28 Nov 2026 16.05 WIT"),
        ("Asia/Jayapura", "en", "28 Nov 2026 16:05 WIT"),
        ("UTC", "en", "28 Nov 2026 07:05 UTC"),
    ],
)
def test_format_datetime_converts_from_utc(tz: str, locale: str, expected: str) -> None:
    assert format_datetime(dt.datetime(2026, 11, 28, 7, 5, tzinfo=UTC), tz, locale) == expected


def test_format_datetime_crosses_midnight_and_pads() -> None:
    late = dt.datetime(2026, 8, 16, 20, 30, tzinfo=UTC)
    assert format_datetime(late, "Asia/Jayapura", "id") == "17 Agu 2026 05.30 WIT"
    assert format_datetime(late, "Asia/Jakarta", "id") == "17 Agu 2026 03.30 WIB"
    assert format_datetime(late, "Asia/Jakarta", "en") == "17 Aug 2026 03:30 WIB"
    new_year = dt.datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    assert format_datetime(new_year, "Asia/Jakarta", "id") == "1 Jan 2026 00.00 WIB"
    assert format_datetime(new_year, "Asia/Jakarta") == "1 Jan 2026 00.00 WIB"  # default id


def test_format_datetime_accepts_any_aware_datetime() -> None:
    local = dt.datetime(2026, 11, 28, 16, 5, tzinfo=ZoneInfo("Asia/Jayapura"))
    assert format_datetime(local, "Asia/Jakarta", "id") == "28 Nov 2026 14.05 WIB"


def test_format_datetime_other_zones_use_their_abbreviation() -> None:
    winter = dt.datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    summer = dt.datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
    assert format_datetime(winter, "Europe/Amsterdam", "en") == "15 Jan 2026 13:00 CET"
    assert format_datetime(summer, "Europe/Amsterdam", "en") == "15 Jul 2026 14:00 CEST"
    assert zone_label("Asia/Makassar") == "WITA"


def test_format_datetime_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        format_datetime(dt.datetime(2026, 11, 28, 7, 5), "Asia/Jakarta", "id")  # noqa: DTZ001 – the naive one refused


@pytest.mark.parametrize(
    ("delta", "id_text", "en_text"),
    [
        (dt.timedelta(days=3), "3 hari", "3 days"),
        (dt.timedelta(days=3, hours=23), "3 hari", "3 days"),
        (dt.timedelta(days=1), "1 hari", "1 day"),
        (dt.timedelta(hours=25), "1 hari", "1 day"),
        (dt.timedelta(hours=5), "5 jam", "5 hours"),
        (dt.timedelta(hours=1, minutes=59), "1 jam", "1 hour"),
        (dt.timedelta(minutes=59), "kurang dari 1 jam", "less than 1 hour"),
        (dt.timedelta(0), "kurang dari 1 jam", "less than 1 hour"),
        (dt.timedelta(minutes=-30), "kurang dari 1 jam", "less than 1 hour"),
        (dt.timedelta(days=400), "400 hari", "400 days"),
    ],
)
def test_format_age(delta: dt.timedelta, id_text: str, en_text: str) -> None:
    assert format_age(delta, "id") == id_text
    assert format_age(delta, "en") == en_text
    assert format_age(delta) == id_text

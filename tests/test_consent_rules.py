"""The pure consent rules (issue 17.6): a minor by the NIK's birth date, the guardian's answer, and
the privacy notice's version as the catalogs carry it in both languages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.domain.consent import NOTICE_VERSION, age_on, is_minor, parse_guardian
from bot.domain.guidance import PRIVACY
from bot.domain.validation import ValidationError
from bot.i18n import load_translations

TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("nik", "minor"),
    [
        ("3201011503120001", True),  # a boy born 15 Mar 2012: 14
        ("3201015511080001", False),  # a girl born 15 Nov 2008: 18 since 15 Nov 2026
        ("3201011203850002", False),  # born 12 Mar 1985
        ("3201012911080001", True),  # born 29 Nov 2008: 18 tomorrow, a minor today
        ("ANON-12", False),  # an anonymized record
    ],
)
def test_a_minor_is_who_the_nik_says_is_under_18_today(nik: str, minor: bool) -> None:
    assert is_minor(nik, TODAY) is minor


def test_age_counts_whole_years() -> None:
    assert age_on(dt.date(2008, 11, 29), TODAY) == 17 and age_on(dt.date(2008, 11, 28), TODAY) == 18


@pytest.mark.parametrize(
    "text", ["Siti Aminah", "Siti Aminah,", ", ibu", "Siti, 12345", "Siti, " + "x" * 41, "4 5, ibu"]
)
def test_a_guardian_needs_a_name_and_a_relation(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_guardian(text)


def test_a_guardian_reads_name_comma_relation() -> None:
    guardian = parse_guardian("  Siti   Aminah ,  Ibu ")
    assert (guardian.name, guardian.relation) == ("Siti Aminah", "ibu")
    assert parse_guardian("Haji Ahmad, S.Ag., paman").name == "Haji Ahmad, S.Ag."


def test_the_notice_shown_names_the_version_recorded_in_both_languages() -> None:
    notice = PRIVACY.pages[0].body
    translations = load_translations(Path(__file__).resolve().parents[1] / "locales")
    for locale in ("id", "en"):
        text = translations.for_locale(locale).gettext(
            notice, centre="BRSKPN", regulation="Permensos", retention=5, notice_version=NOTICE_VERSION
        )
        assert NOTICE_VERSION in text and "{" not in text, locale


def test_a_minor_by_the_typed_birth_date_needs_a_guardian_even_when_the_nik_says_adult() -> None:
    """When the NIK and the typed birth date disagree, the younger decides: a guardian is asked."""
    today = dt.date(2026, 12, 1)
    adult_nik = "3201014501900001"  # born 5 January 1990 (a woman's day + 40)
    assert not is_minor(adult_nik, today)
    assert is_minor(adult_nik, today, birth_date=dt.date(2012, 1, 1))
    assert not is_minor(adult_nik, today, birth_date=dt.date(1990, 1, 5))


@pytest.mark.parametrize("text", ["Rizki Ramadhan, diri sendiri", "rizki  ramadhan, adik", "Rizki, sendiri"])
def test_a_minor_cannot_be_their_own_guardian(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_guardian(text, client_name="Rizki Ramadhan")
    assert "cannot sign for themself" in refused.value.problems[0].message

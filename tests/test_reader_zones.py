"""Whose clock a time is read on, and whose calendar a rule's "today" is (issue 13).

An operator reads their IPWL's zone; everyone else, and every group, the centre's. A consent's
signing day is the IPWL's calendar day, not the UTC date (00.00–07.00 WIB is still "yesterday"
in UTC).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.clock import ManualClock, today_in
from bot.domain.models import ProposalStatus
from bot.domain.records import ClientRecord
from bot.domain.regions import ipwl_zone, reader_zone
from bot.i18n import Translations, Translator
from bot.services.privacy import erasure_rule
from handlers.views import _
from tests.seeds import consent_draft

CENTRE = "Asia/Jakarta"
DUE = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)  # 16.00 WIB


def test_an_operator_reads_their_ipwl_s_zone_and_everyone_else_the_centre_s() -> None:
    assert reader_zone(["91"], CENTRE) == "Asia/Jayapura"  # Papua: WIT
    assert reader_zone(["73", "91"], CENTRE) == "Asia/Makassar"  # the first IPWL they run
    assert reader_zone([], CENTRE) == CENTRE  # PIC, finance, head, admin, the public
    assert reader_zone([None], CENTRE) == CENTRE  # an IPWL gone from the register
    assert ipwl_zone("99", "Asia/Makassar") == "Asia/Makassar"  # an unknown province: the centre's, never UTC


def test_the_translator_shows_a_time_on_its_reader_s_clock() -> None:
    translations = Translations({"id": None, "en": None})
    papua = translations.for_reader("id", "Asia/Jayapura")
    assert (papua.locale, papua.zone) == ("id", "Asia/Jayapura")
    assert papua.format_datetime(DUE) == "7 Des 2026 18.00 WIT"
    assert papua.format_datetime(DUE, CENTRE) == "7 Des 2026 16.00 WIB"  # a text that names its zone
    assert translations.for_reader("en", "Asia/Makassar").format_datetime(DUE) == "7 Dec 2026 17:00 WITA"
    assert translations.for_locale("id").zone == CENTRE
    assert _(papua, "due {due}", due=DUE) == "due 7 Des 2026 18.00 WIT"  # every view's datetime param
    assert _(Translator("id"), "due {due}", due=DUE) == "due 7 Des 2026 16.00 WIB"


def test_today_between_midnight_and_seven_wib_is_the_local_date_not_the_utc_one() -> None:
    clock = ManualClock(dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC))  # 00.30 WIB, 1 December
    assert clock.now().date() == dt.date(2026, 11, 30)
    assert today_in(clock, "Asia/Jakarta") == dt.date(2026, 12, 1)
    clock.set(dt.datetime(2026, 11, 30, 15, 30, tzinfo=dt.UTC))  # 22.30 WIB but 00.30 WIT
    assert today_in(clock, "Asia/Jakarta") == dt.date(2026, 11, 30)
    assert today_in(clock, "Asia/Jayapura") == dt.date(2026, 12, 1)


def test_a_consent_signed_on_the_18th_birthday_in_the_ipwl_s_morning_needs_no_guardian() -> None:
    # 06.00 WIB on 1 December 2026, his 18th birthday in Bogor; the UTC date is still 30 November.
    signed = dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.UTC)
    assert consent_draft(signed, "Asia/Jakarta").without_consent == []
    # The evening before, in Bogor, he was still 17: the consent needed a guardian.
    assert [c.id for c in consent_draft(signed - dt.timedelta(hours=8), "Asia/Jakarta").without_consent] == [1]


def test_the_retention_period_runs_on_the_centre_s_calendar() -> None:
    """Closed at 03.00 WIB on 1 Dec 2021 (20.00 UTC on 30 Nov): the admin reads "closed on 1 December
    2021", kept until 1 Dec 2026; at 00.30 WIB that day (UTC: still 30 Nov) it may be anonymized."""

    since = dt.datetime(2021, 11, 30, 20, 0, tzinfo=dt.UTC)
    record = ClientRecord(1, 1, "USL-2021-0001", ProposalStatus.CLOSED, since, "JB01", 1, False)
    centre = ZoneInfo(CENTRE)
    evening = dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC).astimezone(centre)  # 23.00 WIB, 30 Nov
    kept = erasure_rule(record, evening, 5)
    assert kept.action == "keep" and kept.params["closed"] == dt.date(2021, 12, 1), kept
    assert kept.params["until"] == dt.date(2026, 12, 1)
    midnight = dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC).astimezone(centre)  # 00.30 WIB, 1 Dec
    assert erasure_rule(record, midnight, 5).action == "anonymize"

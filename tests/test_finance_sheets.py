"""The accounts and transfers workbooks and the SK annex: round trips, and all-or-nothing row errors."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from bot.domain.models import TransferStatus
from bot.files.amendment_annex import build_amendment_annex
from bot.files.finance_sheets import (
    AnnexLine,
    OrderTotals,
    build_accounts_template,
    build_sk_annex,
    build_transfers_template,
    parse_accounts_sheet,
    parse_transfers_sheet,
)
from bot.files.problems import ImportRejected
from tests.finance_workbooks import CLIENTS, ORDER, TODAY, fill, problems_in, with_total


def test_the_accounts_template_round_trips_with_warnings() -> None:
    template = build_accounts_template(CLIENTS)
    ws = load_workbook(io.BytesIO(template)).worksheets[0]
    assert [c.value for c in ws[1]] == ["No", "Nama klien", "NIK", "Bank", "Nomor rekening", "Nama pemilik rekening"]
    assert ws["C2"].value == "3201014508900004" and ws["E3"].value == "0123456789"
    filled = fill(template, {"3201014508900004": ["Bank Rakyat Indonesia", "1234-5678-9012-34", "Ibu Siti Rahayu"]})
    rows = parse_accounts_sheet(filled, CLIENTS)
    assert [(r.client_id, r.bank.code, r.number) for r in rows] == [
        (11, "bri", "12345678901234"),
        (12, "bni", "0123456789"),
    ]
    assert [w.field for w in rows[0].warnings] == ["account_number"]  # BRI: 15 digits usually; the title is ignored


def test_any_bad_row_rejects_the_whole_accounts_file() -> None:
    filled = fill(
        build_accounts_template(CLIENTS),
        {
            "3201014508900004": ["Bank Antah", "123", "Siti"],
            "3201011203850002": ["BNI", "12345", "Budi Santoso"],
        },
    )
    with pytest.raises(ImportRejected) as rejected:
        parse_accounts_sheet(filled, CLIENTS)
    assert sorted(p.row for p in rejected.value.problems) == [2, 3]


def test_a_file_that_is_not_a_workbook_or_lost_its_header() -> None:
    with pytest.raises(ImportRejected):
        parse_accounts_sheet(b"not a zip", CLIENTS)
    book = load_workbook(io.BytesIO(build_accounts_template(CLIENTS)))
    book.worksheets[0]["C1"] = "Nomor KTP"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportRejected) as rejected:
        parse_accounts_sheet(out.getvalue(), CLIENTS)
    assert rejected.value.problems[0].params == {"name": "NIK"}


def test_transfers_are_read_by_status_and_failures_need_a_note() -> None:
    template = build_transfers_template(CLIENTS, "en")
    assert load_workbook(io.BytesIO(template)).worksheets[0]["J1"].value == "Note"
    filled = fill(
        template,
        {
            "3201014508900004": [1_500_000, "27-11-2026", "terkirim"],
            "3201011203850002": [
                1_500_000,
                dt.datetime(2026, 11, 28),  # noqa: DTZ001 – a cell has no zone
                "gagal",
                "Rekening tutup",
            ],
        },
        first_column=6,
    )
    rows = parse_transfers_sheet(filled, CLIENTS, today=TODAY)
    assert [(r.client_id, r.status, r.amount, r.on, r.note) for r in rows] == [
        (11, TransferStatus.SENT, 1_500_000, dt.date(2026, 11, 27), None),
        (12, TransferStatus.FAILED, 1_500_000, TODAY, "Rekening tutup"),
    ]
    missing_note = fill(template, {"3201011203850002": [1_500_000, "28-11-2026", "dikembalikan"]}, first_column=6)
    with pytest.raises(ImportRejected):
        parse_transfers_sheet(missing_note, CLIENTS, today=TODAY)


@pytest.mark.parametrize(
    ("date", "says"),
    [
        ("", "Fill in the date of the transfer"),  # never "today" because the cell was left empty
        ("31-02-2026", "There is no such date"),
        ("29-11-2026", "in the future"),
        ("25-11-2026", "before the payment order (SPM) of 26-11-2026"),
    ],
)
def test_a_transfer_date_is_given_real_and_not_before_the_spm(date: str, says: str) -> None:
    template = build_transfers_template(CLIENTS, "en")
    filled = fill(template, {"3201014508900004": [1_500_000, date, "terkirim"]}, first_column=6)
    with pytest.raises(ImportRejected) as rejected:
        parse_transfers_sheet(filled, CLIENTS, today=TODAY, earliest=dt.date(2026, 11, 26))
    assert says in rejected.value.problems[0].message.format(**rejected.value.problems[0].params)


def test_the_sk_annex_lists_beneficiaries_by_ipwl_with_subtotals() -> None:
    lines = [
        AnnexLine("SS01", "Lembaga Sehati", "USL-2026-0002", "Rudi", "7371010101900001", 2_000_000),
        AnnexLine("JB01", "Yayasan Harapan", "USL-2026-0001", "Siti Rahayu", "3201014508900004", 1_500_000),
    ]
    ws = load_workbook(io.BytesIO(build_sk_annex("SK-001/BRSKPN-GP/XI/2026", TODAY, lines))).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0][0] == "Lampiran SK SK-001/BRSKPN-GP/XI/2026"
    assert values[4][1] == "JB01" and values[4][5] == "3201014508900004"
    assert values[-1][4:] == ["Total", None, 3_500_000]
    assert [v[6] for v in values if v[4] and str(v[4]).startswith("Subtotal")] == [1_500_000, 2_000_000]


# --- control totals (issue 16.3) ---------------------------------------------------------------------------


def test_the_transfers_list_states_its_rows_and_total_for_the_bank_to_check() -> None:
    ws = load_workbook(io.BytesIO(build_transfers_template(CLIENTS, "id", order_number=ORDER.number))).worksheets[0]
    assert [c.value for c in ws[4]] == [
        "TOTAL",
        "2 baris",
        None,
        None,
        None,
        None,
        3_000_000,
        None,
        None,
        f"SPM {ORDER.number}",
    ]
    english = load_workbook(io.BytesIO(build_transfers_template(CLIENTS, "en"))).worksheets[0]
    assert english["B4"].value == "2 rows" and english["J4"].value is None


def test_a_list_that_adds_up_to_its_total_and_the_spm_is_read() -> None:
    template = build_transfers_template(CLIENTS, order_number=ORDER.number)
    sent = fill(template, {"3201014508900004": [1_500_000, "27-11-2026", "terkirim"]}, first_column=6)
    assert [r.client_id for r in parse_transfers_sheet(sent, CLIENTS, today=TODAY, order=ORDER)] == [11]
    # The count may be typed as a bare number too.
    assert parse_transfers_sheet(with_total(sent, rows=2), CLIENTS, today=TODAY, order=ORDER)


def test_rows_that_do_not_add_up_to_the_total_row_are_refused_with_the_difference() -> None:
    template = build_transfers_template(CLIENTS)
    changed = fill(template, {"3201014508900004": [1_250_000, "27-11-2026", "terkirim"]}, first_column=6)
    with pytest.raises(ImportRejected) as rejected:
        parse_transfers_sheet(changed, CLIENTS, today=TODAY)  # even without the SPM to compare with
    assert problems_in(rejected) == [
        (
            4,
            "The TOTAL row says Rp3.000.000, but the amounts of the rows add up to Rp2.750.000: a difference "
            "of -Rp250.000. Nothing was recorded.",
        )
    ]
    with pytest.raises(ImportRejected) as rejected:
        parse_transfers_sheet(with_total(template, rows="3 baris"), CLIENTS, today=TODAY)
    assert "says 3 rows, but the list has 2: a difference of -1" in problems_in(rejected)[0][1]


def test_a_list_whose_totals_are_not_the_spms_is_refused_with_the_difference() -> None:
    template = build_transfers_template(CLIENTS)
    changed = fill(template, {"3201014508900004": [2_000_000, "27-11-2026", "terkirim"]}, first_column=6)
    consistent = with_total(changed, amount=3_500_000)  # the list adds up, to more than the SPM
    assert parse_transfers_sheet(consistent, CLIENTS, today=TODAY)  # (nothing to compare with)
    with pytest.raises(ImportRejected) as rejected:
        parse_transfers_sheet(consistent, CLIENTS, today=TODAY, order=ORDER)
    assert problems_in(rejected) == [
        (
            4,
            "The list totals Rp3.500.000, but SPM 00456/SPM/XI/2026 is for Rp3.000.000: a difference of "
            "+Rp500.000. Nothing was recorded.",
        )
    ]
    with pytest.raises(ImportRejected) as rejected:
        parse_transfers_sheet(template, CLIENTS, today=TODAY, order=OrderTotals(ORDER.number, 3, 4_500_000))
    assert [m for _, m in problems_in(rejected)] == [
        "The list has 2 rows, but SPM 00456/SPM/XI/2026 is for 3 clients: a difference of -1. Nothing was recorded.",
        "The list totals Rp3.000.000, but SPM 00456/SPM/XI/2026 is for Rp4.500.000: a difference of "
        "-Rp1.500.000. Nothing was recorded.",
    ]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"drop": True}, "The TOTAL row (the number of rows and the total amount) is missing"),
        ({"rows": "dua"}, "The TOTAL row needs the number of rows"),
        ({"amount": "banyak"}, "The TOTAL row needs the number of rows"),
    ],
)
def test_a_missing_or_unreadable_total_row_is_refused_when_the_spm_is_known(change: dict, says: str) -> None:
    template = with_total(build_transfers_template(CLIENTS), **change)
    with pytest.raises(ImportRejected) as rejected:
        parse_transfers_sheet(template, CLIENTS, today=TODAY, order=ORDER)
    assert says in problems_in(rejected)[0][1]


@pytest.mark.parametrize(("locale", "dated"), [("id", "Tanggal 2 Desember 2026"), ("en", "Date 2 December 2026")])
def test_the_annexes_print_their_date_as_people_read_it(locale: str, dated: str) -> None:
    """Not ISO (``Tanggal 2026-12-02``): the date in words, in the annex's language."""
    on = dt.date(2026, 12, 2)
    line = AnnexLine("JB01", "Yayasan Harapan", "USL-2026-0001", "Siti Rahayu", "3201014508900004", 1_500_000)
    for content in (
        build_sk_annex("SK-001/BRSKPN-GP/XII/2026", on, [line], locale),
        build_amendment_annex("SK-002/BRSKPN-GP/XII/2026", on, [], locale),
    ):
        assert load_workbook(io.BytesIO(content)).active["A2"].value == dated

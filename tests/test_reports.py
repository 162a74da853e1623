"""The monthly report's numbers against a seeded data set computed independently, its files, the
exports, personal-data erasure, PKS states and backups — at the service level (no Telegram).

The seed (``seed_program``, tests/report_seed.py) writes proposals in every status with clients,
budget lines, transfers, LPJ and audit events straight into the database, and keeps the same facts
as plain Python data; ``expected`` recomputes every figure from those facts alone, never from SQL.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.models import ProposalStatus, Role
from bot.domain.report_figures import Period, proposal_durations
from bot.i18n import Translator, load_translations
from bot.services import ServiceError, Services
from bot.services.privacy import Erasure, add_years, erasure_rule
from bot.services.registry import pks_state
from storage.backup import verify_archive
from storage.db import to_db_time
from storage.pg_backup import client_tool
from storage.unit import Storage
from tests.conftest import START
from tests.erasure_records import client_record
from tests.helpers import enrol, person, seed_registry
from tests.report_seed import IPWL_CODES, PNG, SeedProposal, build_seed, expected, figures_of, seed_program

WIB = ZoneInfo("Asia/Jakarta")


# --- the independent computation ------------------------------------------------------------------------------


# --- fixtures ----------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_settings(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "storage": {"database": str(tmp_path / "atensi.sqlite3"), "files_dir": str(tmp_path / "files")},
            "access": {"admin_user_ids": [9001]},
            "admin": {"backups_dir": str(tmp_path / "backups"), "backups_keep": 2},
        }
    )


@pytest.fixture
async def services(storage: Storage, clock: ManualClock, admin_settings: Settings) -> Services:
    services = Services(storage, clock, admin_settings)
    await seed_registry(services)
    return services


@pytest.fixture
async def seeded(services: Services) -> list[SeedProposal]:
    proposals = build_seed()
    await seed_program(services.storage, proposals)
    return proposals


# --- the monthly report --------------------------------------------------------------------------------------------


async def test_monthly_figures_match_the_seed_per_ipwl_province_team_and_centre(services, seeded) -> None:
    admin = await person(services, 9001, "Admin")
    report = await services.reports.monthly(admin, "2026-11")

    assert report.period == Period(2026, 11)
    assert [f.key for f in report.ipwl] == sorted(IPWL_CODES)
    for f in report.ipwl:
        assert figures_of(f) == expected(seeded, {f.key}), f.key
    provinces = {f.key: f for f in report.provinces}
    assert set(provinces) == {"31", "32", "73", "91"}
    assert figures_of(provinces["32"]) == expected(seeded, {"JB01", "JB02"})
    teams = {f.key: f for f in report.teams}
    assert figures_of(teams["TIM1"]) == expected(seeded, {"JB01", "JB02"})
    assert figures_of(teams["TIM2"]) == expected(seeded, {"SS01", "PA01"})
    assert figures_of(teams["-"]) == expected(seeded, {"JK01"})
    assert figures_of(report.centre) == expected(seeded, set(IPWL_CODES))
    assert report.expected == 4308  # 4,700 × 11 ÷ 12 = 4,308.3: whole clients, half up

    # This month's flow, by the centre's clock (WIB): the 1 Nov 00:30 WIB submission counts.
    in_november = [
        (a, at)
        for p in seeded
        for a, at in p.events
        if at.astimezone(WIB).year == 2026 and at.astimezone(WIB).month == 11
    ]
    assert report.flows["submitted"] == sum(1 for a, _ in in_november if a in ("submit", "resubmit")) == 3
    assert report.flows["returned"] == report.flows["verified"] == report.flows["decreed"] == 1
    assert ("submit", dt.datetime(2026, 10, 31, 17, 30, tzinfo=dt.UTC)) in in_november


async def test_the_workbook_and_charts_open_and_carry_the_figures(services, seeded) -> None:
    admin = await person(services, 9001, "Admin")
    report = await services.reports.monthly(admin, "2026-11")
    files = await services.reports.render(report, Translator("en"))

    book = openpyxl.load_workbook(io.BytesIO(files.workbook))
    assert book.sheetnames == ["Summary", "IPWL", "Provinces", "PIC teams", "Refunds", "Notes"]
    sheet = book["IPWL"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    for code in IPWL_CODES:
        want = expected(seeded, {code})
        assert rows[code]["Clients decreed, year to date"] == want["decreed"]
        assert rows[code]["Funds transferred, year to date (Rp)"] == want["funds_transferred"]
        assert rows[code]["LPJ late"] == want["lpj_late"]
        assert rows[code]["Median days: Submitted → verified"] == want["medians"].get("review")
    assert rows["JK01"]["PIC team"] == "-"
    assert len(files.charts) == 3
    assert all(chart.png.startswith(PNG) and len(chart.png) > 10_000 for chart in files.charts)


async def test_a_report_needs_an_admin_or_the_head_and_a_month_that_has_begun(services, seeded) -> None:
    operator = await enrol(services, 501, "Siti", Role.OPERATOR, ipwl="JB01")
    with pytest.raises(ServiceError) as refused:
        await services.reports.monthly(operator)
    assert refused.value.code == "admin_only"
    head = await enrol(services, 502, "Kepala", Role.HEAD)
    assert (await services.reports.monthly(head)).period == Period(2026, 11)
    with pytest.raises(ServiceError) as future:
        await services.reports.monthly(head, "2026-12")
    assert future.value.code == "future_period"


def test_stage_durations_time_a_resubmitted_proposal_from_its_resubmission() -> None:
    at = "2026-03-0{}T00:00:00.000000Z".format
    events = [
        ("submit", at(1)),
        ("return", at(2)),
        ("resubmit", at(4)),
        ("verify", at(6)),
        ("issue_sk", at(9)),
        ("record_payment", at(9)),
    ]
    assert proposal_durations(events) == {"review": 2.0, "decree": 3.0, "payment": 0.0}
    assert proposal_durations([("verify", at(1)), ("submit", at(2))]) == {}


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.UTC), None),  # 07.30 WIB: from 08.00 only
        (dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC), Period(2026, 11)),
        (dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC), Period(2026, 11)),  # catching up within the week
        (dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC), None),
        (dt.datetime(2027, 1, 1, 3, 0, tzinfo=dt.UTC), Period(2026, 12)),
    ],
)
async def test_the_scheduled_report_is_due_from_the_first_at_eight(services, now, due) -> None:
    assert services.reports.due_period(now) == due


async def test_the_scheduled_report_is_queued_once_per_month_for_each_head(services, seeded, clock) -> None:
    await enrol(services, 502, "Kepala", Role.HEAD)
    clock.set(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC))
    translations = load_translations(Path(__file__).resolve().parents[1] / "locales")
    assert await services.reports.send_due_monthly(translations) == Period(2026, 11)
    assert await services.reports.send_due_monthly(translations) is None
    async with services.storage.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT kind, params FROM outbox ORDER BY id")
    kinds = [r[0] for r in rows]
    assert kinds == ["monthly_report", "monthly_chart", "monthly_chart", "monthly_chart"]
    # The workbook is kept on disk, sealed (issue 17); the file store opens it.
    assert services.files.read(json.loads(rows[0][1])["path"])[:2] == b"PK"


# --- exports --------------------------------------------------------------------------------------------------------


async def test_client_exports_are_masked_unless_asked_and_every_export_is_audited(services, seeded) -> None:
    admin = await person(services, 9001, "Admin")
    span = (dt.date(2025, 1, 1), dt.date(2026, 11, 28))
    masked = await services.reports.export(admin, "clients", span, Translator("en"))
    full = await services.reports.export(admin, "clients", span, Translator("en"), unmasked=True)
    assert masked.rows == full.rows == sum(len(p.clients) for p in seeded)

    def rows(content: bytes) -> list[dict[str, object]]:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        header = [c.value for c in sheet[1]]
        return [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]

    first_masked, first_full = rows(masked.content)[0], rows(full.content)[0]
    assert first_full["NIK"] == seeded[0].clients[0].nik and first_full["Address"] == "Jl. Melati 3"
    assert first_full["Full name"] == f"Klien {seeded[0].clients[0].nik[-4:]}"
    assert not {"Full name", "NIK", "Phone", "Address", "Assessment"} & set(first_masked)
    assert first_masked["Client code"] == f"{seeded[0].code}/1" and first_masked["Initials"] == "K."
    async with services.storage.db.reading() as conn:
        reasons = [r[0] for r in await conn.execute_fetchall("SELECT reason FROM audit_events WHERE action = 'export'")]
    assert len(reasons) == 2 and reasons[1].endswith("unmasked") and not reasons[0].endswith("unmasked")
    operator = await enrol(services, 501, "Siti", Role.OPERATOR, ipwl="JB01")
    with pytest.raises(ServiceError):
        await services.reports.export(operator, "proposals", span, Translator("en"))


async def test_every_export_kind_opens_with_its_rows_and_payments_are_always_masked(services, seeded) -> None:
    admin = await person(services, 9001, "Admin")
    span = (dt.date(2025, 1, 1), dt.date(2026, 11, 28))
    files = {
        kind: await services.reports.export(admin, kind, span, Translator("en"))
        for kind in ("proposals", "payments", "lpj", "audit")
    }
    for kind, export in files.items():
        sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
        assert sheet.max_row == export.rows + 1, kind
    assert files["payments"].rows == sum(1 for p in seeded for c in p.clients if c.transfer)
    assert files["lpj"].rows == sum(1 for p in seeded if p.lpj_late is not None)
    in_range = sum(1 for p in seeded for _, at in p.events if at.astimezone(WIB).year == 2026)
    assert files["audit"].rows >= in_range
    payments = openpyxl.load_workbook(io.BytesIO(files["payments"].content)).active
    niks = [row[7] for row in payments.iter_rows(min_row=2, values_only=True)]
    assert niks and all("•" in nik for nik in niks)
    with pytest.raises(ServiceError) as wrong:
        await services.reports.export(admin, "people", span, Translator("en"))
    assert wrong.value.code == "stale"


# --- personal data -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "since", "action"),
    [
        (ProposalStatus.DRAFT, START, "delete"),
        (ProposalStatus.WITHDRAWN, START, "anonymize"),
        (ProposalStatus.REJECTED, START, "anonymize"),
        (ProposalStatus.SUBMITTED, START, "keep"),
        (ProposalStatus.PAID, START, "keep"),
        (ProposalStatus.CLOSED, START - dt.timedelta(days=365), "keep"),
        (ProposalStatus.CLOSED, START - dt.timedelta(days=5 * 366), "anonymize"),
    ],
)
def test_erasure_follows_the_workflow_and_the_retention(status, since, action) -> None:
    assert erasure_rule(client_record(status, since), START, 5).action == action
    assert erasure_rule(client_record(status, since, erased=True), START, 5) == Erasure("keep", "Already anonymized.")


def test_retention_years_handle_the_leap_day() -> None:
    assert add_years(dt.date(2024, 2, 29), 5) == dt.date(2029, 2, 28)


async def test_anonymizing_blanks_the_client_everywhere_and_the_audit_names_no_nik(services, seeded) -> None:
    admin = await person(services, 9001, "Admin")
    rejected = next(p for p in seeded if p.status == "rejected")
    nik = rejected.clients[0].nik
    async with services.storage.db.transaction() as conn:  # a submitted version to scrub as well
        proposal_id = (await conn.execute_fetchall("SELECT id FROM proposals WHERE code = ?", (rejected.code,)))[0][0]
        await conn.execute(
            "INSERT INTO proposal_versions VALUES (?, 1, ?, 1, ?)",
            (
                proposal_id,
                json.dumps({"clients": [{"nik": nik, "full_name": "Klien", "address": "X"}]}),
                to_db_time(START),
            ),
        )
    data = await services.privacy.lookup(admin, nik)
    ((record, rule),) = data.records
    assert rule.action == "anonymize"
    export = await services.privacy.export(admin, record.client_id)
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert export.records == 1 and export.tables["clients"][0]["nik"] == nik
    assert book["proposal_versions"].max_row == 2 and nik in book["proposal_versions"]["C2"].value

    done = await services.privacy.erase(admin, record.client_id)
    assert done.action == "anonymize"
    async with services.storage.db.reading() as conn:
        client = dict((await conn.execute_fetchall("SELECT * FROM clients WHERE id = ?", (record.client_id,)))[0])
        snapshot = (await conn.execute_fetchall("SELECT snapshot FROM proposal_versions"))[0][0]
        audit = " ".join(str(tuple(r)) for r in await conn.execute_fetchall("SELECT * FROM audit_events"))
        lines = await conn.execute_fetchall(
            "SELECT count(*) FROM budget_lines WHERE client_id = ?", (record.client_id,)
        )
    assert client["nik"] == f"ANON-{record.client_id}" and client["address"] is None and client["erased_at"]
    assert nik not in snapshot and "Klien" not in snapshot
    assert nik not in audit and "anonymize_personal_data" in audit
    assert lines[0][0] == len(rejected.clients[0].lines)  # amounts stay for the program's figures
    with pytest.raises(ServiceError) as gone:
        await services.privacy.lookup(admin, nik)
    assert gone.value.code == "nothing_held"

    paid = next(p for p in seeded if p.status == "paid")
    ((record, rule),) = (await services.privacy.lookup(admin, paid.clients[0].nik)).records
    with pytest.raises(ServiceError) as kept:
        await services.privacy.erase(admin, record.client_id)
    assert kept.value.code == "erasure_refused" and kept.value.params["code"] == paid.code


# --- PKS, backups --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("until", "kind", "days"),
    [
        (None, "unknown", None),
        (dt.date(2027, 12, 31), "ok", 398),
        (dt.date(2026, 12, 28), "expiring", 30),
        (dt.date(2026, 11, 28), "expiring", 0),
        (dt.date(2026, 11, 27), "lapsed", -1),
    ],
)
async def test_pks_state(services, until, kind, days) -> None:
    async with services.storage.reading() as uow:
        ipwl = await uow.ipwl.by_code("JB01")
    from dataclasses import replace

    state = pks_state(replace(ipwl, pks_valid_until=until), dt.date(2026, 11, 28), 30)
    assert (state.kind, state.days_left) == (kind, days)


async def test_a_backup_is_a_consistent_copy_and_old_ones_are_pruned(services, seeded, clock, engine, request) -> None:
    admin = await person(services, 9001, "Admin")
    made = []
    for _ in range(3):
        made.append(await services.backups.backup(admin))
        clock.advance(seconds=1)
    assert made[-1].kept == 2
    assert [p.exists() for p in (m.path for m in made)] == [False, True, True]
    if engine == "sqlite":
        assert made[-1].restore is None
        database = made[-1].path.with_name("read-back.sqlite3")
        manifest = verify_archive(made[-1].path, database_to=database)  # every member against its hash
        copy = sqlite3.connect(database)
        try:
            assert copy.execute("SELECT count(*) FROM proposals").fetchone()[0] == len(seeded)
        finally:
            copy.close()
        assert "database.sqlite3" in manifest["members"] and manifest["engine"] == "sqlite"
    else:
        # The archive holds a pg_dump; restored as the admin is told, into an empty database.
        dump = made[-1].path.with_name("read-back.pgdump")
        manifest = verify_archive(made[-1].path, database_to=dump)
        assert "database.pgdump" in manifest["members"] and manifest["engine"] == "postgresql"
        assert made[-1].restore is not None and "pg_restore " in made[-1].restore
        empty = request.getfixturevalue("pg_cluster").empty_database()
        subprocess.run([client_tool("pg_restore"), "--no-owner", f"--dbname={empty}", str(dump)], check=True)
        restored = await Storage.open(empty, apply_migrations=False)
        try:
            async with restored.reading() as uow:
                assert len(await uow.staff.summaries(list(ProposalStatus))) == len(seeded)
        finally:
            await restored.close()


@pytest.mark.postgresql_only
async def test_a_postgresql_backup_put_back_by_hand_is_erased_again_from_the_ledger(
    services, seeded, clock, admin_settings, request
) -> None:
    """On PostgreSQL the dump goes back with pg_restore (db restore is SQLite's); the ledger's
    erasures are applied again after it (``atensi-bot db apply-erasures`` runs this service)."""
    from bot.services.backups import erasure_ledger

    admin = await person(services, 9001, "Admin")
    older = await services.backups.backup(admin)  # still holds the client
    rejected = next(p for p in seeded if p.status == "rejected")
    ((record, _),) = (await services.privacy.lookup(admin, rejected.clients[0].nik)).records
    await services.privacy.erase(admin, record.client_id)
    assert [e.client_id for e in erasure_ledger(admin_settings).entries()] == [record.client_id]

    dump = older.path.with_name("older.pgdump")
    verify_archive(older.path, database_to=dump)
    restored_url = request.getfixturevalue("pg_cluster").empty_database()
    subprocess.run([client_tool("pg_restore"), "--no-owner", f"--dbname={restored_url}", str(dump)], check=True)
    restored = await Storage.open(restored_url)
    try:
        again = Services(restored, clock, admin_settings)
        async with restored.reading() as uow:  # the older backup brought her back
            assert (await uow.privacy.by_client(record.client_id, record.proposal_id))[0].erased is False
        assert await again.privacy.reapply_erasures(erasure_ledger(admin_settings).entries()) == 1
        async with restored.reading() as uow:
            back, nik = await uow.privacy.by_client(record.client_id, record.proposal_id)
        assert back.erased and nik == f"ANON-{record.client_id}"
        assert await again.privacy.reapply_erasures(erasure_ledger(admin_settings).entries()) == 0  # once
    finally:
        await restored.close()


def test_a_share_that_is_not_nothing_never_reads_as_zero() -> None:
    from bot.app import LOCALES_DIR
    from bot.files.report_files import percent
    from bot.i18n import load_translations

    t = load_translations(LOCALES_DIR).for_locale("id")
    assert percent(t, 2 / 4700) == "<0,1%"  # two clients decreed of the year's target
    assert percent(t, 0) == "0,0%"
    assert percent(t, 0.0005) == "0,1%" and percent(t, 0.5) == "50,0%"


def test_a_kept_report_keeps_its_refunds_and_the_scheduled_caption_says_them() -> None:
    """The report sent on schedule is kept as JSON and shown again from it: its refunds (cases and
    receipts, as they stood) come back unchanged, and the workbook's caption carries the summary line."""
    from bot.domain.report_figures import MonthlyReport, RefundLine, RefundReceipt, RefundTotals, build_report
    from handlers.views.reports import scheduled_caption

    opened = dt.datetime(2026, 11, 10, 3, 0, tzinfo=dt.UTC)
    part = RefundReceipt(dt.date(2026, 10, 31), 1_500_000, dt.datetime(2026, 10, 31, 18, 0, tzinfo=dt.UTC), "Fajar")
    rest = RefundReceipt(dt.date(2026, 11, 20), 500_000, dt.datetime(2026, 11, 20, 4, 0, tzinfo=dt.UTC), proof_id=7)
    refunds = [
        RefundLine(1, "JB01-2026-11-001", "JB01", 1, "death", "SK-020/X/2026", 2_000_000, opened, receipts=(part,)),
        RefundLine(2, "JB01-2026-11-002", "JB01", 3, "drop_out", None, 500_000, opened, opened, (rest,)),
    ]
    report = build_report(
        Period(2026, 11),
        generated_at=START,
        timezone="Asia/Jakarta",
        yearly_target=10,
        registry=[],
        proposals=[],
        transfers=[],
        lpj=[],
        durations={},
        flows={},
        as_of=START,
        refunds=refunds,
    )
    # part was recorded on 1 November 01:00 WIB: in November, as the rest is.
    assert report.refund_totals == RefundTotals(2, 1, 2_500_000, 2_000_000, 500_000, 2_000_000, 2)
    again = MonthlyReport.from_json(report.to_json())
    assert again.refunds == report.refunds and again.refund_totals == report.refund_totals
    caption = scheduled_caption(
        Translator("en"),
        "2026-11",
        {"refunds_open": 1, "refunds_outstanding": 500_000, "refunds_received_month": 2_000_000},
        "Asia/Jakarta",
    )
    assert "Refunds: 1 open with Rp500.000 outstanding; Rp2.000.000 received in November 2026" in caption
    assert "Refunds" not in scheduled_caption(Translator("en"), "2026-11", {}, "Asia/Jakarta")  # queued before

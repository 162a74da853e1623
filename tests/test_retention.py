"""Retention (issue 17.7): the job announces to the admins which records it will anonymize, does
it after the notice period, twice-run safe, and the monthly report's figures do not move.

Personas: Dewi, the centre's admin, who reads the notice; the job, run by two bot instances.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.services import Services
from bot.services.privacy import ErasureDone
from storage.audit_chain import verify
from storage.unit import Storage
from tests.conftest import START
from tests.erasure_records import erasure_ledger_has
from tests.helpers import person, seed_registry
from tests.report_seed import IPWL_CODES, build_seed, expected, figures_of, seed_program


@pytest.fixture
def retention_settings(tmp_path: Path) -> Settings:
    # Retention of 0 years: every closed proposal of the seed is past it (the rule's date arithmetic
    # is tested with years in tests/test_reports.py).
    return Settings.model_validate(
        {
            "storage": {"database": str(tmp_path / "atensi.sqlite3"), "files_dir": str(tmp_path / "files")},
            "access": {"admin_user_ids": [9001]},
            "admin": {"retention_years": 0, "retention_notice_days": 7, "backups_dir": str(tmp_path / "backups")},
        }
    )


async def test_the_job_announces_then_anonymizes_closed_proposals_and_the_figures_stay(
    storage: Storage, retention_settings: Settings
) -> None:
    clock = ManualClock(START)
    services = Services(storage, clock, retention_settings)
    await seed_registry(services)
    seeded = build_seed()
    await seed_program(storage, seeded)
    dewi = await person(services, 9001, "Dewi Admin")
    before = await services.reports.monthly(dewi, "2026-11")
    closed = [p for p in seeded if p.status == "closed"]
    due = sum(len(p.clients) for p in closed)
    assert due > 0

    # The dry run: announced, told, nothing erased yet; a second run announces nothing again.
    report = await services.retention.run()
    assert (report.announced, report.erased) == (due, 0) and report.codes == sorted(p.code for p in closed)
    assert (await services.retention.run()).announced == 0
    async with storage.db.reading() as conn:
        notices = [
            (str(r[0]),) for r in await conn.execute_fetchall("SELECT params FROM outbox WHERE kind = 'retention'")
        ]
        erased = await conn.fetchval("SELECT count(*) FROM clients WHERE erased_at IS NOT NULL")
    assert len(notices) == 1 and "notice" in notices[0][0] and erased == 0
    for p in closed:
        assert p.code in notices[0][0]
        assert p.clients[0].nik not in notices[0][0]  # codes and counts, never a NIK or a name

    # Not yet: six days later nothing happens.
    clock.advance(dt.timedelta(days=6))
    assert (await services.retention.run()).erased == 0

    # The day: two instances run the job at once; each record is anonymized once.
    clock.advance(dt.timedelta(days=1, minutes=1))
    other = Services(storage, clock, retention_settings)
    one, two = await asyncio.gather(services.retention.run(), other.retention.run())
    assert one.erased + two.erased == due
    assert (await services.retention.run()).erased == 0
    async with storage.db.reading() as conn:
        left = await conn.execute_fetchall(
            "SELECT c.nik FROM clients c JOIN proposals p ON p.id = c.proposal_id WHERE p.status = 'closed'"
        )
        audited = await conn.fetchval("SELECT count(*) FROM audit_events WHERE action = 'anonymize_personal_data'")
        done = [
            r
            for r in await conn.execute_fetchall("SELECT params FROM outbox WHERE kind = 'retention'")
            if "done" in str(r[0])
        ]
    assert all(nik.startswith("ANON-") for (nik,) in left) and audited == due and len(done) >= 1
    for p in closed:
        assert erasure_ledger_has(retention_settings, p.code)

    # The monthly report reads the same after the erasure.
    after = await services.reports.monthly(dewi, "2026-11")
    assert figures_of(after.centre) == figures_of(before.centre) == expected(seeded, set(IPWL_CODES))
    assert [figures_of(f) for f in after.ipwl] == [figures_of(f) for f in before.ipwl]
    assert after.flows == before.flows
    async with storage.db.snapshot() as conn:
        chain = await verify(conn)
    # The erasures blanked reasons and broke nothing (the seed's own rows, written straight into
    # the table past the bot, are the only findings: never sealed).
    assert {f.kind for f in chain.findings} == {"inserted"} and all(f.seq is None for f in chain.findings)


@pytest.mark.postgresql_only  # SQLite has one writer: the other erasure cannot commit in between
async def test_a_record_the_other_instance_erases_between_two_reads_is_skipped_not_a_crash(
    storage: Storage, retention_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The interleaving a CI run once hit by chance: this instance reads the NIK, the other instance
    # anonymizes the record and commits, and this instance then looks the record up by that NIK.
    clock = ManualClock(START)
    services = Services(storage, clock, retention_settings)
    other = Services(storage, clock, retention_settings)
    await seed_registry(services)
    seeded = build_seed()
    await seed_program(storage, seeded)
    due = sum(len(p.clients) for p in seeded if p.status == "closed")
    await services.retention.run()
    clock.advance(dt.timedelta(days=7, minutes=1))

    reads_nik = type(services.retention)._nik
    raced: list[int] = []

    async def nik_then_the_other_erases(self, uow, client_id):
        nik = await reads_nik(self, uow, client_id)
        if self is services.retention and not raced:
            raced.append(client_id)
            assert isinstance(await other.retention._erase(None, client_id), ErasureDone)
        return nik

    monkeypatch.setattr(type(services.retention), "_nik", nik_then_the_other_erases)
    report = await services.retention.run()

    assert raced and report.erased == due - 1  # the raced record was the other's, erased once
    async with storage.db.reading() as conn:
        anonymized = await conn.fetchval("SELECT count(*) FROM audit_events WHERE action = 'anonymize_personal_data'")
    assert anonymized == due
    assert (await services.retention.run()).erased == 0

"""Benchmark: the monthly report on a national-scale database (10,000 IPWL, 1,000,000 clients).

Run from the repository root::

    python bench/bench_report.py                 # full scale (generation takes a minute or two)
    python bench/bench_report.py --scale 0.1     # 1,000 IPWL, 100,000 clients
    python bench/bench_report.py --db /tmp/national.sqlite3   # keep the generated file, reuse it next time

It generates the database with the real migrations and plain ``executemany`` (teams of 11 IPWL,
about 10 clients per proposal, every status, budget lines, transfers, LPJ with realizations and the
audit trail of each proposal's stages), then measures, each in a fresh child process:

* report   – ``ReportService.monthly`` (the read connection's SQL aggregates, the stage times
             from the audit trail, the roll-up to IPWL, provinces, teams) plus ``render`` (the XLSX
             workbook with a row per IPWL and the three PNG charts), as /laporan runs it;
* baseline – plain ``sqlite3`` running the very same aggregate queries (storage/reports.py
             ``REPORT_QUERIES``) and fetching every row, nothing else.

For the report it also measures how long the bot would wait meanwhile: a task commits a tiny write
transaction on the bot's own connection every 20 ms during the report and records the slowest one.
Time is the best of ``--repeat`` runs; memory is the rise of the process's RSS high-water mark over
its RSS before the runs (imports done). Targets: under 30 s and under 500 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.process_memory import peak_rss_mb, reset_peak_rss, status_mb  # noqa: E402

NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
TARGET_SECONDS = 30.0
TARGET_MB = 500.0
PROVINCES = ("11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "51",
             "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92",
             "93", "94", "95", "96")  # fmt: skip
STATUSES = (("draft", 3), ("submitted", 5), ("in_review", 4), ("verified", 3), ("validated", 3), ("returned", 4),
            ("rejected", 2), ("withdrawn", 2), ("decreed", 8), ("accounts_submitted", 5), ("accounts_verified", 5),
            ("paid", 20), ("lpj_submitted", 8), ("lpj_returned", 2), ("lpj_verified", 6), ("closed", 20))  # fmt: skip
CHAIN = ("submit", "claim", "verify", "validate", "issue_sk", "submit_accounts", "verify_accounts",
         "record_payment", "submit_lpj", "verify_lpj", "validate_lpj")  # fmt: skip
DONE = {"draft": 0, "submitted": 1, "in_review": 2, "verified": 3, "validated": 4, "decreed": 5,
        "accounts_submitted": 6, "accounts_verified": 7, "paid": 8, "lpj_submitted": 9, "lpj_verified": 10,
        "closed": 11}  # fmt: skip
PAID = {"paid", "lpj_submitted", "lpj_returned", "lpj_verified", "closed"}
LPJ = {"lpj_submitted", "lpj_returned", "lpj_verified", "closed"}


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _actions(status: str, rng: random.Random) -> tuple[str, ...]:
    if status == "returned":
        return ("submit", "claim", "return")
    if status == "rejected":
        return ("submit", "claim", "reject")
    if status == "withdrawn":
        return ("submit", "withdraw")
    actions = CHAIN[:9] + ("return_lpj",) if status == "lpj_returned" else CHAIN[: DONE[status]]
    if len(actions) > 2 and rng.random() < 0.2:  # one in five was returned once and resubmitted
        actions = actions[:2] + ("return", "resubmit", "claim") + actions[2:]
    return actions


def generate(path: Path, scale: float, seed: int = 42) -> dict[str, int]:
    """The national database at ``path``: migrations first (the real schema), then executemany."""
    from storage.unit import Storage

    async def migrate() -> None:
        storage = await Storage.open(path)
        await storage.close()

    asyncio.run(migrate())
    rng = random.Random(seed)
    ipwl_count = max(1, round(10_000 * scale))
    proposal_count = max(1, round(100_000 * scale))
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    # Rows are stamped a day before the report's moment: the report counts what was recorded
    # before it (its position at that moment), so rows stamped at the very moment would not count.
    stamp = _stamp(NOW - dt.timedelta(days=1))
    counts = {"ipwl": ipwl_count}
    with db:
        db.execute(
            "INSERT INTO people (id, telegram_user_id, full_name, created_at) VALUES (1, 1, 'Seeder', ?)", (stamp,)
        )
        teams = -(-ipwl_count // 11)
        db.executemany(
            "INSERT INTO pic_teams (id, code, name, created_at) VALUES (?, ?, ?, ?)",
            ((t, f"TIM{t}", f"Tim PIC {t}", stamp) for t in range(1, teams + 1)),
        )
        db.executemany(
            "INSERT INTO ipwl (id, code, name, province_code, regency, address, pks_number, pks_valid_from,"
            " pks_valid_until, team_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    i,
                    f"IPWL{i:05d}",
                    f"Lembaga Rehabilitasi {i}",
                    PROVINCES[i % len(PROVINCES)],
                    "Kabupaten Contoh",
                    f"Jl. Contoh {i}",
                    f"PKS-{i}/2026",
                    "2026-01-01",
                    "2027-12-31",
                    1 + (i - 1) // 11,
                    stamp,
                    stamp,
                )
                for i in range(1, ipwl_count + 1)
            ),
        )
    weights = [w for _, w in STATUSES]
    names = [s for s, _ in STATUSES]
    client_id = line_id = lpj_id = 0
    batch: dict[str, list[tuple]] = {
        k: [] for k in ("proposals", "clients", "budget_lines", "transfers", "lpj", "lpj_realizations", "audit_events")
    }

    def flush() -> None:
        with db:
            for table, rows in batch.items():
                if rows:
                    marks = ",".join("?" * len(rows[0]))
                    db.executemany(f"INSERT INTO {table} ({COLUMNS[table]}) VALUES ({marks})", rows)
                    rows.clear()

    for proposal_id in range(1, proposal_count + 1):
        status = rng.choices(names, weights)[0]
        year = 2026 if rng.random() < 0.9 else 2025
        code = f"USL-{year}-{proposal_id:06d}"
        ipwl_id = rng.randint(1, ipwl_count)
        start = dt.datetime(year, 1, 5, tzinfo=dt.UTC) + dt.timedelta(hours=rng.randint(0, 24 * 260))
        batch["proposals"].append(
            (proposal_id, code, ipwl_id, status, year, rng.randint(1, 12), 1, stamp, stamp, stamp)
        )
        if status in LPJ:
            lpj_id += 1
            batch["lpj"].append((lpj_id, proposal_id, stamp, int(rng.random() < 0.3), stamp, stamp))
        for position in range(1, rng.randint(1, 19) + 1):
            client_id += 1
            batch["clients"].append(
                (
                    client_id,
                    proposal_id,
                    position,
                    f"Klien {client_id}",
                    f"{3201000000000000 + client_id}",
                    "L" if client_id % 2 else "P",
                    "1990-01-01",
                    PROVINCES[ipwl_id % len(PROVINCES)],
                    "Kabupaten Contoh",
                    f"Jl. Melati {client_id}",
                    "081234567890",
                    "keluarga",
                    "1,3",
                    "Pengguna sabu 3 tahun, keluarga mendukung.",
                    "Konseling 8 sesi, sembako 3 bulan.",
                )
            )
            total = 0
            for _ in range(1 + (rng.random() < 0.5)):
                line_id += 1
                amount = rng.randint(2, 60) * 50_000
                total += amount
                batch["budget_lines"].append((line_id, client_id, "1", "Paket sembako", 1, amount, amount))
                if status in LPJ:
                    batch["lpj_realizations"].append((line_id, lpj_id, line_id, amount - rng.randint(0, 4) * 10_000))
            if status in PAID:
                sent = rng.random() < 0.95
                batch["transfers"].append(
                    (client_id, client_id, total, "2026-06-01", "sent" if sent else "failed", stamp)
                )
        moment = start
        for action in _actions(status, rng):
            moment += dt.timedelta(hours=rng.randint(6, 140))
            batch["audit_events"].append((_stamp(min(moment, NOW)), 1, "pic", "proposal", code, action))
        if proposal_id % 2000 == 0:
            for table, rows in batch.items():
                counts[table] = counts.get(table, 0) + len(rows)
            flush()
    for table, rows in batch.items():
        counts[table] = counts.get(table, 0) + len(rows)
    flush()
    db.close()
    return counts


COLUMNS = {
    "proposals": "id, code, ipwl_id, status, period_year, period_month, created_by, created_at, updated_at,"
    " status_since",
    "clients": "id, proposal_id, position, full_name, nik, sex, birth_date, province_code, regency, address, phone,"
    " approach, components, assessment, intervention_plan",
    "budget_lines": "id, client_id, component, description, quantity, unit_cost, total",
    "transfers": "id, client_id, amount, transfer_on, status, updated_at",
    "lpj": "id, proposal_id, submitted_at, late, created_at, updated_at",
    "lpj_realizations": "id, lpj_id, budget_line_id, amount",
    "audit_events": "at, actor_id, actor_role, entity, entity_id, action",
}


# --- the measured runs -----------------------------------------------------------------------------------


def _report(path: Path | str) -> dict[str, float]:
    """/laporan's work: the figures from the read connection, then the files in a worker thread;
    meanwhile the bot's own connection commits a small transaction every 20 ms."""
    from bot.clock import ManualClock
    from bot.config import Settings
    from bot.domain.models import Actor, Grant, Person, Role
    from bot.i18n import Translator
    from bot.services import Identity, Services
    from storage.unit import Storage

    async def run() -> dict[str, float]:
        storage = await Storage.open(path)
        settings = Settings.model_validate({"storage": {"url": database_url(path)}})
        services = Services(storage, ManualClock(NOW), settings)
        who = Identity(Person(1, 1, "Admin"), Actor(1, frozenset({Grant(Role.ADMIN)})), "en")
        stalls: list[float] = []
        done = asyncio.Event()

        async def bot_traffic() -> None:
            while not done.is_set():
                began = time.perf_counter()
                async with storage.transaction() as uow:
                    await uow.report_runs.claim(f"probe-{began}", NOW)
                stalls.append(time.perf_counter() - began)
                await asyncio.sleep(0.02)

        traffic = asyncio.create_task(bot_traffic())
        began = time.perf_counter()
        report = await services.reports.monthly(who, "2026-11")
        figures = time.perf_counter() - began
        files = await services.reports.render(report, Translator("en"))
        total = time.perf_counter() - began
        done.set()
        await traffic
        await storage.close()
        return {
            "seconds": total,
            "figures_seconds": figures,
            "render_seconds": total - figures,
            "stall_max_ms": max(stalls) * 1000,
            "probes": len(stalls),
            "ipwl_rows": len(report.ipwl),
            "clients_decreed": report.centre.clients_decreed,
            "workbook_kb": len(files.workbook) / 1024,
        }

    return asyncio.run(run())


def _baseline(path: Path | str) -> dict[str, float]:
    """The same aggregates through the raw driver: sqlite3, or asyncpg (``?`` → ``$n``, no codecs)."""
    from bot.domain.report_figures import Period
    from storage.reports import REPORT_QUERIES

    start, end = Period(2026, 11).bounds("Asia/Jakarta")
    until = {"year": 2026, "until": _stamp(min(NOW, end))}  # the report's position: the month's end
    params = {
        "registry": (),
        "proposals": until,
        "transfers": until,
        "lpj": until,
        "stage_events": (_stamp(NOW), 2026),
        "month_flows": (_stamp(start), _stamp(end)),
    }
    url = database_url(path)
    if url.startswith("postgresql://"):
        return asyncio.run(_baseline_postgres(url, params))
    began = time.perf_counter()
    db = sqlite3.connect(path)
    rows = sum(len(db.execute(sql, params[name]).fetchall()) for name, sql in REPORT_QUERIES.items())
    db.close()
    return {"seconds": time.perf_counter() - began, "rows": rows}


async def _baseline_postgres(url: str, params: dict[str, tuple]) -> dict[str, float]:
    import asyncpg

    from storage.postgres import _bind
    from storage.reports import REPORT_QUERIES

    def typed(value: object) -> object:  # the raw driver wants datetimes for timestamptz
        return dt.datetime.fromisoformat(value) if isinstance(value, str) and value.endswith("Z") else value

    began = time.perf_counter()
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            rows = 0
            for name, sql in REPORT_QUERIES.items():
                text, args = _bind(sql, params[name])  # ``?`` or ``:name`` → ``$n``, as the storage layer binds
                rows += len(await conn.fetch(text, *(typed(v) for v in args)))
    finally:
        await conn.close()
    return {"seconds": time.perf_counter() - began, "rows": rows}


def database_url(target: Path | str) -> str:
    from storage.db import database_url as url_of

    return url_of(target)


def measure(mode: str, path: Path, repeat: int) -> dict[str, float]:
    run = _report if mode == "report" else _baseline
    if mode == "report":  # imports are not part of the measurement
        import matplotlib.figure  # noqa: F401
        import openpyxl  # noqa: F401

        import bot.services  # noqa: F401
    gc.collect()
    reset_peak_rss()
    rss_before = status_mb("VmRSS") or peak_rss_mb()
    results = []
    for _ in range(repeat):
        results.append(run(path))
        gc.collect()
    best = min(results, key=lambda r: r["seconds"])
    return {**best, "rss_growth_mb": max(peak_rss_mb() - rss_before, 0.0)}


def _child(mode: str, path: Path | str, repeat: int) -> dict[str, float]:
    where = ["--url", path] if isinstance(path, str) else ["--db", str(path)]
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, *where, "--repeat", str(repeat)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def reuse_or_generate(path: Path, scale: float, make: Callable[[Path, float], dict[str, int]] | None = None) -> None:
    """Reuse the database at ``path`` (``--db``), or generate it there with ``make`` and say so."""
    if path.exists():
        print(f"reusing {path} ({path.stat().st_size / 2**20:.0f} MB)")
        return
    began = time.perf_counter()
    counts = (make or generate)(path, scale)
    print(
        f"generated {path.stat().st_size / 2**20:.0f} MB in {time.perf_counter() - began:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 10,000 IPWL and 1,000,000 clients")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--db", type=Path, help="generate here (or reuse, if it exists)")
    parser.add_argument(
        "--url",
        help="measure on this database instead (sqlite:///… or postgresql://…, holding the "
        "national data, e.g. made with `atensi-bot db copy`)",
    )
    parser.add_argument("--child", choices=("report", "baseline"))
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.url or args.db, args.repeat)))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        path: Path | str = args.url or args.db or Path(tmp) / "national.sqlite3"
        if not args.url:
            reuse_or_generate(path, args.scale)
        report = _child("report", path, args.repeat)
        baseline = _child("baseline", path, args.repeat)
    print(
        f"report:   {report['seconds']:.1f} s (figures {report['figures_seconds']:.1f} s, files "
        f"{report['render_seconds']:.1f} s), max RSS growth {report['rss_growth_mb']:.0f} MB, "
        f"{report['ipwl_rows']:,} IPWL rows, workbook {report['workbook_kb']:.0f} KB"
    )
    print(
        f"          the bot's slowest transaction meanwhile: {report['stall_max_ms']:.0f} ms "
        f"({report['probes']} probes)"
    )
    print(
        f"baseline: {baseline['seconds']:.1f} s (same aggregates through the raw driver, {baseline['rows']:,} rows), "
        f"max RSS growth {baseline['rss_growth_mb']:.0f} MB"
    )
    print(
        f"ratio {report['seconds'] / max(baseline['seconds'], 1e-9):.2f}×; targets: < {TARGET_SECONDS:.0f} s "
        f"{'met' if report['seconds'] < TARGET_SECONDS else 'MISSED'}, < {TARGET_MB:.0f} MB "
        f"{'met' if report['rss_growth_mb'] < TARGET_MB else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

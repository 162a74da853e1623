"""Benchmark: storage at national scale (10,000 IPWL, 1,000,000 clients) against raw sqlite3.

Run from the repository root::

    python bench/bench_storage.py                      # full scale (generation takes a minute or two)
    python bench/bench_storage.py --scale 0.1          # 1,000 IPWL, 100,000 clients
    python bench/bench_storage.py --db /tmp/nation.sqlite3   # keep the generated file and reuse it

The database is generated once with the real migrations and ``executemany`` (``bench_report.generate``:
teams of 11 IPWL in 38 provinces, ~10 clients per proposal, every status, budget lines, transfers, LPJ,
each proposal's audit trail), then given what the reminder job needs (an operator per IPWL who has
started the bot, a bound group per team, LPJ due dates from a month overdue to three weeks ahead,
time spent in each status). Then, each in a fresh child process:

* **status** – ``storage.proposals.ProposalRepository.summaries_for_ipwl`` (what ``/status`` reads)
  for 300 random IPWL, through the bot's own storage (aiosqlite, a read transaction each), against
  raw ``sqlite3`` running the very same SQL;
* **dup-NIK** – ``ClientRepository.nik_in_other_ipwl`` (run for every NIK an operator types) for 300
  NIKs (half of them known), the same way;
* **/ajukan's numbering** – the per-year counter a new draft's code comes from (a write transaction
  each), against the ``count(*) … LIKE`` it replaced (migration 0007), for information;
* **reminders** – one run of ``ReminderService.run`` on a copy (``bench_reminders``' child: the run
  while the bot commits beside it; its baseline: the SELECTs the run issued, in raw sqlite3);
* **monthly report** – ``ReportService.monthly`` + ``render`` (``bench_report``' child) and its raw
  SQL baseline.

Time per query: p50/p95/max over the samples (after a warm-up pass: the pages are in the OS cache, as
on a running server). Memory: the rise of the child's RSS high-water mark. ``EXPLAIN QUERY PLAN`` of
the status and dup-NIK queries is printed: both must search by index. Targets: status and dup-NIK
under 5 ms, reminders under 10 s, the monthly report under 30 s, peak memory under 500 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_reminders, bench_report  # noqa: E402
from bench.process_memory import peak_rss_mb, reset_peak_rss, status_mb  # noqa: E402

SAMPLES = 300
TARGETS = {"status": 5.0, "dup_nik": 5.0}  # ms
REMINDER_NOW = bench_reminders.NOW  # Monday 7 December 2026, 09.00 WIB: every zone at work

# The repositories' SQL, verbatim (storage/proposals.py), for the raw sqlite3 baseline and the plans.
# What ``ProposalRepository.create_draft`` numbers a new code with (migration 0007), and the count it replaced.
NUMBERING_SQL = (
    "INSERT INTO proposal_numbers (year, last_number) VALUES (?, 1) ON CONFLICT (year)"
    " DO UPDATE SET last_number = proposal_numbers.last_number + 1 RETURNING last_number"
)
COUNTING_SQL = "SELECT count(*) FROM proposals WHERE code LIKE ?"
STATUS_SQL = (
    "SELECT p.id, p.code, p.ipwl_id, p.status, p.version, p.status_since,"
    " (SELECT count(*) FROM clients c WHERE c.proposal_id = p.id) AS clients,"
    " (SELECT coalesce(sum(b.total), 0) FROM budget_lines b JOIN clients c"
    "   ON c.id = b.client_id WHERE c.proposal_id = p.id) AS total"
    " FROM proposals p WHERE p.ipwl_id = ? ORDER BY p.id DESC LIMIT ?"
)
# Since issue 17 the NIK is sealed and looked up by its blind index (the raw baseline is given the
# blind index; the repository computes it from the NIK typed, HMAC included in its time).
DUP_NIK_SQL = (
    "SELECT p.code, i.code FROM clients c JOIN proposals p ON p.id = c.proposal_id"
    " JOIN ipwl i ON i.id = p.ipwl_id WHERE c.nik_index = ? AND p.period_year = ?"
    " AND p.ipwl_id != ? AND p.status NOT IN ('draft', 'withdrawn', 'rejected')"
)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def bench_keys(path: Path | str) -> Path:
    """The generated database's key file (beside it: a benchmark's made-up data only)."""
    return Path(str(path).removeprefix("sqlite:///") + ".keys")


def seal_nik(db: sqlite3.Connection, keys: object) -> None:
    """Seal the generated clients' NIK and give them its blind index (issue 17), as the bot writes them."""
    rows = db.execute("SELECT id, nik FROM clients").fetchall()
    db.executemany(
        "UPDATE clients SET nik = ?, nik_index = ? WHERE id = ?",
        ((keys.seal(nik, "clients", "nik"), keys.blind("nik", nik), cid) for cid, nik in rows),
    )


def generate(path: Path, scale: float) -> dict[str, int]:
    from storage.sealing import Keyring

    counts = bench_report.generate(path, scale)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    with db:
        seal_nik(db, Keyring.load_or_create(bench_keys(path)))
    rng = random.Random(7)
    created = _stamp(REMINDER_NOW - dt.timedelta(days=400))
    ipwl = db.execute("SELECT max(id) FROM ipwl").fetchone()[0]
    base = db.execute("SELECT coalesce(max(id), 0) FROM people").fetchone()[0]
    with db:
        db.executemany(
            "INSERT INTO people (id, telegram_user_id, full_name, private_chat_started, created_at)"
            " VALUES (?, ?, ?, 1, ?)",
            ((base + i, 50_000_000 + i, f"Operator {i}", created) for i in range(1, ipwl + 1)),
        )
        db.executemany(
            "INSERT INTO grants (person_id, role, ipwl_id, granted_at) VALUES (?, 'operator', ?, ?)",
            ((base + i, i, created) for i in range(1, ipwl + 1)),
        )
        db.execute("UPDATE pic_teams SET group_chat_id = -100000 - id")
        rows = db.execute("SELECT id, status FROM proposals").fetchall()
        updates = []
        for pid, status in rows:
            since = REMINDER_NOW - dt.timedelta(days=rng.randint(0, 45), hours=rng.randint(0, 23))
            due = (
                (REMINDER_NOW.date() + dt.timedelta(days=rng.randint(-30, 20))).isoformat()
                if status in ("paid", "lpj_returned", "lpj_submitted", "lpj_verified", "closed")
                else None
            )
            updates.append((_stamp(since), _stamp(since), due, pid))
        db.executemany("UPDATE proposals SET status_since = ?, updated_at = ?, lpj_due_on = ? WHERE id = ?", updates)
    db.execute("ANALYZE")
    db.close()
    counts["people"] = ipwl
    return counts


# --- children -------------------------------------------------------------------------------------------------


def _samples(path: Path | str) -> tuple[list[int], list[tuple[str, int, int]]]:
    from storage.db import Database

    async def highest() -> tuple[int, int]:
        db = await Database.open(path, pool_size=1)
        try:
            async with db.reading() as conn:
                return (
                    await conn.fetchval("SELECT max(id) FROM ipwl"),
                    await conn.fetchval("SELECT max(id) FROM clients"),
                )
        finally:
            await db.close()

    rng = random.Random(11)
    ipwl_max, client_max = asyncio.run(highest())
    ipwl_ids = [rng.randint(1, ipwl_max) for _ in range(SAMPLES)]
    niks = []
    for n in range(SAMPLES):
        if n % 2:
            nik = f"{3201000000000000 + rng.randint(1, client_max)}"  # a client who exists
        else:
            nik = f"{3301000000000000 + rng.randint(1, 10**9)}"  # nobody
        niks.append((nik, 2026, rng.randint(1, ipwl_max)))
    return ipwl_ids, niks


def _ms(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
        "max_ms": times[-1] * 1000,
        "n": len(times),
    }


def child_queries(path: Path | str) -> dict[str, object]:
    """The repositories through the bot's storage, then the raw driver, on the same samples."""
    from storage.unit import Storage

    ipwl_ids, niks = _samples(path)
    gc.collect()
    reset_peak_rss()
    rss_before = status_mb("VmRSS") or 0.0

    async def repositories() -> dict[str, dict[str, float]]:
        storage = await Storage.open(path, apply_migrations=False)
        out: dict[str, list[float]] = {"status": [], "dup_nik": [], "numbering": [], "counting": []}
        try:
            for measured in (False, True):  # a warm-up pass, then the measured one
                for ipwl_id in ipwl_ids:
                    began = time.perf_counter()
                    async with storage.reading() as uow:
                        await uow.proposals.summaries_for_ipwl(ipwl_id)
                    if measured:
                        out["status"].append(time.perf_counter() - began)
                for nik, year, ipwl_id in niks:
                    began = time.perf_counter()
                    async with storage.reading() as uow:
                        await uow.clients.nik_in_other_ipwl(nik, year, ipwl_id)
                    if measured:
                        out["dup_nik"].append(time.perf_counter() - began)
            for _ in range(20):
                began = time.perf_counter()
                async with storage.transaction() as uow:
                    await uow.proposals._conn.execute_fetchall(NUMBERING_SQL, (2026,))
                out["numbering"].append(time.perf_counter() - began)
                began = time.perf_counter()
                async with storage.reading() as uow:
                    await uow.proposals._conn.execute_fetchall(COUNTING_SQL, ("USL-2026-%",))
                out["counting"].append(time.perf_counter() - began)
        finally:
            await storage.close()
        return {k: _ms(v) for k, v in out.items()}

    repo = asyncio.run(repositories())
    repo_rss = max(peak_rss_mb() - rss_before, 0.0)
    from storage.sealing import Keyring

    keys = Keyring.from_environment()
    assert keys is not None, "ATENSI_KEY_FILE: the generated database's key file"
    niks = [(keys.blind("nik", nik), year, ipwl_id) for nik, year, ipwl_id in niks]  # what the raw SQL is given
    if "postgresql://" in str(path):
        raw_pg, plans = asyncio.run(_raw_postgres(str(path), ipwl_ids, niks))
        return {"repository": repo, "raw": raw_pg, "plans": plans, "rss_growth_mb": repo_rss}

    db = sqlite3.connect(str(path).removeprefix("sqlite:///"))
    raw: dict[str, list[float]] = {"status": [], "dup_nik": []}
    for measured in (False, True):
        for ipwl_id in ipwl_ids:
            began = time.perf_counter()
            db.execute(STATUS_SQL, (ipwl_id, 20)).fetchall()
            if measured:
                raw["status"].append(time.perf_counter() - began)
        for nik, year, ipwl_id in niks:
            began = time.perf_counter()
            db.execute(DUP_NIK_SQL, (nik, year, ipwl_id)).fetchall()
            if measured:
                raw["dup_nik"].append(time.perf_counter() - began)
    plans = {
        name: [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
        for name, sql, params in (
            ("status", STATUS_SQL, (1, 20)),
            ("dup_nik", DUP_NIK_SQL, ("1", 2026, 1)),
            ("counting (before 0007)", COUNTING_SQL, ("USL-2026-%",)),
        )
    }
    db.close()
    return {"repository": repo, "raw": {k: _ms(v) for k, v in raw.items()}, "plans": plans, "rss_growth_mb": repo_rss}


async def _raw_postgres(url: str, ipwl_ids: list[int], niks: list[tuple[str, int, int]]):
    """The same SQL through raw asyncpg (``?`` → ``$n`` by the engine's own translation), and its plans."""
    import asyncpg

    from storage.postgres import translate

    conn = await asyncpg.connect(url)
    raw: dict[str, list[float]] = {"status": [], "dup_nik": []}
    try:
        status_sql, nik_sql = translate(STATUS_SQL), translate(DUP_NIK_SQL)
        for measured in (False, True):
            for ipwl_id in ipwl_ids:
                began = time.perf_counter()
                await conn.fetch(status_sql, ipwl_id, 20)
                if measured:
                    raw["status"].append(time.perf_counter() - began)
            for nik, year, ipwl_id in niks:
                began = time.perf_counter()
                await conn.fetch(nik_sql, nik, year, ipwl_id)
                if measured:
                    raw["dup_nik"].append(time.perf_counter() - began)
        plans = {}
        for name, sql, params in (("status", status_sql, (1, 20)), ("dup_nik", nik_sql, ("1", 2026, 1))):
            rows = await conn.fetch("EXPLAIN " + sql, *params)
            plans[name] = [r[0].strip() for r in rows][:6]
    finally:
        await conn.close()
    return {k: _ms(v) for k, v in raw.items()}, plans


def _child(script: Path, *args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, str(script), *args], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_engine(target: Path | str, tmp: Path, skip: list[str]) -> dict[str, dict[str, object]]:
    """Every measurement on one engine's copy of the national data (``target``: a SQLite file or a
    PostgreSQL URL); each run that writes gets its own copy."""
    where = ["--url", target] if isinstance(target, str) else ["--db", str(target)]
    results: dict[str, dict[str, object]] = {"queries": _child(Path(__file__), "--child", "queries", *where)}
    url = target if isinstance(target, str) else "sqlite:///" + str(target)
    if "reminders" not in skip:
        script = ROOT / "bench" / "bench_reminders.py"
        trace = Path(tmp) / f"trace-{url.split(':')[0]}.json"
        for mode in ("trace", "run"):
            copy = bench_reminders.clone(url, mode)
            extra = str(trace) if mode == "trace" else "1"
            results[f"reminders-{mode}"] = _child(script, "--child", mode, copy, extra)
        results["reminders-baseline"] = _child(script, "--child", "baseline", url, str(trace))
    if "report" not in skip:
        script = ROOT / "bench" / "bench_report.py"
        results["report"] = _child(script, "--child", "report", *where, "--repeat", "1")
        results["report-baseline"] = _child(script, "--child", "baseline", *where, "--repeat", "1")
    return results


def print_engine(engine: str, results: dict[str, dict[str, object]]) -> None:
    queries = results["queries"]
    driver = "asyncpg" if engine == "postgresql" else "sqlite3"
    print(f"\n== {engine} ==")
    print(f"{'':34}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}   raw {driver} p50/p95 ms   target")
    for name, label in (("status", "status (summaries_for_ipwl)"), ("dup_nik", "dup-NIK (nik_in_other_ipwl)")):
        r, b = queries["repository"][name], queries["raw"][name]
        verdict = "met" if r["p95_ms"] < TARGETS[name] else f"MISSED by {r['p95_ms'] - TARGETS[name]:.1f} ms"
        print(
            f"{label:34}{r['p50_ms']:9.2f}{r['p95_ms']:9.2f}{r['max_ms']:9.2f}   "
            f"{b['p50_ms']:7.2f} / {b['p95_ms']:<7.2f}"
            f"        < {TARGETS[name]:.0f} ms p95: {verdict}"
        )
    for name, label in (("numbering", "/ajukan numbering (counter)"), ("counting", "  before 0007 (count LIKE)")):
        n = queries["repository"][name]
        print(f"{label:34}{n['p50_ms']:9.2f}{n['p95_ms']:9.2f}{n['max_ms']:9.2f}")
    print(f"RSS growth of the query child: {queries['rss_growth_mb']:.0f} MB")
    for name, plan in queries["plans"].items():
        print(f"plan {name}: " + " | ".join(plan))
    if "reminders-run" in results:
        run, base = results["reminders-run"], results["reminders-baseline"]
        print(
            f"reminders: {run['seconds']:.2f} s, RSS growth {run['rss_growth_mb']:.0f} MB, {int(run['candidates']):,} "
            f"items, {int(run['recorded']):,} reminders, {int(run['messages']):,} outbox rows, slowest bot commit "
            f"{run['slowest_press_ms']:.0f} ms; baseline {base['seconds']:.2f} s "
            f"({int(base['statements']):,} SELECTs); "
            f"target < 10 s: {'met' if run['seconds'] < 10 else 'MISSED'}; a press < 100 ms meanwhile: "
            f"{'met' if run['slowest_press_ms'] < 100 else 'MISSED'}"
        )
    if "report" in results:
        rep, base = results["report"], results["report-baseline"]
        print(
            f"monthly report: {rep['seconds']:.1f} s (figures {rep['figures_seconds']:.1f} + files "
            f"{rep['render_seconds']:.1f}), RSS growth {rep['rss_growth_mb']:.0f} MB; "
            f"baseline {base['seconds']:.1f} s, "
            f"{base['rss_growth_mb']:.0f} MB; target < 30 s: {'met' if rep['seconds'] < 30 else 'MISSED'}; "
            f"slowest bot commit meanwhile {rep['stall_max_ms']:.0f} ms (< 100 ms: "
            f"{'met' if rep['stall_max_ms'] < 100 else 'MISSED'})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 10,000 IPWL and 1,000,000 clients")
    parser.add_argument("--db", type=Path, help="generate here (or reuse, if it exists)")
    parser.add_argument("--url", help="measure this database only (sqlite:///… or postgresql://…, holding the data)")
    parser.add_argument(
        "--engines",
        default="sqlite,postgresql",
        help="sqlite, postgresql or both (default): PostgreSQL gets a copy of the generated "
        "data (atensi-bot db copy) in --pg-url or a throwaway cluster",
    )
    parser.add_argument("--pg-url", help="an empty PostgreSQL database for the copy (default: a throwaway cluster)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["reminders", "report"])
    parser.add_argument("--child", choices=["queries"])
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_queries(args.url or args.db)))
        return 0
    if args.url:
        with tempfile.TemporaryDirectory() as tmp:
            print_engine(
                "postgresql" if args.url.startswith("postgresql") else "sqlite",
                measure_engine(args.url, Path(tmp), args.skip),
            )
        return 0

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    cluster = None
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "nation.sqlite3"
        bench_report.reuse_or_generate(path, args.scale, generate)
        import os

        os.environ.setdefault("ATENSI_KEY_FILE", str(bench_keys(path)))  # the children open it with its keys
        measured: dict[str, dict[str, dict[str, object]]] = {}
        try:
            if "postgresql" in engines:
                pg_url = args.pg_url
                if pg_url is None:
                    from tests.pg_cluster import start_cluster

                    cluster = start_cluster()
                    pg_url = cluster.empty_database()
                began = time.perf_counter()
                rows = asyncio.run(_copy(path, pg_url))
                print(
                    f"copied into PostgreSQL (db copy, verified): {rows:,} rows in {time.perf_counter() - began:.0f} s"
                )
            for engine in engines:
                target = path if engine == "sqlite" else pg_url
                measured[engine] = measure_engine(target, Path(tmp), args.skip)
        finally:
            if cluster is not None:
                cluster.stop()
    for engine, results in measured.items():
        print_engine(engine, results)
    return 0


async def _copy(path: Path, url: str) -> int:
    from storage.copy import copy_database
    from storage.db import Database

    source, target = await Database.open(path), await Database.open(url, pool_size=2)
    try:
        return sum(t.rows for t in await copy_database(source, target))
    finally:
        await source.close()
        await target.close()


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: one run of the reminder engine (``ReminderService.run``) at a centre and at national scale.

Run from the repository root::

    python bench/bench_reminders.py               # the centre (78 IPWL × 60 clients) and the nation
    python bench/bench_reminders.py --scale 0.1   # the nation at a tenth (1,000 IPWL, 100,000 clients)
    python bench/bench_reminders.py --scale 0.0001 --no-centre   # the smallest nation alone (the smoke test's)

It generates each database once, in a temporary directory, with ``executemany`` on the real schema
(every migration applied): PIC teams with bound groups, IPWL spread over WIB/WITA/WIT provinces with
one operator each, five proposals per IPWL in every status of the lifecycle (LPJ due dates from a
month overdue to three weeks ahead, returned, decreed with missing bank accounts, idle drafts, LPJ
drafts), and the clients of those proposals. Then, each in a fresh child process on its own copy:

* ``run`` – the first run on Monday 09.00 WIB (every zone open, digests due): every reminder due is
  decided, logged and queued in the outbox;
* ``again`` – a second run right after: everything is already logged (the steady state);
* ``baseline`` – raw ``sqlite3`` executing the very SELECT statements the first run executed
  (recorded with ``sqlite3``'s trace callback in another child), fetching every row, nothing else.

For each: wall time, tracemalloc peak (Python allocations) and the rise of the process's RSS
high-water mark. Targets at national scale: under 10 s and 500 MB; the run pages by keyset and holds
one page of rows at a time, so its peak memory must not grow with the database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.process_memory import peak_rss_mb, reset_peak_rss, status_mb  # noqa: E402

# Monday 7 December 2026, 09.00 WIB = 10.00 WITA = 11.00 WIT: every zone works, the digest is due.
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
TARGET_SECONDS = 10.0
TARGET_MB = 500.0
PROPOSALS_PER_IPWL = 5
IPWL_PER_TEAM = 11
# Provinces in all three zones (Jawa Barat, Jawa Timur, Sumatera Utara, Bali, Sulawesi Selatan, Papua, Maluku).
PROVINCES = ("32", "35", "12", "51", "73", "91", "81")
# One status per proposal, cycling: the mix a busy year leaves behind.
STATUSES = (
    "paid",
    "draft",
    "closed",
    "submitted",
    "paid",
    "decreed",
    "returned",
    "lpj_submitted",
    "paid",
    "in_review",
    "lpj_returned",
    "accounts_verified",
    "validated",
    "verified",
    "accounts_submitted",
    "lpj_verified",
    "paid",
    "closed",
    "draft",
    "decreed",
)
SCALES = {"centre": (78, 78 * 60), "nation": (10_000, 1_000_000)}


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def generate(path: Path, ipwl_count: int, client_count: int) -> dict[str, int]:
    """The database of a centre (or a country): real schema, bulk inserts."""
    from storage.unit import Storage

    async def migrate() -> None:
        await (await Storage.open(path)).close()

    asyncio.run(migrate())
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA journal_mode = WAL")
    created = _stamp(NOW - dt.timedelta(days=400))
    teams = max(1, ipwl_count // IPWL_PER_TEAM)
    db.executemany(
        "INSERT INTO pic_teams (id, code, name, group_chat_id, created_at) VALUES (?, ?, ?, ?, ?)",
        [(t, f"TIM{t}", f"Tim PIC {t}", -100_000 - t, created) for t in range(1, teams + 1)],
    )
    db.executemany(
        "INSERT INTO ipwl (id, code, name, province_code, regency, address, pks_number, team_id, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, 'Kota', 'Jl. 1', 'PKS', ?, ?, ?)",
        [
            (i, f"IP{i:05d}", f"IPWL {i}", PROVINCES[i % len(PROVINCES)], 1 + (i - 1) % teams, created, created)
            for i in range(1, ipwl_count + 1)
        ],
    )
    # One operator per IPWL, two finance, one head: everyone has started the bot.
    people = [(i, 10_000_000 + i, f"Operator {i}", 1, created) for i in range(1, ipwl_count + 1)]
    staff = [(ipwl_count + n, 20_000_000 + n, f"Staff {n}", 1, created) for n in (1, 2, 3)]
    db.executemany(
        "INSERT INTO people (id, telegram_user_id, full_name, private_chat_started, created_at) VALUES (?, ?, ?, ?, ?)",
        people + staff,
    )
    db.executemany(
        "INSERT INTO grants (person_id, role, ipwl_id, granted_at) VALUES (?, 'operator', ?, ?)",
        [(i, i, created) for i in range(1, ipwl_count + 1)],
    )
    db.executemany(
        "INSERT INTO grants (person_id, role, granted_at) VALUES (?, ?, ?)",
        [(ipwl_count + 1, "finance", created), (ipwl_count + 2, "finance", created), (ipwl_count + 3, "head", created)],
    )

    proposals, lpj = [], []
    for pid in range(1, ipwl_count * PROPOSALS_PER_IPWL + 1):
        status = STATUSES[pid % len(STATUSES)]
        since = NOW - dt.timedelta(days=pid % 45, hours=pid % 7)
        due = (
            (NOW.date() + dt.timedelta(days=(pid % 51) - 30)).isoformat()
            if status.startswith(("paid", "lpj", "closed"))
            else None
        )
        updated = _stamp(since)
        proposals.append(
            (
                pid,
                f"USL-2026-{pid:06d}",
                1 + (pid - 1) // PROPOSALS_PER_IPWL,
                status,
                1,
                2026,
                11,
                1 + (pid - 1) // PROPOSALS_PER_IPWL,
                due,
                created,
                updated,
                _stamp(since),
            )
        )
        if status in ("paid", "lpj_returned") and pid % 2 == 0:
            lpj.append((pid, pid, 1, updated, updated))
    db.executemany(
        "INSERT INTO proposals (id, code, ipwl_id, status, version, period_year, period_month, created_by,"
        " lpj_due_on, created_at, updated_at, status_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        proposals,
    )
    db.executemany("INSERT INTO lpj (id, proposal_id, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", lpj)

    per_proposal = max(1, client_count // len(proposals))

    def clients():
        for cid in range(1, client_count + 1):
            pid = min(len(proposals), 1 + (cid - 1) // per_proposal)
            yield (cid, pid, cid, f"Klien {cid}", f"32{cid:014d}", "1,3")

    db.executemany(
        "INSERT INTO clients (id, proposal_id, position, full_name, nik, components) VALUES (?, ?, ?, ?, ?, ?)",
        clients(),
    )
    # Decreed proposals: half their clients have supplied an account, half have not.
    db.execute(
        "INSERT INTO bank_accounts (client_id, status, updated_at) SELECT c.id, 'submitted', ? FROM clients c"
        " JOIN proposals p ON p.id = c.proposal_id WHERE p.status = 'decreed' AND c.id % 2 = 0",
        (created,),
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return {"ipwl": ipwl_count, "teams": teams, "proposals": len(proposals), "clients": client_count}


# --- measurements (each in a fresh child process) ---------------------------------------------------


def _measure(work, *, traced: bool) -> dict[str, float]:
    """Wall time and RSS growth of ``work()`` — or, with ``traced``, its tracemalloc peak (tracing
    slows Python down, so time is never taken from a traced run)."""
    gc.collect()
    reset_peak_rss()
    rss_before = status_mb("VmRSS") or peak_rss_mb()
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "peak_mb": peak / 2**20,
        "rss_growth_mb": max(peak_rss_mb() - rss_before, 0.0),
        **result,
    }


def child_run(path: Path | str, runs: int, *, traced: bool = False, trace: Path | None = None) -> dict[str, float]:
    """``runs`` runs of the engine, the last one measured; ``trace``: record its SELECTs instead."""
    from bot.clock import ManualClock
    from bot.config import Settings
    from bot.services import Services
    from storage.db import database_url
    from storage.unit import Storage

    settings = Settings.model_validate({"storage": {"url": database_url(path)}})
    loop = asyncio.new_event_loop()
    storage = loop.run_until_complete(Storage.open(path))
    services = Services(storage, ManualClock(NOW), settings)
    try:
        for _ in range(runs - 1):
            loop.run_until_complete(services.reminders.run())
        if trace is not None:
            # Recorded at the storage layer's connection interface (either engine): each SELECT
            # with its parameters, replayed by the baseline through the raw driver.
            from storage.postgres import PostgresConnection
            from storage.sqlite import SqliteConnection

            statements: list[tuple[str, list]] = []
            for cls in (SqliteConnection, PostgresConnection):
                original = cls.execute_fetchall

                async def recording(self, sql, params=(), _original=original):
                    if sql.lstrip().upper().startswith("SELECT"):
                        statements.append((sql, list(params)))
                    return await _original(self, sql, params)

                cls.execute_fetchall = recording
            loop.run_until_complete(services.reminders.run())
            trace.write_text(json.dumps(statements))
            return {"statements": len(statements)}
        return _measure(lambda: loop.run_until_complete(_run_beside_the_bot(services, storage)), traced=traced)
    finally:
        loop.run_until_complete(storage.close())
        loop.close()


async def _run_beside_the_bot(services, storage) -> dict[str, float]:
    """One run, while a stand-in for the bot commits a small write every 20 ms on the same
    connection: its slowest commit is how long a button press could have waited for the job."""
    slowest = 0.0
    done = asyncio.Event()

    async def presses() -> None:
        nonlocal slowest
        while not done.is_set():
            start = time.perf_counter()
            async with storage.transaction():
                pass
            slowest = max(slowest, time.perf_counter() - start)
            await asyncio.sleep(0.02)

    bot = asyncio.create_task(presses())
    report = await services.reminders.run()
    done.set()
    await bot
    return {**vars(report), "slowest_press_ms": slowest * 1000}


def child_baseline(path: Path | str, trace: Path, *, traced: bool = False) -> dict[str, float]:
    """The raw driver (sqlite3, or asyncpg with ``?`` → ``$n``): the recorded SELECT statements with
    their parameters, every row fetched, nothing decided or written."""
    from storage.db import database_url, sqlite_path

    statements = json.loads(trace.read_text())
    url = database_url(path)
    if url.startswith("postgresql://"):
        import asyncpg

        from storage.postgres import translate

        def typed(value: object) -> object:  # the raw driver wants datetimes and dates
            if isinstance(value, str) and value.endswith("Z") and value[:4].isdigit():
                return dt.datetime.fromisoformat(value)
            if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[:4].isdigit():
                return dt.date.fromisoformat(value)
            return value

        loop = asyncio.new_event_loop()
        conn = loop.run_until_complete(asyncpg.connect(url))

        def work_pg() -> dict[str, float]:
            async def replay() -> int:
                rows = 0
                for sql, params in statements:
                    rows += len(await conn.fetch(translate(sql), *(typed(v) for v in params)))
                return rows

            return {"rows": loop.run_until_complete(replay()), "statements": len(statements)}

        try:
            return _measure(work_pg, traced=traced)
        finally:
            loop.run_until_complete(conn.close())
            loop.close()
    db = sqlite3.connect(sqlite_path(url))

    def work() -> dict[str, float]:
        rows = 0
        for sql, params in statements:
            rows += len(db.execute(sql, params).fetchall())
        return {"rows": rows, "statements": len(statements)}

    try:
        return _measure(work, traced=traced)
    finally:
        db.close()


def _child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(name: str, ipwl: int, clients: int, tmp: Path) -> dict[str, dict[str, float]]:
    template = tmp / f"{name}.sqlite3"
    start = time.perf_counter()
    facts = generate(template, ipwl, clients)
    size = template.stat().st_size / 2**20
    print(
        f"\n{name}: {facts['ipwl']:,} IPWL, {facts['teams']:,} teams, {facts['proposals']:,} proposals, "
        f"{facts['clients']:,} clients — {size:.0f} MB, generated in {time.perf_counter() - start:.1f} s"
    )

    def copy(mode: str) -> str:
        target = tmp / f"{name}-{mode}.sqlite3"
        shutil.copyfile(template, target)
        return str(target)

    trace = str(tmp / f"{name}-trace.json")
    _child("trace", copy("trace"), trace)
    results = {
        "run": _child("run", copy("run"), "1"),
        "again": _child("run", copy("again"), "2"),
        "baseline": _child("baseline", str(template), trace),
    }
    peaks = {
        "run": _child("run-traced", copy("mem"), "1"),
        "again": _child("run-traced", copy("mem2"), "2"),
        "baseline": _child("baseline-traced", str(template), trace),
    }
    for key, traced in peaks.items():
        results[key]["peak_mb"] = traced["peak_mb"]
    run = results["run"]
    print(
        f"  first run: {int(run['candidates']):,} items in {int(run['pages']):,} pages, {int(run['recorded']):,} "
        f"reminders, {int(run['messages']):,} outbox rows; baseline: {int(results['baseline']['statements']):,} "
        f"SELECTs, {int(results['baseline']['rows']):,} rows"
    )
    print(
        f"  {'':10} {'time (s)':>9} {'tracemalloc peak (MB)':>22} {'max RSS growth (MB)':>20}"
        f" {'slowest bot commit (ms)':>24}"
    )
    for key in ("run", "again", "baseline"):
        m = results[key]
        press = f"{m['slowest_press_ms']:24.0f}" if "slowest_press_ms" in m else f"{'-':>24}"
        print(f"  {key:10} {m['seconds']:9.2f} {m['peak_mb']:22.1f} {m['rss_growth_mb']:20.1f} {press}")
    return results


def clone(url: str, name: str) -> str:
    """A copy of a PostgreSQL database (``CREATE DATABASE … TEMPLATE``) for one measured run."""
    import asyncpg

    from storage.db import sqlite_path

    if url.startswith("sqlite:///"):
        source = Path(sqlite_path(url))
        target = source.with_name(f"{source.stem}-{name}{source.suffix}")
        shutil.copyfile(source, target)
        return "sqlite:///" + str(target)

    async def make() -> str:
        base, _, query = url.partition("?")
        server, _, source = base.rpartition("/")
        conn = await asyncpg.connect(f"{server}/postgres" + (f"?{query}" if query else ""))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{source}_{name}"')
            await conn.execute(f'CREATE DATABASE "{source}_{name}" TEMPLATE "{source}"')
        finally:
            await conn.close()
        return f"{server}/{source}_{name}" + (f"?{query}" if query else "")

    return asyncio.run(make())


def measure_copies(url: str, tmp: Path) -> dict[str, dict[str, float]]:
    """The national first run, the run after it, and the raw-driver baseline, on copies of ``url``."""
    trace = str(tmp / "trace.json")
    _child("trace", clone(url, "trace"), trace)
    results = {
        "run": _child("run", clone(url, "run"), "1"),
        "again": _child("run", clone(url, "again"), "2"),
        "baseline": _child("baseline", url, trace),
    }
    for key in ("run", "again", "baseline"):
        m = results[key]
        press = f", slowest bot commit {m['slowest_press_ms']:.0f} ms" if "slowest_press_ms" in m else ""
        print(f"  {key:10} {m['seconds']:9.2f} s, RSS growth {m['rss_growth_mb']:.0f} MB{press}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size of the national database (1.0 = 10,000 IPWL)")
    parser.add_argument("--no-centre", action="store_true", help="the national run only (e.g. a quick --scale)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument(
        "--url",
        help="measure the national run on this database instead (postgresql://… or "
        "sqlite:///…, holding the data, e.g. made with `atensi-bot db copy`); each "
        "run gets its own copy of it",
    )
    args = parser.parse_args(argv)
    if args.child:
        mode, extra = args.child[0], args.child[2]
        path = args.child[1] if "://" in args.child[1] else Path(args.child[1])
        traced = mode.endswith("-traced")
        if mode.startswith("run"):
            print(json.dumps(child_run(path, int(extra), traced=traced)))
        elif mode == "trace":
            print(json.dumps(child_run(path, 1, trace=Path(extra))))
        else:
            print(json.dumps(child_baseline(path, Path(extra), traced=traced)))
        return 0

    if args.url:
        with tempfile.TemporaryDirectory() as tmp:
            run = measure_copies(args.url, Path(tmp))["run"]
        print(f"\nfirst run on {args.url.split('?')[0]}: {run['seconds']:.2f} s (target < {TARGET_SECONDS:.0f} s)")
        return 0 if run["seconds"] < TARGET_SECONDS else 1
    nation_ipwl, nation_clients = SCALES["nation"]
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_centre:
            bench("centre", *SCALES["centre"], Path(tmp))
        nation = bench(
            "nation", max(11, int(nation_ipwl * args.scale)), max(100, int(nation_clients * args.scale)), Path(tmp)
        )
    run = nation["run"]
    ok = run["seconds"] < TARGET_SECONDS and max(run["peak_mb"], run["rss_growth_mb"]) < TARGET_MB
    print(
        f"\nnational first run: {run['seconds']:.2f} s (target < {TARGET_SECONDS:.0f} s), "
        f"peak {max(run['peak_mb'], run['rss_growth_mb']):.1f} MB (target < {TARGET_MB:.0f} MB): "
        f"{'OK' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Every benchmark in bench/ runs once, at its smallest sizes, and exits 0: a bench broken by a change is
noticed in the suite, not on the day someone measures. Nothing is timed here (the benches print their
figures; only the exit code and a figure printed are checked). The benches that need PostgreSQL skip
(or fail in CI) like the other PostgreSQL tests when it cannot be had."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# script → (its smallest sizes, needs PostgreSQL). The PostgreSQL URL goes in where "{pg}" stands.
BENCH_RUNS: dict[str, tuple[list[str], bool]] = {
    "bench_audit_chain.py": (["--events", "10", "--pg", "{pg}"], True),
    "bench_client_import.py": (["--clients", "20", "--repeat", "1"], False),
    "bench_outbox.py": (["--messages", "10", "--groups", "0", "--per-group", "0"], False),
    "bench_reminders.py": (["--scale", "0.0001", "--no-centre"], False),
    "bench_report.py": (["--scale", "0.0001"], False),
    "bench_sealing.py": (["--tours", "1"], False),
    "bench_storage.py": (["--scale", "0.0001", "--engines", "sqlite,postgresql", "--pg-url", "{pg}"], True),
    "bench_updates.py": (["--updates", "10", "--users", "2"], False),
    "bench_webhook.py": (["--updates", "10", "--users", "2"], True),  # starts its own cluster
}


def test_every_bench_script_is_in_the_smoke_runs() -> None:
    assert sorted(BENCH_RUNS) == sorted(p.name for p in (ROOT / "bench").glob("bench_*.py"))


# Each of these starts several bot processes or databases and takes minutes at any size: they run in
# `make bench-smoke` (which CI runs after `make test`), so that `make test` stays near ten minutes.
SLOW = {"bench_storage.py", "bench_updates.py", "bench_webhook.py"}


@pytest.mark.parametrize(
    "script", [pytest.param(s, marks=pytest.mark.slow_bench) if s in SLOW else s for s in sorted(BENCH_RUNS)]
)
def test_the_bench_runs_at_its_smallest_sizes(script: str, request: pytest.FixtureRequest) -> None:
    args, needs_postgresql = BENCH_RUNS[script]
    if needs_postgresql:
        # Skips (or fails in CI) as every [postgresql] test does when PostgreSQL cannot be had.
        pg_url = request.getfixturevalue("pg_cluster").empty_database()
        args = [a.replace("{pg}", pg_url) for a in args]
    ran = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert ran.returncode == 0, (
        f"{script} {' '.join(args)} exited {ran.returncode}:\n{ran.stdout[-3000:]}\n{ran.stderr[-3000:]}"
    )
    assert ran.stdout.strip(), f"{script} printed no figures"

"""Benchmark: importing a 2,000-client list (bot.files.client_sheet.parse_client_sheet).

Run from the repository root::

    python bench/bench_client_import.py [--clients 2000] [--repeat 3]

It fills the real template (build_template) with N clients on "Klien" and N budget lines on
"Anggaran" in a temporary directory, then measures, each in a fresh child process so that one
measurement's memory does not hide the next one's:

* parse   – parse_client_sheet on the file (every check of bot.domain.validation, budget lines, ceilings);
* baseline – plain openpyxl (read_only, data_only) iterating every row of both sheets, no checks.

For each: best wall time of ``--repeat`` runs, tracemalloc peak (Python allocations) of one more
run, and how far the process's max RSS rose above its RSS before the timed runs. Targets for parse: under 5 s and
under 200 MB peak.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
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
from bot.config import IntakeSettings  # noqa: E402

TODAY = dt.date(2026, 11, 28)
CEILINGS = IntakeSettings().unit_cost_ceilings  # the programme's, as the default configuration has them
TARGET_SECONDS = 5.0
TARGET_MB = 200.0
_APPROACHES = ("keluarga", "komunitas", "residensial")


def make_workbook(path: Path, clients: int) -> None:
    """The template with ``clients`` valid clients and one budget line each."""
    from openpyxl import load_workbook

    from bot.files.client_sheet import build_template
    from tests.client_sheets import letters

    wb = load_workbook(io.BytesIO(build_template()))
    ws, budget = wb["Klien"], wb["Anggaran"]
    for i in range(clients):
        female = i % 2 == 1
        day, month, year = 1 + i % 28, 1 + i % 12, 1970 + i % 30
        nik = (
            f"32{1 + i % 20:02d}{1 + i % 30:02d}{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}{i + 1:04d}"
        )
        ws.append([
            f"{'Siti' if female else 'Budi'} {letters(i)} Santoso",
            nik,
            "P" if female else "L",
            f"{day:02d}-{month:02d}-{year}",
            "32",
            "Kabupaten Bogor",
            f"Jl. Melati No. {i + 1}, RT 0{i % 9 + 1}/RW 02, Desa Sukamaju",
            f"0812-{3000 + i % 7000:04d}-{i % 10000:04d}",
            _APPROACHES[i % 3],
            "1,3,4",
            "Pengguna sabu sejak 3 tahun, putus sekolah; keluarga mendukung pemulihan. " * 3,
            "Konseling individu 8 sesi, pertemuan keluarga 2 kali, bantuan sembako 3 bulan.",
        ])  # fmt: skip
        budget.append([nik, (1, 3, 4)[i % 3], "Paket sembako bulanan", 3, 250_000])
    wb.save(path)


def _parse(path: Path) -> int:
    from bot.files.client_sheet import parse_client_sheet

    clients = parse_client_sheet(path.read_bytes(), path.name, today=TODAY,
                                 unit_cost_ceilings=CEILINGS)  # fmt: skip
    return len(clients)


def _baseline(path: Path) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    try:
        cells = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += sum(v is not None for v in row)
        return cells
    finally:
        wb.close()


def measure(mode: str, path: Path, repeat: int) -> dict[str, float]:
    """Run in a child process: time, RSS growth, then tracemalloc peak."""
    run = _parse if mode == "parse" else _baseline
    import openpyxl  # noqa: F401  (imports are not part of the measurement)

    import bot.files.client_sheet  # noqa: F401

    gc.collect()
    # How far the RSS high-water mark rises above the RSS the process has now (imports done).
    reset_peak_rss()
    rss_before = status_mb("VmRSS") or peak_rss_mb()
    times = []
    result = 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = run(path)
        times.append(time.perf_counter() - start)
        gc.collect()
    rss_growth = max(peak_rss_mb() - rss_before, 0.0)
    tracemalloc.start()
    run(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": min(times), "peak_mb": peak / 2**20, "rss_growth_mb": rss_growth,
            "result": result}  # fmt: skip


def _child(mode: str, path: Path, repeat: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--file", str(path), "--repeat", str(repeat)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=("parse", "baseline"))
    parser.add_argument("--file", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.file, args.repeat)))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "klien-2000.xlsx"
        start = time.perf_counter()
        make_workbook(path, args.clients)
        made = time.perf_counter() - start
        size_kb = path.stat().st_size / 1024
        print(f"workbook: {args.clients} clients + {args.clients} budget lines, "
              f"{size_kb:.0f} KiB, generated in {made:.1f} s")  # fmt: skip
        parse = _child("parse", path, args.repeat)
        base = _child("baseline", path, args.repeat)

    assert parse["result"] == args.clients, parse
    print(f"{'':10} {'time (s)':>9} {'tracemalloc peak (MB)':>22} {'max RSS growth (MB)':>20}")
    for name, m in (("parse", parse), ("baseline", base)):
        print(f"{name:10} {m['seconds']:9.2f} {m['peak_mb']:22.1f} {m['rss_growth_mb']:20.1f}")
    ratio_time = parse["seconds"] / base["seconds"]
    ratio_mem = parse["peak_mb"] / base["peak_mb"]
    print(f"ratio parse/baseline: time {ratio_time:.2f}x, tracemalloc peak {ratio_mem:.2f}x")
    ok_time = parse["seconds"] < TARGET_SECONDS
    ok_mem = max(parse["peak_mb"], parse["rss_growth_mb"]) < TARGET_MB
    print(f"targets: time < {TARGET_SECONDS:.0f} s: {'ok' if ok_time else 'MISSED'}; "
          f"peak < {TARGET_MB:.0f} MB: {'ok' if ok_mem else 'MISSED'}")  # fmt: skip
    return 0 if ok_time and ok_mem else 1


if __name__ == "__main__":
    sys.exit(main())

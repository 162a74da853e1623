"""Benchmark: what sealing the clients' data costs an operator's intake (issue 17.5).

Run from the repository root::

    python bench/bench_sealing.py                  # 12 tours of the intake each way
    python bench/bench_sealing.py --tours 30

One *tour* is the guided intake of one client as an operator types it (the 19 answers of
``tests/fuzz/test_conversations.py``'s tour: name, NIK, sex, birth date, province, regency,
address and phone, approach, components, assessment, plan, two budget lines), each answer through
``ProposalService.answer`` — validation, the NIK checks, the writes, the cursor — on a fresh SQLite
database. Each tour runs twice in the same process, alternating: with the real keyring (AES-256-GCM
values, HMAC-SHA256 blind index: ``storage.sealing.Keyring``) and with a pass-through sealer that
writes and looks up the plain values, as the bot did before sealing (the baseline). Measured: the
process's CPU time per answer (``time.process_time``: the event loop and aiosqlite's thread
together) and the wall time, median over the tours; and the primitives alone (one seal, one open,
one blind index), for scale.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage.sealing import Keyring, normalize_account, normalize_nik  # noqa: E402

SHARED = ROOT.parent / "shared"


class PlainSealer:
    """The baseline: values stored and looked up as typed (the bot before sealing)."""

    current = "k0000"
    path = None
    usable = ["k0000"]

    def seal(self, value: str | None, table: str, column: str) -> str | None:
        return value

    def open(self, value: str | None, table: str, column: str) -> str | None:
        return value

    def blind(self, kind: str, value: str | None) -> str | None:
        if value is None:
            return None
        return (normalize_nik(value) if kind == "nik" else normalize_account(value)) or None

    def seal_bytes(self, data: bytes) -> bytes:
        return data

    def open_bytes(self, data: bytes) -> bytes:
        return data

    def refresh(self, *, force: bool = False) -> None:
        return None


async def _tour(folder: Path, keys: object) -> tuple[list[float], list[float]]:
    """One operator's intake of one client; (CPU seconds, wall seconds) per answer."""
    from bot.clock import ManualClock
    from bot.config import Settings
    from bot.domain.models import Role
    from bot.domain.proposal_intake import Reply
    from bot.domain.regions import load_regions
    from bot.services import Services
    from storage.unit import Storage
    from tests.conftest import START
    from tests.fuzz.inputs import TOUR
    from tests.helpers import enrol, seed_registry

    settings = Settings.model_validate(
        {
            "storage": {"database": str(folder / "bench.sqlite3"), "files_dir": str(folder / "files")},
            "regions": {"regencies_file": str(SHARED / "wilayah" / "regencies.csv")},
        }
    )
    storage = await Storage.open(settings.storage.database, keys=keys)
    try:
        services = Services(
            storage, ManualClock(START), settings, regions=load_regions(SHARED / "wilayah" / "regencies.csv")
        )
        await seed_registry(services)
        op = await enrol(services, 101, "Siti Operator", Role.OPERATOR, ipwl="JB01")
        await services.proposals.start(op)
        cpu, wall = [], []
        for text, choice in TOUR:
            began_cpu, began = time.process_time(), time.perf_counter()
            await services.proposals.answer(op, Reply(text=text, choice=choice))
            cpu.append(time.process_time() - began_cpu)
            wall.append(time.perf_counter() - began)
        return cpu, wall
    finally:
        await storage.close()


def _primitives(n: int = 20_000) -> dict[str, float]:
    keys = Keyring.generate()
    name = "Siti Rahayu binti Ahmad Sudrajat"
    sealed = keys.seal(name, "clients", "full_name")
    out = {}
    for label, call in (
        ("seal", lambda: keys.seal(name, "clients", "full_name")),
        ("open", lambda: keys.open(sealed, "clients", "full_name")),
        ("blind index", lambda: keys.blind("nik", "3201014508900004")),
    ):
        began = time.process_time()
        for _ in range(n):
            call()
        out[label] = (time.process_time() - began) / n * 1e6
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--tours", type=int, default=12)
    args = parser.parse_args(argv)
    runs: dict[str, dict[str, list[float]]] = {"sealed": {"cpu": [], "wall": []}, "plain": {"cpu": [], "wall": []}}
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(args.tours + 1):  # the first pair warms up (imports, catalogs, regions)
            for mode in ("sealed", "plain") if number % 2 else ("plain", "sealed"):
                folder = Path(tmp) / f"{mode}-{number}"
                folder.mkdir()
                keys = Keyring.generate() if mode == "sealed" else PlainSealer()
                cpu, wall = asyncio.run(_tour(folder, keys))
                if number:
                    runs[mode]["cpu"].append(statistics.mean(cpu))
                    runs[mode]["wall"].append(statistics.mean(wall))
    answers = 19
    print(f"intake: {args.tours} tours of {answers} answers each way, alternating (median of the per-tour means)")
    print(f"{'':28}{'CPU ms/answer':>15}{'wall ms/answer':>16}")
    for mode, label in (("plain", "plain (before sealing)"), ("sealed", "sealed (AES-GCM + HMAC)")):
        print(
            f"{label:28}{statistics.median(runs[mode]['cpu']) * 1000:15.2f}"
            f"{statistics.median(runs[mode]['wall']) * 1000:16.2f}"
        )
    extra = statistics.median(runs["sealed"]["cpu"]) - statistics.median(runs["plain"]["cpu"])
    print(
        f"sealing adds {extra * 1000:+.2f} ms CPU per answer "
        f"({extra / statistics.median(runs['plain']['cpu']) * 100:+.1f} %)"
    )
    for label, micros in _primitives().items():
        print(f"  one {label}: {micros:.1f} µs CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())

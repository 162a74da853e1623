"""What sealing the audit trail costs (issue 17.8): a unit of work that records one audit event,
with the seal (the chain's lock, the head read, the hash, one UPDATE) against the same unit of work
with sealing switched off, in the same run, on SQLite (a file) and — with --pg URL — PostgreSQL.

    .venv/bin/python bench/bench_audit_chain.py [--events 2000] [--pg postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from bot.domain.models import AuditEvent
from storage.audit import AuditRepository
from storage.audit_chain import verify
from storage.unit import Storage

NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


async def _units(storage: Storage, events: int) -> list[float]:
    times = []
    for n in range(events):
        start = time.perf_counter()
        async with storage.transaction() as uow:
            await uow.audit.record(
                AuditEvent(
                    NOW,
                    None,
                    "pic",
                    "proposal",
                    f"USL-2026-{n:05d}",
                    "verify",
                    "submitted",
                    "verified",
                    "alasan" if n % 3 == 0 else None,
                )
            )
        times.append(time.perf_counter() - start)
    return times


async def run(target: str, events: int) -> None:
    storage = await Storage.open(target)
    try:
        sealed = await _units(storage, events)
        original = AuditRepository.seal

        async def no_seal(self) -> None:
            self._unsealed.clear()

        AuditRepository.seal = no_seal
        try:
            plain = await _units(storage, events)
        finally:
            AuditRepository.seal = original
        start = time.perf_counter()
        async with storage.db.snapshot() as conn:
            result = await verify(conn)
        verify_s = time.perf_counter() - start
    finally:
        await storage.close()
    med_s, med_p = statistics.median(sealed) * 1000, statistics.median(plain) * 1000
    print(
        f"{storage.db.dialect}: {events} units of work with one audit event: median {med_s:.2f} ms sealed,"
        f" {med_p:.2f} ms unsealed (+{med_s - med_p:.2f} ms); audit verify of {result.events} events:"
        f" {verify_s * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--pg", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(str(Path(tmp) / "bench.sqlite3"), args.events))
    if args.pg:
        asyncio.run(run(args.pg, args.events))


if __name__ == "__main__":
    main()

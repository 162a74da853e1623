"""Webhook deployment against polling, on PostgreSQL: throughput, latency, CPU per update (issue 15.8).

One run, the same seeded data, three deployments each in their own processes, the Bot API emulator
and the simulated users in this process:

1. polling: one bot process (``build_application`` + ``start_bot``, as ``atensi-bot run``);
2. webhook, 1 worker: ``atensi-bot webhook`` (the intake, the real command) + one worker;
3. webhook, 3 workers: the same intake + three workers (one of them leads).

The bots run with the rate limiter off (what they can process; in production replies go out at
Telegram's ~30/s whatever the deployment). ``--users`` operators at once each send ``/status``, wait
for the answer and send again; measured: updates per second, p50/p95 from the moment the update
exists at "Telegram" (for the webhooks: the emulator's POST to the intake) to the reply, the same for
one person at a time, and CPU per update — of the bot processes (intake + workers) and of the
PostgreSQL server (every backend's CPU, from /proc) — whose ratio webhook/polling is the inbox's
cost. Prints figures; never fails on a number.

    python bench/bench_webhook.py [--updates 600] [--users 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "123456:BENCH"
SECRET = "bench-Secret"
TICKS = os.sysconf("SC_CLK_TCK")


# --- the bots, in their own processes -------------------------------------------------------------------------


def child_polling(config: str) -> None:
    from bot.app import build_application, start_bot, stop_bot
    from bot.clock import SystemClock
    from bot.config import load_settings
    from storage.unit import Storage

    async def run() -> None:
        settings = load_settings(Path(config))
        storage = await Storage.open(settings.storage.target, pool_size=settings.storage.pool_size)
        app = build_application(settings, storage=storage, clock=SystemClock(), rate_limiter=False)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await start_bot(app, poll_timeout=settings.telegram.poll_timeout)
        print("ready", flush=True)
        await stop.wait()
        await stop_bot(app)
        await storage.close()

    asyncio.run(run())


def child_worker(config: str, name: str) -> None:
    from bot.app import WorkerRuntime, build_application
    from bot.clock import SystemClock
    from bot.config import load_settings
    from storage.unit import Storage

    async def run() -> None:
        settings = load_settings(Path(config))
        storage = await Storage.open(settings.storage.target, pool_size=settings.storage.pool_size)
        app = build_application(settings, storage=storage, clock=SystemClock(), rate_limiter=False)
        runtime = WorkerRuntime(app, name)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await runtime.start()
        print("ready", flush=True)
        await stop.wait()
        await runtime.stop()
        await storage.close()

    asyncio.run(run())


# --- measuring from the parent ----------------------------------------------------------------------------------


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    own = int(fields[11]) + int(fields[12])  # utime + stime
    if children:
        own += int(fields[13]) + int(fields[14])  # cutime + cstime: backends that have exited
    return own / TICKS


def server_cpu(postmaster: int) -> float:
    """The PostgreSQL server's CPU: the postmaster (with its exited children) and every live backend."""
    total = cpu_seconds(postmaster, children=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == postmaster:
                total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


class Children:
    def __init__(self) -> None:
        self.procs: list[asyncio.subprocess.Process] = []

    async def start(self, argv: list[str], env: dict[str, str], ready: str = "ready") -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        assert proc.stdout is not None
        while True:
            line = await asyncio.wait_for(proc.stdout.readline(), 90)
            if not line:
                raise RuntimeError(f"{argv} ended before it was ready")
            if ready.encode() in line:
                break
        asyncio.get_running_loop().create_task(_drain(proc))
        self.procs.append(proc)
        return proc

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs)

    async def stop(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
        self.procs.clear()


async def _drain(proc: asyncio.subprocess.Process) -> None:
    assert proc.stdout is not None
    while await proc.stdout.readline():
        pass


async def _answered(emu, user, count: int, timeout: float = 30) -> None:
    deadline = time.perf_counter() + timeout
    while len(emu.chat_messages(user)) < count:
        if time.perf_counter() > deadline:
            raise TimeoutError("no answer")
        await asyncio.sleep(0.0005)


async def _loop(emu, user, n: int, latencies: list[float]) -> None:
    for _ in range(n):
        before = len(emu.chat_messages(user))
        t0 = time.perf_counter()
        await emu.send_text(user, "/status")  # the update exists at "Telegram": polled or POSTed from now
        await _answered(emu, user, before + 1)
        latencies.append(time.perf_counter() - t0)


async def measure(emu, users: list, updates: int, cpu_of, postmaster: int) -> dict[str, float]:
    await asyncio.gather(*(_loop(emu, u, 3, []) for u in users))  # warm: connections, caches
    per_user = max(1, updates // len(users))
    loaded: list[float] = []
    cpu0, db0, began = cpu_of(), server_cpu(postmaster), time.perf_counter()
    await asyncio.gather(*(_loop(emu, u, per_user, loaded) for u in users))
    elapsed, cpu, db = time.perf_counter() - began, cpu_of() - cpu0, server_cpu(postmaster) - db0
    alone: list[float] = []
    await _loop(emu, users[0], 60, alone)
    loaded.sort()
    alone.sort()
    sent = per_user * len(users)
    return {
        "throughput": sent / elapsed,
        "p50": statistics.median(loaded) * 1000,
        "p95": loaded[int(len(loaded) * 0.95) - 1] * 1000,
        "alone_p50": statistics.median(alone) * 1000,
        "alone_p95": alone[int(len(alone) * 0.95) - 1] * 1000,
        "cpu_ms": cpu / sent * 1000,
        "db_ms": db / sent * 1000,
    }


async def seed(url: str, users: list) -> None:
    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.domain.models import Role
    from bot.services import Services
    from storage.unit import Storage
    from tests.helpers import enrol, seed_registry

    storage = await Storage.open(url)
    services = Services(storage, SystemClock(), Settings.model_validate({"storage": {"url": url}}))
    await seed_registry(services)
    for user in users:
        await enrol(services, user.id, user.full_name, Role.OPERATOR, ipwl="JB01")
    await storage.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def main() -> None:
    from bot.emulator import BotApiEmulator
    from tests.emulator.helpers import call
    from tests.pg_cluster import start_cluster

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    cluster = start_cluster()
    results: dict[str, dict[str, float]] = {}
    try:
        cluster.psql('CREATE DATABASE "bench"')
        url = cluster.url("bench")
        postmaster = int((cluster.root / "data" / "postmaster.pid").read_text().split()[0])
        with tempfile.TemporaryDirectory() as tmp:
            async with BotApiEmulator(TOKEN, spec_path=None) as emu:
                users = [emu.add_user(f"Operator{i}", started=True) for i in range(args.users)]
                await seed(url, users)
                port = _free_port()
                config = Path(tmp) / "config.toml"
                config.write_text(
                    f'[telegram]\nbase_url = "{emu.base_url}"\nbase_file_url = '
                    f'"{emu.base_file_url}"\npoll_timeout = 1\n'
                    f'[storage]\nurl = "{url}"\nfiles_dir = "{tmp}/files"\npool_size = 10\n'
                    "[reminders]\nenabled = false\n"
                    f'[webhook]\nport = {port}\nsecret = "{SECRET}"\nconcurrency = 16\nmax_connections = 40\n'
                )
                env = {**os.environ, "PYTHONPATH": str(ROOT), "ATENSI_BOT_TOKEN": TOKEN}
                me = [sys.executable, str(Path(__file__).resolve())]

                children = Children()
                await children.start([*me, "--child", "polling", str(config)], env)
                results["polling, 1 process"] = await measure(emu, users, args.updates, children.cpu, postmaster)
                await children.stop()

                for workers in (1, 3):
                    children = Children()
                    await children.start(
                        [sys.executable, "-m", "bot", "webhook", "--config", str(config)], env, ready="running (intake)"
                    )
                    for n in range(workers):
                        await children.start([*me, "--child", "worker", str(config), f"worker{n}"], env)
                    status, body = await call(
                        emu,
                        "setWebhook",
                        {
                            "url": f"http://127.0.0.1:{port}/telegram/webhook",
                            "secret_token": SECRET,
                            "max_connections": "40",
                        },
                    )
                    assert status == 200, body
                    results[f"webhook, {workers} worker{'s' if workers > 1 else ''}"] = await measure(
                        emu, users, args.updates, children.cpu, postmaster
                    )
                    await call(emu, "deleteWebhook")
                    await children.stop()
    finally:
        cluster.stop()

    print(
        f"machine: {sys.platform}, {os.cpu_count()} cores, python {sys.version.split()[0]}; PostgreSQL; "
        f"{args.updates} × /status from {args.users} operators at once; rate limiter off"
    )
    print(
        f"{'':22}{'updates/s':>10}{'p50 ms':>8}{'p95 ms':>8}{'alone p50':>10}{'alone p95':>10}"
        f"{'bot CPU ms':>11}{'db CPU ms':>10}{'total ×polling':>15}"
    )
    base = results["polling, 1 process"]
    for name, r in results.items():
        ratio = (r["cpu_ms"] + r["db_ms"]) / (base["cpu_ms"] + base["db_ms"])
        print(
            f"{name:22}{r['throughput']:>10.0f}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['alone_p50']:>10.1f}"
            f"{r['alone_p95']:>10.1f}{r['cpu_ms']:>11.2f}{r['db_ms']:>10.2f}{ratio:>15.2f}"
        )
    print(
        "(p50/p95: with every operator at once, from the update's existence at 'Telegram' to the reply; alone: "
        "one operator at a time. CPU per update: the bot processes (intake + workers), and the PostgreSQL server)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        if sys.argv[2] == "polling":
            child_polling(sys.argv[3])
        else:
            child_worker(sys.argv[3], sys.argv[4])
    else:
        asyncio.run(main())

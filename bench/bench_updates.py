"""Update throughput, latency and CPU per update, against an echo-bot floor; start-up time and memory.

Every bot runs in its own process, as it would on the server, so its own cost is measured apart from
the Bot API emulator and the simulated users (which run here, in the parent, on the other core):

1. the floor: a minimal python-telegram-bot bot (``--child echo``) that answers every command and text
   with "ok" and every button with an answer plus an edit — the same Bot API calls as ours, no work;
2. atensi-bot (``--child atensi``): the real composition root (``bot.app.build_application``,
   ``start_bot``) on a seeded SQLite file, with the rate limiter off to measure what the bot itself
   can process. Three kinds of update:
   - ``/status`` of an operator (reads the registry and the IPWL's proposals),
   - a proposal answer (a NIK that is too short, typed into an open draft: the draft is loaded, the
     answer validated, the question asked again),
   - a button press (``/bahasa``'s language button: identify, write, edit the message);
3. production (``python -m bot run``): start-up time to the first ``getUpdates``, resident memory when
   idle and after the load, and with the production rate limiter on (handlers.flood: about 30
   messages/s overall, Telegram's own limit) an operator's ``/status``, the language button, and a
   guest's ``/bantuan`` (someone who was never invited: nothing to look up, nothing to write).

For each: throughput with ``--users`` users at once (each sends, waits for the answer, sends again),
latency p50/p95 of one person at a time (the bot's own latency; the emulator answers at once) and p95
with four at once, and the bot process's CPU time per update (``/proc/<pid>/stat``), whose ratio to
the floor's is the honest per-update cost. With the rate limiters on, that ratio is read at a fixed
offered rate (each person once a second, 20 a second at most: below both limiters), because flat out
each limiter's own pace decides how many updates share a poll (see :func:`offered_alternately`).
Prints figures; never fails on a number.

    python bench/bench_updates.py [--updates 600] [--users 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "123456:BENCH"
TICKS = os.sysconf("SC_CLK_TCK")


# --- the bots, in their own processes -------------------------------------------------------------------------


def child_echo(base_url: str, file_url: str, limited: bool = False) -> None:
    from telegram import Update
    from telegram.ext import (
        AIORateLimiter,
        ApplicationBuilder,
        CallbackQueryHandler,
        ContextTypes,
        MessageHandler,
        filters,
    )
    from telegram.request import HTTPXRequest

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("ok")

    async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text("ok")

    builder = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(base_url)
        .base_file_url(file_url)
        .concurrent_updates(True)
        .request(HTTPXRequest(connection_pool_size=16, read_timeout=15, write_timeout=30))
        .get_updates_request(HTTPXRequest(read_timeout=11))
    )
    if limited:  # as a bare bot is deployed: PTB's own rate limiter (the rate-limiter extra), 30 a second
        builder = builder.rate_limiter(AIORateLimiter())
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, reply))
    app.add_handler(CallbackQueryHandler(press))
    app.run_polling(poll_interval=0, timeout=1, stop_signals=(signal.SIGTERM, signal.SIGINT))


def child_atensi(config: str) -> None:
    from bot.app import build_application, start_bot, stop_bot
    from bot.clock import SystemClock
    from bot.config import load_settings
    from storage.unit import Storage

    async def run() -> None:
        settings = load_settings(Path(config))
        storage = await Storage.open(settings.storage.database)
        app = build_application(settings, storage=storage, clock=SystemClock(), rate_limiter=False)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await start_bot(app, poll_timeout=settings.telegram.poll_timeout)
        await stop.wait()
        await stop_bot(app)
        await storage.close()

    asyncio.run(run())


# --- measuring from the parent ----------------------------------------------------------------------------------


def proc_status(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class Child:
    def __init__(self, argv: list[str], emu, env: dict[str, str]) -> None:
        self.argv, self.emu, self.env = argv, emu, env
        self.proc: asyncio.subprocess.Process | None = None
        self.startup = 0.0

    async def __aenter__(self) -> Child:
        seen = len(self.emu.requests)
        began = time.perf_counter()
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv, env=self.env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        await self.emu.wait_for(lambda: any(m == "getUpdates" for m, _ in self.emu.requests[seen:]), timeout=60)
        self.startup = time.perf_counter() - began
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


Action = Callable[[object], Awaitable[float]]  # one update from a user; returns seconds until it was answered


async def _wait_for_count(emu, chat: int, count: int, timeout: float = 30) -> None:
    deadline = time.perf_counter() + timeout
    while len(emu.chat_messages(chat)) < count:
        if time.perf_counter() > deadline:
            raise TimeoutError("no answer")
        await asyncio.sleep(0.0005)


def typed(emu, text: str) -> Action:
    async def act(user) -> float:
        before = len(emu.chat_messages(user))
        t0 = time.perf_counter()
        await emu.send_text(user, text)
        await _wait_for_count(emu, user.id, before + 1)
        return time.perf_counter() - t0

    return act


def pressed(emu, data: str) -> Action:
    """A press on a fresh message carrying the button (put in place without the bot's help)."""

    async def act(user) -> float:
        message = emu.state.new_bot_message(
            user.chat_dict(),
            text="Pilih bahasa Anda:",
            html="Pilih bahasa Anda:",
            reply_markup={"inline_keyboard": [[{"text": "ID", "callback_data": data}]]},
        )
        t0 = time.perf_counter()
        await emu.press(user, message, data, timeout=30)
        deadline = time.perf_counter() + 30
        while not message.edits:  # answered and edited
            if time.perf_counter() > deadline:
                raise TimeoutError("no edit")
            await asyncio.sleep(0.0005)
        return time.perf_counter() - t0

    return act


async def measure(child: Child, users: list, action: Action, updates: int) -> dict[str, float]:
    """Throughput and CPU per update with every user at once, then latency with four users."""
    return (await measure_alternately([(child, users, action)], updates, rounds=1))[0]


async def measure_alternately(
    runs: list[tuple[Child, list, Action]],
    updates: int,
    rounds: int = 4,
) -> list[dict[str, float]]:
    """``measure`` for several bots at once, their load in turns (a round of each, ``rounds`` times),
    so that a machine busier at one moment than the next weighs on each of them alike."""
    sent, cpu, elapsed = [0] * len(runs), [0.0] * len(runs), [0.0] * len(runs)
    for _ in range(rounds):
        for i, (child, users, action) in enumerate(runs):
            per_user = max(1, updates // rounds // len(users))
            cpu0, began = cpu_seconds(child.pid), time.perf_counter()
            await asyncio.gather(*(_loop(u, action, per_user, []) for u in users))
            elapsed[i] += time.perf_counter() - began
            cpu[i] += cpu_seconds(child.pid) - cpu0
            sent[i] += per_user * len(users)
    results = []
    for i, (_child, users, action) in enumerate(runs):
        alone: list[float] = []
        await _loop(users[0], action, 60, alone)  # one person at a time: the bot's own latency
        alone.sort()
        busy: list[float] = []
        await asyncio.gather(*(_loop(u, action, 15, busy) for u in users[:4]))
        busy.sort()
        results.append(
            {
                "throughput": sent[i] / elapsed[i],
                "cpu_ms": cpu[i] / sent[i] * 1000,
                "p50_ms": statistics.median(alone) * 1000,
                "p95_ms": alone[int(len(alone) * 0.95) - 1] * 1000,
                "p95_4_ms": busy[int(len(busy) * 0.95) - 1] * 1000,
            }
        )
    return results


async def offered_alternately(
    runs: list[tuple[Child, list, Action]],
    updates: int,
    rate: float,
    rounds: int = 4,
) -> list[dict[str, float]]:
    """CPU per update at a fixed offered rate: ``rate`` updates a second, the users in turn, each sent
    at its moment whether or not the last was answered (as people write: nobody waits for the bot's
    pace), then every answer awaited; the bots' rounds in turns as in :func:`measure_alternately`.

    Below both rate limiters' 29–30 a second neither holds anything back, so each bot handles the
    same stream the same way (about one update per poll) and the ratio of their CPU is the cost of
    the work alone. (Closed-loop throughput is not: a limiter's pace decides how many updates share
    a poll and a wake of the event loop, and PTB's limiter refills its bucket of 30 while the other
    bot takes its turn, then bursts.)"""
    cpu, sent = [0.0] * len(runs), [0] * len(runs)
    n = max(1, updates // rounds)
    for _ in range(rounds):
        for i, (child, users, action) in enumerate(runs):
            cpu0, began = cpu_seconds(child.pid), time.perf_counter()
            answers = []
            for k in range(n):
                delay = began + k / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                answers.append(asyncio.create_task(action(users[k % len(users)])))
            await asyncio.gather(*answers)
            cpu[i] += cpu_seconds(child.pid) - cpu0
            sent[i] += n
    return [{"cpu_ms": cpu[i] / sent[i] * 1000} for i in range(len(runs))]


async def _loop(user, action: Action, n: int, latencies: list[float]) -> None:
    for _ in range(n):
        latencies.append(await action(user))


async def seed(database: Path, users: list) -> None:
    """The registry, an operator per user (all of JB01), and JB01's draft open for each at the NIK."""
    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.domain.models import Role
    from bot.domain.proposal_intake import Reply
    from bot.services import Services
    from storage.unit import Storage
    from tests.helpers import enrol, seed_registry

    storage = await Storage.open(database)
    services = Services(storage, SystemClock(), Settings.model_validate({"storage": {"database": str(database)}}))
    await seed_registry(services)
    operators = [await enrol(services, u.id, u.full_name, Role.OPERATOR, ipwl="JB01") for u in users]
    await services.proposals.start(operators[0])
    await services.proposals.answer(operators[0], Reply(choice="this"))
    await services.proposals.answer(operators[0], Reply(text="Siti Rahayu"))
    for who in operators[1:]:
        await services.proposals.resume(who)
    await storage.close()


def _ratio(ours: float, floor: float) -> str:
    """``ours / floor`` to two places; "n/a" where the floor's CPU read 0 (a few updates are below the
    clock's tick, as in the smoke test's smallest sizes)."""
    return f"{ours / floor:.2f}" if floor > 0 else "n/a"


async def main() -> None:
    from bot.emulator import BotApiEmulator

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        from storage.sealing import Keyring

        # The clients' data is sealed at rest: the seed and every bot open the same made-up keys.
        keys = Path(tmp) / "bench.keys"
        Keyring.load_or_create(keys)
        os.environ["ATENSI_KEY_FILE"] = str(keys)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ATENSI_BOT_TOKEN": TOKEN}
        # The floors poll an emulator of their own, so that each floor runs beside the bot it is
        # the floor of and their loads take turns (measure_alternately).
        async with BotApiEmulator(TOKEN, spec_path=None) as emu, BotApiEmulator(TOKEN, spec_path=None) as bare:
            users = [emu.add_user(f"Operator{i}", started=True) for i in range(args.users)]
            guests = [emu.add_user(f"Tamu{i}", started=True) for i in range(args.users)]
            strangers = [bare.add_user(f"Orang{i}", started=True) for i in range(args.users)]
            database = Path(tmp) / "bench.sqlite3"
            await seed(database, users)
            config = Path(tmp) / "config.toml"
            config.write_text(
                f'[telegram]\nbase_url = "{emu.base_url}"\nbase_file_url = "{emu.base_file_url}"\n'
                f'poll_timeout = 1\n[storage]\ndatabase = "{database}"\nfiles_dir = "{tmp}/files"\n'
                "[reminders]\nenabled = false\n"
            )
            me = [sys.executable, str(Path(__file__).resolve())]
            floor_text, floor_button = typed(bare, "/status"), pressed(bare, "v1|lang|id")
            async with (
                Child([*me, "--child", "echo", bare.base_url, bare.base_file_url], bare, env) as echo,
                Child([*me, "--child", "atensi", str(config)], emu, env) as bot,
            ):
                results["echo: start-up"] = {"seconds": echo.startup, "rss_mb": proc_status(echo.pid, "VmRSS")}
                results["echo: text"], results["atensi: /status"] = await measure_alternately(
                    [(echo, strangers, floor_text), (bot, users, typed(emu, "/status"))], args.updates
                )
                results["echo: button"], results["atensi: button"] = await measure_alternately(
                    [(echo, strangers, floor_button), (bot, users, pressed(emu, "v1|lang|id"))], args.updates
                )
                results["atensi: answer"] = await measure(bot, users, typed(emu, "3201 0145 0890"), args.updates)
            production = min(args.updates, 300)
            rate = float(min(args.users, 20))  # updates a second offered: each person once a second, at most 20
            async with (
                Child([*me, "--child", "echo-limited", bare.base_url, bare.base_file_url], bare, env) as limited,
                Child([sys.executable, "-m", "bot", "run", "--config", str(config)], emu, env) as prod,
            ):
                await asyncio.sleep(3)  # idle: the sender's first poll and the jobs are scheduled
                results["production: start-up"] = {"seconds": prod.startup, "rss_mb": proc_status(prod.pid, "VmRSS")}
                results["echo, limited: text"], results["production: /status"] = await measure_alternately(
                    [(limited, strangers, floor_text), (prod, users, typed(emu, "/status"))], production
                )
                results["echo, limited: button"], results["production: button"] = await measure_alternately(
                    [(limited, strangers, floor_button), (prod, users, pressed(emu, "v1|lang|id"))], production
                )
                results["echo, limited: text (2)"], results["production: guest /bantuan"] = await measure_alternately(
                    [(limited, strangers, floor_text), (prod, guests, typed(emu, "/bantuan"))], production
                )
                # The cost of an update (issue 13.8): the same offered stream to each, one person once a second.
                paced = []
                for floor_action, ours, ours_action in (
                    (floor_text, users, typed(emu, "/status")),
                    (floor_button, users, pressed(emu, "v1|lang|id")),
                    (floor_text, guests, typed(emu, "/bantuan")),
                ):
                    paced.append(
                        await offered_alternately(
                            [(limited, strangers, floor_action), (prod, ours, ours_action)], production, rate
                        )
                    )
                results["production: start-up"]["peak_rss_mb"] = proc_status(prod.pid, "VmHWM")

    # Each bot's row is set against the floor measured in turns with it: the bare echo bot for
    # atensi-bot without a limiter; for production, the echo bot as a bare bot is deployed, with
    # PTB's own rate limiter, so both answer at Telegram's 30 a second (paced, an update costs more
    # CPU than flat out: fewer updates share each poll and each wake of the event loop).
    floor_of = {
        "atensi: /status": "echo: text",
        "atensi: answer": "echo: text",
        "atensi: button": "echo: button",
        "production: /status": "echo, limited: text",
        "production: button": "echo, limited: button",
        "production: guest /bantuan": "echo, limited: text (2)",
    }
    print(
        f"machine: {sys.platform}, {os.cpu_count()} cores, python {sys.version.split()[0]}; "
        f"{args.updates} updates from {args.users} users at once; each bot in its own process"
    )
    print(
        f"{'':28}{'updates/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p95 ms (4)':>12}{'CPU ms/update':>15}"
        f"{'CPU ×floor':>12}{'×bare floor':>13}"
    )
    for name, r in results.items():
        if "start-up" in name:
            continue
        bare_floor = results["echo: button" if "button" in name else "echo: text"]
        floor = results.get(floor_of.get(name, ""), r)
        print(
            f"{name:28}{r['throughput']:>10.0f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['p95_4_ms']:>12.1f}"
            f"{r['cpu_ms']:>15.2f}{_ratio(r['cpu_ms'], floor['cpu_ms']):>12}"
            f"{_ratio(r['cpu_ms'], bare_floor['cpu_ms']):>13}"
        )
    print("(p50/p95: one person at a time; p95 (4): four people pressing or typing at once)")
    print(
        f"the cost of an update: {rate:.0f} updates/s offered (each person once a second, below both limiters),"
        " production against the echo bot with PTB's limiter, in turns"
    )
    print(f"{'':28}{'floor CPU ms':>13}{'CPU ms/update':>15}{'CPU ×floor':>12}")
    for name, (floor_cpu, ours_cpu) in zip(("/status", "button", "guest /bantuan"), paced, strict=True):
        print(
            f"{'production: ' + name:28}{floor_cpu['cpu_ms']:>13.2f}{ours_cpu['cpu_ms']:>15.2f}"
            f"{_ratio(ours_cpu['cpu_ms'], floor_cpu['cpu_ms']):>12}"
        )
    e, p = results["echo: start-up"], results["production: start-up"]
    print(
        f"start-up to the first getUpdates: atensi-bot (python -m bot run) {p['seconds']:.2f} s, echo bot "
        f"{e['seconds']:.2f} s; resident memory idle {p['rss_mb']:.0f} MB (echo {e['rss_mb']:.0f} MB), "
        f"peak after the load {p['peak_rss_mb']:.0f} MB"
    )
    print(
        "targets: CPU ≤ 1.5× floor per update in production (at the offered rate) for /status, a button and"
        " a guest's /bantuan, ≥ 200 "
        "updates/s, p95 < 50 ms, start-up < 3 s, idle RSS < 150 MB"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        if sys.argv[2] in ("echo", "echo-limited"):
            child_echo(sys.argv[3], sys.argv[4], limited=sys.argv[2] == "echo-limited")
        else:
            child_atensi(sys.argv[3])
    else:
        asyncio.run(main())

"""Update throughput and latency through the local Bot API emulator, against an echo-bot floor.

Runs, in one process and one run (machines here are noisy, so the baseline is measured alongside):

1. the floor: a minimal python-telegram-bot echo bot (one CommandHandler that replies "ok");
2. atensi-bot (the real composition root and database) answering
   - ``/status`` of an operator (reads the registry and the IPWL's proposals),
   - a proposal answer (a name typed into an open draft: validation, a write, the next question),
   - a button press (``/bahasa``'s language button: identify, write, edit the message).

For each: sustained throughput (N updates from many users at once) and per-update latency p50/p95
in a closed loop (one update at a time per user, several users). Prints figures and ratios; it never
fails on a number. Also: start-up time to the first getUpdates, and resident memory when idle.

    python bench/bench_updates.py [--updates 400] [--users 20]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes  # noqa: E402

from bot.app import build_application, start_bot, stop_bot  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.emulator import BotApiEmulator, EmuUser  # noqa: E402
from bot.models import Role  # noqa: E402
from bot.services import Services  # noqa: E402
from storage.unit import Storage  # noqa: E402
from tests.helpers import seed_registry  # noqa: E402

TOKEN = "123456:BENCH"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def wait_count(emu: BotApiEmulator, user: EmuUser, count: int, timeout: float = 30) -> None:
    deadline = time.perf_counter() + timeout
    while len(emu.chat_messages(user)) < count:
        if time.perf_counter() > deadline:
            raise TimeoutError("no reply")
        await asyncio.sleep(0.0005)


# An action sends one update as a user and returns how long the bot took to answer it (seconds).
Action = Callable[[BotApiEmulator, EmuUser], Awaitable[float]]


async def measure(emu: BotApiEmulator, users: list[EmuUser], action: Action, updates: int) -> dict[str, float]:
    """Throughput with all users at once, then closed-loop latency."""
    per_user = max(1, updates // len(users))
    busy: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(_loop(emu, u, action, per_user, busy) for u in users))
    elapsed = time.perf_counter() - started
    latencies: list[float] = []
    await asyncio.gather(*(_loop(emu, u, action, max(1, per_user // 4), latencies) for u in users[:5]))
    latencies.sort()
    # An action may send set-up updates too (a press needs a fresh message): count them all.
    sent = per_user * len(users) * getattr(action, "updates", 1)
    return {
        "throughput": sent / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


async def _loop(emu: BotApiEmulator, user: EmuUser, action: Action, n: int, latencies: list[float]) -> None:
    for _ in range(n):
        latencies.append(await action(emu, user))


def command(text: str) -> Action:
    async def act(emu: BotApiEmulator, user: EmuUser) -> float:
        before = len(emu.chat_messages(user))
        t0 = time.perf_counter()
        await emu.send_text(user, text)
        await wait_count(emu, user, before + 1)
        return time.perf_counter() - t0
    return act


async def press_language(emu: BotApiEmulator, user: EmuUser) -> float:
    await command("/bahasa")(emu, user)  # set-up, not measured: a fresh message with the buttons
    message = emu.last_message(user)
    assert message is not None
    t0 = time.perf_counter()
    await emu.press(user, message, "v1|lang|id", timeout=30)
    return time.perf_counter() - t0


press_language.updates = 2  # type: ignore[attr-defined]


async def type_name(emu: BotApiEmulator, user: EmuUser) -> float:
    # A NIK that is too short: the draft is loaded, the answer validated, and the question re-asked.
    return await command("3201 0145 0890")(emu, user)


async def echo_floor(args: argparse.Namespace) -> dict[str, float]:
    async def ok(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("ok")  # type: ignore[union-attr]

    async with BotApiEmulator(TOKEN, spec_path=None) as emu:
        app = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).base_file_url(emu.base_file_url) \
            .concurrent_updates(True).build()
        app.add_handler(CommandHandler("status", ok))
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
        users = [emu.add_user(f"U{i}") for i in range(args.users)]
        try:
            return await measure(emu, users, command("/status"), args.updates)
        finally:
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
            await app.shutdown()


async def atensi(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        async with BotApiEmulator(TOKEN, spec_path=None) as emu:
            settings = Settings.model_validate({
                "telegram": {"token": TOKEN, "base_url": emu.base_url, "base_file_url": emu.base_file_url,
                             "poll_timeout": 1},
                "storage": {"database": f"{tmp}/bench.sqlite3", "files_dir": f"{tmp}/files"},
            })
            storage = await Storage.open(settings.storage.database)
            services = Services(storage, SystemClock(), settings)
            await seed_registry(services)
            users = [emu.add_user(f"Operator{i}", started=True) for i in range(args.users)]
            for user in users:
                invite = await services.onboarding.create_invite(Role.OPERATOR, ipwl_code="JB01")
                who = await services.onboarding.identify(user.id, user.full_name, private_chat=True, language="id")
                await services.onboarding.redeem_invite(who, invite.token)

            rss_before = rss_mb()
            t0 = time.perf_counter()
            app = build_application(settings, storage=storage, clock=SystemClock(), rate_limiter=False)
            await start_bot(app, poll_timeout=1)
            await emu.wait_for(lambda: any(m == "getUpdates" for m, _ in emu.requests), timeout=10)
            results["startup"] = {"seconds": time.perf_counter() - t0, "rss_mb": rss_mb(), "rss_delta_mb": rss_mb() - rss_before}
            try:
                results["status"] = await measure(emu, users, command("/status"), args.updates)
                results["button"] = await measure(emu, users, press_language, args.updates)
                # An IPWL has one draft at a time: every operator of JB01 answers into that draft.
                await command("/ajukan")(emu, users[0])
                await emu.settle()
                await emu.press(users[0], emu.last_message(users[0]), "v1|in|this")
                await emu.send_text(users[0], "Siti Rahayu")
                await emu.settle()
                for user in users[1:]:
                    await command("/lanjut")(emu, user)
                results["answer"] = await measure(emu, users, type_name, args.updates)
            finally:
                await stop_bot(app)
                await storage.close()
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=400)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    floor = await echo_floor(args)
    ours = await atensi(args)
    print(f"machine: {sys.platform}, python {sys.version.split()[0]}, {args.updates} updates from {args.users} users")
    print(f"{'':<22}{'updates/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'cost ×floor':>13}")
    print(f"{'echo bot (floor)':<22}{floor['throughput']:>10.0f}{floor['p50_ms']:>9.1f}{floor['p95_ms']:>9.1f}{1:>13.2f}")
    for name, label in (("status", "/status query"), ("answer", "proposal answer"), ("button", "button press")):
        r = ours[name]
        ratio = floor["throughput"] / r["throughput"]
        print(f"{label:<22}{r['throughput']:>10.0f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{ratio:>13.2f}")
    s = ours["startup"]
    print(f"start-up to first getUpdates: {s['seconds']:.2f} s; resident memory {s['rss_mb']:.0f} MB "
          f"(bot added {s['rss_delta_mb']:.0f} MB)")
    print("targets: ≤2× floor per update, ≥200 updates/s, p95 < 50 ms, start-up < 3 s, idle RSS < 150 MB")


if __name__ == "__main__":
    asyncio.run(main())

"""Benchmark: delivering outbox notifications through the emulator with Telegram's flood limits on.

Run from the repository root::

    python bench/bench_outbox.py [--messages 5000] [--groups 4] [--per-group 20] [--no-spec] [--no-limiter]

Queues ``--messages`` notifications in a fresh database — ``--groups`` × ``--per-group`` to group
chats, the rest to private chats (two or three each, as when a round of reminders goes out) — and
lets the real :class:`handlers.outbox.OutboxSender` drain them into a local Bot API emulator
whose ``FloodLimits`` answer 429 like Telegram (30 messages/s overall, 20/min per group, ~1/s per
private chat). The sender's bot is built as bot.app builds it, with the one flood limiter
(``--no-limiter``: a bare Bot, to see what Telegram's flood control does to an unpaced sender).
Prints the wall time against the theoretical minimum at 30 messages/s and the 429s received.
Never asserts a time: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TOKEN = "123456:BENCH-TOKEN"
KIND = "bench_note"


async def run(
    messages: int, groups: int, per_group: int, use_spec: bool, rate: float | None, production: bool = True
) -> dict[str, Any]:
    from telegram.constants import ParseMode
    from telegram.ext import Defaults, ExtBot
    from telegram.request import HTTPXRequest

    from bot.app import LOCALES_DIR
    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.emulator import BotApiEmulator, FloodLimits, default_spec_path
    from bot.i18n import load_translations
    from bot.services import Services
    from handlers.context import Deps
    from handlers.flood import FloodLimiter, FloodSlots
    from handlers.outbox import OutboxSender, Rendered
    from storage.unit import Storage

    async def render(deps: Deps, t: Any, params: dict[str, Any]) -> Rendered:
        return Rendered(f"Pengingat <b>{params['n']}</b>: LPJ USL-2026-{params['n']:04d} jatuh tempo.")

    group_messages = min(messages, groups * per_group)
    private_messages = messages - group_messages
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.model_validate({"storage": {"database": f"{tmp}/bench.sqlite3", "files_dir": tmp}})
        storage = await Storage.open(settings.storage.database)
        clock = SystemClock()
        deps = Deps(
            settings=settings,
            services=Services(storage, clock, settings),
            translations=load_translations(LOCALES_DIR),
            clock=clock,
        )
        spec = default_spec_path() if use_spec else None
        async with BotApiEmulator(TOKEN, spec_path=spec, flood_limits=FloodLimits()) as emu:
            chats = [emu.add_group(f"Tim PIC {g + 1}").id for g in range(groups)]
            users = [emu.add_user(f"Operator{i}", started=True).id for i in range(max(1, private_messages // 2))]
            targets = [chats[i % groups] for i in range(group_messages)] if groups else []
            targets += [users[i % len(users)] for i in range(private_messages)]
            now = clock.now()
            async with storage.transaction() as uow:
                for n, chat_id in enumerate(targets):
                    await uow.outbox.enqueue(
                        dedupe_key=f"bench:{n}", chat_id=chat_id, kind=KIND, params={"n": n}, now=now
                    )
            request = HTTPXRequest(connection_pool_size=64, pool_timeout=10)
            html = Defaults(parse_mode=ParseMode.HTML)  # as bot.app builds it
            if production:
                # As bot.app builds it: every call through the one rate limiter.
                slots = FloodSlots(overall_per_second=rate) if rate else FloodSlots()
                bot = ExtBot(
                    TOKEN,
                    base_url=emu.base_url,
                    request=request,
                    defaults=html,
                    rate_limiter=FloodLimiter(slots, max_retries=3),
                )
            else:  # no limiter at all: what Telegram's flood control does to an unpaced sender
                bot = ExtBot(TOKEN, base_url=emu.base_url, request=request, defaults=html)
            await bot.initialize()
            sender = OutboxSender(bot, deps, {KIND: render})
            started = time.monotonic()
            sender.start()
            while True:
                await asyncio.sleep(0.25)
                async with storage.reading() as uow:
                    counts = await uow.outbox.counts()
                if counts.get("pending", 0) == 0:
                    break
            elapsed = time.monotonic() - started
            await sender.stop()
            await bot.shutdown()
            delivered = sum(1 for m in emu.all_bot_messages())
            stats = dict(emu.stats)
        await storage.close()
    floor = messages / 30
    group_floor = (per_group - 1) * 3 if groups and per_group else 0
    return {
        "messages": messages,
        "private": private_messages,
        "private_chats": len(users),
        "groups": groups,
        "group_messages": group_messages,
        "seconds": round(elapsed, 1),
        "theoretical_seconds": round(max(floor, group_floor), 1),
        "rate_per_second": round(messages / elapsed, 1),
        "overhead_pct": round(100 * (elapsed / max(floor, group_floor) - 1), 1),
        "delivered": delivered,
        "outbox": counts,
        "429": stats.get("429", 0),
        "429_by_limit": {k[10:]: v for k, v in stats.items() if k.startswith("429.flood.")},
        "sender": sender.stats,
        "bot": "production (the one flood limiter)" if production else "bare Bot, no limiter",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--per-group", type=int, default=20)
    parser.add_argument("--no-spec", action="store_true", help="skip Bot API spec validation in the emulator")
    parser.add_argument("--rate", type=float, default=None, help="the sender's overall messages/s (default: its own)")
    parser.add_argument(
        "--no-limiter", action="store_true", help="send through a bare Bot without the flood limiter (unpaced)"
    )
    args = parser.parse_args()
    result = asyncio.run(
        run(args.messages, args.groups, args.per_group, not args.no_spec, args.rate, not args.no_limiter)
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Waiting for a condition from a test: polled, never a fixed quiet spell, and a TimeoutError
when it does not come (the bot processes' and the in-process deployments' tests use it)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable


async def until(predicate: Callable[[], object], timeout: float = 15.0, interval: float = 0.01) -> None:
    """Poll ``predicate`` until it is true (awaiting what it returns when that is awaitable, as a
    check that asks the database); TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await _truth(predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(interval)


async def _truth(value: object) -> bool:
    return bool(await value if inspect.isawaitable(value) else value)

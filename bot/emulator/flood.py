"""Telegram's flood limits for sending messages (optional in the emulator)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FloodControl", "FloodLimits", "counts_toward_limits"]

_NOT_MESSAGES = frozenset({"sendChatAction", "sendMessageDraft", "sendInvoice"})


def counts_toward_limits(method: str) -> bool:
    """Whether calls of ``method`` post a message and so count toward flood limits."""
    if method in _NOT_MESSAGES:
        return False
    return method.startswith(("send", "copyMessage", "forwardMessage"))


@dataclass(frozen=True)
class FloodLimits:
    """Per-bot limits; exceeding one gets ``429 Too Many Requests`` with ``retry_after``."""

    overall_per_second: float = 30
    group_per_minute: int = 20
    private_per_second: float = 1.0
    private_burst: int = 3


class FloodControl:
    """Sliding windows for the overall and per-group limits, a token bucket per private chat."""

    def __init__(self, limits: FloodLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._overall: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, updated at)

    def check(self, chat_id: int) -> tuple[str, int] | None:
        """Admit one message to ``chat_id`` or return ``(limit name, retry_after seconds)``."""
        now = self._clock()
        overall = self._window(self._overall, now, 1.0, self.limits.overall_per_second)
        if overall is not None:
            return "overall", overall
        if chat_id < 0:
            window = self._groups.setdefault(chat_id, deque())
            wait = self._window(window, now, 60.0, self.limits.group_per_minute)
            if wait is not None:
                return "group", wait
            window.append(now)
        else:
            rate, burst = self.limits.private_per_second, self.limits.private_burst
            tokens, updated = self._buckets.get(chat_id, (float(burst), now))
            tokens = min(float(burst), tokens + (now - updated) * rate)
            if tokens < 1.0:
                self._buckets[chat_id] = (tokens, now)
                return "private", max(1, math.ceil((1.0 - tokens) / rate))
            self._buckets[chat_id] = (tokens - 1.0, now)
        self._overall.append(now)
        return None

    @staticmethod
    def _window(events: deque[float], now: float, span: float, limit: float) -> int | None:
        """Seconds until ``events`` (within the last ``span`` s) drops below ``limit``."""
        while events and events[0] <= now - span:
            events.popleft()
        if len(events) < limit:
            return None
        return max(1, math.ceil(events[0] + span - now))

"""The flood limiter's retries in the tests (tests/test_flood.py): a Bot API call that fails with the errors it is
given before it succeeds, and a limiter that backs off for a millisecond."""

from __future__ import annotations

from typing import Any

from handlers.flood import FloodLimiter, FloodSlots


class Calls:
    """A Bot API call that fails with the given errors first, then succeeds; counts attempts."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.attempts = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> bool:
        self.attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        return True


def quick_limiter() -> FloodLimiter:
    """A limiter that retries up to 3 times, a millisecond apart."""
    limiter = FloodLimiter(FloodSlots(overall_per_second=1000), max_retries=3)
    limiter.backoff_seconds = 0.001
    return limiter

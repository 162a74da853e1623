"""Fuzzing: property-based tests over every text input, conversation step and file parser.

Each property counts the inputs it tried (``tried(name)``); the totals are printed at the end of the
run. ``FUZZ_EXAMPLES`` multiplies the number of examples for a long run, e.g.
``FUZZ_EXAMPLES=20 .venv/bin/python -m pytest tests/fuzz``; by default the suite keeps to well under
a minute on a 2-core machine.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable

from hypothesis import HealthCheck, settings

from tests.well_formed import placeholders

SCALE = max(0.05, float(os.environ.get("FUZZ_EXAMPLES", "1")))
TRIED: Counter[str] = Counter()
_STARTED = time.perf_counter()


def examples(n: int):
    """``settings`` for ``n`` examples (times FUZZ_EXAMPLES), no deadline (machines are noisy)."""
    return settings(
        max_examples=max(1, int(n * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    )


def tried(name: str) -> None:
    TRIED[name] += 1


def assert_clear(message: str, params: object) -> None:
    """A refusal a handler can render: a non-empty msgid whose every placeholder is supplied."""
    assert isinstance(message, str) and message.strip(), message
    names = placeholders(message)
    assert all(name and name.isidentifier() for name in names), message
    supplied = set(params) if isinstance(params, dict) or hasattr(params, "keys") else set()
    assert names <= supplied, (message, params)
    assert message.format(**dict(params)).strip()


def assert_clear_refusal(error: BaseException) -> None:
    """ValidationError / ImportRejected (problems), ServiceError / WorkflowError (message, params)."""
    problems: Iterable[object] | None = getattr(error, "problems", None)
    if problems is not None:
        problems = list(problems)
        assert problems, error
        for problem in problems:
            assert_clear(problem.message, problem.params)
        return
    assert_clear(error.message, getattr(error, "params", {}))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not TRIED:
        return
    total = sum(TRIED.values())
    terminalreporter.write_sep(
        "-", f"fuzz: {total:,} inputs tried by {len(TRIED)} properties (FUZZ_EXAMPLES={SCALE:g})"
    )
    for name, count in sorted(TRIED.items()):
        terminalreporter.write_line(f"  {count:>7,}  {name}")

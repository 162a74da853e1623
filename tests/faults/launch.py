"""``python -m bot`` with the clock moved by ``ATENSI_TEST_CLOCK_OFFSET`` seconds (tests only).

Reminders are only due on working days inside working hours, and the test machine's calendar is
whatever it is: fault tests that need "Monday 09.00" run the real command line through this
launcher, which does nothing but shift ``SystemClock`` before handing over to ``bot.cli.main``.
Time still flows (leases expire, long polls time out); only the calendar is moved.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot import clock

_OFFSET = dt.timedelta(seconds=float(os.environ.get("ATENSI_TEST_CLOCK_OFFSET", "0")))


def _shifted_now(self: clock.SystemClock) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + _OFFSET


clock.SystemClock.now = _shifted_now

from bot.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

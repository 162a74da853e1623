"""``python -m bot`` is the ``atensi-bot`` command."""

import sys

from bot.cli import main

sys.exit(main())

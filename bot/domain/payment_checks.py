"""Post-payment verification (issue 16.4): did the money reach the client, in full?

When every transfer of a proposal is sent, a random sample of its clients is drawn — a share of
them, at least a minimum (``[payment_checks]``) — and the IPWL's PIC team phones each one and records
the answer in its private chat: received in full, received less (how much), not received, or not
reachable. The draw is reproducible: it depends only on the recorded seed and the paid clients'
ids (sorted), so anyone can draw it again and get the same sample.

Pure rules: the sample size, the draw, what counts as a mismatch. No I/O.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Sequence
from enum import StrEnum

from bot.i18n import N_


class CheckAnswer(StrEnum):
    """What the client said on the phone (``payment_checks.status``; ``pending`` until asked)."""

    FULL = "full"  # received the whole amount
    LESS = "less"  # received less (the amount is recorded)
    NONE = "none"  # received nothing
    UNREACHABLE = "unreachable"  # could not be reached


PENDING = "pending"
MISMATCHES = frozenset({CheckAnswer.LESS, CheckAnswer.NONE})

ANSWER_LABELS = {
    CheckAnswer.FULL: N_("Received in full"),
    CheckAnswer.LESS: N_("Received less"),
    CheckAnswer.NONE: N_("Not received"),
    CheckAnswer.UNREACHABLE: N_("Not reachable"),
}


def new_seed() -> str:
    """A fresh seed for one proposal's draw (recorded with it)."""
    return secrets.token_hex(16)


def sample_size(population: int, share: float, minimum: int) -> int:
    """How many clients are checked: ``share`` of them rounded up, at least ``minimum``, at most all."""
    if population <= 0:
        return 0
    return min(population, max(minimum, math.ceil(population * share)))


def draw(seed: str, client_ids: Sequence[int], share: float, minimum: int) -> list[int]:
    """The clients to check, in ascending id order: the same seed and clients give the same sample."""
    population = sorted(set(client_ids))
    k = sample_size(len(population), share, minimum)
    return sorted(random.Random(seed).sample(population, k))


def is_mismatch(answer: CheckAnswer) -> bool:
    return answer in MISMATCHES


def description_of(check_id: int) -> str:
    """What a complaint opened by a check stores as its description: the check it came from (the
    officer's card shows the check's facts, translated for the reader)."""
    return f"payment_check:{check_id}"


def check_of(description: str) -> int | None:
    prefix, _, number = description.partition(":")
    return int(number) if prefix == "payment_check" and number.isdigit() else None

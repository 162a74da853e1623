"""LPJ contents for the LPJ rule, sheet and fuzz tests: two clients with their budget lines, the dates, and an
LPJ complete but for what a test overrides."""

from __future__ import annotations

import datetime as dt

from bot.domain.lpj_intake import (
    Evidence,
    EvidenceKind,
    LpjContent,
    LpjContext,
    LpjRules,
    Realization,
    ServicePeriod,
)
from bot.domain.models import BudgetLine, Client, Component

TODAY = dt.date(2026, 12, 10)
EARLIEST = dt.date(2026, 11, 1)
C1, C3 = Component.LIVING_NEEDS, Component.FAMILY


def client(cid: int, position: int, *lines: tuple[int, int]) -> Client:
    """A client with budget lines given as (line id, total)."""
    budget = tuple(BudgetLine(lid, cid, C1, f"item {lid}", 1, total) for lid, total in lines)
    return Client(
        cid, 1, position, f"Client {position}", f"32010145089000{position:02d}", components=(C1, C3), budget=budget
    )


CLIENTS = (client(1, 1, (11, 1_500_000), (12, 500_000)), client(2, 2, (21, 1_500_000)))


def ctx(**content: object) -> LpjContext:
    return LpjContext(TODAY, LpjContent(CLIENTS, **content), EARLIEST, LpjRules())  # type: ignore[arg-type]


def served(*client_ids: int) -> dict[int, tuple[ServicePeriod, ...]]:
    return {cid: (ServicePeriod(cid, C1, EARLIEST, TODAY),) for cid in client_ids}


def receipt(eid: int, amount: int | None, stamped: bool | None = None) -> Evidence:
    return Evidence(eid, EvidenceKind.RECEIPT, eid, "k.pdf", 1, amount, stamped)


def complete(**overrides: object) -> LpjContent:
    base: dict[str, object] = {
        "services": served(1, 2),
        "realizations": {11: Realization(11, 1_500_000), 12: Realization(12, 500_000), 21: Realization(21, 1_500_000)},
        "evidence": (
            receipt(1, 3_500_000),
            Evidence(2, EvidenceKind.PHOTO, 2, "f.jpg", 1),
            Evidence(3, EvidenceKind.BAST, 3, "b.pdf", 1),
        ),
    }
    return LpjContent(CLIENTS, **{**base, **overrides})  # type: ignore[arg-type]

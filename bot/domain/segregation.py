"""Segregation of duties (issue 16): roles one person should not hold together.

A complaint officer reads complaints about money that did not arrive, levies and abuse; the finance
officer moves that money. One person in both could bury a complaint about their own payments, so
auditors of social assistance look for the pair. The grant is not refused (a small centre may have
no one else), but the admins are warned and the warning is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.models import Role

CONFLICTING_ROLES: tuple[frozenset[Role], ...] = (frozenset({Role.COMPLAINT_OFFICER, Role.FINANCE}),)


def conflict_of(held: Iterable[Role], granted: Role) -> frozenset[Role] | None:
    """The pair of conflicting roles ``granted`` completes among ``held`` (which includes it), if any."""
    roles = set(held) | {granted}
    for pair in CONFLICTING_ROLES:
        if granted in pair and pair <= roles:
            return pair
    return None


def conflicts_in(held: Iterable[Role]) -> list[frozenset[Role]]:
    """Every conflicting pair a person's roles contain (for the admin's person card)."""
    roles = set(held)
    return [pair for pair in CONFLICTING_ROLES if pair <= roles]

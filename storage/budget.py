"""The year's budget ceilings (pagu) and the amounts decreed against them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.domain.budget import Ceiling, ceiling_year
from storage.client_changes import EXIT_KINDS
from storage.db import Connection, to_db_date, to_db_time
from storage.nik_conflicts import HELD

_NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)  # no "until": every SK recorded so far


class BudgetRepository:
    """Ceilings per year (whole year or per component) and the budget SKs committed."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def ceilings(self, year: int, *, at: dt.datetime | None = None) -> list[Ceiling]:
        """The year's ceilings now, or as they were in force at ``at`` (a past month's report).

        Only the current amount is kept in ``budget_ceilings``; its history is the audit trail
        (every change is a ``set_ceiling`` event, from → to). The amount in force at ``at`` is
        therefore the *from* of the first change after ``at`` (none: not set yet then), or the
        current amount when nothing changed after ``at``.
        """
        rows = await self._conn.execute_fetchall(
            "SELECT year, component, amount FROM budget_ceilings WHERE year = ? ORDER BY component", (year,)
        )
        current = {r["component"]: int(r["amount"]) for r in rows}
        if at is None:
            return [Ceiling(year, component, amount) for component, amount in current.items()]
        changes = await self._conn.execute_fetchall(
            "SELECT entity_id, from_status FROM audit_events WHERE entity = 'budget_ceiling'"
            " AND action = 'set_ceiling' AND entity_id LIKE ? AND at >= ? ORDER BY at, id",
            (f"{year}:%", to_db_time(at)),
        )
        in_force = dict(current)
        seen: set[str] = set()
        for change in changes:
            component = str(change["entity_id"]).split(":", 1)[1]
            component = "" if component == "all" else component
            if component in seen:
                continue  # (only the first change after ``at`` says what was in force then)
            seen.add(component)
            before = change["from_status"]
            if before is None:
                in_force.pop(component, None)
            else:
                in_force[component] = int(before)
        return [Ceiling(year, component, in_force[component]) for component in sorted(in_force)]

    async def set_ceiling(self, year: int, component: str, amount: int, *, by: int | None, now: dt.datetime) -> None:
        await self._conn.execute(
            "INSERT INTO budget_ceilings (year, component, amount, set_by, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (year, component) DO UPDATE SET amount = excluded.amount, set_by = excluded.set_by,"
            " updated_at = excluded.updated_at",
            (year, component, amount, by, to_db_time(now)),
        )

    async def lock_year(self, year: int) -> None:
        """Serialise issuing SKs of one year (PostgreSQL): two SKs each within the ceiling cannot
        both commit when together they exceed it; the second sees the first's amount."""
        await self._conn.lock(f"budget-ceiling:{year}")

    async def committed(self, year: int, *, until: dt.datetime | None = None) -> dict[str, int]:
        """The budget of decreed proposals of budget year ``year``, per component (of SKs
        recorded before ``until``, if given: a past month's report). A proposal's budget year is
        its period's year (``bot.domain.budget.ceiling_year``), the SK's date only for a row
        without a period: an SK dated December for January proposals counts against January's year.

        A client an SK perubahan took off the list (dropped out, died, moved) frees their budget —
        unless they were paid, until the money is back (their refund case settled): paid money
        stays committed while it is out. A client held for double assistance is out of the SK annex
        and commits nothing until cleared (``storage.nik_conflicts.HELD``, the rule every screen uses);
        their budget is :meth:`held`."""
        return await self._decreed(year, until, held=False)

    async def held(self, year: int) -> dict[str, int]:
        """The budget of the clients of decreed proposals of budget year ``year`` held for double
        assistance, per component: out of the SK annex, but kept in reserve against the ceiling
        until a PIC or the head decides, so clearing one never takes the year above its ceiling."""
        return await self._decreed(year, None, held=True)

    async def _decreed(self, year: int, until: dt.datetime | None, *, held: bool) -> dict[str, int]:
        until_db = to_db_time(until or _NEVER)
        rows = await self._conn.execute_fetchall(
            "SELECT b.component, coalesce(sum(b.total), 0) AS amount FROM budget_lines b"
            " JOIN clients c ON c.id = b.client_id JOIN proposals p ON p.id = c.proposal_id"
            " JOIN decrees d ON d.id = p.decree_id"
            " WHERE (p.period_year = ? OR (p.period_year IS NULL AND d.issued_on >= ? AND d.issued_on < ?))"
            " AND p.status NOT IN ('withdrawn', 'rejected')"
            " AND d.created_at < ?"
            f" AND {'' if held else 'NOT '}{HELD.format(client='c.id')}"
            " AND NOT EXISTS (SELECT 1 FROM client_changes cc WHERE cc.client_id = c.id AND cc.status = 'approved'"
            f"   AND cc.kind IN {EXIT_KINDS} AND cc.decided_at < ?"
            "   AND (NOT EXISTS (SELECT 1 FROM transfers t WHERE t.client_id = c.id AND t.status = 'sent')"
            "     OR EXISTS (SELECT 1 FROM refund_cases r WHERE r.change_id = cc.id AND r.status = 'settled'"
            "       AND r.settled_at < ?)))"
            " GROUP BY b.component",
            (year, to_db_date(dt.date(year, 1, 1)), to_db_date(dt.date(year + 1, 1, 1)), until_db, until_db, until_db),
        )
        return {r["component"]: int(r["amount"]) for r in rows}

    async def amounts(self, proposal_ids: Sequence[int]) -> dict[str, int]:
        """The budget of these proposals, per component (a client held for double assistance is out
        of the SK annex, so not counted: their amount comes in once they are cleared)."""
        if not proposal_ids:
            return {}
        rows = await self._conn.execute_fetchall(
            "SELECT b.component, coalesce(sum(b.total), 0) AS amount FROM budget_lines b"
            " JOIN clients c ON c.id = b.client_id"
            f" WHERE c.proposal_id IN ({', '.join('?' for _ in proposal_ids)})"
            f" AND NOT {HELD.format(client='c.id')} GROUP BY b.component",
            list(proposal_ids),
        )
        return {r["component"]: int(r["amount"]) for r in rows}

    async def amounts_by_year(self, proposal_ids: Sequence[int], sk_date: dt.date) -> dict[int, dict[str, int]]:
        """The budget of these proposals per budget year (``ceiling_year``: the period's year; an SK
        dated ``sk_date`` for a row without one), then per component."""
        if not proposal_ids:
            return {}
        rows = await self._conn.execute_fetchall(
            "SELECT p.period_year, b.component, coalesce(sum(b.total), 0) AS amount FROM budget_lines b"
            " JOIN clients c ON c.id = b.client_id JOIN proposals p ON p.id = c.proposal_id"
            f" WHERE c.proposal_id IN ({', '.join('?' for _ in proposal_ids)}) GROUP BY p.period_year, b.component",
            list(proposal_ids),
        )
        result: dict[int, dict[str, int]] = {}
        for r in rows:
            year = ceiling_year(r["period_year"], sk_date)
            per = result.setdefault(year, {})
            per[r["component"]] = per.get(r["component"], 0) + int(r["amount"])
        return result

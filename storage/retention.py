"""Retention (issue 17.7): which client records are due for erasure, and their announcements.

Candidates are found by SQL (proposals closed before a cutoff; consents withdrawn), the erasure
rule decides in the service. An announcement is inserted once per client (two bot instances
running the job at once announce it once); no personal data is kept here."""

from __future__ import annotations

import datetime as dt

from storage.db import Connection, to_db_time


class RetentionRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def candidates(self, closed_before: dt.datetime, after: int, limit: int) -> list[tuple[int, int]]:
        """(client id, proposal id) of records not erased yet whose proposal was closed before
        ``closed_before``, or whose consent was withdrawn — a page, by client id."""
        rows = await self._conn.execute_fetchall(
            "SELECT c.id, c.proposal_id FROM clients c JOIN proposals p ON p.id = c.proposal_id"
            " WHERE c.erased_at IS NULL AND c.id > ? AND ((p.status = 'closed' AND p.status_since <= ?)"
            " OR EXISTS (SELECT 1 FROM consents s WHERE s.client_id = c.id AND s.withdrawn_at IS NOT NULL))"
            " ORDER BY c.id LIMIT ?",
            (after, to_db_time(closed_before), limit),
        )
        return [(r[0], r[1]) for r in rows]

    async def announce(self, client_id: int, proposal_id: int, now: dt.datetime, erase_after: dt.datetime) -> bool:
        """True when this call announced it (not announced before)."""
        cursor = await self._conn.execute(
            "INSERT INTO retention_notices (client_id, proposal_id, announced_at, erase_after) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (client_id) DO NOTHING",
            (client_id, proposal_id, to_db_time(now), to_db_time(erase_after)),
        )
        return cursor.rowcount == 1

    async def due(self, now: dt.datetime, limit: int) -> list[int]:
        """Announced records whose notice period has passed and that are not erased yet."""
        rows = await self._conn.execute_fetchall(
            "SELECT n.client_id FROM retention_notices n JOIN clients c ON c.id = n.client_id"
            " WHERE n.erased_at IS NULL AND n.erase_after <= ? AND c.erased_at IS NULL ORDER BY n.client_id LIMIT ?",
            (to_db_time(now), limit),
        )
        return [r[0] for r in rows]

    async def announced_count(self) -> int:
        """Records announced to the admins and not erased yet."""
        return int(
            await self._conn.fetchval(
                "SELECT count(*) FROM retention_notices n JOIN clients c ON c.id = n.client_id"
                " WHERE n.erased_at IS NULL AND c.erased_at IS NULL"
            )
        )

    async def mark_erased(self, client_id: int, now: dt.datetime) -> None:
        await self._conn.execute(
            "UPDATE retention_notices SET erased_at = ? WHERE client_id = ? AND erased_at IS NULL",
            (to_db_time(now), client_id),
        )

    async def forget(self, client_id: int) -> None:
        """The rule no longer allows it (e.g. a proposal reopened): the announcement is withdrawn."""
        await self._conn.execute(
            "DELETE FROM retention_notices WHERE client_id = ? AND erased_at IS NULL", (client_id,)
        )

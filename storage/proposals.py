"""Proposals: the lifecycle record, its versions and the summaries operators and staff read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import aiosqlite

from bot.models import Proposal, ProposalStatus
from storage.db import from_db_time


@dataclass(frozen=True)
class ProposalSummary:
    id: int
    code: str
    ipwl_id: int
    status: ProposalStatus
    version: int
    status_since: dt.datetime
    clients: int
    total: int


def _proposal(row: aiosqlite.Row) -> Proposal:
    return Proposal(
        id=row["id"],
        code=row["code"],
        ipwl_id=row["ipwl_id"],
        status=ProposalStatus(row["status"]),
        version=row["version"],
        team_id=row["team_id"],
        claimed_by=row["claimed_by"],
        verified_by=row["verified_by"],
        lpj_verified_by=row["lpj_verified_by"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        submitted_at=from_db_time(row["submitted_at"]),
        period_year=row["period_year"],
        period_month=row["period_month"],
    )


_SELECT = "SELECT p.*, i.team_id AS team_id FROM proposals p JOIN ipwl i ON i.id = p.ipwl_id"


class ProposalRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def by_code(self, code: str) -> Proposal | None:
        rows = await self._conn.execute_fetchall(f"{_SELECT} WHERE p.code = ?", (code.upper(),))
        return _proposal(rows[0]) if rows else None

    async def summaries_for_ipwl(self, ipwl_id: int, *, limit: int = 20) -> list[ProposalSummary]:
        """The IPWL's proposals, newest first, with client counts and budget totals."""
        rows = await self._conn.execute_fetchall(
            "SELECT p.id, p.code, p.ipwl_id, p.status, p.version, p.status_since,"
            " (SELECT count(*) FROM clients c WHERE c.proposal_id = p.id) AS clients,"
            " (SELECT coalesce(sum(b.total), 0) FROM budget_lines b JOIN clients c"
            "   ON c.id = b.client_id WHERE c.proposal_id = p.id) AS total"
            " FROM proposals p WHERE p.ipwl_id = ? ORDER BY p.id DESC LIMIT ?",
            (ipwl_id, limit),
        )
        return [
            ProposalSummary(
                id=r["id"],
                code=r["code"],
                ipwl_id=r["ipwl_id"],
                status=ProposalStatus(r["status"]),
                version=r["version"],
                status_since=from_db_time(r["status_since"]),  # type: ignore[arg-type]
                clients=r["clients"],
                total=r["total"],
            )
            for r in rows
        ]

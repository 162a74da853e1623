"""Double assistance (issue 16.1): clients with the same NIK at two IPWL, and the adjudications.

Clients are matched by the NIK's blind index (``clients.nik_index``), never by the NIK itself; what
leaves this module about the *other* side is its ids, proposal code, IPWL code, status and dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from bot.domain.double_assistance import ConflictKind, Counterpart, HeldClient, NikConflict
from bot.domain.models import ProposalStatus
from storage.client_changes import LEFT_LIST
from storage.db import Connection, Row, from_db_date, from_db_time, to_db_time


def _conflict(row: Row) -> NikConflict:
    return NikConflict(
        client_id=row["client_id"],
        other_client_id=row["other_client_id"],
        other_proposal_id=row["other_proposal_id"],
        other_proposal_code=row["other_proposal_code"],
        other_ipwl_code=row["other_ipwl_code"],
        kind=ConflictKind(row["kind"]),
        stage=row["stage"],
        found_at=from_db_time(row["found_at"]),
        adjudicated_by=row["adjudicated_by"],
        adjudicated_by_name=row["adjudicated_by_name"],
        adjudicated_at=from_db_time(row["adjudicated_at"]),
        reason=row["reason"],
        position=row["position"],
        same_person=row["outcome"] == "same",
        other_status=ProposalStatus(row["other_status"]),
    )


_SELECT = (
    "SELECT n.client_id, n.other_client_id, n.kind, n.stage, n.found_at, n.adjudicated_by, n.adjudicated_at,"
    " n.reason, n.outcome, p.id AS other_proposal_id, p.status AS other_status,"
    " p.code AS other_proposal_code, i.code AS other_ipwl_code,"
    " w.full_name AS adjudicated_by_name, m.position"
    " FROM nik_conflicts n JOIN clients m ON m.id = n.client_id JOIN clients o ON o.id = n.other_client_id"
    " JOIN proposals p ON p.id = o.proposal_id"
    " JOIN ipwl i ON i.id = p.ipwl_id LEFT JOIN people w ON w.id = n.adjudicated_by"
)


# A pair that holds its client out of the SK annex and the transfers: hard, and not decided, or
# decided the same person (double assistance confirmed).
_HOLDS = "{n}.kind = 'hard' AND ({n}.adjudicated_at IS NULL OR {n}.outcome = 'same')"


# The one rule for "held" (issue 16.1), for every query that counts money or recipients: a client
# with a pair that holds (``_HOLDS``: hard and undecided, or decided the same person) is out of the
# SK annex, the SPP/SPM, the transfers and the amount committed against the ceiling. ``held`` and
# ``held_per_proposal`` below are this rule.
HELD = "EXISTS (SELECT 1 FROM nik_conflicts h WHERE h.client_id = {client} AND " + _HOLDS.format(n="h") + ")"
# Of the held, those decided the same person as a client elsewhere: held for good (as ``confirmed``).
CONFIRMED = (
    "EXISTS (SELECT 1 FROM nik_conflicts h WHERE h.client_id = {client} AND h.kind = 'hard' AND h.outcome = 'same')"
)


class NikConflictRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def counterparts(self, client_id: int) -> list[Counterpart]:
        """The clients of *other* IPWL with this client's NIK (by blind index), any year or status:
        the domain rule decides which of them matter."""
        rows = await self._conn.execute_fetchall(
            "SELECT o.id AS client_id, p.id AS proposal_id, p.code, i.code AS ipwl_code, i.team_id, p.status,"
            " p.period_year, d.issued_on AS sk_on,"
            " (SELECT t.transfer_on FROM transfers t WHERE t.client_id = o.id AND t.status = 'sent') AS paid_on,"
            f" (SELECT count(*) FROM nik_conflicts h WHERE h.client_id = o.id AND {_HOLDS.format(n='h')}) AS held,"
            f" {LEFT_LIST.format(client='o.id')} AS left_list"
            " FROM clients c JOIN proposals mine ON mine.id = c.proposal_id"
            " JOIN clients o ON o.nik_index = c.nik_index AND o.id != c.id"
            " JOIN proposals p ON p.id = o.proposal_id JOIN ipwl i ON i.id = p.ipwl_id"
            " LEFT JOIN decrees d ON d.id = p.decree_id"
            " WHERE c.id = ? AND c.nik_index IS NOT NULL AND p.ipwl_id != mine.ipwl_id AND o.erased_at IS NULL"
            " ORDER BY p.id, o.id",
            (client_id,),
        )
        return [
            Counterpart(
                client_id=r["client_id"],
                proposal_id=r["proposal_id"],
                proposal_code=r["code"],
                ipwl_code=r["ipwl_code"],
                team_id=r["team_id"],
                status=ProposalStatus(r["status"]),
                period_year=r["period_year"],
                sk_on=from_db_date(r["sk_on"]),
                paid_on=from_db_date(r["paid_on"]),
                held=bool(r["held"]),
                left=bool(r["left_list"]),
            )
            for r in rows
        ]

    async def of_clients(self, client_ids: Sequence[int]) -> list[NikConflict]:
        """The recorded pairs of these clients (adjudicated ones included), in a stable order."""
        if not client_ids:
            return []
        marks = ",".join("?" for _ in client_ids)
        rows = await self._conn.execute_fetchall(
            f"{_SELECT} WHERE n.client_id IN ({marks}) ORDER BY n.client_id, p.id, n.other_client_id",
            list(client_ids),
        )
        return [_conflict(r) for r in rows]

    async def of_proposal(self, proposal_id: int) -> list[NikConflict]:
        rows = await self._conn.execute_fetchall(
            f"{_SELECT} WHERE n.client_id IN (SELECT id FROM clients WHERE proposal_id = ?)"
            " ORDER BY n.client_id, p.id, n.other_client_id",
            (proposal_id,),
        )
        return [_conflict(r) for r in rows]

    async def waiting(self, *, team_id: int | None = None) -> list[HeldClient]:
        """Held clients waiting for an adjudication (of one team's IPWL, or all), oldest proposal first."""
        where = "n.kind = 'hard' AND n.adjudicated_at IS NULL"
        params: tuple[object, ...] = ()
        if team_id is not None:
            where += " AND mi.team_id = ?"
            params = (team_id,)
        rows = await self._conn.execute_fetchall(
            "SELECT mp.id AS proposal_id, mp.code AS proposal_code, m.position, m.id AS client_id,"
            " p.code AS other_code, i.code AS other_ipwl, mp.decree_id FROM nik_conflicts n"
            " JOIN clients m ON m.id = n.client_id JOIN proposals mp ON mp.id = m.proposal_id"
            " JOIN ipwl mi ON mi.id = mp.ipwl_id JOIN clients o ON o.id = n.other_client_id"
            " JOIN proposals p ON p.id = o.proposal_id JOIN ipwl i ON i.id = p.ipwl_id"
            f" WHERE {where} ORDER BY mp.id, m.position, p.id",
            params,
        )
        return [
            HeldClient(
                r["proposal_id"],
                r["proposal_code"],
                r["position"],
                r["client_id"],
                r["other_code"],
                r["other_ipwl"],
                r["decree_id"] is not None,
            )
            for r in rows
        ]

    async def held_per_proposal(self, proposal_ids: Sequence[int]) -> dict[int, int]:
        """How many clients of each proposal are held (proposals with none are left out)."""
        return await self._clients_per_proposal(proposal_ids, _HOLDS.format(n="n"))

    async def warned_per_proposal(self, proposal_ids: Sequence[int]) -> dict[int, int]:
        """How many clients of each proposal have a soft pair not yet decided (the same NIK in another
        IPWL's proposal still under review) and are not held; proposals with none are left out."""
        return await self._clients_per_proposal(
            proposal_ids, f"n.kind = 'soft' AND n.adjudicated_at IS NULL AND NOT {HELD.format(client='c.id')}"
        )

    async def _clients_per_proposal(self, proposal_ids: Sequence[int], pair: str) -> dict[int, int]:
        """How many clients of each proposal have a pair ``n`` (of client ``c``) matching ``pair``."""
        if not proposal_ids:
            return {}
        marks = ",".join("?" for _ in proposal_ids)
        rows = await self._conn.execute_fetchall(
            "SELECT c.proposal_id, count(DISTINCT c.id) FROM nik_conflicts n JOIN clients c ON c.id = n.client_id"
            f" WHERE c.proposal_id IN ({marks}) AND {pair} GROUP BY c.proposal_id",
            list(proposal_ids),
        )
        return {r[0]: int(r[1]) for r in rows}

    async def held(self, client_ids: Iterable[int]) -> set[int]:
        """Those of ``client_ids`` held by a hard conflict not adjudicated, or adjudicated the same person."""
        wanted = list(client_ids)
        if not wanted:
            return set()
        marks = ",".join("?" for _ in wanted)
        rows = await self._conn.execute_fetchall(
            f"SELECT DISTINCT n.client_id FROM nik_conflicts n WHERE n.client_id IN ({marks})"
            f" AND {_HOLDS.format(n='n')}",
            wanted,
        )
        return {r[0] for r in rows}

    async def confirmed(self, client_ids: Iterable[int]) -> set[int]:
        """Those of ``client_ids`` decided the same person as a client elsewhere: held for good."""
        wanted = list(client_ids)
        if not wanted:
            return set()
        marks = ",".join("?" for _ in wanted)
        rows = await self._conn.execute_fetchall(
            f"SELECT c.id FROM clients c WHERE c.id IN ({marks}) AND {CONFIRMED.format(client='c.id')}",
            wanted,
        )
        return {r[0] for r in rows}

    async def put(self, client_id: int, other_client_id: int, kind: ConflictKind, stage: str, now: dt.datetime) -> bool:
        """Record the pair as found now (a new pair, or a soft one turned hard). An adjudicated pair
        is left as decided. True when something changed."""
        cursor = await self._conn.execute(
            "INSERT INTO nik_conflicts (client_id, other_client_id, kind, stage, found_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (client_id, other_client_id) DO UPDATE SET kind = excluded.kind, stage = excluded.stage,"
            " found_at = excluded.found_at"
            " WHERE nik_conflicts.adjudicated_at IS NULL AND nik_conflicts.kind != excluded.kind",
            (client_id, other_client_id, kind.value, stage, to_db_time(now)),
        )
        return cursor.rowcount == 1

    async def drop(self, client_id: int, other_client_id: int) -> bool:
        """Forget a pair that no longer conflicts (the other withdrawn, rejected, erased); an
        adjudicated pair stays, as the record of the decision."""
        cursor = await self._conn.execute(
            "DELETE FROM nik_conflicts WHERE client_id = ? AND other_client_id = ? AND adjudicated_at IS NULL",
            (client_id, other_client_id),
        )
        return cursor.rowcount == 1

    async def lock_client(self, client_id: int) -> None:
        """Hold the client's row: two adjudications of one client at once record one (PostgreSQL)."""
        await self._conn.lock_row("clients", client_id)

    async def adjudicate(
        self, client_id: int, by: int, reason: str, now: dt.datetime, *, same_person: bool = False
    ) -> list[int]:
        """Record "not the same person" (or, ``same_person``, double assistance confirmed) on every
        open pair of the client, both sides. Compare-and-set on ``adjudicated_at``: the ids of the
        other clients decided now (empty: nothing was open)."""
        rows = await self._conn.execute_fetchall(
            "SELECT other_client_id FROM nik_conflicts WHERE client_id = ? AND adjudicated_at IS NULL"
            " ORDER BY other_client_id",
            (client_id,),
        )
        others = [r[0] for r in rows]
        for other in others:
            for a, b in ((client_id, other), (other, client_id)):
                await self._conn.execute(
                    "INSERT INTO nik_conflicts (client_id, other_client_id, kind, stage, found_at, adjudicated_by,"
                    " adjudicated_at, reason, outcome) VALUES (?, ?, 'soft', 'adjudication', ?, ?, ?, ?, ?)"
                    " ON CONFLICT (client_id, other_client_id) DO UPDATE SET adjudicated_by = excluded.adjudicated_by,"
                    " adjudicated_at = excluded.adjudicated_at, reason = excluded.reason, outcome = excluded.outcome"
                    " WHERE nik_conflicts.adjudicated_at IS NULL",
                    (a, b, to_db_time(now), by, to_db_time(now), reason, "same" if same_person else "different"),
                )
        if same_person:
            # The same person: one side of each pair holds for good (``_HOLDS``: hard and 'same').
            # Where neither side was held yet (a soft pair: both still under review, a newcomer
            # recorded it before any SK), it is the client decided on: their row becomes hard, so
            # they stay out of the SK annex, the transfers and the pagu committed. Where the other
            # side was already held by this pair (hard there), that one stays held and this one
            # stays assisted.
            for other in others:
                await self._conn.execute(
                    "UPDATE nik_conflicts SET kind = 'hard' WHERE client_id = ? AND other_client_id = ?"
                    " AND NOT EXISTS (SELECT 1 FROM nik_conflicts t WHERE t.client_id = ? AND t.other_client_id = ?"
                    " AND t.kind = 'hard')",
                    (client_id, other, other, client_id),
                )
        return others

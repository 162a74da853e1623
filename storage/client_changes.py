"""Changes after the SK (issue 16.6, migration 0021): the change requests and the refund cases.

``reason``, ``old_value``, ``new_value`` and ``decision_reason`` are personal data (a name, a NIK,
a cause of death), sealed like the client's own fields (storage/sealing.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.domain.client_changes import (
    EXITS,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    RefundCase,
    RefundStatus,
)
from storage.db import Connection, Row, from_db_time, to_db_date, to_db_time
from storage.sealing import Sealer

# The kinds of change that take a client off their proposal's list (bot.domain.client_changes.EXITS),
# as SQL: ``('drop_out', 'death', 'move', 'double_assistance')``.
EXIT_KINDS = "(" + ", ".join(f"'{kind.value}'" for kind in ChangeKind if kind in EXITS) + ")"
# The one SQL for "the client ``{client}`` left their proposal's list": an approved change of an exit
# kind. Every query that leaves such clients out (transfers, counts, NIK checks) says it with this.
LEFT_LIST = (
    "EXISTS (SELECT 1 FROM client_changes x WHERE x.client_id = {client} AND x.status = 'approved'"
    f" AND x.kind IN {EXIT_KINDS})"
)

_SELECT = (
    "SELECT x.*, p.code AS proposal_code, p.ipwl_id AS ipwl_id, c.position AS position,"
    " t.code AS target_code, t.name AS target_name"
    " FROM client_changes x JOIN proposals p ON p.id = x.proposal_id JOIN ipwl i ON i.id = p.ipwl_id"
    " JOIN clients c ON c.id = x.client_id"
    " LEFT JOIN ipwl t ON t.id = x.target_ipwl_id"
)


def _change(row: Row, keys: Sealer) -> ChangeRequest:
    def opened(column: str) -> str | None:
        return keys.open(row[column], "client_changes", column)

    return ChangeRequest(
        id=row["id"],
        proposal_id=row["proposal_id"],
        proposal_code=row["proposal_code"],
        ipwl_id=row["ipwl_id"],
        client_id=row["client_id"],
        position=row["position"],
        kind=ChangeKind(row["kind"]),
        status=ChangeStatus(row["status"]),
        reason=opened("reason") or "",
        requested_by=row["requested_by"],
        requested_at=from_db_time(row["requested_at"]),
        old_value=opened("old_value"),
        new_value=opened("new_value"),
        target_ipwl_code=row["target_code"],
        target_ipwl_name=row["target_name"],
        duplicates=tuple(d for d in (row["duplicates"] or "").split(",") if d),
        evidence_id=row["evidence_id"],
        verified_by=row["verified_by"],
        decided_by=row["decided_by"],
        decided_at=from_db_time(row["decided_at"]) if row["decided_at"] else None,
        decision_reason=opened("decision_reason"),
        amendment_id=row["amendment_id"],
        card_chat_id=row["card_chat_id"],
        card_message_id=row["card_message_id"],
    )


class ClientChangeRepository:
    def __init__(self, conn: Connection, keys: Sealer) -> None:
        self._conn = conn
        self._keys = keys

    def _seal(self, column: str, value: str | None) -> str | None:
        return self._keys.seal(value, "client_changes", column)

    async def create(
        self,
        *,
        proposal_id: int,
        client_id: int,
        kind: ChangeKind,
        reason: str,
        old_value: str | None,
        new_value: str | None,
        target_ipwl_id: int | None,
        duplicates: Iterable[str],
        evidence_id: int,
        by: int,
        now: dt.datetime,
    ) -> int | None:
        """A new request; None when the client already has one open (the unique index decides, so
        two operators, or a double send, file one)."""
        return await self._conn.fetchval(
            "INSERT INTO client_changes (proposal_id, client_id, kind, status, reason, old_value, new_value,"
            " target_ipwl_id, duplicates, evidence_id, requested_by, requested_at)"
            " VALUES (?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (client_id) WHERE status IN ('requested', 'verified') DO NOTHING RETURNING id",
            (
                proposal_id,
                client_id,
                kind.value,
                self._seal("reason", reason),
                self._seal("old_value", old_value),
                self._seal("new_value", new_value),
                target_ipwl_id,
                ",".join(duplicates) or None,
                evidence_id,
                by,
                to_db_time(now),
            ),
        )

    async def by_id(self, change_id: int) -> ChangeRequest | None:
        row = await self._conn.fetchone(_SELECT + " WHERE x.id = ?", (change_id,))
        return None if row is None else _change(row, self._keys)

    async def of_proposal(self, proposal_id: int) -> list[ChangeRequest]:
        rows = await self._conn.execute_fetchall(_SELECT + " WHERE x.proposal_id = ? ORDER BY x.id", (proposal_id,))
        return [_change(r, self._keys) for r in rows]

    async def open_of_client(self, client_id: int) -> ChangeRequest | None:
        row = await self._conn.fetchone(
            _SELECT + " WHERE x.client_id = ? AND x.status IN ('requested', 'verified')", (client_id,)
        )
        return None if row is None else _change(row, self._keys)

    async def in_status(
        self, status: ChangeStatus, *, team_id: int | None = None, ipwl_ids: Iterable[int] | None = None
    ) -> list[ChangeRequest]:
        """Requests at ``status`` (of the team's IPWL, or of these IPWL), oldest first."""
        sql = _SELECT + " WHERE x.status = ?"
        params: list[object] = [status.value]
        if team_id is not None:
            sql += " AND i.team_id = ?"
            params.append(team_id)
        if ipwl_ids is not None:
            ids = list(ipwl_ids) or [0]
            sql += f" AND p.ipwl_id IN ({', '.join('?' for _ in ids)})"
            params.extend(ids)
        rows = await self._conn.execute_fetchall(sql + " ORDER BY x.requested_at, x.id", params)
        return [_change(r, self._keys) for r in rows]

    async def of_amendment(self, decree_id: int) -> list[ChangeRequest]:
        rows = await self._conn.execute_fetchall(_SELECT + " WHERE x.amendment_id = ? ORDER BY x.id", (decree_id,))
        return [_change(r, self._keys) for r in rows]

    async def verify(self, change_id: int, by: int, now: dt.datetime) -> bool:
        """requested → verified (compare-and-set: True only for the call that did it)."""
        cursor = await self._conn.execute(
            "UPDATE client_changes SET status = 'verified', verified_by = ?, verified_at = ?"
            " WHERE id = ? AND status = 'requested'",
            (by, to_db_time(now), change_id),
        )
        return cursor.rowcount == 1

    async def decide(
        self,
        change_id: int,
        *,
        frm: ChangeStatus,
        to: ChangeStatus,
        by: int,
        now: dt.datetime,
        reason: str | None = None,
        amendment_id: int | None = None,
    ) -> bool:
        """Approved, returned or rejected (compare-and-set on ``frm``)."""
        cursor = await self._conn.execute(
            "UPDATE client_changes SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ?,"
            " amendment_id = ? WHERE id = ? AND status = ?",
            (to.value, by, to_db_time(now), self._seal("decision_reason", reason), amendment_id, change_id, frm.value),
        )
        return cursor.rowcount == 1

    async def remember_card(self, change_id: int, chat_id: int, message_id: int) -> None:
        await self._conn.execute(
            "UPDATE client_changes SET card_chat_id = ?, card_message_id = ? WHERE id = ?",
            (chat_id, message_id, change_id),
        )

    async def set_duplicates(self, change_id: int, duplicates: Iterable[str]) -> None:
        await self._conn.execute(
            "UPDATE client_changes SET duplicates = ? WHERE id = ?", (",".join(duplicates) or None, change_id)
        )

    async def left_clients(self, proposal_id: int) -> set[int]:
        """Clients of the proposal taken off its list by an approved drop-out, death or move."""
        rows = await self._conn.execute_fetchall(
            "SELECT client_id FROM client_changes WHERE proposal_id = ? AND status = 'approved'"
            f" AND kind IN {EXIT_KINDS}",
            (proposal_id,),
        )
        return {r[0] for r in rows}

    async def exits_of(self, proposal_id: int) -> dict[int, str]:
        """The proposal's clients off its list, each with the number of the SK perubahan that took them off."""
        rows = await self._conn.execute_fetchall(
            "SELECT x.client_id, d.number FROM client_changes x JOIN decrees d ON d.id = x.amendment_id"
            " WHERE x.proposal_id = ? AND x.status = 'approved'"
            f" AND x.kind IN {EXIT_KINDS}"
            " ORDER BY x.client_id",
            (proposal_id,),
        )
        return {int(r[0]): r[1] for r in rows}

    async def has_left(self, client_id: int) -> bool:
        """The client left their proposal's list by an approved SK perubahan."""
        return bool(await self._conn.fetchval(f"SELECT {LEFT_LIST.format(client='?')}", (client_id,)))

    async def nik_holders(self, nik_index: str, year: int, besides_client_id: int) -> list[str]:
        """Codes of the proposals this year (any IPWL) with a client of this NIK's blind index, other
        than ``besides_client_id`` and clients who left their list."""
        rows = await self._conn.execute_fetchall(
            "SELECT DISTINCT p.code FROM clients c JOIN proposals p ON p.id = c.proposal_id"
            " WHERE c.nik_index = ? AND p.period_year = ? AND c.id != ?"
            " AND p.status NOT IN ('draft', 'withdrawn', 'rejected')"
            f" AND NOT {LEFT_LIST.format(client='c.id')} ORDER BY p.code",
            (nik_index, year, besides_client_id),
        )
        return [r[0] for r in rows]

    async def count_open(self, status: ChangeStatus, *, team_id: int | None = None) -> int:
        sql = (
            "SELECT count(*) FROM client_changes x JOIN proposals p ON p.id = x.proposal_id"
            " JOIN ipwl i ON i.id = p.ipwl_id WHERE x.status = ?"
        )
        params: list[object] = [status.value]
        if team_id is not None:
            sql += " AND i.team_id = ?"
            params.append(team_id)
        return int(await self._conn.fetchval(sql, params))


_REFUND_SELECT = (
    "SELECT r.*, p.code AS proposal_code, c.position AS position, x.kind AS kind, d.number AS amendment_number,"
    " pe.full_name AS settled_by_name,"
    " (SELECT coalesce(sum(rr.amount), 0) FROM refund_receipts rr WHERE rr.refund_id = r.id) AS received"
    " FROM refund_cases r JOIN proposals p ON p.id = r.proposal_id JOIN clients c ON c.id = r.client_id"
    " JOIN client_changes x ON x.id = r.change_id LEFT JOIN decrees d ON d.id = x.amendment_id"
    " LEFT JOIN people pe ON pe.id = r.settled_by"
)


def _refund(row: Row) -> RefundCase:
    return RefundCase(
        id=row["id"],
        change_id=row["change_id"],
        proposal_id=row["proposal_id"],
        proposal_code=row["proposal_code"],
        client_id=row["client_id"],
        position=row["position"],
        kind=ChangeKind(row["kind"]),
        amount=row["amount"],
        status=RefundStatus(row["status"]),
        created_at=from_db_time(row["created_at"]),
        amendment_number=row["amendment_number"],
        settled_by_name=row["settled_by_name"],
        settled_at=from_db_time(row["settled_at"]) if row["settled_at"] else None,
        received=int(row["received"]),
    )


class RefundCaseRepository:
    """Money sent to a client who then left the list: to be returned, tracked for finance."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def open_case(
        self, change_id: int, proposal_id: int, client_id: int, amount: int, now: dt.datetime
    ) -> int | None:
        return await self._conn.fetchval(
            "INSERT INTO refund_cases (change_id, proposal_id, client_id, amount, status, created_at)"
            " VALUES (?, ?, ?, ?, 'open', ?) ON CONFLICT (change_id) DO NOTHING RETURNING id",
            (change_id, proposal_id, client_id, amount, to_db_time(now)),
        )

    async def by_id(self, refund_id: int) -> RefundCase | None:
        row = await self._conn.fetchone(_REFUND_SELECT + " WHERE r.id = ?", (refund_id,))
        return None if row is None else _refund(row)

    async def in_status(self, status: RefundStatus) -> list[RefundCase]:
        rows = await self._conn.execute_fetchall(
            _REFUND_SELECT + " WHERE r.status = ? ORDER BY r.created_at, r.id", (status.value,)
        )
        return [_refund(r) for r in rows]

    async def of_proposal(self, proposal_id: int) -> list[RefundCase]:
        rows = await self._conn.execute_fetchall(
            _REFUND_SELECT + " WHERE r.proposal_id = ? ORDER BY r.id", (proposal_id,)
        )
        return [_refund(r) for r in rows]

    async def settle(self, refund_id: int, by: int, now: dt.datetime) -> bool:
        """open → settled (compare-and-set)."""
        cursor = await self._conn.execute(
            "UPDATE refund_cases SET status = 'settled', settled_by = ?, settled_at = ?"
            " WHERE id = ? AND status = 'open'",
            (by, to_db_time(now), refund_id),
        )
        return cursor.rowcount == 1

    async def add_receipt(
        self,
        refund_id: int,
        *,
        amount: int,
        received_on: dt.date,
        proof_id: int | None,
        reference: str | None,
        by: int,
        now: dt.datetime,
    ) -> None:
        """Money of the case received back: all of it or a part (the rest stays open)."""
        await self._conn.execute(
            "INSERT INTO refund_receipts (refund_id, amount, received_on, proof_id, proof_reference, recorded_by,"
            " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (refund_id, amount, to_db_date(received_on), proof_id, reference, by, to_db_time(now)),
        )

    async def count_open(self) -> int:
        return int(await self._conn.fetchval("SELECT count(*) FROM refund_cases WHERE status = 'open'"))

"""LPJ (accountability reports): the draft, services delivered, realization, evidence, group cards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from bot.domain.lpj_intake import Evidence, EvidenceKind, Lpj, Realization, ServicePeriod
from bot.domain.models import Component
from bot.domain.records import LastChange, LpjTotals
from storage.db import Connection, Row, from_db_date, from_db_time, to_db_date, to_db_time
from storage.proposals import AttachmentRepository
from storage.sealing import Sealer


def _lpj(row: Row) -> Lpj:
    return Lpj(
        id=row["id"],
        proposal_id=row["proposal_id"],
        version=row["version"],
        late=bool(row["late"]),
        submitted_at=from_db_time(row["submitted_at"]),
        first_submitted_at=from_db_time(row["first_submitted_at"]),
        verified_by=row["verified_by"],
        verified_at=from_db_time(row["verified_at"]),
        validated_by=row["validated_by"],
        validated_at=from_db_time(row["validated_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


class LpjRepository:
    def __init__(self, conn: Connection, keys: Sealer) -> None:
        self._conn = conn
        self._keys = keys

    # --- the LPJ record ------------------------------------------------------------------------

    async def of_proposal(self, proposal_id: int) -> Lpj | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM lpj WHERE proposal_id = ?", (proposal_id,))
        return _lpj(rows[0]) if rows else None

    async def by_id(self, lpj_id: int) -> Lpj | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM lpj WHERE id = ?", (lpj_id,))
        return _lpj(rows[0]) if rows else None

    async def create(self, proposal_id: int, now: dt.datetime) -> Lpj:
        """The proposal's LPJ, created on first use (one per proposal, whoever gets there first)."""
        stamp = to_db_time(now)
        await self._conn.execute(
            "INSERT INTO lpj (proposal_id, version, created_at, updated_at) VALUES (?, 1, ?, ?)"
            " ON CONFLICT (proposal_id) DO NOTHING",
            (proposal_id, stamp, stamp),
        )
        lpj = await self.of_proposal(proposal_id)
        assert lpj is not None
        return lpj

    async def cursor_of(self, lpj_id: int) -> str | None:
        rows = await self._conn.execute_fetchall("SELECT draft_cursor FROM lpj WHERE id = ?", (lpj_id,))
        return rows[0][0] if rows else None

    async def set_cursor(self, lpj_id: int, cursor: str | None, now: dt.datetime) -> None:
        """Store the conversation cursor; every answer also counts as activity on the draft."""
        await self._conn.execute(
            "UPDATE lpj SET draft_cursor = ?, updated_at = ? WHERE id = ?", (cursor, to_db_time(now), lpj_id)
        )

    async def submit(self, lpj_id: int, version: int, now: dt.datetime, *, late: bool) -> None:
        """Record a submission. Lateness is judged on the first one: a return does not make an
        LPJ that was in on time late, and resubmitting quickly does not cure a late one."""
        stamp = to_db_time(now)
        await self._conn.execute(
            "UPDATE lpj SET version = ?, submitted_at = ?, draft_cursor = NULL, updated_at = ?,"
            " late = CASE WHEN first_submitted_at IS NULL THEN ? ELSE late END,"
            " first_submitted_at = coalesce(first_submitted_at, ?),"
            " verified_by = NULL, verified_at = NULL WHERE id = ?",
            (version, stamp, stamp, int(late), stamp, lpj_id),
        )

    async def mark_verified(self, lpj_id: int, by: int, now: dt.datetime) -> None:
        stamp = to_db_time(now)
        await self._conn.execute(
            "UPDATE lpj SET verified_by = ?, verified_at = ?, updated_at = ? WHERE id = ?", (by, stamp, stamp, lpj_id)
        )

    async def mark_returned(self, lpj_id: int, now: dt.datetime) -> None:
        await self._conn.execute(
            "UPDATE lpj SET verified_by = NULL, verified_at = NULL, draft_cursor = NULL, updated_at = ? WHERE id = ?",
            (to_db_time(now), lpj_id),
        )

    async def mark_validated(self, lpj_id: int, by: int, now: dt.datetime) -> None:
        stamp = to_db_time(now)
        await self._conn.execute(
            "UPDATE lpj SET validated_by = ?, validated_at = ?, updated_at = ? WHERE id = ?", (by, stamp, stamp, lpj_id)
        )

    # --- services delivered ---------------------------------------------------------------------

    async def services(self, lpj_id: int) -> dict[int, tuple[ServicePeriod, ...]]:
        rows = await self._conn.execute_fetchall(
            "SELECT client_id, component, served_from, served_to FROM lpj_services WHERE lpj_id = ?"
            " ORDER BY client_id, component",
            (lpj_id,),
        )
        found: dict[int, list[ServicePeriod]] = {}
        for r in rows:
            found.setdefault(r["client_id"], []).append(
                ServicePeriod(
                    r["client_id"],
                    Component(r["component"]),
                    from_db_date(r["served_from"]),
                    from_db_date(r["served_to"]),
                )
            )
        return {client_id: tuple(periods) for client_id, periods in found.items()}

    async def set_services(self, lpj_id: int, client_id: int, periods: Sequence[ServicePeriod]) -> None:
        """Replace what was reported for one client with ``periods``."""
        await self._conn.execute("DELETE FROM lpj_services WHERE lpj_id = ? AND client_id = ?", (lpj_id, client_id))
        await self._conn.executemany(
            "INSERT INTO lpj_services (lpj_id, client_id, component, served_from, served_to) VALUES (?, ?, ?, ?, ?)",
            [
                (lpj_id, client_id, p.component.value, to_db_date(p.served_from), to_db_date(p.served_to))
                for p in periods
            ],
        )

    # --- realization ---------------------------------------------------------------------------

    async def realizations(self, lpj_id: int) -> dict[int, Realization]:
        rows = await self._conn.execute_fetchall(
            "SELECT budget_line_id, amount, note FROM lpj_realizations WHERE lpj_id = ?", (lpj_id,)
        )
        return {r["budget_line_id"]: Realization(r["budget_line_id"], r["amount"], r["note"]) for r in rows}

    async def set_realizations(self, lpj_id: int, items: Iterable[Realization]) -> None:
        await self._conn.executemany(
            "INSERT INTO lpj_realizations (lpj_id, budget_line_id, amount, note) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (lpj_id, budget_line_id) DO UPDATE SET amount = excluded.amount, note = excluded.note",
            [(lpj_id, r.budget_line_id, r.amount, r.note) for r in items],
        )

    async def fill_as_budgeted(self, lpj_id: int, proposal_id: int) -> int:
        """Report every line not yet reported as spent exactly as budgeted; return how many."""
        cursor = await self._conn.execute(
            "INSERT INTO lpj_realizations (lpj_id, budget_line_id, amount)"
            " SELECT ?, b.id, b.total FROM budget_lines b JOIN clients c ON c.id = b.client_id"
            " WHERE c.proposal_id = ? AND NOT EXISTS (SELECT 1 FROM lpj_realizations r"
            "   WHERE r.lpj_id = ? AND r.budget_line_id = b.id)",
            (lpj_id, proposal_id, lpj_id),
        )
        return cursor.rowcount

    # --- evidence ------------------------------------------------------------------------------

    async def add_evidence(self, lpj_id: int, attachment_id: int, kind: EvidenceKind, now: dt.datetime) -> int:
        return int(
            await self._conn.fetchval(
                "INSERT INTO lpj_evidence (lpj_id, attachment_id, kind, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                (lpj_id, attachment_id, kind.value, to_db_time(now)),
            )
        )

    async def evidence(self, lpj_id: int) -> tuple[Evidence, ...]:
        rows = await self._conn.execute_fetchall(
            "SELECT e.id, e.kind, e.attachment_id, e.amount, e.stamped, a.file_name, a.size"
            " FROM lpj_evidence e JOIN attachments a ON a.id = e.attachment_id WHERE e.lpj_id = ? ORDER BY e.id",
            (lpj_id,),
        )
        return tuple(
            Evidence(
                r["id"],
                EvidenceKind(r["kind"]),
                r["attachment_id"],
                self._keys.open(r["file_name"], "attachments", "file_name"),
                r["size"],
                r["amount"],
                None if r["stamped"] is None else bool(r["stamped"]),
            )
            for r in rows
        )

    async def set_receipt_amount(self, lpj_id: int, evidence_id: int, amount: int) -> None:
        await self._conn.execute(
            "UPDATE lpj_evidence SET amount = ?, stamped = NULL WHERE id = ? AND lpj_id = ? AND kind = 'receipt'",
            (amount, evidence_id, lpj_id),
        )

    async def set_stamped(self, lpj_id: int, evidence_id: int) -> None:
        await self._conn.execute(
            "UPDATE lpj_evidence SET stamped = TRUE WHERE id = ? AND lpj_id = ?", (evidence_id, lpj_id)
        )

    async def remove_evidence(self, lpj_id: int, evidence_id: int) -> str | None:
        """Remove the evidence and the attachment record it points to (refused, or sent by mistake).

        Returns the stored file's path when no other attachment still uses it (the store keys files
        by content: the same photo sent twice is one file), so the caller can delete it after commit.
        """
        rows = await self._conn.execute_fetchall(
            "SELECT e.attachment_id, a.stored_path FROM lpj_evidence e JOIN attachments a ON a.id = e.attachment_id"
            " WHERE e.id = ? AND e.lpj_id = ?",
            (evidence_id, lpj_id),
        )
        if not rows:
            return None
        attachment_id, stored_path = rows[0]
        await self._conn.execute("DELETE FROM lpj_evidence WHERE id = ?", (evidence_id,))
        await self._conn.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))
        unused = await AttachmentRepository(self._conn, self._keys).unused([stored_path] if stored_path else [])
        return unused[0] if unused else None

    # --- what staff see -------------------------------------------------------------------------

    async def totals(self, lpj_id: int, proposal_id: int) -> LpjTotals:
        row = (
            await self._conn.execute_fetchall(
                "SELECT (SELECT count(*) FROM clients WHERE proposal_id = ?) AS clients,"
                " (SELECT coalesce(sum(b.total), 0) FROM budget_lines b JOIN clients c ON c.id = b.client_id"
                "   WHERE c.proposal_id = ?) AS budget,"
                " (SELECT coalesce(sum(amount), 0) FROM lpj_realizations WHERE lpj_id = ?) AS realized,"
                " (SELECT count(*) FROM lpj_evidence WHERE lpj_id = ? AND kind = 'receipt') AS receipts,"
                " (SELECT count(*) FROM lpj_evidence WHERE lpj_id = ? AND kind = 'photo') AS photos,"
                " (SELECT count(*) FROM lpj_evidence WHERE lpj_id = ? AND kind = 'bast') AS bast",
                (proposal_id, proposal_id, lpj_id, lpj_id, lpj_id, lpj_id),
            )
        )[0]
        return LpjTotals(row["clients"], row["budget"], row["realized"], row["receipts"], row["photos"], row["bast"])

    async def card(self, lpj_id: int, chat_id: int) -> int | None:
        rows = await self._conn.execute_fetchall(
            "SELECT message_id FROM lpj_cards WHERE lpj_id = ? AND chat_id = ?", (lpj_id, chat_id)
        )
        return rows[0][0] if rows else None

    async def remember_card(self, lpj_id: int, chat_id: int, message_id: int) -> None:
        await self._conn.execute(
            "INSERT INTO lpj_cards (lpj_id, chat_id, message_id) VALUES (?, ?, ?)"
            " ON CONFLICT (lpj_id, chat_id) DO UPDATE SET message_id = excluded.message_id",
            (lpj_id, chat_id, message_id),
        )

    async def last_change(self, proposal_code: str) -> LastChange | None:
        """The newest audit event of the proposal, with the actor's name."""
        rows = await self._conn.execute_fetchall(
            "SELECT a.at, a.action, a.to_status, p.full_name FROM audit_events a"
            " LEFT JOIN people p ON p.id = a.actor_id"
            " WHERE a.entity = 'proposal' AND a.entity_id = ? AND a.to_status IS NOT NULL"
            " ORDER BY a.id DESC LIMIT 1",
            (proposal_code,),
        )
        if not rows:
            return None
        r = rows[0]
        return LastChange(r["full_name"], from_db_time(r["at"]), r["action"], r["to_status"])

    async def reportable(self, ipwl_ids: Sequence[int], *, limit: int = 20) -> list[tuple[int, str, str]]:
        """Proposals of these IPWL whose LPJ is due or returned: (id, code, status), oldest first."""
        if not ipwl_ids:
            return []
        marks = ",".join("?" for _ in ipwl_ids)
        rows = await self._conn.execute_fetchall(
            f"SELECT id, code, status FROM proposals WHERE ipwl_id IN ({marks})"
            " AND status IN ('paid', 'lpj_returned') ORDER BY lpj_due_on IS NULL, lpj_due_on, id LIMIT ?",
            (*ipwl_ids, limit),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def due_on(self, proposal_id: int) -> dt.date | None:
        rows = await self._conn.execute_fetchall("SELECT lpj_due_on FROM proposals WHERE id = ?", (proposal_id,))
        return from_db_date(rows[0][0]) if rows else None

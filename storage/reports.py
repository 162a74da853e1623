"""The read side of the monthly report and of the exports: SQL aggregates and paged row streams.

A report over a national-scale database takes seconds of SQL. On SQLite the bot's own connection
serializes every unit of work behind one lock, so a report run on it would stall every button press
for that long. :func:`report_reader` reads through ``Database.snapshot()`` instead: a connection of
its own with one consistent snapshot (SQLite in WAL mode; PostgreSQL REPEATABLE READ) while the bot
keeps writing.

The SQL lives in module constants so ``bench/bench_report.py`` can run the very same aggregates
through plain ``sqlite3`` as its baseline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.domain.models import ProposalStatus
from bot.domain.report_figures import (
    LpjRow,
    RefundLine,
    RefundReceipt,
    RegistryRow,
    StageEvent,
    StatusRow,
    TransferRow,
)
from storage.db import Connection, Database, from_db_date, from_db_time, to_db_time
from storage.sealing import SEALED_COLUMNS, MissingKeyring, Sealer

PAGE = 2000

# --- the monthly report's aggregates (parameters: the year, then as named) -----------------------

SQL_REGISTRY = (
    "SELECT i.id, i.code, i.name, i.province_code, i.team_id, i.active, t.code AS team_code, t.name AS team_name"
    " FROM ipwl i LEFT JOIN pic_teams t ON t.id = i.team_id ORDER BY i.code"
)

# A proposal's status at a moment (parameter: the moment as UTC text). A proposal whose status has
# not changed since (status_since before the moment; most of them, and all for the month running)
# stands at its current status: no audit lookup. Otherwise it is the target of its latest status
# change recorded before the moment; rows written before status changes carried their target (no
# such event at all) stand at their current status from their creation on.
_STATUSES = ", ".join(repr(s.value) for s in ProposalStatus)
_STATUS_AT = (
    "CASE WHEN p.status_since < :until AND p.created_at < :until THEN p.status ELSE"
    " coalesce((SELECT a.to_status FROM audit_events a WHERE a.entity = 'proposal' AND a.entity_id = p.code"
    f"   AND a.at < :until AND a.to_status IN ({_STATUSES}) ORDER BY a.at DESC, a.id DESC LIMIT 1),"
    " CASE WHEN p.created_at < :until AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.entity = 'proposal'"
    f"   AND a.entity_id = p.code AND a.to_status IN ({_STATUSES})) THEN p.status END) END"
)

# Per IPWL and status at the moment: proposals, their clients and their budget. Correlated
# sub-queries walk the clients_proposal and budget_lines_client indexes for the year's proposals only.
SQL_PROPOSALS = (
    "SELECT ipwl_id, status, count(*) AS proposals, coalesce(sum(clients), 0), coalesce(sum(budget), 0) FROM ("
    f" SELECT p.ipwl_id, {_STATUS_AT} AS status,"
    " (SELECT count(*) FROM clients c WHERE c.proposal_id = p.id) AS clients,"
    " (SELECT sum(b.total) FROM clients c JOIN budget_lines b ON b.client_id = c.id"
    "   WHERE c.proposal_id = p.id) AS budget"
    " FROM proposals p WHERE p.period_year = :year) AS at_moment"  # (PostgreSQL needs the alias)
    " WHERE status IS NOT NULL GROUP BY ipwl_id, status"
)

# Per IPWL: clients whose transfer stood as sent at the moment, and the amount. A transfer row not
# updated since stands as it is; one updated later stood as its latest "transfer" audit event
# before the moment said (failed, then sent again…).
SQL_TRANSFERS = (
    "SELECT p.ipwl_id, count(*) AS clients, coalesce(sum(t.amount), 0) AS amount"
    " FROM transfers t JOIN clients c ON c.id = t.client_id JOIN proposals p ON p.id = c.proposal_id"
    " WHERE p.period_year = :year AND CASE WHEN t.updated_at < :until THEN t.status ELSE"
    "  (SELECT a.to_status FROM audit_events a WHERE a.entity = 'client' AND a.entity_id = CAST(c.id AS TEXT)"
    "    AND a.action = 'transfer' AND a.at < :until ORDER BY a.at DESC, a.id DESC LIMIT 1) END = 'sent'"
    " GROUP BY p.ipwl_id"
)

# Per IPWL: LPJ submitted by the moment, on time and late; validated by then, with the amounts they
# account for; and filed but not validated by then, with theirs.
_REALIZED = "coalesce((SELECT sum(r.amount) FROM lpj_realizations r WHERE r.lpj_id = l.id), 0)"
_VALIDATED = "(l.validated_at IS NOT NULL AND l.validated_at < :until)"
SQL_LPJ = (
    "SELECT p.ipwl_id, sum(CASE WHEN l.late THEN 0 ELSE 1 END) AS on_time,"
    " sum(CASE WHEN l.late THEN 1 ELSE 0 END) AS late,"
    f" coalesce(sum(CASE WHEN {_VALIDATED} THEN {_REALIZED} END), 0) AS accounted,"
    f" sum(CASE WHEN {_VALIDATED} THEN 1 ELSE 0 END) AS validated,"
    f" sum(CASE WHEN {_VALIDATED} THEN 0 ELSE 1 END) AS filed,"
    f" coalesce(sum(CASE WHEN {_VALIDATED} THEN NULL ELSE {_REALIZED} END), 0) AS filed_amount"
    " FROM lpj l JOIN proposals p ON p.id = l.proposal_id"
    " WHERE coalesce(l.first_submitted_at, l.submitted_at) < :until AND p.period_year = :year GROUP BY p.ipwl_id"
)

# The stage events of the year's proposals up to a moment, proposal by proposal, in time order. The
# order is the audit_entity_at index's own (migration 0004): no sort, no table lookups.
STAGE_ACTIONS = ("submit", "resubmit", "verify", "issue_sk", "record_payment", "submit_lpj")
SQL_STAGE_EVENTS = (
    "SELECT p.ipwl_id, p.id, a.action, a.at FROM audit_events a JOIN proposals p ON p.code = a.entity_id"
    f" WHERE a.entity = 'proposal' AND a.action IN ({', '.join(repr(x) for x in STAGE_ACTIONS)}) AND a.at < ?"
    " AND p.period_year = ? ORDER BY a.entity_id, a.at"
)

# What happened in the month (parameters: start, end as UTC text).
SQL_MONTH_FLOWS = (
    "SELECT action, count(*) FROM audit_events WHERE entity = 'proposal' AND at >= ? AND at < ? GROUP BY action"
)

# The refund cases of the year's proposals opened before the moment (a client paid, then off the
# list by an SK perubahan), with the client's number only; settled_at only when settled by then.
SQL_REFUNDS = (
    "SELECT r.id, p.code, i.code, c.position, x.kind, d.number, r.amount, r.created_at,"
    " CASE WHEN r.settled_at IS NOT NULL AND r.settled_at < :until THEN r.settled_at END"
    " FROM refund_cases r JOIN proposals p ON p.id = r.proposal_id JOIN ipwl i ON i.id = p.ipwl_id"
    " JOIN clients c ON c.id = r.client_id JOIN client_changes x ON x.id = r.change_id"
    " LEFT JOIN decrees d ON d.id = x.amendment_id"
    " WHERE p.period_year = :year AND r.created_at < :until ORDER BY r.created_at, r.id"
)
# … and their receipts recorded before the moment, in the order they were recorded.
SQL_REFUND_RECEIPTS = (
    "SELECT rr.refund_id, rr.received_on, rr.amount, rr.recorded_at, pe.full_name, rr.proof_reference, rr.proof_id"
    " FROM refund_receipts rr JOIN refund_cases r ON r.id = rr.refund_id JOIN proposals p ON p.id = r.proposal_id"
    " LEFT JOIN people pe ON pe.id = rr.recorded_by"
    " WHERE p.period_year = :year AND r.created_at < :until AND rr.recorded_at < :until"
    " ORDER BY rr.refund_id, rr.recorded_at, rr.id"
)

REPORT_QUERIES = {
    "registry": SQL_REGISTRY,
    "proposals": SQL_PROPOSALS,
    "transfers": SQL_TRANSFERS,
    "lpj": SQL_LPJ,
    "stage_events": SQL_STAGE_EVENTS,
    "month_flows": SQL_MONTH_FLOWS,
}

# --- exports: column keys (labels live in bot/files/report_files.py) and their query over [start, end) ---

_BUDGET_OF_PROPOSAL = (
    "(SELECT coalesce(sum(b.total), 0) FROM clients c2 JOIN budget_lines b"
    " ON b.client_id = c2.id WHERE c2.proposal_id = p.id)"
)


@dataclass(frozen=True)
class ExportQuery:
    columns: tuple[str, ...]
    sql: str


EXPORTS: dict[str, ExportQuery] = {
    "proposals": ExportQuery(
        (
            "code",
            "ipwl_code",
            "ipwl_name",
            "province_code",
            "team_code",
            "status",
            "version",
            "period",
            "clients",
            "budget",
            "sk_number",
            "sk_date",
            "lpj_due_on",
            "created_at",
            "submitted_at",
            "status_since",
        ),
        "SELECT p.code, i.code, i.name, i.province_code, t.code, p.status, p.version,"
        " CASE WHEN p.period_year IS NULL THEN NULL ELSE p.period_year || '-' ||"
        "   CASE WHEN p.period_month < 10 THEN '0' ELSE '' END || p.period_month END,"
        " (SELECT count(*) FROM clients c WHERE c.proposal_id = p.id), " + _BUDGET_OF_PROPOSAL + ","
        " d.number, d.issued_on, p.lpj_due_on, p.created_at, p.submitted_at, p.status_since"
        " FROM proposals p JOIN ipwl i ON i.id = p.ipwl_id LEFT JOIN pic_teams t ON t.id = i.team_id"
        " LEFT JOIN decrees d ON d.id = p.decree_id WHERE p.created_at >= ? AND p.created_at < ? ORDER BY p.id",
    ),
    "clients": ExportQuery(
        (
            "code",
            "ipwl_code",
            "status",
            "position",
            "full_name",
            "nik",
            "sex",
            "birth_date",
            "province_code",
            "regency",
            "address",
            "phone",
            "approach",
            "components",
            "budget",
            "assessment",
            "intervention_plan",
            "erased_at",
        ),
        "SELECT p.code, i.code, p.status, c.position, c.full_name, c.nik, c.sex, c.birth_date, c.province_code,"
        " c.regency, c.address, c.phone, c.approach, c.components,"
        " (SELECT coalesce(sum(b.total), 0) FROM budget_lines b WHERE b.client_id = c.id),"
        " c.assessment, c.intervention_plan, c.erased_at"
        " FROM clients c JOIN proposals p ON p.id = c.proposal_id JOIN ipwl i ON i.id = p.ipwl_id"
        " WHERE p.created_at >= ? AND p.created_at < ? ORDER BY p.id, c.position",
    ),
    "payments": ExportQuery(
        (
            "code",
            "ipwl_code",
            "spp_number",
            "spp_date",
            "spm_number",
            "spm_date",
            "position",
            "nik",
            "bank_code",
            "account_number",
            "holder_name",
            "amount",
            "transfer_status",
            "transfer_on",
            "updated_at",
        ),
        "SELECT p.code, i.code, pay.spp_number, pay.spp_date, pay.spm_number, pay.spm_date, c.position, c.nik,"
        " ba.bank_code, ba.account_number, ba.holder_name, t.amount, t.status, t.transfer_on, t.updated_at"
        " FROM transfers t JOIN clients c ON c.id = t.client_id JOIN proposals p ON p.id = c.proposal_id"
        " JOIN ipwl i ON i.id = p.ipwl_id LEFT JOIN payments pay ON pay.proposal_id = p.id"
        " LEFT JOIN bank_accounts ba ON ba.client_id = c.id"
        " WHERE t.updated_at >= ? AND t.updated_at < ? ORDER BY p.id, c.position",
    ),
    "lpj": ExportQuery(
        ("code", "ipwl_code", "status", "lpj_version", "submitted_at", "lpj_due_on", "late", "budget", "accounted"),
        "SELECT p.code, i.code, p.status, l.version, l.submitted_at, p.lpj_due_on, l.late, "
        + _BUDGET_OF_PROPOSAL
        + ", (SELECT coalesce(sum(r.amount), 0) FROM lpj_realizations r WHERE r.lpj_id = l.id)"
        " FROM lpj l JOIN proposals p ON p.id = l.proposal_id JOIN ipwl i ON i.id = p.ipwl_id"
        " WHERE l.submitted_at >= ? AND l.submitted_at < ? ORDER BY l.submitted_at, p.id",
    ),
    "audit": ExportQuery(
        ("at", "actor", "actor_role", "entity", "entity_id", "action", "from_status", "to_status", "reason"),
        "SELECT a.at, pe.full_name, a.actor_role, a.entity, a.entity_id, a.action, a.from_status, a.to_status,"
        " a.reason FROM audit_events a LEFT JOIN people pe ON pe.id = a.actor_id"
        " WHERE a.at >= ? AND a.at < ? ORDER BY a.id",
    ),
}


# The detail sheets of an export, after its first: (sheet key, query over the same range); the
# sheets' titles live with the other labels (bot/files/report_files.py DETAIL_SHEETS).
# The LPJ export's detail is what an inspector checks an LPJ against: each receipt (amount, meterai,
# file) and each client's realization against the RAB.
EXPORT_DETAILS: dict[str, tuple[tuple[str, ExportQuery], ...]] = {
    "lpj": (
        (
            "receipts",
            ExportQuery(
                ("code", "ipwl_code", "receipt", "file_name", "amount", "stamped", "created_at"),
                "SELECT p.code, i.code, e.id, a.file_name, e.amount, e.stamped, e.created_at FROM lpj_evidence e"
                " JOIN lpj l ON l.id = e.lpj_id JOIN proposals p ON p.id = l.proposal_id"
                " JOIN ipwl i ON i.id = p.ipwl_id"
                " JOIN attachments a ON a.id = e.attachment_id"
                " WHERE e.kind = 'receipt' AND l.submitted_at >= ? AND l.submitted_at < ? ORDER BY p.id, e.id",
            ),
        ),
        (
            "realization",
            ExportQuery(
                ("code", "ipwl_code", "position", "client_budget", "realized", "difference"),
                "SELECT code, ipwl, position, budget, realized, budget - realized FROM ("
                " SELECT p.id AS pid, p.code AS code, i.code AS ipwl, c.position AS position,"
                " (SELECT coalesce(sum(b.total), 0) FROM budget_lines b WHERE b.client_id = c.id) AS budget,"
                " (SELECT coalesce(sum(r.amount), 0) FROM lpj_realizations r"
                "   JOIN budget_lines b ON b.id = r.budget_line_id"
                "   WHERE r.lpj_id = l.id AND b.client_id = c.id) AS realized"
                " FROM lpj l JOIN proposals p ON p.id = l.proposal_id JOIN ipwl i ON i.id = p.ipwl_id"
                " JOIN clients c ON c.proposal_id = p.id"
                " WHERE l.submitted_at >= ? AND l.submitted_at < ?) AS per_client"
                " ORDER BY pid, position",
            ),
        ),
    ),
}


# Export columns holding sealed values: the column key → the (table, column) it was sealed for.
_SEALED_EXPORT_COLUMNS = {
    column: (table, column) for table in ("clients", "bank_accounts") for column in SEALED_COLUMNS[table]
} | {"file_name": ("attachments", "file_name")}


class ReportReader:
    """Aggregates and row streams over one consistent snapshot of the database."""

    def __init__(self, conn: Connection, keys: Sealer | None = None) -> None:
        self._conn = conn
        self._keys: Sealer = keys if keys is not None else MissingKeyring()

    async def registry(self) -> list[RegistryRow]:
        rows = await self._conn.execute_fetchall(SQL_REGISTRY)
        return [RegistryRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows]

    async def proposals(self, year: int, until: dt.datetime) -> list[StatusRow]:
        """The year's proposals by IPWL and by the status they had at ``until``."""
        rows = await self._conn.execute_fetchall(SQL_PROPOSALS, {"year": year, "until": to_db_time(until)})
        return [StatusRow(*r) for r in rows]

    async def transfers(self, year: int, until: dt.datetime) -> list[TransferRow]:
        rows = await self._conn.execute_fetchall(SQL_TRANSFERS, {"year": year, "until": to_db_time(until)})
        return [TransferRow(*r) for r in rows]

    async def lpj(self, year: int, until: dt.datetime) -> list[LpjRow]:
        rows = await self._conn.execute_fetchall(SQL_LPJ, {"year": year, "until": to_db_time(until)})
        return [LpjRow(*r) for r in rows]

    async def stage_events(self, year: int, until: dt.datetime) -> AsyncIterator[list[StageEvent]]:
        """The year's stage events before ``until``, in pages (a proposal's events in time order)."""
        async for page in self._conn.stream(SQL_STAGE_EVENTS, (to_db_time(until), year), page=PAGE):
            yield [StageEvent(*r) for r in page]

    async def month_flows(self, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
        rows = await self._conn.execute_fetchall(SQL_MONTH_FLOWS, (to_db_time(start), to_db_time(end)))
        return {r[0]: r[1] for r in rows}

    async def refunds(self, year: int, until: dt.datetime) -> list[RefundLine]:
        """The year's refund cases opened before ``until``, each with its receipts recorded by then."""
        params = {"year": year, "until": to_db_time(until)}
        receipts: dict[int, list[RefundReceipt]] = {}
        for r in await self._conn.execute_fetchall(SQL_REFUND_RECEIPTS, params):
            receipts.setdefault(r[0], []).append(
                RefundReceipt(
                    received_on=from_db_date(r[1]),
                    amount=int(r[2]),
                    recorded_at=from_db_time(r[3]),
                    recorded_by=r[4],
                    reference=r[5],
                    proof_id=r[6],
                )
            )
        return [
            RefundLine(
                id=r[0],
                proposal_code=r[1],
                ipwl_code=r[2],
                position=r[3],
                kind=r[4],
                amendment_number=r[5],
                amount=int(r[6]),
                opened_at=from_db_time(r[7]),
                settled_at=from_db_time(r[8]),
                receipts=tuple(receipts.get(r[0], ())),
            )
            for r in await self._conn.execute_fetchall(SQL_REFUNDS, params)
        ]

    async def export_rows(
        self, kind: str, start: dt.datetime, end: dt.datetime, query: ExportQuery | None = None
    ) -> AsyncIterator[Sequence[tuple]]:
        """The rows of one export (or of one of its detail sheets) over [start, end), in pages."""
        query = query or EXPORTS[kind]
        sealed = [
            (index, *_SEALED_EXPORT_COLUMNS[name])
            for index, name in enumerate(query.columns)
            if name in _SEALED_EXPORT_COLUMNS
        ]
        async for page in self._conn.stream(query.sql, (to_db_time(start), to_db_time(end)), page=PAGE):
            if not sealed:
                yield [tuple(r) for r in page]
                continue
            rows = []
            for r in page:
                values = list(r)
                for index, table, column in sealed:
                    values[index] = self._keys.open(values[index], table, column)
                rows.append(tuple(values))
            yield rows


@asynccontextmanager
async def report_reader(db: Database) -> AsyncIterator[ReportReader]:
    """A :class:`ReportReader` on its own connection and read transaction (see the module doc)."""
    async with db.snapshot() as conn:
        yield ReportReader(conn, getattr(db, "keys", None))


@dataclass(frozen=True)
class KeptReport:
    """A month's report as it was sent on schedule."""

    period: str
    sent_at: dt.datetime
    report: str | None  # the figures as JSON (None for a run kept before figures were)
    late: bool


class ReportRunRepository:
    """Which months' reports went out on schedule, and what they said."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def done(self, period: str) -> bool:
        rows = await self._conn.execute_fetchall("SELECT 1 FROM report_runs WHERE period = ?", (period,))
        return bool(rows)

    async def kept(self, period: str) -> KeptReport | None:
        rows = await self._conn.execute_fetchall(
            "SELECT period, ran_at, report, late FROM report_runs WHERE period = ?", (period,)
        )
        if not rows:
            return None
        sent_at = from_db_time(rows[0][1])
        assert sent_at is not None
        return KeptReport(rows[0][0], sent_at, rows[0][2], bool(rows[0][3]))

    async def claim(self, period: str, now: dt.datetime, *, report: str | None = None, late: bool = False) -> bool:
        """Record the run with the figures it sends; False when another run (or instance) already did."""
        cursor = await self._conn.execute(
            "INSERT INTO report_runs (period, ran_at, report, late) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (period) DO NOTHING",
            (period, to_db_time(now), report, int(late)),
        )
        return cursor.rowcount == 1

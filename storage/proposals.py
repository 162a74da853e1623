"""Proposals: the lifecycle record, its versions and the summaries operators and staff read."""

from __future__ import annotations

import datetime as dt

from bot.domain.models import (
    CLIENT_DETAILS,
    Approach,
    Attachment,
    BudgetLine,
    Client,
    Component,
    Proposal,
    ProposalStatus,
    ReturnReason,
    Sex,
)
from bot.domain.records import ProposalSummary
from storage.client_changes import LEFT_LIST
from storage.db import Connection, Row, from_db_date, from_db_time, to_db_time
from storage.sealing import SEALED_COLUMNS, Sealer


def _proposal(row: Row) -> Proposal:
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


# A client still on their proposal's list: no approved SK perubahan took them off (dropped out,
# died, moved).
_ON_LIST = "NOT " + LEFT_LIST.format(client="c.id")


class ProposalRepository:
    def __init__(self, conn: Connection, keys: Sealer) -> None:
        self._conn = conn
        self._keys = keys

    async def lock(self, proposal_id: int) -> None:
        """Hold the proposal's row until the transaction ends: a person's conversation on it (the
        draft's or the LPJ's cursor, its clients' positions) is read, checked and written by one
        transaction at a time — a double tap or two phones wait their turn and see the first's result."""
        await self._conn.lock_row("proposals", proposal_id)

    async def by_code(self, code: str) -> Proposal | None:
        rows = await self._conn.execute_fetchall(f"{_SELECT} WHERE p.code = ?", (code.upper(),))
        return _proposal(rows[0]) if rows else None

    async def by_id(self, proposal_id: int) -> Proposal | None:
        rows = await self._conn.execute_fetchall(f"{_SELECT} WHERE p.id = ?", (proposal_id,))
        return _proposal(rows[0]) if rows else None

    async def draft_of(self, ipwl_id: int) -> Proposal | None:
        """The IPWL's open draft, if any (an IPWL works on one draft at a time)."""
        rows = await self._conn.execute_fetchall(
            f"{_SELECT} WHERE p.ipwl_id = ? AND p.status = 'draft' ORDER BY p.id DESC LIMIT 1",
            (ipwl_id,),
        )
        return _proposal(rows[0]) if rows else None

    async def create_draft(self, ipwl_id: int, created_by: int, now: dt.datetime) -> Proposal:
        stamp = to_db_time(now)
        year = now.year
        rows = await self._conn.execute_fetchall(
            "INSERT INTO proposal_numbers (year, last_number) VALUES (?, 1)"
            " ON CONFLICT (year) DO UPDATE SET last_number = proposal_numbers.last_number + 1"
            " RETURNING last_number",
            (year,),
        )
        code = f"USL-{year}-{rows[0][0]:04d}"
        proposal_id = await self._conn.fetchval(
            "INSERT INTO proposals (code, ipwl_id, status, version, created_by, created_at, updated_at,"
            " status_since) VALUES (?, ?, 'draft', 1, ?, ?, ?, ?) RETURNING id",
            (code, ipwl_id, created_by, stamp, stamp, stamp),
        )
        proposal = await self.by_id(proposal_id)
        assert proposal is not None
        return proposal

    async def set_period(self, proposal_id: int, year: int, month: int, now: dt.datetime) -> None:
        await self._conn.execute(
            "UPDATE proposals SET period_year = ?, period_month = ?, updated_at = ? WHERE id = ?",
            (year, month, to_db_time(now), proposal_id),
        )

    async def set_cursor(self, proposal_id: int, cursor: str | None, now: dt.datetime) -> None:
        await self._conn.execute(
            "UPDATE proposals SET draft_cursor = ?, updated_at = ? WHERE id = ?",
            (self._keys.seal(cursor, "proposals", "draft_cursor"), to_db_time(now), proposal_id),
        )

    async def cursor_of(self, proposal_id: int) -> str | None:
        rows = await self._conn.execute_fetchall("SELECT draft_cursor FROM proposals WHERE id = ?", (proposal_id,))
        return self._keys.open(rows[0][0], "proposals", "draft_cursor") if rows else None

    async def move(
        self,
        proposal_id: int,
        *,
        frm: ProposalStatus,
        to: ProposalStatus,
        now: dt.datetime,
        **fields: object,
    ) -> bool:
        """Compare-and-set the status: True only for the one caller that found it in ``frm``."""
        allowed = {
            "claimed_by",
            "verified_by",
            "validated_by",
            "lpj_verified_by",
            "decree_id",
            "lpj_due_on",
            "version",
            "submitted_at",
            "draft_cursor",
        }
        if set(fields) - allowed:
            raise ValueError(f"bad proposal fields: {sorted(set(fields) - allowed)}")
        stamp = to_db_time(now)
        if fields.get("draft_cursor") is not None:
            fields["draft_cursor"] = self._keys.seal(str(fields["draft_cursor"]), "proposals", "draft_cursor")
        values = [
            v.isoformat()
            if isinstance(v, dt.date) and not isinstance(v, dt.datetime)
            else to_db_time(v)
            if isinstance(v, dt.datetime)
            else v
            for v in fields.values()
        ]
        extra = "".join(f", {name} = ?" for name in fields)
        cursor = await self._conn.execute(
            f"UPDATE proposals SET status = ?, status_since = ?, updated_at = ?{extra} WHERE id = ? AND status = ?",
            [to.value, stamp, stamp, *values, proposal_id, frm.value],
        )
        return cursor.rowcount == 1

    async def save_version(self, proposal_id: int, version: int, snapshot: str, by: int, now: dt.datetime) -> None:
        await self._conn.execute(
            "INSERT INTO proposal_versions (proposal_id, version, snapshot, submitted_by, submitted_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (proposal_id, version, self._keys.seal(snapshot, "proposal_versions", "snapshot"), by, to_db_time(now)),
        )

    async def version_snapshot(self, proposal_id: int, version: int) -> str | None:
        rows = await self._conn.execute_fetchall(
            "SELECT snapshot FROM proposal_versions WHERE proposal_id = ? AND version = ?",
            (proposal_id, version),
        )
        return self._keys.open(rows[0][0], "proposal_versions", "snapshot") if rows else None

    async def add_return_reason(
        self,
        proposal_id: int,
        version: int,
        stage: str,
        reason: str,
        *,
        by: int,
        now: dt.datetime,
        client_id: int | None = None,
        field: str | None = None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO return_reasons (proposal_id, version, stage, client_id, field, reason,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (proposal_id, version, stage, client_id, field, reason, by, to_db_time(now)),
        )

    async def return_reasons(self, proposal_id: int, version: int) -> list[ReturnReason]:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM return_reasons WHERE proposal_id = ? AND version = ? ORDER BY id",
            (proposal_id, version),
        )
        return [ReturnReason(r["version"], r["stage"], r["reason"], r["client_id"], r["field"]) for r in rows]

    async def summaries_for_ipwl(self, ipwl_id: int, *, limit: int = 20) -> list[ProposalSummary]:
        """The IPWL's proposals, newest first, with client counts and budget totals (of the clients
        on the list: one an SK perubahan took off no longer counts)."""
        rows = await self._conn.execute_fetchall(
            "SELECT p.id, p.code, p.ipwl_id, p.status, p.version, p.status_since,"
            f" (SELECT count(*) FROM clients c WHERE c.proposal_id = p.id AND {_ON_LIST}) AS clients,"
            " (SELECT coalesce(sum(b.total), 0) FROM budget_lines b JOIN clients c"
            f"   ON c.id = b.client_id WHERE c.proposal_id = p.id AND {_ON_LIST}) AS total"
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
                status_since=from_db_time(r["status_since"]),
                clients=r["clients"],
                total=r["total"],
            )
            for r in rows
        ]


def _budget_line(row: Row) -> BudgetLine:
    return BudgetLine(
        row["id"], row["client_id"], Component(row["component"]), row["description"], row["quantity"], row["unit_cost"]
    )


def _client(row: Row, keys: Sealer, budget: tuple[BudgetLine, ...], flags: tuple[str, ...] = ()) -> Client:
    def plain(column: str) -> str | None:
        return keys.open(row[column], "clients", column)

    def required(column: str) -> str:  # a NOT NULL column
        value: str = keys.open(row[column], "clients", column)
        return value

    return Client(
        id=row["id"],
        proposal_id=row["proposal_id"],
        position=row["position"],
        full_name=required("full_name"),
        nik=required("nik"),
        sex=Sex(row["sex"]) if row["sex"] else None,
        birth_date=from_db_date(plain("birth_date")),
        province_code=row["province_code"],
        regency=row["regency"],
        address=plain("address"),
        phone=plain("phone"),
        approach=Approach(row["approach"]) if row["approach"] else None,
        components=tuple(Component(c) for c in row["components"].split(",") if c),
        assessment=plain("assessment"),
        intervention_plan=plain("intervention_plan"),
        flags=flags,
        budget=budget,
    )


# Client columns a person may edit one at a time (never the ids or the position).
CLIENT_FIELDS = frozenset({*CLIENT_DETAILS, "flags"})


_SEALED_CLIENT = frozenset(SEALED_COLUMNS["clients"])


def _client_value(name: str, value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list, frozenset, set)):
        return ",".join(str(v) for v in value)
    return value


class ClientRepository:
    """Clients of proposals with their budget lines (personal fields sealed, storage/sealing.py)."""

    def __init__(self, conn: Connection, keys: Sealer) -> None:
        self._conn = conn
        self._keys = keys

    def _columns(self, fields: dict[str, object]) -> dict[str, object]:
        """Column values to write for ``fields``: personal ones sealed, the NIK with its blind index."""
        out: dict[str, object] = {}
        for name, value in fields.items():
            stored = _client_value(name, value)
            if name in _SEALED_CLIENT and stored is not None:
                stored = self._keys.seal(str(stored), "clients", name)
            out[name] = stored
        if "nik" in fields:
            out["nik_index"] = self._keys.blind("nik", fields["nik"])  # type: ignore[arg-type]
        return out

    async def of_proposal(self, proposal_id: int) -> list[Client]:
        lines: dict[int, list[BudgetLine]] = {}
        for r in await self._conn.execute_fetchall(
            "SELECT b.* FROM budget_lines b JOIN clients c ON c.id = b.client_id WHERE c.proposal_id = ? ORDER BY b.id",
            (proposal_id,),
        ):
            lines.setdefault(r["client_id"], []).append(_budget_line(r))
        flags: dict[int, list[str]] = {}
        for r in await self._conn.execute_fetchall(
            "SELECT f.client_id, f.flag FROM client_flags f JOIN clients c ON c.id = f.client_id"
            " WHERE c.proposal_id = ? ORDER BY f.client_id, f.flag",
            (proposal_id,),
        ):
            flags.setdefault(r[0], []).append(r[1])
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM clients WHERE proposal_id = ? ORDER BY position", (proposal_id,)
        )
        return [_client(r, self._keys, tuple(lines.get(r["id"], ())), tuple(flags.get(r["id"], ()))) for r in rows]

    async def by_id(self, client_id: int) -> Client | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM clients WHERE id = ?", (client_id,))
        if not rows:
            return None
        budget = await self._conn.execute_fetchall(
            "SELECT * FROM budget_lines WHERE client_id = ? ORDER BY id", (client_id,)
        )
        flags = await self._conn.execute_fetchall(
            "SELECT flag FROM client_flags WHERE client_id = ? ORDER BY flag", (client_id,)
        )
        return _client(
            rows[0],
            self._keys,
            tuple(_budget_line(r) for r in budget),
            tuple(r[0] for r in flags),
        )

    async def _set_flags(self, client_id: int, flags: object) -> None:
        """Replace the client's flags (rows of client_flags, migration 0009)."""
        await self._conn.execute("DELETE FROM client_flags WHERE client_id = ?", (client_id,))
        # ``flags`` comes as one of update()'s keyword values (object): a collection of flag names.
        rows = [(client_id, str(flag)) for flag in sorted(set(flags))]  # type: ignore[call-overload]
        await self._conn.executemany("INSERT INTO client_flags (client_id, flag) VALUES (?, ?)", rows)

    async def add(self, proposal_id: int, full_name: str, nik: str, **fields: object) -> int:
        unknown = set(fields) - CLIENT_FIELDS
        if unknown:
            raise ValueError(f"unknown client fields: {sorted(unknown)}")
        flags = fields.pop("flags", ())
        rows = await self._conn.execute_fetchall(
            "SELECT coalesce(max(position), 0) + 1 FROM clients WHERE proposal_id = ?", (proposal_id,)
        )
        sealed = self._columns({"full_name": full_name, "nik": nik, **fields})
        columns = ["proposal_id", "position", *sealed]
        values = [proposal_id, rows[0][0], *sealed.values()]
        client_id = int(
            await self._conn.fetchval(
                f"INSERT INTO clients ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) RETURNING id",
                values,
            )
        )
        if flags:
            await self._set_flags(client_id, flags)
        return client_id

    async def update(self, client_id: int, **fields: object) -> None:
        unknown = set(fields) - CLIENT_FIELDS
        if unknown or not fields:
            raise ValueError(f"bad client fields: {sorted(unknown)}")
        if "flags" in fields:
            await self._set_flags(client_id, fields.pop("flags"))
            if not fields:
                return
        sealed = self._columns(fields)
        assignments = ", ".join(f"{name} = ?" for name in sealed)
        await self._conn.execute(
            f"UPDATE clients SET {assignments} WHERE id = ?",
            [*sealed.values(), client_id],
        )

    async def remove(self, client_id: int) -> None:
        await self._conn.execute("DELETE FROM clients WHERE id = ?", (client_id,))

    async def add_budget_line(
        self, client_id: int, component: Component, description: str, quantity: int, unit_cost: int
    ) -> int:
        return int(
            await self._conn.fetchval(
                "INSERT INTO budget_lines (client_id, component, description, quantity, unit_cost, total)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (client_id, component.value, description, quantity, unit_cost, quantity * unit_cost),
            )
        )

    async def remove_budget_line(self, line_id: int) -> None:
        await self._conn.execute("DELETE FROM budget_lines WHERE id = ?", (line_id,))

    async def lock_nik(self, nik: str, year: int) -> None:
        """Serialise, per NIK and year, the duplicate-NIK check with the submission that would make
        the NIK visible to it: a check waits for a submission in flight, and sees it once committed."""
        # The lock's name carries the blind index, never the NIK (PostgreSQL may log it).
        await self._conn.lock(f"nik:{year}:{self._keys.blind('nik', nik)}")

    async def nik_in_other_ipwl(self, nik: str, year: int, ipwl_id: int) -> list[tuple[str, str]]:
        """Proposals of *other* IPWL in ``year`` with this NIK (double assistance): (code, ipwl).
        A client who left such a proposal by an SK perubahan (dropped out, died, moved) is no longer
        assisted there and is left out (one who moved is in the receiving IPWL's own proposal) —
        unless they were paid there first: paid is paid, as the re-check holds it
        (bot.domain.double_assistance.classify), so the operator is warned now, not surprised later."""
        rows = await self._conn.execute_fetchall(
            "SELECT p.code, i.code FROM clients c JOIN proposals p ON p.id = c.proposal_id"
            " JOIN ipwl i ON i.id = p.ipwl_id WHERE c.nik_index = ? AND p.period_year = ?"
            " AND p.ipwl_id != ? AND p.status NOT IN ('draft', 'withdrawn', 'rejected')"
            f" AND ({_ON_LIST}"
            " OR EXISTS (SELECT 1 FROM transfers t WHERE t.client_id = c.id AND t.status = 'sent'))",
            (self._keys.blind("nik", nik), year, ipwl_id),
        )
        return [(r[0], r[1]) for r in rows]


class AttachmentRepository:
    def __init__(self, conn: Connection, keys: Sealer) -> None:
        self._conn = conn
        self._keys = keys

    async def unused(self, stored_paths: list[str]) -> list[str]:
        """Those of ``stored_paths`` no attachment record uses any more (the file store keys files
        by content: the same photo sent twice is one file), so they may be deleted after commit."""
        if not stored_paths:
            return []
        marks = ",".join("?" for _ in stored_paths)
        rows = await self._conn.execute_fetchall(
            f"SELECT DISTINCT stored_path FROM attachments WHERE stored_path IN ({marks})", stored_paths
        )
        used = {r[0] for r in rows}
        return sorted({path for path in stored_paths if path not in used})

    async def add(
        self,
        proposal_id: int,
        *,
        client_id: int | None,
        purpose: str,
        telegram_file_id: str,
        file_unique_id: str | None,
        file_name: str | None,
        mime_type: str | None,
        size: int,
        sha256: str,
        stored_path: str | None,
        uploaded_by: int,
        now: dt.datetime,
    ) -> int:
        return int(
            await self._conn.fetchval(
                "INSERT INTO attachments (proposal_id, client_id, purpose, telegram_file_id, file_unique_id,"
                " file_name, mime_type, size, sha256, stored_path, uploaded_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    proposal_id,
                    client_id,
                    purpose,
                    telegram_file_id,
                    file_unique_id,
                    self._keys.seal(file_name, "attachments", "file_name"),
                    mime_type,
                    size,
                    sha256,
                    stored_path,
                    uploaded_by,
                    to_db_time(now),
                ),
            )
        )

    async def of_proposal(self, proposal_id: int) -> list[Attachment]:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM attachments WHERE proposal_id = ? ORDER BY id", (proposal_id,)
        )
        return [
            Attachment(
                r["id"],
                r["proposal_id"],
                r["client_id"],
                r["purpose"],
                r["telegram_file_id"],
                self._keys.open(r["file_name"], "attachments", "file_name"),
                r["mime_type"],
                r["size"],
                r["sha256"],
                r["stored_path"],
            )
            for r in rows
        ]

    async def remove(self, attachment_id: int, proposal_id: int, purpose: str) -> str | None:
        """Remove one attachment of ``proposal_id`` (of that ``purpose``), sent by mistake.

        Returns the stored file's path when no other attachment still uses it (files are kept by
        content), so the caller can delete it after commit; None when nothing else is left to delete.
        """
        rows = await self._conn.execute_fetchall(
            "SELECT stored_path FROM attachments WHERE id = ? AND proposal_id = ? AND purpose = ?",
            (attachment_id, proposal_id, purpose),
        )
        if not rows:
            return None
        stored_path = rows[0][0]
        await self._conn.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))
        unused = await self.unused([stored_path] if stored_path else [])
        return unused[0] if unused else None

"""Complaints (issue 16.5): the complaint, what the officers did, the complainant's files.

``description``, ``complainant`` (JSON: person id, Telegram id, name; NULL for an anonymous
complaint), ``outcome``, the actions' ``text`` and the files' ``file_name`` are sealed
(``storage.sealing.SEALED_COLUMNS``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from storage.db import Connection, Row, from_db_time, to_db_time
from storage.sealing import Sealer


@dataclass(frozen=True)
class ComplaintRow:
    id: int
    ticket: str
    category: str
    anonymous: bool
    source: str
    secret_digest: str | None
    proposal_id: int | None
    proposal_code: str | None
    ipwl_id: int | None
    ipwl_code: str | None
    description: str
    status: str
    submitted_at: dt.datetime
    due_at: dt.datetime
    reminded_at: dt.datetime | None
    escalated_at: dt.datetime | None
    sp4n_reference: str | None
    outcome: str | None
    closed_at: dt.datetime | None
    files: int


@dataclass(frozen=True)
class Complainant:
    person_id: int
    telegram_user_id: int
    name: str


@dataclass(frozen=True)
class ComplaintActionRow:
    kind: str
    text: str
    by_name: str
    at: dt.datetime


@dataclass(frozen=True)
class ComplaintFileRow:
    id: int
    telegram_file_id: str
    is_photo: bool
    mime_type: str | None
    stored_path: str | None


_SELECT = (
    "SELECT c.*, p.code AS proposal_code, i.code AS ipwl_code,"
    " (SELECT count(*) FROM complaint_files f WHERE f.complaint_id = c.id AND f.telegram_file_id <> '') AS file_count"
    " FROM complaints c LEFT JOIN proposals p ON p.id = c.proposal_id LEFT JOIN ipwl i ON i.id = c.ipwl_id"
)


class ComplaintRepository:
    def __init__(self, conn: Connection, keys: Sealer) -> None:
        self._conn = conn
        self._keys = keys

    def _row(self, row: Row) -> ComplaintRow:
        return ComplaintRow(
            id=row["id"],
            ticket=row["ticket"],
            category=row["category"],
            anonymous=bool(row["anonymous"]),
            source=row["source"],
            secret_digest=row["secret_digest"],
            proposal_id=row["proposal_id"],
            proposal_code=row["proposal_code"],
            ipwl_id=row["ipwl_id"],
            ipwl_code=row["ipwl_code"],
            description=self._keys.open(row["description"], "complaints", "description"),
            status=row["status"],
            submitted_at=from_db_time(row["submitted_at"]),
            due_at=from_db_time(row["due_at"]),
            reminded_at=from_db_time(row["reminded_at"]),
            escalated_at=from_db_time(row["escalated_at"]),
            sp4n_reference=row["sp4n_reference"],
            outcome=self._keys.open(row["outcome"], "complaints", "outcome"),
            closed_at=from_db_time(row["closed_at"]),
            files=int(row["file_count"]),
        )

    async def create(
        self,
        *,
        ticket: str,
        category: str,
        complainant: Complainant | None,
        secret_digest: str | None,
        proposal_id: int | None,
        ipwl_id: int | None,
        description: str,
        now: dt.datetime,
        due_at: dt.datetime,
        source: str = "complainant",
    ) -> int | None:
        """A new complaint; None if the ticket is taken (a double tap on Send, or a rare collision)."""
        identity = (
            None
            if complainant is None
            else json.dumps(
                {"person_id": complainant.person_id, "user": complainant.telegram_user_id, "name": complainant.name},
                ensure_ascii=False,
            )
        )
        row = await self._conn.fetchone(
            "INSERT INTO complaints (ticket, category, anonymous, source, complainant, secret_digest, proposal_id,"
            " ipwl_id, description, status, submitted_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)"
            " ON CONFLICT (ticket) DO NOTHING RETURNING id",
            (
                ticket,
                category,
                1 if complainant is None else 0,
                source,
                self._keys.seal(identity, "complaints", "complainant"),
                secret_digest,
                proposal_id,
                ipwl_id,
                self._keys.seal(description, "complaints", "description"),
                to_db_time(now),
                to_db_time(due_at),
            ),
        )
        return None if row is None else int(row[0])

    async def add_file(
        self,
        complaint_id: int,
        *,
        telegram_file_id: str,
        file_name: str | None,
        mime_type: str | None,
        is_photo: bool,
        size: int,
        stored_path: str | None,
        now: dt.datetime,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO complaint_files (complaint_id, telegram_file_id, file_name, mime_type, is_photo, size,"
            " stored_path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                complaint_id,
                telegram_file_id,
                self._keys.seal(file_name, "complaint_files", "file_name"),
                mime_type,
                1 if is_photo else 0,
                size,
                stored_path,
                to_db_time(now),
            ),
        )

    async def by_id(self, complaint_id: int) -> ComplaintRow | None:
        row = await self._conn.fetchone(_SELECT + " WHERE c.id = ?", (complaint_id,))
        return None if row is None else self._row(row)

    async def by_ticket(self, ticket: str) -> ComplaintRow | None:
        row = await self._conn.fetchone(_SELECT + " WHERE c.ticket = ?", (ticket,))
        return None if row is None else self._row(row)

    async def lock(self, complaint_id: int) -> None:
        await self._conn.lock_row("complaints", complaint_id)

    async def complainant(self, complaint_id: int) -> Complainant | None:
        """Who filed a named complaint (None: anonymous, or no such complaint)."""
        row = await self._conn.fetchone("SELECT complainant FROM complaints WHERE id = ?", (complaint_id,))
        if row is None or row[0] is None:
            return None
        data = json.loads(self._keys.open(row[0], "complaints", "complainant"))
        if data.get("erased"):  # (erased after its retention: nobody to tell any more)
            return None
        return Complainant(int(data["person_id"]), int(data["user"]), str(data["name"]))

    async def announce_retention(self, closed_before: dt.datetime, erase_after: dt.datetime) -> list[str]:
        """Closed complaints past their retention, not announced yet: announced now (compare-and-set:
        two runs at once announce each once). Their tickets."""
        rows = await self._conn.execute_fetchall(
            "UPDATE complaints SET erase_after = ? WHERE status = 'closed' AND closed_at <= ?"
            " AND erase_after IS NULL AND erased_at IS NULL RETURNING ticket",
            (to_db_time(erase_after), to_db_time(closed_before)),
        )
        return sorted(r[0] for r in rows)

    async def due_for_erasure(self, now: dt.datetime, limit: int) -> list[int]:
        rows = await self._conn.execute_fetchall(
            "SELECT id FROM complaints WHERE erase_after <= ? AND erased_at IS NULL AND status = 'closed'"
            " ORDER BY id LIMIT ?",
            (to_db_time(now), limit),
        )
        return [r[0] for r in rows]

    async def erase(self, complaint_id: int, now: dt.datetime) -> list[str] | None:
        """Erase a closed complaint's personal data: the complainant's identity (a named complaint
        keeps only that it was named), the description, the outcome, the officers' notes, the
        files' names and Telegram ids. None if erased already (compare-and-set); else the stored
        files no other record uses, to delete once committed."""
        cursor = await self._conn.execute(
            "UPDATE complaints SET erased_at = ?, description = ?, outcome = NULL,"
            " complainant = CASE WHEN complainant IS NULL THEN NULL ELSE ? END"
            " WHERE id = ? AND erased_at IS NULL AND status = 'closed'",
            (
                to_db_time(now),
                self._keys.seal("", "complaints", "description"),
                self._keys.seal(json.dumps({"erased": True}), "complaints", "complainant"),
                complaint_id,
            ),
        )
        if cursor.rowcount != 1:
            return None
        await self._conn.execute(
            "UPDATE complaint_actions SET text = ? WHERE complaint_id = ?",
            (self._keys.seal("", "complaint_actions", "text"), complaint_id),
        )
        paths = [
            r[0]
            for r in await self._conn.execute_fetchall(
                "SELECT stored_path FROM complaint_files WHERE complaint_id = ? AND stored_path IS NOT NULL",
                (complaint_id,),
            )
        ]
        await self._conn.execute(
            "UPDATE complaint_files SET file_name = NULL, telegram_file_id = '', stored_path = NULL"
            " WHERE complaint_id = ?",
            (complaint_id,),
        )
        unused = []
        for path in sorted(set(paths)):  # (the store keeps one file per content: another may use it)
            used = await self._conn.fetchval(
                "SELECT (SELECT count(*) FROM complaint_files WHERE stored_path = ?)"
                " + (SELECT count(*) FROM attachments WHERE stored_path = ?)",
                (path, path),
            )
            if not used:
                unused.append(path)
        return unused

    async def open_ones(self, limit: int = 50) -> list[ComplaintRow]:
        """Complaints not closed, the nearest deadline first."""
        rows = await self._conn.execute_fetchall(
            _SELECT + " WHERE c.status <> 'closed' ORDER BY c.due_at, c.id LIMIT ?", (limit,)
        )
        return [self._row(r) for r in rows]

    async def recently_closed(self, limit: int = 10) -> list[ComplaintRow]:
        rows = await self._conn.execute_fetchall(
            _SELECT + " WHERE c.status = 'closed' ORDER BY c.closed_at DESC, c.id DESC LIMIT ?", (limit,)
        )
        return [self._row(r) for r in rows]

    async def counts(self, now: dt.datetime) -> tuple[int, int]:
        """(complaints not closed, of which unanswered past their deadline)."""
        row = await self._conn.fetchone(
            "SELECT count(*), coalesce(sum(CASE WHEN status = 'open' AND due_at <= ? THEN 1 ELSE 0 END), 0)"
            " FROM complaints WHERE status <> 'closed'",
            (to_db_time(now),),
        )
        assert row is not None
        return int(row[0]), int(row[1])

    async def unanswered(self, limit: int = 200) -> list[ComplaintRow]:
        """Open complaints (no action yet) not yet escalated: candidates for a reminder or escalation."""
        rows = await self._conn.execute_fetchall(
            _SELECT + " WHERE c.status = 'open' AND c.escalated_at IS NULL ORDER BY c.due_at LIMIT ?", (limit,)
        )
        return [self._row(r) for r in rows]

    async def mark_reminded(self, complaint_id: int, now: dt.datetime) -> bool:
        cursor = await self._conn.execute(
            "UPDATE complaints SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL AND status = 'open'",
            (to_db_time(now), complaint_id),
        )
        return cursor.rowcount == 1

    async def mark_escalated(self, complaint_id: int, now: dt.datetime) -> bool:
        cursor = await self._conn.execute(
            "UPDATE complaints SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL AND status = 'open'",
            (to_db_time(now), complaint_id),
        )
        return cursor.rowcount == 1

    async def add_action(self, complaint_id: int, kind: str, text: str, by: int, now: dt.datetime) -> None:
        await self._conn.execute(
            "INSERT INTO complaint_actions (complaint_id, kind, text, by_person, at) VALUES (?, ?, ?, ?, ?)",
            (complaint_id, kind, self._keys.seal(text, "complaint_actions", "text"), by, to_db_time(now)),
        )

    async def start_handling(self, complaint_id: int) -> bool:
        """open → in_progress (compare-and-set): the first recorded action answers the complaint."""
        cursor = await self._conn.execute(
            "UPDATE complaints SET status = 'in_progress' WHERE id = ? AND status = 'open'", (complaint_id,)
        )
        return cursor.rowcount == 1

    async def set_sp4n(self, complaint_id: int, reference: str) -> bool:
        cursor = await self._conn.execute(
            "UPDATE complaints SET sp4n_reference = ? WHERE id = ? AND status <> 'closed'", (reference, complaint_id)
        )
        return cursor.rowcount == 1

    async def close(self, complaint_id: int, outcome: str, by: int, now: dt.datetime) -> bool:
        """Close with the outcome (compare-and-set: only the first close counts)."""
        cursor = await self._conn.execute(
            "UPDATE complaints SET status = 'closed', outcome = ?, closed_at = ?, closed_by = ?"
            " WHERE id = ? AND status <> 'closed'",
            (self._keys.seal(outcome, "complaints", "outcome"), to_db_time(now), by, complaint_id),
        )
        return cursor.rowcount == 1

    async def actions(self, complaint_id: int) -> list[ComplaintActionRow]:
        rows = await self._conn.execute_fetchall(
            "SELECT a.kind, a.text, a.at, p.full_name FROM complaint_actions a JOIN people p ON p.id = a.by_person"
            " WHERE a.complaint_id = ? ORDER BY a.at, a.id",
            (complaint_id,),
        )
        return [
            ComplaintActionRow(
                r["kind"],
                self._keys.open(r["text"], "complaint_actions", "text"),
                r["full_name"],
                from_db_time(r["at"]),
            )
            for r in rows
        ]

    async def files(self, complaint_id: int) -> list[ComplaintFileRow]:
        rows = await self._conn.execute_fetchall(
            "SELECT id, telegram_file_id, is_photo, mime_type, stored_path FROM complaint_files"
            " WHERE complaint_id = ? AND telegram_file_id <> '' ORDER BY id",  # (not one erased by retention)
            (complaint_id,),
        )
        return [
            ComplaintFileRow(r["id"], r["telegram_file_id"], bool(r["is_photo"]), r["mime_type"], r["stored_path"])
            for r in rows
        ]

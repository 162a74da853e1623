"""What the centre's admins read and change from chat: the registry, people and their grants,
broadcasts, a proposal's history, and one client's personal data (export and erasure).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bot.domain.models import Ipwl, Person, ProposalStatus, Role
from bot.domain.records import Broadcast, ClientRecord, Delivery, GrantLine, HistoryEntry, PersonLine, Recipient
from storage.db import Connection, Row, from_db_time, to_db_date, to_db_time
from storage.people import _person
from storage.registry import _ipwl
from storage.sealing import BLIND_COLUMNS, SEALED_COLUMNS, Sealer

# Registry columns an admin may change one at a time (never the id, the code or timestamps).
IPWL_FIELDS = frozenset(
    {"name", "province_code", "regency", "address", "pks_number", "pks_valid_from", "pks_valid_until", "team_id"}
)


def _broadcast(row: Row) -> Broadcast:
    return Broadcast(
        row["id"],
        row["created_by"],
        row["audience"],
        row["audience_ref"],
        row["body"],
        row["status"],
        row["recipients"],
        from_db_time(row["created_at"]),
    )


def _client_record(row: Row) -> ClientRecord:
    """One client's record in a proposal, from a row of clients joined with its proposal (``code``,
    ``status``, ``status_since``) and the proposal's IPWL (``ipwl``)."""
    return ClientRecord(
        row["id"],
        row["proposal_id"],
        row["code"],
        ProposalStatus(row["status"]),
        from_db_time(row["status_since"]),
        row["ipwl"],
        row["position"],
        row["erased_at"] is not None,
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class AdminRepository:
    """The registry and the people in it, as the admin screens need them."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # --- IPWL ----------------------------------------------------------------------------------

    async def ipwl_page(
        self, *, text: str = "", province_codes: Sequence[str] = (), offset: int = 0, limit: int = 10
    ) -> tuple[list[Ipwl], int]:
        """IPWL matching ``text`` (code, name, regency) or one of ``province_codes``; with the total."""
        clauses: list[str] = []
        params: list[object] = []
        if text:
            clauses.append(
                "lower(code) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\' OR lower(regency) LIKE ? ESCAPE '\\'"
            )
            params += [_like(text)] * 3
        if province_codes:
            clauses.append(f"province_code IN ({','.join('?' for _ in province_codes)})")
            params += list(province_codes)
        where = " OR ".join(clauses) if clauses else "1 = 1"
        total = (await self._conn.execute_fetchall(f"SELECT count(*) FROM ipwl WHERE {where}", params))[0][0]
        rows = await self._conn.execute_fetchall(
            f"SELECT * FROM ipwl WHERE {where} ORDER BY code LIMIT ? OFFSET ?", [*params, limit, offset]
        )
        return [_ipwl(r) for r in rows], total

    async def update_ipwl(self, ipwl_id: int, now: dt.datetime, **fields: object) -> None:
        unknown = set(fields) - IPWL_FIELDS
        if unknown or not fields:
            raise ValueError(f"bad IPWL fields: {sorted(unknown)}")
        values = [to_db_date(v) if isinstance(v, dt.date) else v for v in fields.values()]
        assignments = "".join(f", {name} = ?" for name in fields)
        await self._conn.execute(
            f"UPDATE ipwl SET updated_at = ?{assignments} WHERE id = ?", [to_db_time(now), *values, ipwl_id]
        )

    async def ipwl_facts(self, ipwl_id: int, open_statuses: Sequence[ProposalStatus]) -> tuple[int, int]:
        """(active operators, open proposals) of one IPWL."""
        operators = await self._conn.execute_fetchall(
            "SELECT count(DISTINCT g.person_id) FROM grants g JOIN people p ON p.id = g.person_id"
            " WHERE g.role = 'operator' AND g.ipwl_id = ? AND g.revoked_at IS NULL AND p.revoked_at IS NULL",
            (ipwl_id,),
        )
        marks = ",".join("?" for _ in open_statuses)
        proposals = await self._conn.execute_fetchall(
            f"SELECT count(*) FROM proposals WHERE ipwl_id = ? AND status IN ({marks})",
            [ipwl_id, *(s.value for s in open_statuses)],
        )
        return operators[0][0], proposals[0][0]

    async def ipwl_of_team(self, team_id: int) -> list[Ipwl]:
        rows = await self._conn.execute_fetchall("SELECT * FROM ipwl WHERE team_id = ? ORDER BY code", (team_id,))
        return [_ipwl(r) for r in rows]

    async def provinces_in_use(self) -> list[str]:
        rows = await self._conn.execute_fetchall("SELECT DISTINCT province_code FROM ipwl ORDER BY province_code")
        return [r[0] for r in rows]

    # --- teams and people ------------------------------------------------------------------------

    async def team_members(self, team_id: int) -> list[Person]:
        rows = await self._conn.execute_fetchall(
            "SELECT DISTINCT p.* FROM people p JOIN grants g ON g.person_id = p.id WHERE g.role = 'pic'"
            " AND g.team_id = ? AND g.revoked_at IS NULL AND p.revoked_at IS NULL ORDER BY p.full_name",
            (team_id,),
        )
        return [_person(r) for r in rows]

    async def member_counts(self) -> dict[int, int]:
        rows = await self._conn.execute_fetchall(
            "SELECT g.team_id, count(DISTINCT g.person_id) FROM grants g JOIN people p ON p.id = g.person_id"
            " WHERE g.role = 'pic' AND g.revoked_at IS NULL AND p.revoked_at IS NULL GROUP BY g.team_id"
        )
        return {r[0]: r[1] for r in rows}

    async def people_page(self, *, text: str = "", offset: int = 0, limit: int = 10) -> tuple[list[PersonLine], int]:
        """People (newest first) whose name matches ``text``, with their active roles; and the total."""
        where, params = ("lower(p.full_name) LIKE ? ESCAPE '\\'", [_like(text)]) if text else ("1 = 1", [])
        total = (await self._conn.execute_fetchall(f"SELECT count(*) FROM people p WHERE {where}", params))[0][0]
        rows = await self._conn.execute_fetchall(
            f"SELECT p.* FROM people p WHERE {where} ORDER BY p.id DESC LIMIT ? OFFSET ?", [*params, limit, offset]
        )
        people = [_person(r) for r in rows]
        roles: dict[int, set[Role]] = {p.id: set() for p in people}
        if people:
            marks = ",".join("?" for _ in people)
            for person_id, role in await self._conn.execute_fetchall(
                f"SELECT person_id, role FROM grants WHERE revoked_at IS NULL AND person_id IN ({marks})",
                [p.id for p in people],
            ):
                roles[person_id].add(Role(role))
        order = list(Role)
        return [PersonLine(p, tuple(sorted(roles[p.id], key=order.index))) for p in people], total

    async def grants_of(self, person_id: int) -> list[GrantLine]:
        """Every grant the person ever held, active first, with the IPWL or team code."""
        rows = await self._conn.execute_fetchall(
            "SELECT g.id, g.role, g.granted_at, g.revoked_at, coalesce(i.code, t.code) AS scope FROM grants g"
            " LEFT JOIN ipwl i ON i.id = g.ipwl_id LEFT JOIN pic_teams t ON t.id = g.team_id"
            " WHERE g.person_id = ? ORDER BY g.revoked_at IS NOT NULL, g.id",
            (person_id,),
        )
        return [
            GrantLine(
                r["id"], Role(r["role"]), r["scope"], from_db_time(r["granted_at"]), from_db_time(r["revoked_at"])
            )
            for r in rows
        ]

    async def grant_owner(self, grant_id: int) -> int | None:
        rows = await self._conn.execute_fetchall("SELECT person_id FROM grants WHERE id = ?", (grant_id,))
        return rows[0][0] if rows else None

    async def revoke_grant(self, grant_id: int, now: dt.datetime) -> bool:
        """Compare-and-set: True only for the call that revoked it."""
        cursor = await self._conn.execute(
            "UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (to_db_time(now), grant_id)
        )
        return cursor.rowcount == 1

    async def revoke_person(self, person_id: int, now: dt.datetime) -> bool:
        cursor = await self._conn.execute(
            "UPDATE people SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (to_db_time(now), person_id)
        )
        return cursor.rowcount == 1

    async def restore_person(self, person_id: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE people SET revoked_at = NULL WHERE id = ? AND revoked_at IS NOT NULL", (person_id,)
        )
        return cursor.rowcount == 1

    async def holders(self, role: Role) -> list[Person]:
        """People who hold ``role`` now (active grant, access not revoked)."""
        rows = await self._conn.execute_fetchall(
            "SELECT DISTINCT p.* FROM people p JOIN grants g ON g.person_id = p.id WHERE g.role = ?"
            " AND g.revoked_at IS NULL AND p.revoked_at IS NULL ORDER BY p.id",
            (role.value,),
        )
        return [_person(r) for r in rows]

    # --- a proposal's history --------------------------------------------------------------------

    async def history(self, proposal_code: str) -> list[HistoryEntry]:
        """Every event about the proposal and about its clients (accounts, transfers, their failures
        and retries, a NIK looked at, consents recorded, corrected, opened or withdrawn, personal
        data exported or erased — an erased client's events name the proposal in their reason), in
        time order."""
        rows = await self._conn.execute_fetchall(
            "SELECT a.*, pe.full_name AS actor_name, c.position AS client_position"
            " FROM audit_events a LEFT JOIN people pe ON pe.id = a.actor_id"
            " LEFT JOIN clients c ON a.entity = 'client'"
            "  AND c.id = CASE WHEN a.entity = 'client' THEN CAST(a.entity_id AS BIGINT) END"
            " WHERE (a.entity = 'proposal' AND a.entity_id = :code)"
            "  OR (a.entity = 'client' AND a.entity_id IN (SELECT CAST(c2.id AS TEXT) FROM clients c2"
            "      JOIN proposals p ON p.id = c2.proposal_id WHERE p.code = :code))"
            "  OR (a.entity = 'client' AND a.action IN ('delete_personal_data', 'anonymize_personal_data',"
            "      'export_personal_data', 'reveal_nik', 'withdraw_consent', 'correct_guardian',"
            "      'open_consent_form') AND a.reason = :code)"
            "  OR (a.entity = 'client' AND a.action = 'record_consent' AND a.reason LIKE :code || ' %')"
            " ORDER BY a.at, a.id",
            {"code": proposal_code},
        )
        return [
            HistoryEntry(
                from_db_time(r["at"]),
                r["actor_name"],
                r["actor_role"],
                r["action"],
                r["from_status"],
                r["to_status"],
                r["reason"],
                r["entity"],
                r["client_position"],
            )
            for r in rows
        ]


class BroadcastRepository:
    """Broadcast drafts, their recipients, and how their delivery went."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def create(
        self, created_by: int, audience: str, audience_ref: str | None, body: str, now: dt.datetime
    ) -> int:
        return int(
            await self._conn.fetchval(
                "INSERT INTO broadcasts (created_by, audience, audience_ref, body, created_at) VALUES (?, ?, ?, ?, ?)"
                " RETURNING id",
                (created_by, audience, audience_ref, body, to_db_time(now)),
            )
        )

    async def by_id(self, broadcast_id: int) -> Broadcast | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _broadcast(rows[0]) if rows else None

    async def set_body(self, broadcast_id: int, body: str) -> bool:
        cursor = await self._conn.execute(
            "UPDATE broadcasts SET body = ? WHERE id = ? AND status = 'draft'", (body, broadcast_id)
        )
        return cursor.rowcount == 1

    async def recipients(self, audience: str, audience_ref: str | None) -> list[Recipient]:
        """Operators (active grant, access not revoked) of every IPWL, a province's, or a team's."""
        where = ""
        params: list[str | int | None] = []
        if audience == "province":
            where, params = " AND i.province_code = ?", [audience_ref]
        elif audience == "team":
            where, params = " AND i.team_id = ?", [int(audience_ref or 0)]
        rows = await self._conn.execute_fetchall(
            "SELECT DISTINCT p.id, p.telegram_user_id FROM people p JOIN grants g ON g.person_id = p.id"
            " JOIN ipwl i ON i.id = g.ipwl_id WHERE g.role = 'operator' AND g.revoked_at IS NULL"
            f" AND p.revoked_at IS NULL{where} ORDER BY p.id",
            params,
        )
        return [Recipient(r[0], r[1]) for r in rows]

    async def operator_counts(self) -> tuple[dict[str, int], dict[int, int]]:
        """Reachable operators per province code and per team id."""
        rows = await self._conn.execute_fetchall(
            "SELECT i.province_code, i.team_id, count(DISTINCT p.id) FROM people p JOIN grants g"
            " ON g.person_id = p.id JOIN ipwl i ON i.id = g.ipwl_id WHERE g.role = 'operator'"
            " AND g.revoked_at IS NULL AND p.revoked_at IS NULL GROUP BY i.province_code, i.team_id"
        )
        provinces: dict[str, int] = {}
        teams: dict[int, int] = {}
        for province, team, count in rows:
            provinces[province] = provinces.get(province, 0) + count
            if team is not None:
                teams[team] = teams.get(team, 0) + count
        return provinces, teams

    async def confirm(self, broadcast_id: int, recipients: int, now: dt.datetime) -> bool:
        """draft → sending, once (a double tap on Send queues it once)."""
        cursor = await self._conn.execute(
            "UPDATE broadcasts SET status = 'sending', recipients = ?, sent_at = ? WHERE id = ? AND status = 'draft'",
            (recipients, to_db_time(now), broadcast_id),
        )
        return cursor.rowcount == 1

    async def cancel(self, broadcast_id: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE broadcasts SET status = 'cancelled' WHERE id = ? AND status = 'draft'", (broadcast_id,)
        )
        return cursor.rowcount == 1

    async def sending(self) -> list[Broadcast]:
        rows = await self._conn.execute_fetchall("SELECT * FROM broadcasts WHERE status = 'sending' ORDER BY id")
        return [_broadcast(r) for r in rows]

    async def delivery(self, broadcast_id: int) -> Delivery:
        """Counted from the outbox rows themselves. A 403 is how Telegram says "blocked" or "never
        started"; the sender (handlers/outbox.py) records it as ``Forbidden: …`` in last_error."""
        # A key range instead of LIKE: portable, and it uses the unique index on dedupe_key.
        # ';' sorts right after ':', so [':' … ';') is exactly the keys of this broadcast.
        rows = await self._conn.execute_fetchall(
            "SELECT status, last_error FROM outbox WHERE dedupe_key >= ? AND dedupe_key < ?",
            (f"broadcast:{broadcast_id}:", f"broadcast:{broadcast_id};"),
        )
        counts = {"sent": 0, "blocked": 0, "failed": 0, "pending": 0}
        for status, error in rows:
            if status == "sent":
                counts["sent"] += 1
            elif status == "failed":
                counts["blocked" if (error or "").startswith("Forbidden") else "failed"] += 1
            else:
                counts["pending"] += 1
        return Delivery(**counts)

    async def finish(self, broadcast_id: int, now: dt.datetime) -> bool:
        """sending → done, once (two sweepers never report twice)."""
        cursor = await self._conn.execute(
            "UPDATE broadcasts SET status = 'done', reported_at = ? WHERE id = ? AND status = 'sending'",
            (to_db_time(now), broadcast_id),
        )
        return cursor.rowcount == 1


# Tables holding a client's personal data, with the column that ties a row to the client.
_CLIENT_TABLES = (
    ("budget_lines", "SELECT * FROM budget_lines WHERE client_id = ? ORDER BY id"),
    ("client_flags", "SELECT * FROM client_flags WHERE client_id = ? ORDER BY flag"),
    (
        "consents",
        "SELECT notice_version, recorded_at, guardian_name, guardian_relation, withdrawn_at FROM consents"
        " WHERE client_id = ?",
    ),
    ("bank_accounts", "SELECT * FROM bank_accounts WHERE client_id = ?"),
    ("transfers", "SELECT * FROM transfers WHERE client_id = ?"),
    ("lpj_services", "SELECT * FROM lpj_services WHERE client_id = ? ORDER BY id"),
    (
        "lpj_realizations",
        "SELECT r.* FROM lpj_realizations r JOIN budget_lines b ON b.id = r.budget_line_id"
        " WHERE b.client_id = ? ORDER BY r.id",
    ),
    (
        "attachments",
        "SELECT id, proposal_id, client_id, purpose, file_name, mime_type, size, sha256, created_at"
        " FROM attachments WHERE client_id = ? ORDER BY id",
    ),
    (
        "return_reasons",
        "SELECT id, proposal_id, version, stage, field, reason, created_at FROM return_reasons"
        " WHERE client_id = ? ORDER BY id",
    ),
)


class PersonalDataRepository:
    """Everything held about one client (a data subject's request), and its erasure."""

    def __init__(self, conn: Connection, keys: Sealer) -> None:
        self._conn = conn
        self._keys = keys

    def _plain_row(self, table: str, row: Row) -> dict[str, Any]:
        """A row as the data subject reads it: sealed columns opened, blind indexes left out."""
        found = dict(row)
        for column in SEALED_COLUMNS.get(table, ()):
            if column in found:
                found[column] = self._keys.open(found[column], table, column)
        for (index_table, _), index_column in BLIND_COLUMNS.items():
            if index_table == table:
                found.pop(index_column, None)
        return found

    async def records(self, nik: str) -> list[ClientRecord]:
        rows = await self._conn.execute_fetchall(
            "SELECT c.id, c.proposal_id, c.position, c.erased_at, p.code, p.status, p.status_since, i.code AS ipwl"
            " FROM clients c JOIN proposals p ON p.id = c.proposal_id JOIN ipwl i ON i.id = p.ipwl_id"
            " WHERE c.nik_index = ? ORDER BY p.id",
            (self._keys.blind("nik", nik),),
        )
        return [_client_record(r) for r in rows]

    async def nik_of(self, client_id: int) -> str | None:
        rows = await self._conn.execute_fetchall(
            "SELECT nik FROM clients WHERE id = ? AND erased_at IS NULL", (client_id,)
        )
        return self._keys.open(rows[0][0], "clients", "nik") if rows else None

    async def everything(self, client_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about the client, table by table (attachments: metadata, not file contents)."""
        found: dict[str, list[dict[str, Any]]] = {}
        rows = await self._conn.execute_fetchall("SELECT * FROM clients WHERE id = ?", (client_id,))
        found["clients"] = [self._plain_row("clients", r) for r in rows]
        for table, sql in _CLIENT_TABLES:
            found[table] = [self._plain_row(table, r) for r in await self._conn.execute_fetchall(sql, (client_id,))]
        return found

    async def decrees(self, proposal_id: int) -> list[dict[str, Any]]:
        """The SK of the proposal (none before it is decreed)."""
        rows = await self._conn.execute_fetchall(
            "SELECT p.code AS proposal, d.number, d.issued_on, d.created_at FROM proposals p"
            " JOIN decrees d ON d.id = p.decree_id WHERE p.id = ?",
            (proposal_id,),
        )
        return [dict(r) for r in rows]

    async def audit_events(self, client_id: int, proposal_code: str) -> list[dict[str, Any]]:
        """The audit events about the client and about their proposal, in time order (who acted is
        named by role, not by person, and a proposal event's free-text reason, which may be about
        another client, is left out: the export goes to the data subject)."""
        rows = await self._conn.execute_fetchall(
            "SELECT at, actor_role, entity, action, from_status, to_status,"
            " CASE WHEN entity = 'client' OR action = 'issue_sk' THEN reason END AS reason FROM audit_events"
            " WHERE (entity = 'client' AND entity_id = ?) OR (entity = 'proposal' AND entity_id = ?)"
            " ORDER BY at, id",
            (str(client_id), proposal_code),
        )
        return [dict(r) for r in rows]

    async def snapshots(self, proposal_id: int) -> list[tuple[int, str]]:
        rows = await self._conn.execute_fetchall(
            "SELECT version, snapshot FROM proposal_versions WHERE proposal_id = ? ORDER BY version", (proposal_id,)
        )
        return [(r[0], self._keys.open(r[1], "proposal_versions", "snapshot")) for r in rows]

    async def set_snapshot(self, proposal_id: int, version: int, snapshot: str) -> None:
        await self._conn.execute(
            "UPDATE proposal_versions SET snapshot = ? WHERE proposal_id = ? AND version = ?",
            (self._keys.seal(snapshot, "proposal_versions", "snapshot"), proposal_id, version),
        )

    async def attachment_paths(self, client_id: int) -> list[str]:
        rows = await self._conn.execute_fetchall(
            "SELECT stored_path FROM attachments WHERE client_id = ? AND stored_path IS NOT NULL", (client_id,)
        )
        return [r[0] for r in rows]

    async def lock_client(self, client_id: int) -> None:
        """Hold the client's row until the transaction ends: two admins erasing one record at once
        (PostgreSQL) erase it once — the second waits, then finds it erased — and the erasure
        ledger gets one entry."""
        await self._conn.lock_row("clients", client_id)

    async def anonymize(self, client_id: int, now: dt.datetime) -> bool:
        """Blank every personal field; keep the row (and its amounts) for the program's figures.

        The NIK becomes ``ANON-<id>`` (unique per proposal); province and approach stay, as
        statistics. Compare-and-set on ``erased_at``: True only for the call that erased it.
        """
        cursor = await self._conn.execute(
            "UPDATE clients SET full_name = '-', nik = 'ANON-' || id, nik_index = NULL, sex = NULL, birth_date = NULL,"
            " regency = NULL, address = NULL, phone = NULL, assessment = NULL, intervention_plan = NULL,"
            " erased_at = ? WHERE id = ? AND erased_at IS NULL",
            (to_db_time(now), client_id),
        )
        if cursor.rowcount != 1:
            return False
        await self._conn.execute(
            "UPDATE bank_accounts SET account_number = NULL, account_index = NULL, "
            "holder_name = NULL, passbook_id = NULL,"
            " return_reason = NULL WHERE client_id = ?",
            (client_id,),
        )
        await self._conn.execute("DELETE FROM client_flags WHERE client_id = ?", (client_id,))
        await self._conn.execute(
            "UPDATE consents SET guardian_name = NULL, guardian_relation = NULL,"
            " form_attachment_id = NULL WHERE client_id = ?",
            (client_id,),
        )
        await self._conn.execute("UPDATE transfers SET note = NULL WHERE client_id = ?", (client_id,))
        await self._conn.execute("UPDATE return_reasons SET reason = '-' WHERE client_id = ?", (client_id,))
        # A change after the SK (issue 16.6): the values and reasons typed, and its evidence file.
        await self._conn.execute(
            "UPDATE client_changes SET reason = '-', old_value = NULL, new_value = NULL, decision_reason = NULL,"
            " evidence_id = NULL WHERE client_id = ?",
            (client_id,),
        )
        await self._conn.execute("DELETE FROM attachments WHERE client_id = ?", (client_id,))
        return True

    async def others_hold_data(self, proposal_id: int, client_id: int) -> bool:
        """Whether another client of the proposal still has personal data (not erased)."""
        rows = await self._conn.execute_fetchall(
            "SELECT 1 FROM clients WHERE proposal_id = ? AND id != ? AND erased_at IS NULL LIMIT 1",
            (proposal_id, client_id),
        )
        return bool(rows)

    async def proposal_attachment_paths(self, proposal_id: int) -> list[str]:
        """Stored files attached to the proposal as a whole (not to one client): its assessment,
        letters, LPJ receipts, photos and BAST."""
        rows = await self._conn.execute_fetchall(
            "SELECT stored_path FROM attachments WHERE proposal_id = ? AND client_id IS NULL"
            " AND stored_path IS NOT NULL",
            (proposal_id,),
        )
        return [r[0] for r in rows]

    async def erase_proposal_level(
        self, proposal_id: int, proposal_code: str, free_text_actions: Sequence[str]
    ) -> None:
        """When the proposal's last client with personal data is erased, what is about the
        proposal as a whole is about them: its attachments go (with their Telegram file ids and
        LPJ evidence rows; the realized amounts stay), and the reasons typed on a return or a
        rejection are blanked, in its return reasons and its audit events."""
        await self._conn.execute("DELETE FROM attachments WHERE proposal_id = ? AND client_id IS NULL", (proposal_id,))
        await self._conn.execute("UPDATE return_reasons SET reason = '-' WHERE proposal_id = ?", (proposal_id,))
        marks = ",".join("?" for _ in free_text_actions)
        await self._conn.execute(
            "UPDATE audit_events SET reason = NULL, reason_salt = NULL"
            f" WHERE entity = 'proposal' AND entity_id = ? AND action IN ({marks})",
            (proposal_code, *free_text_actions),
        )

    async def scrub_client_events(self, client_id: int, keep_actions: Sequence[str]) -> None:
        """Blank the reasons of the client's audit events (a typed reason for returning an account
        may name them), except ``keep_actions`` (whose reason is only a proposal code)."""
        marks = ",".join("?" for _ in keep_actions)
        await self._conn.execute(
            "UPDATE audit_events SET reason = NULL, reason_salt = NULL"
            f" WHERE entity = 'client' AND entity_id = ? AND action NOT IN ({marks})",
            (str(client_id), *keep_actions),
        )

    async def by_client(self, client_id: int, proposal_id: int) -> tuple[ClientRecord, str] | None:
        """The record with this id in this proposal, and its NIK (for re-applying an erasure)."""
        rows = await self._conn.execute_fetchall(
            "SELECT c.id, c.proposal_id, c.position, c.erased_at, c.nik, p.code, p.status, p.status_since,"
            " i.code AS ipwl FROM clients c JOIN proposals p ON p.id = c.proposal_id JOIN ipwl i ON i.id = p.ipwl_id"
            " WHERE c.id = ? AND c.proposal_id = ?",
            (client_id, proposal_id),
        )
        if not rows:
            return None
        r = rows[0]
        return _client_record(r), self._keys.open(r["nik"], "clients", "nik")

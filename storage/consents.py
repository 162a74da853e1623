"""Clients' consents (issue 17.6): one row per client, the signed form an attachment of purpose
``consent``. ``guardian_name`` and ``guardian_relation`` are personal data, sealed (blanked at an erasure
with the client's other fields: :meth:`storage.admin.PersonalDataRepository.anonymize`)."""

from __future__ import annotations

import datetime as dt

from bot.domain.models import Consent
from storage.db import Connection, Row, from_db_time, to_db_time
from storage.sealing import Sealer


def _consent(row: Row, keys: Sealer) -> Consent:
    return Consent(
        client_id=row["client_id"],
        proposal_id=row["proposal_id"],
        notice_version=row["notice_version"],
        recorded_by=row["recorded_by"],
        recorded_at=from_db_time(row["recorded_at"]),
        guardian_name=keys.open(row["guardian_name"], "consents", "guardian_name"),
        guardian_relation=keys.open(row["guardian_relation"], "consents", "guardian_relation"),
        form_attachment_id=row["form_attachment_id"],
        withdrawn_at=from_db_time(row["withdrawn_at"]),
        withdrawn_by=row["withdrawn_by"],
    )


class ConsentRepository:
    def __init__(self, conn: Connection, keys: Sealer) -> None:
        self._conn = conn
        self._keys = keys

    async def record(
        self,
        client_id: int,
        proposal_id: int,
        *,
        notice_version: str,
        recorded_by: int,
        now: dt.datetime,
        guardian_name: str | None,
        guardian_relation: str | None,
        form_attachment_id: int,
    ) -> None:
        """The client's consent (again, after a withdrawal: the new one replaces it)."""
        await self._conn.execute(
            "INSERT INTO consents (client_id, proposal_id, notice_version, recorded_by, recorded_at, guardian_name,"
            " guardian_relation, form_attachment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (client_id) DO UPDATE SET notice_version = excluded.notice_version,"
            " recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at,"
            " guardian_name = excluded.guardian_name, guardian_relation = excluded.guardian_relation,"
            " form_attachment_id = excluded.form_attachment_id, withdrawn_at = NULL, withdrawn_by = NULL",
            (
                client_id,
                proposal_id,
                notice_version,
                recorded_by,
                to_db_time(now),
                self._keys.seal(guardian_name, "consents", "guardian_name"),
                self._keys.seal(guardian_relation, "consents", "guardian_relation"),
                form_attachment_id,
            ),
        )

    async def of_proposal(self, proposal_id: int) -> dict[int, Consent]:
        """The consents of the proposal's clients, by client id (withdrawn ones included)."""
        rows = await self._conn.execute_fetchall("SELECT * FROM consents WHERE proposal_id = ?", (proposal_id,))
        return {r["client_id"]: _consent(r, self._keys) for r in rows}

    async def of_client(self, client_id: int) -> Consent | None:
        row = await self._conn.fetchone("SELECT * FROM consents WHERE client_id = ?", (client_id,))
        return None if row is None else _consent(row, self._keys)

    async def withdraw(self, client_id: int, by: int, now: dt.datetime) -> bool:
        """Record the withdrawal (a client with no consent on record — sent before consents were
        asked — gets a row that says only that: no notice version). Compare-and-set: True only for
        the call that withdrew it."""
        cursor = await self._conn.execute(
            "INSERT INTO consents (client_id, proposal_id, notice_version, recorded_by, recorded_at, withdrawn_at,"
            " withdrawn_by) SELECT id, proposal_id, '', ?, ?, ?, ? FROM clients WHERE id = ?"
            " ON CONFLICT (client_id) DO UPDATE SET withdrawn_at = excluded.withdrawn_at,"
            " withdrawn_by = excluded.withdrawn_by WHERE consents.withdrawn_at IS NULL",
            (by, to_db_time(now), to_db_time(now), by, client_id),
        )
        return cursor.rowcount == 1

    async def correct_guardian(self, client_id: int, name: str, relation: str) -> bool:
        """A mistyped guardian corrected on a consent in force (the signed form stays as it is)."""
        cursor = await self._conn.execute(
            "UPDATE consents SET guardian_name = ?, guardian_relation = ? WHERE client_id = ?"
            " AND withdrawn_at IS NULL AND guardian_name IS NOT NULL",
            (
                self._keys.seal(name, "consents", "guardian_name"),
                self._keys.seal(relation, "consents", "guardian_relation"),
                client_id,
            ),
        )
        return cursor.rowcount == 1

    async def withdrawn_pending(self, limit: int = 200) -> list[int]:
        """Clients whose consent was withdrawn and whose data is not erased yet (the erasure rule
        kept it: an open proposal, or a closed one within its retention)."""
        rows = await self._conn.execute_fetchall(
            "SELECT s.client_id FROM consents s JOIN clients c ON c.id = s.client_id"
            " WHERE s.withdrawn_at IS NOT NULL AND c.erased_at IS NULL ORDER BY s.client_id LIMIT ?",
            (limit,),
        )
        return [r[0] for r in rows]

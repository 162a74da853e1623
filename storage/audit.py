"""The audit log: one row per change, written in the transaction of the change, and sealed into
the hash chain (:mod:`storage.audit_chain`) just before that transaction commits."""

from __future__ import annotations

import secrets
from typing import Any

from bot.domain.models import AuditEvent
from storage.audit_chain import CHAIN_LOCK, as_dict, event_hash, reason_digest
from storage.db import Connection, from_db_time, to_db_time

# What sealing an event reads of it (the id, and the columns its seal covers).
_SEALED_READ = "id, at, actor_id, actor_role, entity, entity_id, action, from_status, to_status, reason_digest"


class AuditRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        # This transaction's events, each as stored (what its seal is computed over), by id.
        self._unsealed: dict[int, dict[str, Any]] = {}
        # The events this transaction sealed (for the mirror, written after the commit).
        self.sealed: list[dict[str, Any]] = []

    async def record(self, event: AuditEvent) -> None:
        salt = secrets.token_hex(16) if event.reason is not None else None
        stored = await self._conn.fetchone(
            "INSERT INTO audit_events (at, actor_id, actor_role, entity, entity_id, action,"
            " from_status, to_status, reason, reason_salt, reason_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            f" RETURNING {_SEALED_READ}",
            (
                to_db_time(event.at),
                event.actor_id,
                event.actor_role,
                event.entity,
                event.entity_id,
                event.action,
                event.from_status,
                event.to_status,
                event.reason,
                salt,
                None if salt is None or event.reason is None else reason_digest(salt, event.reason),
            ),
        )
        row = as_dict(stored)
        self._unsealed[int(row["id"])] = row

    async def seal(self) -> None:
        """Put this transaction's events on the chain (called once, just before the commit).

        The chain's lock is taken last and held only until the commit, so appends from two
        transactions are sealed one after the other, each after the other's head. The first seal
        in a database that had events before the chain existed (an upgrade) seals those first."""
        if not self._unsealed:
            return
        await self._conn.lock(CHAIN_LOCK)
        head = await self._conn.fetchone(
            "SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
        )
        if head is None:
            ids = [
                r[0]
                for r in await self._conn.execute_fetchall("SELECT id FROM audit_events WHERE seq IS NULL ORDER BY id")
            ]
        else:
            ids = sorted(self._unsealed)
        seq, prev_hash = (0, "") if head is None else (int(head[0]), head[1])
        for event_id in ids:
            # The row as the INSERT returned it; read back only for events from before the chain.
            row = self._unsealed.get(event_id) or as_dict(
                await self._conn.fetchone(f"SELECT {_SEALED_READ} FROM audit_events WHERE id = ?", (event_id,))
            )
            seq += 1
            row["seq"] = seq
            row["prev_hash"] = prev_hash
            row["hash"] = event_hash(prev_hash, row)
            await self._conn.execute(
                "UPDATE audit_events SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
                (seq, prev_hash, row["hash"], event_id),
            )
            self.sealed.append(row)
            prev_hash = row["hash"]
        self._unsealed.clear()

    async def for_entity(self, entity: str, entity_id: str) -> list[AuditEvent]:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM audit_events WHERE entity = ? AND entity_id = ? ORDER BY id",
            (entity, entity_id),
        )
        return [
            AuditEvent(
                at=from_db_time(r["at"]),
                actor_id=r["actor_id"],
                actor_role=r["actor_role"],
                entity=r["entity"],
                entity_id=r["entity_id"],
                action=r["action"],
                from_status=r["from_status"],
                to_status=r["to_status"],
                reason=r["reason"],
            )
            for r in rows
        ]

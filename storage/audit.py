"""The audit log: one row per change, written in the transaction of the change."""

from __future__ import annotations


from storage.db import Connection, from_db_time, to_db_time
from bot.domain.models import AuditEvent


class AuditRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def record(self, event: AuditEvent) -> None:
        await self._conn.execute(
            "INSERT INTO audit_events (at, actor_id, actor_role, entity, entity_id, action,"
            " from_status, to_status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            ),
        )

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

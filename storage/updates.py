"""Which Telegram updates were already handled (a second delivery of one is ignored)."""

from __future__ import annotations

import datetime as dt

from storage.db import Connection, to_db_time


class ProcessedUpdateRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def first_time(self, update_id: int, now: dt.datetime) -> bool:
        """Record the update; False when it was recorded before (a duplicate delivery)."""
        cursor = await self._conn.execute(
            "INSERT INTO processed_updates (update_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (update_id, to_db_time(now)),
        )
        return cursor.rowcount == 1

    async def latest(self, limit: int) -> list[int]:
        rows = await self._conn.execute_fetchall(
            "SELECT update_id FROM processed_updates ORDER BY update_id DESC LIMIT ?", (limit,)
        )
        return [int(row[0]) for row in reversed(list(rows))]

    async def forget_before(self, moment: dt.datetime) -> int:
        cursor = await self._conn.execute("DELETE FROM processed_updates WHERE at < ?", (to_db_time(moment),))
        return cursor.rowcount

"""The notification outbox: rows written with the change, drained by one sender.

A row is claimed with a lease (compare-and-set on ``claimed_until``) before it is sent, so two
senders — or a sender restarted after a crash — never send the same row twice while the lease
holds; a crash during a send leaves the lease to expire and the row is retried.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from bot.domain.records import NewNotification, OutboxMessage
from storage.db import Connection, to_db_time

OUTBOX_CHANNEL = "atensi_outbox"

# Rows per INSERT: 7 parameters each, far below either engine's bound-parameter limit.
_CHUNK = 500


class OutboxRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        # How many rows this unit of work queued: the storage wakes the sender after commit.
        self.enqueued = 0

    async def enqueue(
        self,
        *,
        dedupe_key: str,
        chat_id: int,
        kind: str,
        params: dict[str, Any],
        now: dt.datetime,
        person_id: int | None = None,
        not_before: dt.datetime | None = None,
    ) -> bool:
        """Queue one notification; a second one with the same key is ignored (False)."""
        note = NewNotification(dedupe_key, chat_id, kind, params, person_id, not_before)
        return await self.enqueue_many([note], now=now) == 1

    async def enqueue_many(self, notes: Iterable[NewNotification], *, now: dt.datetime) -> int:
        """Queue many notifications, hundreds of rows per statement; returns how many were new (keys
        seen before are ignored). Not a round trip each: the reminder engine's first national run
        queues tens of thousands of rows. ``RETURNING`` counts the new rows on both engines (a
        rowcount summed over ``executemany`` is SQLite's alone)."""
        created = to_db_time(now)
        rows = [
            (
                note.dedupe_key,
                note.chat_id,
                note.person_id,
                note.kind,
                json.dumps(note.params, ensure_ascii=False, sort_keys=True),
                to_db_time(note.not_before) if note.not_before else created,
                created,
            )
            for note in notes
        ]
        added = 0
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            inserted = await self._conn.execute_fetchall(
                "INSERT INTO outbox (dedupe_key, chat_id, person_id, kind, params, not_before, created_at)"
                f" VALUES {','.join('(?, ?, ?, ?, ?, ?, ?)' for _ in chunk)}"
                " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                [value for row in chunk for value in row],
            )
            added += len(inserted)
        if added and self._conn.dialect == "postgresql":
            # Wakes the sender of whichever process leads (delivered at commit; repeats coalesce).
            await self._conn.execute(f"NOTIFY {OUTBOX_CHANNEL}")
        self.enqueued += added
        return added

    async def claim_due(self, now: dt.datetime, *, limit: int, lease: dt.timedelta) -> list[OutboxMessage]:
        stamp = to_db_time(now)
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM outbox WHERE status = 'pending' AND not_before <= ?"
            " AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?",
            (stamp, stamp, limit),
        )
        claimed = []
        until = to_db_time(now + lease)
        for row in rows:
            cursor = await self._conn.execute(
                "UPDATE outbox SET claimed_until = ?, attempts = attempts + 1"
                " WHERE id = ? AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?)",
                (until, row["id"], stamp),
            )
            if cursor.rowcount == 1:
                claimed.append(
                    OutboxMessage(
                        id=row["id"],
                        chat_id=row["chat_id"],
                        person_id=row["person_id"],
                        kind=row["kind"],
                        params=json.loads(row["params"]),
                        attempts=row["attempts"] + 1,
                    )
                )
        return claimed

    async def mark_sent(self, message_id: int, telegram_message_id: int | None, now: dt.datetime) -> None:
        await self._conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, sent_message_id = ?, claimed_until = NULL WHERE id = ?",
            (to_db_time(now), telegram_message_id, message_id),
        )

    async def reschedule(self, message_id: int, not_before: dt.datetime, error: str) -> None:
        await self._conn.execute(
            "UPDATE outbox SET not_before = ?, last_error = ?, claimed_until = NULL WHERE id = ?",
            (to_db_time(not_before), error[:200], message_id),
        )

    async def release(self, message_ids: list[int]) -> None:
        """Give claimed rows back (a clean stop): the next sender may take them at once."""
        for message_id in message_ids:
            await self._conn.execute(
                "UPDATE outbox SET claimed_until = NULL WHERE id = ? AND status = 'pending'", (message_id,)
            )

    async def mark_failed(self, message_id: int, error: str) -> None:
        await self._conn.execute(
            "UPDATE outbox SET status = 'failed', last_error = ?, claimed_until = NULL WHERE id = ?",
            (error[:200], message_id),
        )

    async def due_count(self, now: dt.datetime) -> int:
        """Rows a sender could claim now (pending, due, not held under a live lease)."""
        stamp = to_db_time(now)
        rows = await self._conn.execute_fetchall(
            "SELECT count(*) FROM outbox WHERE status = 'pending' AND not_before <= ?"
            " AND (claimed_until IS NULL OR claimed_until < ?)",
            (stamp, stamp),
        )
        return int(rows[0][0])

    async def counts(self) -> dict[str, int]:
        rows = await self._conn.execute_fetchall("SELECT status, count(*) FROM outbox GROUP BY status")
        return {row[0]: row[1] for row in rows}

    async def next_due(self) -> str | None:
        rows = await self._conn.execute_fetchall("SELECT min(not_before) FROM outbox WHERE status = 'pending'")
        return rows[0][0] if rows else None

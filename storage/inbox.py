"""The webhook inbox: updates stored by the intake, handled by workers one chat at a time.

A worker claims rows with a lease (``claimed_until``), never a second update of a chat while one
of it is pending and older, or held under a live lease; on PostgreSQL the claim is ``SELECT … FOR
UPDATE SKIP LOCKED``, so workers claiming at the same moment pass over each other's rows instead of
waiting (SQLite serialises every writer anyway). A claim that is never finished (the worker died)
expires and the row is claimed again; ``attempts`` counts the claims.

A row's payload (the raw update: what people typed, names and NIKs among it) is kept only while
the update is pending: finishing or parking a row blanks it, so an erasure never has a copy to miss
here beyond the updates not handled yet.

On PostgreSQL a stored update is announced with ``NOTIFY atensi_inbox`` (delivered at commit), so
idle workers wake at once instead of at their next poll.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.db import Connection, to_db_time

INBOX_CHANNEL = "atensi_inbox"


@dataclass(frozen=True)
class InboxRow:
    update_id: int
    chat_key: int
    payload: str
    attempts: int  # claims so far, this one included
    processed: bool  # its first write already committed (processed_updates): effects are in


@dataclass(frozen=True)
class InboxStatus:
    pending: int
    parked: int
    oldest_pending_at: str | None
    oldest_pending_id: int | None
    leader: str | None
    leader_since: str | None
    leader_heartbeat_at: str | None


class InboxRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def store(self, update_id: int, chat_key: int, payload: str, now: dt.datetime) -> bool:
        """Keep one update; False when it was stored before (Telegram delivered it again)."""
        rows = await self._conn.execute_fetchall(
            "INSERT INTO inbox (update_id, chat_key, payload, received_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            (update_id, chat_key, payload, to_db_time(now)),
        )
        if rows and self._conn.dialect == "postgresql":
            await self._conn.execute(f"NOTIFY {INBOX_CHANNEL}")
        return bool(rows)

    async def claim(
        self, now: dt.datetime, *, worker: str, limit: int, lease: dt.timedelta, exclude_chats: list[int]
    ) -> list[InboxRow]:
        """Claim up to ``limit`` updates, each the oldest pending one of its chat, of chats with no
        claim alive (and none of ``exclude_chats``, the chats this worker is busy with)."""
        stamp = to_db_time(now)
        skip_locked = " FOR UPDATE SKIP LOCKED" if self._conn.dialect == "postgresql" else ""
        busy = ""
        if exclude_chats:
            busy = f" AND i.chat_key NOT IN ({','.join('?' for _ in exclude_chats)})"
        rows = await self._conn.execute_fetchall(
            "SELECT i.update_id, i.chat_key, i.payload, i.attempts,"
            " EXISTS (SELECT 1 FROM processed_updates p WHERE p.update_id = i.update_id) AS processed"
            " FROM inbox i WHERE i.status = 'pending'"
            " AND (i.claimed_until IS NULL OR i.claimed_until < ?)"
            " AND (i.not_before IS NULL OR i.not_before <= ?)"
            # the oldest pending update of its chat …
            " AND NOT EXISTS (SELECT 1 FROM inbox o WHERE o.chat_key = i.chat_key AND o.status = 'pending'"
            " AND o.update_id < i.update_id)"
            # … and nobody else holds one of that chat (a newer one claimed while an older arrived late)
            " AND NOT EXISTS (SELECT 1 FROM inbox h WHERE h.chat_key = i.chat_key AND h.status = 'pending'"
            " AND h.update_id <> i.update_id AND h.claimed_until >= ?)"
            f"{busy} ORDER BY i.update_id LIMIT ?{skip_locked}",
            (stamp, stamp, stamp, *exclude_chats, limit),
        )
        if not rows:
            return []
        until = to_db_time(now + lease)
        claimed: list[InboxRow] = []
        seen_chats: set[int] = set()
        for row in rows:
            if row["chat_key"] in seen_chats:  # (cannot happen: one pending oldest per chat)
                continue
            seen_chats.add(row["chat_key"])
            await self._conn.execute(
                "UPDATE inbox SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1 WHERE update_id = ?",
                (worker, until, row["update_id"]),
            )
            claimed.append(
                InboxRow(
                    int(row["update_id"]),
                    int(row["chat_key"]),
                    row["payload"],
                    int(row["attempts"]) + 1,
                    bool(row["processed"]),
                )
            )
        return claimed

    async def extend(self, update_ids: list[int], *, worker: str, until: dt.datetime) -> None:
        """Keep this worker's claims alive while their updates are still being handled."""
        for update_id in update_ids:
            await self._conn.execute(
                "UPDATE inbox SET claimed_until = ? WHERE update_id = ? AND claimed_by = ? AND status = 'pending'",
                (to_db_time(until), update_id, worker),
            )

    async def finish(self, update_id: int, now: dt.datetime, *, error: str | None = None) -> None:
        await self._conn.execute(
            "UPDATE inbox SET status = 'done', done_at = ?, claimed_until = NULL, last_error = ?, payload = ''"
            " WHERE update_id = ? AND status = 'pending'",
            (to_db_time(now), error[:300] if error else None, update_id),
        )

    async def retry_later(self, update_id: int, not_before: dt.datetime, error: str) -> None:
        """Give the claim back; the update is tried again from ``not_before`` (its chat waits)."""
        await self._conn.execute(
            "UPDATE inbox SET claimed_until = NULL, not_before = ?, last_error = ? WHERE "
            "update_id = ? AND status = 'pending'",
            (to_db_time(not_before), error[:300], update_id),
        )

    async def park(self, update_id: int, error: str) -> bool:
        """Set the update aside (its chat goes on); True the first time."""
        result = await self._conn.execute(
            "UPDATE inbox SET status = 'parked', claimed_until = NULL, last_error = ?, payload = ''"
            " WHERE update_id = ? AND status = 'pending'",
            (error[:300], update_id),
        )
        return result.rowcount == 1

    async def release(self, update_ids: list[int], *, worker: str) -> None:
        """A clean stop: claims not started on go back at once."""
        for update_id in update_ids:
            await self._conn.execute(
                "UPDATE inbox SET claimed_until = NULL, attempts = attempts - 1"
                " WHERE update_id = ? AND claimed_by = ? AND status = 'pending'",
                (update_id, worker),
            )

    async def ping(self) -> None:
        await self._conn.fetchval("SELECT 1")

    async def forget_done_before(self, moment: dt.datetime) -> int:
        result = await self._conn.execute(
            "DELETE FROM inbox WHERE status = 'done' AND done_at < ?", (to_db_time(moment),)
        )
        return result.rowcount

    async def status(self) -> InboxStatus:
        counts = {
            row[0]: int(row[1])
            for row in await self._conn.execute_fetchall(
                "SELECT status, count(*) FROM inbox WHERE status <> 'done' GROUP BY status"
            )
        }
        oldest = await self._conn.fetchone(
            "SELECT update_id, received_at FROM inbox WHERE status = 'pending' ORDER BY update_id LIMIT 1"
        )
        leader = await self._conn.fetchone("SELECT holder, since, heartbeat_at FROM leadership WHERE id = 1")
        return InboxStatus(
            pending=counts.get("pending", 0),
            parked=counts.get("parked", 0),
            oldest_pending_at=oldest["received_at"] if oldest else None,
            oldest_pending_id=int(oldest["update_id"]) if oldest else None,
            leader=leader["holder"] if leader else None,
            leader_since=leader["since"] if leader else None,
            leader_heartbeat_at=leader["heartbeat_at"] if leader else None,
        )

    async def note_leader(self, holder: str, now: dt.datetime, *, taking_over: bool) -> None:
        """The leader says it leads (``taking_over``: from now on) or is still alive."""
        stamp = to_db_time(now)
        if taking_over:
            await self._conn.execute(
                "INSERT INTO leadership (id, holder, since, heartbeat_at) VALUES (1, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, since = excluded.since,"
                " heartbeat_at = excluded.heartbeat_at",
                (holder, stamp, stamp),
            )
        else:
            await self._conn.execute(
                "UPDATE leadership SET heartbeat_at = ? WHERE id = 1 AND holder = ?", (stamp, holder)
            )

    async def parked(self, limit: int = 20) -> list[tuple[int, int, str | None]]:
        rows = await self._conn.execute_fetchall(
            "SELECT update_id, attempts, last_error FROM inbox WHERE status = 'parked' ORDER BY update_id LIMIT ?",
            (limit,),
        )
        return [(int(r[0]), int(r[1]), r[2]) for r in rows]

"""Each worker's own PostgreSQL connection: the leader lock, and the wake-up notifications.

Exactly one process leads (runs the outbox sender and the repeating jobs): the one holding a
session advisory lock, on a connection of its own — never one of the pool's, which are shared and
recycled. When that process dies, or its connection does, PostgreSQL ends the session and the lock
is free at once; a standby, trying every second or so, takes it. The same connection LISTENs for
``atensi_inbox`` (an update was stored: a worker claims now) and ``atensi_outbox`` (a notification
was queued: the leader's sender wakes), so nobody waits for its next poll.

On SQLite there is one process only, so it leads and nothing is listened to.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

from storage.db import database_url

log = logging.getLogger("atensi.leadership")

LEADER_LOCK = "atensi-leader"
CHECK_TIMEOUT_S = 3.0


class ControlConnection:
    """One process's own connection to PostgreSQL (see the module doc)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self.leading = False

    @classmethod
    async def open(cls, url: str, *, name: str) -> ControlConnection:
        conn = await asyncpg.connect(url, timeout=10, server_settings={"application_name": f"atensi-bot {name}"[:63]})
        return cls(conn)

    async def try_lead(self) -> bool:
        """Take the leader lock if nobody holds it (never waits)."""
        got = await asyncio.wait_for(
            self._conn.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", LEADER_LOCK), CHECK_TIMEOUT_S
        )
        self.leading = bool(got)
        return self.leading

    async def alive(self) -> bool:
        """The session (and with it the lock, when leading) still exists."""
        if self._conn.is_closed():
            return False
        try:
            await asyncio.wait_for(self._conn.fetchval("SELECT 1"), CHECK_TIMEOUT_S)
        except (asyncpg.PostgresError, OSError, ConnectionError, TimeoutError, asyncpg.InterfaceError):
            return False
        return True

    async def listen(self, channel: str, wake: Callable[[], None]) -> None:
        await self._conn.add_listener(channel, lambda *_: wake())

    async def close(self) -> None:
        """Ends the session: a lock held goes with it."""
        self.leading = False
        try:
            await asyncio.wait_for(self._conn.close(), CHECK_TIMEOUT_S)
        except Exception:  # already gone
            self._conn.terminate()


async def open_control(target: str, *, name: str) -> ControlConnection | None:
    """The control connection of a PostgreSQL deployment; None on SQLite (one process leads)."""
    url = database_url(target)
    if not url.startswith(("postgresql://", "postgres://")):
        return None
    return await ControlConnection.open(url, name=name)

"""What each person is in the middle of (one conversation at a time per person)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from bot.domain.models import Conversation
from storage.db import Connection, to_db_time
from storage.sealing import MissingKeyring, Sealer


class ConversationRepository:
    """Conversations' states are sealed (storage/sealing.py): they hold what a person is typing,
    an account number or a client's answers, before it is saved where it belongs."""

    def __init__(self, conn: Connection, keys: Sealer | None = None) -> None:
        self._conn = conn
        self._keys: Sealer = keys if keys is not None else MissingKeyring()

    async def of(self, person_id: int) -> Conversation | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM conversations WHERE person_id = ?", (person_id,))
        if not rows:
            return None
        row = rows[0]
        return Conversation(
            row["person_id"],
            row["kind"],
            row["entity_id"],
            json.loads(self._keys.open(row["state"], "conversations", "state") or "{}"),
        )

    async def about(self, person_id: int, kind: str) -> int | None:
        """What the person's conversation of ``kind`` is about (its entity id); None when they are
        in no conversation of that kind, or in one about nothing."""
        conversation = await self.of(person_id)
        if conversation is None or conversation.kind != kind:
            return None
        return conversation.entity_id

    async def start(
        self, person_id: int, kind: str, entity_id: int | None, now: dt.datetime, state: dict[str, Any] | None = None
    ) -> None:
        await self._conn.execute(
            "INSERT INTO conversations (person_id, kind, entity_id, state, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET kind = excluded.kind,"
            " entity_id = excluded.entity_id, state = excluded.state, updated_at = excluded.updated_at",
            (
                person_id,
                kind,
                entity_id,
                self._keys.seal(json.dumps(state or {}), "conversations", "state"),
                to_db_time(now),
            ),
        )

    async def end(self, person_id: int) -> None:
        await self._conn.execute("DELETE FROM conversations WHERE person_id = ?", (person_id,))

    async def end_for_entity(self, kind: str, entity_id: int) -> None:
        await self._conn.execute("DELETE FROM conversations WHERE kind = ? AND entity_id = ?", (kind, entity_id))

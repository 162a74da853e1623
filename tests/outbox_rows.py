"""What the outbox holds, read straight from its table: every notification queued (tests/test_outbox.py), and
the reminders queued (tests/test_reminders.py)."""

from __future__ import annotations

from storage.unit import Storage


async def outbox_rows(storage: Storage) -> list[tuple]:
    async with storage.db.reading() as conn:
        return list(
            await conn.execute_fetchall(
                "SELECT dedupe_key, chat_id, person_id, kind, params, not_before FROM outbox ORDER BY id"
            )
        )


async def reminders_sent(storage: Storage) -> list[tuple[str, int]]:
    async with storage.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT dedupe_key, chat_id FROM outbox WHERE kind = 'reminder' ORDER BY id")
    return [(r[0], r[1]) for r in rows]

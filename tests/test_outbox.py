"""The outbox's queueing: one notification or a page of them, each key at most once."""

from __future__ import annotations

import datetime as dt
import json

from bot.domain.records import NewNotification
from storage.unit import Storage
from tests.outbox_rows import outbox_rows

NOW = dt.datetime(2026, 12, 21, 2, 0, tzinfo=dt.UTC)


async def test_a_page_of_reminders_is_queued_once_even_when_queued_again(storage: Storage) -> None:
    woken: list[int] = []
    storage.outbox_listeners.append(lambda: woken.append(1))
    page = [
        NewNotification(f"reminder:k{n}:{100 + n}", 100 + n, "reminder", {"rkind": "lpj_due", "n": n}) for n in range(3)
    ]
    async with storage.transaction() as uow:
        assert await uow.outbox.enqueue_many(page, now=NOW) == 3
        assert uow.outbox.enqueued == 3
    assert woken == [1]  # the sender is woken after the commit

    later = NOW + dt.timedelta(hours=1)
    async with storage.transaction() as uow:
        # A rival run, or the same page after a crash: the two old keys are ignored, the new one counts.
        again = [page[0], page[2], NewNotification("reminder:k9:109", 109, "reminder", {"rkind": "lpj_due"})]
        assert await uow.outbox.enqueue_many(again, now=later) == 1
        assert await uow.outbox.enqueue_many([], now=later) == 0

    stored = await outbox_rows(storage)
    assert [r[0] for r in stored] == ["reminder:k0:100", "reminder:k1:101", "reminder:k2:102", "reminder:k9:109"]
    assert stored[1][1:4] == (101, None, "reminder") and json.loads(stored[1][4]) == {"n": 1, "rkind": "lpj_due"}


async def test_one_notification_reports_whether_it_was_new_and_keeps_its_not_before(storage: Storage) -> None:
    tomorrow = NOW + dt.timedelta(days=1)
    async with storage.transaction() as uow:
        assert (
            await uow.outbox.enqueue(
                dedupe_key="card:7:v1", chat_id=-100, kind="card", params={"id": 7}, now=NOW, not_before=tomorrow
            )
            is True
        )
        assert (
            await uow.outbox.enqueue(dedupe_key="card:7:v1", chat_id=-100, kind="card", params={"id": 7}, now=NOW)
            is False
        )
    (stored,) = await outbox_rows(storage)
    assert stored[5].startswith("2026-12-22")


async def test_a_failed_transaction_queues_nothing(storage: Storage) -> None:
    try:
        async with storage.transaction() as uow:
            await uow.outbox.enqueue_many([NewNotification("a", 1, "reminder", {})], now=NOW)
            raise RuntimeError("power cut")
    except RuntimeError:
        pass
    assert await outbox_rows(storage) == []

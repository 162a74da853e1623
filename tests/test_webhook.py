"""The webhook deployment in one process (issue 15), on both engines: the emulator POSTs updates to
the intake, which stores them before its 200; a worker handles them through the same handlers as
polling, one chat at a time; its leader sends the outbox.

The stories: Sari and Budi (IPWL operators) and the centre's admin Dewi write to the bot; a
stranger posts to the endpoint without the secret; an update keeps failing and is parked.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import WorkerRuntime, build_application
from bot.clock import ManualClock
from bot.emulator import BotApiEmulator
from bot.services import StorageBusy
from bot.webhook.intake import WebhookIntake
from handlers.context import deps_of
from storage.unit import Storage
from tests.conftest import START
from tests.scenarios.conftest import TOKEN
from tests.waiting import until
from tests.webhook_deployment import (
    ADMIN_ID,
    SECRET,
    Deployment,
    an_update,
    on_the_emulator,
    post,
    register,
    wait_rows,
    webhook_settings,
)


@pytest.fixture
async def deployment(tmp_path: Path, database_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Deployment]:
    marker = request.node.get_closest_marker("webhook_settings")
    settings = webhook_settings(tmp_path, database_url, **(marker.kwargs if marker else {}))
    clock = ManualClock(START)
    async with BotApiEmulator(TOKEN) as emu:
        settings = on_the_emulator(settings, emu)
        storage = await Storage.open(database_url)
        app = build_application(settings, storage=storage, clock=clock, rate_limiter=False)
        deps_of(app).errors = []
        runtime = WorkerRuntime(app, "worker-test")
        await runtime.start()
        intake = WebhookIntake(deps_of(app).services, settings.webhook)
        intake.on_stored = runtime.worker.wake
        await intake.start()
        url = f"http://127.0.0.1:{intake.port}{settings.webhook.path}"
        deployment = Deployment(emu, storage, intake, runtime, clock, url)
        try:
            yield deployment
        finally:
            await intake.stop()
            await runtime.stop()
            await storage.close()


async def test_the_intake_stores_only_what_comes_with_the_secret_and_only_once(deployment: Deployment) -> None:
    sari = deployment.emu.add_user("Sari", started=True)
    body = json.dumps(an_update(501, sari.id)).encode()
    # A stranger without the secret, or with a wrong one: 403 and nothing stored.
    assert await post(deployment.url, body, None) == 403
    assert await post(deployment.url, body, "guess") == 403
    assert await deployment.rows("SELECT count(*) FROM inbox") == [(0,)]
    # Not an update, or far too large: refused, nothing stored.
    assert await post(deployment.url, b"{not json", SECRET) == 400
    assert await post(deployment.url, b'{"update_id": "7"}', SECRET) == 400
    huge = json.dumps({**an_update(502), "padding": "x" * 300_000}).encode()
    assert await post(deployment.url, huge, SECRET) == 413
    assert await deployment.rows("SELECT count(*) FROM inbox") == [(0,)]

    # Telegram's update: stored, then 200; delivered again (no 2xx seen): 200, still one row.
    assert await post(deployment.url, body, SECRET) == 200
    assert await post(deployment.url, body, SECRET) == 200
    assert await deployment.rows("SELECT update_id, chat_key FROM inbox") == [(501, sari.id)]
    await deployment.inbox_settled()
    # Handled: what Sari typed is not kept in the inbox any more (only while it waited).
    assert await deployment.rows("SELECT status, payload FROM inbox") == [("done", "")]
    # Sari got her help text once.
    assert len([m for m, _ in deployment.emu.requests if m == "sendMessage"]) == 1

    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{deployment.intake.port}/healthz") as response:
            assert response.status == 200 and (await response.json())["ok"] is True


async def test_updates_from_the_emulator_are_answered_in_each_chats_order(deployment: Deployment) -> None:
    emu = deployment.emu
    status, _ = await register(emu, deployment.url)
    assert status == 200
    sari, budi, dewi = emu.add_user("Sari"), emu.add_user("Budi"), emu.add_user("Dewi", user_id=ADMIN_ID)
    for person in (sari, budi, dewi):
        await emu.send_text(person, "/start")
        await emu.send_text(person, "/bantuan")
        await emu.send_text(person, "/status")
    await deployment.inbox_settled()
    for person in (sari, budi, dewi):
        texts = [m.text for m in emu.chat_messages(person)]
        assert len(texts) >= 3, texts
    # Each update handled once, in order within its chat (the emulator saw the replies in order:
    # the worker never ran two updates of one chat at once).
    rows = await deployment.rows("SELECT chat_key, update_id, status, attempts FROM inbox ORDER BY update_id")
    assert len(rows) == 9 and {r[2] for r in rows} == {"done"} and {r[3] for r in rows} == {1}
    recorded = await deployment.rows("SELECT count(*) FROM processed_updates")
    assert recorded[0][0] >= 3  # (the /start of each person writes their record)
    info = emu.webhook
    assert info is not None and info.pending == 0
    assert deps_of(deployment.runtime.app).errors == []
    assert emu.violations == []
    # The one worker leads: the leader row says so.
    assert deployment.runtime.leadership.leading
    assert (await deployment.rows("SELECT holder FROM leadership")) == [("worker-test",)]


@pytest.mark.webhook_settings(max_attempts=2)
async def test_an_update_that_keeps_failing_is_parked_and_the_admin_told_once(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = deployment.emu
    await register(emu, deployment.url)
    dewi, sari = emu.add_user("Dewi", user_id=ADMIN_ID), emu.add_user("Sari")
    await emu.send_text(dewi, "/start")
    await deployment.inbox_settled()
    before = len(emu.chat_messages(sari))

    services = deps_of(deployment.runtime.app).services
    real = services.onboarding.identify

    async def busy_for_sari(user_id: int, *args: object, **kwargs: object):
        if user_id == sari.id:
            raise StorageBusy("database is locked")
        return await real(user_id, *args, **kwargs)

    monkeypatch.setattr(services.onboarding, "identify", busy_for_sari)
    await emu.send_text(sari, "/bantuan")
    await emu.wait_for(lambda: True)
    # First try failed quietly (Sari is told nothing yet); it waits for its retry.
    await wait_rows(deployment, "SELECT attempts, status FROM inbox WHERE chat_key = ?", sari.id, want=[(1, "pending")])
    assert len(emu.chat_messages(sari)) == before
    deployment.clock.advance(seconds=5)
    deployment.runtime.worker.wake()
    await wait_rows(deployment, "SELECT attempts, status FROM inbox WHERE chat_key = ?", sari.id, want=[(2, "parked")])
    [(error,)] = await deployment.rows("SELECT last_error FROM inbox WHERE chat_key = ?", sari.id)
    assert error.startswith("StorageBusy")
    # The last try told Sari (once); Dewi hears of the parked update once.
    await deployment.inbox_settled()
    assert len(emu.chat_messages(sari)) == before + 1
    notices = [m.text for m in emu.chat_messages(dewi) if "disisihkan" in m.text]
    assert len(notices) == 1, [m.text for m in emu.chat_messages(dewi)]

    # Sari's chat goes on: her next message is answered.
    monkeypatch.setattr(services.onboarding, "identify", real)
    await emu.send_text(sari, "/bantuan")
    await deployment.inbox_settled()
    assert len(emu.chat_messages(sari)) == before + 2


async def test_a_claim_whose_first_write_committed_is_finished_without_running_again(deployment: Deployment) -> None:
    """A worker died after the update's change committed and before it marked the row done."""
    emu = deployment.emu
    sari = emu.add_user("Sari")
    await deployment.runtime.worker.stop()  # the dead worker: nothing claims now
    async with deployment.storage.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO processed_updates (update_id, at) VALUES (?, ?)", (777, "2026-11-28T02:00:00.000000Z")
        )
    assert await post(deployment.url, json.dumps(an_update(777, sari.id, "/start")).encode(), SECRET) == 200
    deployment.runtime.worker = type(deployment.runtime.worker)(deployment.runtime.app, name="worker-2")
    deployment.runtime.worker.start()
    await deployment.inbox_settled()
    assert await deployment.rows("SELECT status FROM inbox WHERE update_id = 777") == [("done",)]
    assert deployment.runtime.worker.stats["skipped"] == 1
    assert emu.chat_messages(sari) == []  # not answered twice


@pytest.mark.postgresql_only
async def test_when_the_leaders_connection_dies_it_steps_down_and_a_standby_leads(
    tmp_path: Path, database_url: str, engine: str
) -> None:
    """The leader's own connection is cut (a network split, the server restarting its session): it
    stops sending and drops its jobs, a standby takes the lock, and the old leader stands by."""
    settings = webhook_settings(tmp_path, database_url, heartbeat_seconds=0.5)
    clock = ManualClock(START)
    async with BotApiEmulator(TOKEN) as emu:
        settings = on_the_emulator(settings, emu)
        storage = await Storage.open(database_url)
        first = WorkerRuntime(build_application(settings, storage=storage, clock=clock, rate_limiter=False), "worker-a")
        await first.start()
        await until(lambda: first.leadership.leading, timeout=10)
        second = WorkerRuntime(
            build_application(settings, storage=storage, clock=clock, rate_limiter=False), "worker-b"
        )
        await second.start()
        try:
            await asyncio.sleep(0.5)
            assert first.leadership.leading and not second.leadership.leading
            assert deps_of(second.app).sender is None
            jobs_led = {job.name for job in first.app.job_queue.jobs()}
            assert {"menus", "monthly_report", "broadcast_reports", "inbox_cleanup"} <= jobs_led

            async with storage.db.transaction() as conn:
                await conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = 'atensi-bot worker-a'"
                )
            await until(lambda: second.leadership.leading and not first.leadership.leading, timeout=10)
            assert deps_of(first.app).sender is None and deps_of(second.app).sender is not None
            assert not {"menus", "monthly_report", "broadcast_reports", "inbox_cleanup"} & {
                job.name for job in first.app.job_queue.jobs() if job.enabled and not job.removed
            }
            async with storage.reading() as uow:
                assert (await uow.inbox.status()).leader == "worker-b"
            # The old leader reconnects at its next heartbeat and stands by (it would lead again if
            # worker-b died).
            await until(lambda: first.leadership.control is not None and first.leadership.control.alive(), timeout=10)
            assert not first.leadership.leading and first.leadership.times_led == 1
        finally:
            await second.stop()
            await first.stop()
            await storage.close()


async def test_a_press_handled_again_is_not_failed_by_its_second_answer(deployment: Deployment) -> None:
    """Sari turns a page of /panduan (nothing is written). Her press comes to a worker a second time
    (as after a worker died between its answer and marking the update done), and Telegram refuses
    the second answer ("query is too old"). That refusal is not a failure of the update: it is done,
    not retried until parked."""
    emu = deployment.emu
    assert (await register(emu, deployment.url))[0] == 200
    sari = emu.add_user("Sari")
    await emu.send_text(sari, "/panduan")
    await deployment.inbox_settled()
    menu = emu.last_message(sari)
    assert menu is not None and menu.buttons
    data = menu.buttons[0][0].callback_data
    assert await emu.press(sari, menu, data, timeout=10) is not None
    await deployment.inbox_settled()
    query_id = max(emu.state._queries)  # answered already
    again = {
        "update_id": 900,
        "callback_query": {
            "id": query_id,
            "from": sari.to_dict(),
            "message": menu.to_dict(),
            "chat_instance": "1",
            "data": data,
        },
    }
    assert await post(deployment.url, json.dumps(again).encode(), SECRET) == 200
    await deployment.inbox_settled()
    assert await deployment.rows("SELECT status, attempts, last_error FROM inbox WHERE update_id = 900") == [
        ("done", 1, None)
    ]
    assert deps_of(deployment.runtime.app).errors == []

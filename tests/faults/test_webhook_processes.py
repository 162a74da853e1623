"""Several bot processes on real PostgreSQL, killed mid-run (issue 15.6).

The deployment of the README's "National deployment", in child processes: 2 intake processes
(``atensi-bot webhook``) behind a reverse proxy (a small round-robin proxy in the test, as nginx
would be), 3 workers (``atensi-bot worker``; one of them leads), and the emulator in webhook mode
POSTing to the proxy. The scripted mix:

- 14 IPWL operators fill in a proposal by typing, each in their own chat: ``/ajukan``, the period,
  the client's name, the NIK — four updates whose order matters (each is the answer to the question
  the previous one opened) and each a write;
- other people ask for ``/bantuan`` meanwhile (reads);
- Rina, the admin, sends a broadcast to every operator (her "Send" confirmed while the workers
  run), and the leader's broadcast-report job tells her how it went;
- the leader's reminder run: 24 other operators have drafts untouched for two hours; the leader's
  job queues a reminder for each, its outbox sender delivers them (each send held 0.3 s at
  "Telegram", so some are in flight when the leader dies);
- PIC presses in two groups: 6 proposals were sent before the run, 3 to each team; the leader
  posts their cards in the teams' groups, and both PICs of a team tap "Claim" on every card of
  their group at once (one of them wins each, the other is told);
- uploads: 4 operators send a PDF to their draft (downloaded from "Telegram", stored, attached).

While it runs the test SIGKILLs one intake, then a worker that does not lead, then the leader, and
starts each again. Afterwards: every update was handled, exactly once in effect (one draft per IPWL,
created once, each answer applied once and in order), each chat's updates were finished in order,
nothing is pending or parked in the inbox, every reminder arrived (duplicates only for sends in
flight at the leader's kill), every proposal was claimed once by one PIC of its team, every upload
was attached once, and a standby led within seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.emulator import BotApiEmulator
from tests.emulator.helpers import call
from tests.faults.conftest import LAUNCHER, ROOT, TOKEN, ShiftedClock, rows
from tests.faults.crash_cast import (
    IDLE_OPERATORS,
    LIVE_OPERATORS,
    READERS,
    REVIEWED,
    SECRET,
    UPLOADERS,
    _broadcast,
    _broadcasts,
    _claim_every_card,
    _config,
    _free_ports,
    _leader,
    _monday_offset,
    _name,
    _nik,
    _operator_script,
    _reminders,
    _seed,
)
from tests.helpers import pdf
from tests.waiting import until

pytestmark = [pytest.mark.postgresql_only, pytest.mark.multiprocess]

# The idle drafts' reminders (the teams' groups also get their Monday digest, which is not counted).
IDLE_REMINDER = "kind = 'reminder' AND dedupe_key LIKE 'reminder:draft_idle:%'"


class RoleProcess:
    """One ``atensi-bot webhook`` or ``atensi-bot worker`` child process (the launcher moves its
    calendar to Monday 09.00, as the test's clock)."""

    def __init__(self, role: str, name: str, config: Path, tmp: Path, offset: float, port: int | None = None) -> None:
        self.role, self.name, self.config, self.tmp, self.offset, self.port = role, name, config, tmp, offset, port
        self.log_path = tmp / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def argv(self) -> list[str]:
        return [sys.executable, str(LAUNCHER), self.role, "--config", str(self.config)]

    async def start(self) -> None:
        env = {
            **os.environ,
            "ATENSI_BOT_TOKEN": TOKEN,
            "PYTHONPATH": str(ROOT),
            "ATENSI_TEST_CLOCK_OFFSET": str(self.offset),
        }
        if self.port is not None:
            env["ATENSI_WEBHOOK__PORT"] = str(self.port)
        with open(self.log_path, "ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *self.argv, env=env, cwd=self.tmp, stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL
            )

    async def ready(self, timeout: float = 180) -> None:  # (a loaded machine starts slowly)
        mark = "running ("
        await until(lambda: self.log().count(mark) > self.starts_seen, timeout=timeout, interval=0.05)
        self.starts_seen = self.log().count(mark)

    starts_seen = 0

    async def kill(self) -> None:
        assert self.proc is not None and self.proc.returncode is None, self.log()[-2000:]
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> int:
        if self.proc is None or self.proc.returncode is not None:
            return 0 if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout=30)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class RoundRobinProxy:
    """The reverse proxy in front of the intakes: each POST to the next intake that answers (an
    intake that is down is skipped; none up: 502, and Telegram — the emulator — retries)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self._next = itertools.cycle(range(len(ports)))
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""
        self.served: dict[int, int] = {port: 0 for port in ports}

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/telegram/webhook", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/telegram/webhook"
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {
            k: v for k, v in request.headers.items() if k.lower() in {"content-type", "x-telegram-bot-api-secret-token"}
        }
        assert self._session is not None
        for _ in range(len(self.ports)):
            port = self.ports[next(self._next)]
            try:
                async with self._session.post(
                    f"http://127.0.0.1:{port}/telegram/webhook", data=body, headers=headers
                ) as answer:
                    self.served[port] += 1
                    return web.Response(status=answer.status, body=await answer.read())
            except (aiohttp.ClientError, OSError):
                continue
        return web.Response(status=502)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    from bot.emulator import default_spec_path

    async with BotApiEmulator(TOKEN, spec_path=default_spec_path()) as emulator:
        emulator.state.webhook_timing.update(timeout=10.0, first_retry=0.1, max_retry=1.0)
        yield emulator


async def test_intakes_workers_and_leader_killed_mid_run_lose_nothing_and_repeat_nothing(
    emu: BotApiEmulator, tmp_path: Path, database_url: str
) -> None:
    offset = _monday_offset()
    config = _config(tmp_path, emu, database_url)
    cast = await _seed(config, emu, offset)
    live, idle, readers = cast.live, cast.idle, cast.readers
    ports = _free_ports(2)
    intakes = [RoleProcess("webhook", f"intake{i}", config, tmp_path, offset, port) for i, port in enumerate(ports)]
    workers = [RoleProcess("worker", f"worker{i}", config, tmp_path, offset) for i in range(3)]
    proxy = RoundRobinProxy(ports)
    await proxy.start()
    everyone = [*intakes, *workers]
    try:
        for process in everyone:
            await process.start()
        for process in everyone:
            await process.ready()
        await until(lambda: _leader(database_url) is not None, timeout=20)
        status, body = await call(emu, "setWebhook", {"url": proxy.url, "secret_token": SECRET, "max_connections": "8"})
        assert status == 200, body

        # Every reminder send takes 0.3 s at "Telegram" (carried out even if the sender dies meanwhile).
        for user in idle.values():
            emu.fail_next("sendMessage", delay=0.3, count=3, chat_id=user.id)

        scripts = [asyncio.create_task(_operator_script(emu, user, n)) for n, user in enumerate(live)]
        for reader in readers:
            await emu.send_text(reader, "/bantuan")
        claims = asyncio.create_task(_claim_every_card(emu, cast))
        for n, user in enumerate(cast.uploaders.values()):
            await emu.send_document(
                user, file_name=f"surat-pengantar-{n}.pdf", content=pdf(f"pengantar {n}"), mime_type="application/pdf"
            )

        def handled() -> int:
            return rows(database_url, "SELECT count(*) FROM inbox WHERE status = 'done'")[0][0]

        # 1. An intake dies (the proxy passes over it), and comes back.
        await until(lambda: handled() >= 10, timeout=60)
        await intakes[0].kill()
        await asyncio.sleep(0.5)
        await intakes[0].start()

        # 2. A worker that does not lead dies, maybe with updates in hand (their claims expire).
        holder, _ = _leader(database_url)
        leader_pid = int(holder.rsplit(":", 1)[1])
        standby = next(w for w in workers if w.proc is not None and w.proc.pid != leader_pid)
        await until(lambda: handled() >= 20, timeout=60)
        standby_name = f"worker@{socket.gethostname()}:{standby.proc.pid}"

        def in_hand() -> int:
            return rows(
                database_url, "SELECT count(*) FROM inbox WHERE status = 'pending' AND claimed_by = ?", standby_name
            )[0][0]

        try:  # killed with an update in hand, when it has one soon enough
            await until(lambda: in_hand() > 0, timeout=15, interval=0.005)
        except TimeoutError:
            pass
        caught_in_hand = in_hand()
        await standby.kill()
        await standby.start()

        # Rina presses "Send" on her broadcast to every operator (the outbox rows are queued at once).
        broadcast_id = await _broadcast(config, offset)

        # 3. The leader dies while reminders and the broadcast are on their way.
        leader = next(w for w in workers if w.proc is not None and w.proc.pid == leader_pid)
        await until(lambda: sum(_reminders(emu, idle).values()) >= 4, timeout=60)
        killed_at = ShiftedClock(offset).now()
        await leader.kill()
        # What can go twice is what the dead sender had sent and not marked: accepted by "Telegram"
        # before the kill but not marked sent, or on the wire at the kill (every call then open
        # counts: an upper bound). (rows() blocks this loop: nothing lands while it reads.)
        marked = rows(
            database_url,
            f"SELECT count(*) FROM outbox WHERE (kind = 'broadcast' OR {IDLE_REMINDER}) AND status = 'sent'",
        )[0][0]
        landed = sum(_reminders(emu, idle).values()) + sum(_broadcasts(emu, [*live, *idle.values()]).values())
        in_flight = landed - marked + emu.calls_in_flight
        await until(lambda: (_leader(database_url) or ("", ""))[0] != holder, timeout=20)
        new_holder, since = _leader(database_url)
        took_over = (dt.datetime.fromisoformat(since.replace("Z", "+00:00")) - killed_at).total_seconds()
        await leader.start()
        await asyncio.gather(*scripts)
        claim_answers = await claims
        await intakes[0].ready()
        await standby.ready()
        await leader.ready()

        # Everything settles: every update stored and handled, every reminder sent.
        total_updates = LIVE_OPERATORS * 4 + READERS + 2 * REVIEWED + UPLOADERS
        await until(lambda: emu.webhook is not None and emu.webhook.pending == 0, timeout=60)
        try:
            await until(
                lambda: rows(database_url, "SELECT count(*) FROM inbox WHERE status = 'done'") == [(total_updates,)],
                timeout=90,
            )
        except TimeoutError:
            found = rows(database_url, "SELECT status, count(*) FROM inbox GROUP BY status")
            stuck = rows(database_url, "SELECT payload, attempts, last_error FROM inbox WHERE status <> 'done'")
            logs = "".join(p.log()[-3000:] for p in everyone)
            raise AssertionError(f"inbox {found}, expected {total_updates} done; {stuck}\n{logs}") from None
        try:
            await until(
                lambda: (
                    rows(database_url, f"SELECT count(*) FROM outbox WHERE {IDLE_REMINDER} AND status = 'sent'")
                    == [(IDLE_OPERATORS,)]
                ),
                timeout=60,
            )
        except TimeoutError:
            found = rows(database_url, "SELECT status, dedupe_key FROM outbox WHERE kind = 'reminder' ORDER BY id")
            raise AssertionError(f"reminders {found}") from None
        await until(
            lambda: (
                rows(database_url, "SELECT count(*) FROM outbox WHERE kind = 'broadcast' AND status = 'pending'")
                == [(0,)]
            ),
            timeout=60,
        )
        await until(lambda: any("📊" in (m.text or "") for m in emu.chat_messages(9001)), timeout=60)
        # Every notification delivered: the cards' edits after the claims too, which can wait behind
        # a group's 3-second gap (a quiet spell that a settle would take for the end).
        await until(
            lambda: rows(database_url, "SELECT count(*) FROM outbox WHERE status = 'pending'") == [(0,)], timeout=60
        )
        await emu.settle(timeout=20)
    finally:
        for process in everyone:
            await process.stop()
        await proxy.stop()

    # Nothing stuck, nothing parked; each update stored once.
    assert rows(database_url, "SELECT status, count(*) FROM inbox GROUP BY status") == [("done", total_updates)]
    # Each chat's updates were finished in the order Telegram sent them.
    per_chat: dict[int, list[int]] = {}
    for chat, update_id in rows(database_url, "SELECT chat_key, update_id FROM inbox ORDER BY done_at, update_id"):
        per_chat.setdefault(chat, []).append(update_id)
    assert all(ids == sorted(ids) for ids in per_chat.values()), per_chat
    # Exactly once in effect: one draft per live IPWL, created once, each answer applied once and in
    # order (the period, then the name, then the NIK — any other order or a repeat leaves another state).
    for n, user in enumerate(live):
        drafts = rows(
            database_url,
            "SELECT p.code, p.draft_cursor, p.period_year, p.period_month FROM proposals p"
            " JOIN ipwl i ON i.id = p.ipwl_id WHERE i.code = ?",
            f"X{n:03d}",
        )
        assert len(drafts) == 1, drafts
        code, cursor, year, month = drafts[0]
        cursor = json.loads(cursor)
        said = [m.text for m in emu.chat_messages(user)]
        assert (cursor["step"], cursor["client"].get("full_name"), cursor["client"].get("nik")) == (
            "nik_confirm",
            _name(n),
            _nik(n),
        ), (cursor, said)
        assert (year, month) == (2026, 12)
        assert rows(
            database_url, "SELECT count(*) FROM audit_events WHERE entity_id = ? AND action = 'create_draft'", code
        ) == [(1,)]
    # Each proposal claimed once, by one of its team's PICs; the other was told, and the card says who.
    for proposal_id, team in cast.reviewed.items():
        pics = {
            rows(database_url, "SELECT id FROM people WHERE telegram_user_id = ?", p.id)[0][0] for p in cast.pics[team]
        }
        status, claimer, code = rows(
            database_url, "SELECT status, claimed_by, code FROM proposals WHERE id = ?", proposal_id
        )[0]
        assert status == "in_review" and claimer in pics, (proposal_id, status, claimer)
        assert rows(
            database_url, "SELECT count(*) FROM audit_events WHERE entity_id = ? AND action = 'claim'", code
        ) == [(1,)]
    assert len(claim_answers) == 2 * REVIEWED and all(a is not None for a in claim_answers), claim_answers
    for pair in zip(claim_answers[::2], claim_answers[1::2], strict=True):  # the winner, and the one told
        assert sorted((a.text or "").startswith("✅") for a in pair if a is not None) == [False, True], pair
    group_text = "".join(m.text or "" for g in cast.groups.values() for m in emu.chat_messages(g))
    assert group_text.count("Sedang diperiksa oleh") >= REVIEWED
    assert "Putri" not in group_text and "3201014508" not in group_text  # never a client in a group
    # Each upload attached once to its draft, its file in the store.
    for proposal_id in cast.uploaders:
        attached = rows(
            database_url,
            "SELECT count(*), count(stored_path) FROM attachments WHERE proposal_id = ? AND purpose = 'proposal'",
            proposal_id,
        )
        assert attached == [(1, 1)], (proposal_id, attached)
    # Every reminder and every operator's broadcast delivered; a duplicate only for a send in flight
    # when the leader died; Rina's delivery report came once.
    received = _reminders(emu, idle)
    broadcast = _broadcasts(emu, [*live, *idle.values()])
    duplicates = sum(n - 1 for n in [*received.values(), *broadcast.values()] if n > 1)
    assert all(n >= 1 for n in received.values()), received
    assert all(n >= 1 for n in broadcast.values()), broadcast
    assert sum("📊" in (m.text or "") for m in emu.chat_messages(9001)) == 1
    assert rows(database_url, "SELECT status FROM broadcasts WHERE id = ?", broadcast_id) == [("done",)]
    assert duplicates <= in_flight, (duplicates, in_flight)
    assert rows(database_url, f"SELECT count(*), count(DISTINCT dedupe_key) FROM outbox WHERE {IDLE_REMINDER}") == [
        (IDLE_OPERATORS, IDLE_OPERATORS)
    ]
    # The standby led within a few seconds of the leader's death.
    assert new_holder != holder and took_over < 5, (holder, new_holder, took_over)
    # The killed worker's claims expired and another worker took them (finished without running
    # again where the first write had committed).
    taken_over = rows(database_url, "SELECT count(*) FROM inbox WHERE attempts > 1")[0][0]
    assert taken_over >= (1 if caught_in_hand else 0), taken_over
    # Both intakes took updates; the killed processes' successors did their part.
    assert all(count > 0 for count in proxy.served.values()), proxy.served
    logs = "".join(p.log() for p in everyone)
    assert TOKEN not in logs and SECRET not in logs
    assert emu.violations == []
    print(
        f"\nwebhook kill test: {total_updates} updates in {len(per_chat)} chats (claims by {2 * len(cast.pics)} PICs "
        f"in {len(cast.groups)} groups, {UPLOADERS} uploads); {caught_in_hand} in the killed "
        f"worker's hand, {taken_over} claimed again; standby led {took_over:.2f} s after "
        f"the leader's SIGKILL; reminders: {IDLE_OPERATORS} and a broadcast to "
        f"{len(broadcast)}: {in_flight} in flight at the kill, {duplicates} duplicate(s)"
    )

"""Helpers of the fault tests (tests/faults): the steps, seeds and look-ups the crash, storage, Telegram,
deployment and webhook-process stories share, so the test modules hold only their tests and fixtures."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import errno
import json
import os
import shlex
import socket
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from telegram import Update
from telegram.request import HTTPXRequest

from bot.app import build_application, start_bot, stop_bot
from bot.clock import ManualClock
from bot.config import load_settings
from bot.domain.models import Role
from bot.emulator import BotApiEmulator, BotMessage, CallbackAnswer, EmuChat, EmuUser
from bot.files.client_sheet import ClientInput
from bot.files.ipwl_csv import parse_ipwl_csv
from bot.services import Services
from handlers import buttons
from handlers.context import deps_of
from storage.unit import Storage
from tests.conftest import SHARED
from tests.faults.conftest import (
    MONDAY_9AM,
    ROOT,
    TOKEN,
    BotProcess,
    ShiftedClock,
    grant,
    operator_identity,
    rows,
)
from tests.helpers import seed_registry, submit_with_consent
from tests.scenarios.review_cast import card as card_of
from tests.scenarios.review_cast import client_inputs
from tests.waiting import until


def _buttons(message: BotMessage) -> list[str]:
    return [b.callback_data for row in message.buttons for b in row if b.callback_data]


async def _tap(emu: BotApiEmulator, user: EmuUser, data_of: str) -> str:
    """Press the button ``data_of`` (a codec's data) on the bot's last message to ``user``; the next message."""
    message = emu.last_message(user)
    assert message is not None
    data = next(d for d in _buttons(message) if d == data_of)
    answer = await emu.press(user, message, data, timeout=15)
    assert answer is not None, f"{data} was not answered"
    await emu.settle(quiet=0.1, timeout=15)
    return emu.chat_messages(user)[-1].text or ""


def _cursor(bot: BotProcess) -> dict:
    found = rows(bot.database, "SELECT draft_cursor FROM proposals")
    assert len(found) == 1, found
    return json.loads(found[0][0]) if found[0][0] else {}


def _fetched(emu: BotApiEmulator) -> bool:
    return emu.state.updates.undelivered == 0


async def _seed_review(bot: BotProcess, emu: BotApiEmulator) -> tuple[EmuUser, EmuUser, EmuUser, object, int]:
    """Siti's proposal submitted; Andi and Budi (PIC team 1) in the team's bound group."""
    siti = emu.add_user("Siti", last_name="Operator", started=True)
    andi = emu.add_user("Andi", last_name="PIC", started=True)
    budi = emu.add_user("Budi", last_name="PIC", started=True)
    group = emu.add_group("Tim PIC 1", members=[andi, budi])
    storage, services = await bot.services()
    await seed_registry(services)
    who = await grant(services, siti, Role.OPERATOR, ipwl="JB01")
    await grant(services, andi, Role.PIC, team="TIM1")
    await grant(services, budi, Role.PIC, team="TIM1")
    admin = await services.onboarding.identify(9001, "Admin", private_chat=True, language="id")
    await services.onboarding.bind_group(admin, group.id, "TIM1")
    state = await services.proposals.start(who)
    await services.proposals.add_clients(who, client_inputs())
    await submit_with_consent(services, who, state.proposal.id)
    await storage.close()
    return siti, andi, budi, group, state.proposal.id


def _card(emu: BotApiEmulator, group, proposal_id: int) -> BotMessage | None:
    cards = [m for m in emu.chat_messages(group) if buttons.CARD_DETAIL.data(proposal_id) in _buttons(m)]
    assert len(cards) <= 1, "a second card for the same version"
    return cards[0] if cards else None


def _monday_offset() -> float:
    """Seconds to add to real time so that the bot process believes it is Monday 09.00 WIB."""
    return (MONDAY_9AM - dt.datetime.now(dt.UTC)).total_seconds()


async def _seed_idle_drafts(bot: BotProcess, emu: BotApiEmulator, count: int) -> dict[str, EmuUser]:
    """``count`` IPWL, each with an operator who started the bot and a draft untouched for two hours."""
    storage, services = await bot.services()
    await seed_registry(services)
    csv = "code,name,province_code,regency,address,pks_number,pks_valid_from,pks_valid_until,team\n" + "".join(
        f"X{n:03d},Lembaga {n},32,Kabupaten Bogor,Jl. {n},PKS-X{n},2026-01-01,2027-12-31,TIM1\n" for n in range(count)
    )
    await services.onboarding.import_ipwl(parse_ipwl_csv(csv.encode(), today=services.clock.now().date()))
    earlier = Services(storage, ManualClock(services.clock.now() - dt.timedelta(hours=2)), services.settings)
    by_code: dict[str, EmuUser] = {}
    for n in range(count):
        user = emu.add_user(f"Operator{n}", started=True)
        who = await grant(services, user, Role.OPERATOR, ipwl=f"X{n:03d}")
        state = await earlier.proposals.start(who)
        by_code[state.proposal.code] = user
    await storage.close()
    return by_code


def _received(emu: BotApiEmulator, by_code: dict[str, EmuUser]) -> dict[str, int]:
    """How many reminders about its own draft each operator got."""
    return {code: sum(code in (m.text or "") for m in emu.chat_messages(user)) for code, user in by_code.items()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DEPLOY = ROOT / "deploy"
PREFIX = "/opt/atensi-bot/.venv/bin/atensi-bot"
CONFIG = "/etc/atensi-bot/config.toml"


def unit(name: str) -> dict[str, list[str]]:
    """The [Service] keys of a unit file (each key may repeat)."""
    keys: dict[str, list[str]] = {}
    section = ""
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            keys.setdefault(key, []).append(value)
    return keys


def command_line(service: dict[str, list[str]], instance: str, config: Path) -> tuple[list[str], dict[str, str]]:
    [exec_start] = service["ExecStart"]
    argv = shlex.split(exec_start.replace("%i", instance))
    assert argv[0] == PREFIX and CONFIG in argv, argv
    argv = [str(Path(sys.executable).with_name("atensi-bot")), *(str(config) if a == CONFIG else a for a in argv[1:])]
    env = {}
    for assignment in service.get("Environment", []):
        key, _, value = assignment.replace("%i", instance).partition("=")
        env[key] = value
    return argv, env


def _lock(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def _enospc(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


async def said(world, user: EmuUser, text: str, *, timeout: float = 8) -> list[BotMessage]:
    """``user`` writes; every message the bot sent to that chat until it went quiet."""
    before = len(world.emu.chat_messages(user))
    await world.emu.send_text(user, text)
    await world.emu.wait_for(lambda: len(world.emu.chat_messages(user)) > before, timeout=timeout)
    await world.emu.settle(quiet=0.1)
    return world.emu.chat_messages(user)[before:]


async def _impatient(world) -> None:
    """Restart the bot with a 0.5 s read timeout (production waits 15 s)."""
    await stop_bot(world.app)
    settings = world.settings.model_copy(
        update={
            "telegram": world.settings.telegram.model_copy(
                update={"base_url": world.emu.base_url, "base_file_url": world.emu.base_file_url}
            )
        }
    )
    world.app = build_application(
        settings, storage=world.storage, clock=world.clock, request=HTTPXRequest(read_timeout=0.5)
    )
    deps_of(world.app).errors = []
    await start_bot(world.app, poll_timeout=1)
    world.deps = deps_of(world.app)
    world.services = world.deps.services


SECRET = "kill-test-Secret_1"
LIVE_OPERATORS = 14
IDLE_OPERATORS = 24
READERS = 6
REVIEWED = 6  # proposals sent before the run, half to each team
UPLOADERS = 4
TEAMS = ("TIM1", "TIM2")


@dataclass
class Cast:
    """The people of the run and what they work on."""

    live: list[EmuUser]
    idle: dict[str, EmuUser]  # by the code of their untouched draft
    readers: list[EmuUser]
    groups: dict[str, EmuChat]  # by team code
    pics: dict[str, list[EmuUser]]  # two per team
    reviewed: dict[int, str]  # proposal id -> its team
    uploaders: dict[int, EmuUser]  # by the id of their draft


def _free_ports(count: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _config(tmp: Path, emu: BotApiEmulator, database_url: str) -> Path:
    path = tmp / "config.toml"
    path.write_text(
        "[telegram]\n"
        f'base_url = "{emu.base_url}"\nbase_file_url = "{emu.base_file_url}"\n'
        f'[storage]\nurl = "{database_url}"\nfiles_dir = "{tmp / "files"}"\npool_size = 4\n'
        f'[regions]\nregencies_file = "{SHARED / "wilayah" / "regencies.csv"}"\n'
        "[access]\nadmin_user_ids = [9001]\n[admin]\nbroadcast_check_seconds = 1\n"
        # A dead leader's claimed rows come back after a second (production: 10 minutes).
        "[delivery]\nlease_seconds = 2\n"
        "[reminders]\nfirst_run_seconds = 1\ninterval_minutes = 1\ndraft_idle_hours = 1\n"
        f'[webhook]\nsecret = "{SECRET}"\nclaim_seconds = 3\nretry_seconds = 0.5\nidle_poll_seconds = 0.5\n'
        "leader_check_seconds = 0.3\nheartbeat_seconds = 2\nconcurrency = 4\n"
    )
    return path


async def _seed(config: Path, emu: BotApiEmulator, offset: float) -> Cast:
    settings = load_settings(config, environ={"ATENSI_BOT_TOKEN": TOKEN})
    storage = await Storage.open(settings.storage.target)
    clock = ShiftedClock(offset)
    services = Services(storage, clock, settings)
    try:
        await seed_registry(services)
        total = LIVE_OPERATORS + IDLE_OPERATORS
        csv = "code,name,province_code,regency,address,pks_number,pks_valid_from,pks_valid_until,team\n" + "".join(
            f"{code},Lembaga {code},32,Kabupaten Bogor,Jl. {code},PKS-{code},2026-01-01,2027-12-31,{team}\n"
            for code, team in [
                *((f"X{n:03d}", "TIM1") for n in range(total)),
                *((f"R{n:03d}", TEAMS[n % 2]) for n in range(REVIEWED)),
                *((f"U{n:03d}", "TIM1") for n in range(UPLOADERS)),
            ]
        )
        await services.onboarding.import_ipwl(parse_ipwl_csv(csv.encode(), today=clock.now().date()))
        from bot.clock import ManualClock

        earlier = Services(storage, ManualClock(clock.now() - dt.timedelta(hours=2)), settings)
        live = []
        for n in range(LIVE_OPERATORS):
            user = emu.add_user(f"Operator{n}", started=True)
            await grant(services, user, Role.OPERATOR, ipwl=f"X{n:03d}")
            live.append(user)
        idle: dict[str, EmuUser] = {}
        for n in range(LIVE_OPERATORS, total):
            user = emu.add_user(f"Operator{n}", started=True)
            who = await grant(services, user, Role.OPERATOR, ipwl=f"X{n:03d}")
            state = await earlier.proposals.start(who)
            idle[state.proposal.code] = user
        readers = [emu.add_user(f"Tamu{n}", started=True) for n in range(READERS)]
        rina = emu.add_user("Rina", last_name="Admin", user_id=9001, started=True)
        admin = await operator_identity(services, rina)
        pics = {team: [emu.add_user(f"Pic{team}{i}", started=True) for i in range(2)] for team in TEAMS}
        groups = {}
        for team, members in pics.items():
            for pic in members:
                await grant(services, pic, Role.PIC, team=team)
            groups[team] = emu.add_group(f"Tim PIC {team}", members=members)
            await services.onboarding.bind_group(admin, groups[team].id, team)
        reviewed = {}
        for n in range(REVIEWED):
            who = await grant(services, emu.add_user(f"Pengaju{n}", started=True), Role.OPERATOR, ipwl=f"R{n:03d}")
            state = await services.proposals.start(who)
            await services.proposals.add_clients(who, [_client(100 + n)])
            await submit_with_consent(services, who, state.proposal.id)
            reviewed[state.proposal.id] = TEAMS[n % 2]
        uploaders = {}
        for n in range(UPLOADERS):
            user = emu.add_user(f"Pengunggah{n}", started=True)
            who = await grant(services, user, Role.OPERATOR, ipwl=f"U{n:03d}")
            state = await services.proposals.start(who)
            await services.proposals.add_clients(who, [_client(200 + n)])
            uploaders[state.proposal.id] = user
    finally:
        await storage.close()
    return Cast(live, idle, readers, groups, pics, reviewed, uploaders)


def _client(n: int) -> ClientInput:
    return dataclasses.replace(client_inputs()[0], full_name=_name(n % 26) + " Putri", nik=_nik(n))


async def _claim_every_card(emu: BotApiEmulator, cast: Cast) -> list[CallbackAnswer | None]:
    """Both PICs of a team tap "Claim" on each card of their group at once, as soon as it is there."""

    def card(proposal_id: int, team: str) -> BotMessage | None:
        detail = buttons.CARD_DETAIL.data(proposal_id)
        return next(
            (
                m
                for m in reversed(emu.chat_messages(cast.groups[team]))
                if any(b.callback_data == detail for row in m.buttons for b in row)
            ),
            None,
        )

    answers: list[CallbackAnswer | None] = []
    for proposal_id, team in cast.reviewed.items():
        await until(lambda: card(proposal_id, team) is not None, timeout=60)  # noqa: B023
        shown = card(proposal_id, team)
        assert shown is not None
        claim = buttons.CARD_ACTION.data(proposal_id, "claim")
        answers += await asyncio.gather(*(emu.press(pic, shown, claim, timeout=60) for pic in cast.pics[team]))
    return answers


def _name(n: int) -> str:
    return f"Klien {chr(ord('A') + n)}anti"  # (a name has no digits)


def _nik(n: int) -> str:
    return f"320101450890{n + 1:04d}"  # Kabupaten Bogor, a woman born 5 August 1990


async def _operator_script(emu: BotApiEmulator, user: EmuUser, n: int) -> None:
    """Four answers typed one after the other, as fast as a person with the questions in mind."""
    for text in ("/ajukan", "12/2026", _name(n), _nik(n)):
        await emu.send_text(user, text)
        await asyncio.sleep(0.15)


def _reminders(emu: BotApiEmulator, idle: dict[str, EmuUser]) -> dict[str, int]:
    return {code: sum(code in (m.text or "") for m in emu.chat_messages(user)) for code, user in idle.items()}


BROADCAST = "Rapat evaluasi LPJ: Senin, 7 Desember, 09.00 WIB."


async def _broadcast(config: Path, offset: float) -> int:
    """Rina's /siaran to every operator, confirmed (as her press on "Send" does)."""
    from tests.faults.conftest import operator_identity

    settings = load_settings(config, environ={"ATENSI_BOT_TOKEN": TOKEN})
    storage = await Storage.open(settings.storage.target, pool_size=2)
    try:
        services = Services(storage, ShiftedClock(offset), settings)

        class Rina:
            id, full_name = 9001, "Rina Admin"

        who = await operator_identity(services, Rina)
        await services.broadcasts.begin(who, "all", None)
        preview = await services.broadcasts.draft(who, BROADCAST)
        await services.broadcasts.confirm(who, preview.broadcast.id)
        return preview.broadcast.id
    finally:
        await storage.close()


def _broadcasts(emu: BotApiEmulator, users: list[EmuUser]) -> dict[int, int]:
    return {user.id: sum(BROADCAST in (m.text or "") for m in emu.chat_messages(user)) for user in users}


def _leader(url: str) -> tuple[str, str] | None:
    found = rows(url, "SELECT holder, since FROM leadership")
    return (found[0][0], found[0][1]) if found else None


def db_status(cli: str, config: Path, secrets: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``atensi-bot db status`` run as an operator runs it on the server (the units' secrets in the environment)."""
    return subprocess.run(
        [cli, "db", "status", "--config", str(config)],
        env={**os.environ, **secrets},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def claimed_and_delivered_again(world, t, pid: int, query_id: str) -> tuple[Update, int, str]:
    """Andi presses Claim on the proposal's card and it is handled; → the same press as Telegram would deliver it
    again (its update id, the card as it is now), the update id, and the claim's callback data."""
    claim = buttons.CARD_ACTION.data(pid, "claim")
    await world.emu.press(t.andi, card_of(world, t, pid), claim)
    await world.emu.settle()
    update_id = max(r[0] for r in await world.rows("SELECT update_id FROM processed_updates"))
    query = {
        "id": query_id,
        "from": t.andi.to_dict(),
        "chat_instance": "1",
        "data": claim,
        "message": card_of(world, t, pid).to_dict(),
    }
    return Update.de_json({"update_id": update_id, "callback_query": query}, world.app.bot), update_id, claim

"""The sandbox's demo data: a small, fictional ATENSI partnership, set up the way a centre would.

Every name, address and NIK here is made up (NIKs only have a valid *format*). The data goes in
through the same doors a real centre uses, so the sandbox shows the real workflow rather than
rows written behind the bot's back:

1. the registry (PIC teams, IPWL) through the onboarding service, as ``atensi-bot admin`` does;
2. every person opens their invite link in the chat (``/start <token>``) and the bot enrols them;
3. the admin binds each PIC team's group with ``/hubungkan TIM``;
4. one operator has already submitted a proposal (through the proposal service, as after an
   upload of the client list), so the PIC team has something waiting.

The history is written a day or two in the past (the clock is moved back while seeding), so the
proposal has been waiting for a while when the trainer starts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.clock import today_in
from bot.domain.models import Approach, Component, Role
from bot.domain.regions import zone_of
from bot.domain.validation import parse_nik
from bot.emulator import BotApiEmulator, EmuChat, EmuUser
from bot.files.client_sheet import BudgetInput, ClientInput
from bot.files.ipwl_csv import parse_ipwl_csv
from bot.services import FileUpload, Identity, Services

from .clock import SandboxClock

__all__ = ["Cast", "DemoIpwl", "IPWL", "PEOPLE", "Persona", "TEAMS", "cast_world", "seed"]

log = logging.getLogger("atensi.sandbox.demo")


@dataclass(frozen=True)
class DemoIpwl:
    """One partner institution of the demo."""

    code: str
    name: str
    province_code: str
    regency: str
    address: str
    team: str


@dataclass(frozen=True)
class Persona:
    """Someone the trainer can act as. ``key`` is stable across resets (the page keeps it)."""

    key: str
    first_name: str
    last_name: str
    role: Role | None  # None: someone with no role (a client's relative), who may still /pengaduan
    ipwl: str | None = None
    team: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


TEAMS: tuple[tuple[str, str], ...] = (("TIM1", "Tim PIC 1"), ("TIM2", "Tim PIC 2"))

IPWL: tuple[DemoIpwl, ...] = (
    DemoIpwl("JB01", "Yayasan Harapan Bogor", "32", "Kabupaten Bogor", "Jl. Raya Cibinong 1", "TIM1"),
    DemoIpwl("JB02", "Rumah Pulih Bandung", "32", "Kota Bandung", "Jl. Asia Afrika 2", "TIM1"),
    DemoIpwl("SS01", "Lembaga Sehati Makassar", "73", "Kota Makassar", "Jl. Somba Opu 3", "TIM2"),
    DemoIpwl("PA01", "Yayasan Fajar Jayapura", "91", "Kota Jayapura", "Jl. Ahmad Yani 4", "TIM2"),
)

# Ordered as the page lists them: the operators first (they start the workflow), then the centre.
PEOPLE: tuple[Persona, ...] = (
    Persona("op-jb01", "Siti", "Rahmawati", Role.OPERATOR, ipwl="JB01"),
    Persona("op-jb02", "Agus", "Setiawan", Role.OPERATOR, ipwl="JB02"),
    Persona("op-ss01", "Rahmat", "Hidayat", Role.OPERATOR, ipwl="SS01"),
    Persona("op-pa01", "Yohana", "Wenda", Role.OPERATOR, ipwl="PA01"),
    Persona("pic-tim1-a", "Andi", "Saputra", Role.PIC, team="TIM1"),
    Persona("pic-tim1-b", "Rina", "Marlina", Role.PIC, team="TIM1"),
    Persona("pic-tim2-a", "Yusuf", "Halim", Role.PIC, team="TIM2"),
    Persona("pic-tim2-b", "Nur", "Aisyah", Role.PIC, team="TIM2"),
    Persona("finance", "Maya", "Kusuma", Role.FINANCE),
    Persona("head", "Hendra", "Wijaya", Role.HEAD),
    Persona("admin", "Dimas", "Pratama", Role.ADMIN),
    Persona("complaints", "Lestari", "Wulandari", Role.COMPLAINT_OFFICER),
    # No invite: a client's relative who found the bot, for /pengaduan (open to anyone).
    Persona("guest", "Budi", "Santoso", None),
)

#: The operator whose proposal is already waiting for TIM2, and its clients (name, NIK, address);
#: the NIKs were issued in Kota Makassar (73.71) and tell each client's sex and birth date.
SUBMITTED_BY = "op-ss01"
SUBMITTED_CLIENTS: tuple[tuple[str, str, str], ...] = (
    ("Ahmad Fauzi", "7371011505880007", "Jl. Cendrawasih 12, Kel. Mamajang Dalam"),
    ("Nurhayati", "7371015609920003", "Jl. Veteran Selatan 40, Kel. Mamajang Luar"),
)

#: How long ago the demo's people joined and the proposal was submitted.
JOINED_AGO = dt.timedelta(days=2, hours=3)
SUBMITTED_AGO = dt.timedelta(days=1, hours=2)


def group_title(team_code: str, team_name: str) -> str:
    """The Telegram group of a PIC team, as the centre would name it."""
    return f"{team_name} · ATENSI ({team_code})"


@dataclass(frozen=True)
class Cast:
    """The demo's people and groups in the emulator, by persona key and team code."""

    users: dict[str, EmuUser]
    groups: dict[str, EmuChat]
    centre_zone: str

    def zone(self, persona: Persona) -> str:
        """The IANA zone a persona lives in: their IPWL's province, or the centre's."""
        if persona.ipwl is not None:
            ipwl = next(i for i in IPWL if i.code == persona.ipwl)
            return zone_of(ipwl.province_code)
        return self.centre_zone

    def chats_of(self, persona: Persona) -> list[EmuChat]:
        """The groups a persona is a member of (besides their private chat with the bot)."""
        user = self.users[persona.key]
        return [group for group in self.groups.values() if user.id in group.members]


def cast_world(emu: BotApiEmulator, centre_zone: str) -> Cast:
    """Create the demo's users and groups in a fresh emulator (ids are the same every time)."""
    users = {p.key: emu.add_user(p.first_name, last_name=p.last_name, language_code="id") for p in PEOPLE}
    admin = users["admin"]
    groups = {}
    for code, name in TEAMS:
        pics = [users[p.key] for p in PEOPLE if p.role == Role.PIC and p.team == code]
        # The admin created the group and added the bot, as the README's setup describes.
        groups[code] = emu.add_group(group_title(code, name), members=pics, creator=admin)
    return Cast(users, groups, centre_zone)


def _ipwl_csv(today: dt.date) -> bytes:
    """The registry as the CSV an admin imports; the PKS runs from last year to next year."""
    valid_from, valid_until = dt.date(today.year - 1, 1, 1), dt.date(today.year + 1, 12, 31)
    lines = ["code,name,province_code,regency,address,pks_number,pks_valid_from,pks_valid_until,team"]
    for number, i in enumerate(IPWL, start=1):
        lines.append(
            f"{i.code},{i.name},{i.province_code},{i.regency},{i.address},"
            f"PKS-{number:03d}/{valid_from.year},{valid_from},{valid_until},{i.team}"
        )
    return ("\n".join(lines) + "\n").encode()


async def seed_registry(services: Services) -> None:
    """PIC teams and IPWL, through the same service the command line uses."""
    for code, name in TEAMS:
        await services.onboarding.create_team(code, name)
    today = today_in(services.clock, services.settings.locale.timezone)  # the centre's register
    rows = parse_ipwl_csv(_ipwl_csv(today), today=today)
    await services.onboarding.import_ipwl(rows)


async def enrol_everyone(emu: BotApiEmulator, services: Services, cast: Cast) -> None:
    """Each person opens their single-use invite link; the admin then binds the team groups.

    Waits for the outcome in the database, not for the chat to go quiet: on a loaded machine the
    bot may still be inside a handler when the emulator has been idle for a while.
    """
    enrolled = [p for p in PEOPLE if p.role is not None]
    for persona in enrolled:
        assert persona.role is not None
        invite = await services.onboarding.create_invite(persona.role, ipwl_code=persona.ipwl, team_code=persona.team)
        await emu.send_text(cast.users[persona.key], f"/start {invite.token}")
    for persona in enrolled:
        if not await _eventually(functools.partial(_enrolled, services, cast, persona)):
            raise RuntimeError(f"demo seeding failed: {persona.key} was not enrolled by /start")
    for code, group in cast.groups.items():
        await emu.send_text(cast.users["admin"], f"/hubungkan {code}", chat=group)
    for code, _ in TEAMS:
        if not await _eventually(functools.partial(_bound, services, code)):
            raise RuntimeError(f"demo seeding failed: the group of {code} was not bound by /hubungkan")
    await emu.settle()


async def _enrolled(services: Services, cast: Cast, persona: Persona) -> bool:
    return bool((await _identity(services, cast, persona)).actor.grants)


async def _bound(services: Services, code: str) -> bool:
    return any(team.code == code and team.group_chat_id for team, _count in await services.onboarding.teams())


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> bool:
    """Poll ``check`` until it is true or ``timeout`` seconds have passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def _client(position: int, name: str, nik: str, address: str, today: dt.date) -> ClientInput:
    info = parse_nik(nik, today=today)
    return ClientInput(
        row=position + 1,
        full_name=name,
        nik=nik,
        sex=info.sex,
        birth_date=info.birth_date,
        province_code=info.province_code,
        regency="Kota Makassar",
        address=address,
        phone=None,
        approach=Approach.KELUARGA,
        components=(Component.FAMILY, Component.THERAPY),
        assessment="Pengguna sabu sejak 3 tahun, sudah menjalani detoksifikasi; keluarga mendukung pemulihan.",
        intervention_plan="Konseling keluarga dua mingguan dan terapi psikososial kelompok selama 3 bulan.",
        budget=(
            BudgetInput(Component.FAMILY, "Konseling keluarga", 6, 250_000),
            BudgetInput(Component.THERAPY, "Terapi psikososial kelompok", 3, 400_000),
        ),
    )


async def submit_waiting_proposal(services: Services, cast: Cast) -> str:
    """The Makassar operator's proposal, already sent to TIM2; returns its code."""
    persona = next(p for p in PEOPLE if p.key == SUBMITTED_BY)
    who = await _identity(services, cast, persona)
    today = today_in(services.clock, cast.zone(persona))  # the operator's day, in Makassar
    draft = await services.proposals.start(who)
    clients = [_client(n, name, nik, address, today) for n, (name, nik, address) in enumerate(SUBMITTED_CLIENTS, 1)]
    state = await services.proposals.add_clients(who, clients)
    # Each client signed the IPWL's consent form (issue 17.6): recorded with a photo of it.
    for client in state.without_consent:
        form = FileUpload(f"demo-consent-{client.id}", None, f"persetujuan-{client.position}.jpg", "image/jpeg", 0)
        await services.proposals.record_consent(
            who, client.id, form, sha256=hashlib.sha256((form.file_name or "").encode()).hexdigest(), stored_path=None
        )
    submitted = await services.proposals.submit(who, draft.proposal.id)
    return submitted.proposal.code


async def _identity(services: Services, cast: Cast, persona: Persona) -> Identity:
    user = cast.users[persona.key]
    return await services.onboarding.identify(user.id, user.full_name, private_chat=True, language=user.language_code)


async def seed(emu: BotApiEmulator, services: Services, clock: SandboxClock, *, centre_zone: str) -> Cast:
    """Fill a fresh emulator and an empty database (the bot must be running: people use the chat).

    Leaves the clock at real time; the history lies in the past.
    """
    cast = cast_world(emu, centre_zone)
    clock.set_offset(-JOINED_AGO)
    await seed_registry(services)
    await enrol_everyone(emu, services, cast)
    clock.set_offset(-SUBMITTED_AGO)
    await submit_waiting_proposal(services, cast)
    # Let the bot deliver what the submission announced while the clock still says "yesterday".
    await outbox_drained(services)
    await emu.settle()
    clock.set_offset(dt.timedelta())
    return cast


async def outbox_drained(services: Services, timeout: float = 15.0) -> None:
    """Wait until the outbox sender has handled every pending notification (or give up)."""

    async def drained() -> bool:
        async with services.storage.reading() as uow:
            return not (await uow.outbox.counts()).get("pending")

    if not await _eventually(drained, timeout):
        log.warning("demo seeding: notifications still pending after %.0f s", timeout)

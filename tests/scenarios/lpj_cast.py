"""The LPJ stories' cast and steps: everyone enrolled and team 1's group bound, a person's phone, the reminder job
run at a chosen moment (to operators in Papua and in Bogor), the reminders a person got, and an LPJ filled by
chat — shared by the LPJ, reminder, SP2D, staff-decision and admin-refusal stories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.models import Role
from bot.emulator import BotMessage, EmuChat, EmuUser
from handlers import buttons
from handlers.context import BotContext
from handlers.reminders import job_send_reminders
from tests.helpers import jpeg, pdf
from tests.seeds import seed_proposal

WIB = ZoneInfo("Asia/Jakarta")
DUE = dt.date(2026, 12, 28)
PDF = pdf("kuitansi")
JPEG = jpeg(b"foto kegiatan")


def at(day: dt.date, hour: int, minute: int = 0, zone: ZoneInfo = WIB) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(dt.UTC)


@dataclass
class Cast:
    siti: EmuUser
    andi: EmuUser
    bayu: EmuUser
    fitri: EmuUser
    hadi: EmuUser
    group: EmuChat


async def cast(world) -> Cast:
    """Everyone enrolled; team 1's group bound by the admin."""
    siti = world.emu.add_user("Siti", last_name="Operator")
    andi, bayu = world.emu.add_user("Andi", last_name="PIC"), world.emu.add_user("Bayu", last_name="PIC")
    fitri, hadi = world.emu.add_user("Fitri", last_name="Keuangan"), world.emu.add_user("Hadi", last_name="Kepala")
    for user, role, scope in (
        (siti, Role.OPERATOR, {"ipwl": "JB01"}),
        (andi, Role.PIC, {"team": "TIM1"}),
        (bayu, Role.PIC, {"team": "TIM1"}),
        (fitri, Role.FINANCE, {}),
        (hadi, Role.HEAD, {}),
    ):
        await world.enrol(user, role, **scope)
    group = world.emu.add_group("Tim PIC 1", members=[andi, bayu])
    admin = await world.services.onboarding.identify(9001, "Admin", private_chat=True, language="id")
    await world.services.onboarding.bind_group(admin, group.id, "TIM1")
    return Cast(siti, andi, bayu, fitri, hadi, group)


async def run_job(world, moment: dt.datetime) -> None:
    """The JobQueue's repeating job, run at ``moment`` (the test moves the clock, not the wall time)."""
    world.clock.set(moment)
    await job_send_reminders(BotContext(world.app))
    await world.drain()


class Phone:
    """A person's phone: types, taps buttons by the end of their callback data, sends files."""

    def __init__(self, world, user: EmuUser) -> None:
        self.world, self.user = world, user

    async def type(self, text: str) -> BotMessage:
        replies = await self.world.say(self.user, text)
        assert replies, f"no answer to {text!r}"
        return replies[-1]

    def button(self, data: str, message: BotMessage | None = None) -> str:
        """``data`` (from its codec in handlers/buttons.py), checked to be on ``message``."""
        message = message or self.world.last(self.user)
        found = [b.callback_data for row in message.buttons for b in row if b.callback_data and b.callback_data == data]
        assert found, f"no button {data} in {[b.callback_data for row in message.buttons for b in row]}"
        return found[0]

    async def tap(self, data: str, message: BotMessage | None = None):
        message = message or self.world.last(self.user)
        return await self.world.press(self.user, message, self.button(data, message))

    async def send(self, name: str, content: bytes = PDF, mime: str = "application/pdf", **kw: object) -> BotMessage:
        await self.world.emu.send_document(self.user, file_name=name, content=content, mime_type=mime, **kw)
        await self.world.emu.settle()
        return self.world.last(self.user)

    async def photo(self, content: bytes = JPEG) -> BotMessage:
        await self.world.emu.send_photo(self.user, content=content)
        await self.world.emu.settle()
        return self.world.last(self.user)


def reminder_rows(rows: list[tuple]) -> list[str]:
    return [r[0].split(":", 1)[1].rsplit(":", 1)[0] for r in rows]


async def fill_lpj_by_chat(world, siti: Phone, served: str = "01-11-2026 s/d 30-12-2026") -> None:
    """Siti reports three clients' services, the money (one line above the RAB) and the evidence."""
    first = await siti.type("/lpj")
    assert "Siti Rahayu" in first.text  # client 1's services are asked first
    await siti.type(served)
    await siti.tap(buttons.LPJ_ANSWER.data("same"))  # client 2: same dates, one tap
    await siti.tap(buttons.LPJ_ANSWER.data("same"))  # client 3
    line = world.last(siti.user)
    assert "Rp1.500.000" in line.text  # line 1: Paket sembako, RAB Rp1.500.000
    note = await siti.type("1.600.000")
    assert "Rp100.000" in note.text and siti.button(
        buttons.LPJ_ANSWER.data("back"), note
    )  # above the RAB: a note is asked
    nxt = await siti.type("Harga sembako naik menjelang Natal dan Tahun Baru.")
    assert "+Rp100.000" in nxt.text  # the variance of the line just saved
    await siti.tap(buttons.LPJ_ANSWER.data("rab"))  # line 2 exactly as budgeted
    await siti.tap(buttons.LPJ_ANSWER.data("all"))  # every remaining line as budgeted: on to the evidence
    receipt = await siti.send("kuitansi-sembako.pdf")
    assert "🧾" in receipt.text and not receipt.buttons  # its amount is asked next
    meterai = await siti.type("6.000.000")
    assert "Rp10.000" in meterai.text and siti.button(
        buttons.LPJ_ANSWER.data("yes"), meterai
    )  # "Kuitansi ini bermeterai Rp10.000?"
    await siti.tap(buttons.LPJ_ANSWER.data("yes"))
    await siti.send("kuitansi-konseling.pdf")
    await siti.type("150.000")
    await add_photo_and_bast(siti, "bast-bertanda-tangan.pdf")


async def add_photo_and_bast(siti: Phone, bast: str = "bast.pdf") -> None:
    """The evidence after the receipts: a photo of the activity and the BAST, then the review."""
    await siti.tap(buttons.LPJ_ANSWER.data("photo"))
    await siti.photo()
    await siti.tap(buttons.LPJ_ANSWER.data("bast"))
    await siti.send(bast)
    await siti.tap(buttons.LPJ_ANSWER.data("review"))


async def submit_a_plain_lpj(world, siti: Phone, pid: int) -> None:
    """Siti files one client's LPJ by chat: served 1–27 November, every line as budgeted, one receipt of
    Rp2.000.000, the photo and the BAST; submitted, and the card reaches the group."""
    await siti.type("/lpj")
    await siti.type("01-11-2026 s/d 27-11-2026")
    await siti.tap(buttons.LPJ_ANSWER.data("all"))
    await siti.send("kuitansi.pdf")
    await siti.type("2.000.000")
    await add_photo_and_bast(siti)
    await siti.tap(buttons.LPJ_SUBMIT.data(pid))
    await world.drain()


async def siti_with_an_open_lpj(world, clients: int = 2):
    user = world.emu.add_user("Siti", last_name="Operator")
    await world.enrol(user, Role.OPERATOR, ipwl="JB01")
    pid = await seed_proposal(world.services, ipwl="JB01", clients=clients, due_on=DUE)
    siti = Phone(world, user)
    await siti.type("/lpj")
    return siti, pid


async def counts(world) -> list[tuple]:
    return await world.rows(
        "SELECT (SELECT count(*) FROM lpj_realizations), (SELECT count(*) FROM lpj_services),"
        " (SELECT count(*) FROM lpj_evidence), (SELECT count(*) FROM attachments),"
        " (SELECT draft_cursor FROM lpj), (SELECT status FROM proposals)"
    )


async def operators_in_papua_and_bogor(world):
    """Yohana, an operator of PA01 (in WIT), and Siti, of JB01 (in WIB)."""
    yohana, siti = world.emu.add_user("Yohana", last_name="Jayapura"), world.emu.add_user("Siti", last_name="Bogor")
    await world.enrol(yohana, Role.OPERATOR, ipwl="PA01")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    return yohana, siti


def reminders_to(world, user) -> list[str]:
    """The LPJ reminders in the person's chat (each points to /lpj)."""
    return [m.text for m in world.emu.chat_messages(user) if "/lpj" in m.text]

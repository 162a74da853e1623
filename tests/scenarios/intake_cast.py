"""The intake stories' cast and steps: Siti (an operator of JB01) on her phone, three fictional clients, a client
added by conversation, a draft opened for an upload, a submitted proposal, and what is kept after (the files in the
store, a client's budget lines, a message as the chat shows it now) — shared by the intake, upload, office file,
evidence file, duplicate, wording, fault and security tests."""

from __future__ import annotations

from pathlib import Path

from bot.domain.models import Role
from bot.emulator import BotMessage
from handlers import buttons
from tests.scenarios.conftest import consent_in_chat

# Three fictional clients; NIKs issued in Kabupaten Bogor (32.01).
CLIENTS = [
    ("Siti Rahayu", "3201014508900004"),  # a woman born 5 Aug 1990
    ("Budi Santoso", "3201011203850002"),  # a man born 12 Mar 1985
    ("Dewi Lestari", "3201015702950003"),  # a woman born 17 Feb 1995
]


class Operator:
    """Siti's phone: counts every message she sends and every button she taps."""

    def __init__(self, world, user) -> None:
        self.world, self.user, self.actions = world, user, 0

    async def type(self, text: str) -> BotMessage:
        self.actions += 1
        replies = await self.world.say(self.user, text)
        assert replies, f"no answer to {text!r}"
        return replies[-1]

    async def tap(self, data: str, message: BotMessage | None = None) -> BotMessage:
        """Press the button whose callback data is ``data`` (from its codec in handlers/buttons.py)."""
        self.actions += 1
        message = message or self.world.last(self.user)
        assert any(b.callback_data == data for row in message.buttons for b in row), (data, message.buttons)
        await self.world.press(self.user, message, data)
        return self.world.last(self.user)


async def operator(world) -> Operator:
    siti = world.emu.add_user("Siti", last_name="Operator", language_code="id")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    return Operator(world, siti)


def stop_button(ask: BotMessage) -> str:
    """The "⏸ Berhenti, simpan draf" button of a /batal question (it carries the question's token)."""
    return next(b.callback_data for row in ask.buttons for b in row if buttons.DRAFT_STOP.parse(b.callback_data))


async def add_client(op: Operator, name: str, nik: str, *, first: bool) -> None:
    await op.type(name)
    await op.type(nik)
    await op.tap(
        buttons.INTAKE_ANSWER.data("here")
    )  # the NIK's birth date and sex are right, and she lives where it was issued
    await op.type("Jl. Melati 3 RT 01/02, Desa Cibinong")  # (no phone number)
    if first:
        await op.tap(buttons.INTAKE_ANSWER.data("keluarga"))
        await op.tap(buttons.INTAKE_ANSWER.data(1))
        await op.tap(buttons.INTAKE_ANSWER.data(3))
        await op.tap(buttons.INTAKE_ANSWER.data("done"))
    else:
        await op.tap(buttons.INTAKE_ANSWER.data("same"))  # same approach and components as the previous client
    await op.type("Pengguna sabu 3 tahun, sudah detoks, keluarga mendukung.")
    await op.type("Konseling keluarga dan dukungan sembako selama 3 bulan.")
    if first:
        await op.type("Paket sembako, 3 x 500.000")  # asked straight away for component 1
    else:
        await op.tap(buttons.INTAKE_ANSWER.data("copy"))


async def first_client_up_to_the_plan(op: Operator, components: str) -> BotMessage:
    """The first of CLIENTS typed in: name, NIK (she lives where it was issued), the address, the family approach,
    ``components`` typed (e.g. "1, 4"), the assessment and the plan; returns the answer to the plan."""
    name, nik = CLIENTS[0]
    await op.type(name)
    await op.type(nik)
    await op.tap(buttons.INTAKE_ANSWER.data("here"))
    await op.type("Jl. Melati 3 RT 01/02, Desa Cibinong")
    await op.tap(buttons.INTAKE_ANSWER.data("keluarga"))
    await op.type(components)
    await op.type(ASSESSMENT)
    return await op.type(PLAN)


async def submitted_proposal(world, op: Operator) -> int:
    await op.type("/ajukan")
    await op.tap(buttons.INTAKE_ANSWER.data("this"))
    await add_client(op, *CLIENTS[0], first=True)
    await op.tap(buttons.INTAKE_ANSWER.data("review"))
    review = world.last(op.user)
    await op.tap(
        next(b.callback_data for row in review.buttons for b in row if buttons.PROPOSAL_SUBMIT.parse(b.callback_data)),
        review,
    )
    review = await consent_in_chat(world, op.user)
    await op.tap(
        next(b.callback_data for row in review.buttons for b in row if buttons.PROPOSAL_SUBMIT.parse(b.callback_data)),
        review,
    )
    return (await world.rows("SELECT id FROM proposals"))[0][0]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def open_draft(world, language: str = "id") -> Operator:
    """Siti, an operator of JB01, with a new draft open for this month."""
    siti = world.emu.add_user("Siti", language_code=language)
    if language != "id":
        await world.speaks(siti, language)
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    op = Operator(world, siti)
    await op.type("/ajukan")
    await op.tap(buttons.INTAKE_ANSWER.data("this"))
    return op


ASSESSMENT = "Pengguna sabu 3 tahun, sudah detoks, keluarga mendukung."
PLAN = "Konseling keluarga dan dukungan sembako selama 3 bulan."


async def start(op: Operator) -> None:
    await op.type("/ajukan")
    await op.tap(buttons.INTAKE_ANSWER.data("next"))  # December 2026


def stored_files(world) -> list[Path]:
    """Every file in the file store (as sealed on disk), sorted."""
    root = world.settings.storage.files_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def shown(world, op: Operator, message_id: int) -> BotMessage:
    """The message as Siti's chat shows it now (after any edit)."""
    return next(m for m in world.emu.chat_messages(op.user) if m.message_id == message_id)


async def budget_of(world, nik: str) -> list[tuple]:
    """The budget lines stored for the client with ``nik`` (component, description, quantity, unit cost)."""
    return await world.rows(
        "SELECT b.component, b.description, b.quantity, b.unit_cost FROM budget_lines b"
        " JOIN clients c ON c.id = b.client_id WHERE c.nik_index = ? ORDER BY b.id",
        world.storage.keys.blind("nik", nik),
    )

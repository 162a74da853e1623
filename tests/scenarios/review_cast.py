"""The review stories' cast and steps: a team (operator, two PICs, a group), a submitted proposal, its live card,
and the presses on it — shared by the review, payment, fault and security tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.models import Approach, Component, Role, Sex
from bot.emulator import BotMessage, EmuChat, EmuUser
from bot.files.client_sheet import BudgetInput, ClientInput
from handlers import buttons
from tests.helpers import pdf, submit_with_consent

PDF = pdf("surat pengantar")


CLIENTS = [  # (name, NIK, address): fictional, NIK issued in Kabupaten Bogor
    ("Siti Rahayu", "3201014508900004", "Jl. Melati 3 RT 01/02, Desa Cibinong"),
    ("Budi Santoso", "3201011203850002", "Jl. Mawar 7 RT 03/04, Desa Pakansari"),
    ("Dewi Lestari", "3201015702950003", "Jl. Kenanga 9 RT 05/06, Desa Tengah"),
]


@dataclass
class Team:
    op: EmuUser
    andi: EmuUser
    budi: EmuUser
    citra: EmuUser
    stranger: EmuUser
    head: EmuUser
    group: EmuChat


async def team(world) -> Team:
    """The registry with people enrolled and the group bound to team 1."""
    op = world.emu.add_user("Siti", last_name="Operator")
    andi, budi = world.emu.add_user("Andi", last_name="PIC"), world.emu.add_user("Budi", last_name="PIC")
    citra, stranger = world.emu.add_user("Citra", last_name="Tim2"), world.emu.add_user("Tamu")
    head = world.emu.add_user("Hana", last_name="Kepala")
    for user, role, scope in (
        (op, Role.OPERATOR, {"ipwl": "JB01"}),
        (andi, Role.PIC, {"team": "TIM1"}),
        (budi, Role.PIC, {"team": "TIM1"}),
        (citra, Role.PIC, {"team": "TIM2"}),
        (head, Role.HEAD, {}),
    ):
        await world.enrol(user, role, **scope)
    group = world.emu.add_group("Tim PIC 1", members=[andi, budi, citra, stranger])
    admin = await world.services.onboarding.identify(9001, "Admin", private_chat=True, language="id")
    await world.services.onboarding.bind_group(admin, group.id, "TIM1")
    return Team(op, andi, budi, citra, stranger, head, group)


def client_inputs(rows=CLIENTS) -> list[ClientInput]:
    born = {
        "3201014508900004": (Sex.FEMALE, dt.date(1990, 8, 5)),
        "3201011203850002": (Sex.MALE, dt.date(1985, 3, 12)),
        "3201015702950003": (Sex.FEMALE, dt.date(1995, 2, 17)),
    }
    return [
        ClientInput(
            row=i + 2,
            full_name=name,
            nik=nik,
            sex=born[nik][0],
            birth_date=born[nik][1],
            province_code="32",
            regency="Kabupaten Bogor",
            address=address,
            phone=None,
            approach=Approach.KELUARGA,
            components=(Component.LIVING_NEEDS,),
            assessment="Pengguna sabu 3 tahun, sudah detoks.",
            intervention_plan="Dukungan sembako 3 bulan.",
            budget=(BudgetInput(Component.LIVING_NEEDS, "Paket sembako", 3, 500_000),),
        )
        for i, (name, nik, address) in enumerate(rows)
    ]


async def operator(world, user: EmuUser):
    return await world.services.onboarding.identify(user.id, user.full_name, private_chat=True, language="id")


async def submitted(world, t: Team) -> int:
    """Siti prepares a three-client proposal (client list + one letter uploaded in chat) and sends it."""
    who = await operator(world, t.op)
    state = await world.services.proposals.start(who)
    await world.services.proposals.add_clients(who, client_inputs())
    await world.emu.send_document(t.op, file_name="surat-pengantar.pdf", content=PDF, mime_type="application/pdf")
    await world.emu.settle()
    await submit_with_consent(world.services, who, state.proposal.id)
    await world.drain()
    return state.proposal.id


def card(world, t: Team, proposal_id: int) -> BotMessage:
    """The live card of a proposal in the group (the one with its Detail button)."""
    return next(
        m
        for m in reversed(world.emu.chat_messages(t.group))
        if any(b.callback_data == buttons.CARD_DETAIL.data(proposal_id) for row in m.buttons for b in row)
    )


async def verified_by_andi(world, t: Team, proposal_id: int) -> None:
    """Andi claims the proposal from its group card and verifies it."""
    await tap(world, t.andi, card(world, t, proposal_id), buttons.CARD_ACTION.data(proposal_id, "claim"))
    await tap(world, t.andi, card(world, t, proposal_id), buttons.CARD_ACTION.data(proposal_id, "verify"))


async def validated_by_the_team(world, t: Team, proposal_id: int) -> None:
    """Andi claims and verifies the proposal from its group card, Budi validates it (four eyes)."""
    await verified_by_andi(world, t, proposal_id)
    await tap(world, t.budi, card(world, t, proposal_id), buttons.CARD_ACTION.data(proposal_id, "validate"))


def datas(message: BotMessage) -> set[str]:
    return {b.callback_data for row in message.buttons for b in row if b.callback_data}


async def tap(world, user: EmuUser, message: BotMessage, data: str):
    answer = await world.press(user, message, data)
    assert answer is not None, f"{data} was not answered"
    return answer


async def status(world, proposal_id: int) -> tuple:
    return (
        await world.rows(
            "SELECT status, claimed_by, verified_by, validated_by, version FROM proposals WHERE id = ?", proposal_id
        )
    )[0]


async def person_id(world, user: EmuUser) -> int:
    return (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", user.id))[0][0]


async def give_reasons(world, pic: EmuUser, proposal_id: int, action: str, ticks: list[str], text: str) -> None:
    """Return/Reject pressed on the card, then the checklist and the reason in the private chat."""
    answer = await tap(
        world, pic, card(world, world.team, proposal_id), buttons.CARD_DECISION.data(proposal_id, action)
    )
    assert not answer.show_alert, answer.text
    checklist = world.last(pic)
    for tick in ticks:
        await tap(world, pic, checklist, buttons.DECISION_REASON.data(proposal_id, tick))
        checklist = world.last(pic)
    await world.say(pic, text)
    await tap(world, pic, world.last(pic), buttons.DECISION_REASON.data(proposal_id, "ok"))

"""The consent stories' cast and steps (tests/scenarios/test_consent.py): an adult client and a child who consents
through a guardian, the proposal's send button, and a consent's withdrawal asked from the consent sheet."""

from __future__ import annotations

import datetime as dt

from bot.domain.models import Approach, Component, Sex
from bot.files.client_sheet import BudgetInput, ClientInput
from handlers import buttons
from tests.scenarios.conftest import World
from tests.scenarios.review_cast import datas

ADULT = ("Budi Santoso", "3201011203850002", Sex.MALE, dt.date(1985, 3, 12))
CHILD = ("Rina Putri", "3201015503120001", Sex.FEMALE, dt.date(2012, 3, 15))  # 14 at the time of the story


def consent_clients() -> list[ClientInput]:
    return [
        ClientInput(
            row=i + 2,
            full_name=name,
            nik=nik,
            sex=sex,
            birth_date=born,
            province_code="32",
            regency="Kabupaten Bogor",
            address="Jl. Melati 3 RT 01/02, Desa Cibinong",
            phone=None,
            approach=Approach.KELUARGA,
            components=(Component.LIVING_NEEDS,),
            assessment="Pengguna sabu 1 tahun, keluarga mendukung.",
            intervention_plan="Sembako 3 bulan.",
            budget=(BudgetInput(Component.LIVING_NEEDS, "Paket sembako", 3, 500_000),),
        )
        for i, (name, nik, sex, born) in enumerate((ADULT, CHILD))
    ]


def send_button(message) -> str:
    return next(
        b.callback_data for row in message.buttons for b in row if buttons.PROPOSAL_SUBMIT.parse(b.callback_data)
    )


async def withdraw_asked(world: World, user, sheet, name: str):
    """From the sheet: the client's consent opened in place, then ✋ Cabut persetujuan: the question."""
    await world.press(user, sheet, next(b.callback_data for row in sheet.buttons for b in row if name in b.text))
    opened = world.last(user)
    assert opened.message_id == sheet.message_id and name in opened.text
    asked = next(d for d in datas(opened) if buttons.CONSENT_WITHDRAW_ASKED.parse(d))
    assert "✋ Cabut persetujuan" in opened.button_texts
    await world.press(user, opened, asked)
    return world.last(user)

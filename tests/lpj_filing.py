"""An LPJ filed through the service, without Telegram: the uploads, and every step answered."""

from __future__ import annotations

from bot.domain.lpj_intake import Reply, Step
from bot.services import Identity, Services
from tests.helpers import telegram_file


async def fill_complete(services: Services, who: Identity, proposal_id: int) -> None:
    """Services for every client, every line as budgeted, a receipt, a photo and the BAST."""
    lpj = services.lpj
    state = await lpj.open(who, proposal_id=proposal_id)
    while state.cursor.step == Step.SERVICES:
        state = await lpj.answer(who, Reply(text="01-11-2026 s/d 27-11-2026"))
    state = await lpj.answer(who, Reply(choice="all"))
    assert state.cursor.step == Step.EVIDENCE
    state = await lpj.attach(who, telegram_file("kuitansi.pdf"), sha256="a" * 64, stored_path=None)
    state = await lpj.answer(who, Reply(text=str(state.content.realized_total)))
    if state.cursor.step == Step.METERAI:
        state = await lpj.answer(who, Reply(choice="yes"))
    for kind, name in (("photo", "foto.jpg"), ("bast", "bast.pdf")):
        await lpj.answer(who, Reply(choice=kind))
        await lpj.attach(
            who,
            telegram_file(name, "image/jpeg" if name.endswith("jpg") else "application/pdf"),
            sha256="b" * 64,
            stored_path=None,
        )

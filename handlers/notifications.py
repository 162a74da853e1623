"""Renderers of the notifications every part of the bot shares (the outbox kinds)."""

from __future__ import annotations

from typing import Any

from bot.i18n import N_, Translator
from handlers.context import Deps
from handlers.outbox import Rendered
from handlers.views import _


async def render_delivery_failed(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered:
    """Tell an admin that a chat could not be reached (blocked the bot, never started it, gone)."""
    who = str(params.get("chat_id"))
    if params.get("person_id"):
        async with deps.services.storage.reading() as uow:
            person = await uow.people.by_id(int(params["person_id"]))
        if person is not None:
            who = person.full_name
    return Rendered(
        _(
            t,
            N_(
                "⚠️ A notification could not be delivered to {who}: the bot is blocked there or "
                "the chat no longer exists. Ask them to open the bot and press Start."
            ),
            who=who,
        )
    )

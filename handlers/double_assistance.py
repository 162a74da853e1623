"""Double assistance (issue 16.1): a PIC of the IPWL's team or the head decides whether a client held
(or warned) for a same-NIK conflict is the same person or not — the button on the client in Detail or
under the SK annex, then 🟰 for the same person, and the reason typed in the private chat."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.i18n import N_, Translator
from handlers.context import BotContext, Deps
from handlers.keyboards import client_changes as change_kb
from handlers.keyboards import reviews as review_kb
from handlers.outbox import Rendered
from handlers.replies import answer_press, answers_refusals, int_arg, reply, typed_text
from handlers.reviews import send_private
from handlers.views import _
from handlers.views import double_assistance as dv


@answers_refusals
async def on_adjudicate_pressed(update: Update, context: BotContext) -> None:
    """⚖️ Decide: the client's conflicts and what to type, in the presser's private chat."""
    who, t = await context.identify_reader(update)
    found = await context.services.double_assistance.start(who, int_arg(update))

    async def send(chat_id: int) -> None:
        markup = review_kb.adjudication(t, found.client.id)
        await context.bot.send_message(chat_id, dv.adjudication_prompt(t, found), reply_markup=markup)

    if await send_private(update, context, who, send):
        await answer_press(update, _(t, N_("Type the reason in your private chat with the bot.")))


@answers_refusals
async def on_same_person_pressed(update: Update, context: BotContext) -> None:
    """🟰 The same person: how it was established is asked for, in the presser's private chat."""
    who, t = await context.identify_reader(update)
    found = await context.services.double_assistance.start(who, int_arg(update), same_person=True)

    async def send(chat_id: int) -> None:
        await context.bot.send_message(chat_id, dv.adjudication_prompt(t, found))

    if await send_private(update, context, who, send):
        await answer_press(update, _(t, N_("Type the reason in your private chat with the bot.")))


async def on_adjudication_text(update: Update, context: BotContext) -> None:
    """The reason typed: recorded (who, when, why), and what it changed."""
    who, t = await context.identify_reader(update)
    decided = await context.services.double_assistance.decide(who, typed_text(update))
    await reply(update, dv.adjudicated(t, decided))


async def render_same_person(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To the client's operators: the same person, and the way to remove them (a button once decreed)."""
    found = await deps.services.double_assistance.same_person(int(params["client_id"]))
    if found is None:
        return None
    markup = change_kb.remove_client(t, found.client.id) if found.changeable else None
    return Rendered(dv.same_person_notice(t, found), markup)

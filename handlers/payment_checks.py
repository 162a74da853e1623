"""Post-payment checks (issue 16.4): the PIC's private card with the client's four possible
answers, the typed amount for "received less", and the head's notice of a mismatch."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.i18n import Translator
from bot.services.payment_checks import AmountPrompt, Attempted
from handlers.context import BotContext, Deps
from handlers.keyboards import payment_checks as kb
from handlers.outbox import Rendered
from handlers.replies import (
    answer_press,
    answers_refusals,
    button_arg,
    close_buttons,
    int_arg,
    redraw,
    reply,
    typed_text,
)
from handlers.views import payment_checks as pv


@answers_refusals
async def on_answer_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    query = update.callback_query
    pressed = query.message.message_id if query is not None and query.message is not None else None
    result = await context.services.payment_checks.answer(
        who, int_arg(update), button_arg(update, 1), pressed_message_id=pressed
    )
    if isinstance(result, AmountPrompt):
        await answer_press(update)
        await reply(update, pv.amount_prompt(t, result.check), reply_markup=kb.cancel(t, result.check.id))
        return
    if isinstance(result, Attempted):
        await redraw(update, pv.card(t, result.check, allowed=result.allowed))
        await reply(update, pv.call_again(t, result))
        return
    # The card keeps the answer, without its buttons (the colleagues' copies are edited through the outbox).
    await redraw(update, pv.card(t, result.check))


async def on_amount_text(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    result = await context.services.payment_checks.amount_text(who, typed_text(update))
    await reply(update, pv.card(t, result.check))


@answers_refusals
async def on_cancel_pressed(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await context.services.payment_checks.cancel_amount(who)
    await close_buttons(update)
    await reply(update, pv.amount_cancelled(context.translator(who)))


async def render_check(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To a PIC, privately: the card (dropped if a colleague has answered it meanwhile)."""
    check = await deps.services.payment_checks.card(int(params["check_id"]))
    if check is None or check.status != "pending":
        return None
    allowed = deps.services.payment_checks.unreachable_attempts
    return Rendered(pv.card(t, check, allowed=allowed, live=True), kb.answers(t, check.id))


async def render_copy_update(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """A PIC's earlier copy edited in place: who recorded what, or that the call did not get
    through (a new card comes the next working day); never with buttons."""
    check = await deps.services.payment_checks.card(int(params["check_id"]))
    if check is None:
        return None
    allowed = deps.services.payment_checks.unreachable_attempts
    return Rendered(pv.card(t, check, allowed=allowed), None, edit_message_id=int(params["message_id"]))


async def render_mismatch(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    check = await deps.services.payment_checks.card(int(params["check_id"]))
    if check is None:
        return None
    return Rendered(pv.mismatch(t, check))

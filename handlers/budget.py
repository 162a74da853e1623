"""``/pagu``: the year's budget ceiling, shown or set by an admin in the private chat."""

from __future__ import annotations

from telegram import Update

from bot.services.base import StaleButton
from bot.services.budget import CeilingChange, CeilingProposal
from handlers.admin import admin_here
from handlers.context import BotContext
from handlers.keyboards import budget as kb
from handlers.replies import answer_press, answers_refusals, button_args, redraw, reply
from handlers.views import budget as bv


@answers_refusals
async def cmd_ceiling(update: Update, context: BotContext) -> None:
    """``/pagu``, ``/pagu 2026``, ``/pagu 2026 Rp 5.000.000.000``, ``/pagu 2026 komponen 3 Rp 750.000.000``."""
    if (here := await admin_here(update, context)) is None:
        return
    who, t = here
    result = await context.services.budget.command(who, " ".join(context.args or []))
    if isinstance(result, CeilingProposal):  # nothing saved before ✅
        await reply(update, bv.confirm(t, result), reply_markup=kb.confirm_ceiling(t, result))
        return
    await reply(update, bv.changed(t, result) if isinstance(result, CeilingChange) else bv.position(t, result))


@answers_refusals
async def on_confirm_pressed(update: Update, context: BotContext) -> None:
    """✅ saves the ceiling read back (once, and only if it is still the one shown); ✖️ changes nothing."""
    who, t = await context.identify_reader(update)
    args = button_args(update)
    try:
        op, year, component, amount, before = args[0], int(args[1]), kb.component_of(args[2]), int(args[3]), args[4]
        seen = kb.before_of(before)
    except (IndexError, ValueError):
        raise StaleButton() from None
    if op == "y":
        change = await context.services.budget.confirm(who, year, component, amount, seen)
        await answer_press(update)
        await redraw(update, bv.changed(t, change))
        return
    position = await context.services.budget.position(who, year)
    await redraw(update, bv.kept(t, position, component, seen))

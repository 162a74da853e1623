"""``/pagu``: the year's budget ceiling, shown or set by an admin in the private chat."""

from __future__ import annotations

from telegram import Update

from bot.services.budget import CeilingChange
from handlers.admin import admin_here
from handlers.context import BotContext
from handlers.replies import answers_refusals, reply
from handlers.views import budget as bv


@answers_refusals
async def cmd_ceiling(update: Update, context: BotContext) -> None:
    """``/pagu``, ``/pagu 2026``, ``/pagu 2026 Rp 5.000.000.000``, ``/pagu 2026 komponen 3 Rp 750.000.000``."""
    if (here := await admin_here(update, context)) is None:
        return
    who, t = here
    result = await context.services.budget.command(who, " ".join(context.args or []))
    await reply(update, bv.changed(t, result) if isinstance(result, CeilingChange) else bv.position(t, result))

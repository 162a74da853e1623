"""``/tugas``: what waits for me, for every role I hold, oldest first with ages."""

from __future__ import annotations

from telegram import Update

from handlers.context import BotContext
from handlers.replies import answers_refusals, reply
from handlers.views import reminders as rv


@answers_refusals
async def cmd_tasks(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    sections = await context.services.reminders.queue(who)
    await reply(update, rv.queue(context.translator(who), sections, context.deps.clock.now()))

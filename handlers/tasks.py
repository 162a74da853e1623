"""``/tugas``: what waits for me, for every role I hold, oldest first with ages."""

from __future__ import annotations

from telegram import Update

from handlers.context import BotContext
from handlers.replies import answers_refusals, reply
from handlers.views import client_changes as cv
from handlers.views import clip
from handlers.views import reminders as rv


@answers_refusals
async def cmd_tasks(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    sections = await context.services.reminders.queue(who)
    t = context.translator(who)
    text = rv.queue(t, sections, context.deps.clock.now())
    # Changes after the SK and refunds (issue 16.6) wait outside the proposals' own steps.
    extra = cv.waiting(t, await context.services.client_changes.waiting(who))
    await reply(update, clip("\n\n".join([text, "\n".join(extra)]) if extra else text))

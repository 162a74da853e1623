"""``/persetujuan KODE``: the consent of each client of a proposal, and recording a withdrawal (issue 17.6).

The IPWL's operators (on the client's behalf) and the centre's admins. Names only in a private chat.
"""

from __future__ import annotations

from telegram import Update

from handlers import views
from handlers.admin import answer_and_send
from handlers.context import BotContext
from handlers.keyboards import consent as kb
from handlers.replies import answers_refusals, int_arg, is_private, redraw, reply
from handlers.views import consent as cv


@answers_refusals
async def cmd_consents(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    if not is_private(update):
        await reply(update, views.private_only(t))
        return
    code = " ".join(context.args or []).strip()
    if not code:
        await reply(update, cv.usage(t))
        return
    data = await context.services.privacy.consents_of(who, code)
    await reply(update, cv.sheet(t, data), reply_markup=kb.sheet(t, data))


@answers_refusals
async def on_withdraw_asked(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    client_id = int_arg(update)
    code, number = await context.services.privacy.consent_subject(who, client_id)
    await answer_and_send(update, cv.confirm_withdrawal(t, code, number), kb.confirm(t, client_id))


@answers_refusals
async def on_withdraw(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    done = await context.services.privacy.withdraw_consent(who, int_arg(update))
    await redraw(update, cv.withdrawn(context.translator(who), done))

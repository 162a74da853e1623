"""/datapribadi: a client's personal data on request (UU 27/2022) — the export and the erasure."""

from __future__ import annotations

from telegram import Update

from bot.domain.validation import mask_nik
from handlers.admin import admin_here, answer_and_send
from handlers.context import BotContext
from handlers.keyboards import admin as kb
from handlers.replies import answer_press, answers_refusals, chat_id, int_arg, redraw, reply, send_file
from handlers.views import admin as av


@answers_refusals
async def cmd_personal_data(update: Update, context: BotContext) -> None:
    """``/datapribadi NIK``: what is held about one client, with export and erasure where allowed."""
    if (here := await admin_here(update, context)) is None:
        return
    who, t = here
    nik = "".join(context.args or [])
    data = await context.services.privacy.lookup(who, nik)
    await reply(update, av.personal_data(t, data, mask_nik(nik)), reply_markup=kb.personal_data(t, data))


@answers_refusals
async def on_personal_export(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    export = await context.services.privacy.export(
        who, int_arg(update), [t.gettext(line) for line in av.PERSONAL_EXPORT_INTRO], t
    )
    await answer_press(update)
    await send_file(
        context, chat_id(update), export.name, export.content, av.personal_export_caption(t, export.records)
    )


@answers_refusals
async def on_personal_erase_asked(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    client_id = int_arg(update)
    record = await context.services.privacy.lookup_client(who, client_id)
    await answer_and_send(update, av.confirm_erase(t, record.proposal_code), kb.confirm_erase(t, client_id))


@answers_refusals
async def on_personal_erase(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    done = await context.services.privacy.erase(who, int_arg(update))
    await redraw(update, av.erased(context.translator(who), done))

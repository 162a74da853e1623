"""/panduan: the guidance, for everyone — a menu of topics, pages turned in place, a way back."""

from __future__ import annotations

from telegram import Update

from bot.domain import guidance
from bot.domain.consent import NOTICE_VERSION
from bot.services import StaleButton
from handlers.context import BotContext
from handlers.keyboards import guidance as kb
from handlers.replies import answers_refusals, button_arg, int_arg, redraw, reply
from handlers.views import guidance as gv


def _context(context: BotContext) -> dict[str, object]:
    settings = context.deps.settings
    return {
        "centre": settings.program.centre_name,
        "regulation": f"{settings.program.regulation_name} {settings.program.regulation_number}",
        "retention": settings.admin.retention_years,
        "complaint_retention": settings.admin.complaint_retention_years,
        "pks_days": settings.admin.pks_warning_days,
        "calls": settings.payment_checks.unreachable_attempts,
        "notice_version": NOTICE_VERSION,
    }


@answers_refusals
async def cmd_guide(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    await reply(update, gv.menu(t), reply_markup=kb.menu(t))


@answers_refusals
async def on_menu(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    await redraw(update, gv.menu(t), kb.menu(t))


@answers_refusals
async def on_page(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    key = button_arg(update)
    if key == guidance.CONTACT.key:
        await redraw(
            update, gv.contacts(t, await context.services.registry.contacts(who)), kb.page(t, guidance.CONTACT, 0, 1)
        )
        return
    found = guidance.page(key, int_arg(update, 1))
    if found is None:
        raise StaleButton()
    section, current, count = found
    index = section.pages.index(current)
    typical = await context.services.reports.typical_days() if current.stage else {}
    await redraw(
        update,
        gv.page(t, section, current, index, count, _context(context), typical),
        kb.page(t, section, index, count),
    )

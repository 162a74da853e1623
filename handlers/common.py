"""Onboarding and the commands everyone has: /start, /bantuan, /bahasa, /hubungkan."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.update_scope import begin_update
from handlers import buttons, keyboards, views
from handlers.context import BotContext
from handlers.menus import refresh_menus_soon
from handlers.replies import answer_press, answers_refusals, chat_id, is_private, reply


@answers_refusals
async def cmd_start(update: Update, context: BotContext) -> None:
    """``/start`` or ``/start <invite token>`` (the deep link an admin hands out)."""
    who, t = await context.identify_reader(update)
    if not is_private(update):
        await reply(update, views.help_text(t, who, in_group=True))
        return
    token = context.args[0] if context.args else ""
    if token and token != "hi":
        redemption = await context.services.onboarding.redeem_invite(who, token)
        await reply(update, views.invite_redeemed(t, redemption))
        refresh_menus_soon(context)  # their "/" menu now offers what the new role may use
    elif who.known and who.first_private:
        await reply(update, views.welcome(t, who))
    elif who.known:
        await reply(update, views.welcome_back(t, who))
    else:
        await reply(update, views.welcome_stranger(t, context.deps.settings.program.centre_name))


@answers_refusals
async def cmd_help(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await reply(update, views.help_text(context.translator(who), who, in_group=not is_private(update)))


@answers_refusals
async def cmd_language(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    await reply(update, views.language_prompt(t), reply_markup=keyboards.language_choice(who.locale))


@answers_refusals
async def on_language_pressed(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    who = await context.identify(update)
    decoded = buttons.LANGUAGE.parse(query.data)
    locale = decoded.args[0] if decoded and decoded.args else ""
    await context.services.onboarding.set_locale(who, locale)
    t = context.translator(who, locale=locale)
    await answer_press(update)
    await query.edit_message_text(views.language_set(t))
    refresh_menus_soon(context)


@answers_refusals
async def cmd_bind_group(update: Update, context: BotContext) -> None:
    """``/hubungkan TEAM`` in a group: an admin makes it the PIC team's working group."""
    who, t = await context.identify_reader(update)
    if is_private(update):
        await reply(update, views.group_only(t))
        return
    team = await context.services.onboarding.bind_group(who, chat_id(update), " ".join(context.args or []))
    await reply(update, views.group_bound(t, team.name, team.code))


async def drop_duplicate_update(update: Update, context: BotContext) -> None:
    """Runs before every handler: a second delivery of the same update stops here (see
    bot.update_scope: the update's first write records it, in that write's own transaction)."""
    if not context.deps.recent_updates.first_time(update.update_id):
        raise ApplicationHandlerStop
    begin_update(update.update_id)


@answers_refusals
async def on_stale_button(update: Update, context: BotContext) -> None:
    """Any button no other handler claims: old, forged or from a removed feature."""
    query = update.callback_query
    assert query is not None
    who = await context.identify(update)
    await answer_press(update, views.stale_button(context.translator(who)), show_alert=True)

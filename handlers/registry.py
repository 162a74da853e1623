"""The admin's registry screens: the IPWL (/ipwl: list, card, edit, move, add) and the PIC teams (/tim)."""

from __future__ import annotations

from telegram import Update

from bot.services.registry import IpwlStep
from handlers.admin import admin_here, answer_and_send
from handlers.context import BotContext
from handlers.keyboards import admin as kb
from handlers.replies import answers_refusals, button_arg, download, int_arg, redraw, reply, typed_text
from handlers.views import admin as av


def _warning_days(context: BotContext) -> int:
    return context.deps.settings.admin.pks_warning_days


@answers_refusals
async def cmd_ipwl(update: Update, context: BotContext) -> None:
    """``/ipwl`` the registry a page at a time; ``/ipwl text`` search by code, name or province."""
    if (here := await admin_here(update, context)) is None:
        return
    who, t = here
    page = await context.services.registry.ipwl_page(who, " ".join(context.args or []))
    if page.query and page.total == 1:
        card = await context.services.registry.ipwl_card(who, page.items[0].ipwl.id)
        await reply(update, av.ipwl_card(t, card), reply_markup=kb.ipwl_card(t, card))
        return
    await reply(update, av.ipwl_list(t, page, _warning_days(context)), reply_markup=kb.ipwl_list(t, page))


@answers_refusals
async def on_ipwl_list(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    page = await context.services.registry.ipwl_page(who, page=int_arg(update))
    await redraw(update, av.ipwl_list(t, page, _warning_days(context)), kb.ipwl_list(t, page))


@answers_refusals
async def on_ipwl_attention(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    lines = await context.services.registry.ipwl_attention(who)
    await redraw(update, av.pks_attention(t, lines, _warning_days(context)), kb.back_to_list(t))


@answers_refusals
async def on_ipwl_card(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.registry.ipwl_card(who, int_arg(update))
    await redraw(update, av.ipwl_card(t, card), kb.ipwl_card(t, card))


@answers_refusals
async def on_ipwl_edit(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    field_name = button_arg(update, 1)
    card = await context.services.registry.start_edit(who, int_arg(update), field_name)
    await answer_and_send(update, av.edit_prompt(t, card, field_name), kb.cancel_only(t))


async def on_ipwl_value(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.registry.answer_edit(who, typed_text(update))
    await reply(update, av.ipwl_card(t, card), reply_markup=kb.ipwl_card(t, card))


@answers_refusals
async def on_ipwl_team(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.registry.ipwl_card(who, int_arg(update))
    teams = await context.services.registry.team_choices(who)
    await redraw(update, av.choose_team(t, card), kb.team_choice(t, card.line.ipwl.id, teams, card.line.ipwl.team_id))


@answers_refusals
async def on_ipwl_move(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.registry.move_ipwl(who, int_arg(update, 0), int_arg(update, 1))
    await redraw(update, av.ipwl_card(t, card), kb.ipwl_card(t, card))


async def _ipwl_step(update: Update, context: BotContext, step: IpwlStep) -> None:
    who, t = await context.identify_reader(update)
    if step.created is not None:
        await answer_and_send(update, av.ipwl_created(t, step.created), kb.ipwl_card(t, step.created))
    else:
        await answer_and_send(update, av.ipwl_question(t, step), kb.ipwl_step(t, step))


@answers_refusals
async def on_ipwl_add(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _ipwl_step(update, context, await context.services.registry.start_ipwl(who))


@answers_refusals
async def on_ipwl_province(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _ipwl_step(update, context, await context.services.registry.answer_ipwl(who, button_arg(update)))


@answers_refusals
async def on_ipwl_add_team(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _ipwl_step(update, context, await context.services.registry.choose_ipwl_team(who, int_arg(update) or None))


async def on_ipwl_answer(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _ipwl_step(update, context, await context.services.registry.answer_ipwl(who, typed_text(update)))


async def on_ipwl_file(update: Update, context: BotContext) -> None:
    """A CSV of many IPWL sent while "add an IPWL" waits: imported all or nothing."""
    who = await context.identify(update)
    message = update.effective_message
    assert message is not None
    if message.document is None:
        await reply(update, av.ipwl_question(context.translator(who), IpwlStep("code", {})))
        return
    data = await download(context, message.document.file_id)
    count = await context.services.registry.import_ipwl(who, data)
    await reply(update, av.ipwl_imported(context.translator(who), count))


@answers_refusals
async def cmd_teams(update: Update, context: BotContext) -> None:
    if (here := await admin_here(update, context)) is None:
        return
    who, t = here
    lines = await context.services.registry.teams(who)
    await reply(update, av.team_list(t, lines), reply_markup=kb.team_list(t, lines))


@answers_refusals
async def on_team_list(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    lines = await context.services.registry.teams(who)
    await redraw(update, av.team_list(t, lines), kb.team_list(t, lines))


@answers_refusals
async def on_team_card(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.registry.team_card(who, int_arg(update))
    await redraw(update, av.team_card(t, card), kb.team_card(t, card))


@answers_refusals
async def on_team_add(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    await context.services.registry.start_team(who)
    await answer_and_send(update, av.team_prompt(t), kb.cancel_only(t))


async def on_team_answer(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    team = await context.services.registry.add_team(who, typed_text(update))
    lines = await context.services.registry.teams(who)
    await reply(update, av.team_created(t, team.code, team.name))
    await reply(update, av.team_list(t, lines), reply_markup=kb.team_list(t, lines))

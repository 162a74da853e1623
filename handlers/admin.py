"""The admin's commands: /ipwl, /tim, /pengguna, /undang, /siaran, /datapribadi, /audit, /cadangan.

All work in the admin's private chat (registry and people are not for group chats). Lists and
cards are edited in place as the admin taps; a value to type starts a short conversation
(``admin_*`` kinds, routed by handlers/router.py) with a Cancel button. Every handler: who is this →
one service call (which checks the role) → render → reply.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError

from bot.i18n import N_, Translator
from bot.domain.models import Invite, Role
from bot.services import Identity, ServiceError
from bot.services.admin import IpwlStep
from bot.domain.validation import mask_nik
from handlers import buttons, views
from handlers.context import BotContext, Deps
from handlers.outbox import Rendered
from handlers.keyboards import admin as kb
from handlers.menus import refresh_menus_soon
from handlers.replies import answer_press, answers_refusals, button_arg, close_buttons, int_arg, is_private, redraw, reply
from handlers.views import admin as av

log = logging.getLogger("atensi.admin")

ROLE_WORDS = {"operator": Role.OPERATOR, "pic": Role.PIC, "finance": Role.FINANCE, "keuangan": Role.FINANCE,
              "head": Role.HEAD, "kepala": Role.HEAD, "admin": Role.ADMIN, "auditor": Role.AUDITOR}


# --- helpers --------------------------------------------------------------------------------------------------


async def _admin_here(update: Update, context: BotContext) -> tuple[Identity, Translator] | None:
    """The admin and their translator; None once answered in a group (registry and people data stay
    out of groups: a non-admin is refused, an admin sent to the private chat). In private chats the
    service each handler calls refuses non-admins."""
    who = await context.identify(update)
    t = context.translator(who)
    if not is_private(update):
        await reply(update, av.admin_only(t) if not who.is_admin else views.private_only(t))
        return None
    return who, t


async def answer_and_send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer the button (if any) and send a new message in the chat."""
    if update.callback_query is not None:
        await answer_press(update)
    await reply(update, views.clip(text), reply_markup=markup)


def typed_text(update: Update) -> str:
    message = update.effective_message
    assert message is not None and message.text is not None
    return message.text


def _warning_days(context: BotContext) -> int:
    return context.deps.settings.admin.pks_warning_days


# --- /ipwl ------------------------------------------------------------------------------------------------------


@answers_refusals
async def cmd_ipwl(update: Update, context: BotContext) -> None:
    """``/ipwl`` the registry a page at a time; ``/ipwl text`` search by code, name or province."""
    if (here := await _admin_here(update, context)) is None:
        return
    who, t = here
    page = await context.services.admin.ipwl_page(who, " ".join(context.args or []))
    if page.query and page.total == 1:
        card = await context.services.admin.ipwl_card(who, page.items[0].ipwl.id)
        await reply(update, av.ipwl_card(t, card), reply_markup=kb.ipwl_card(t, card))
        return
    await reply(update, av.ipwl_list(t, page, _warning_days(context)), reply_markup=kb.ipwl_list(t, page))


@answers_refusals
async def on_ipwl_list(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    page = await context.services.admin.ipwl_page(who, page=int_arg(update))
    await redraw(update, av.ipwl_list(t, page, _warning_days(context)), kb.ipwl_list(t, page))


@answers_refusals
async def on_ipwl_attention(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    lines = await context.services.admin.ipwl_attention(who)
    await redraw(update, av.pks_attention(t, lines, _warning_days(context)), kb.back_to_list(t))


@answers_refusals
async def on_ipwl_card(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    card = await context.services.admin.ipwl_card(who, int_arg(update))
    await redraw(update, av.ipwl_card(t, card), kb.ipwl_card(t, card))


@answers_refusals
async def on_ipwl_edit(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    field_name = button_arg(update, 1)
    card = await context.services.admin.start_edit(who, int_arg(update), field_name)
    await answer_and_send(update, av.edit_prompt(t, card, field_name), kb.cancel_only(t))


async def on_ipwl_value(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    card = await context.services.admin.answer_edit(who, typed_text(update))
    await reply(update, av.ipwl_card(t, card), reply_markup=kb.ipwl_card(t, card))


@answers_refusals
async def on_ipwl_team(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    card = await context.services.admin.ipwl_card(who, int_arg(update))
    teams = await context.services.admin.team_choices(who)
    await redraw(update, av.choose_team(t, card), kb.team_choice(t, card.line.ipwl.id, teams, card.line.ipwl.team_id))


@answers_refusals
async def on_ipwl_move(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    card = await context.services.admin.move_ipwl(who, int_arg(update, 0), int_arg(update, 1))
    await redraw(update, av.ipwl_card(t, card), kb.ipwl_card(t, card))


async def _ipwl_step(update: Update, context: BotContext, step: IpwlStep) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    if step.created is not None:
        await answer_and_send(update, av.ipwl_created(t, step.created), kb.ipwl_card(t, step.created))
    else:
        await answer_and_send(update, av.ipwl_question(t, step), kb.ipwl_step(t, step))


@answers_refusals
async def on_ipwl_add(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _ipwl_step(update, context, await context.services.admin.start_ipwl(who))


@answers_refusals
async def on_ipwl_province(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _ipwl_step(update, context, await context.services.admin.answer_ipwl(who, button_arg(update)))


@answers_refusals
async def on_ipwl_add_team(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _ipwl_step(update, context, await context.services.admin.choose_ipwl_team(who, int_arg(update) or None))


async def on_ipwl_answer(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _ipwl_step(update, context, await context.services.admin.answer_ipwl(who, typed_text(update)))


async def on_ipwl_file(update: Update, context: BotContext) -> None:
    """A CSV of many IPWL sent while "add an IPWL" waits: imported all or nothing."""
    who = await context.identify(update)
    message = update.effective_message
    assert message is not None
    if message.document is None:
        await reply(update, av.ipwl_question(context.translator(who), IpwlStep("code", {})))
        return
    data = bytes(await (await message.document.get_file()).download_as_bytearray())
    count = await context.services.admin.import_ipwl(who, data)
    await reply(update, av.ipwl_imported(context.translator(who), count))


# --- /tim -------------------------------------------------------------------------------------------------------


@answers_refusals
async def cmd_teams(update: Update, context: BotContext) -> None:
    if (here := await _admin_here(update, context)) is None:
        return
    who, t = here
    lines = await context.services.admin.teams(who)
    await reply(update, av.team_list(t, lines), reply_markup=kb.team_list(t, lines))


@answers_refusals
async def on_team_list(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    lines = await context.services.admin.teams(who)
    await redraw(update, av.team_list(t, lines), kb.team_list(t, lines))


@answers_refusals
async def on_team_card(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    card = await context.services.admin.team_card(who, int_arg(update))
    await redraw(update, av.team_card(t, card), kb.team_card(t, card))


@answers_refusals
async def on_team_add(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    await context.services.admin.start_team(who)
    await answer_and_send(update, av.team_prompt(t), kb.cancel_only(t))


async def on_team_answer(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    team = await context.services.admin.add_team(who, typed_text(update))
    lines = await context.services.admin.teams(who)
    await reply(update, av.team_created(t, team.code, team.name))
    await reply(update, av.team_list(t, lines), reply_markup=kb.team_list(t, lines))


# --- /pengguna -----------------------------------------------------------------------------------------------------


@answers_refusals
async def cmd_people(update: Update, context: BotContext) -> None:
    """``/pengguna`` everyone, newest first; ``/pengguna name`` search."""
    if (here := await _admin_here(update, context)) is None:
        return
    who, t = here
    page = await context.services.admin.people_page(who, " ".join(context.args or []))
    await reply(update, av.people_list(t, page), reply_markup=kb.people_list(t, page))


@answers_refusals
async def on_people_list(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    page = await context.services.admin.people_page(who, page=int_arg(update))
    await redraw(update, av.people_list(t, page), kb.people_list(t, page))


@answers_refusals
async def on_person_card(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    card = await context.services.admin.person_card(who, int_arg(update))
    await redraw(update, av.person_card(t, card), kb.person_card(t, card))


@answers_refusals
async def on_revoke_grant_asked(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    grant_id = int_arg(update)
    person_id = await context.services.admin.grant_owner(who, grant_id)
    card = await context.services.admin.person_card(who, person_id)
    await redraw(update, av.confirm_revoke_grant(t, card, grant_id), kb.confirm(t, buttons.GRANT_REVOKE, grant_id))


@answers_refusals
async def on_revoke_grant(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    card = await context.services.admin.revoke_grant(who, int_arg(update))
    await redraw(update, av.person_card(t, card), kb.person_card(t, card))
    refresh_menus_soon(context)
    for group in card.leave_groups:
        # Removed from the team's group (ban, then unban so a later invitation can bring them back);
        # where the bot may not, the admin is told to do it, with the group named.
        try:
            me = await context.bot.get_chat_member(group.chat_id, context.bot.id)
            removed = getattr(me, "can_restrict_members", False) is True  # an admin allowed to ban, or nothing
            if removed:
                await context.bot.ban_chat_member(group.chat_id, group.telegram_user_id)
                await context.bot.unban_chat_member(group.chat_id, group.telegram_user_id, only_if_banned=True)
        except TelegramError as error:
            log.info("could not remove a revoked PIC from group %s: %s", group.chat_id, type(error).__name__)
            removed = False
        await context.services.admin.left_group(who, card.person.id, group, removed)
        await context.bot.send_message(update.effective_chat.id,  # type: ignore[union-attr]
                                       av.left_group(t, card.person, group, removed))


@answers_refusals
async def on_revoke_person_asked(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    card = await context.services.admin.person_card(who, int_arg(update))
    await redraw(update, av.confirm_revoke_person(t, card), kb.confirm(t, buttons.PERSON_REVOKE, card.person.id))


@answers_refusals
async def on_revoke_person(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    card = await context.services.admin.revoke_person(who, int_arg(update))
    await redraw(update, av.person_card(t, card), kb.person_card(t, card))
    refresh_menus_soon(context)


@answers_refusals
async def on_restore_person(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    card = await context.services.admin.restore_person(who, int_arg(update))
    await redraw(update, av.person_card(t, card), kb.person_card(t, card))
    refresh_menus_soon(context)


async def render_access_revoked(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered:
    return Rendered(av.revoked_notice(t, params.get("role"), params.get("scope")))


# --- /undang -------------------------------------------------------------------------------------------------------


async def _invite_link(update: Update, context: BotContext, invite: Invite, scope: str | None) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    await answer_and_send(update, av.invite_link(t, invite, scope, context.bot.username))


@answers_refusals
async def cmd_invite(update: Update, context: BotContext) -> None:
    """``/undang`` with buttons, or directly: ``/undang JB01``, ``/undang pic TIM1``, ``/undang head``."""
    if (here := await _admin_here(update, context)) is None:
        return
    who, t = here
    args = list(context.args or [])
    if not args:
        context.services.admin.check(who)
        await reply(update, av.invite_roles(t), reply_markup=kb.invite_roles(t))
        return
    role = ROLE_WORDS.get(args[0].lower())
    rest = args[1:] if role is not None else args  # "/undang JB01": an operator of that IPWL
    role = role or Role.OPERATOR
    scoped = role in (Role.OPERATOR, Role.PIC)
    scope = rest[0] if scoped and rest else None
    # What follows the role (and its scope) is the role's last day: /undang head 31-12-2027.
    valid_until = " ".join(rest[1:] if scoped else rest) or None
    if scoped and scope is None:
        await _invite_scope(update, context, who, t, role)
        return
    invite = await context.services.admin.invite(who, role, scope, valid_until)
    await _invite_link(update, context, invite, scope.upper() if scope else None)


async def _invite_scope(update: Update, context: BotContext, who: Identity, t: Translator, role: Role) -> None:
    if role == Role.OPERATOR:
        await context.services.admin.start_operator_invite(who)
        await answer_and_send(update, av.invite_ipwl_prompt(t), kb.cancel_only(t))
    else:
        teams = await context.services.admin.team_choices(who)
        await answer_and_send(update, av.invite_team_prompt(t), kb.invite_teams(t, teams))


@answers_refusals
async def on_invite_role(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    role = ROLE_WORDS.get(button_arg(update))
    if role is None:
        raise ServiceError("stale", N_("This button is no longer valid."))
    if role in (Role.OPERATOR, Role.PIC):
        await _invite_scope(update, context, who, t, role)
        return
    await _invite_link(update, context, await context.services.admin.invite(who, role), None)


@answers_refusals
async def on_invite_team(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    invite, code = await context.services.admin.invite_team_by_id(who, int_arg(update))
    await _invite_link(update, context, invite, code)


@answers_refusals
async def on_invite_ipwl(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    invite, code = await context.services.admin.invite_ipwl_by_id(who, int_arg(update))
    await _invite_link(update, context, invite, code)


async def on_invite_ipwl_text(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    found = await context.services.admin.find_ipwl(who, typed_text(update))
    if len(found) == 1:
        invite, code = await context.services.admin.invite_ipwl_by_id(who, found[0].id)
        await _invite_link(update, context, invite, code)
    elif found:
        await reply(update, av.invite_ipwl_choices(t, len(found)), reply_markup=kb.invite_ipwl(t, found))
    else:
        await reply(update, _no_ipwl(t), reply_markup=kb.cancel_only(t))


def _no_ipwl(t: Translator) -> str:
    return views._(t, N_("No IPWL found. Type its code or part of its name again."))


# --- /siaran --------------------------------------------------------------------------------------------------------


@answers_refusals
async def cmd_broadcast(update: Update, context: BotContext) -> None:
    if (here := await _admin_here(update, context)) is None:
        return
    who, t = here
    audiences = await context.services.broadcasts.audiences(who)
    await reply(update, av.broadcast_audience(t, audiences), reply_markup=kb.broadcast_audience(t, audiences))


@answers_refusals
async def on_broadcast_audience(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    audience = button_arg(update)
    if audience == "all":
        await _broadcast_prompt(update, context, who, "all", None)
        return
    audiences = await context.services.broadcasts.audiences(who)
    if audience == "province":
        await redraw(update, av.broadcast_provinces(t), kb.broadcast_provinces(t, audiences))
    else:
        await redraw(update, av.broadcast_teams(t), kb.broadcast_teams(t, audiences))


async def _broadcast_prompt(update: Update, context: BotContext, who: Identity, audience: str, ref: str | None) -> None:
    t = context.translator(who)
    count = await context.services.broadcasts.begin(who, audience, ref)
    await redraw(update, av.broadcast_prompt(t, count), kb.cancel_only(t))


@answers_refusals
async def on_broadcast_province(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _broadcast_prompt(update, context, who, "province", button_arg(update))


@answers_refusals
async def on_broadcast_team(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await _broadcast_prompt(update, context, who, "team", str(int_arg(update)))


async def on_broadcast_text(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    preview = await context.services.broadcasts.draft(who, typed_text(update))
    await reply(update, av.broadcast_preview(t, preview, context.deps.settings.program.centre_name),
                reply_markup=kb.broadcast_preview(t, preview.broadcast.id, preview.recipients))


@answers_refusals
async def on_broadcast_send(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    preview = await context.services.broadcasts.confirm(who, int_arg(update))
    await answer_and_close(update)  # the preview stays readable as what was sent
    await reply(update, av.broadcast_queued(t, preview))


@answers_refusals
async def on_broadcast_cancel(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    await context.services.broadcasts.cancel(who, int_arg(update))
    await redraw(update, av.broadcast_cancelled(context.translator(who)))


async def render_broadcast(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    body = await deps.services.broadcasts.body(int(params["broadcast_id"]))
    if body is None:
        return None
    # Not clipped: the body's length was checked when it was typed, and Telegram's limit counts the
    # visible text (an escaped "&" is one character), which clipping the HTML would not respect.
    return Rendered(av.broadcast_message(t, deps.settings.program.centre_name, body))


async def render_broadcast_report(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered:
    return Rendered(av.broadcast_report(t, params))


async def broadcast_reports_job(context: BotContext) -> None:
    """Repeating job: report on every broadcast whose messages are all settled."""
    await context.deps.services.broadcasts.report_settled()


# --- /datapribadi ---------------------------------------------------------------------------------------------------


@answers_refusals
async def cmd_personal_data(update: Update, context: BotContext) -> None:
    """``/datapribadi NIK``: what is held about one client, with export and erasure where allowed."""
    if (here := await _admin_here(update, context)) is None:
        return
    who, t = here
    nik = "".join(context.args or [])
    data = await context.services.privacy.lookup(who, nik)
    await reply(update, av.personal_data(t, data, mask_nik(nik)), reply_markup=kb.personal_data(t, data))


@answers_refusals
async def on_personal_export(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    export = await context.services.privacy.export(who, int_arg(update),
                                                   [t.gettext(line) for line in av.PERSONAL_EXPORT_INTRO], t)
    await answer_press(update)
    await context.bot.send_document(update.effective_chat.id,  # type: ignore[union-attr]
                                    InputFile(io.BytesIO(export.content), filename=export.name),
                                    caption=av.personal_export_caption(t, export.records))


@answers_refusals
async def on_personal_erase_asked(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    client_id = int_arg(update)
    record = await context.services.privacy.lookup_client(who, client_id)
    await answer_and_send(update, av.confirm_erase(t, record.proposal_code), kb.confirm_erase(t, client_id))


@answers_refusals
async def on_personal_erase(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    done = await context.services.privacy.erase(who, int_arg(update))
    await redraw(update, av.erased(context.translator(who), done))


# --- /audit ----------------------------------------------------------------------------------------------------------


@answers_refusals
async def cmd_history(update: Update, context: BotContext) -> None:
    """``/audit KODE``: the proposal's history (admins, the head, and the proposal's PIC team)."""
    who = await context.identify(update)
    t = context.translator(who)
    if not is_private(update):
        await reply(update, views.private_only(t))  # reasons may name clients
        return
    history = await context.services.admin.history(who, " ".join(context.args or []))
    await reply(update, av.history(t, history, 0),
                reply_markup=kb.history(t, history.proposal_id, 0, av.history_pages(history)))


@answers_refusals
async def on_history_page(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    t = context.translator(who)
    proposal_id, page = int_arg(update, 0), int_arg(update, 1)
    history = await context.services.admin.history_by_id(who, proposal_id)
    await redraw(update, av.history(t, history, page), kb.history(t, proposal_id, page, av.history_pages(history)))


# --- /cadangan --------------------------------------------------------------------------------------------------------


@answers_refusals
async def cmd_backup(update: Update, context: BotContext) -> None:
    if (here := await _admin_here(update, context)) is None:
        return
    who, t = here
    backup = await context.services.admin.backup(who)
    send = context.deps.settings.admin.backup_send_in_chat and backup.size <= 49 * 1024 * 1024
    if send:
        await context.bot.send_document(update.effective_chat.id,  # type: ignore[union-attr]
                                        InputFile(backup.path.read_bytes(), filename=backup.path.name))
    await reply(update, av.backup_done(t, backup, sent=send))


# --- close / cancel ----------------------------------------------------------------------------------------------


async def answer_and_close(update: Update) -> None:
    """Answer the press, then take the buttons away (the screen stays readable)."""
    assert update.callback_query is not None
    await answer_press(update)
    await close_buttons(update)


@answers_refusals
async def on_close(update: Update, context: BotContext) -> None:
    """✖️ on any admin screen: stop what was being typed, and take the buttons away."""
    who = await context.identify(update)
    await context.services.admin.stop_conversation(who)
    await answer_and_close(update)


async def on_cancel_command(update: Update, context: BotContext) -> None:
    """``/batal`` while an admin question waits for an answer."""
    who = await context.identify(update)
    await context.services.admin.stop_conversation(who)
    await reply(update, views.cancelled(context.translator(who)))

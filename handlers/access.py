"""The admin's people screens: /pengguna (people, their roles, revoking and restoring) and /undang (invites)."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError

from bot.domain.models import Invite, Role
from bot.i18n import N_, Translator
from bot.services import Identity, StaleButton
from bot.services.access import PersonCard
from handlers import buttons, views
from handlers.admin import admin_here, answer_and_send
from handlers.context import BotContext, Deps
from handlers.keyboards import admin as kb
from handlers.menus import refresh_menus_soon
from handlers.outbox import Rendered
from handlers.replies import answers_refusals, button_arg, chat_id, int_arg, redraw, reply, typed_text
from handlers.views import admin as av

log = logging.getLogger("atensi.admin")

ROLE_WORDS = {
    "operator": Role.OPERATOR,
    "pic": Role.PIC,
    "finance": Role.FINANCE,
    "keuangan": Role.FINANCE,
    "head": Role.HEAD,
    "kepala": Role.HEAD,
    "admin": Role.ADMIN,
    "auditor": Role.AUDITOR,
    "pengaduan": Role.COMPLAINT_OFFICER,
    "complaint_officer": Role.COMPLAINT_OFFICER,
}


async def _show_changed(update: Update, context: BotContext, t: Translator, card: PersonCard) -> None:
    """The person's card again, in place, after their access changed; their "/" menu follows."""
    await redraw(update, av.person_card(t, card), kb.person_card(t, card))
    refresh_menus_soon(context)


@answers_refusals
async def cmd_people(update: Update, context: BotContext) -> None:
    """``/pengguna`` everyone, newest first; ``/pengguna name`` search."""
    if (here := await admin_here(update, context)) is None:
        return
    who, t = here
    page = await context.services.access.people_page(who, " ".join(context.args or []))
    await reply(update, av.people_list(t, page), reply_markup=kb.people_list(t, page))


@answers_refusals
async def on_people_list(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    page = await context.services.access.people_page(who, page=int_arg(update))
    await redraw(update, av.people_list(t, page), kb.people_list(t, page))


@answers_refusals
async def on_person_card(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.access.person_card(who, int_arg(update))
    await redraw(update, av.person_card(t, card), kb.person_card(t, card))


@answers_refusals
async def on_revoke_grant_asked(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    grant_id = int_arg(update)
    person_id = await context.services.access.grant_owner(who, grant_id)
    card = await context.services.access.person_card(who, person_id)
    await redraw(update, av.confirm_revoke_grant(t, card, grant_id), kb.confirm(t, buttons.GRANT_REVOKE, grant_id))


@answers_refusals
async def on_revoke_grant(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.access.revoke_grant(who, int_arg(update))
    await _show_changed(update, context, t, card)
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
        await context.services.access.left_group(who, card.person.id, group, removed)
        await context.bot.send_message(
            chat_id(update),
            av.left_group(t, card.person, group, removed),
        )


@answers_refusals
async def on_revoke_person_asked(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.access.person_card(who, int_arg(update))
    await redraw(update, av.confirm_revoke_person(t, card), kb.confirm(t, buttons.PERSON_REVOKE, card.person.id))


@answers_refusals
async def on_revoke_person(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.access.revoke_person(who, int_arg(update))
    await _show_changed(update, context, t, card)


@answers_refusals
async def on_restore_person(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.access.restore_person(who, int_arg(update))
    await _show_changed(update, context, t, card)


async def render_access_revoked(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered:
    return Rendered(av.revoked_notice(t, params.get("role"), params.get("scope")))


async def render_role_conflict(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered:
    """To an admin: someone now holds two roles that should be apart (the grant stands, audited)."""
    roles = [Role(r) for r in params.get("roles", [])]
    return Rendered(
        av.role_conflict(t, str(params.get("name", "")), roles), kb.open_person(t, int(params["person_id"]))
    )


async def _invite_link(update: Update, context: BotContext, invite: Invite, scope: str | None) -> None:
    who, t = await context.identify_reader(update)
    await answer_and_send(update, av.invite_link(t, invite, scope, context.bot.username))


@answers_refusals
async def cmd_invite(update: Update, context: BotContext) -> None:
    """``/undang`` with buttons, or directly: ``/undang JB01``, ``/undang pic TIM1``, ``/undang head``."""
    if (here := await admin_here(update, context)) is None:
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
    invite = await context.services.access.invite(who, role, scope, valid_until)
    await _invite_link(update, context, invite, scope.upper() if scope else None)


async def _invite_scope(update: Update, context: BotContext, who: Identity, t: Translator, role: Role) -> None:
    if role == Role.OPERATOR:
        await context.services.access.start_operator_invite(who)
        await answer_and_send(update, av.invite_ipwl_prompt(t), kb.cancel_only(t))
    else:
        teams = await context.services.registry.team_choices(who)
        await answer_and_send(update, av.invite_team_prompt(t), kb.invite_teams(t, teams))


@answers_refusals
async def on_invite_role(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    role = ROLE_WORDS.get(button_arg(update))
    if role is None:
        raise StaleButton()
    if role in (Role.OPERATOR, Role.PIC):
        await _invite_scope(update, context, who, t, role)
        return
    await _invite_link(update, context, await context.services.access.invite(who, role), None)


@answers_refusals
async def on_invite_team(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    invite, code = await context.services.access.invite_team_by_id(who, int_arg(update))
    await _invite_link(update, context, invite, code)


@answers_refusals
async def on_invite_ipwl(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    invite, code = await context.services.access.invite_ipwl_by_id(who, int_arg(update))
    await _invite_link(update, context, invite, code)


async def on_invite_ipwl_text(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    found = await context.services.registry.find_ipwl(who, typed_text(update))
    if len(found) == 1:
        invite, code = await context.services.access.invite_ipwl_by_id(who, found[0].id)
        await _invite_link(update, context, invite, code)
    elif found:
        await reply(update, av.invite_ipwl_choices(t, len(found)), reply_markup=kb.invite_ipwl(t, found))
    else:
        await reply(update, _no_ipwl(t), reply_markup=kb.cancel_only(t))


def _no_ipwl(t: Translator) -> str:
    return views._(t, N_("No IPWL found. Type its code or part of its name again."))

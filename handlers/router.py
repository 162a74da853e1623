"""Free text and files in a private chat go to whatever the person is in the middle of.

What someone is doing lives in the ``conversations`` table (a draft proposal, a return reason
being typed, an LPJ…), so routing survives restarts. The tables of which handler serves which
conversation kind are in ``handlers/__init__.py``; with no conversation the person gets the help
for their roles.
"""

from __future__ import annotations

from collections.abc import Mapping

from telegram import Update

from bot.domain.kinds import ConversationKind
from handlers import views
from handlers.context import BotContext
from handlers.replies import Handler, answers_refusals, reply

Routes = Mapping[ConversationKind, Handler]


def private_text_router(routes: Routes) -> Handler:
    """Free text in a private chat: to the handler of the person's conversation (``TEXT_ROUTES``)."""

    @answers_refusals
    async def on_private_text(update: Update, context: BotContext) -> None:
        who = await context.identify(update)
        handler = _handler(routes, await context.services.onboarding.conversation_kind(who))
        if handler is not None:
            await handler(update, context)
            return
        t = context.translator(who)
        if not who.known:
            await reply(update, views.help_text(t, who, in_group=False))
            return
        # Nothing is waiting for an answer: say so briefly (the whole help is /bantuan).
        await reply(update, views.nothing_open(t, await context.services.proposals.draft_code(who)))

    return on_private_text


def private_file_router(routes: Routes) -> Handler:
    """A document or photo in a private chat: to the handler of the person's conversation (``FILE_ROUTES``)."""

    @answers_refusals
    async def on_private_file(update: Update, context: BotContext) -> None:
        who = await context.identify(update)
        handler = _handler(routes, await context.services.onboarding.conversation_kind(who))
        if handler is None:
            await reply(update, views.no_upload_expected(context.translator(who)))
            return
        await handler(update, context)

    return on_private_file


def cancel_router(routes: Routes) -> Handler:
    """``/batal``: stop whatever this person is in the middle of. A kind in ``CANCEL_ROUTES`` decides
    for itself (a draft asks first); any other conversation just ends."""

    @answers_refusals
    async def cmd_cancel(update: Update, context: BotContext) -> None:
        who, t = await context.identify_reader(update)
        kind = await context.services.onboarding.conversation_kind(who)
        handler = _handler(routes, kind)
        if kind is None:
            await reply(update, views.nothing_to_cancel(t))
        elif handler is not None:
            await handler(update, context)
        else:
            await context.services.onboarding.end_conversation(who)
            await reply(update, views.cancelled(t))

    return cmd_cancel


def _handler(routes: Routes, kind: str | None) -> Handler | None:
    if kind is None:
        return None
    try:
        return routes.get(ConversationKind(kind))
    except ValueError:  # a kind written by a newer release that this one does not know: no route
        return None


@answers_refusals
async def on_unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have (a typo, ``/foo``): say so and point to /bantuan."""
    who = await context.identify(update)
    message = update.effective_message
    word = (message.text or "").split()[0] if message is not None and message.text else ""
    await reply(update, views.unknown_command(context.translator(who), word.split("@")[0][:40]))

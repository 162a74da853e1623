"""Free text and files in a private chat go to whatever the person is in the middle of.

What someone is doing lives in the ``conversations`` table (a draft proposal, a return reason
being typed, an LPJ…), so routing survives restarts. Each feature registers the handler for its
conversation kind here; with no conversation the person gets the help for their roles.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from handlers import views
from handlers.context import BotContext
from handlers.replies import answers_refusals, reply

Handler = Callable[[Update, BotContext], Awaitable[None]]

TEXT_ROUTES: dict[str, Handler] = {}
FILE_ROUTES: dict[str, Handler] = {}
# /batal for a kind that needs to ask first (a draft); any other conversation just ends.
CANCEL_ROUTES: dict[str, Handler] = {}


def on_text_in(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        TEXT_ROUTES[kind] = handler
        return handler
    return register


def on_file_in(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        FILE_ROUTES[kind] = handler
        return handler
    return register


def on_cancel_in(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        CANCEL_ROUTES[kind] = handler
        return handler
    return register


async def _route(update: Update, context: BotContext, routes: dict[str, Handler], fallback: Callable[..., str]) -> None:
    who = await context.identify(update)
    kind = await context.services.onboarding.conversation_kind(who)
    handler = routes.get(kind) if kind else None
    if handler is None:
        await reply(update, fallback(context.translator(who), who))
        return
    await handler(update, context)


@answers_refusals
async def on_private_text(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    kind = await context.services.onboarding.conversation_kind(who)
    if kind in TEXT_ROUTES:
        await TEXT_ROUTES[kind](update, context)
        return
    t = context.translator(who)
    if not who.known:
        await reply(update, views.help_text(t, who, in_group=False))
        return
    # Nothing is waiting for an answer: say so briefly (the whole help is /bantuan).
    await reply(update, views.nothing_open(t, await context.services.proposals.draft_code(who)))


@answers_refusals
async def on_private_file(update: Update, context: BotContext) -> None:
    await _route(update, context, FILE_ROUTES, lambda t, who: views.no_upload_expected(t))


@answers_refusals
async def on_unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have (a typo, ``/foo``): say so and point to /bantuan."""
    who = await context.identify(update)
    message = update.effective_message
    word = (message.text or "").split()[0] if message is not None and message.text else ""
    await reply(update, views.unknown_command(context.translator(who), word.split("@")[0][:40]))


@answers_refusals
async def cmd_cancel(update: Update, context: BotContext) -> None:
    """``/batal``: stop whatever this person is in the middle of."""
    who = await context.identify(update)
    t = context.translator(who)
    kind = await context.services.onboarding.conversation_kind(who)
    # A route registered as "prefix_" serves every kind that starts with it (e.g. "admin_").
    handler = CANCEL_ROUTES.get(kind or "") or next(
        (h for k, h in CANCEL_ROUTES.items() if k.endswith("_") and (kind or "").startswith(k)), None)
    if kind is None:
        await reply(update, views.nothing_to_cancel(t))
    elif handler is not None:
        await handler(update, context)
    else:
        await context.services.onboarding.end_conversation(who)
        await reply(update, views.cancelled(t))

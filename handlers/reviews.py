"""The PIC team's group card: claim, release, verify, validate; Detail and NIK in the private chat.

Anyone in a group can press any button: every press goes to a service that authorizes the
person again, so these handlers only parse, call, render and answer — every press is answered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InputFile, Update
from telegram.error import BadRequest, Forbidden

from bot.domain.models import Action, Attachment
from bot.i18n import Translator
from bot.services import Identity, StaleButton
from handlers.context import BotContext, Deps
from handlers.keyboards import private_chat_url
from handlers.keyboards import reviews as kb
from handlers.outbox import Rendered
from handlers.replies import answer_press, answers_refusals, button_args, int_arg, send_photo_or_document
from handlers.views import _
from handlers.views import reviews as rv

# --- button helpers (shared by decisions and payments) ---------------------------------------------------


def action_arg(update: Update, index: int) -> Action:
    try:
        return Action(button_args(update)[index])
    except (IndexError, ValueError):
        raise StaleButton() from None


async def send_private(
    update: Update, context: BotContext, who: Identity, send: Callable[[int], Awaitable[None]]
) -> bool:
    """Run ``send`` on the presser's private chat. If they never started the bot (or blocked it),
    answer the button with a link that starts it, send nothing, and return False."""
    query = update.callback_query
    assert query is not None
    link = private_chat_url(context.bot.username)
    if not who.person.private_chat_started:
        await answer_press(update, url=link)
        return False
    try:
        await send(who.person.telegram_user_id)
    except Forbidden:
        await answer_press(update, url=link)
        return False
    return True


# --- the card ------------------------------------------------------------------------------------------


@answers_refusals
async def on_card_pressed(update: Update, context: BotContext) -> None:
    """Claim, release, verify or validate from the group card."""
    who = await context.identify(update)
    proposal = await context.services.reviews.act(who, int_arg(update), action_arg(update, 1))
    done = _(context.translator(who), rv.ACTION_DONE[action_arg(update, 1)], code=proposal.code)
    await answer_press(update, done)


@answers_refusals
async def on_detail_pressed(update: Update, context: BotContext) -> None:
    """Detail: the full proposal (NIK masked), its attachments and the changes, in the private chat."""
    who, t = await context.identify_reader(update)
    detail = await context.services.reviews.detail(who, int_arg(update))

    async def send(chat_id: int) -> None:
        pages = rv.detail_pages(t, detail)
        for index, page in enumerate(pages):
            markup = kb.detail(t, detail) if index == len(pages) - 1 else None
            await context.bot.send_message(chat_id, page, reply_markup=markup)
        for attachment in detail.attachments:
            await send_attachment(context, chat_id, attachment)

    if await send_private(update, context, who, send):
        await context.services.reviews.detail_shown(who, detail.proposal.id)
        await answer_press(update, rv.detail_sent(t))


async def send_attachment(
    context: BotContext, chat_id: int, attachment: Attachment, caption: str | None = None
) -> None:
    """Attachments go out again by their Telegram file id: nothing is uploaded twice. A file id
    Telegram does not know (a backup restored under another bot, an expired file) is replaced
    by the copy in the file store."""
    caption = caption or (attachment.file_name or "")[:200] or None
    photo = attachment.purpose == "passbook" or (attachment.file_name or "").startswith("foto-")
    try:
        await send_photo_or_document(context, chat_id, attachment.telegram_file_id, photo=photo, caption=caption)
        return
    except BadRequest:
        pass
    data = context.services.reviews.stored_copy(attachment)
    if data is None:
        return  # neither Telegram nor the store has it: the rest of the detail is still useful
    upload = InputFile(data, filename=attachment.file_name or "file")
    try:
        await send_photo_or_document(context, chat_id, upload, photo=photo, caption=caption)
    except BadRequest:
        pass


@answers_refusals
async def on_nik_pressed(update: Update, context: BotContext) -> None:
    """Reveal one client's full NIK, as an alert only the presser sees (audited by the service)."""
    who = await context.identify(update)
    client = await context.services.reviews.reveal_nik(who, int_arg(update))
    await answer_press(update, rv.nik_revealed(context.translator(who), client), show_alert=True)


# --- notifications ------------------------------------------------------------------------------------------


async def _card(deps: Deps, t: Translator, params: dict[str, Any], *, edit: bool) -> Rendered | None:
    proposal_id = int(params["proposal_id"])
    card = await deps.services.reviews.card(proposal_id)
    if card is None:
        return None
    if not edit:
        return Rendered(rv.card(t, card), kb.card(t, card))
    sent = await deps.services.reviews.card_message(proposal_id, int(params["chat_id"]))
    if sent is None or sent[1] != card.proposal.version:
        return None  # the current version's card is not out yet: it will show this state when it is
    return Rendered(rv.card(t, card), kb.card(t, card), edit_message_id=sent[0])


async def render_card(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """A submitted version's card in the team's group."""
    return await _card(deps, t, params, edit=False)


async def render_card_update(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """The card edited in place after a change."""
    return await _card(deps, t, params, edit=True)


async def render_card_superseded(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """An older version's card: say it was replaced, and take its buttons away."""
    card = await deps.services.reviews.card(int(params["proposal_id"]))
    if card is None:
        return None
    return Rendered(
        rv.superseded_card(t, card, int(params["version"])), None, edit_message_id=int(params["message_id"])
    )


async def render_awaiting_sk(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    card = await deps.services.reviews.card(int(params["proposal_id"]))
    return Rendered(rv.awaiting_sk(t, card)) if card else None


async def render_progress(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To the IPWL's operators: a step of the review (proposal verified or validated, accounts or LPJ
    verified) and what comes next."""
    card = await deps.services.reviews.card(int(params["proposal_id"]))
    if card is None:
        return None
    try:
        action = Action(params["action"])
    except (KeyError, ValueError):
        return None
    if action not in rv.PROGRESS:
        return None
    return Rendered(rv.progress_notice(t, card, action, int(params.get("version") or card.proposal.version)))

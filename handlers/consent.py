"""``/persetujuan KODE``: the consent of each client of a proposal, page by page; one client's
consent: its signed form, a guardian typed wrong corrected, a withdrawal recorded (issue 17.6).

The IPWL's operators (on the client's behalf) and the centre's admins act; the PIC team reads.
Names only in a private chat.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.i18n import Translator
from handlers.admin import answer_and_send
from handlers.context import BotContext, Deps
from handlers.keyboards import consent as kb
from handlers.keyboards import reviews as review_kb
from handlers.outbox import Rendered
from handlers.replies import answer_press, answers_refusals, chat_id, int_arg, redraw, refused_in_group, reply
from handlers.reviews import send_attachment
from handlers.views import consent as cv


@answers_refusals
async def cmd_consents(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    code = " ".join(context.args or []).strip()
    if not code:
        await reply(update, cv.usage(t))
        return
    data = await context.services.privacy.consents_of(who, code)
    await reply(update, cv.sheet(t, data, 0, kb.PAGE_SIZE), reply_markup=kb.sheet(t, data))


@answers_refusals
async def on_page_pressed(update: Update, context: BotContext) -> None:
    """‹ › and ‹ Back: a page of the sheet, redrawn in place."""
    who, t = await context.identify_reader(update)
    data = await context.services.privacy.consents_of(who, int_arg(update))
    page = min(max(0, int_arg(update, 1)), kb.page_count(data) - 1)
    await redraw(update, cv.sheet(t, data, page, kb.PAGE_SIZE), kb.sheet(t, data, page))


@answers_refusals
async def on_client_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.privacy.consent_card(who, int_arg(update))
    await redraw(update, cv.consent_card(t, card), kb.consent_card(t, card))


@answers_refusals
async def on_form_pressed(update: Update, context: BotContext) -> None:
    """The signed form, sent into this private chat to read back (the opening is audited)."""
    who, t = await context.identify_reader(update)
    record, form = await context.services.privacy.consent_form(who, int_arg(update))
    await answer_press(update, cv.form_sent(t))
    await send_attachment(context, chat_id(update), form, cv.form_caption(t, record.proposal_code, record.position))


@answers_refusals
async def on_guardian_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    card = await context.services.privacy.start_guardian_correction(who, int_arg(update))
    await answer_and_send(update, cv.guardian_prompt(t, card))


async def on_guardian_text(update: Update, context: BotContext) -> None:
    """The guardian typed again; a wrong one is said and the question stays open."""
    who, t = await context.identify_reader(update)
    text = update.effective_message.text if update.effective_message else None
    card = await context.services.privacy.correct_guardian(who, text or "")
    await reply(update, cv.guardian_corrected(t, card), reply_markup=kb.consent_card(t, card))


@answers_refusals
async def on_withdraw_asked(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    client_id = int_arg(update)
    code, number = await context.services.privacy.consent_subject(who, client_id)
    await answer_and_send(update, cv.confirm_withdrawal(t, code, number), kb.confirm(t, client_id))


@answers_refusals
async def on_withdraw(update: Update, context: BotContext) -> None:
    who = await context.identify(update)
    done = await context.services.privacy.withdraw_consent(who, int_arg(update))
    await redraw(update, cv.withdrawn(context.translator(who), done, for_admin=who.is_admin))


async def render_withdrawn(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """A client left a proposal under review: to the IPWL's other operators (revise and send again)
    and to the PIC team's group (the code only: the review stopped, nothing to do until it comes back)."""
    code = str(params["code"])
    if params.get("to") == "team":
        return Rendered(cv.withdrawn_team_notice(t, code))
    return Rendered(
        cv.withdrawn_ipwl_notice(t, code, int(params["position"])), review_kb.revise(t, int(params["proposal_id"]))
    )

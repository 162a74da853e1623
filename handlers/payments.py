"""Bank accounts (operators, then PIC team or finance) and the payment (finance): private chats only.

``/rekening`` lists the clients whose accounts are needed; ``/bayar`` the proposals ready for
payment. Typed answers and uploaded workbooks are routed here by the person's conversation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.domain.models import TransferStatus
from bot.domain.validation import Problem, ValidationError
from bot.files.finance_sheets import (
    SheetClient,
    build_accounts_template,
    build_transfers_template,
    parse_accounts_sheet,
    parse_transfers_sheet,
)
from bot.i18n import N_, FileSize, Translator
from bot.services.payments import Accounts
from handlers import buttons
from handlers.context import BotContext, Deps
from handlers.keyboards import client_changes as ckb
from handlers.keyboards import payments as kb
from handlers.outbox import Rendered
from handlers.replies import (
    answer_press,
    answers_refusals,
    button_arg,
    button_args,
    chat_id,
    close_buttons,
    download,
    int_arg,
    keep_answered,
    optional_arg,
    redraw,
    refused_in_group,
    reply,
    send_file,
    typed_text,
    upload_of,
)
from handlers.reviews import send_attachment, send_private
from handlers.views import client_changes as cv
from handlers.views import payments as pv

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_clients(accounts: Accounts, *, in_order: bool = False) -> list[SheetClient]:
    """The rows a workbook needs, from a proposal's accounts (``in_order``: the transfers list,
    the SPM's clients only — not those held for double assistance, nor one cleared after the SPM
    was saved: the list's control totals are the SPM's)."""
    return [
        SheetClient(
            r.client.id,
            r.client.position,
            r.client.full_name,
            r.client.nik,
            r.client.total,
            r.account.bank_code if r.account else None,
            r.account.account_number if r.account else None,
            r.account.holder_name if r.account else None,
        )
        for r in (accounts.in_order if in_order else accounts.rows)
    ]


async def _download(context: BotContext, file_id: str, size: int) -> bytes:
    limit = context.deps.settings.intake.max_file_mb
    if size > limit * 1024 * 1024:
        raise ValidationError(
            Problem(
                N_("The file is {size}; the most the bot can receive is {max} MB."),
                {"size": FileSize(size), "max": limit},
            )
        )
    return await download(context, file_id)


def _file_name(prefix: str, code: str) -> str:
    return f"{prefix}-{code.lower()}.xlsx"


def _shown(update: Update, index: int) -> int | None:
    """The account revision a button was drawn for (None on a button without one: refused as stale)."""
    args = button_args(update)
    return int(args[index]) if len(args) > index and args[index].isdigit() else None


# --- the operator: /rekening ---------------------------------------------------------------------------


@answers_refusals
async def cmd_accounts(update: Update, context: BotContext) -> None:
    """``/rekening``: the clients whose bank accounts are needed, with a button each."""
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    items = await context.services.accounts.overview(who)
    await reply(update, pv.accounts_overview(t, items), reply_markup=kb.accounts_overview(t, items))


@answers_refusals
async def on_account_pressed(update: Update, context: BotContext) -> None:
    """A client tapped: ask for the bank."""
    who, t = await context.identify_reader(update)
    entry = await context.services.accounts.start_client(who, int_arg(update))
    await reply(update, pv.account_question(t, entry), reply_markup=kb.account_question(t, entry))


@answers_refusals
async def on_bank_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    entry = await context.services.accounts.choose_bank(who, optional_arg(update))
    await answer_press(update)
    # The bank question stays with the bank chosen; the account number is asked in a new message.
    await keep_answered(update)
    await reply(update, pv.account_question(t, entry), reply_markup=kb.account_question(t, entry))


@answers_refusals
async def on_bank_page_pressed(update: Update, context: BotContext) -> None:
    """The bank picker's other page (national banks / regional banks), in place."""
    who, t = await context.identify_reader(update)
    entry = await context.services.accounts.bank_question(who)
    await redraw(update, pv.account_question(t, entry), kb.account_question(t, entry, page=button_arg(update)))


@answers_refusals
async def on_account_cancel_pressed(update: Update, context: BotContext) -> None:
    """✖️ while entering one client's account: nothing of it is saved."""
    who, t = await context.identify_reader(update)
    await context.services.accounts.cancel_entry(who)
    await close_buttons(update)
    await reply(update, pv.account_entry_cancelled(t))


async def on_account_text(update: Update, context: BotContext) -> None:
    """The account number, then the holder's name."""
    who, t = await context.identify_reader(update)
    entry = await context.services.accounts.answer(who, typed_text(update))
    await reply(update, pv.account_question(t, entry), reply_markup=kb.account_question(t, entry))


@answers_refusals
async def on_retype_account_pressed(update: Update, context: BotContext) -> None:
    """✏️ Type again on the account read back: the bank is asked again, nothing was saved."""
    who, t = await context.identify_reader(update)
    entry = await context.services.accounts.retype(who)
    await keep_answered(update)
    await reply(update, pv.account_question(t, entry), reply_markup=kb.account_question(t, entry))


@answers_refusals
async def on_skip_passbook_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    accounts = await context.services.accounts.finish_client(who)
    await keep_answered(update)  # ("Lewati" stays readable under the passbook question)
    await reply(update, pv.accounts_saved(t, accounts), reply_markup=kb.accounts_overview(t, [accounts]))


@answers_refusals
async def on_accounts_sheet_pressed(update: Update, context: BotContext) -> None:
    """The accounts workbook of one proposal, prefilled with its clients."""
    who, t = await context.identify_reader(update)
    accounts = await context.services.accounts.open_sheet(who, int_arg(update))
    await answer_press(update)
    await send_file(
        context,
        chat_id(update),
        _file_name("rekening", accounts.proposal.code),
        build_accounts_template(sheet_clients(accounts), who.locale),
        pv.accounts_template_caption(t, accounts.proposal.code),
    )


async def on_account_file(update: Update, context: BotContext) -> None:
    """A passbook photo for the client being entered, or the filled accounts workbook."""
    message = update.effective_message
    assert message is not None
    who, t = await context.identify_reader(update)
    services = context.services.accounts
    if message.photo:
        upload = upload_of(message)  # (Telegram sends every photo as JPEG.)
        data = await _download(context, upload.telegram_file_id, upload.size)
        accounts = await services.finish_with_passbook(who, upload, data)
    else:
        document = message.document
        if document is None or document.mime_type != XLSX:
            raise ValidationError(Problem(N_("Send the filled workbook (XLSX), or a photo of the passbook.")))
        current = await services.sheet_proposal(who)
        data = await _download(context, document.file_id, document.file_size or 0)
        inputs = parse_accounts_sheet(data, sheet_clients(current))
        accounts = await services.import_sheet(who, current.proposal.id, inputs)
    await reply(update, pv.accounts_saved(t, accounts), reply_markup=kb.accounts_overview(t, [accounts]))


# --- the verifier: PIC team or finance -------------------------------------------------------------------


@answers_refusals
async def on_review_accounts_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    accounts = await context.services.accounts.review(who, int_arg(update))
    await reply(update, pv.accounts_review(t, accounts), reply_markup=kb.accounts_review(t, accounts))


@answers_refusals
async def on_verify_account_pressed(update: Update, context: BotContext) -> None:
    """✅ one account (``av``) or every remaining one (``ava``)."""
    who, t = await context.identify_reader(update)
    query = update.callback_query
    assert query is not None
    one = buttons.ACCOUNT_VERIFY.parse(query.data) is not None
    shown = _shown(update, 1)  # the account's revision (or the accounts' fingerprint) the card showed
    accounts = await (
        context.services.accounts.verify(who, int_arg(update), shown=shown)
        if one
        else context.services.accounts.verify(who, proposal_id=int_arg(update), shown=shown)
    )
    await redraw(update, pv.accounts_review(t, accounts), kb.accounts_review(t, accounts))


@answers_refusals
async def on_passbook_pressed(update: Update, context: BotContext) -> None:
    """📷 N: the passbook photo of client N's account, in the presser's private chat."""
    who, t = await context.identify_reader(update)
    row, attachment = await context.services.accounts.passbook(who, int_arg(update))

    async def send(chat_id: int) -> None:
        await send_attachment(context, chat_id, attachment, caption=pv.passbook_caption(t, row))

    await send_private(update, context, who, send)


@answers_refusals
async def on_return_account_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    row = await context.services.accounts.start_return(who, int_arg(update))
    await reply(update, pv.account_return_prompt(t, row))


async def on_return_reason_text(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    accounts = await context.services.accounts.return_account(who, typed_text(update))
    await reply(update, pv.accounts_review(t, accounts), reply_markup=kb.accounts_review(t, accounts))


# --- finance: /bayar -------------------------------------------------------------------------------------------


@answers_refusals
async def cmd_pay(update: Update, context: BotContext) -> None:
    """``/bayar``: the proposals whose accounts are verified."""
    who, t = await context.identify_reader(update)
    if await refused_in_group(update, t):
        return
    items = await context.services.payments.candidates(who)
    await reply(update, pv.payment_candidates(t, items), reply_markup=kb.payment_candidates(t, items))
    refunds = await context.services.client_changes.refunds(who)  # paid, then off the list (issue 16.6)
    if refunds:
        await reply(update, cv.refunds(t, refunds), reply_markup=ckb.refunds(t, refunds))


@answers_refusals
async def on_pay_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    step = await context.services.payments.open(who, int_arg(update))
    await reply(update, pv.payment_step(t, step), reply_markup=kb.payment_step(t, step))


async def on_payment_text(update: Update, context: BotContext) -> None:
    """SPP, then SPM (number and date), or the reason a transfer failed."""
    who, t = await context.identify_reader(update)
    step = await context.services.payments.answer(who, typed_text(update))
    await reply(update, pv.payment_step(t, step), reply_markup=kb.payment_step(t, step))


@answers_refusals
async def on_orders_confirmed(update: Update, context: BotContext) -> None:
    """✅ Save the SPP and SPM shown (``y``), or ✏️ type them again (``n``)."""
    who, t = await context.identify_reader(update)
    save = optional_arg(update, 1) == "y"
    step = await context.services.payments.confirm_orders(who, int_arg(update), save=save)
    await redraw(update, pv.payment_step(t, step), kb.payment_step(t, step))


@answers_refusals
async def on_sent_pressed(update: Update, context: BotContext) -> None:
    """✅ one transfer sent today (``ps``), or every pending one (``psa``)."""
    who, t = await context.identify_reader(update)
    query = update.callback_query
    assert query is not None
    one = buttons.TRANSFER_SENT.parse(query.data) is not None
    step = await (
        context.services.payments.sent(who, int_arg(update), revision=_shown(update, 1))
        if one
        else context.services.payments.sent(who, proposal_id=int_arg(update))
    )
    await redraw(update, pv.payment_step(t, step), kb.payment_step(t, step))


@answers_refusals
async def on_failed_pressed(update: Update, context: BotContext) -> None:
    """❌ failed or ↩️ returned: ask why."""
    who, t = await context.identify_reader(update)
    try:
        status = TransferStatus(optional_arg(update, 1))
    except ValueError:
        status = TransferStatus.PENDING  # refused by the service as a stale button
    step = await context.services.payments.start_failure(who, int_arg(update), status, revision=_shown(update, 2))
    await reply(update, pv.payment_step(t, step))


@answers_refusals
async def on_sp2d_pressed(update: Update, context: BotContext) -> None:
    """🏦 SP2D: ask for its number and date (then its amount, which must be the SPM's)."""
    who, t = await context.identify_reader(update)
    step = await context.services.payments.start_sp2d(who, int_arg(update))
    await reply(update, pv.payment_step(t, step))


@answers_refusals
async def on_transfers_sheet_pressed(update: Update, context: BotContext) -> None:
    who, t = await context.identify_reader(update)
    step = await context.services.payments.open(who, int_arg(update))
    await answer_press(update)
    code = step.accounts.proposal.code
    await send_file(
        context,
        chat_id(update),
        _file_name("transfer", code),
        build_transfers_template(
            sheet_clients(step.accounts, in_order=True),
            who.locale,
            order_number=step.accounts.payment.spm_number if step.accounts.payment else None,
        ),
        pv.transfers_template_caption(t, step.accounts),
    )


async def on_transfers_file(update: Update, context: BotContext) -> None:
    """The filled transfers workbook: every row recorded, or none."""
    message = update.effective_message
    assert message is not None
    who, t = await context.identify_reader(update)
    document = message.document
    if document is None or document.mime_type != XLSX:
        raise ValidationError(Problem(N_("Send the filled transfers workbook (XLSX).")))
    services = context.services.payments
    current = await services.current(who)
    data = await _download(context, document.file_id, document.file_size or 0)
    payment = current.accounts.payment
    inputs = parse_transfers_sheet(
        data,
        sheet_clients(current.accounts, in_order=True),
        today=services.today(),
        earliest=payment.spm_date if payment else None,
        order=current.accounts.order_totals,  # the control totals: the list's own and the SPM's
    )
    step = await services.import_transfers(who, current.accounts.proposal.id, inputs)
    await reply(update, pv.payment_step(t, step), reply_markup=kb.payment_step(t, step))


# --- notifications ---------------------------------------------------------------------------------------------


async def _accounts(deps: Deps, params: dict[str, Any]) -> Accounts | None:
    return await deps.services.accounts.snapshot(int(params["proposal_id"]))


async def render_accounts_submitted(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To the PIC team and finance, privately (bank data never goes to the group)."""
    a = await _accounts(deps, params)
    if a is None:
        return None
    if params.get("again"):  # the card that waited for the operator's new account, back with its buttons
        return Rendered(pv.accounts_back(t, a), kb.accounts_review(t, a))
    return Rendered(pv.accounts_submitted_notice(t, a), kb.open_accounts(t, a.proposal.id))


async def render_account_returned(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    a = await _accounts(deps, params)
    client_id = int(params["client_id"])
    return Rendered(pv.account_returned_notice(t, a, client_id), kb.enter_account(t, client_id)) if a else None


async def render_account_cleared(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    a = await _accounts(deps, params)
    client_id = int(params["client_id"])
    if a is None:
        return None
    text = pv.account_cleared_notice(t, a, client_id, decided=bool(params.get("decided", True)))
    return Rendered(text, kb.enter_account(t, client_id))


async def render_hold_lifted(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    a = await _accounts(deps, params)
    row = pv.client_row(a, int(params["client_id"])) if a else None
    if a is None or row is None:
        return None
    return Rendered(pv.hold_lifted_notice(t, a.proposal.code, row.client.position, row.client.full_name))


async def render_accounts_verified(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    a = await _accounts(deps, params)
    return Rendered(pv.accounts_verified_notice(t, a), kb.open_payment(t, a.proposal.id)) if a else None


async def render_account_fixed(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    a = await _accounts(deps, params)
    if a is None:
        return None
    cleared = params.get("cleared")  # a client no longer held: their first account, not a replacement
    if cleared is not None:
        pay, check = kb.open_payment(t, a.proposal.id), kb.open_accounts(t, a.proposal.id)
        both = InlineKeyboardMarkup([*check.inline_keyboard, *pay.inline_keyboard])  # 🏦 Periksa rekening, /bayar
        return Rendered(pv.account_of_cleared_notice(t, a, int(cleared)), both)
    return Rendered(pv.account_fixed_notice(t, a), kb.open_payment(t, a.proposal.id))


async def render_transfer_failed(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    a = await _accounts(deps, params)
    client_id = int(params["client_id"])
    return Rendered(pv.transfer_failed_notice(t, a, client_id), kb.enter_account(t, client_id)) if a else None


async def render_paid(deps: Deps, t: Translator, params: dict[str, Any]) -> Rendered | None:
    """To the operators: the funds are transferred, with the amounts and the LPJ due date."""
    a = await _accounts(deps, params)
    if a is None:
        return None
    lpj = deps.settings.lpj
    text = pv.paid_notice(
        t,
        a,
        dt.date.fromisoformat(params["lpj_due_on"]),
        meterai_above=lpj.meterai_above,
        meterai_amount=lpj.meterai_amount,
    )
    return Rendered(text, kb.start_lpj(t, a.proposal.id))

"""The Telegram adapter: parse the update, call one service, render, reply.

``register`` is the one ordered list of handlers.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import common, notifications, proposals, router  # noqa: F401 – notifications registers renderers
from handlers import decisions, payments, reviews  # noqa: F401 – they register renderers too
from handlers import lpj, reminders, tasks  # noqa: F401 – lpj and reminders register renderers
from handlers import admin, consent, guidance, reports  # admin and reports register renderers too
from handlers.callback_data import pattern
from handlers.errors import on_error

PRIVATE = filters.ChatType.PRIVATE

# Indonesian command names; the menus (handlers/menus.py) describe them in the reader's language.
COMMANDS = {
    "start": common.cmd_start,
    "bantuan": common.cmd_help,
    "help": common.cmd_help,
    "bahasa": common.cmd_language,
    "batal": router.cmd_cancel,
    "status": proposals.cmd_status,
    "hubungkan": common.cmd_bind_group,
    "ajukan": proposals.cmd_propose,
    "lanjut": proposals.cmd_resume,
    "templat": proposals.cmd_template,
    "sk": decisions.cmd_sk,
    "rekening": payments.cmd_accounts,
    "bayar": payments.cmd_pay,
    "lpj": lpj.cmd_lpj,
    "tugas": tasks.cmd_tasks,
    # the centre's admin work, reports, and the guidance (issue 6)
    "ipwl": admin.cmd_ipwl,
    "tim": admin.cmd_teams,
    "pengguna": admin.cmd_people,
    "undang": admin.cmd_invite,
    "siaran": admin.cmd_broadcast,
    "datapribadi": admin.cmd_personal_data,
    "audit": admin.cmd_history,
    "cadangan": admin.cmd_backup,
    "laporan": reports.cmd_report,
    "ekspor": reports.cmd_export,
    "panduan": guidance.cmd_guide,
    "persetujuan": consent.cmd_consents,
}

# Button kind → handler. Kinds are the second field of callback data (handlers/callback_data.py).
BUTTONS = {
    "lang": common.on_language_pressed,
    "in": proposals.on_answer_pressed,
    "cl": proposals.on_client_pressed,
    "ed": proposals.on_edit_pressed,
    "bl": proposals.on_budget_pressed,
    "rl": proposals.on_remove_line_pressed,
    "rm": proposals.on_remove_client_pressed,
    "rv": proposals.on_review_pressed,
    "pg": proposals.on_page_pressed,
    "add": proposals.on_add_client_pressed,
    "tpl": proposals.on_template_pressed,
    "att": proposals.on_attachments_pressed,
    "rma": proposals.on_remove_attachment_pressed,
    "cup": proposals.on_update_listed_pressed,
    "cont": proposals.on_continue_pressed,
    "pni": proposals.on_ipwl_chosen,
    "open": proposals.on_open_pressed,
    "sub": proposals.on_submit_pressed,
    "wd": proposals.on_withdraw_pressed,
    "wdy": proposals.on_withdraw_confirmed,
    "keep": proposals.on_keep_pressed,
    "stop": proposals.on_stop_pressed,
    # PIC review (group card) and decisions
    "pic": reviews.on_card_pressed,
    "pdt": reviews.on_detail_pressed,
    "nik": reviews.on_nik_pressed,
    "pdc": decisions.on_decision_pressed,
    "rsn": decisions.on_reason_pressed,
    "sk": decisions.on_sk_pressed,
    # bank accounts and payments
    "acc": payments.on_account_pressed,
    "bnk": payments.on_bank_pressed,
    "pbs": payments.on_skip_passbook_pressed,
    "acx": payments.on_accounts_sheet_pressed,
    "avr": payments.on_review_accounts_pressed,
    "av": payments.on_verify_account_pressed,
    "ava": payments.on_verify_account_pressed,
    "ar": payments.on_return_account_pressed,
    "pay": payments.on_pay_pressed,
    "pok": payments.on_orders_confirmed,
    "ps": payments.on_sent_pressed,
    "psa": payments.on_sent_pressed,
    "pf": payments.on_failed_pressed,
    "ptx": payments.on_transfers_sheet_pressed,
    # LPJ: the operator's conversation, then PIC and finance review
    "lji": lpj.on_answer_pressed,
    "ljo": lpj.on_open_pressed,
    "ljg": lpj.on_section_pressed,
    "ljt": lpj.on_template_pressed,
    "ljs": lpj.on_submit_pressed,
    "ljv": lpj.on_verify_pressed,
    "ljx": lpj.on_return_pressed,
    "ljc": lpj.on_cancel_return_pressed,
    "ljk": lpj.on_validate_pressed,
    "ljd": lpj.on_detail_pressed,
    # admin screens (issue 6): IPWL, teams, people, invites, broadcasts, personal data, history
    "ip.l": admin.on_ipwl_list,
    "ip.w": admin.on_ipwl_attention,
    "ip.s": admin.on_ipwl_card,
    "ip.e": admin.on_ipwl_edit,
    "ip.t": admin.on_ipwl_team,
    "ip.m": admin.on_ipwl_move,
    "ip.a": admin.on_ipwl_add,
    "ip.ap": admin.on_ipwl_province,
    "ip.at": admin.on_ipwl_add_team,
    "tm.l": admin.on_team_list,
    "tm.s": admin.on_team_card,
    "tm.a": admin.on_team_add,
    "tm.i": admin.on_invite_team,
    "pp.l": admin.on_people_list,
    "pp.s": admin.on_person_card,
    "pp.rg": admin.on_revoke_grant_asked,
    "pp.rgy": admin.on_revoke_grant,
    "pp.rp": admin.on_revoke_person_asked,
    "pp.rpy": admin.on_revoke_person,
    "pp.re": admin.on_restore_person,
    "iv.r": admin.on_invite_role,
    "iv.t": admin.on_invite_team,
    "iv.i": admin.on_invite_ipwl,
    "bc.a": admin.on_broadcast_audience,
    "bc.p": admin.on_broadcast_province,
    "bc.t": admin.on_broadcast_team,
    "bc.y": admin.on_broadcast_send,
    "bc.n": admin.on_broadcast_cancel,
    "pd.x": admin.on_personal_export,
    "pd.e": admin.on_personal_erase_asked,
    "pd.ey": admin.on_personal_erase,
    "cs.w": consent.on_withdraw_asked,
    "cs.wy": consent.on_withdraw,
    "au.p": admin.on_history_page,
    "ad.x": admin.on_close,
    "ex.k": reports.on_export_kind,
    "ex.c": reports.on_export_mask,
    "ex.r": reports.on_export_range,
    "ex.o": reports.on_export_other_dates,
    "gd.m": guidance.on_menu,
    "gd.s": guidance.on_page,
}


def handlers() -> list[BaseHandler]:
    ordered: list[BaseHandler] = [CommandHandler(name, callback) for name, callback in COMMANDS.items()]
    ordered += [CallbackQueryHandler(callback, pattern=pattern(kind)) for kind, callback in BUTTONS.items()]
    ordered += [
        MessageHandler(PRIVATE & (filters.Document.ALL | filters.PHOTO), router.on_private_file),
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, router.on_private_text),
        # A command none of the above knows (a typo): pointed to /bantuan instead of silence.
        MessageHandler(PRIVATE & filters.COMMAND, router.on_unknown_command),
        # Last: a button nobody else claims gets an answer, never an endless spinner.
        CallbackQueryHandler(common.on_stale_button),
    ]
    return ordered


def register(app: Application) -> None:
    # Group -1 runs first for every update: a duplicate delivery is dropped before any handler.
    app.add_handler(TypeHandler(Update, common.drop_duplicate_update), group=-1)
    app.add_handlers(handlers())
    app.add_error_handler(on_error)

"""The Telegram adapter: parse the update, call one service, render, reply.

Every route is in this file: the commands, the buttons, where a private text, file or /batal goes
for each conversation kind, and which renderer writes each kind of notification. ``register`` adds
them to the application in order.
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

from bot.domain.kinds import ConversationKind, NotificationKind
from handlers import (
    access,
    admin,
    broadcasts,
    budget,
    buttons,
    client_changes,
    common,
    complaints,
    consent,
    decisions,
    double_assistance,
    guidance,
    inbox_worker,
    lpj,
    notifications,
    payment_checks,
    payments,
    privacy,
    proposals,
    registry,
    reminders,
    reports,
    retention,
    reviews,
    router,
    tasks,
)
from handlers.buttons import Button
from handlers.errors import on_error
from handlers.outbox import Renderer

PRIVATE = filters.ChatType.PRIVATE

# What a person is in the middle of (the ``conversations`` table) → where their next text goes.
TEXT_ROUTES: dict[ConversationKind, router.Handler] = {
    ConversationKind.ACCOUNT_RETURN: payments.on_return_reason_text,
    ConversationKind.ADMIN_BROADCAST: broadcasts.on_broadcast_text,
    ConversationKind.ADMIN_EXPORT: reports.on_export_dates,
    ConversationKind.ADMIN_INVITE: access.on_invite_ipwl_text,
    ConversationKind.ADMIN_IPWL_ADD: registry.on_ipwl_answer,
    ConversationKind.ADMIN_IPWL_EDIT: registry.on_ipwl_value,
    ConversationKind.ADMIN_TEAM_ADD: registry.on_team_answer,
    ConversationKind.BANK_ACCOUNT: payments.on_account_text,
    ConversationKind.CONSENT_GUARDIAN: consent.on_guardian_text,
    ConversationKind.COMPLAINT: complaints.on_text,
    ConversationKind.COMPLAINT_ACTION: complaints.on_action_text,
    ConversationKind.CHANGE_REASON: client_changes.on_reason_text,
    ConversationKind.CHANGE_SK: client_changes.on_amendment_text,
    ConversationKind.CLIENT_CHANGE: client_changes.on_text,
    ConversationKind.LPJ: lpj.on_text,
    ConversationKind.LPJ_RETURN: lpj.on_reason_text,
    ConversationKind.NIK_ADJUDICATION: double_assistance.on_adjudication_text,
    ConversationKind.PAYMENT: payments.on_payment_text,
    ConversationKind.PAYMENT_CHECK_AMOUNT: payment_checks.on_amount_text,
    ConversationKind.PROPOSAL: proposals.on_text,
    ConversationKind.REFUND: client_changes.on_refund_text,
    ConversationKind.REVIEW_REASON: decisions.on_reason_text,
    ConversationKind.SK: decisions.on_sk_text,
}

# … where their next document or photo goes (a kind not listed answers "no file expected here").
FILE_ROUTES: dict[ConversationKind, router.Handler] = {
    ConversationKind.ADMIN_IPWL_ADD: registry.on_ipwl_file,
    ConversationKind.BANK_ACCOUNT: payments.on_account_file,
    ConversationKind.COMPLAINT: complaints.on_file,
    ConversationKind.CLIENT_CHANGE: client_changes.on_file,
    ConversationKind.LPJ: lpj.on_file,
    ConversationKind.PAYMENT: payments.on_transfers_file,
    ConversationKind.PROPOSAL: proposals.on_file,
    ConversationKind.REFUND: client_changes.on_refund_file,
}

# /batal for a kind that decides for itself (a draft asks first); any other conversation just ends.
CANCEL_ROUTES: dict[ConversationKind, router.Handler] = {
    ConversationKind.ADMIN_BROADCAST: admin.on_cancel_command,
    ConversationKind.ADMIN_EXPORT: admin.on_cancel_command,
    ConversationKind.ADMIN_INVITE: admin.on_cancel_command,
    ConversationKind.ADMIN_IPWL_ADD: admin.on_cancel_command,
    ConversationKind.ADMIN_IPWL_EDIT: admin.on_cancel_command,
    ConversationKind.ADMIN_TEAM_ADD: admin.on_cancel_command,
    ConversationKind.COMPLAINT: complaints.on_cancel_command,
    ConversationKind.PROPOSAL: proposals.on_cancel_command,
}

# Outbox kind → the renderer that turns a row into the message its recipient reads.
NOTIFICATIONS: dict[NotificationKind, Renderer] = {
    NotificationKind.ACCESS_REVOKED: access.render_access_revoked,
    NotificationKind.ACCOUNTS_SUBMITTED: payments.render_accounts_submitted,
    NotificationKind.ACCOUNTS_VERIFIED: payments.render_accounts_verified,
    NotificationKind.ACCOUNT_FIXED: payments.render_account_fixed,
    NotificationKind.ACCOUNT_RETURNED: payments.render_account_returned,
    NotificationKind.ACCOUNT_CLEARED: payments.render_account_cleared,
    NotificationKind.NIK_SAME_PERSON: double_assistance.render_same_person,
    NotificationKind.HOLD_LIFTED: payments.render_hold_lifted,
    NotificationKind.BROADCAST: broadcasts.render_broadcast,
    NotificationKind.CHANGE_CARD_UPDATE: client_changes.render_card_update,
    NotificationKind.CHANGE_DECIDED: client_changes.render_decided,
    NotificationKind.CHANGE_MOVED_IN: client_changes.render_moved_in,
    NotificationKind.CHANGE_REQUESTED: client_changes.render_requested,
    NotificationKind.CHANGE_TO_APPROVE: client_changes.render_to_approve,
    NotificationKind.BROADCAST_REPORT: broadcasts.render_broadcast_report,
    NotificationKind.CONSENT_WITHDRAWN: consent.render_withdrawn,
    NotificationKind.COMPLAINT_CLOSED: complaints.render_closed,
    NotificationKind.COMPLAINT_CASE_CLOSED: complaints.render_case_closed,
    NotificationKind.COMPLAINT_DUE: complaints.render_due,
    NotificationKind.COMPLAINT_NEW: complaints.render_new,
    NotificationKind.COMPLAINT_OVERDUE: complaints.render_overdue,
    NotificationKind.COMPLAINT_NO_OFFICER: complaints.render_no_officer,
    NotificationKind.COMPLAINT_BACKLOG: complaints.render_backlog,
    NotificationKind.DELIVERY_FAILED: notifications.render_delivery_failed,
    NotificationKind.INBOX_PARKED: inbox_worker.render_parked,
    NotificationKind.LPJ_CARD: lpj.render_card,
    NotificationKind.LPJ_CLOSED: lpj.render_closed,
    NotificationKind.LPJ_RETURNED: lpj.render_returned,
    NotificationKind.LPJ_TO_VALIDATE: lpj.render_to_validate,
    NotificationKind.MONTHLY_CHART: reports.render_monthly_chart,
    NotificationKind.MONTHLY_REPORT: reports.render_monthly_report,
    NotificationKind.PAYMENT_CHECK: payment_checks.render_check,
    NotificationKind.PAYMENT_CHECK_UPDATE: payment_checks.render_copy_update,
    NotificationKind.PAYMENT_MISMATCH: payment_checks.render_mismatch,
    NotificationKind.PROPOSAL_AWAITING_SK: reviews.render_awaiting_sk,
    NotificationKind.PROPOSAL_CARD: reviews.render_card,
    NotificationKind.PROPOSAL_CARD_SUPERSEDED: reviews.render_card_superseded,
    NotificationKind.PROPOSAL_CARD_UPDATE: reviews.render_card_update,
    NotificationKind.PROPOSAL_PAID: payments.render_paid,
    NotificationKind.PROPOSAL_PROGRESS: reviews.render_progress,
    NotificationKind.PROPOSAL_REJECTED: decisions.render_rejected,
    NotificationKind.PROPOSAL_RETURNED: decisions.render_returned,
    NotificationKind.REFUND_OPENED: client_changes.render_refund_opened,
    NotificationKind.REFUND_RECORDED: client_changes.render_refund_recorded,
    NotificationKind.REMINDER: reminders.render_reminder,
    NotificationKind.GRANT_EXPIRY: reminders.render_grant_expiry,
    NotificationKind.RETENTION: retention.render_retention,
    NotificationKind.ROLE_CONFLICT: access.render_role_conflict,
    NotificationKind.SK_AMENDMENT_ANNEX: client_changes.render_amendment_annex,
    NotificationKind.SK_ANNEX: decisions.render_sk_annex,
    NotificationKind.SK_ISSUED: decisions.render_sk_issued,
    NotificationKind.TRANSFER_FAILED: payments.render_transfer_failed,
}

# Indonesian command names; the menus (handlers/menus.py) describe them in the reader's language.
COMMANDS = {
    "start": common.cmd_start,
    "bantuan": common.cmd_help,
    "help": common.cmd_help,
    "bahasa": common.cmd_language,
    "batal": router.cancel_router(CANCEL_ROUTES),
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
    "ipwl": registry.cmd_ipwl,
    "tim": registry.cmd_teams,
    "pengguna": access.cmd_people,
    "undang": access.cmd_invite,
    "siaran": broadcasts.cmd_broadcast,
    "datapribadi": privacy.cmd_personal_data,
    "audit": admin.cmd_history,
    "cadangan": admin.cmd_backup,
    "pagu": budget.cmd_ceiling,
    "laporan": reports.cmd_report,
    "ekspor": reports.cmd_export,
    "panduan": guidance.cmd_guide,
    "persetujuan": consent.cmd_consents,
    "pengaduan": complaints.cmd_complaint,
    # changes after the SK (issue 16.6)
    "perubahan": client_changes.cmd_change,
    "skperubahan": client_changes.cmd_amendment,
}

# Button kind → handler. Each kind is one codec in handlers/buttons.py, used by its keyboard too.
BUTTONS: dict[Button, router.Handler] = {
    buttons.LANGUAGE: common.on_language_pressed,
    buttons.INTAKE_ANSWER: proposals.on_answer_pressed,
    buttons.DRAFT_CLIENT: proposals.on_client_pressed,
    buttons.DRAFT_EDIT_FIELD: proposals.on_edit_pressed,
    buttons.DRAFT_BUDGET_LINE: proposals.on_budget_pressed,
    buttons.DRAFT_REMOVE_LINE: proposals.on_remove_line_pressed,
    buttons.DRAFT_REMOVE_CLIENT: proposals.on_remove_client_pressed,
    buttons.DRAFT_SUMMARY: proposals.on_review_pressed,
    buttons.DRAFT_PAGE: proposals.on_page_pressed,
    buttons.DRAFT_ADD_CLIENT: proposals.on_add_client_pressed,
    buttons.DRAFT_TEMPLATE: proposals.on_template_pressed,
    buttons.DRAFT_ATTACHMENTS: proposals.on_attachments_pressed,
    buttons.DRAFT_REMOVE_ATTACHMENT: proposals.on_remove_attachment_pressed,
    buttons.DRAFT_UPDATE_LISTED: proposals.on_update_listed_pressed,
    buttons.DRAFT_CONTINUE: proposals.on_continue_pressed,
    buttons.DRAFT_IPWL: proposals.on_ipwl_chosen,
    buttons.PROPOSAL_OPEN: proposals.on_open_pressed,
    buttons.PROPOSAL_SUBMIT: proposals.on_submit_pressed,
    buttons.PROPOSAL_WITHDRAW: proposals.on_withdraw_pressed,
    buttons.PROPOSAL_WITHDRAW_CONFIRMED: proposals.on_withdraw_confirmed,
    buttons.DRAFT_KEEP: proposals.on_keep_pressed,
    buttons.DRAFT_STOP: proposals.on_stop_pressed,
    # PIC review (group card) and decisions
    buttons.CARD_ACTION: reviews.on_card_pressed,
    buttons.CARD_DETAIL: reviews.on_detail_pressed,
    buttons.CARD_NIK: reviews.on_nik_pressed,
    buttons.CARD_DECISION: decisions.on_decision_pressed,
    buttons.DECISION_REASON: decisions.on_reason_pressed,
    buttons.SK_DRAFT: decisions.on_sk_pressed,
    buttons.NIK_ADJUDICATE: double_assistance.on_adjudicate_pressed,
    buttons.NIK_SAME_PERSON: double_assistance.on_same_person_pressed,
    # bank accounts and payments
    buttons.ACCOUNT_ENTER: payments.on_account_pressed,
    buttons.ACCOUNT_BANK: payments.on_bank_pressed,
    buttons.ACCOUNT_BANK_PAGE: payments.on_bank_page_pressed,
    buttons.ACCOUNT_CANCEL: payments.on_account_cancel_pressed,
    buttons.ACCOUNT_RETYPE: payments.on_retype_account_pressed,
    buttons.ACCOUNT_SKIP_PASSBOOK: payments.on_skip_passbook_pressed,
    buttons.ACCOUNTS_SHEET: payments.on_accounts_sheet_pressed,
    buttons.ACCOUNTS_REVIEW: payments.on_review_accounts_pressed,
    buttons.ACCOUNT_VERIFY: payments.on_verify_account_pressed,
    buttons.ACCOUNTS_VERIFY_ALL: payments.on_verify_account_pressed,
    buttons.ACCOUNT_RETURN: payments.on_return_account_pressed,
    buttons.ACCOUNT_PASSBOOK: payments.on_passbook_pressed,
    buttons.PAYMENT_OPEN: payments.on_pay_pressed,
    buttons.PAYMENT_ORDERS_CONFIRMED: payments.on_orders_confirmed,
    buttons.TRANSFER_SENT: payments.on_sent_pressed,
    buttons.TRANSFERS_ALL_SENT: payments.on_sent_pressed,
    buttons.TRANSFER_FAILED: payments.on_failed_pressed,
    buttons.TRANSFERS_SHEET: payments.on_transfers_sheet_pressed,
    buttons.PAYMENT_SP2D: payments.on_sp2d_pressed,
    # LPJ: the operator's conversation, then PIC and finance review
    buttons.LPJ_ANSWER: lpj.on_answer_pressed,
    buttons.LPJ_OPEN: lpj.on_open_pressed,
    buttons.LPJ_SECTION: lpj.on_section_pressed,
    buttons.LPJ_TEMPLATE: lpj.on_template_pressed,
    buttons.LPJ_SUBMIT: lpj.on_submit_pressed,
    buttons.LPJ_VERIFY: lpj.on_verify_pressed,
    buttons.LPJ_RETURN: lpj.on_return_pressed,
    buttons.LPJ_CANCEL_RETURN: lpj.on_cancel_return_pressed,
    buttons.LPJ_VALIDATE: lpj.on_validate_pressed,
    buttons.LPJ_DETAIL: lpj.on_detail_pressed,
    # admin screens (issue 6): IPWL, teams, people, invites, broadcasts, personal data, history
    buttons.IPWL_LIST: registry.on_ipwl_list,
    buttons.IPWL_ATTENTION: registry.on_ipwl_attention,
    buttons.IPWL_CARD: registry.on_ipwl_card,
    buttons.IPWL_EDIT: registry.on_ipwl_edit,
    buttons.IPWL_TEAM: registry.on_ipwl_team,
    buttons.IPWL_MOVE: registry.on_ipwl_move,
    buttons.IPWL_ADD: registry.on_ipwl_add,
    buttons.IPWL_PROVINCE: registry.on_ipwl_province,
    buttons.IPWL_ADD_TEAM: registry.on_ipwl_add_team,
    buttons.TEAM_LIST: registry.on_team_list,
    buttons.TEAM_CARD: registry.on_team_card,
    buttons.TEAM_ADD: registry.on_team_add,
    buttons.TEAM_INVITE: access.on_invite_team,
    buttons.PEOPLE_LIST: access.on_people_list,
    buttons.PERSON_CARD: access.on_person_card,
    buttons.GRANT_REVOKE_ASKED: access.on_revoke_grant_asked,
    buttons.GRANT_REVOKE: access.on_revoke_grant,
    buttons.PERSON_REVOKE_ASKED: access.on_revoke_person_asked,
    buttons.PERSON_REVOKE: access.on_revoke_person,
    buttons.PERSON_RESTORE: access.on_restore_person,
    buttons.INVITE_ROLE: access.on_invite_role,
    buttons.INVITE_TEAM: access.on_invite_team,
    buttons.INVITE_IPWL: access.on_invite_ipwl,
    buttons.BROADCAST_AUDIENCE: broadcasts.on_broadcast_audience,
    buttons.BROADCAST_PROVINCE: broadcasts.on_broadcast_province,
    buttons.BROADCAST_TEAM: broadcasts.on_broadcast_team,
    buttons.BROADCAST_SEND: broadcasts.on_broadcast_send,
    buttons.BROADCAST_CANCEL: broadcasts.on_broadcast_cancel,
    buttons.PERSONAL_EXPORT: privacy.on_personal_export,
    buttons.PERSONAL_ERASE_ASKED: privacy.on_personal_erase_asked,
    buttons.PERSONAL_ERASE: privacy.on_personal_erase,
    buttons.CONSENT_PAGE: consent.on_page_pressed,
    buttons.CONSENT_CLIENT: consent.on_client_pressed,
    buttons.CONSENT_FORM: consent.on_form_pressed,
    buttons.CONSENT_GUARDIAN: consent.on_guardian_pressed,
    buttons.CONSENT_WITHDRAW_ASKED: consent.on_withdraw_asked,
    buttons.CONSENT_WITHDRAW: consent.on_withdraw,
    buttons.CHANGE_PROPOSAL: client_changes.on_proposal_pressed,
    buttons.CHANGE_CLIENT: client_changes.on_client_pressed,
    buttons.CHANGE_KIND: client_changes.on_kind_pressed,
    buttons.CHANGE_DETAIL: client_changes.on_detail_pressed,
    buttons.CHANGE_DECISION: client_changes.on_decision_pressed,
    buttons.CHANGE_SK: client_changes.on_amendment_pressed,
    buttons.REFUND_SETTLE: client_changes.on_refund_pressed,
    buttons.REFUND_CONFIRM: client_changes.on_refund_confirmed,
    buttons.REFUND_CANCEL: client_changes.on_refund_cancelled,
    buttons.HISTORY_PAGE: admin.on_history_page,
    buttons.ADMIN_CLOSE: admin.on_close,
    buttons.EXPORT_KIND: reports.on_export_kind,
    buttons.EXPORT_MASK: reports.on_export_mask,
    buttons.EXPORT_RANGE: reports.on_export_range,
    buttons.EXPORT_OTHER_DATES: reports.on_export_other_dates,
    buttons.GUIDE_MENU: guidance.on_menu,
    buttons.GUIDE_PAGE: guidance.on_page,
    buttons.CEILING_CONFIRM: budget.on_confirm_pressed,  # /pagu's read-back (issue 16.2)
    # complaints (issue 16.5): the form, then the complaint officers' desk
    buttons.COMPLAINT_ANSWER: complaints.on_answer_pressed,
    buttons.COMPLAINT_SEND: complaints.on_send_pressed,
    buttons.COMPLAINT_CANCEL: complaints.on_cancel_pressed,
    buttons.COMPLAINT_NEW: complaints.on_new_pressed,
    buttons.COMPLAINT_LIST: complaints.on_list_pressed,
    buttons.COMPLAINT_OPEN: complaints.on_open_pressed,
    buttons.COMPLAINT_IDENTITY: complaints.on_identity_pressed,
    buttons.COMPLAINT_FILES: complaints.on_files_pressed,
    buttons.COMPLAINT_ACTION: complaints.on_action_pressed,
    buttons.COMPLAINT_CLOSE: complaints.on_close_pressed,
    buttons.COMPLAINT_ACTION_CANCEL: complaints.on_action_cancel_pressed,
    # post-payment checks (issue 16.4): the PIC's private card
    buttons.PAYMENT_CHECK_ANSWER: payment_checks.on_answer_pressed,
    buttons.PAYMENT_CHECK_CANCEL: payment_checks.on_cancel_pressed,
}


def handlers() -> list[BaseHandler]:
    ordered: list[BaseHandler] = [CommandHandler(name, callback) for name, callback in COMMANDS.items()]
    ordered += [CallbackQueryHandler(callback, pattern=button.pattern) for button, callback in BUTTONS.items()]
    ordered += [
        MessageHandler(PRIVATE & (filters.Document.ALL | filters.PHOTO), router.private_file_router(FILE_ROUTES)),
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, router.private_text_router(TEXT_ROUTES)),
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

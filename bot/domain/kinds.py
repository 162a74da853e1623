"""The names the bot stores for what a person is doing and for what it has to tell someone.

Both are written to the database (``conversations.kind``, ``outbox.kind``), so a member's value
never changes once released; a new kind is a new member. Handlers route on these members
(the tables in ``handlers/__init__.py``), services write them.
"""

from __future__ import annotations

from enum import StrEnum


class ConversationKind(StrEnum):
    """What a person is in the middle of in their private chat: where their next text or file goes."""

    PROPOSAL = "proposal"  # an operator preparing a proposal
    REVIEW_REASON = "review_reason"  # a PIC picking and typing the reasons for a return or rejection
    SK = "sk"  # the head preparing an SK
    BANK_ACCOUNT = "bank_account"  # an operator typing one client's account, or sending the sheet
    ACCOUNT_RETURN = "account_return"  # a verifier typing why an account goes back
    PAYMENT = "payment"  # finance recording SPP/SPM and transfers
    LPJ = "lpj"  # an operator filling the LPJ
    LPJ_RETURN = "lpj_return"  # a PIC typing why an LPJ goes back
    CONSENT_GUARDIAN = "consent_guardian"  # an operator or admin correcting a consent's guardian
    COMPLAINT = "complaint"  # anyone filling the complaint form (issue 16.5)
    COMPLAINT_ACTION = "complaint_action"  # a complaint officer typing an action, an SP4N reference or the outcome
    PAYMENT_CHECK_AMOUNT = "payment_check_amount"  # a PIC typing how much a client says they received
    CLIENT_CHANGE = "client_change"  # an operator asking for a change after the SK (issue 16.6)
    CHANGE_REASON = "change_reason"  # a PIC or the head typing why a change goes back or is refused
    CHANGE_SK = "change_sk"  # the head preparing an SK perubahan
    REFUND = "refund"  # finance recording a refund received: amount and date, then the proof
    NIK_ADJUDICATION = "nik_adjudication"  # a PIC or the head typing why a same-NIK pair is not one person
    # The admin's screens: /batal ends any of them without asking (they hold no draft).
    ADMIN_IPWL_ADD = "admin_ipwl_add"
    ADMIN_IPWL_EDIT = "admin_ipwl_edit"
    ADMIN_TEAM_ADD = "admin_team_add"
    ADMIN_INVITE = "admin_invite"
    ADMIN_BROADCAST = "admin_broadcast"
    ADMIN_EXPORT = "admin_export"  # waiting for a typed date range

    @property
    def is_admin_screen(self) -> bool:
        return self.value.startswith("admin_")


class NotificationKind(StrEnum):
    """What an outbox row tells its chat; each has one renderer (``handlers.NOTIFICATIONS``)."""

    PROPOSAL_CARD = "proposal_card"  # a new card in the team's group
    PROPOSAL_CARD_UPDATE = "proposal_card_update"  # the card edited in place after a change
    PROPOSAL_CARD_SUPERSEDED = "proposal_card_superseded"  # an older version's card, edited once
    PROPOSAL_RETURNED = "proposal_returned"
    PROPOSAL_REJECTED = "proposal_rejected"
    PROPOSAL_AWAITING_SK = "proposal_awaiting_sk"
    PROPOSAL_PROGRESS = "proposal_progress"
    SK_ISSUED = "sk_issued"  # to operators: the SK is out, send the bank accounts
    SK_ANNEX = "sk_annex"  # to the head: the annex workbook
    ACCOUNTS_SUBMITTED = "accounts_submitted"  # PIC team and finance: check the accounts
    ACCOUNT_RETURNED = "account_returned"  # operators: correct this client's account
    ACCOUNT_CLEARED = "account_cleared"  # operators: a client held for double assistance is cleared: their account
    NIK_SAME_PERSON = "nik_same_person"  # operators: a held client is the same person: ask for their removal
    HOLD_LIFTED = "hold_lifted"  # operators: a held client is free without a decision (a NIK corrected)
    ACCOUNTS_VERIFIED = "accounts_verified"  # finance: ready for payment
    ACCOUNT_FIXED = "account_fixed"  # finance: a new account after a failed transfer
    TRANSFER_FAILED = "transfer_failed"  # operators: the transfer to this client failed
    PROPOSAL_PAID = "proposal_paid"  # operators: the funds have been transferred
    LPJ_CARD = "lpj_card"  # the LPJ card in the team's group (its message is remembered when sent)
    LPJ_TO_VALIDATE = "lpj_to_validate"
    LPJ_RETURNED = "lpj_returned"
    LPJ_CLOSED = "lpj_closed"
    REMINDER = "reminder"
    ACCESS_REVOKED = "access_revoked"
    BROADCAST = "broadcast"
    BROADCAST_REPORT = "broadcast_report"
    MONTHLY_REPORT = "monthly_report"
    MONTHLY_CHART = "monthly_chart"
    DELIVERY_FAILED = "delivery_failed"  # to admins: a chat could not be reached
    GRANT_EXPIRY = "grant_expiry"  # to admins: a role with an end date lapses soon
    RETENTION = "retention"  # to admins: records whose retention period ended, then their erasure
    CONSENT_WITHDRAWN = "consent_withdrawn"  # IPWL and PIC team: a client left a proposal under review
    CHANGE_REQUESTED = "change_requested"  # the team's group: a change after the SK to check (no personal data)
    CHANGE_CARD_UPDATE = "change_card_update"  # that card edited in place after a step
    CHANGE_TO_APPROVE = "change_to_approve"  # the head: a verified change waits for an SK perubahan
    CHANGE_DECIDED = "change_decided"  # operators: their change was verified, returned, rejected or approved
    CHANGE_MOVED_IN = "change_moved_in"  # the receiving IPWL's operators: a client moves to them
    SK_AMENDMENT_ANNEX = "sk_amendment_annex"  # the head: the SK perubahan's annex workbook
    REFUND_OPENED = "refund_opened"  # finance: a client paid before leaving the list, the money to recover
    REFUND_RECORDED = "refund_recorded"  # the IPWL's operators: finance recorded (part of) a refund received
    INBOX_PARKED = "inbox_parked"  # to admins: an update failed again and again and was set aside
    COMPLAINT_NEW = "complaint_new"  # to complaint officers: a complaint came in
    COMPLAINT_DUE = "complaint_due"  # to complaint officers: a complaint's response deadline is near
    COMPLAINT_OVERDUE = "complaint_overdue"  # to the head and the officers: the deadline passed unanswered
    COMPLAINT_CLOSED = "complaint_closed"  # to a named complainant: the outcome
    COMPLAINT_NO_OFFICER = "complaint_no_officer"  # to admins: a complaint waits and nobody can read it
    COMPLAINT_BACKLOG = "complaint_backlog"  # to a new complaint officer: the complaints already waiting
    ROLE_CONFLICT = "role_conflict"  # to admins: someone now holds two roles that should be apart
    COMPLAINT_CASE_CLOSED = "complaint_case_closed"  # a case the bot opened: the outcome to the head and PIC team
    PAYMENT_CHECK = "payment_check"  # to a PIC, privately: phone this client, record the answer
    PAYMENT_CHECK_UPDATE = "payment_check_update"  # each PIC's copy edited: who recorded what (no buttons)
    PAYMENT_MISMATCH = "payment_mismatch"  # to the head: a client did not receive the amount in full

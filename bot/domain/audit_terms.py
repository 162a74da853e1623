"""The audit trail in plain words: what each recorded action, state, role and refusal means.

The audit log stores stable codes (``verify``, ``record_orders``, ``denied`` with
``"claim: role_required"``, ``admin,pic``); an inspector reads sentences. Every code the services
record has an English msgid here, translated in the catalogs, and :func:`describe` turns one event
into what ``/audit`` and the audit export show. A code added later without words still reads as
"action “…”" rather than vanishing, and the catalog test keeps the Indonesian complete.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.models import ProposalStatus, Role, TransferStatus
from bot.i18n import N_, Translator, format_money

S = ProposalStatus

# What someone did, as a phrase after their name ("Siti (PIC team member): verified the proposal").
ACTIONS: Mapping[str, str] = {
    "create_draft": N_("started a draft proposal"),
    "bulk_clients": N_("added clients from a spreadsheet"),
    "submit": N_("submitted the proposal"),
    "resubmit": N_("submitted a new version"),
    "withdraw": N_("withdrew the proposal"),
    "claim": N_("took the proposal for checking"),
    "release": N_("released the proposal"),
    "verify": N_("verified the proposal"),
    "validate": N_("validated the proposal"),
    "return": N_("returned the proposal for revision"),
    "reject": N_("rejected the proposal"),
    "view_detail": N_("opened the proposal's details"),
    "reveal_nik": N_("looked at a client's full NIK"),
    "issue_sk": N_("issued the SK"),
    "submit_accounts": N_("submitted the bank accounts"),
    "return_accounts": N_("returned the bank accounts"),
    "verify_accounts": N_("verified the bank accounts"),
    "submit_account": N_("entered a client's bank account"),
    "verify_account": N_("verified a client's bank account"),
    "return_account": N_("returned a client's bank account"),
    "record_orders": N_("recorded the SPP and SPM"),
    "record_payment": N_("recorded the payment"),
    "transfer": N_("recorded a transfer"),
    "lpj_sheet": N_("filled the LPJ from a spreadsheet"),
    "submit_lpj": N_("submitted the LPJ"),
    "return_lpj": N_("returned the LPJ"),
    "verify_lpj": N_("verified the LPJ"),
    "validate_lpj": N_("validated the LPJ"),
    "denied": N_("was refused"),
    "export_personal_data": N_("exported a client's personal data"),
    "delete_personal_data": N_("deleted a client's personal data"),
    "anonymize_personal_data": N_("anonymized a client's personal data"),
    "set_locale": N_("chose the language"),
    "create_invite": N_("made an invitation"),
    "redeem_invite": N_("joined with an invitation"),
    "grant_role": N_("was given a role"),
    "revoke_grant": N_("took a role away"),
    "revoke_access": N_("revoked all access"),
    "restore_access": N_("restored access"),
    "remove_from_group": N_("removed a person from the team's group"),
    "create_team": N_("created a PIC team"),
    "bind_group": N_("connected the team's group"),
    "create_ipwl": N_("added an IPWL"),
    "import_ipwl": N_("imported IPWL from a file"),
    "import_ipwl_chat": N_("imported IPWL from a file"),
    "edit_ipwl": N_("changed an IPWL's details"),
    "move_ipwl": N_("moved an IPWL to another PIC team"),
    "broadcast": N_("sent a broadcast"),
    "monthly_report": N_("sent the monthly report"),
    "export": N_("exported data"),
    "backup": N_("made a backup"),
    "restore": N_("restored a backup"),
}

# A transfer's phrase depends on what it became.
TRANSFER_ACTIONS: Mapping[str, str] = {
    TransferStatus.SENT.value: N_("recorded the transfer as sent"),
    TransferStatus.FAILED.value: N_("recorded a failed transfer"),
    TransferStatus.RETURNED.value: N_("recorded a returned transfer"),
    TransferStatus.PENDING.value: N_("recorded a transfer as pending"),
}

# States, in short words (the same msgids as the report's status columns).
PROPOSAL_STATES: Mapping[ProposalStatus, str] = {
    S.DRAFT: N_("Draft"),
    S.SUBMITTED: N_("Submitted"),
    S.IN_REVIEW: N_("In review"),
    S.VERIFIED: N_("Verified"),
    S.VALIDATED: N_("Validated"),
    S.RETURNED: N_("Returned"),
    S.REJECTED: N_("Rejected"),
    S.WITHDRAWN: N_("Withdrawn"),
    S.DECREED: N_("SK issued"),
    S.ACCOUNTS_SUBMITTED: N_("Accounts submitted"),
    S.ACCOUNTS_VERIFIED: N_("Accounts verified"),
    S.PAID: N_("Paid"),
    S.LPJ_SUBMITTED: N_("LPJ submitted"),
    S.LPJ_RETURNED: N_("LPJ returned"),
    S.LPJ_VERIFIED: N_("LPJ verified"),
    S.CLOSED: N_("Closed"),
}
OTHER_STATES: Mapping[str, str] = {
    # transfers
    "pending": N_("Waiting for transfer"),
    "sent": N_("Transfer sent"),
    "failed": N_("Transfer failed"),
    "returned": N_("Transfer returned"),
    # bank accounts ("submitted", "verified" and "rejected" read as the account's)
    "missing": N_("No account yet"),
    "account_submitted": N_("Account entered"),
    "account_verified": N_("Account verified"),
    "rejected": N_("Account returned"),
}
_ACCOUNT_ACTIONS = frozenset({"submit_account", "verify_account", "return_account"})

ROLES: Mapping[str, str] = {
    Role.OPERATOR.value: N_("IPWL operator"),
    Role.PIC.value: N_("PIC team member"),
    Role.FINANCE.value: N_("finance"),
    Role.HEAD.value: N_("head of centre"),
    Role.ADMIN.value: N_("admin"),
    Role.AUDITOR.value: N_("auditor"),
    "cli": N_("command line"),
}

# Why a press was refused (the code after "action: " in a "denied" event's reason).
REFUSALS: Mapping[str, str] = {
    "role_required": N_("not their role"),
    "out_of_scope": N_("not their IPWL or team"),
    "four_eyes": N_("the person who verified may not validate"),
    "own_ipwl": N_("a proposal of an IPWL they operate themselves"),
}
# What the refused press was for, when it is not a lifecycle action.
_REFUSED_WHAT: Mapping[str, str] = {
    "detail": N_("open the details"),
    "accounts": N_("enter bank accounts"),
    "sk": N_("issue an SK"),
    "bayar": N_("record payments"),
}

ENTITIES: Mapping[str, str] = {
    "proposal": N_("Proposal"),
    "client": N_("Client"),
    "person": N_("Person"),
    "invite": N_("Invitation"),
    "team": N_("PIC team"),
    "ipwl": N_("IPWL"),
    "decree": N_("SK"),
    "broadcast": N_("Broadcast"),
    "report": N_("Monthly report"),
    "export": N_("Export"),
    "database": N_("Database"),
    "command": N_("Command"),
}

_AMOUNT = re.compile(r"^(?P<code>\S+) (?P<amount>\d+)$")


@dataclass(frozen=True)
class Described:
    """One audit event in words: what was done, the change of state (if any) and the detail."""

    action: str
    change: str | None
    detail: str | None


def action_words(t: Translator, action: str, to_status: str | None = None) -> str:
    if action == "transfer" and to_status in TRANSFER_ACTIONS:
        return t.gettext(TRANSFER_ACTIONS[to_status])
    if action in ACTIONS:
        return t.gettext(ACTIONS[action])
    return t.gettext(N_("action “{code}”"), code=action)


def state_words(t: Translator, state: str | None, action: str = "") -> str | None:
    """A recorded state in words (a proposal's, a transfer's or an account's)."""
    if not state:
        return None
    if action in _ACCOUNT_ACTIONS and state in ("submitted", "verified"):
        state = f"account_{state}"
    if action in _ACCOUNT_ACTIONS or action == "transfer":
        if state in OTHER_STATES:
            return t.gettext(OTHER_STATES[state])
    try:
        return t.gettext(PROPOSAL_STATES[ProposalStatus(state)])
    except ValueError:
        return t.gettext(OTHER_STATES[state]) if state in OTHER_STATES else state


def role_words(t: Translator, roles: str | None) -> str:
    """``"admin,pic"`` → "admin, PIC team member"; no role recorded: the system."""
    if not roles:
        return t.gettext(N_("the system"))
    return ", ".join(t.gettext(ROLES[r]) if r in ROLES else r for r in roles.split(","))


def entity_words(t: Translator, entity: str) -> str:
    return t.gettext(ENTITIES[entity]) if entity in ENTITIES else entity


def refusal_words(t: Translator, reason: str) -> str:
    """A "denied" event's reason (``"claim: role_required"``) in words."""
    what, _, code = reason.partition(": ")
    refused = (action_words(t, what) if what in ACTIONS else
               t.gettext(_REFUSED_WHAT[what]) if what in _REFUSED_WHAT else what)
    why = t.gettext(REFUSALS[code]) if code in REFUSALS else code
    return t.gettext(N_("tried to: {what} — refused: {why}"), what=refused, why=why)


# Events whose from/to hold values (a role, a language, a team, an SK number), not states.
_VALUE_ACTIONS = frozenset({"set_locale", "bind_group", "create_team", "create_ipwl", "edit_ipwl", "move_ipwl"})
_ROLE_ACTIONS = frozenset({"create_invite", "redeem_invite", "grant_role", "revoke_grant"})


def change_words(t: Translator, action: str, from_status: str | None, to_status: str | None,
                 entity: str = "proposal") -> tuple[str | None, str | None]:
    """An event's "from" and "to" in words: states, roles, or the values they hold."""
    if action in _ROLE_ACTIONS:
        return (role_words(t, from_status) if from_status else None, role_words(t, to_status) if to_status else None)
    if action in _VALUE_ACTIONS or entity not in ("proposal", "client"):
        return from_status, to_status
    return state_words(t, from_status, action), state_words(t, to_status, action)


def describe(t: Translator, action: str, from_status: str | None, to_status: str | None,
             reason: str | None, entity: str = "proposal") -> Described:
    """One event as ``/audit`` and the audit export show it."""
    change = None
    before, after = change_words(t, action, from_status, to_status, entity)
    if after and before:
        change = f"{before} → {after}"
    elif after:
        change = f"→ {after}"
    elif before:
        change = before
    detail = reason
    if action == "denied" and reason:
        detail = refusal_words(t, reason)
    elif action == "transfer" and reason and (match := _AMOUNT.match(reason)):
        detail = format_money(int(match["amount"]))
    return Described(action_words(t, action, to_status), change, detail)


__all__ = ["ACTIONS", "Described", "ENTITIES", "PROPOSAL_STATES", "ROLES", "action_words", "describe",
           "entity_words", "refusal_words", "role_words", "state_words"]

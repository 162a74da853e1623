"""The audit trail in plain words: what each recorded action, state, role and refusal means.

The audit log stores stable codes (``verify``, ``record_orders``, ``denied`` with
``"claim: role_required"``, ``admin,pic``); an inspector reads sentences. Every code the services
record has an English msgid here, translated in the catalogs, and :func:`describe` turns one event
into what ``/audit`` and the audit export show. A code added later without words still reads as
"action “…”" rather than vanishing, and the catalog test keeps the Indonesian complete.
"""

from __future__ import annotations

import datetime as dt
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
    "return_on_withdrawal": N_("recorded a client's withdrawal of consent; the proposal went back to the IPWL"),
    "view_detail": N_("opened the proposal's details"),
    "reveal_nik": N_("looked at a client's full NIK"),
    "issue_sk": N_("issued the SK"),
    "submit_accounts": N_("submitted the bank accounts"),
    "return_accounts": N_("returned the bank accounts"),
    "verify_accounts": N_("verified the bank accounts"),
    "submit_account": N_("entered a client's bank account"),
    "verify_account": N_("verified a client's bank account"),
    "return_account": N_("returned a client's bank account"),
    "view_passbook": N_("looked at the passbook photo of a client's bank account"),
    "record_orders": N_("recorded the SPP and SPM"),
    "record_payment": N_("recorded the payment"),
    "transfer": N_("recorded a transfer"),
    "nik_conflict": N_("found the client's NIK at another IPWL (double assistance)"),
    "adjudicate_nik": N_("decided the same NIK at another IPWL is not the same person"),
    "nik_conflict_lifted": N_("no longer holds the client: the same NIK is no longer at another IPWL"),
    "lpj_sheet": N_("filled the LPJ from a spreadsheet"),
    "submit_lpj": N_("submitted the LPJ"),
    "return_lpj": N_("returned the LPJ"),
    "verify_lpj": N_("verified the LPJ"),
    "validate_lpj": N_("validated the LPJ"),
    "denied": N_("was refused"),
    "export_personal_data": N_("exported a client's personal data"),
    "delete_personal_data": N_("deleted a client's personal data"),
    "anonymize_personal_data": N_("anonymized a client's personal data"),
    "record_consent": N_("recorded a client's consent, with the signed form"),
    "withdraw_consent": N_("recorded a client's withdrawal of consent"),
    "correct_guardian": N_("corrected the guardian on a client's consent"),
    "open_consent_form": N_("opened a client's signed consent form"),
    "set_locale": N_("chose the language"),
    "create_invite": N_("made an invitation"),
    "redeem_invite": N_("joined with an invitation"),
    "grant_role": N_("was given a role"),
    "segregation_warning": N_("holds roles that should be apart (the admins were warned)"),
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
    "file_complaint": N_("a complaint was filed"),
    "reveal_complainant": N_("looked at who sent a complaint"),
    "complaint_note": N_("recorded an action on a complaint"),
    "complaint_sp4n": N_("recorded a complaint's SP4N-LAPOR! reference"),
    "close_complaint": N_("closed a complaint with its outcome"),
    "escalate_complaint": N_("told the head a complaint was not answered in time"),
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
    # double assistance (issue 16.1)
    "hard": N_("Held: in an SK or paid elsewhere"),
    "soft": N_("Warning: under review elsewhere"),
    "held": N_("Held"),
    "warned": N_("Warned"),
    "cleared": N_("Decided: not the same person"),
    "lifted": N_("No longer held: the NIK no longer matches"),
}
_ACCOUNT_ACTIONS = frozenset({"submit_account", "verify_account", "return_account"})

ROLES: Mapping[str, str] = {
    Role.OPERATOR.value: N_("IPWL operator"),
    Role.PIC.value: N_("PIC team member"),
    Role.FINANCE.value: N_("finance"),
    Role.HEAD.value: N_("head of centre"),
    Role.ADMIN.value: N_("admin"),
    Role.AUDITOR.value: N_("auditor"),
    Role.COMPLAINT_OFFICER.value: N_("complaint officer"),
    "complainant": N_("complainant (not named in the audit trail)"),
    "cli": N_("command line"),
}
CLI_ACTOR = N_("command line (CLI)")


def actor_words(t: Translator, name: str | None, roles: str | None) -> str:
    """Who did it: their name; a command-line action says so; nobody recorded: the system."""
    if name:
        return name
    if roles == "cli":
        return t.gettext(CLI_ACTOR)
    return t.gettext(N_("the system"))


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

_DATE = r"\d{4}-\d\d-\d\d"
_CODE = re.compile(r"^[A-Z]{2,6}-\d{4}-\d{3,6}$")

# The facts services record in a reason, by its shape (the formats written in bot/services/); each is
# worded here in the reader's language. A reason of no known shape is shown as it was written.
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (rf"^(?P<start>{_DATE})\.\.(?P<end>{_DATE}) (?P<rows>\d+) rows(?P<unmasked> unmasked)?$", "export"),
        (r"^(?P<rows>\d+) rows$", "rows"),
        (r"^invite (?P<id>\d+)$", "invite"),
        (rf"^LPJ due (?P<due>{_DATE})$", "lpj_due"),
        (r"^(?P<code>[A-Z]{2,6}-\d{4}-\d{3,6}) (?P<amount>\d+)$", "amount"),
        (r"^(?P<clients>\d+) clients(?:, (?P<updated>\d+) updated)?$", "clients"),
        (r"^v(?P<version>\d+)$", "version"),
        (r"^lpj v(?P<version>\d+)(?P<late> late)?$", "lpj_version"),
        (r"^(?P<lines>\d+) lines, (?P<clients>\d+) clients$", "lpj_lines"),
        (r"^(?P<recipients>\d+) recipients(?P<late> late)?$", "recipients"),
        (r"^(?P<files>\d+) files$", "files"),
        (r"^attachment (?P<id>\d+) sha256 (?P<hash>[0-9a-f]+)$", "attachment"),
        (rf"^SPP (?P<spp>.+) (?P<spp_date>{_DATE}); SPM (?P<spm>.+) (?P<spm_date>{_DATE})$", "orders"),
        (r"^(?P<code>\S+) \(ledger, after restore\)$", "ledger"),
        (r"^removed$", "removed"),
        (r"^admin asked to remove$", "asked_to_remove"),
        (r"^access\.admin_user_ids$", "configured_admin"),
        (r"^lpj$", "lpj"),
        (r"^(?P<code>[A-Z]{2,6}-\d{4}-\d{3,6}) notice (?P<version>\S+)(?P<guardian> guardian)?$", "consent"),
    )
)
# Actions whose reason is what a person typed (a return reason, a failed transfer's cause): quoted.
_TYPED_ACTIONS = frozenset(
    {"return", "reject", "withdraw", "return_accounts", "return_account", "return_lpj", "transfer"}
)


def _day(t: Translator, iso: str) -> str:
    return t.format_date(dt.date.fromisoformat(iso))


def reason_words(t: Translator, action: str, reason: str | None) -> tuple[str | None, bool]:
    """A recorded reason in the reader's words, and whether it is a person's own text (to be quoted)."""
    if not reason:
        return None, False
    if action == "denied":
        return refusal_words(t, reason), False
    if action in _TYPED_ACTIONS and action != "transfer":  # a person's words are never read as facts
        return reason, not _CODE.match(reason)
    for pattern, kind in _REASONS:
        if (m := pattern.match(reason)) is not None:
            try:
                return _worded(t, kind, m), False
            except ValueError:  # a date that is not one: the text as it was written
                break
    return reason, action in _TYPED_ACTIONS and not _CODE.match(reason)


def _worded(t: Translator, kind: str, m: re.Match[str]) -> str:
    """One known reason shape in words."""
    if kind == "export":
        rows = t.ngettext("{n} row", "{n} rows", int(m["rows"]))
        said = t.gettext(N_("{start} – {end}, {rows}"), start=_day(t, m["start"]), end=_day(t, m["end"]), rows=rows)
        return said + (t.gettext(N_(", unmasked")) if m["unmasked"] else "")
    if kind == "rows":
        return t.ngettext("{n} row", "{n} rows", int(m["rows"]))
    if kind == "invite":
        return t.gettext(N_("invitation no. {number}"), number=m["id"])
    if kind == "lpj_due":
        return t.gettext(N_("LPJ due {date}"), date=_day(t, m["due"]))
    if kind == "amount":
        return t.gettext(N_("{code} · {amount}"), code=m["code"], amount=format_money(int(m["amount"])))
    if kind == "clients":
        said = t.ngettext("{n} client", "{n} clients", int(m["clients"]))
        if m["updated"]:
            said += ", " + t.ngettext("{n} updated", "{n} updated", int(m["updated"]))
        return said
    if kind == "version":
        return t.gettext(N_("version {number}"), number=m["version"])
    if kind == "lpj_version":
        said = t.gettext(N_("LPJ version {number}"), number=m["version"])
        return said + (t.gettext(N_(", late")) if m["late"] else "")
    if kind == "lpj_lines":
        return (
            t.ngettext("{n} line", "{n} lines", int(m["lines"]))
            + ", "
            + t.ngettext("{n} client", "{n} clients", int(m["clients"]))
        )
    if kind == "recipients":
        said = t.ngettext("{n} recipient", "{n} recipients", int(m["recipients"]))
        return said + (t.gettext(N_(", late")) if m["late"] else "")
    if kind == "files":
        return t.ngettext("{n} file", "{n} files", int(m["files"]))
    if kind == "consent":
        said = t.gettext(N_("{code}, privacy notice {version}"), code=m["code"], version=m["version"])
        return said + (t.gettext(N_(", signed by a parent or guardian")) if m["guardian"] else "")
    if kind == "attachment":
        return t.gettext(N_("file no. {number} (SHA-256 {hash}…)"), number=m["id"], hash=m["hash"])
    if kind == "orders":
        return t.gettext(
            N_("SPP {spp} of {spp_date}; SPM {spm} of {spm_date}"),
            spp=m["spp"],
            spp_date=_day(t, m["spp_date"]),
            spm=m["spm"],
            spm_date=_day(t, m["spm_date"]),
        )
    if kind == "ledger":
        return t.gettext(N_("{code} (from the erasure ledger, after a restore)"), code=m["code"])
    if kind == "removed":
        return t.gettext(N_("removed from the group by the bot"))
    if kind == "asked_to_remove":
        return t.gettext(N_("the admin was asked to remove them"))
    if kind == "configured_admin":
        return t.gettext(N_("admin by the configuration (access.admin_user_ids)"))
    return t.gettext(N_("the LPJ"))  # "lpj"


@dataclass(frozen=True)
class Described:
    """One audit event in words: what was done, the change of state (if any) and the detail."""

    action: str
    change: str | None
    detail: str | None
    quoted: bool = False  # the detail is a person's own words (shown in quotes), not recorded facts


def action_words(t: Translator, action: str, to_status: str | None = None) -> str:
    if action == "transfer" and to_status is not None and to_status in TRANSFER_ACTIONS:
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
    refused = (
        action_words(t, what) if what in ACTIONS else t.gettext(_REFUSED_WHAT[what]) if what in _REFUSED_WHAT else what
    )
    why = t.gettext(REFUSALS[code]) if code in REFUSALS else code
    return t.gettext(N_("tried to: {what} — refused: {why}"), what=refused, why=why)


# Events whose from/to hold values (a role, a language, a team, an SK number), not states.
_VALUE_ACTIONS = frozenset({"set_locale", "bind_group", "create_team", "create_ipwl", "edit_ipwl", "move_ipwl"})
_ROLE_ACTIONS = frozenset(
    {"create_invite", "redeem_invite", "grant_role", "segregation_warning", "revoke_grant", "revoke_access"}
)


def change_words(
    t: Translator, action: str, from_status: str | None, to_status: str | None, entity: str = "proposal"
) -> tuple[str | None, str | None]:
    """An event's "from" and "to" in words: states, roles, or the values they hold."""
    if action in _ROLE_ACTIONS:
        return (role_words(t, from_status) if from_status else None, role_words(t, to_status) if to_status else None)
    if action in _VALUE_ACTIONS or entity not in ("proposal", "client"):
        return from_status, to_status
    return state_words(t, from_status, action), state_words(t, to_status, action)


def describe(
    t: Translator,
    action: str,
    from_status: str | None,
    to_status: str | None,
    reason: str | None,
    entity: str = "proposal",
) -> Described:
    """One event as ``/audit`` and the audit export show it."""
    change = None
    before, after = change_words(t, action, from_status, to_status, entity)
    if after and before:
        change = f"{before} → {after}"
    elif after:
        change = f"→ {after}"
    elif before:
        change = before
    detail, quoted = reason_words(t, action, reason)
    if action == "revoke_access" and not reason:
        detail = t.gettext(N_("every role and any future invitation"))
    return Described(action_words(t, action, to_status), change, detail, quoted)


__all__ = [
    "ACTIONS",
    "Described",
    "ENTITIES",
    "PROPOSAL_STATES",
    "ROLES",
    "action_words",
    "actor_words",
    "describe",
    "reason_words",
    "entity_words",
    "refusal_words",
    "role_words",
    "state_words",
]

"""Complaints (issue 16.5): anyone who started the bot — a client, a family member, an IPWL worker —
may tell the centre of abuse the partner would not report, named or anonymous.

The rules here are pure: the categories (the sensitive ones first), the form's steps and what each
accepts, the ticket number and the anonymous complainant's secret, and the response deadline in
working days. The service (``bot.services.complaints``) stores, routes and audits.

Anonymous means the complaint keeps no link to the Telegram user at all: no person id, no chat id,
no name — not in the complaint, not in its audit events, not in the outbox. Its status is checked
with the ticket number and a secret shown once, at submission; only a digest of that secret is
kept. A named complaint keeps who filed it (sealed) and is checked with the ticket alone, by the
same Telegram user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Mapping
from enum import StrEnum

from bot.domain.conversation import Reply, block, need_choice, typed
from bot.i18n import N_


class ComplaintCategory(StrEnum):
    """What the complaint is about (stored; a member's value never changes)."""

    LEVY = "levy"  # deductions or levies taken from the assistance
    # The assistance did not arrive, or less than the SK decided: what a post-payment check that did
    # not match opens (the cause — a failed transfer, money kept back — is what the officer finds out).
    NOT_RECEIVED = "not_received"
    FRAUD = "fraud"  # fraud, forged documents
    DATA_LEAK = "data_leak"  # personal data leaked or misused
    HARASSMENT = "harassment"  # harassment, violence, intimidation
    CONFLICT = "conflict"  # conflict of interest
    SERVICE = "service"  # the services promised were not delivered
    OTHER = "other"


# The categories that put the complainant at risk if the partner learnt of them.
SENSITIVE = frozenset(
    {
        ComplaintCategory.LEVY,
        ComplaintCategory.NOT_RECEIVED,
        ComplaintCategory.FRAUD,
        ComplaintCategory.DATA_LEAK,
        ComplaintCategory.HARASSMENT,
        ComplaintCategory.CONFLICT,
    }
)

CATEGORY_LABELS: Mapping[ComplaintCategory, str] = {
    ComplaintCategory.LEVY: N_("Deductions or levies on the assistance"),
    ComplaintCategory.NOT_RECEIVED: N_("Assistance not received, or less than decided"),
    ComplaintCategory.FRAUD: N_("Fraud or forged documents"),
    ComplaintCategory.DATA_LEAK: N_("Personal data leaked or misused"),
    ComplaintCategory.HARASSMENT: N_("Harassment or intimidation"),
    ComplaintCategory.CONFLICT: N_("Conflict of interest"),
    ComplaintCategory.SERVICE: N_("Services not delivered as promised"),
    ComplaintCategory.OTHER: N_("Something else"),
}

# The same categories as short button labels: a phone shows about this many characters on a
# one-button row before it cuts the label with "…" (the full text is listed in the message).
BUTTON_LABEL_MAX = 24
CATEGORY_BUTTONS: Mapping[ComplaintCategory, str] = {
    ComplaintCategory.LEVY: N_("Deductions, levies"),
    ComplaintCategory.NOT_RECEIVED: N_("Not received or less"),
    ComplaintCategory.FRAUD: N_("Fraud, forgery"),
    ComplaintCategory.DATA_LEAK: N_("Personal data misused"),
    ComplaintCategory.HARASSMENT: N_("Harassment"),
    ComplaintCategory.CONFLICT: N_("Conflict of interest"),
    ComplaintCategory.SERVICE: N_("Services not delivered"),
    ComplaintCategory.OTHER: N_("Something else"),
}


class ComplaintStatus(StrEnum):
    OPEN = "open"  # filed, no officer has recorded an action yet
    IN_PROGRESS = "in_progress"  # an officer recorded an action: the response deadline is met
    CLOSED = "closed"  # closed with an outcome told to the complainant


STATUS_LABELS: Mapping[ComplaintStatus, str] = {
    ComplaintStatus.OPEN: N_("Received, waiting for a complaint officer"),
    ComplaintStatus.IN_PROGRESS: N_("Being handled by a complaint officer"),
    ComplaintStatus.CLOSED: N_("Closed"),
}


class ActionKind(StrEnum):
    """What an officer records on a complaint (``complaint_actions.kind``)."""

    NOTE = "note"  # an action taken (a call, a visit, a letter to the IPWL…)
    SP4N = "sp4n"  # the SP4N-LAPOR! reference of the report opened there
    CLOSE = "close"  # the outcome, told to the complainant


class Step(StrEnum):
    """The complaint form, one question at a time (the conversation's ``step``)."""

    CATEGORY = "category"
    IDENTITY = "identity"
    PROPOSAL = "proposal"
    DESCRIPTION = "description"
    FILES = "files"
    CONFIRM = "confirm"


# Buttons' values within the form.
NAMED, ANONYMOUS = "named", "anon"
SKIP, DONE = "skip", "done"

DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 3000
MAX_FILES = 5
ACTION_TEXT_MAX = 1500
OUTCOME_MAX = 1500
# An SP4N-LAPOR! tracking reference. LAPOR! gives each report a numeric tracking ID (the "#1916449"
# of lapor.go.id/pengaduan/<id>); some offices write it with a prefix ("LAPOR-2026-1234567"). So: 6–20
# letters, digits or dashes with at least 6 digits — never words ("saya lupa nomornya"), never spaces.
_SP4N = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{5,19}$")
SP4N_MIN_DIGITS = 6
_PROPOSAL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/.\-]{2,39}$")

# Ticket numbers and secrets: no 0/O, 1/I/L, so they survive being read out over the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TICKET_PREFIX = "ADU-"
_TICKET = re.compile(r"^ADU-[" + _ALPHABET + r"]{8}$")


def new_ticket() -> str:
    """A ticket number: ``ADU-`` and 8 random characters (not guessable from another's)."""
    return TICKET_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def new_secret() -> str:
    """An anonymous complainant's secret, shown once: 10 random characters (about 50 bits)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_ticket(text: str) -> str | None:
    """The ticket as typed (any case, spaces or a missing dash forgiven), or None if it is not one."""
    compact = "".join(text.split()).upper().replace("-", "")
    if compact.startswith("ADU"):
        candidate = TICKET_PREFIX + compact[3:]
        if _TICKET.match(candidate):
            return candidate
    return None


def secret_digest(ticket: str, secret: str) -> str:
    """What is kept of the secret: a scrypt of it, salted with the ticket (a stolen database does
    not give the secrets back, and one digest cannot be tried against another ticket)."""
    normalized = "".join(secret.split()).upper().replace("-", "")
    return hashlib.scrypt(normalized.encode(), salt=ticket.encode(), n=2**14, r=8, p=1, dklen=32).hex()


def add_working_days(start: dt.date, days: int, holidays: frozenset[dt.date] = frozenset()) -> dt.date:
    """The day ``days`` working days (Monday–Friday, minus holidays) after ``start``."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            left -= 1
    return day


def working_days_before(day: dt.date, days: int, holidays: frozenset[dt.date] = frozenset()) -> dt.date:
    """The working day ``days`` working days before ``day``."""
    left = days
    while left > 0:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            left -= 1
    return day


# --- the form's answers --------------------------------------------------------------------------


def parse_category(reply: Reply) -> ComplaintCategory:
    try:
        return ComplaintCategory(reply.choice or "")
    except ValueError:
        raise need_choice() from None


def parse_identity(reply: Reply) -> bool:
    """True: anonymous."""
    if reply.choice not in (NAMED, ANONYMOUS):
        raise need_choice()
    return reply.choice == ANONYMOUS


def parse_proposal_code(reply: Reply) -> str | None:
    """The proposal code the complaint is about, or None (skipped)."""
    if reply.choice == SKIP:
        return None
    code = " ".join(typed(reply).split())
    if not _PROPOSAL_CODE.match(code):
        raise block(
            N_(
                "That does not look like a proposal code (for example {example}). "
                "Type the code as the IPWL gave it, or press Skip."
            ),
            example="USL-2026-0001",
        )
    return code


def parse_description(reply: Reply) -> str:
    text = typed(reply).strip()
    if len(text) < DESCRIPTION_MIN:
        raise block(
            N_(
                "Please tell a little more (at least {min} characters): what happened, when, where, "
                "and who was involved if you know."
            ),
            min=DESCRIPTION_MIN,
        )
    if len(text) > DESCRIPTION_MAX:
        raise block(
            N_("The description is {length} characters; at most {max} fit. Shorten it, or send it in two parts."),
            length=len(text),
            max=DESCRIPTION_MAX,
        )
    return text


def parse_action_text(text: str, maximum: int = ACTION_TEXT_MAX) -> str:
    body = text.strip()
    if len(body) < 3:
        raise block(N_("Type what was done (a few words at least)."))
    if len(body) > maximum:
        raise block(
            N_("The text is {length} characters; at most {max} fit. Shorten it."), length=len(body), max=maximum
        )
    return body


def parse_sp4n_reference(text: str) -> str:
    """The SP4N-LAPOR! tracking number as typed (a leading "#" dropped), or a refusal saying what
    one looks like."""
    reference = text.strip().removeprefix("#").strip()
    if not _SP4N.match(reference) or sum(ch.isdigit() for ch in reference) < SP4N_MIN_DIGITS:
        raise block(
            N_(
                "“{text}” is not an SP4N-LAPOR! tracking number. Type the number LAPOR! shows for the "
                "report (its tracking ID, usually 7 digits), for example {example}, or as your office "
                "writes it, for example {long_example}: 6–20 letters, digits or dashes, without spaces."
            ),
            text=text.strip()[:40],
            example="1916449",
            long_example="LAPOR-2026-1234567",
        )
    return reference

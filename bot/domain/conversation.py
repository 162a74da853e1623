"""What both guided conversations — a proposal draft (``bot.domain.proposal_intake``) and an LPJ
(``bot.domain.lpj_intake``) — share: the reply a person gave, and the refusals every step uses.

Each conversation keeps its own cursor, effects and states table; a refusal raises
:class:`~bot.domain.validation.ValidationError` and leaves the cursor where it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.validation import Problem, ValidationError
from bot.i18n import N_


@dataclass(frozen=True)
class Reply:
    """What the person sent: typed text, or the value of a button they pressed."""

    text: str | None = None
    choice: str | None = None


def block(message: str, field_name: str | None = None, **params: object) -> ValidationError:
    """A refusal of this answer, worded for the person (an English msgid and its params)."""
    return ValidationError(Problem(message, params, "block", field_name))


def need_choice() -> ValidationError:
    return block(N_("Please choose one of the buttons below."))


def typed(reply: Reply) -> str:
    """The typed text of a reply; a button pressed where text is asked for is refused."""
    if reply.text is None:
        raise block(N_("Please type your answer as a message."))
    return reply.text

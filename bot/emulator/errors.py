"""The error a Bot API method answers with, rendered the way Telegram renders it."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

__all__ = ["ApiError", "error_body"]


def error_body(status: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    """The JSON body of a failed call: ``{"ok": false, "error_code": …, "description": …}``."""
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


class ApiError(Exception):
    """A Bot API call failed with ``status`` and a Telegram-like ``description``.

    ``violation`` marks errors that mean the bot did something wrong (as opposed to
    conditions a correct bot must cope with, such as a user who blocked it).
    """

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        violation: bool = False,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.violation = violation

    @classmethod
    def bad_request(cls, reason: str, *, violation: bool = True) -> ApiError:
        """``400 Bad Request: <reason>``; by default the bot is at fault."""
        return cls(HTTPStatus.BAD_REQUEST, f"Bad Request: {reason}", violation=violation)

    @classmethod
    def forbidden(cls, reason: str) -> ApiError:
        """``403 Forbidden: <reason>`` (a condition the bot must handle, not a violation)."""
        return cls(HTTPStatus.FORBIDDEN, f"Forbidden: {reason}")

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram would send."""
        return error_body(self.status, self.description, self.retry_after)

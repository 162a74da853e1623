"""Fault injection: make the next calls of a method fail, hang or lose their connection."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

__all__ = ["Fault", "FaultInjector"]


@dataclass
class Fault:
    """What happens to the next ``remaining`` matching calls.

    ``status`` None answers normally (after ``delay``); ``drop`` closes the connection
    without an answer and without performing the call.
    """

    method: str
    remaining: int
    status: int | None = None
    retry_after: int | None = None
    delay: float | None = None
    drop: bool = False
    chat_id: int | None = None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        """Whether this fault applies to a call of ``method`` with ``params``."""
        if method != self.method or self.remaining <= 0:
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)

    def description(self) -> str:
        """The Telegram-style description of the injected error status."""
        if self.status == HTTPStatus.TOO_MANY_REQUESTS:
            return f"Too Many Requests: retry after {self.retry_after or 1}"
        try:
            return HTTPStatus(self.status or HTTPStatus.INTERNAL_SERVER_ERROR).phrase
        except ValueError:
            return "Error"


class FaultInjector:
    """Faults in the order they were planned; the first matching one is used."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Plan a fault."""
        self._faults.append(fault)

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        """Consume one use of the first fault matching this call, if any."""
        for fault in self._faults:
            if fault.matches(method, params):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

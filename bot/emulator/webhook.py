"""Webhook delivery: the emulator POSTs each update to the bot's URL, as Telegram does.

Once ``setWebhook`` is called, updates no longer wait for ``getUpdates`` (which answers 409): each
one is POSTed as JSON to the URL, with the ``X-Telegram-Bot-Api-Secret-Token`` header when a secret
was set. Like Telegram:

- the updates of one chat go one at a time, in order (the next is sent after the previous got a
  2xx); different chats are delivered side by side, up to ``max_connections`` requests at once;
- a non-2xx answer, a refused connection or a timeout is retried with back-off, and the error is
  what ``getWebhookInfo`` reports (``last_error_date``, ``last_error_message``) with the number of
  updates not yet accepted (``pending_update_count``).

Only ``http(s)://127.0.0.1`` / ``localhost`` URLs are served (``http`` is allowed for them: tests),
so the emulator never reaches the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .errors import ApiError

__all__ = ["SECRET_HEADER", "WebhookDelivery", "WebhookSettings", "chat_key", "check_webhook_url"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

_log = logging.getLogger(__name__)


def check_webhook_url(url: str) -> None:
    """Refuse what Telegram refuses (no HTTPS) — except plain HTTP on this machine, for tests."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ApiError.bad_request("bad webhook: invalid webhook URL specified")
    if parts.hostname not in _LOCAL_HOSTS:
        # Telegram would call it over the internet; the emulator stays on this machine.
        raise ApiError.bad_request("bad webhook: the emulator delivers to 127.0.0.1 only", violation=False)


def check_secret(secret: str | None) -> None:
    if secret is None:
        return
    if not 1 <= len(secret) <= 256 or not set(secret) <= _SECRET_CHARS:
        raise ApiError.bad_request("secret token contains unallowed characters")


def chat_key(update: dict[str, Any]) -> int:
    """The chat an update belongs to, for ordering (Telegram keeps each chat's updates in order)."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return int(chat["id"])
        sender = value.get("from") or value.get("user")
        if isinstance(sender, dict) and "id" in sender:
            return int(sender["id"])
    return 0


@dataclass
class WebhookSettings:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: frozenset[str] | None = None


@dataclass
class _Lane:
    """One chat's updates not yet accepted, oldest first."""

    updates: deque[dict[str, Any]] = field(default_factory=deque)
    task: asyncio.Task[None] | None = None


class WebhookDelivery:
    """POSTs updates to the webhook, one chat at a time in order, chats side by side."""

    def __init__(
        self,
        settings: WebhookSettings,
        clock: Callable[[], float],
        *,
        timeout: float = 10.0,
        first_retry: float = 0.2,
        max_retry: float = 5.0,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._timeout = timeout
        self._first_retry = first_retry
        self._max_retry = max_retry
        self._lanes: dict[int, _Lane] = {}
        self._slots = asyncio.Semaphore(max(1, settings.max_connections))
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        #: Updates the bot accepted (2xx), in the order it accepted them.
        self.delivered: list[dict[str, Any]] = []
        #: Every attempt: (update_id, HTTP status or 0 for a failed connection/timeout).
        self.attempts: list[tuple[int, int]] = []
        self._in_flight = 0
        self._peak = 0

    @property
    def pending(self) -> int:
        """Updates not yet accepted by the bot (queued or being POSTed)."""
        return sum(len(lane.updates) for lane in self._lanes.values())

    @property
    def peak_connections(self) -> int:
        """The most requests that were open at once."""
        return self._peak

    def submit(self, update: dict[str, Any]) -> None:
        allowed = self.settings.allowed_updates
        kind = next(key for key in update if key != "update_id")
        if allowed and kind not in allowed:
            return
        key = chat_key(update)
        lane = self._lanes.setdefault(key, _Lane())
        lane.updates.append(update)
        if lane.task is None or lane.task.done():
            lane.task = asyncio.get_running_loop().create_task(self._run_lane(key, lane))

    def take_pending(self) -> list[dict[str, Any]]:
        """Stop delivering; return what was not accepted yet (for ``getUpdates`` after
        ``deleteWebhook``), oldest first."""
        self._closed = True
        left = [update for lane in self._lanes.values() for update in lane.updates]
        for lane in self._lanes.values():
            if lane.task is not None:
                lane.task.cancel()
        self._lanes.clear()
        return sorted(left, key=lambda update: update["update_id"])

    async def close(self) -> None:
        tasks = [lane.task for lane in self._lanes.values() if lane.task is not None]
        self.take_pending()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run_lane(self, key: int, lane: _Lane) -> None:
        try:
            while lane.updates and not self._closed:
                update = lane.updates[0]
                delay = self._first_retry
                while not self._closed:
                    if await self._post(update):
                        break
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self._max_retry)
                else:
                    return
                lane.updates.popleft()
                self.delivered.append(update)
        finally:
            if not lane.updates and self._lanes.get(key) is lane:
                del self._lanes[key]

    async def _post(self, update: dict[str, Any]) -> bool:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))
        headers = {"Content-Type": "application/json"}
        if self.settings.secret_token:
            headers[SECRET_HEADER] = self.settings.secret_token
        async with self._slots:
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)
            try:
                async with self._session.post(self.settings.url, json=update, headers=headers) as response:
                    await response.read()
                    status = response.status
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                self.attempts.append((update["update_id"], 0))
                self._failed(_connection_error(error))
                return False
            finally:
                self._in_flight -= 1
        self.attempts.append((update["update_id"], status))
        if 200 <= status < 300:
            return True
        self._failed(f"Wrong response from the webhook: {status} {_reason(status)}")
        return False

    def _failed(self, message: str) -> None:
        self.last_error_date = int(self._clock())
        self.last_error_message = message
        _log.info("webhook delivery failed: %s", message)

    def info(self, queued: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
        body: dict[str, Any] = {
            "url": self.settings.url,
            "has_custom_certificate": False,
            "pending_update_count": self.pending + sum(1 for _ in queued),
            "max_connections": self.settings.max_connections,
            "ip_address": "127.0.0.1",
        }
        if self.settings.allowed_updates:
            body["allowed_updates"] = sorted(self.settings.allowed_updates)
        if self.last_error_date is not None:
            body["last_error_date"] = self.last_error_date
            body["last_error_message"] = self.last_error_message
        return body


def _connection_error(error: BaseException) -> str:
    if isinstance(error, asyncio.TimeoutError):
        return "Read timeout expired"
    return "Connection refused"


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""

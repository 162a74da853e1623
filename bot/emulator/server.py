"""The emulator's HTTP server and its Python API for tests.

:class:`BotApiEmulator` serves the Bot API on 127.0.0.1 exactly where python-telegram-bot
expects it (``POST {base_url}{token}/{method}``, downloads at ``{base_file_url}{token}/{path}``)
and lets a test play the users: write, upload, press buttons, then read what each chat got.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from .errors import ApiError, error_body
from .faults import Fault, FaultInjector
from .files import MAX_UPLOAD_SIZE
from .flood import FloodControl, FloodLimits, counts_toward_limits
from .methods import BotApiMethods, Params
from .models import BotMessage, CallbackAnswer, EmuChat, EmuUser
from .spec import FileUpload, SpecValidator
from .state import ChatRef, EmulatorState
from .webhook import WebhookDelivery

__all__ = ["BotApiEmulator", "default_spec_path"]

_log = logging.getLogger(__name__)
_POLL_METHOD = "getUpdates"
# How long settle() waits for the bot to confirm the updates it was given by asking again: a
# running bot asks within milliseconds; one that was stopped or killed never does.
UNCONFIRMED_GRACE = 1.0


def default_spec_path() -> Path | None:
    """``shared/telegram-bot-api/api.json`` beside the repository, or None if it is missing."""
    path = Path(__file__).resolve().parents[2].parent / "shared/telegram-bot-api/api.json"
    return path if path.is_file() else None


class _Default(enum.Enum):
    SPEC = enum.auto()


class BotApiEmulator:
    """A local Telegram Bot API server for one bot, validated against the official spec.

    Use as ``async with BotApiEmulator() as emu:`` (or ``await start()`` / ``await stop()``),
    build the bot with ``base_url(emu.base_url)`` and ``base_file_url(emu.base_file_url)``.
    ``spec_path=None`` turns validation off; by default :func:`default_spec_path` is used
    when the file exists.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        spec_path: Path | str | None | _Default = _Default.SPEC,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "atensi_bot",
        bot_name: str = "ATENSI Bot",
        flood_limits: FloodLimits | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        bot_id = token.split(":", 1)[0]
        self._token = token
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self.state = EmulatorState(
            {
                "id": int(bot_id) if bot_id.isdigit() else 1,
                "is_bot": True,
                "first_name": bot_name,
                "username": bot_username,
            },
            clock,
        )
        #: A new user (ids 1001, 1002, …, or ``user_id``); ``started`` = they have already opened the bot.
        self.add_user = self.state.add_user
        if spec_path is _Default.SPEC:
            spec_path = default_spec_path()
        self.validator = SpecValidator(spec_path) if spec_path is not None else None
        #: Every rule the bot broke, as "method: reason".
        self.violations: list[str] = []
        #: Every authorized call, as (method, decoded parameters).
        self.requests: list[tuple[str, dict[str, Any]]] = []
        #: Notes about features the bot used that the emulator only pretends to support.
        self.unimplemented: list[str] = []
        #: Counters: "requests", "429", "429.injected", "429.flood.<limit>", "injected", …
        self.stats: Counter[str] = Counter()
        self._methods = BotApiMethods(self.state, self.unimplemented)
        self._faults = FaultInjector()
        self._flood = FloodControl(flood_limits) if flood_limits is not None else None
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._busy_probes: list[Callable[[], bool]] = []

    # --------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Start serving on ``host:port`` (port 0 picks a free one, kept across restarts)."""
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._requested_port)
        await site.start()
        self._port = self._requested_port = self._runner.addresses[0][1]
        self._closing.clear()
        self.state.updates.reopen()

    async def stop(self) -> None:
        """Release waiting polls and delayed calls, then shut the server down."""
        self._closing.set()
        self.state.updates.close()
        webhook = self.state.updates.stop_webhook(drop_pending=False)
        if webhook is not None:
            await webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -------------------------------------------------------------------------- properties

    @property
    def webhook(self) -> WebhookDelivery | None:
        """The webhook delivery while ``setWebhook`` is in force (what was delivered, attempts)."""
        return self.state.updates.webhook

    @property
    def port(self) -> int:
        """The TCP port (only once started)."""
        if self._port is None:
            raise RuntimeError("the emulator is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://{self._host}:{self.port}/file/bot"

    @property
    def token(self) -> str:
        """The only token the emulator accepts."""
        return self._token

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's ``User`` object."""
        return self.state.bot_user

    @property
    def transcript(self) -> list[dict[str, Any]]:
        """Every event in order, each a dict with ``kind``, ``chat_id`` and ``text`` (plus ids).

        Kinds: ``user_text``, ``user_document``, ``user_photo``, ``press``, ``bot_message``,
        ``bot_document``, ``bot_photo``, ``edit``, ``edit_markup``, ``delete``,
        ``callback_answer``.
        """
        return self.state.transcript

    # ------------------------------------------------------------------------ the world

    def add_group(
        self,
        title: str,
        *,
        members: tuple[EmuUser, ...] | list[EmuUser] = (),
        admins: tuple[EmuUser, ...] | list[EmuUser] = (),
        creator: EmuUser | None = None,
        supergroup: bool = True,
    ) -> EmuChat:
        """A group with the bot in it; ``admins`` are members too."""
        return self.state.add_group(title, members=members, admins=admins, creator=creator, supergroup=supergroup)

    def add_member(self, chat: EmuChat, user: EmuUser, admin: bool = False) -> None:
        """Put a user in a group."""
        self.state.add_member(chat, user, admin)

    def remove_member(self, chat: EmuChat, user: EmuUser) -> None:
        """Make a user leave a group."""
        self.state.remove_member(chat, user)

    def block(self, user: EmuUser) -> None:
        """The user blocks the bot: sends to them get 403 until they write again."""
        user.blocked = True

    # ----------------------------------------------------------------------- user actions

    async def send_text(self, user: EmuUser, text: str, *, chat: EmuChat | None = None) -> dict[str, Any]:
        """``user`` types ``text`` in ``chat`` (None: privately to the bot); returns the Message."""
        return self.state.post_user_message(user, chat, self.state.text_content(text), "user_text", text)

    async def send_document(
        self,
        user: EmuUser,
        *,
        file_name: str,
        content: bytes,
        mime_type: str,
        chat: EmuChat | None = None,
        caption: str | None = None,
        declared_size: int | None = None,
    ) -> dict[str, Any]:
        """``user`` uploads a document; ``declared_size`` fakes a bigger ``file_size``."""
        stored = self.state.files.add(
            content, kind="document", file_name=file_name, mime_type=mime_type, size=declared_size
        )
        payload: dict[str, Any] = {"document": stored.document_dict()}
        if caption is not None:
            payload["caption"] = caption
        return self.state.post_user_message(user, chat, payload, "user_document", caption or file_name)

    async def send_photo(
        self,
        user: EmuUser,
        *,
        content: bytes,
        chat: EmuChat | None = None,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
        declared_size: int | None = None,
    ) -> dict[str, Any]:
        """``user`` sends a photo (stored as a thumbnail and a full size)."""
        sizes, _ = self.state.photo_sizes(content, width, height, declared_size)
        payload: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            payload["caption"] = caption
        return self.state.post_user_message(user, chat, payload, "user_photo", caption)

    async def press(
        self,
        user: EmuUser,
        message: BotMessage,
        data: str | None = None,
        *,
        text: str | None = None,
        timeout: float = 5.0,
    ) -> CallbackAnswer | None:
        """``user`` presses the inline button with ``callback_data == data`` (or label ``text``).

        Waits for the bot's ``answerCallbackQuery`` and returns it, or None after ``timeout``.
        Raises LookupError if the message has no such button.
        """
        if data is None and text is None:
            raise ValueError("press() needs the button's callback data or its text")
        if message.deleted:
            raise LookupError(f"message {message.message_id} was deleted by the bot")
        button = self.state.find_button(message, data, text)
        callback_data = button.callback_data or ""  # find_button only returns callback buttons
        query_id, query = self.state.open_query(user, message, callback_data)
        self.state.record(
            "press",
            message.chat_id,
            button.text,
            data=callback_data,
            user_id=user.id,
            query_id=query_id,
            message_id=message.message_id,
        )
        try:
            return await asyncio.wait_for(asyncio.shield(query.answer), timeout)
        except TimeoutError:
            return None

    # ----------------------------------------------------------------------- inspection

    def chat_messages(self, chat: ChatRef) -> list[BotMessage]:
        """The bot's messages in a chat as they are now (edits applied, deletions removed)."""
        return self.state.chat_messages(chat)

    def last_message(self, chat: ChatRef) -> BotMessage | None:
        """The bot's newest live message in a chat."""
        messages = self.state.chat_messages(chat)
        return messages[-1] if messages else None

    def all_bot_messages(self) -> list[BotMessage]:
        """The bot's live messages in all chats, in sending order."""
        return self.state.all_bot_messages()

    def commands(
        self,
        scope_type: str = "default",
        language_code: str | None = None,
        *,
        chat_id: int | str | None = None,
        user_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """The commands set for a scope (``chat_id``/``user_id`` for chat scopes) and language."""
        key = (scope_type, chat_id, user_id, language_code or "")
        return self.state.commands.get(key, [])

    def subscribe(self, listener: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        """Call ``listener(event)`` for every new :attr:`transcript` event (for live views such
        as the sandbox's web chat); returns a function that unsubscribes."""
        return self.state.subscribe(listener)

    # ----------------------------------------------------------------------- test control

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        count: int = 1,
        delay: float | None = None,
        drop: bool = False,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (optionally only to ``chat_id``) fail.

        ``status`` defaults to 500, or, when ``delay`` is given, to a normal answer after
        the delay (the call is then performed even if the client gave up).  ``status=429``
        answers with ``retry_after`` (default 1).  ``drop`` closes the connection without an
        answer and without performing the call.  Injected failures are not violations.
        """
        if status is None and delay is None and not drop:
            status = HTTPStatus.INTERNAL_SERVER_ERROR
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is None:
            retry_after = 1
        self._faults.add(Fault(method, count, status, retry_after, delay, drop, chat_id))

    def add_busy_probe(self, probe: Callable[[], bool]) -> None:
        """Make :meth:`settle` also wait while ``probe()`` is true: the bot still handling an update
        it has fetched, which the emulator cannot see (a handler busy with the database or a file)."""
        self._busy_probes.append(probe)

    @property
    def calls_in_flight(self) -> int:
        """Bot API calls being answered right now (``getUpdates`` aside)."""
        return self._in_flight

    def is_idle(self) -> bool:
        """Every update fetched and no call in flight (no quiet period: see :meth:`settle`)."""
        return self.state.updates.undelivered == 0 and self._in_flight == 0

    async def settle(self, *, quiet: float | None = None, timeout: float = 30.0) -> None:
        """Wait until the bot has taken every update, no call is in flight, no busy probe says it
        is still working, and no call has arrived for ``quiet`` seconds.  Raises TimeoutError after
        ``timeout`` seconds.

        An update counts as taken once a later ``getUpdates`` confirms it (the bot asks again only
        after queueing what it got); a bot that never asks again (stopped, killed) is given
        ``UNCONFIRMED_GRACE`` seconds. With busy probes (``add_busy_probe``: a bot in this process,
        its handlers and its sender) ``quiet`` only has to cover the few steps between one and the
        next, 30 ms by default; a bot in another process, which the emulator cannot see into, may
        work on an update for longer between two calls: 150 ms by default."""
        if quiet is None:
            quiet = 0.03 if self._busy_probes else 0.15
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            undelivered = self.state.updates.undelivered
            if any(probe() for probe in self._busy_probes):
                self._touch()  # the bot is still working on what it fetched: quiet counts from its end
            idle = time.monotonic() - self._last_activity
            updates = self.state.updates
            unconfirmed = updates.unconfirmed and time.monotonic() - updates.delivered_at < UNCONFIRMED_GRACE
            if undelivered == 0 and not unconfirmed and self._in_flight == 0 and idle >= quiet:
                return
            if loop.time() >= deadline:
                raise TimeoutError(
                    f"the bot did not settle within {timeout} s: {undelivered} update(s) not "
                    f"fetched, {self._in_flight} call(s) in flight"
                )
            await asyncio.sleep(0.01)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
        """Poll ``predicate`` until it is true; TimeoutError after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() >= deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            await asyncio.sleep(0.01)

    # ------------------------------------------------------------------------------ HTTP

    def _violation(self, text: str) -> None:
        _log.warning("Bot API violation: %s", text)
        self.violations.append(text)

    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    @staticmethod
    def _reply(body: dict[str, Any], status: int = HTTPStatus.OK) -> web.Response:
        return web.Response(
            status=status,
            text=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
        )

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        counted = method != _POLL_METHOD
        if counted:
            self._in_flight += 1
            self._touch()
        try:
            return await self._serve(request, method)
        finally:
            if counted:
                self._in_flight -= 1
                self._touch()

    async def _serve(self, request: web.Request, method: str) -> web.StreamResponse:
        if unquote(request.match_info["token"]) != self._token:
            self._violation(f"{method}: request with a wrong bot token")
            return self._reply(error_body(401, "Unauthorized"), HTTPStatus.UNAUTHORIZED)
        try:
            params, files = await self._read_params(request)
        except web.HTTPRequestEntityTooLarge:
            self._violation(f"{method}: request body above {MAX_UPLOAD_SIZE} bytes")
            body = error_body(413, "Request Entity Too Large")
            return self._reply(body, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        decoded = self._decode(method, params, files)
        self.requests.append((method, decoded))
        self.stats["requests"] += 1

        if self.validator is not None:
            if not self.validator.has_method(method):
                self._violation(f"{method}: unknown method")
                return self._reply(error_body(404, "Not Found"), HTTPStatus.NOT_FOUND)
            problems = self.validator.validate(method, params, files)
            if problems:
                for problem in problems:
                    self._violation(f"{method}: {problem}")
                return self._reply(error_body(400, f"Bad Request: {problems[0]}"), 400)

        fault = self._faults.take(method, decoded)
        if fault is not None:
            self.stats["injected"] += 1
            if fault.delay:
                await self._sleep(fault.delay)
            if fault.drop:
                if request.transport is not None:
                    request.transport.close()
                return web.Response()
            if fault.status is not None:
                if fault.status == HTTPStatus.TOO_MANY_REQUESTS:
                    self.stats["429"] += 1
                    self.stats["429.injected"] += 1
                body = error_body(fault.status, fault.description(), fault.retry_after)
                return self._reply(body, fault.status)

        limited = self._flood_check(method, decoded.get("chat_id"))
        if limited is not None:
            return limited
        try:
            result = await self._methods.call(method, Params(params, files))
        except ApiError as exc:
            if exc.violation:
                self._violation(f"{method}: {exc.description}")
            return self._reply(exc.body(), exc.status)
        if method == _POLL_METHOD and result:
            self._touch()
        return self._reply({"ok": True, "result": result})

    def _flood_check(self, method: str, chat_id: Any) -> web.Response | None:
        if self._flood is None or not counts_toward_limits(method) or not isinstance(chat_id, int):
            return None
        limited = self._flood.check(chat_id)
        if limited is None:
            return None
        limit, retry_after = limited
        self.stats["429"] += 1
        self.stats[f"429.flood.{limit}"] += 1
        body = error_body(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        return self._reply(body, HTTPStatus.TOO_MANY_REQUESTS)

    async def _sleep(self, delay: float) -> None:
        """Sleep, but wake up at once when the emulator stops."""
        try:
            await asyncio.wait_for(self._closing.wait(), delay)
        except TimeoutError:
            pass

    @staticmethod
    async def _read_params(request: web.Request) -> tuple[dict[str, str], dict[str, FileUpload]]:
        """Query string plus form, multipart or JSON body, as raw wire strings and file parts."""
        params: dict[str, str] = dict(request.query)
        files: dict[str, FileUpload] = {}
        if request.content_type == "application/json":
            body = await request.json()
            for key, value in body.items() if isinstance(body, dict) else ():
                if value is not None:
                    params[key] = value if isinstance(value, str) else json.dumps(value)
        elif request.body_exists:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    content = value.file.read()
                    files[key] = FileUpload(key, value.filename, value.content_type, content)
                elif isinstance(value, str):
                    params[key] = value
        return params, files

    def _decode(self, method: str, params: dict[str, str], files: dict[str, FileUpload]) -> dict[str, Any]:
        """Parameters as Python values, for ``requests`` and fault matching."""
        if self.validator is not None:
            decoded = self.validator.decode(method, params)
        else:
            decoded = {key: _guess_value(value) for key, value in params.items()}
        decoded.update(files)
        return decoded

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if unquote(request.match_info["token"]) != self._token:
            self._violation("file download with a wrong bot token")
            return self._reply(error_body(401, "Unauthorized"), HTTPStatus.UNAUTHORIZED)
        stored = self.state.files.by_path(unquote(request.match_info["path"]))
        if stored is None or stored.content is None:
            return self._reply(error_body(404, "Not Found"), HTTPStatus.NOT_FOUND)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")


def _guess_value(raw: str) -> Any:
    """Without a spec: decode JSON objects, arrays and integers, keep other strings."""
    if raw[:1] in ("{", "[") or raw.lstrip("-").isdigit():
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw

"""The web chat: a page that looks like Telegram on a phone, and the JSON API behind it.

It runs on its own aiohttp app and port (default 8080), apart from the emulator's Bot API
routes, which stay untouched. Every action goes through the emulator's user-side API
(``send_text``, ``press``, ``send_document``…), exactly as the scenario tests act as users.

Routes::

    GET  /                        the page (static/index.html, app.css, app.js under /static/)
    GET  /api/state?lang=         people, their chats, the clock, Bot API violations
    GET  /api/chat?as=&chat=      one chat as one person sees it
    GET  /api/updates?since=      long poll: returns as soon as anything changed
    GET  /api/files/{file_id}     download a file from a chat
    POST /api/send                {"as", "chat", "text"}
    POST /api/press               {"as", "chat", "message", "data"} -> the callback answer
    POST /api/upload              multipart: as, chat, file, caption?, photo?
    POST /api/clock               {"hours": n}, {"days": n} or {"to": "working_morning"}: time
                                  travel; answers with what the bot sent, or why nothing
    POST /api/reset               back to the demo data

The sandbox has no login, so it listens on 127.0.0.1 only, refuses other Host names (DNS
rebinding) and wants an ``X-Sandbox`` header on every POST, which a foreign web page cannot
add without a CORS preflight the server never grants.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.emulator import BotApiEmulator, EmuChat
from bot.i18n import format_datetime

from .chats import Viewer, can_see, chat_view, people, viewer
from .photos import as_telegram_photo
from .runtime import Sandbox, World

__all__ = ["MAX_UPLOAD_MB", "build_web_app"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_UPLOAD_MB = 25
MAX_TEXT = 4096
LONG_POLL_SECONDS = 25.0
#: Time travel per click is capped: a year is plenty for any deadline in the workflow.
MAX_JUMP = dt.timedelta(days=366)
# What the 📎 sends as a photo (re-encoded as JPEG, as Telegram does); anything else as a document.
_PICTURES = frozenset({"image/jpeg", "image/png"})
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
_SANDBOX: web.AppKey[Sandbox] = web.AppKey("sandbox", Sandbox)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    """A request the page should not have made; answered 400 with the reason."""


def build_web_app(sandbox: Sandbox) -> web.Application:
    """The aiohttp application of the web chat for ``sandbox``."""
    app = web.Application(middlewares=[_guard], client_max_size=(MAX_UPLOAD_MB + 1) * 1024 * 1024)
    app[_SANDBOX] = sandbox
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
    app.router.add_get("/api/state", _state)
    app.router.add_get("/api/chat", _chat)
    app.router.add_get("/api/updates", _updates)
    app.router.add_get("/api/files/{file_id}", _file)
    app.router.add_post("/api/send", _send)
    app.router.add_post("/api/press", _press)
    app.router.add_post("/api/upload", _upload)
    app.router.add_post("/api/clock", _clock)
    app.router.add_post("/api/reset", _reset)
    return app


# ------------------------------------------------------------------------------ plumbing


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _hostname(request.host or "") not in _LOCAL_HOSTS:
        return _error(403, "the sandbox answers on 127.0.0.1 only")
    if request.method == "POST" and request.headers.get("X-Sandbox") != "1":
        return _error(403, "missing X-Sandbox header")
    try:
        return await handler(request)
    except BadRequest as exc:
        return _error(400, str(exc))


def _hostname(host: str) -> str:
    """``127.0.0.1:8080`` -> ``127.0.0.1``; ``[::1]:8080`` -> ``[::1]``."""
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0]


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _json(data: Any) -> web.Response:
    return web.json_response(
        data, dumps=lambda obj: json.dumps(obj, ensure_ascii=False), headers={"Cache-Control": "no-store"}
    )


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise BadRequest("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be an integer") from None


async def _actor(request: web.Request, values: dict[str, Any]) -> tuple[World, Viewer, int]:
    """The running world, the person acting and the chat they act in (which they must see)."""
    world = await request.app[_SANDBOX].world()
    who = viewer(world.cast, str(values.get("as", "")), str(values.get("lang", "id")))
    if who is None:
        raise BadRequest("unknown person")
    chat_id = _int(values.get("chat"), "chat")
    if not can_see(world.emu, who, chat_id):
        raise BadRequest("this person is not in that chat")
    return world, who, chat_id


def _group(emu: BotApiEmulator, chat_id: int) -> EmuChat | None:
    """None for a private chat (the emulator's user API takes chat=None for those)."""
    return emu.state.groups.get(chat_id)


# -------------------------------------------------------------------------------- reading


async def _index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-store"})


async def _state(request: web.Request) -> web.Response:
    sandbox = request.app[_SANDBOX]
    version = sandbox.changes.version
    world = await sandbox.world()
    lang = request.query.get("lang", "id")
    now = sandbox.clock.now()
    return _json(
        {
            "version": version,
            "bot": {"name": world.emu.bot_user["first_name"], "username": world.emu.bot_user["username"]},
            "clock": {
                "utc": now.isoformat(),
                "offset_seconds": int(sandbox.clock.offset.total_seconds()),
                "centre": format_datetime(now, world.cast.centre_zone, lang if lang in ("id", "en") else "id"),
                "zone": world.cast.centre_zone,
                "working_morning": sandbox.next_working_morning().isoformat(),
            },
            "validated": world.emu.validator is not None,
            "violations": list(world.emu.violations),
            "people": people(world.emu, world.cast, lang),
        }
    )


async def _chat(request: web.Request) -> web.Response:
    world, who, chat_id = await _actor(request, dict(request.query))
    return _json({"version": request.app[_SANDBOX].changes.version, **chat_view(world.emu, who, chat_id)})


async def _updates(request: web.Request) -> web.Response:
    since = _int(request.query.get("since", "0"), "since")
    try:
        timeout = min(max(float(request.query.get("timeout", LONG_POLL_SECONDS)), 0.0), LONG_POLL_SECONDS)
    except ValueError:
        raise BadRequest("timeout is a number of seconds") from None
    version = await request.app[_SANDBOX].changes.wait(since, timeout)
    return _json({"version": version})


async def _file(request: web.Request) -> web.StreamResponse:
    world = await request.app[_SANDBOX].world()
    stored = world.emu.state.files.get(request.match_info["file_id"])
    if stored is None or stored.content is None:
        return _error(404, "no such file")
    name = stored.file_name or stored.file_path.rsplit("/", 1)[-1]
    disposition = "attachment" if request.query.get("download") else "inline"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    fallback = "image/jpeg" if stored.kind == "photo" else "application/octet-stream"
    return web.Response(
        body=stored.content,
        content_type=stored.mime_type or fallback,
        headers={
            "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
            # Files come from users and the bot: never let the browser run them as a page.
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )


# -------------------------------------------------------------------------------- acting


async def _send(request: web.Request) -> web.Response:
    body = await _body(request)
    world, who, chat_id = await _actor(request, body)
    text = str(body.get("text", "")).strip()
    if not text:
        raise BadRequest("type a message first")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"a message holds at most {MAX_TEXT} characters")
    sent = await world.emu.send_text(who.user, text, chat=_group(world.emu, chat_id))
    return _json({"message_id": sent["message_id"]})


async def _press(request: web.Request) -> web.Response:
    body = await _body(request)
    world, who, chat_id = await _actor(request, body)
    message = world.emu.state.bot_message(chat_id, _int(body.get("message"), "message"))
    if message is None:
        raise BadRequest("that message is gone")
    try:
        answer = await world.emu.press(who.user, message, str(body.get("data", "")))
    except LookupError:
        raise BadRequest("that button is gone") from None
    if answer is None:  # the bot never answered: Telegram's spinner would just stop
        return _json({"answer": None})
    return _json({"answer": {"text": answer.text, "show_alert": answer.show_alert, "url": answer.url}})


async def _upload(request: web.Request) -> web.Response:
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise BadRequest(f"the sandbox takes files up to {MAX_UPLOAD_MB} MB") from None
    world, who, chat_id = await _actor(request, dict(form))
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise BadRequest("choose a file")
    content = upload.file.read()
    caption = str(form.get("caption", "")).strip()[:1024] or None
    group = _group(world.emu, chat_id)
    photo = as_telegram_photo(content) if form.get("photo") == "1" and upload.content_type in _PICTURES else None
    if photo is not None:
        sent = await world.emu.send_photo(
            who.user, content=photo.content, chat=group, caption=caption, width=photo.width, height=photo.height
        )
    else:
        sent = await world.emu.send_document(
            who.user,
            file_name=Path(upload.filename or "file").name,
            content=content,
            mime_type=upload.content_type or "application/octet-stream",
            chat=group,
            caption=caption,
        )
    return _json({"message_id": sent["message_id"]})


async def _clock(request: web.Request) -> web.Response:
    body = await _body(request)
    sandbox = request.app[_SANDBOX]
    if body.get("to") == "working_morning":
        # Whole days keep the hour: from 01.00 they land at 01.00 again, when reminders wait.
        delta = sandbox.next_working_morning() - sandbox.clock.now()
    else:
        try:
            delta = dt.timedelta(hours=float(body.get("hours", 0)), days=float(body.get("days", 0)))
        except (TypeError, ValueError):
            raise BadRequest("hours and days are numbers") from None
    if not dt.timedelta() < delta <= MAX_JUMP:
        raise BadRequest("time travel goes forward, by at most a year at a time")
    report = await sandbox.advance(delta)
    return _json(
        {
            "utc": report.now.isoformat(),
            "sent": report.sent,
            "working_hours": report.working_hours,
            "next_working": report.next_working.isoformat() if report.next_working else None,
            "work_start": report.work_start.strftime("%H:%M"),
            "work_end": report.work_end.strftime("%H:%M"),
        }
    )


async def _reset(request: web.Request) -> web.Response:
    await request.app[_SANDBOX].reset()
    return _json({"ok": True})

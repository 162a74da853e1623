"""The webhook endpoint (``atensi-bot webhook``): store what Telegram POSTs, then answer 200.

Telegram retries an update until it gets a 2xx, so the only rule is: **answer 200 only once the
update is stored** (in the ``inbox`` table, keyed by its id: a redelivery is a no-op). Everything
else is refused before anything is stored:

- a missing or wrong ``X-Telegram-Bot-Api-Secret-Token`` → 403 (compared in constant time);
- a body above ``[webhook] max_body_kb`` → 413; a body that is not an update → 400;
- the database failing → 503, and Telegram delivers it again later.

Any number of intake processes can run behind the reverse proxy (which terminates HTTPS).
``GET /healthz`` answers 200 while the database answers, 503 otherwise.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from aiohttp import web

from bot.config import WebhookSettings
from bot.services import Services
from bot.services.inbox import BadUpdate

log = logging.getLogger("atensi.intake")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookIntake:
    """The aiohttp application of one intake process."""

    def __init__(self, services: Services, settings: WebhookSettings) -> None:
        self.services = services
        self.settings = settings
        self._secret = settings.secret.get_secret_value().encode()
        self._max_body = settings.max_body_kb * 1024
        self.stats = {"stored": 0, "again": 0, "refused": 0, "failed": 0}
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        # Called after a new update is stored (one process: wakes its worker; elsewhere NOTIFY does).
        self.on_stored: Callable[[], None] | None = None

    def application(self) -> web.Application:
        # aiohttp stops reading a body above client_max_size (413) — the bound holds without a
        # Content-Length too.
        app = web.Application(client_max_size=self._max_body)
        app.router.add_post(self.settings.path, self._update)
        app.router.add_get("/healthz", self._health)
        return app

    async def start(self) -> None:
        if not self._secret:
            # An endpoint without a secret would store whatever anyone POSTs.
            raise ValueError("[webhook] secret is not set")
        self._runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.listen, self.settings.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.info("webhook intake listening on %s:%s%s", self.settings.listen, self.port, self.settings.path)

    async def stop(self) -> None:
        """Stop accepting; requests in hand finish (their updates are stored or not answered 200)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.stats["refused"] += 1
            log.warning("webhook POST without the right secret from %s: refused", request.remote)
            return web.Response(status=403, text="forbidden")
        if request.content_length is not None and request.content_length > self._max_body:
            self.stats["refused"] += 1
            return web.Response(status=413, text="too large")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            self.stats["refused"] += 1
            return web.Response(status=413, text="too large")
        try:
            new = await self.services.inbox.store(body)
        except BadUpdate as error:
            self.stats["refused"] += 1
            return web.Response(status=400, text=f"not a Telegram update: {error}")
        except Exception as error:  # the database failing: not stored, so not 200 — Telegram retries
            self.stats["failed"] += 1
            log.error("webhook update not stored (%s); answered 503", type(error).__name__)
            return web.Response(status=503, text="try again")
        self.stats["stored" if new else "again"] += 1
        if new and self.on_stored is not None:
            self.on_stored()
        return web.json_response({"ok": True})

    async def _health(self, request: web.Request) -> web.Response:
        try:
            await self.services.inbox.ping()
        except Exception as error:
            return web.json_response({"ok": False, "database": type(error).__name__}, status=503)
        return web.json_response({"ok": True, **self.stats})

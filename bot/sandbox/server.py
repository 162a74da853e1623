"""Serving the sandbox: the web chat on 127.0.0.1 and the sandbox behind it."""

from __future__ import annotations

import asyncio
import logging
from types import TracebackType

from aiohttp import web

from bot.config import ConfigError, Settings

from .runtime import Sandbox
from .web import build_web_app

__all__ = ["HOST", "SandboxServer", "serve"]

log = logging.getLogger("atensi.sandbox")

#: Only this machine: the web chat has no login and shows everyone's chats.
HOST = "127.0.0.1"


class SandboxServer:
    """The sandbox and its web chat, started and stopped together.

    Use ``async with SandboxServer(settings) as server:`` and open ``server.url``.
    """

    def __init__(self, settings: Settings) -> None:
        self.sandbox = Sandbox(settings)
        self._port = settings.sandbox.port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The web chat's address (once started; port 0 in the settings picks a free one)."""
        if self._runner is None:
            raise RuntimeError("the sandbox server is not started")
        return f"http://{HOST}:{self._runner.addresses[0][1]}/"

    async def start(self) -> None:
        # Bind the port first: a port already in use fails at once, before any seeding.
        self._runner = web.AppRunner(build_web_app(self.sandbox), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, HOST, self._port).start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            raise ConfigError(
                f"the sandbox cannot listen on {HOST}:{self._port} ({exc.strerror}); "
                "choose another port with [sandbox] port or ATENSI_SANDBOX__PORT"
            ) from None
        try:
            await self.sandbox.start()
        except BaseException:
            await self._runner.cleanup()
            self._runner = None
            raise

    async def stop(self) -> None:
        await self.sandbox.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Run the sandbox until ``stop`` is set (the CLI sets it on Ctrl+C)."""
    server = SandboxServer(settings)
    await server.start()
    try:
        log.info(
            "sandbox running: open %s in a browser (fictional demo data, database %s); press Ctrl+C to stop",
            server.url,
            server.sandbox.paths.database,
        )
        await stop.wait()
        log.info("stopping the sandbox")
    finally:
        await server.stop()

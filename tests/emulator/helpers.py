"""Raw HTTP access to the emulator, for requests PTB would never build."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.emulator import BotApiEmulator


async def call(
    emu: BotApiEmulator,
    method: str,
    data: dict[str, str] | None = None,
    *,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """POST a raw Bot API call the way PTB does; return (HTTP status, JSON body)."""
    url = f"{emu.base_url}{token or emu.token}/{method}"
    form: aiohttp.FormData | dict[str, str] | None = data
    if files:
        form = aiohttp.FormData()
        for key, value in (data or {}).items():
            form.add_field(key, value)
        for key, (filename, content, mime) in files.items():
            form.add_field(key, content, filename=filename, content_type=mime)
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as response:
        return response.status, await response.json()

"""Steps of the onboarding scenarios (tests/scenarios/test_onboarding_chat.py): waiting for people's own command
menus to be published, and the menu one person sees."""

from __future__ import annotations

import asyncio


async def published_menus(world, count: int) -> None:
    """Wait until ``count`` people's own menus are published (the job runs right after each /start)."""
    for _ in range(500):
        if await world.rows("SELECT count(*) FROM people WHERE menu_published IS NOT NULL") == [(count,)]:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{count} personal menus were not published")


def menu(world, user, language: str | None = None) -> list[str]:
    return [c["command"] for c in world.emu.commands("chat", language, chat_id=user.id)]

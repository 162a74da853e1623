"""The atensi-bot command as the tests run it: its exit code and what it printed, and what the database it
worked on holds, read from outside any bot."""

from __future__ import annotations

import asyncio
import contextlib
import io

from bot.cli import main
from storage.unit import Storage


def rows(url: str, sql: str) -> list[tuple]:
    """What the database of ``url`` holds, read on either engine (outside any bot)."""

    async def read() -> list[tuple]:
        storage = await Storage.open(url, apply_migrations=False)
        try:
            async with storage.db.reading() as conn:
                return [tuple(r) for r in await conn.execute_fetchall(sql)]
        finally:
            await storage.close()

    return asyncio.run(read())


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def copy_with_the_cli(source: str, target: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["db", "copy", "--from", source, "--to", target])
    return code, out.getvalue()

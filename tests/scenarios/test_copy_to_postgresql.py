"""Moving a centre from its SQLite file to PostgreSQL: ``atensi-bot db copy``, then the story goes on.

The centre works on SQLite until a proposal is validated (people enrolled, a group bound, a return
with reasons, a resubmission, verification, validation, notifications sent). The bot stops; the
admin copies the database into an empty PostgreSQL database; the bot starts on the copy with the
same Telegram chats. The head issues the SK from the register on PostgreSQL, the operator is told,
and a new draft gets the next proposal number and new rows the next ids.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.app import stop_bot
from handlers.context import DEPS_KEY
from storage.unit import Storage
from tests.scenarios.conftest import run_bot
from tests.scenarios.payment_cast import sk_issued, status, validated
from tests.scenarios.review_cast import team
from tests.terminal import copy_with_the_cli


@pytest.mark.sqlite_only  # the story starts on SQLite and goes on on PostgreSQL
async def test_a_centre_copied_to_postgresql_goes_on_where_it_stopped(world, pg_cluster) -> None:
    t = await team(world)
    pid = await validated(world, t)
    before = {
        table: await world.rows(f"SELECT count(*) FROM {table}")
        for table in ("people", "grants", "proposals", "clients", "audit_events", "outbox", "proposal_versions")
    }
    source = world.storage.db.url

    # The bot stops; the admin copies the centre into a new PostgreSQL database.
    await stop_bot(world.app)
    await world.storage.close()
    target = pg_cluster.empty_database()
    code, said = await asyncio.to_thread(copy_with_the_cli, source, target)
    assert code == 0, said
    assert "every table verified" in said and "proposals" in said and "ok" in said
    # A second copy into the same (now full) database is refused and changes nothing.
    again, refused = await asyncio.to_thread(copy_with_the_cli, source, target)
    assert again == 2 and "not empty" in refused

    # The bot starts on the copy, with the same chats.
    world.storage = await Storage.open(target)
    world.app = await run_bot(world.emu, world.storage, world.clock, world.settings)
    world.deps = world.app.bot_data[DEPS_KEY]
    world.services = world.deps.services
    assert world.storage.db.dialect == "postgresql"
    for table, count in before.items():
        assert await world.rows(f"SELECT count(*) FROM {table}") == count, table

    # Hana issues the SK with the next number from the register, on PostgreSQL now.
    assert "USL-2026-0001" in await sk_issued(world, t, pid)
    assert await world.rows("SELECT number, issued_on FROM decrees") == [("SK-001/BRSKPN-GP/XI/2026", "2026-11-28")]
    assert await status(world, pid) == "decreed"
    assert "SK-001/BRSKPN-GP/XI/2026" in world.last(t.op).text and "/rekening" in world.last(t.op).text

    # Siti starts another proposal: the next number, and new rows take the next ids.
    ((top_audit,),) = await world.rows("SELECT max(id) FROM audit_events")
    await world.say(t.op, "/ajukan")
    question = world.last(t.op)
    await world.press(
        t.op,
        question,
        next(
            b.callback_data
            for row in question.buttons
            for b in row
            if b.callback_data and b.callback_data.endswith("|this")
        ),
    )
    assert await world.rows("SELECT code FROM proposals ORDER BY id") == [("USL-2026-0001",), ("USL-2026-0002",)]
    assert (await world.rows("SELECT min(id) FROM audit_events WHERE id > ?", top_audit))[0][0] == top_audit + 1

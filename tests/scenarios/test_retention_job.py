"""The retention job through the bot (issue 17.7): Rina, the admin, is told which proposals'
clients will be anonymized and when; a week later they are, and she is told that too.

Personas: Rina Admin (Indonesian).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from tests.report_seed import SeedClient, SeedProposal, seed_program
from tests.scenarios.conftest import World, running_world

CLOSED = "USL-2026-0400"
NIK = "3201014508900044"


@pytest.fixture
async def world(scenario_settings: Settings) -> AsyncIterator[World]:
    admin = scenario_settings.admin.model_copy(update={"retention_years": 0, "retention_notice_days": 7})
    async with running_world(scenario_settings.model_copy(update={"admin": admin})) as world:
        yield world


async def test_the_admin_is_told_first_then_the_records_are_anonymized(world: World) -> None:
    rina = world.emu.add_user("Rina", last_name="Admin", user_id=9001, language_code="id")
    await world.say(rina, "/start")
    start = world.clock.now() - dt.timedelta(days=40)
    await seed_program(
        world.storage,
        [
            SeedProposal(
                CLOSED,
                "JB01",
                "closed",
                2026,
                [SeedClient(NIK, [500_000])],
                [("submit", start), ("close", start + dt.timedelta(days=30))],
            )
        ],
    )

    before = len(world.emu.chat_messages(rina))
    await world.services.retention.run()  # what the repeating job runs
    await world.drain()
    told = [m.text for m in world.emu.chat_messages(rina)[before:]]
    assert len(told) == 1 and CLOSED in told[0] and "akan dianonimkan" in told[0], told
    assert NIK not in told[0]
    assert await world.rows("SELECT nik FROM clients") == [(NIK,)]
    tasks = (await world.say(rina, "/tugas"))[-1].text
    assert "1 catatan klien diumumkan untuk dianonimkan" in tasks, tasks

    world.clock.advance(dt.timedelta(days=7, minutes=1))
    before = len(world.emu.chat_messages(rina))
    await world.services.retention.run()
    await world.services.retention.run()  # a second run (another instance) finds nothing left
    await world.drain()
    told = [m.text for m in world.emu.chat_messages(rina)[before:]]
    assert len(told) == 1 and "telah dianonimkan" in told[0], told
    ((nik,),) = await world.rows("SELECT nik FROM clients")
    assert nik.startswith("ANON-")
    assert await world.rows("SELECT count(*) FROM budget_lines") == [(1,)]  # the amounts stay


async def test_the_admin_is_told_of_old_complaints_then_their_personal_data_is_erased(world: World) -> None:
    """A named complaint closed six years ago (five years' retention): Rina reads its ticket, never who
    filed it or what it said; a week later its personal data is erased and she is told."""
    from storage.complaints import Complainant

    rina = world.emu.add_user("Rina", last_name="Admin", user_id=9001, language_code="id")
    await world.say(rina, "/start")
    long_ago = world.clock.now() - dt.timedelta(days=6 * 366)
    async with world.storage.transaction() as uow:
        officer = (await uow.people.upsert(7001, "Lestari", long_ago, started=True)).id
        complaint_id = await uow.complaints.create(
            ticket="USL-2020-0007",
            category="levy",
            complainant=Complainant(officer, 7002, "Budi Warga"),
            secret_digest=None,
            proposal_id=None,
            ipwl_id=None,
            description="Bantuan saya dipotong Rp500.000 oleh pengurus",
            now=long_ago,
            due_at=long_ago + dt.timedelta(days=14),
        )
        assert complaint_id is not None
        assert await uow.complaints.close(complaint_id, "Dana dikembalikan", officer, long_ago + dt.timedelta(days=5))

    before = len(world.emu.chat_messages(rina))
    await world.services.retention.run()
    await world.drain()
    told = [m.text for m in world.emu.chat_messages(rina)[before:]]
    assert len(told) == 1 and "USL-2020-0007" in told[0] and "pengaduan" in told[0], told
    assert "Budi" not in told[0] and "dipotong" not in told[0]

    world.clock.advance(dt.timedelta(days=7, minutes=1))
    before = len(world.emu.chat_messages(rina))
    await world.services.retention.run()
    await world.services.retention.run()  # another instance: nothing left
    await world.drain()
    told = [m.text for m in world.emu.chat_messages(rina)[before:]]
    assert len(told) == 1 and "1 pengaduan" in told[0] and "dihapus" in told[0], told
    async with world.storage.reading() as uow:
        erased = await uow.complaints.by_id(complaint_id)
        assert erased is not None and (erased.description, erased.outcome) == ("", None)
        assert await uow.complaints.complainant(complaint_id) is None

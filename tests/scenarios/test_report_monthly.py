"""The monthly report: the head of centre asks for it in chat, and gets it on the 1st by schedule.

The program's data is seeded directly (tests/test_reports.py: proposals in every status with
clients, budgets, transfers, LPJ and timestamped audit events); the expected figures are computed
from the seed's facts, independently of the report's SQL.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from bot.domain.models import Role
from tests.scenarios.conftest import World
from tests.test_reports import IPWL_CODES, PNG, build_seed, expected, seed_program


@pytest.fixture
async def seeded(world: World):  # type: ignore[no-untyped-def]
    proposals = build_seed()
    await seed_program(world.storage, proposals)
    return proposals


def ipwl_rows(content: bytes, sheet_name: str = "IPWL") -> dict[str, dict[str, object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))[sheet_name]
    header = [c.value for c in sheet[1]]
    return {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}


async def asked(world: World, user, text: str, count: int):  # type: ignore[no-untyped-def]
    """Send ``text`` and wait for ``count`` answers: the report renders in a worker thread, during
    which the bot makes no Bot API call the emulator could wait on."""
    before = len(world.emu.chat_messages(user))
    await world.emu.send_text(user, text)
    await world.emu.wait_for(lambda: len(world.emu.chat_messages(user)) >= before + count, timeout=30)
    await world.emu.settle()
    return world.emu.chat_messages(user)[before:]


async def test_the_head_gets_the_report_with_workbook_and_charts(world: World, seeded) -> None:
    head = await world.speaks(world.emu.add_user("Kepala", last_name="Balai", language_code="en"), "en")
    await world.enrol(head, Role.HEAD)
    replies = await asked(world, head, "/laporan 2026-11", 5)

    summary, workbook, *charts = replies
    centre = expected(seeded, set(IPWL_CODES))
    assert "November 2026" in summary.text and "Made on 28 Nov 2026 09:00 WIB" in summary.text
    assert f"Clients decreed: {centre['decreed']}" in summary.text and "4,700" in summary.text
    assert f"Rp{centre['funds_transferred']:,}".replace(",", ".") in summary.text
    assert f"LPJ: {centre['lpj_on_time']} on time, {centre['lpj_late']} late" in summary.text
    assert workbook.document["file_name"] == "laporan-atensi-2026-11.xlsx"
    rows = ipwl_rows(workbook.file_bytes())
    for code in IPWL_CODES:
        want = expected(seeded, {code})
        got = rows[code]
        assert (got["Clients proposed"], got["Clients decreed"], got["Clients served"]) == (
            want["proposed"], want["decreed"], want["served"]), code
        assert (got["Funds decreed (Rp)"], got["Funds transferred (Rp)"], got["Funds accounted for (Rp)"]) == (
            want["funds_decreed"], want["funds_transferred"], want["funds_accounted"]), code
        assert (got["LPJ on time"], got["LPJ late"]) == (want["lpj_on_time"], want["lpj_late"]), code
        assert got["Median days: SK → transfer"] == want["medians"].get("payment"), code
        assert got["Target (share)"] == pytest.approx(want["target"], abs=0.1)
    assert len(charts) == 3 and all(c.photo and c.file_bytes().startswith(PNG) for c in charts)
    assert [c.caption for c in charts] == ["Progress to the yearly target by province", "Funds pipeline",
                                           "Time per stage (median days)"]

    # Nobody else may ask; a month that has not begun is refused with a reason.
    siti = await world.speaks(world.emu.add_user("Siti", language_code="en"), "en")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    assert (await world.say(siti, "/laporan"))[-1].text.startswith("⚠️")
    assert (await world.say(head, "/laporan 2026-12"))[-1].text.startswith("⚠️")


async def test_on_the_first_the_head_gets_last_months_report_once(world: World, seeded) -> None:
    head = world.emu.add_user("Kepala", language_code="id")
    await world.enrol(head, Role.HEAD)
    job = world.app.job_queue.get_jobs_by_name("monthly_report")[0]
    before = len(world.emu.chat_messages(head))

    await job.run(world.app)  # 28 November: nothing is due
    world.clock.set(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.timezone.utc))  # 1 December, 09.00 WIB
    await job.run(world.app)
    await world.emu.wait_for(lambda: len(world.emu.chat_messages(head)) >= before + 4, timeout=15)
    await job.run(world.app)  # later the same day (or a second instance): not again
    await world.emu.settle()

    sent = world.emu.chat_messages(head)[before:]
    assert len(sent) == 4
    assert sent[0].document["file_name"] == "laporan-atensi-2026-11.xlsx"
    t = world.deps.translations.for_locale("id")  # the workbook and captions are in the head's language
    assert t.gettext("ATENSI monthly report – {month}", month="November 2026").split("–")[0] in sent[0].caption
    rows = ipwl_rows(sent[0].file_bytes(), t.gettext("IPWL"))
    assert rows["SS01"][t.gettext("Clients decreed")] == expected(seeded, {"SS01"})["decreed"]
    assert all(m.file_bytes().startswith(PNG) for m in sent[1:])
    assert await world.rows("SELECT period FROM report_runs") == [("2026-11",)]
    assert await world.rows("SELECT count(*) FROM outbox WHERE kind IN ('monthly_report', 'monthly_chart')") == [(4,)]

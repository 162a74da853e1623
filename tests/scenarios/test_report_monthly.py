"""The monthly report: the head of centre asks for it in chat, and gets it on the 1st by schedule.

The program's data is seeded directly (tests/report_seed.py: proposals in every status with
clients, budgets, transfers, LPJ and timestamped audit events); the expected figures are computed
from the seed's facts, independently of the report's SQL.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.models import Role
from bot.files.report_files import READABLE_CSS_PX, smallest_text_css_px
from storage.db import to_db_time
from tests.report_seed import IPWL_CODES, PNG, build_seed, expected, seed_program
from tests.scenarios.admin_cast import asked
from tests.scenarios.conftest import World
from tests.scenarios.report_files import ipwl_rows, png_width


@pytest.fixture
async def seeded(world: World):
    proposals = build_seed()
    await seed_program(world.storage, proposals)
    return proposals


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
        assert (
            got["Clients proposed, year to date"],
            got["Clients decreed, year to date"],
            got["Clients served, year to date"],
        ) == (want["proposed"], want["decreed"], want["served"]), code
        assert (
            got["Funds decreed, year to date (Rp)"],
            got["Funds transferred, year to date (Rp)"],
            got["Funds accounted for: LPJ validated (Rp)"],
            got["Funds in LPJ filed, not yet validated (Rp)"],
        ) == (want["funds_decreed"], want["funds_transferred"], want["funds_accounted"], want["funds_filed"]), code
        assert (got["LPJ on time"], got["LPJ late"]) == (want["lpj_on_time"], want["lpj_late"]), code
        assert got["Median days: SK → transfer"] == want["medians"].get("payment"), code
        assert got["Yearly target (clients)"] == want["target"]  # whole clients
    assert len(charts) == 3 and all(c.photo and c.file_bytes().startswith(PNG) for c in charts)
    assert [c.caption.split(" – ")[0] for c in charts] == [
        "Progress to the yearly target by province",
        "Funds pipeline",
        "Time per stage (median days)",
    ]

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
    world.clock.set(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC))  # 1 December, 09.00 WIB
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
    assert rows["SS01"][t.gettext("Clients decreed, year to date")] == expected(seeded, {"SS01"})["decreed"]
    assert all(m.file_bytes().startswith(PNG) for m in sent[1:])
    assert await world.rows("SELECT period FROM report_runs") == [("2026-11",)]
    assert await world.rows("SELECT count(*) FROM outbox WHERE kind IN ('monthly_report', 'monthly_chart')") == [(4,)]


async def test_charts_are_photos_sized_for_a_phone_with_their_figures_in_words(world: World, seeded) -> None:
    """Issue 12.10: on a 390 px phone the charts are readable photos, and each message says its numbers."""
    head = world.emu.add_user("Kepala", last_name="Balai", language_code="id")
    await world.enrol(head, Role.HEAD)
    summary, _, *charts = await asked(world, head, "/laporan 2026-11", 5)
    centre = expected(seeded, set(IPWL_CODES))

    assert len(charts) == 3 and all(c.photo is not None and c.document is None for c in charts)
    for chart in charts:
        width = png_width(chart.file_bytes())
        assert 600 <= width <= 800, width  # about 2.4 image px per CSS px of a phone's photo bubble
    assert smallest_text_css_px() >= READABLE_CSS_PX
    progress, funds, stages = (c.caption for c in charts)
    assert f"{centre['decreed']} dari 4.700" in progress and "4.308" in progress  # whole clients
    rupiah = f"Rp{centre['funds_transferred']:,}".replace(",", ".")
    assert rupiah in funds and f"Rp{centre['funds_accounted']:,}".replace(",", ".") in funds
    assert f"Rp{centre['funds_filed']:,}".replace(",", ".") in funds
    assert "hari (n=" in stages
    # One rounding rule: the chat's percentage has the workbook's one decimal.
    share = centre["decreed"] / 4700 * 100
    assert f"{share:.1f}".replace(".", ",") + "%" in summary.text


async def test_the_november_report_holds_still_after_decembers_activity(world: World, seeded) -> None:
    """Issues 11.7 and 18.6: November's report is November's position, at the configured hour,
    kept as sent; December's decree and transfers never enter it."""
    head = world.emu.add_user("Kepala", language_code="id")
    await world.enrol(head, Role.HEAD)
    job = world.app.job_queue.get_jobs_by_name("monthly_report")[0]
    before = len(world.emu.chat_messages(head))
    t = world.deps.translations.for_locale("id")

    # The bot was down on the 1st; it comes back at 01:14 WIB on the 2nd: the report waits for 08.00.
    world.clock.set(dt.datetime(2026, 12, 1, 18, 14, tzinfo=dt.UTC))
    await job.run(world.app)
    await world.emu.settle()
    assert len(world.emu.chat_messages(head)) == before
    assert await world.rows("SELECT count(*) FROM report_runs") == [(0,)]

    # December's activity before the catch-up run: an SK and a transfer dated 2 December.
    code, proposal_id = (
        await world.rows(
            "SELECT code, id FROM proposals WHERE status = 'validated' AND period_year = 2026 ORDER BY id LIMIT 1"
        )
    )[0]
    client_id = (
        await world.rows(
            "SELECT c.id FROM clients c JOIN proposals p ON p.id = c.proposal_id WHERE p.status = 'accounts_verified'"
            " AND p.period_year = 2026 ORDER BY c.id LIMIT 1"
        )
    )[0][0]
    december = dt.datetime(2026, 12, 1, 19, 0, tzinfo=dt.UTC)  # 2 Dec 02:00 WIB
    async with world.storage.db.transaction() as conn:
        await conn.execute(
            "UPDATE proposals SET status = 'decreed', status_since = ?, updated_at = ? WHERE id = ?",
            (to_db_time(december), to_db_time(december), proposal_id),
        )
        await conn.execute(
            "INSERT INTO audit_events (at, actor_role, entity, entity_id, action, from_status, to_status)"
            " VALUES (?, 'head', 'proposal', ?, 'issue_sk', 'validated', 'decreed')",
            (to_db_time(december), code),
        )
        await conn.execute(
            "UPDATE transfers SET status = 'sent', transfer_on = '2026-12-02', updated_at = ? WHERE client_id = ?",
            (to_db_time(december), client_id),
        )
        await conn.execute(
            "INSERT INTO audit_events (at, actor_role, entity, entity_id, action, from_status, to_status)"
            " VALUES (?, 'finance', 'client', ?, 'transfer', 'pending', 'sent')",
            (to_db_time(december), str(client_id)),
        )

    world.clock.set(dt.datetime(2026, 12, 2, 1, 5, tzinfo=dt.UTC))  # 2 Dec 08:05 WIB
    await job.run(world.app)
    await world.emu.wait_for(lambda: len(world.emu.chat_messages(head)) >= before + 4, timeout=15)
    sent = world.emu.chat_messages(head)[before:]
    november = expected(seeded, set(IPWL_CODES))
    assert (
        "Terlambat" in sent[0].caption
        or t.gettext("⏰ Sent late: it was due on {when}, when the bot was not running.", when="").split(":")[0]
        in sent[0].caption
    )
    assert "1 Des 2026 08.00 WIB" in sent[0].caption
    rows = ipwl_rows(sent[0].file_bytes(), t.gettext("IPWL"))
    decreed_col, transferred_col = (
        t.gettext("Clients decreed, year to date"),
        t.gettext("Funds transferred, year to date (Rp)"),
    )
    assert sum(r[decreed_col] for r in rows.values()) == november["decreed"]
    assert sum(r[transferred_col] for r in rows.values()) == november["funds_transferred"]
    assert [m.photo is not None for m in sent[1:]] == [True, True, True]
    kept = await world.rows("SELECT period, late, report IS NOT NULL FROM report_runs")
    assert kept == [("2026-11", 1, 1)]

    # A year later, after more changes, /laporan 2026-11 says what was sent, and says it is the kept one.
    async with world.storage.db.transaction() as conn:
        await conn.execute("UPDATE lpj SET validated_at = ? WHERE validated_at IS NULL", (to_db_time(december),))
    world.clock.set(dt.datetime(2027, 11, 20, 2, 0, tzinfo=dt.UTC))
    summary, workbook, *_ = await asked(world, head, "/laporan 2026-11", 5)
    assert "Seperti dikirim pada 2 Des 2026 08.05 WIB" in summary.text, summary.text
    assert f"Klien dalam SK: {november['decreed']}" in summary.text
    again = ipwl_rows(workbook.file_bytes(), t.gettext("IPWL"))
    assert again == rows

    # Made again from the data, November is still November's position (the kept copy aside).
    admin = await world.services.onboarding.identify(9001, "Admin", private_chat=True, language="id")
    async with world.storage.db.transaction() as conn:
        await conn.execute("DELETE FROM report_runs")
    remade = await world.services.reports.monthly(admin, "2026-11")
    assert remade.sent_at is None and remade.month_complete
    assert remade.centre.clients_decreed == november["decreed"]
    assert remade.centre.funds_transferred == november["funds_transferred"]
    december_report = await world.services.reports.monthly(admin, "2026-12")
    assert december_report.centre.clients_decreed > november["decreed"]
    assert december_report.centre.funds_accounted > november["funds_accounted"]  # the LPJ validated in December

"""Who may do what is visible and audited (issue 18.7).

Personas: Rina, the admin named in the configuration (access.admin_user_ids = [9001]); Dodi, an admin
she invited; Ida, an auditor from the Inspektorat; Andi and Ani, PIC of TIM1 and TIM2.
"""

from __future__ import annotations

import io

import openpyxl

from bot.domain.models import Role
from handlers import buttons
from tests.report_seed import build_seed, seed_program
from tests.scenarios.admin_cast import asked, tap
from tests.scenarios.conftest import World
from tests.security.matrix import message_with_button


async def test_the_configured_admin_is_a_listed_audited_grant_and_revocations_leave_a_trace(world: World) -> None:
    rina = world.emu.add_user("Rina", last_name="Admin", language_code="id", user_id=9001)
    await world.say(rina, "/start")
    people = (await world.say(rina, "/pengguna Rina"))[-1].text
    assert "Rina Admin – admin" in people and "tanpa peran" not in people
    assert await world.rows(
        "SELECT g.role, g.revoked_at FROM grants g JOIN people p ON p.id = g.person_id WHERE p.telegram_user_id = 9001"
    ) == [("admin", None)]
    assert await world.rows(
        "SELECT actor_role, action, to_status, reason FROM audit_events WHERE action = 'grant_role'"
    ) == [("cli", "grant_role", "admin", "access.admin_user_ids")]

    # A second admin, invited; Rina revokes him: the list and the trail say so.
    dodi = world.emu.add_user("Dodi", language_code="id")
    await world.enrol(dodi, Role.ADMIN)
    card = (await world.say(rina, "/pengguna Dodi"))[-1]
    await tap(world, rina, card, "Dodi")
    await tap(world, rina, world.last(rina), "admin")
    await tap(world, rina, world.last(rina), "Ya")
    assert await world.rows("SELECT action, from_status FROM audit_events WHERE action = 'revoke_grant'") == [
        ("revoke_grant", "admin")
    ]
    assert (await world.say(dodi, "/pengguna"))[-1].text.startswith("⚠️")


async def test_a_revoked_pic_leaves_the_teams_group_or_the_admin_is_told_which(world: World) -> None:
    rina = world.emu.add_user("Rina", last_name="Admin", language_code="id", user_id=9001)
    andi, ani = world.emu.add_user("Andi", language_code="id"), world.emu.add_user("Ani", language_code="id")
    await world.enrol(andi, Role.PIC, team="TIM1")
    await world.enrol(ani, Role.PIC, team="TIM2")
    group1 = world.emu.add_group("Tim PIC 1", members=[rina, andi])
    group1.bot_can_restrict = True  # the bot is an admin of this group with the right to ban
    group2 = world.emu.add_group("Tim PIC 2", members=[rina, ani])  # here it is not
    await world.say(rina, "/hubungkan TIM1", chat=group1)
    await world.say(rina, "/hubungkan TIM2", chat=group2)

    for name, team in (("Andi", "TIM1"), ("Ani", "TIM2")):
        card = (await world.say(rina, f"/pengguna {name}"))[-1]
        await tap(world, rina, card, name)
        await tap(world, rina, world.last(rina), team)
        await tap(world, rina, world.last(rina), "Ya")
    assert andi.id not in group1.members and ani.id in group2.members
    told = [m.text for m in world.emu.chat_messages(rina)[-4:]]
    assert any("Andi telah dikeluarkan dari grup Tim PIC 1 (TIM1)" in m for m in told), told
    assert any("keluarkan Ani dari grup Tim PIC 2 (TIM2) secara manual" in m for m in told), told
    assert await world.rows(
        "SELECT to_status, reason FROM audit_events WHERE action = 'remove_from_group' ORDER BY id"
    ) == [("TIM1", "removed"), ("TIM2", "admin asked to remove")]
    # Removed, not banned: a new invitation can bring Andi back.
    assert andi.id not in group1.banned


async def test_an_auditor_reads_everything_and_decides_nothing(world: World) -> None:
    await seed_program(world.storage, build_seed())
    ida = world.emu.add_user("Ida", last_name="Inspektorat", language_code="id")
    await world.enrol(ida, Role.AUDITOR)

    help_text = (await world.say(ida, "/bantuan"))[-1].text
    assert "auditor" in help_text and "tanpa mengambil keputusan" in help_text
    summary, workbook, *charts = await asked(world, ida, "/laporan 2026-11", 5)
    assert "November 2026" in summary.text and workbook.document is not None and len(charts) == 3
    history = (await world.say(ida, "/audit USL-2026-0092"))[-1].text
    assert "USL-2026-0092" in history.split("\n")[0] and "menerbitkan SK" in history

    # Exports: the audit log, masked clients; the full client list is refused with the reason.
    menu = (await world.say(ida, "/ekspor"))[-1]
    await tap(world, ida, menu, "Log audit")
    await tap(world, ida, world.last(ida), "Tahun ini")
    await world.emu.wait_for(lambda: world.last(ida).document is not None, timeout=15)
    book = openpyxl.load_workbook(io.BytesIO(world.last(ida).file_bytes())).active
    assert book.max_row > 50
    # The full client list is not even offered to the auditor (masked only); forged, it is refused.
    menu = (await world.say(ida, "/ekspor"))[-1]
    await tap(world, ida, menu, "Klien")
    labels = [b.text for row in world.last(ida).buttons for b in row]
    assert "Tahun ini" in labels and not any("Lengkap" in label for label in labels), labels
    forged = buttons.EXPORT_MASK.data("clients", 1)
    answer = await world.press(ida, await message_with_button(world, ida.id, forged), forged)
    assert answer is not None and answer.show_alert and "Disamarkan" in answer.text

    # Decisions: none (every button and command is in tests/security/test_authorization_matrix.py).
    for command in ("/sk", "/bayar", "/ipwl", "/pengguna", "/siaran", "/cadangan", "/datapribadi 3201010101900002"):
        assert (await world.say(ida, command))[-1].text.startswith("⚠️"), command
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'export' AND actor_role = 'auditor'") == [
        (1,)
    ]

"""Complaints while nobody can read them, and roles that should be apart (issue 16, follow-ups).

Ibu Sari (no role) complains before the centre has appointed a complaint officer. Hana (head) and
Rina (admin) are told that a complaint waits and that an officer is needed — Rina without its
category, text or sender. Dewi then joins as complaint officer and is told, once, of the complaint
already waiting. Fajar (finance) is later also invited as complaint officer: the grant stands, but
Rina is warned (and the audit trail says so), and his card in /pengguna shows the warning.
"""

from __future__ import annotations

from bot.domain.models import Role
from handlers import buttons
from tests.scenarios.complaint_cast import data_of, file_complaint, join, new_messages
from tests.scenarios.conftest import World
from tests.scenarios.payment_cast import finance_officer


async def test_a_complaint_with_no_officer_reaches_the_head_and_the_admins_and_the_new_officer_hears_of_it(
    world: World,
) -> None:
    hana = world.emu.add_user("Hana", last_name="Kepala")
    await world.enrol(hana, Role.HEAD)
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    sari = world.emu.add_user("Sari", last_name="Ibu")
    await world.say(sari, "/start")
    seen = {u: len(world.emu.chat_messages(u)) for u in (hana, rina)}

    ticket = await file_complaint(world, sari)

    [to_head] = new_messages(world, hana, seen[hana])
    assert ticket in to_head.text and "belum ada petugas pengaduan" in to_head.text
    [to_admin] = new_messages(world, rina, seen[rina])
    assert ticket in to_admin.text and "belum ada petugas pengaduan" in to_admin.text
    assert "/undang" in to_admin.text and "Petugas pengaduan" in to_admin.text
    # Only that it waits: not its category, its text or who sent it.
    for secret in ("Potongan", "pungutan", "Rp500.000", "Sari"):
        assert secret not in to_admin.text, to_admin.text
    assert await world.rows("SELECT kind, count(*) FROM outbox GROUP BY kind HAVING kind LIKE 'complaint%'") == [
        ("complaint_no_officer", 1),
        ("complaint_overdue", 1),
    ]

    # Rina's /tugas says it waits for her to appoint someone.
    tasks = (await world.say(rina, "/tugas"))[-1].text
    assert "1 pengaduan menunggu tanpa petugas pengaduan" in tasks and "/undang" in tasks, tasks

    # Dewi joins as the complaint officer: one message lists what is already waiting.
    dewi = world.emu.add_user("Dewi", last_name="Pengaduan")
    backlog = [m for m in await join(world, dewi, Role.COMPLAINT_OFFICER) if "sudah menunggu" in m.text]
    assert len(backlog) == 1, [m.text for m in world.emu.chat_messages(dewi)]
    assert "1 pengaduan" in backlog[0].text and ticket in backlog[0].text and "/pengaduan" in backlog[0].text
    assert "Rp500.000" not in backlog[0].text
    assert await world.rows("SELECT count(*), max(status) FROM outbox WHERE kind = 'complaint_backlog'") == [
        (1, "sent")
    ]
    assert "tanpa petugas pengaduan" not in (await world.say(rina, "/tugas"))[-1].text
    # She reads it from /pengaduan.
    queue = (await world.say(dewi, "/pengaduan"))[-1]
    assert ticket in queue.text

    # A second complaint now goes to her as any other, and nobody else is told of it.
    seen = {u: len(world.emu.chat_messages(u)) for u in (hana, rina, dewi)}
    second = await file_complaint(world, sari)
    assert new_messages(world, hana, seen[hana]) == [] and new_messages(world, rina, seen[rina]) == []
    assert [second in m.text for m in new_messages(world, dewi, seen[dewi])] == [True]
    assert await world.rows("SELECT count(*) FROM outbox WHERE kind = 'complaint_backlog'") == [(1,)]


async def test_an_officer_joining_with_nothing_waiting_gets_no_backlog_message(world: World) -> None:
    dewi = world.emu.add_user("Dewi", last_name="Pengaduan")
    await world.enrol(dewi, Role.COMPLAINT_OFFICER)
    await world.drain()
    assert not any("sudah menunggu" in m.text for m in world.emu.chat_messages(dewi))
    assert await world.rows("SELECT count(*) FROM outbox WHERE kind = 'complaint_backlog'") == [(0,)]


async def test_finance_made_complaint_officer_warns_the_admin_and_is_audited(world: World) -> None:
    rina = world.emu.add_user("Rina", last_name="Admin")
    await world.enrol(rina, Role.ADMIN)
    fajar = await finance_officer(world)
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'segregation_warning'") == [(0,)]

    # The admin's invitation for a complaint officer already says who should not get it.
    await world.say(rina, "/undang pengaduan")
    invitation = world.last(rina)
    assert "Pemisahan tugas" in invitation.text and "memegang peran keuangan" in invitation.text

    before = len(world.emu.chat_messages(rina))
    joined = await join(world, fajar, Role.COMPLAINT_OFFICER)
    told = next(m.text for m in reversed(joined) if "Berhasil" in m.text)
    assert "kini memegang peran keuangan, petugas pengaduan" in told and "pemisahan tugas" in told, told
    # The grant stands (both roles in force) …
    [(fajar_id,)] = await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", fajar.id)
    assert await world.rows(
        "SELECT role FROM grants WHERE person_id = ? AND revoked_at IS NULL ORDER BY role", fajar_id
    ) == [("complaint_officer",), ("finance",)]
    # … and Rina is warned, with a button to his card.
    [warning] = new_messages(world, rina, before)
    assert "Fajar Keuangan" in warning.text and "Pemisahan tugas" in warning.text
    assert "kini memegang peran keuangan, petugas pengaduan" in warning.text
    assert await world.rows(
        "SELECT entity, entity_id, action, to_status, reason FROM audit_events WHERE action = 'segregation_warning'"
    ) == [("person", str(fajar_id), "segregation_warning", "complaint_officer", "complaint_officer+finance")]
    await world.press(rina, warning, data_of(warning, buttons.PERSON_CARD))
    card = world.last(rina)
    assert "Fajar Keuangan" in card.text and "Pemisahan tugas" in card.text
    # The reverse (an officer made finance) warns too.
    lestari = world.emu.add_user("Lestari", last_name="Pengaduan")
    await world.enrol(lestari, Role.COMPLAINT_OFFICER)
    await join(world, lestari, Role.FINANCE)
    assert await world.rows("SELECT to_status FROM audit_events WHERE action = 'segregation_warning' ORDER BY id") == [
        ("complaint_officer",),
        ("finance",),
    ]
    assert "Lestari Pengaduan" in world.last(rina).text

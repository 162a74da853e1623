"""The centre's admin keeps the registry from chat: IPWL and their PKS, PIC teams, people, invites.

Personas: Rina and Dodi (admins), Andi (PIC of TIM1), Siti (operator of JB01), a stranger.
"""

from __future__ import annotations

import datetime as dt

from bot.domain.models import Role
from tests.report_seed import SeedClient, SeedProposal, seed_program
from tests.scenarios.admin_cast import admin, data, tap
from tests.scenarios.conftest import World

PROPOSAL = "USL-2026-0001"


async def test_the_ipwl_registry_from_chat_with_pks_warnings_and_team_moves(world: World) -> None:
    rina = await admin(world)
    siti = await world.speaks(world.emu.add_user("Siti", language_code="en"), "en")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")

    listing = (await world.say(rina, "/ipwl"))[-1]
    assert all(code in listing.text for code in ("JB01", "JB02", "SS01", "PA01"))
    await tap(world, rina, listing, "JB01")
    card = world.last(rina)
    assert card.message_id == listing.message_id  # the list turned into the card, in place
    assert "PKS-001/2026" in card.text and "31 December 2027" in card.text

    # The PKS now ends in 17 days: within the 30-day warning.
    await tap(world, rina, card, "PKS valid until")
    # A mistyped year is said, and nothing changes: the question stays open for the right date.
    typo = (await world.say(rina, "15-12-2096"))[-1]
    assert "too far ahead. Enter a date up to 28-11-2036" in typo.text, typo.text
    assert await world.rows("SELECT pks_valid_until FROM ipwl WHERE code = 'JB01'") == [("2027-12-31",)]
    edited = (await world.say(rina, "15-12-2026"))[-1]
    assert "⚠️" in edited.text and "17 days" in edited.text
    assert await world.rows("SELECT pks_valid_until FROM ipwl WHERE code = 'JB01'") == [("2026-12-15",)]
    assert await world.rows("SELECT from_status, to_status, reason FROM audit_events WHERE action = 'edit_ipwl'") == [
        ("2027-12-31", "2026-12-15", "pks_valid_until")
    ]
    search = (await world.say(rina, "/ipwl"))[-1]
    assert "⚠️ JB01" in " ".join(search.button_texts) and "1 PKS" in search.text

    # It lapsed yesterday: the operator can no longer start a proposal.
    await tap(world, rina, edited, "PKS valid until")
    lapsed = (await world.say(rina, "27-11-2026"))[-1]
    assert "⛔" in lapsed.text
    refused = await world.say(siti, "/ajukan")
    assert "PKS" in refused[-1].text and "⚠️" in refused[-1].text
    assert await world.rows("SELECT count(*) FROM proposals") == [(0,)]

    # Reassign JB01 to TIM2.
    await tap(world, rina, lapsed, "Change PIC team")
    await tap(world, rina, world.last(rina), "TIM2")
    moved = world.last(rina)
    assert "Moved from team TIM1 to TIM2" in moved.text
    assert await world.rows("SELECT t.code FROM ipwl i JOIN pic_teams t ON t.id = i.team_id WHERE i.code = 'JB01'") == [
        ("TIM2",)
    ]
    assert await world.rows("SELECT from_status, to_status FROM audit_events WHERE action = 'move_ipwl'") == [
        ("TIM1", "TIM2")
    ]

    # Search by province name, then add an IPWL in short guided steps.
    found = (await world.say(rina, "/ipwl sulawesi"))[-1]
    assert "SS01" in found.text and "JB01" not in found.text
    start = (await world.say(rina, "/ipwl"))[-1]
    await tap(world, rina, start, "Add an IPWL")
    for answer in (
        "jb03",
        "Yayasan Sehat Cianjur",
        "jawa barat",
        "Kabupaten Cianjur",
        "Jl. Siliwangi 5",
        "PKS-009/2026",
        "01-12-2026",
        "30-11-2028",
    ):
        question = (await world.say(rina, answer))[-1]
        assert "⚠️" not in question.text, (answer, question.text)
    await tap(world, rina, question, "TIM1")
    created = world.last(rina)
    assert "JB03" in created.text and "✅" in created.text
    assert await world.rows(
        "SELECT code, name, province_code, team_id IS NOT NULL, pks_valid_until FROM ipwl WHERE code = 'JB03'"
    ) == [("JB03", "Yayasan Sehat Cianjur", "32", 1, "2028-11-30")]
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'create_ipwl'") == [(1,)]


async def test_teams_people_and_invites(world: World) -> None:
    rina = await admin(world)
    andi = await world.speaks(world.emu.add_user("Andi", language_code="en"), "en")
    await world.enrol(andi, Role.PIC, team="TIM1")

    teams = (await world.say(rina, "/tim"))[-1]
    assert "TIM1" in teams.text and "TIM2" in teams.text
    await tap(world, rina, teams, "TIM1")
    card = world.last(rina)
    assert "Andi" in card.text and "JB01" in card.text
    await tap(world, rina, card, "Invite a PIC member")
    link = world.last(rina)
    assert "https://t.me/atensi_bot?start=" in link.text
    token = link.text.split("start=")[1].split()[0]

    budi = await world.speaks(world.emu.add_user("Budi", language_code="en"), "en")
    joined = await world.say(budi, f"/start {token}")
    assert "✅" in joined[-1].text
    assert await world.rows(
        "SELECT i.role, t.code, p.full_name FROM invites i JOIN pic_teams t ON t.id = i.team_id"
        " JOIN people p ON p.id = i.created_by WHERE i.token = ?",
        token,
    ) == [("pic", "TIM1", "Rina Admin")]

    # Short forms and the guided operator invite (the IPWL found by part of its name).
    head = (await world.say(rina, "/undang head"))[-1]
    assert "head of centre" in head.text
    roles = (await world.say(rina, "/undang"))[-1]
    await tap(world, rina, roles, "IPWL operator")
    operator_link = (await world.say(rina, "harapan"))[-1]
    assert "JB01" in operator_link.text and "start=" in operator_link.text
    assert await world.rows(
        "SELECT role, count(*) FROM invites WHERE created_by IS NOT NULL GROUP BY role ORDER BY role"
    ) == [("head", 1), ("operator", 1), ("pic", 1)]
    assert await world.rows(
        "SELECT count(*) FROM audit_events WHERE action = 'create_invite' AND actor_id IS NOT NULL"
    ) == [(3,)]
    # Cancel on the role picker says so where Rina looks, and invites nobody.
    roles = (await world.say(rina, "/undang"))[-1]
    await tap(world, rina, roles, "✖️ Cancel")
    closed = world.last(rina)
    assert closed.message_id == roles.message_id and closed.text.endswith("✖️ Cancelled.") and not closed.buttons
    assert await world.rows("SELECT count(*) FROM invites WHERE created_by IS NOT NULL") == [(3,)]

    # A new team in one line.
    teams = (await world.say(rina, "/tim"))[-1]
    await tap(world, rina, teams, "New team")
    await world.say(rina, "TIM8 Tim PIC 8")
    assert await world.rows("SELECT name FROM pic_teams WHERE code = 'TIM8'") == [("Tim PIC 8",)]

    people = (await world.say(rina, "/pengguna budi"))[-1]
    await tap(world, rina, people, "Budi")
    assert "PIC team member TIM1" in world.last(rina).text


async def test_revoked_access_stops_the_next_command_and_the_next_press(world: World) -> None:
    rina, dodi = await admin(world), await admin(world, "Dodi")
    andi = await world.speaks(world.emu.add_user("Andi", language_code="en"), "en")
    await world.enrol(andi, Role.PIC, team="TIM1")
    start = dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)
    events = [
        (action, start + dt.timedelta(hours=6 * i))
        for i, action in enumerate(
            [
                "submit",
                "claim",
                "return",
                "resubmit",
                "claim",
                "verify",
                "validate",
                "issue_sk",
                "submit_accounts",
                "return_accounts",
                "submit_accounts",
                "verify_accounts",
                "record_payment",
                "submit_lpj",
            ]
        )
    ]
    await seed_program(
        world.storage,
        [
            SeedProposal(
                PROPOSAL, "JB01", "lpj_submitted", 2026, [SeedClient("3201014508900004", [500_000])], events, False
            )
        ],
    )

    history = (await world.say(andi, f"/audit {PROPOSAL}"))[-1]
    assert PROPOSAL in history.text and "Page 1 of 2" in history.text
    dodi_list = (await world.say(dodi, "/pengguna"))[-1]

    # Rina revokes Andi's PIC role and Dodi's admin role.
    for name, role in (("Andi", "PIC team member TIM1"), ("Dodi", "admin")):
        people = (await world.say(rina, f"/pengguna {name}"))[-1]
        await tap(world, rina, people, name)
        await tap(world, rina, world.last(rina), role)
        await tap(world, rina, world.last(rina), "Yes, revoke")
        assert "Revoked roles" in world.last(rina).text

    # Andi: the very next press and command are refused.
    answer = await world.press(andi, history, data(history, "Later"))
    assert answer is not None and answer.show_alert and "staff" in answer.text
    unchanged = next(m for m in world.emu.chat_messages(andi) if m.message_id == history.message_id)
    assert "Page 1 of 2" in unchanged.text
    refused = (await world.say(andi, f"/audit {PROPOSAL}"))[-1]
    assert "⚠️" in refused.text and PROPOSAL not in refused.text
    # He was told, in his own chat (in the language the bot keeps for him).
    assert await world.rows(
        "SELECT status, params FROM outbox WHERE kind = 'access_revoked' AND chat_id = ?", andi.id
    ) == [("sent", '{"role": "pic", "scope": "TIM1"}')]
    # Dodi: his list's buttons and the command stop working at once.
    answer = await world.press(dodi, dodi_list, data(dodi_list, "Rina"))
    assert answer is not None and answer.show_alert and "admin" in answer.text.lower()
    assert "⚠️" in (await world.say(dodi, "/ipwl"))[-1].text
    assert await world.rows("SELECT action FROM audit_events WHERE action = 'revoke_grant'") == [
        ("revoke_grant",),
        ("revoke_grant",),
    ]

    # Full revocation of an operator, then restoration (roles stay revoked until a new invite).
    siti = await world.speaks(world.emu.add_user("Siti", language_code="en"), "en")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB02")
    people = (await world.say(rina, "/pengguna siti"))[-1]
    await tap(world, rina, people, "Siti")
    await tap(world, rina, world.last(rina), "Revoke all access")
    await tap(world, rina, world.last(rina), "Yes, revoke")
    assert "All access revoked" in world.last(rina).text
    assert "⚠️" in (await world.say(siti, "/status"))[-1].text
    await tap(world, rina, world.last(rina), "Restore access")
    assert await world.rows("SELECT revoked_at IS NULL FROM people WHERE telegram_user_id = ?", siti.id) == [(1,)]
    # Nobody can lock themselves out.
    people = (await world.say(rina, "/pengguna rina"))[-1]
    await tap(world, rina, people, "Rina")
    await tap(world, rina, world.last(rina), "Revoke all access")
    answer = await tap(world, rina, world.last(rina), "Yes, revoke")
    assert answer is not None and answer.show_alert and "own access" in answer.text
    assert await world.rows("SELECT revoked_at FROM people WHERE telegram_user_id = ?", rina.id) == [(None,)]


ADMIN_COMMANDS = (
    "/ipwl",
    "/ipwl JB01",
    "/tim",
    "/pengguna",
    "/undang",
    "/undang head",
    "/siaran",
    "/datapribadi 3201014508900004",
    "/cadangan",
    "/ekspor",
)


async def test_operators_pics_and_strangers_are_refused_every_admin_command(world: World) -> None:
    siti, andi, tamu = [
        await world.speaks(world.emu.add_user(name, language_code="en"), "en") for name in ("Siti", "Andi", "Tamu")
    ]
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    await world.enrol(andi, Role.PIC, team="TIM1")
    await world.say(tamu, "/start")
    for user in (siti, andi, tamu):
        before = len(world.emu.chat_messages(user))
        for command in (*ADMIN_COMMANDS, "/laporan"):
            await world.emu.send_text(user, command)
        await world.emu.settle()
        replies = world.emu.chat_messages(user)[before:]
        assert len(replies) == len(ADMIN_COMMANDS) + 1, [m.text for m in replies]
        assert all(m.text.startswith("⚠️") and not m.buttons for m in replies), [m.text for m in replies]
    assert await world.rows("SELECT count(*) FROM invites WHERE created_by IS NOT NULL") == [(0,)]
    assert await world.rows("SELECT count(*) FROM conversations") == [(0,)]
    assert await world.rows("SELECT count(*) FROM people WHERE revoked_at IS NOT NULL") == [(0,)]
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action IN ('backup', 'export')") == [(0,)]

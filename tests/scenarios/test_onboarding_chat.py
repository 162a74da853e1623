"""Onboarding in chat: invites, group binding, help and language, as people see them."""

from __future__ import annotations

from bot.domain.models import Role
from handlers import buttons
from handlers.context import BotContext
from handlers.menus import job_publish_menus
from tests.helpers import days
from tests.scenarios.onboarding_cast import menu, published_menus


async def test_an_operator_from_jawa_barat_joins_with_an_invite_link(world) -> None:
    siti = world.emu.add_user("Siti", last_name="Rahayu", language_code="id")
    token = await world.invite(Role.OPERATOR, ipwl="JB01")

    replies = await world.say(siti, f"/start {token}")

    assert len(replies) == 1
    assert "Yayasan Harapan Bogor" in replies[0].text
    assert "operator IPWL" in replies[0].text
    grants = await world.rows(
        "SELECT g.role, i.code FROM grants g JOIN people p ON p.id = g.person_id JOIN ipwl i ON i.id = g.ipwl_id"
        " WHERE p.telegram_user_id = ?",
        siti.id,
    )
    assert grants == [("operator", "JB01")]
    audit = await world.rows("SELECT action, to_status FROM audit_events WHERE action = 'redeem_invite'")
    assert audit == [("redeem_invite", "operator")]

    status = await world.say(siti, "/status")
    assert "Yayasan Harapan Bogor" in status[0].text and "Tim PIC 1" in status[0].text
    assert "Belum ada proposal" in status[0].text


async def test_used_expired_and_unknown_invites_get_clear_answers(world) -> None:
    first, second = world.emu.add_user("Andi"), world.emu.add_user("Budi")
    token = await world.invite(Role.PIC, team="TIM1")
    await world.say(first, f"/start {token}")

    used = await world.say(second, f"/start {token}")
    assert "sudah dipakai" in used[0].text

    late = await world.invite(Role.FINANCE)
    world.clock.advance(days(4))
    expired = await world.say(second, f"/start {late}")
    assert "kedaluwarsa" in expired[0].text

    unknown = await world.say(second, "/start bukan-token")
    assert "tidak berlaku" in unknown[0].text
    assert await world.rows(
        "SELECT count(*) FROM grants g JOIN people p ON p.id = g.person_id WHERE p.telegram_user_id = ?", second.id
    ) == [(0,)]


async def test_a_stranger_is_told_how_to_join(world) -> None:
    stranger = world.emu.add_user("Tamu")
    replies = await world.say(stranger, "/start")
    assert "belum terdaftar" in replies[0].text
    help_text = await world.say(stranger, "/bantuan")
    assert "undangan" in help_text[0].text
    refused = await world.say(stranger, "/status")
    assert "operator IPWL" in refused[0].text


async def test_an_admin_binds_the_pic_group_and_others_are_refused(world) -> None:
    admin = world.emu.add_user("Admin", last_name="Balai")
    pic = world.emu.add_user("Andi")
    group = world.emu.add_group("Tim PIC 1 – Galih Pakuan", members=[pic])
    await world.enrol(pic, Role.PIC, team="TIM1")

    refused = await world.say(pic, "/hubungkan TIM1", chat=group)
    assert "admin" in refused[0].text.lower()
    assert await world.rows("SELECT group_chat_id FROM pic_teams WHERE code = 'TIM1'") == [(None,)]

    await world.enrol(admin, Role.ADMIN)
    world.emu.add_member(group, admin, admin=True)
    bound = await world.say(admin, "/hubungkan TIM1", chat=group)
    assert "Tim PIC 1" in bound[0].text
    assert await world.rows("SELECT group_chat_id FROM pic_teams WHERE code = 'TIM1'") == [(group.id,)]


async def test_help_and_language_in_both_languages(world) -> None:
    siti = world.emu.add_user("Siti", language_code="id")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    help_id = await world.say(siti, "/bantuan")
    assert "/ajukan" in help_id[0].text and "bantuan" in help_id[0].text.lower()

    prompt = (await world.say(siti, "/bahasa"))[0]
    await world.press(siti, prompt, text="🇬🇧 English")
    assert "English" in world.last(siti).text
    help_en = await world.say(siti, "/bantuan")
    assert "help" in help_en[0].text.lower() and "prepare a new proposal" in help_en[0].text
    assert await world.rows("SELECT locale FROM people WHERE telegram_user_id = ?", siti.id) == [("en",)]


async def test_command_menus_are_published_per_scope_in_indonesian(world) -> None:
    private_id = world.emu.commands("all_private_chats")
    assert {"ajukan", "status", "bantuan", "bahasa", "batal"} <= {c["command"] for c in private_id}
    assert any(c["description"] == "Siapkan proposal baru" for c in private_id)
    groups = [c["command"] for c in world.emu.commands("all_group_chats")]
    assert "hubungkan" in groups
    # No list for apps set to English: the service speaks Indonesian until a person picks English.
    assert world.emu.commands("all_private_chats", "en") == []


async def test_each_person_sees_only_the_commands_their_role_may_use(world) -> None:
    siti = world.emu.add_user("Siti", language_code="id")  # an operator in Jawa Barat, Indonesian phone
    ratna = world.emu.add_user("Ratna", language_code="en")  # the head of the centre, English phone
    rina = world.emu.add_user("Rina", language_code="id")  # an admin
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    await world.enrol(ratna, Role.HEAD)
    await world.enrol(rina, Role.ADMIN)
    await published_menus(world, 3)

    assert {"ajukan", "lpj", "rekening", "tugas", "panduan"} <= set(menu(world, siti))
    assert not {"sk", "bayar", "laporan", "ipwl"} & set(menu(world, siti))
    assert {"sk", "laporan", "audit", "tugas"} <= set(menu(world, ratna)) and "ajukan" not in menu(world, ratna)
    assert {"ipwl", "tim", "pengguna", "undang", "siaran", "ekspor"} <= set(menu(world, rina))
    # Ratna's app is in English, but the service speaks Indonesian until she picks a language herself.
    assert world.emu.commands("chat", "en", chat_id=ratna.id) == []
    assert any(
        c["command"] == "sk" and c["description"].startswith("Kepala:")
        for c in world.emu.commands("chat", chat_id=ratna.id)
    )
    indonesian = world.emu.commands("chat", chat_id=siti.id)
    assert any(c["command"] == "ajukan" and c["description"] == "Siapkan proposal baru" for c in indonesian)

    # Siti chooses English: one list, in English, whatever her phone's language.
    await world.say(siti, "/bahasa")
    await world.press(siti, world.last(siti), buttons.LANGUAGE.data("en"))
    await world.emu.wait_for(
        lambda: (
            any(c["description"] == "Prepare a new proposal" for c in world.emu.commands("chat", chat_id=siti.id))
            and world.emu.commands("chat", "en", chat_id=siti.id) == []
        ),
        timeout=10,
    )

    # The admin revokes the head's access: her own menu is taken away (the general one applies).
    who = await world.services.onboarding.identify(rina.id, rina.full_name, private_chat=True, language="id")
    head = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", ratna.id))[0][0]
    await world.services.access.revoke_person(who, head)
    await job_publish_menus(BotContext(world.app))  # (as the job's next run does)
    assert menu(world, ratna) == [] and world.emu.commands("chat", "en", chat_id=ratna.id) == []
    assert await world.rows("SELECT menu_published FROM people WHERE id = ?", head) == [(None,)]

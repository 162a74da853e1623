"""Markup typed by people is shown as typed, never interpreted: HTML and Markdown in every free-text
field (address, assessment, plan, budget lines, return reasons, broadcasts), in Telegram display
names (anyone can call themselves ``<b>…``), in IPWL names from a CSV and in team names.

The emulator parses every message the bot sends as Telegram would and reports broken HTML as a
violation (the ``world`` fixture fails on any); on top, every message that shows a payload must
show it literally, with no link entity pointing at the attacker's site.
"""

from __future__ import annotations

from bot.domain.models import Role
from bot.files.ipwl_csv import parse_ipwl_csv
from handlers import buttons
from tests.scenarios.conftest import consent_in_chat
from tests.scenarios.intake_cast import Operator
from tests.scenarios.review_cast import card, give_reasons, tap
from tests.security.markup_payloads import NAME, PAYLOAD, assert_shown_literally, shown_text


async def test_markup_in_every_free_text_field_and_name_is_shown_literally(world) -> None:
    emu = world.emu
    siti = emu.add_user("<b>Siti</b>", last_name="& <i>Op</i>", language_code="en")
    andi = emu.add_user("<i>Andi</i>", last_name="& <a href='https://evil.example/'>Co</a>", language_code="en")
    budi = emu.add_user("Budi", language_code="en")
    rina = emu.add_user("Rina", last_name="<u>Admin</u>", language_code="en")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    await world.enrol(andi, Role.PIC, team="TIM1")
    await world.enrol(budi, Role.PIC, team="TIM1")
    await world.enrol(rina, Role.ADMIN)
    group = emu.add_group("Tim PIC 1", members=[andi, budi])
    admin = await world.services.onboarding.identify(9001, "Admin", private_chat=True, language="en")
    await world.services.onboarding.bind_group(admin, group.id, "TIM1")

    # The operator types markup everywhere it is accepted, and once where it is not (a name).
    op = Operator(world, siti)
    await op.type("/ajukan")
    await op.tap(buttons.INTAKE_ANSWER.data("this"))
    refused = await op.type("<b>Siti</b> Rahayu")
    assert refused.text.startswith("⚠️") and "<" in refused.text  # the offending character, shown as such
    await op.type("Siti Rahayu")
    await op.type("3201014508900004")
    await op.tap(buttons.INTAKE_ANSWER.data("here"))
    await op.type("Jl. Melati 3 " + PAYLOAD)  # (no phone number at its end)
    await op.tap(buttons.INTAKE_ANSWER.data("keluarga"))
    await op.tap(buttons.INTAKE_ANSWER.data(1))
    await op.tap(buttons.INTAKE_ANSWER.data("done"))
    await op.type("Pengguna sabu 3 tahun " + PAYLOAD)
    await op.type("Konseling keluarga " + PAYLOAD)  # then the line of component 1 is asked
    await op.type("Paket <b>sembako</b> & <i>beras</i>, 3 x 500.000")
    review = await op.tap(buttons.INTAKE_ANSWER.data("review"))
    pid = (await world.rows("SELECT id FROM proposals"))[0][0]
    client_id = (await world.rows("SELECT id FROM clients"))[0][0]
    client_card = await op.tap(buttons.DRAFT_CLIENT.data(client_id), review)
    assert "Paket <b>sembako</b> & <i>beras</i>" in client_card.text and "klik" in client_card.text
    await op.tap(buttons.PROPOSAL_SUBMIT.data(pid), review)
    await op.tap(buttons.PROPOSAL_SUBMIT.data(pid), await consent_in_chat(world, op.user))
    await world.drain()
    assert await world.rows("SELECT status FROM proposals") == [("submitted",)]

    # Andi (a display name full of markup) claims, opens the detail, returns with a marked-up reason.
    world.team = type("T", (), {"group": group})()
    await tap(world, andi, card(world, world.team, pid), buttons.CARD_ACTION.data(pid, "claim"))
    await world.drain()
    assert "<i>Andi</i> & <a href='https://evil.example/'>Co</a>" in card(world, world.team, pid).text
    await tap(world, andi, card(world, world.team, pid), buttons.CARD_DETAIL.data(pid))
    await give_reasons(world, andi, pid, "return", [f"c{client_id}"], "Alamat salah: " + PAYLOAD)
    await world.drain()
    assert "Alamat salah" in world.last(siti).text

    # The admin broadcasts a marked-up message to every operator.
    await world.say(rina, "/siaran")
    await world.press(rina, world.last(rina), buttons.BROADCAST_AUDIENCE.data("all"))
    await world.say(rina, "Pengumuman: " + PAYLOAD)
    confirm = next(
        b.callback_data
        for row in world.last(rina).buttons
        for b in row
        if buttons.BROADCAST_SEND.parse(b.callback_data)
    )
    await world.press(rina, world.last(rina), confirm)
    await world.drain()
    assert "Pengumuman" in world.last(siti).text

    # IPWL names from a CSV and a team name: shown to the operator and in the admin's lists.
    csv = (
        "code,name,province_code,regency,address,pks_number,pks_valid_from,pks_valid_until,team\n"
        f'ZZ01,"Yayasan {PAYLOAD.replace(chr(34), chr(34) * 2)}",32,Kabupaten Bogor,'
        f'"Jl. {PAYLOAD.replace(chr(34), chr(34) * 2)}",'
        "PKS-9,2026-01-01,2027-12-31,TIM1\n"
    )
    await world.services.onboarding.import_ipwl(parse_ipwl_csv(csv.encode(), today=world.clock.now().date()))
    await world.services.onboarding.create_team("TIM9", ("Tim " + PAYLOAD)[:100])
    dewi = emu.add_user("Dewi", language_code="en")
    await world.enrol(dewi, Role.OPERATOR, ipwl="ZZ01")
    await world.say(dewi, "/status")
    await world.say(rina, "/ipwl")
    await world.say(rina, "/ipwl ZZ01")
    await world.say(rina, "/tim")
    await world.say(rina, "/pengguna")
    await world.drain()

    everything = world.emu.all_bot_messages()
    assert assert_shown_literally(everything) >= 8
    names = [m for m in everything if "Siti</b>" in shown_text(m) or "<i>Andi</i>" in shown_text(m)]
    assert names, "display names were shown somewhere"
    for message in names:
        shown = shown_text(message)
        assert NAME in shown or "<i>Andi</i> & <a href='https://evil.example/'>Co</a>" in shown

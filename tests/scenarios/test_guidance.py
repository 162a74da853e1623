"""/panduan: Siti, an IPWL operator on her phone, reads how the cooperation works, step by step.

Pages turn in place (one message, edited), a button goes back to the topics, a step shows how long
it usually takes (measured from this year's proposals), and "who to contact" names her PIC team.
"""

from __future__ import annotations

from bot.domain.guidance import SECTIONS
from bot.domain.models import Role
from bot.i18n import Translator
from tests.report_seed import build_seed, seed_program
from tests.scenarios.admin_cast import data
from tests.scenarios.conftest import World


async def test_an_operator_browses_the_guide_in_one_message(world: World) -> None:
    await seed_program(world.storage, build_seed())  # a year of proposals: stage times are known
    siti = await world.speaks(world.emu.add_user("Siti", language_code="en"), "en")
    andi = await world.speaks(world.emu.add_user("Andi", last_name="Pratama", language_code="en"), "en")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    await world.enrol(andi, Role.PIC, team="TIM1")

    menu = (await world.say(siti, "/panduan"))[-1]
    assert len(menu.button_texts) == len(SECTIONS) == 8
    await world.press(siti, menu, data(menu, "How the cooperation works"))
    first = world.last(siti)
    pages = len(SECTIONS[0].pages)  # (the SOP: 8 pages, and the double-assistance one of issue 16.1)
    assert first.message_id == menu.message_id and f"(1/{pages})" in first.text and "SPP" in first.text
    for page in range(2, 4):
        await world.press(siti, world.last(siti), data(world.last(siti), "Next"))
        assert f"({page}/{pages})" in world.last(siti).text
    proposal = world.last(siti)
    assert "/ajukan" in proposal.text and "⏱" in proposal.text and "days" in proposal.text
    await world.press(siti, proposal, data(proposal, "All topics"))
    assert world.last(siti).text == menu.text and world.last(siti).message_id == menu.message_id

    await world.press(siti, menu, data(menu, "Glossary"))
    glossary = world.last(siti)
    assert all(term in glossary.text for term in ("ATENSI", "BAST", "IPWL", "KPN", "LPJ"))
    await world.press(siti, glossary, data(glossary, "Next"))
    assert all(term in world.last(siti).text for term in ("Meterai", "PKS", "RAB", "SK", "SPP / SPM"))

    await world.press(siti, world.last(siti), data(world.last(siti), "All topics"))
    await world.press(siti, menu, data(menu, "Who to contact"))
    contact = world.last(siti)
    assert "Tim PIC 1" in contact.text and "Andi Pratama" in contact.text
    assert any(e.get("url") == f"tg://user?id={andi.id}" for e in contact.entities)
    assert len(world.emu.chat_messages(siti)) == 2  # the welcome and the one guide message


async def test_the_guide_works_for_a_stranger_and_in_a_group(world: World) -> None:
    tamu = world.emu.add_user("Tamu", language_code="id")
    menu = (await world.say(tamu, "/panduan"))[-1]
    await world.press(tamu, menu, data(menu, "☎️"))
    assert "PIC" in world.last(tamu).text
    group = world.emu.add_group("Tim PIC 1", members=[tamu])
    in_group = (await world.say(tamu, "/panduan", chat=group))[-1]
    assert len(in_group.button_texts) == 8


def test_every_page_fits_a_message_and_formats_with_its_placeholders() -> None:
    t = Translator("en")
    for section in SECTIONS:
        for page in section.pages:
            text = t.gettext(
                page.body,
                centre="C",
                regulation="R",
                retention=5,
                complaint_retention=5,
                pks_days=30,
                calls=3,
                notice_version="v",
            )
            assert len(text) < 1800 and "{" not in text, (section.key, page.title)

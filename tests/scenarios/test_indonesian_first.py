"""Indonesian first, whatever the phone says (issue 12.1).

Andi's Telegram app is set to English. The service still speaks Indonesian to him — the welcome,
a refusal, the help, his draft's questions — until he chooses English himself with /bahasa; the
welcome tells him in one line how to do that.
"""

from __future__ import annotations

from bot.domain.models import Role
from handlers import buttons


async def test_an_english_phone_is_answered_in_indonesian_until_english_is_chosen(world) -> None:
    tamu = world.emu.add_user("Tamu", language_code="en")  # a stranger with an English phone
    welcome = (await world.say(tamu, "/start"))[-1]
    assert "belum terdaftar" in welcome.text and "not registered" not in welcome.text
    assert "/bahasa" in welcome.text  # one line: how to switch
    refused = (await world.say(tamu, "/ajukan"))[-1]
    assert "operator IPWL" in refused.text and "Only IPWL operators" not in refused.text

    andi = world.emu.add_user("Andi", last_name="Pratama", language_code="en")
    await world.enrol(andi, Role.OPERATOR, ipwl="JB01")
    joined = world.last(andi)
    assert "Anda sekarang terdaftar" in joined.text and "/bahasa" in joined.text
    assert "bantuan" in (await world.say(andi, "/bantuan"))[-1].text.lower()
    question = (await world.say(andi, "/ajukan"))[-1]
    assert "Proposal baru" in question.text and "Which month" not in question.text
    unknown = (await world.say(andi, "/foo"))[-1]
    assert "/bantuan" in unknown.text and "tidak" in unknown.text
    assert await world.rows("SELECT locale FROM people WHERE telegram_user_id = ?", andi.id) == [(None,)]

    # He chooses English: from now on every reply is in English.
    await world.say(andi, "/bahasa")
    await world.press(andi, world.last(andi), buttons.LANGUAGE.data("en"))
    assert "English" in world.last(andi).text
    resumed = (await world.say(andi, "/lanjut"))[-1]
    assert "Which month" in resumed.text
    assert await world.rows("SELECT locale FROM people WHERE telegram_user_id = ?", andi.id) == [("en",)]


async def test_a_first_start_is_a_welcome_not_a_welcome_back(world) -> None:
    rina = world.emu.add_user("Rina", language_code="en")
    world.settings.access.admin_user_ids.append(rina.id)  # an admin of the config: known at first contact
    first = (await world.say(rina, "/start"))[-1]
    assert first.text.startswith("Selamat datang, Rina") and "kembali" not in first.text
    again = (await world.say(rina, "/start"))[-1]
    assert again.text.startswith("Selamat datang kembali, Rina")

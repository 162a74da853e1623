"""The complaint categories fit a phone's buttons, in both languages.

Ibu Sari (no role, Indonesian) opens /pengaduan on a small phone: each category is one short
button that a phone shows whole, and the message lists each button with its full meaning. When she
presses one, the question stays in the chat with the category in full. Tom (no role, English) sees
the same in English. Dewi, the complaint officer, finds Ibu Sari's complaint in her list under the
same short label.

Personas: Ibu Sari (no role), Tom (no role, English), Dewi (complaint officer).
"""

from __future__ import annotations

from bot.domain.complaints import BUTTON_LABEL_MAX
from bot.domain.models import Role
from handlers import buttons
from tests.scenarios.complaint_cast import data_of, file_complaint
from tests.scenarios.conftest import World


async def test_each_complaint_category_is_a_short_whole_button_explained_in_full_in_the_message(world: World) -> None:
    sari = world.emu.add_user("Sari", last_name="Ibu")
    await world.say(sari, "/start")
    intro = (await world.say(sari, "/pengaduan"))[-1]
    labels = [b.text for row in intro.buttons for b in row if buttons.COMPLAINT_ANSWER.parse(b.callback_data)]
    assert len(labels) == 8
    assert all(len(label) <= BUTTON_LABEL_MAX for label in labels), labels
    assert labels[0] == "Potongan, pungutan" and labels[1] == "Tidak diterima/kurang"
    # The message says in full what each button means.
    assert "• Potongan, pungutan — Potongan atau pungutan atas bantuan" in intro.text
    assert "• Tidak diterima/kurang — Bantuan tidak diterima atau kurang dari yang diputuskan" in intro.text
    assert "• Layanan tidak sesuai — Layanan tidak diberikan sesuai janji" in intro.text

    await world.press(sari, intro, data_of(intro, buttons.COMPLAINT_ANSWER, "not_received"))
    kept = world.emu.chat_messages(sari)[-2]
    assert kept.text.endswith("→ Bantuan tidak diterima atau kurang dari yang diputuskan ✓")
    [(kind, state)] = await world.rows("SELECT kind, state FROM conversations")
    assert kind == "complaint" and '"not_received"' in state and '"identity"' in state

    tom = world.emu.add_user("Tom", language_code="en")
    await world.say(tom, "/start")
    who = await world.services.onboarding.identify(tom.id, tom.full_name, private_chat=True, language="en")
    await world.services.onboarding.set_locale(who, "en")
    intro = (await world.say(tom, "/pengaduan"))[-1]
    labels = [b.text for row in intro.buttons for b in row if buttons.COMPLAINT_ANSWER.parse(b.callback_data)]
    assert all(len(label) <= BUTTON_LABEL_MAX for label in labels), labels
    assert labels[0] == "Deductions, levies"
    assert "• Deductions, levies — Deductions or levies on the assistance" in intro.text


async def test_the_officers_list_shows_each_complaint_under_its_short_category(world: World) -> None:
    dewi = world.emu.add_user("Dewi", last_name="Pengaduan")
    await world.enrol(dewi, Role.COMPLAINT_OFFICER)
    sari = world.emu.add_user("Sari", last_name="Ibu")
    await world.say(sari, "/start")
    ticket = await file_complaint(world, sari)

    desk = (await world.say(dewi, "/pengaduan"))[-1]
    opens = [b.text for row in desk.buttons for b in row if buttons.COMPLAINT_OPEN.parse(b.callback_data)]
    assert opens == [f"{ticket} · Potongan, pungutan"]
    assert await world.rows("SELECT ticket, category FROM complaints") == [(ticket, "levy")]

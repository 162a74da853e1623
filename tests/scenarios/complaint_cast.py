"""The complaint stories' shared steps: finding a button's data, filing a complaint, joining, a chat's texts;
and a named complaint closed with an outcome, as the privacy scan (through the chat, from team 1's group) and the
at-rest scan (through the service, with a photo) replay it."""

from __future__ import annotations

from bot.domain.conversation import Reply
from bot.domain.models import Role
from bot.emulator import BotMessage
from handlers import buttons
from tests.helpers import jpeg
from tests.scenarios.conftest import World

STORY = "Pengurus yayasan meminta Rp500.000 dari bantuan anak saya untuk biaya administrasi."


def data_of(message: BotMessage, kind: buttons.Button, *args: object) -> str:
    """The callback data of the button of ``kind`` (with ``args``, when given) on ``message``."""
    for row in message.buttons:
        for b in row:
            decoded = kind.parse(b.callback_data)
            if decoded is not None and (not args or decoded.args[: len(args)] == tuple(str(a) for a in args)):
                return b.callback_data or ""
    raise AssertionError(f"no {kind.code} button on: {message.text[:200]}")


async def file_complaint(world: World, user, *, anonymous: bool = True) -> str:
    """The person fills the form (a levy, no proposal, no file) and sends it; returns the ticket."""
    intro = (await world.say(user, "/pengaduan"))[-1]
    await world.press(user, intro, data_of(intro, buttons.COMPLAINT_ANSWER, "levy"))
    asked = world.last(user)
    await world.press(user, asked, data_of(asked, buttons.COMPLAINT_ANSWER, "anon" if anonymous else "named"))
    asked = world.last(user)
    await world.press(user, asked, data_of(asked, buttons.COMPLAINT_ANSWER, "skip"))
    files = (await world.say(user, STORY))[-1]
    await world.press(user, files, data_of(files, buttons.COMPLAINT_ANSWER, "done"))
    summary = world.last(user)
    await world.press(user, summary, data_of(summary, buttons.COMPLAINT_SEND))
    await world.drain()
    filed = next(m for m in reversed(world.emu.chat_messages(user)) if "Pengaduan Anda sudah terkirim" in m.text)
    return filed.text.split("Nomor tiket: ")[1].split()[0]


async def join(world: World, user, role: Role) -> list[BotMessage]:
    """The person opens their invitation link (``/start <token>``); what the bot answered."""
    replies = await world.say(user, f"/start {await world.invite(role)}")
    await world.drain()
    assert any("Berhasil" in m.text for m in replies), [m.text for m in replies]
    return world.emu.chat_messages(user)


def new_messages(world: World, user, before: int) -> list[BotMessage]:
    return world.emu.chat_messages(user)[before:]


async def named_complaint_from_a_group_closed(world: World, t) -> None:
    """Issue 16.5: the stranger of team 1's group types /pengaduan there (pointed to the private
    chat), files a named complaint in private, and the officer closes it with an outcome."""
    await world.say(t.stranger, "/pengaduan", chat=t.group)
    officer = world.emu.add_user("Dewi", last_name="Pengaduan")
    await world.enrol(officer, Role.COMPLAINT_OFFICER)
    await world.say(t.stranger, "/start")
    for step in ("levy", "named", "skip"):
        asked = world.last(t.stranger) if step != "levy" else (await world.say(t.stranger, "/pengaduan"))[-1]
        await world.press(t.stranger, asked, buttons.COMPLAINT_ANSWER.data(step))
    await world.say(t.stranger, "Pengurus memotong Rp700.000 dari bantuan adik saya.")
    await world.press(t.stranger, world.last(t.stranger), buttons.COMPLAINT_ANSWER.data("done"))
    await world.press(t.stranger, world.last(t.stranger), buttons.COMPLAINT_SEND.data())
    await world.drain()
    [(complaint_id,)] = await world.rows("SELECT id FROM complaints")
    await world.press(officer, world.last(officer), buttons.COMPLAINT_OPEN.data(complaint_id, "n"))
    await world.press(officer, world.last(officer), buttons.COMPLAINT_IDENTITY.data(complaint_id))
    card = (await world.say(officer, "/pengaduan"))[-1]
    await world.press(officer, card, buttons.COMPLAINT_OPEN.data(complaint_id))
    await world.press(officer, world.last(officer), buttons.COMPLAINT_ACTION.data(complaint_id, "close"))
    preview = (await world.say(officer, "Yayasan wajib mengembalikan Rp700.000 kepada klien."))[-1]
    await world.press(officer, preview, buttons.COMPLAINT_CLOSE.data(complaint_id))
    await world.drain()
    assert await world.rows("SELECT status FROM complaints") == [("closed",)]
    assert "mengembalikan Rp700.000" in world.last(t.stranger).text


async def named_complaint_with_a_photo_closed(world: World) -> None:
    """Wulan complains by name with a photo; the officer records a visit and closes with an outcome."""
    wulan = world.emu.add_user("Wulan", last_name="Kusumawati")
    await world.say(wulan, "/start")
    officer = world.emu.add_user("Dewi", last_name="Pengaduan")
    await world.enrol(officer, Role.COMPLAINT_OFFICER)
    services = world.services.complaints
    who = await world.services.onboarding.identify(wulan.id, wulan.full_name, private_chat=True, language="id")
    await services.start(who)
    for reply in (Reply(choice="levy"), Reply(choice="named"), Reply(choice="skip")):
        await services.answer(who, reply)
    await services.answer(who, Reply(text="Pengurus yayasan memotong Rp700.000 dari bantuan anak saya."))
    await world.emu.send_photo(wulan, content=jpeg(b"kuitansi Wulan Kusumawati"))
    await world.emu.settle()
    await services.answer(who, Reply(choice="done"))
    await services.submit(who)
    dewi = await world.services.onboarding.identify(officer.id, officer.full_name, private_chat=True, language="id")
    [(complaint_id,)] = await world.rows("SELECT id FROM complaints")
    await services.begin_action(dewi, complaint_id, "note")
    await services.action_text(dewi, "Kunjungan ke rumah Bu Wulan pada 3 Desember.")
    await services.begin_action(dewi, complaint_id, "close")
    await services.action_text(dewi, "Yayasan wajib mengembalikan Rp700.000 kepada klien.")
    await services.close(dewi, complaint_id)
    await world.drain()
    assert await world.rows("SELECT count(*) FROM complaint_files") == [(1,)]


def texts(world: World, chat) -> list[str]:
    return [m.text for m in world.emu.chat_messages(chat)]

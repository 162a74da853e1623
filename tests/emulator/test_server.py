"""The emulator over HTTP, driven by python-telegram-bot's ``Bot`` and by raw requests."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden

from bot.emulator import BotApiEmulator, Button, CallbackAnswer, SpecValidator

from .helpers import call

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Setujui", callback_data="ok:1"),
            InlineKeyboardButton("Tolak", callback_data="no:1"),
        ]
    ]
)
PDF = b"%PDF-1.4 laporan"


@pytest.mark.asyncio
async def test_ptb_requests_are_valid_and_results_complete(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("Sari", last_name="Dewi", username="sari", started=True)
    group = emu.add_group("PIC Bogor", members=[user])

    sent = await bot.send_message(user.id, "<b>Usulan</b> &amp; catatan", parse_mode="HTML", reply_markup=KEYBOARD)
    assert sent.text == "Usulan & catatan"
    assert sent.entities[0].type == "bold"
    assert sent.reply_markup == KEYBOARD
    assert sent.from_user is not None and sent.from_user.username == "atensi_bot"

    edited = await bot.edit_message_text(
        "<i>Disetujui</i>", chat_id=user.id, message_id=sent.message_id, parse_mode="HTML"
    )
    assert not isinstance(edited, bool) and edited.text == "Disetujui"
    await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=KEYBOARD)

    doc = await bot.send_document(
        group.id,
        io.BytesIO(PDF),
        filename="laporan.pdf",
        caption="<b>Laporan</b>",
        parse_mode="HTML",
    )
    assert doc.document is not None
    assert (doc.document.file_name, doc.document.mime_type) == ("laporan.pdf", "application/pdf")
    assert doc.caption == "Laporan"
    file = await bot.get_file(doc.document.file_id)
    assert bytes(await file.download_as_bytearray()) == PDF
    buffer = io.BytesIO()
    await file.download_to_memory(buffer)
    assert buffer.getvalue() == PDF

    resent = await bot.send_document(user.id, doc.document.file_id)
    assert resent.document is not None and resent.document.file_id == doc.document.file_id
    photo = await bot.send_photo(user.id, io.BytesIO(b"\x89PNG fake"), caption="grafik")
    assert photo.photo[-1].width == 1280

    await bot.send_chat_action(user.id, "typing")
    await bot.set_my_commands([BotCommand("start", "Mulai")])
    await bot.set_my_commands(
        [BotCommand("lanjut", "Lanjutkan usulan")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="id",
    )
    group_scope = BotCommandScopeChat(group.id)
    await bot.set_my_commands([BotCommand("laporan", "Laporan")], scope=group_scope)
    assert [c.command for c in await bot.get_my_commands(scope=group_scope)] == ["laporan"]
    await bot.delete_message(user.id, photo.message_id)
    assert (await bot.get_chat_member(group.id, user.id)).status == "member"
    assert (await bot.get_chat(user.id)).first_name == "Sari"

    pressing = asyncio.create_task(emu.press(user, emu.chat_messages(user)[0], "ok:1"))
    updates = await bot.get_updates(timeout=2)
    query = updates[-1].callback_query
    assert query is not None and query.data == "ok:1"
    assert query.message is not None and getattr(query.message, "text", None) == "Disetujui"
    await query.answer("Tersimpan", show_alert=True)
    assert await pressing == CallbackAnswer(query.id, "Tersimpan", True, None)

    assert emu.violations == []
    assert emu.unimplemented == []
    assert emu.commands() == [{"command": "start", "description": "Mulai"}]
    assert emu.commands("all_private_chats", "id") == [{"command": "lanjut", "description": "Lanjutkan usulan"}]
    assert emu.commands("chat", chat_id=group.id) == [{"command": "laporan", "description": "Laporan"}]

    first, second = emu.chat_messages(user)
    assert [first.message_id, second.message_id] == [sent.message_id, resent.message_id]
    assert (first.text, first.html) == ("Disetujui", "<i>Disetujui</i>")
    assert first.edits == ["Usulan & catatan"]
    assert first.button_texts == ["Setujui", "Tolak"]
    assert emu.last_message(user) is second and second.file_bytes() == PDF
    assert emu.chat_messages(group)[0].file_bytes() == PDF
    assert [e["kind"] for e in emu.transcript] == [
        "bot_message",
        "edit",
        "edit_markup",
        "bot_document",
        "bot_document",
        "bot_photo",
        "delete",
        "press",
        "callback_answer",
    ]
    assert emu.requests[0] == ("getMe", {})


@pytest.mark.asyncio
async def test_results_match_the_spec(emu: BotApiEmulator, validator: SpecValidator) -> None:
    user = emu.add_user("Budi", started=True)
    admin = emu.add_user("Ani")
    group = emu.add_group("Grup", members=[user], admins=[admin])
    await emu.send_text(user, "/start")
    await emu.send_document(user, file_name="a.pdf", content=PDF, mime_type="application/pdf")
    await emu.send_photo(user, content=b"\xff\xd8", caption="foto")
    user_id, group_id = str(user.id), str(group.id)
    hello = {"chat_id": user_id, "text": "hai", "reply_markup": KEYBOARD.to_json()}

    checks = [
        ("getMe", {}, "User"),
        ("getUpdates", {"timeout": "0"}, "Array of Update"),
        ("sendMessage", hello, "Message"),
        ("sendDocument", {"chat_id": group_id}, "Message"),
        ("getChat", {"chat_id": group_id}, "ChatFullInfo"),
        ("getChat", {"chat_id": user_id}, "ChatFullInfo"),
        ("getChatMember", {"chat_id": group_id, "user_id": str(admin.id)}, "ChatMember"),
        ("getChatMember", {"chat_id": group_id, "user_id": user_id}, "ChatMember"),
        ("getWebhookInfo", {}, "WebhookInfo"),
        ("getFile", {"file_id": "BQACAgUAAxkBAAI000001"}, "File"),
        ("getChatMenuButton", {}, "MenuButton"),
    ]
    for method, data, type_name in checks:
        files = {"document": ("a.txt", b"abc", "text/plain")} if method == "sendDocument" else None
        status, body = await call(emu, method, data, files=files)
        assert status == 200, body
        assert validator.check_object(body["result"], type_name, method) == []
    assert emu.violations == []


@pytest.mark.asyncio
async def test_wrong_token_is_unauthorized(emu: BotApiEmulator) -> None:
    status, body = await call(emu, "getMe", token="999:WRONG")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    assert emu.violations == ["getMe: request with a wrong bot token"]


@pytest.mark.asyncio
async def test_unknown_method_is_not_found(emu: BotApiEmulator) -> None:
    status, body = await call(emu, "sendMesage", {"chat_id": "1", "text": "x"})
    assert status == 404 and body["description"] == "Not Found"
    assert emu.violations == ["sendMesage: unknown method"]


LONG_DATA = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "d" * 65}]]})
HTML_ERROR = "Bad Request: can't parse entities: "


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("data", "description"),
    [
        ({"text": "x", "colour": "red"}, "Bad Request: unknown parameter 'colour' for sendMessage"),
        ({}, "Bad Request: parameter 'text' is required"),
        ({"text": "x", "disable_notification": "yes"}, "Bad Request: disable_notification: "),
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        ({"text": "x", "reply_markup": LONG_DATA}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "<b>x", "parse_mode": "HTML"}, HTML_ERROR + "Can't find end tag"),
        ({"text": "a < b", "parse_mode": "HTML"}, HTML_ERROR + "Unsupported start tag"),
        ({"text": "<script>", "parse_mode": "HTML"}, HTML_ERROR + "Unsupported start tag"),
        ({"text": "&foo;", "parse_mode": "HTML"}, HTML_ERROR + "Unsupported HTML entity"),
    ],
)
async def test_invalid_requests_get_400_and_a_violation(
    emu: BotApiEmulator, data: dict[str, str], description: str
) -> None:
    user = emu.add_user("Sari", started=True)
    status, body = await call(emu, "sendMessage", {"chat_id": str(user.id), **data})
    assert status == 400
    assert body["ok"] is False and body["error_code"] == 400
    assert body["description"].startswith(description)
    assert emu.violations and emu.violations[0].startswith("sendMessage: ")
    assert emu.chat_messages(user) == []


@pytest.mark.asyncio
async def test_ptb_sees_bad_request_for_bad_html(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("Sari", started=True)
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(user.id, "1 < 2", parse_mode="HTML")
    assert len(emu.violations) == 1


@pytest.mark.asyncio
async def test_edit_rules(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("Sari", started=True)
    sent = await bot.send_message(user.id, "Halo", reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("Halo", chat_id=user.id, message_id=sent.message_id, reply_markup=KEYBOARD)
    assert len(emu.violations) == 1 and "message is not modified" in emu.violations[0]
    # the same text without the keyboard is a change: the keyboard goes away
    await bot.edit_message_text("Halo", chat_id=user.id, message_id=sent.message_id)
    last = emu.last_message(user)
    assert last is not None and last.reply_markup is None
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("X", chat_id=user.id, message_id=999)
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(user.id, 999)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(424242, "x")


@pytest.mark.asyncio
async def test_private_chats_need_start_and_respect_blocks(emu: BotApiEmulator, bot: Bot) -> None:
    stranger = emu.add_user("Budi")
    with pytest.raises(Forbidden, match="(?i)bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "Halo")
    await emu.send_text(stranger, "/start")
    assert stranger.started
    await bot.send_message(stranger.id, "Halo")

    emu.block(stranger)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(stranger.id, "Lagi")
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_chat_action(stranger.id, "typing")
    await emu.send_text(stranger, "halo lagi")  # writing again unblocks
    await bot.send_message(stranger.id, "Lagi")
    assert [m.text for m in emu.chat_messages(stranger)] == ["Halo", "Lagi"]
    assert emu.violations == []  # 403s are the bot's environment, not its mistakes


@pytest.mark.asyncio
async def test_user_uploads_download_and_big_files_are_refused(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("Sari")
    message = await emu.send_document(user, file_name="ktp.jpg", content=b"\xff\xd8jpeg", mime_type="image/jpeg")
    document = message["document"]
    assert (document["file_size"], document["file_name"]) == (6, "ktp.jpg")
    file = await bot.get_file(document["file_id"])
    assert bytes(await file.download_as_bytearray()) == b"\xff\xd8jpeg"

    big = await emu.send_document(
        user,
        file_name="scan.pdf",
        content=b"%PDF",
        mime_type="application/pdf",
        declared_size=21 * 1024 * 1024,
    )
    with pytest.raises(BadRequest, match="(?i)file is too big"):
        await bot.get_file(big["document"]["file_id"])
    photo = await emu.send_photo(user, content=b"\xff\xd8photo", caption="bukti")
    assert photo["photo"][-1]["width"] == 1280 and photo["caption"] == "bukti"
    assert emu.violations == []


@pytest.mark.asyncio
async def test_group_members_and_roles(emu: BotApiEmulator, bot: Bot) -> None:
    owner, admin, member, outsider = (emu.add_user(n) for n in ("Ani", "Budi", "Cici", "Dedi"))
    group = emu.add_group("Tim", members=[member], admins=[admin], creator=owner)
    assert group.id == -1001000000001
    people = (owner, admin, member, outsider)
    statuses = [(await bot.get_chat_member(group.id, u.id)).status for u in people]
    assert statuses == ["creator", "administrator", "member", "left"]
    emu.remove_member(group, member)
    assert (await bot.get_chat_member(group.id, member.id)).status == "left"
    with pytest.raises(ValueError, match="not a member"):
        await emu.send_text(outsider, "halo", chat=group)


@pytest.mark.asyncio
async def test_unimplemented_methods_answer_true(emu: BotApiEmulator) -> None:
    user = emu.add_user("Sari", started=True)
    status, body = await call(emu, "pinChatMessage", {"chat_id": str(user.id), "message_id": "1"})
    assert (status, body) == (200, {"ok": True, "result": True})
    assert emu.unimplemented == ["pinChatMessage: not implemented by the emulator, answered true"]


@pytest.mark.asyncio
async def test_without_spec_calls_are_not_validated_but_html_is_parsed() -> None:
    async with BotApiEmulator(spec_path=None) as emu:
        chat_id = str(emu.add_user("Sari", started=True).id)
        status, _ = await call(emu, "sendMessage", {"chat_id": chat_id, "text": "x", "foo": "1"})
        assert status == 200
        bad_html = {"chat_id": chat_id, "text": "<b>x", "parse_mode": "HTML"}
        status, body = await call(emu, "sendMessage", bad_html)
        assert status == 400 and body["description"].startswith(HTML_ERROR)
        assert emu.requests[0] == ("sendMessage", {"chat_id": 1001, "text": "x", "foo": 1})


@pytest.mark.asyncio
async def test_captions_reply_keyboards_and_message_listing(emu: BotApiEmulator, bot: Bot) -> None:
    sari, budi = emu.add_user("Sari", started=True), emu.add_user("Budi", started=True)
    doc = await bot.send_document(sari.id, io.BytesIO(PDF), filename="a.pdf", caption="lama")
    await bot.edit_message_caption(sari.id, doc.message_id, caption="<b>baru</b>", parse_mode="HTML")
    menu = ReplyKeyboardMarkup([["Usulan baru", "Status"], ["Bantuan"]], resize_keyboard=True)
    await bot.send_message(budi.id, "Pilih menu", reply_markup=menu)
    await bot.send_message(sari.id, "Hapus keyboard", reply_markup=ReplyKeyboardRemove())

    document, removal = emu.chat_messages(sari)
    assert (document.caption, document.caption_html) == ("baru", "<b>baru</b>")
    assert document.edits == ["lama"]
    assert removal.buttons == []
    keyboard = emu.last_message(budi)
    assert keyboard is not None
    assert keyboard.button_texts == ["Usulan baru", "Status", "Bantuan"]
    assert keyboard.buttons[1] == [Button("Bantuan")]
    assert "reply_markup" not in keyboard.to_dict()  # only inline keyboards come back
    assert [m.text or m.caption for m in emu.all_bot_messages()] == [
        "baru",
        "Pilih menu",
        "Hapus keyboard",
    ]
    with pytest.raises(LookupError, match="no inline button"):
        await emu.press(budi, keyboard, text="Status")
    with pytest.raises(TimeoutError):
        await emu.wait_for(lambda: False, timeout=0.05)
    assert emu.violations == []

"""The spec validator, without HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.emulator import FileUpload, SpecValidator
from tests.emulator.emulator_cast import keyboard, send

PDF = FileUpload("document", "a.pdf", "application/pdf", b"%PDF")
JPEG = FileUpload("thumb1", "t.jpg", "image/jpeg", b"\xff\xd8")


def test_accepts_a_typical_message(validator: SpecValidator) -> None:
    problems = send(
        validator,
        chat_id="-1001000000001",
        text="<b>Usulan</b> &amp; <i>catatan</i>",
        parse_mode="HTML",
        disable_notification="true",
        reply_markup=keyboard(
            [{"text": "Setujui", "callback_data": "p:1:ok"}],
            [{"text": "Buka", "url": "https://t.me/atensi_bot?start=x"}],
        ),
        reply_parameters=json.dumps({"message_id": 5}),
    )
    assert problems == []


def test_decodes_by_declared_types(validator: SpecValidator) -> None:
    raw = {"chat_id": "42", "text": "12", "disable_notification": "true"}
    raw["reply_markup"] = keyboard()
    assert validator.decode("sendMessage", raw) == {
        "chat_id": 42,
        "text": "12",
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": []},
    }


BUTTON_WITH_EXTRA_FIELD = keyboard([{"text": "a", "callback_data": "b", "colour": 1}])


@pytest.mark.parametrize(
    ("method", "params", "expected"),
    [
        ("sendMesage", {"chat_id": "1", "text": "x"}, "unknown method 'sendMesage'"),
        ("sendMessage", {"chat_id": "1", "text": "x", "colour": "red"}, "unknown parameter"),
        ("sendMessage", {"chat_id": "1"}, "parameter 'text' is required"),
        ("sendMessage", {"text": "x"}, "parameter 'chat_id' is required"),
        (
            "sendMessage",
            {"chat_id": "1", "text": "x", "disable_notification": "yes"},
            "disable_notification: expected Boolean",
        ),
        ("deleteMessage", {"chat_id": "1", "message_id": "abc"}, "message_id: expected Integer"),
        (
            "sendMessage",
            {"chat_id": "1", "text": "x", "reply_parameters": "{not json"},
            "reply_parameters: expected ReplyParameters",
        ),
        (
            "sendMessage",
            {"chat_id": "1", "text": "x", "reply_parameters": '{"message_id": "5"}'},
            "reply_parameters.message_id: expected Integer",
        ),
        (
            "sendMessage",
            {"chat_id": "1", "text": "x", "reply_parameters": "{}"},
            "missing required field 'message_id' of ReplyParameters",
        ),
        (
            "sendMessage",
            {"chat_id": "1", "text": "x", "reply_markup": BUTTON_WITH_EXTRA_FIELD},
            "unknown field 'colour' for InlineKeyboardButton",
        ),
        (
            "setMyCommands",
            {"commands": "[]", "scope": '{"type": "chats"}'},
            "scope.type: 'chats' is not one of default",
        ),
        (
            "setMyCommands",
            {"commands": "[]", "scope": '{"type": "chat"}'},
            "missing required field 'chat_id' of BotCommandScopeChat",
        ),
        (
            "setMyCommands",
            {"commands": '[{"command": "start"}]'},
            "commands[0]: missing required field 'description' of BotCommand",
        ),
        (
            "editMessageText",
            {"text": "x"},
            "parameter 'chat_id' is required when inline_message_id is not given",
        ),
        (
            "editMessageText",
            {"chat_id": "1", "message_id": "2"},
            "parameter 'text' is required when rich_message is not given",
        ),
        (
            "sendMessage",
            {"chat_id": "1", "text": "x", "parse_mode": "htm"},
            "unsupported parse_mode 'htm'",
        ),
    ],
)
def test_reports_structural_violations(
    validator: SpecValidator, method: str, params: dict[str, str], expected: str
) -> None:
    problems = validator.validate(method, params)
    assert any(expected in problem for problem in problems), problems


def test_text_length_is_counted_after_html_parsing(validator: SpecValidator) -> None:
    assert send(validator, text="x" * 4096) == []
    assert send(validator, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML") == []
    assert send(validator, text="x" * 4097) == ["message is too long: text has 4097 characters, allowed 1-4096"]
    assert send(validator, text="&lt;" * 4097, parse_mode="HTML")[0].startswith(
        "message is too long: text has 4097 characters after entities parsing"
    )
    assert send(validator, text=" \n")[0].startswith("message text is empty")
    blank = send(validator, text="<b> </b>", parse_mode="HTML")
    assert blank[0].startswith("message text is empty")


def test_caption_limit(validator: SpecValidator) -> None:
    files = {"document": PDF}
    ok = validator.validate("sendDocument", {"chat_id": "1", "caption": "c" * 1024}, files)
    too_long = validator.validate("sendDocument", {"chat_id": "1", "caption": "c" * 1025}, files)
    assert ok == []
    assert too_long[0].startswith("message caption is too long")


@pytest.mark.parametrize(
    ("data", "valid"),
    [("a" * 64, True), ("é" * 32, True), ("a" * 65, False), ("é" * 33, False), ("", False)],
)
def test_callback_data_is_limited_in_utf8_bytes(validator: SpecValidator, data: str, valid: bool) -> None:
    problems = send(validator, reply_markup=keyboard([{"text": "x", "callback_data": data}]))
    if valid:
        assert problems == []
    else:
        assert problems[0].startswith("BUTTON_DATA_INVALID")


@pytest.mark.parametrize("text", ["<b>x", "a < b", "<script>x</script>", "&foo;"])
def test_bad_html_is_a_violation(validator: SpecValidator, text: str) -> None:
    problems = send(validator, text=text, parse_mode="HTML")
    assert len(problems) == 1
    assert problems[0].startswith("can't parse entities: ")


def test_html_is_not_parsed_without_parse_mode(validator: SpecValidator) -> None:
    assert send(validator, text="a < b &foo;") == []


@pytest.mark.parametrize(
    ("button", "expected"),
    [
        ({"text": "x"}, "Text buttons are unallowed"),
        ({"text": "x", "callback_data": "a", "url": "https://a.b"}, "exactly one of"),
        ({"text": "x", "url": "javascript:alert(1)"}, "Wrong HTTP URL"),
        ({"text": "x", "url": "www.example.org"}, "Wrong HTTP URL"),
        ({"text": "", "callback_data": "a"}, "text must be non-empty"),
    ],
)
def test_inline_button_rules(validator: SpecValidator, button: dict[str, Any], expected: str) -> None:
    problems = send(validator, reply_markup=keyboard([button]))
    assert any(expected in problem for problem in problems), problems


def test_button_url_schemes_accepted(validator: SpecValidator) -> None:
    markup = keyboard(
        [{"text": "a", "url": "https://example.org"}, {"text": "b", "url": "http://example.org/x"}],
        [{"text": "c", "url": "tg://user?id=1001"}],
    )
    assert send(validator, reply_markup=markup) == []


def test_keyboard_size_and_shape(validator: SpecValidator) -> None:
    rows = [[{"text": str(i), "callback_data": str(i)}] for i in range(101)]
    too_many = send(validator, reply_markup=keyboard(*rows))
    assert any("101 buttons" in problem for problem in too_many)
    assert send(validator, reply_markup=keyboard(*rows[:100])) == []
    problems = send(validator, reply_markup=json.dumps({"keyboard": [[{"text": "a"}], []]}))
    assert any("empty row" in problem for problem in problems)


def test_answer_callback_query_text_limit(validator: SpecValidator) -> None:
    def answer(text: str) -> list[str]:
        return validator.validate("answerCallbackQuery", {"callback_query_id": "1", "text": text})

    assert answer("x" * 200) == []
    assert answer("x" * 201) == ["text is too long: text has 201 characters, allowed 0-200"]


def test_file_parts_and_attach_references(validator: SpecValidator) -> None:
    def document(params: dict[str, str], files: dict[str, FileUpload]) -> list[str]:
        return validator.validate("sendDocument", {"chat_id": "1", **params}, files)

    assert document({}, {"document": PDF}) == []
    assert document({"thumbnail": "attach://thumb1"}, {"document": PDF, "thumb1": JPEG}) == []
    assert document({"document": "BQACAgUAAxkBAAI000001"}, {}) == []
    assert document({"document": "attach://nope"}, {}) == ["document: attach://nope names no file part of the request"]
    assert document({}, {"document": PDF, "extra": JPEG}) == [
        "file part 'extra' is not referenced by any attach://extra"
    ]


def test_media_groups(validator: SpecValidator) -> None:
    def group(*media: dict[str, str]) -> list[str]:
        params = {"chat_id": "1", "media": json.dumps(list(media))}
        return validator.validate("sendMediaGroup", params, {"thumb1": JPEG})

    photo = {"type": "photo", "media": "attach://thumb1"}
    assert group(photo, {"type": "photo", "media": "AgAC"}) == []
    # Telegram does not mix documents with photos in one album
    assert group(photo, {"type": "document", "media": "BQAC"})


def test_check_object_checks_response_shapes(validator: SpecValidator) -> None:
    message = {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}}
    assert validator.check_object(message, "Message") == []
    assert validator.check_object({"message_id": 1}, "Message") == [
        "value: missing required field 'date' of Message",
        "value: missing required field 'chat' of Message",
    ]
    member = {"status": "left", "user": {"id": 1, "is_bot": False, "first_name": "A"}}
    assert validator.check_object(member, "ChatMember") == []

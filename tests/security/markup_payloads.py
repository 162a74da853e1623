"""Markup as people type it, for the injection tests (tests/security/test_injection.py): HTML and Markdown in a
free-text field (``PAYLOAD``, with its attacker's ``LINK``) and in a display name (``NAME``), and what showing it
literally means."""

from __future__ import annotations

from bot.emulator import BotMessage

LINK = '<a href="https://evil.example/">klik</a>'
PAYLOAD = f"&amp; &lt; <b>x</b> {LINK} & <script>alert(1)</script> *m* _i_ `c` [l](https://evil.example)"
NAME = "<b>Siti</b> & <i>Op</i>"


def shown_text(message: BotMessage) -> str:
    return (message.text or "") + (message.caption or "")


def assert_shown_literally(messages: list[BotMessage]) -> int:
    """Every message showing part of a payload shows it as typed; returns how many did."""
    seen = 0
    for message in messages:
        shown = shown_text(message)
        for entity in [*message.entities, *message.caption_entities]:
            assert "evil.example" not in str(entity.get("url", "")), (shown, entity)
        if "klik" in shown or "alert(1)" in shown:
            seen += 1
            assert LINK in shown and "<script>alert(1)</script>" in shown, shown
            assert "&amp; &lt;" in shown, shown  # entities typed by the person stay as typed
    return seen

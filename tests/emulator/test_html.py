"""The Telegram HTML parser and text formatting."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.emulator.formatting import UnsupportedParseModeError, format_text
from bot.emulator.html import HtmlError, parse_html, utf16_len


@pytest.mark.parametrize(
    ("source", "plain", "entities"),
    [
        ("plain", "plain", []),
        ("<b>a</b><strong>b</strong>", "ab", [("bold", 0, 1), ("bold", 1, 1)]),
        (
            "<i>x</i> <em>y</em> <u>z</u> <ins>w</ins>",
            "x y z w",
            [("italic", 0, 1), ("italic", 2, 1), ("underline", 4, 1), ("underline", 6, 1)],
        ),
        (
            "<s>a</s><strike>b</strike><del>c</del>",
            "abc",
            [("strikethrough", 0, 1), ("strikethrough", 1, 1), ("strikethrough", 2, 1)],
        ),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st", [("spoiler", 0, 1), ("spoiler", 1, 1)]),
        ("<code>c</code>", "c", [("code", 0, 1)]),
        ("<blockquote>q</blockquote>", "q", [("blockquote", 0, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ("&lt;&gt;&amp;&quot;&#65;&#x42;", '<>&"AB', []),
        ("A & B", "A & B", []),
        ("<b>bold <i>both</i></b>", "bold both", [("bold", 0, 9), ("italic", 5, 4)]),
        ("😀<b>x</b>", "😀x", [("bold", 2, 1)]),
        ("<b></b>x", "x", []),
    ],
)
def test_parses_supported_markup(source: str, plain: str, entities: list[tuple[str, int, int]]) -> None:
    text, parsed = parse_html(source)
    assert text == plain
    assert [(e["type"], e["offset"], e["length"]) for e in parsed] == entities


def test_link_pre_emoji_and_attributes() -> None:
    text, entities = parse_html(
        '<a href="https://example.org/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x = 1</code></pre> '
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert text == "link x = 1 👍"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 4, "url": "https://example.org/?a=1&b=2"},
        {"type": "pre", "offset": 5, "length": 5, "language": "python"},
        {
            "type": "custom_emoji",
            "offset": 11,
            "length": 2,
            "custom_emoji_id": "5368324170671202286",
        },
    ]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("&foo;", 'Unsupported HTML entity "&foo;" at byte offset 0'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("é<br>", 'Unsupported start tag "br" at byte offset 2'),
    ],
)
def test_rejects_what_telegram_rejects(source: str, reason: str) -> None:
    with pytest.raises(HtmlError) as caught:
        parse_html(source)
    assert caught.value.reason == reason
    assert str(caught.value) == f"can't parse entities: {reason}"


@given(st.text())
def test_escaped_text_round_trips(text: str) -> None:
    assert parse_html(html.escape(text)) == (text, [])


@given(st.text(min_size=1).filter(lambda s: "\x00" not in s))
def test_bold_entity_spans_the_text_in_utf16_units(text: str) -> None:
    _, entities = parse_html(f"<b>{html.escape(text)}</b>")
    assert entities == [{"type": "bold", "offset": 0, "length": utf16_len(text)}]


def test_format_text_trims_and_shifts_entities() -> None:
    assert format_text("  <b>hi</b> there \n", "HTML") == (
        "hi there",
        [{"type": "bold", "offset": 0, "length": 2}],
    )
    assert format_text(" \n ", None) == ("", [])


def test_format_text_keeps_markdown_and_rejects_unknown_modes() -> None:
    assert format_text("*bold*", "MarkdownV2") == ("*bold*", [])
    with pytest.raises(UnsupportedParseModeError):
        format_text("x", "htm")

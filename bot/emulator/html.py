"""A parser for the HTML subset of Telegram's formatting options.

Telegram accepts only a handful of tags (see "Formatting options" in the Bot API docs) and
answers anything else with ``400 Bad Request: can't parse entities: ...``.  This module
mirrors that: :func:`parse_html` returns the plain text and the ``MessageEntity`` dicts the
server would derive, or raises :class:`HtmlError` with a reason worded like Telegram's.

The emulator is a little stricter than Telegram in one place, on purpose: an unknown named
character reference such as ``&foo;`` is an error (Telegram keeps it as literal text), because
in this project it always means that text was not HTML-escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["HtmlError", "parse_html", "utf16_len"]

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]*));")
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SUPPORTED_TAGS = frozenset(_SIMPLE_TAGS) | {
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
    "tg-time",
}
_SPACES = " \t\r\n\f\v"


class HtmlError(ValueError):
    """Telegram could not parse the HTML; ``str(err)`` is the text after ``Bad Request: ``."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"can't parse entities: {reason}")
        self.reason = reason


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    offset: int  # UTF-16 offset of the tag's content in the plain text
    byte_offset: int
    language: str | None = None


class _Parser:
    """One pass over the source; ``pos`` indexes characters of ``src``."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.pos = 0
        self.out: list[str] = []
        self.out_len16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, pos: int) -> int:
        return len(self.src[:pos].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len16 += utf16_len(text)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "&":
                self.emit(self.read_char_reference())
            elif ch == "<":
                if src.startswith("</", self.pos):
                    self.read_end_tag()
                else:
                    self.read_start_tag()
            else:
                nxt = _next_special(src, self.pos)
                self.emit(src[self.pos : nxt])
                self.pos = nxt
        if self.stack:
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def read_char_reference(self) -> str:
        """Decode ``&...;`` at ``pos``; a bare ``&`` stays literal as in Telegram."""
        match = _ENTITY_RE.match(self.src, self.pos)
        if match is None:
            self.pos += 1
            return "&"
        value = _reference_value(match, f"at byte offset {self.byte_offset(self.pos)}")
        self.pos = match.end()
        return value

    def read_name(self) -> str:
        start = self.pos
        while self.pos < len(self.src) and self.src[self.pos] not in _SPACES + ">":
            self.pos += 1
        return self.src[start : self.pos].lower()

    def skip_spaces(self) -> None:
        while self.pos < len(self.src) and self.src[self.pos] in _SPACES:
            self.pos += 1

    def read_start_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        name = self.read_name()
        if name not in _SUPPORTED_TAGS:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}')
        attrs = self.read_attributes(name, begin)
        tag = _OpenTag(name, attrs, self.out_len16, self.byte_offset(begin))
        where = f"at byte offset {tag.byte_offset}"
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" {where}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise HtmlError(f'Tag "tg-emoji" must have attribute "emoji-id" {where}')
        if name == "tg-time" and not re.fullmatch(r"-?[0-9]+", attrs.get("unix", "")):
            raise HtmlError(f'Tag "tg-time" must have a numeric attribute "unix" {where}')
        self.stack.append(tag)

    def read_attributes(self, tag_name: str, begin: int) -> dict[str, str]:
        attrs: dict[str, str] = {}
        src = self.src
        while True:
            self.skip_spaces()
            if self.pos >= len(src):
                raise HtmlError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if src[self.pos] == ">":
                self.pos += 1
                return attrs
            start = self.pos
            while self.pos < len(src) and (src[self.pos].isalnum() or src[self.pos] in "-_"):
                self.pos += 1
            attr_name = src[start : self.pos].lower()
            if not attr_name:
                raise HtmlError(
                    f'Empty attribute name in the tag "{tag_name}" at byte offset {self.byte_offset(begin)}'
                )
            self.skip_spaces()
            if self.pos >= len(src) or src[self.pos] != "=":
                attrs[attr_name] = ""  # a value-less attribute such as `expandable`
                continue
            self.pos += 1
            self.skip_spaces()
            attrs[attr_name] = self.read_attribute_value(begin)

    def read_attribute_value(self, begin: int) -> str:
        src = self.src
        if self.pos >= len(src):
            raise HtmlError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        quote = src[self.pos]
        if quote in "'\"":
            end = src.find(quote, self.pos + 1)
            if end < 0:
                raise HtmlError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            raw = src[self.pos + 1 : end]
            self.pos = end + 1
        else:
            start = self.pos
            while self.pos < len(src) and src[self.pos] not in _SPACES + ">":
                self.pos += 1
            raw = src[start : self.pos]
        return _decode_attribute(raw, self.byte_offset(begin))

    def read_end_tag(self) -> None:
        begin = self.pos
        self.pos += 2
        name = self.read_name()
        self.skip_spaces()
        if self.pos >= len(self.src) or self.src[self.pos] != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        self.pos += 1
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        tag = self.stack.pop()
        if name != tag.name:
            raise HtmlError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{name}>"'
            )
        self.close(tag)

    def close(self, tag: _OpenTag) -> None:
        """Turn a closed tag into an entity (empty entities are dropped, as by Telegram)."""
        length = self.out_len16 - tag.offset
        parent = self.stack[-1] if self.stack else None
        extra: dict[str, Any] = {}
        if tag.name in _SIMPLE_TAGS:
            kind = _SIMPLE_TAGS[tag.name]
        elif tag.name == "a":
            if not tag.attrs.get("href"):
                return
            kind, extra["url"] = "text_link", tag.attrs["href"]
        elif tag.name == "code":
            language = tag.attrs.get("class", "")
            if parent is not None and parent.name == "pre":
                # <pre><code class="language-x">…</code></pre> is one pre entity
                if language.startswith("language-"):
                    parent.language = language.removeprefix("language-")
                return
            kind = "code"
        elif tag.name == "pre":
            kind = "pre"
            if tag.language:
                extra["language"] = tag.language
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
        elif tag.name == "tg-emoji":
            kind, extra["custom_emoji_id"] = "custom_emoji", tag.attrs["emoji-id"]
        else:  # tg-time
            kind, extra["unix_time"] = "date_time", int(tag.attrs["unix"])
            if tag.attrs.get("format"):
                extra["date_time_format"] = tag.attrs["format"]
        if length > 0:
            self.entities.append({"type": kind, "offset": tag.offset, "length": length, **extra})


def _next_special(src: str, pos: int) -> int:
    """Index of the next ``<`` or ``&`` after ``pos`` (or the end of ``src``)."""
    candidates = [i for i in (src.find("<", pos + 1), src.find("&", pos + 1)) if i >= 0]
    return min(candidates, default=len(src))


def _reference_value(match: re.Match[str], where: str) -> str:
    """The character a matched ``&...;`` reference stands for."""
    dec, hexa, name = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            raise HtmlError(f'Unsupported HTML entity "&{name};" {where}')
        return _NAMED_ENTITIES[name]
    code = int(dec, 10) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise HtmlError(f"Invalid character reference {where}")
    return chr(code)


def _decode_attribute(raw: str, byte_offset: int) -> str:
    """Decode character references inside an attribute value."""
    where = f"in the tag at byte offset {byte_offset}"
    return _ENTITY_RE.sub(lambda match: _reference_value(match, where), raw)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into ``(plain_text, entities)``.

    Entity offsets and lengths are in UTF-16 code units, sorted like Telegram sorts them.
    Raises :class:`HtmlError` for unsupported tags, unclosed or mismatched tags, a ``<`` that
    does not start a supported tag, and unknown named character references.
    """
    return _Parser(text).run()

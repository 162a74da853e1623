"""Turning a sent text and its ``parse_mode`` into what the recipient sees.

Telegram parses the markup, then trims leading and trailing white space; the
"1-4096 characters after entities parsing" limits apply to that result.
Only HTML is parsed: Markdown and MarkdownV2 texts are kept as sent (the project uses HTML).
"""

from __future__ import annotations

from typing import Any

from .html import parse_html, utf16_len

__all__ = ["PARSE_MODES", "UnsupportedParseModeError", "format_text", "is_parsed_mode"]

PARSE_MODES = frozenset({"html", "markdown", "markdownv2"})
_TRIMMED = " \t\r\n\f\v"


class UnsupportedParseModeError(ValueError):
    """The ``parse_mode`` is not one Telegram knows."""

    def __init__(self, parse_mode: str) -> None:
        super().__init__(f"unsupported parse_mode {parse_mode!r}")


def is_parsed_mode(parse_mode: str | None) -> bool:
    """True when the emulator derives the plain text by parsing (HTML only)."""
    return parse_mode is not None and parse_mode.lower() == "html"


def format_text(
    text: str,
    parse_mode: str | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Return the ``(plain_text, entities)`` a message built from ``text`` would carry.

    ``entities`` (explicit ``MessageEntity`` dicts) are used when no parse mode is given.
    Raises :class:`~bot.emulator.html.HtmlError` or :class:`UnsupportedParseModeError`.
    """
    if parse_mode:
        if parse_mode.lower() not in PARSE_MODES:
            raise UnsupportedParseModeError(parse_mode)
        if is_parsed_mode(parse_mode):
            plain, parsed = parse_html(text)
            return _trim(plain, parsed)
    return _trim(text, list(entities or []))


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding white space and shift/clip the entities accordingly."""
    stripped = text.strip(_TRIMMED)
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip(_TRIMMED))])
    end = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            result.append({**entity, "offset": start, "length": stop - start})
    return stripped, result

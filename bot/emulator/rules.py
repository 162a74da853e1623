"""Telegram rules that the machine-readable spec does not express as structure.

The spec gives types and (in prose) length limits; Telegram additionally insists on a few
shapes of keyboards.  Each rule takes an already type-checked JSON object and a path used in
messages, and returns human-readable violations worded after Telegram's error descriptions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["INLINE_BUTTON_ACTIONS", "MAX_INLINE_BUTTONS", "TYPE_RULES", "length_violation"]

#: The optional fields of which an inline keyboard button must use exactly one.
INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MAX_INLINE_BUTTONS = 100
_BUTTON_URL_RE = re.compile(r"^(?:https?://[^\s/?#]+|tg://\S+)", re.IGNORECASE)

Rule = Callable[[Mapping[str, Any], str], list[str]]


def length_violation(name: str, path: str, count: int, bounds: tuple[int, int], unit: str, parsed: bool) -> str:
    """Describe a string outside its documented ``lo-hi characters|bytes`` range."""
    lo, hi = bounds
    after = " after entities parsing" if parsed else ""
    detail = f"{path} has {count} {unit}{after}, allowed {lo}-{hi}"
    if name in ("text", "message_text") and hi == 4096:
        label = "message text is empty" if count < lo else "message is too long"
    elif name == "caption" and hi == 1024:
        label = "message caption is too long"
    elif name == "callback_data":
        label = "BUTTON_DATA_INVALID"
    else:
        label = "text is too short" if count < lo else "text is too long"
    return f"{label}: {detail}"


def _inline_button(button: Mapping[str, Any], path: str) -> list[str]:
    errors = []
    if not button.get("text"):
        errors.append(f"can't parse inline keyboard button: {path}.text must be non-empty")
    actions = [name for name in INLINE_BUTTON_ACTIONS if name in button]
    if not actions:
        errors.append(
            f"can't parse inline keyboard button: Text buttons are unallowed in the inline "
            f"keyboard ({path} has none of {', '.join(INLINE_BUTTON_ACTIONS)})"
        )
    elif len(actions) > 1:
        errors.append(
            f"can't parse inline keyboard button: {path} must use exactly one of "
            f"{', '.join(INLINE_BUTTON_ACTIONS)}, got {', '.join(actions)}"
        )
    url = button.get("url")
    if isinstance(url, str) and not _BUTTON_URL_RE.match(url):
        errors.append(f"inline keyboard button URL {url!r} is invalid: Wrong HTTP URL ({path})")
    return errors


def _inline_markup(markup: Mapping[str, Any], path: str) -> list[str]:
    count = sum(len(row) for row in markup.get("inline_keyboard", ()))
    if count > MAX_INLINE_BUTTONS:
        return [f"reply markup is too long: {path} has {count} buttons, allowed at most {MAX_INLINE_BUTTONS}"]
    return []


def _reply_markup(markup: Mapping[str, Any], path: str) -> list[str]:
    rows = markup.get("keyboard", ())
    if not rows:
        return [f"keyboard must be non-empty: {path}.keyboard has no rows"]
    return [
        f"keyboard must be non-empty: {path}.keyboard[{index}] is an empty row"
        for index, row in enumerate(rows)
        if not row
    ]


#: Extra checks run on objects of these types once they match the spec.
TYPE_RULES: dict[str, Rule] = {
    "InlineKeyboardButton": _inline_button,
    "InlineKeyboardMarkup": _inline_markup,
    "ReplyKeyboardMarkup": _reply_markup,
}

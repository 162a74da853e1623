"""The emulator's view of the Telegram world: users, group chats, files and bot messages.

These objects are what tests hold and inspect.  Each can render itself as the Bot API
object the bot receives (``to_dict``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "EmuChat",
    "EmuUser",
    "StoredFile",
]


@dataclass(eq=False)
class EmuUser:
    """A Telegram user acted by a test; their private chat with the bot has id ``id``."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "id"
    started: bool = False
    blocked: bool = False

    @property
    def private_chat_id(self) -> int:
        """The id of the user's private chat with the bot (equal to the user id)."""
        return self.id

    @property
    def full_name(self) -> str:
        """First and last name, as Telegram clients show them."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_dict(self) -> dict[str, Any]:
        """The ``User`` object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_dict(self) -> dict[str, Any]:
        """The ``Chat`` object of the private chat with the bot."""
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass(eq=False)
class EmuChat:
    """A group or supergroup the bot is a member of."""

    id: int
    title: str
    type: str = "supergroup"
    members: dict[int, EmuUser] = field(default_factory=dict)
    admins: set[int] = field(default_factory=set)
    creator_id: int | None = None
    bot_can_restrict: bool = False  # the bot is an administrator allowed to ban members
    banned: set[int] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        """The ``Chat`` object."""
        return {"id": self.id, "type": self.type, "title": self.title}

    def status_of(self, user_id: int) -> str:
        """``creator``, ``administrator``, ``member`` or ``left``."""
        if user_id not in self.members:
            return "left"
        if user_id == self.creator_id:
            return "creator"
        return "administrator" if user_id in self.admins else "member"


@dataclass(frozen=True)
class Button:
    """One keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's ``answerCallbackQuery`` for a button press."""

    query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass(eq=False)
class StoredFile:
    """A file known to the emulator, uploaded by a user or by the bot."""

    file_id: str
    file_unique_id: str
    file_path: str
    kind: str  # "document" or "photo"
    size: int
    content: bytes | None = field(default=None, repr=False)
    file_name: str | None = None
    mime_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``File`` object returned by ``getFile``."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }

    def document_dict(self) -> dict[str, Any]:
        """The ``Document`` object of a message carrying this file."""
        data: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        data["file_size"] = self.size
        return data

    def photo_size_dict(self, width: int, height: int) -> dict[str, Any]:
        """A ``PhotoSize`` object for this file."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": width,
            "height": height,
            "file_size": self.size,
        }


@dataclass(eq=False)
class BotMessage:
    """A message the bot sent, in its current state (edits are applied in place).

    ``text``/``caption`` are what the user sees (markup parsed); ``html``/``caption_html``
    are the raw strings as sent; ``edits`` holds earlier visible texts (or captions).
    """

    message_id: int
    chat_id: int
    date: int
    chat: dict[str, Any] = field(repr=False)
    sender: dict[str, Any] = field(repr=False)
    text: str | None = None
    html: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_html: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None
    reply_to: dict[str, Any] | None = field(default=None, repr=False)
    edits: list[str] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False
    file: StoredFile | None = field(default=None, repr=False)

    @property
    def buttons(self) -> list[list[Button]]:
        """The keyboard (inline or reply) as rows of :class:`Button`."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [[Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row] for row in rows]

    @property
    def inline_markup(self) -> dict[str, Any] | None:
        """The inline keyboard markup, the only kind a message carries after sending."""
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            return self.reply_markup
        return None

    @property
    def button_texts(self) -> list[str]:
        """All button labels, row by row."""
        return [button.text for row in self.buttons for button in row]

    def file_bytes(self) -> bytes | None:
        """The content of the document or photo this message carries, if any."""
        return self.file.content if self.file is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The ``Message`` object, as returned to the bot and embedded in callback queries."""
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.reply_to is not None:
            data["reply_to_message"] = self.reply_to
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        if self.document is not None:
            data["document"] = self.document
        if self.photo is not None:
            data["photo"] = self.photo
        if self.caption is not None:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = self.caption_entities
        if self.inline_markup is not None:
            data["reply_markup"] = self.inline_markup
        return data

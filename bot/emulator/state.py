"""Everything the emulator remembers: people, chats, messages, files, updates, commands.

The state is plain data plus the user-side actions (a user writes, uploads, presses a
button), each of which enqueues the ``Update`` the bot will fetch.  Bot API methods in
:mod:`bot.emulator.methods` read and change the same state.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .errors import ApiError
from .files import FileStore
from .html import utf16_len
from .models import BotMessage, Button, CallbackAnswer, EmuChat, EmuUser, StoredFile
from .updates import UpdateQueue

__all__ = ["ChatRef", "CommandsKey", "EmulatorState"]

#: Anything that names a chat: a user (their private chat), a group, or a chat id.
ChatRef = EmuUser | EmuChat | int
#: Where a command list applies: (scope type, scope chat_id, scope user_id, language or "").
CommandsKey = tuple[str, int | str | None, int | None, str]

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_THUMB_SIDE = 90


@dataclass
class _Query:
    """A callback query sent to the bot and the future its answer resolves."""

    chat_id: int
    answer: asyncio.Future[CallbackAnswer]
    answered: bool = False


class EmulatorState:
    """The emulated Telegram world of one bot."""

    def __init__(self, bot_user: dict[str, Any], clock: Callable[[], float]) -> None:
        self.bot_user = bot_user
        self.clock = clock
        self.users: dict[int, EmuUser] = {}
        self.groups: dict[int, EmuChat] = {}
        self.files = FileStore()
        self.updates = UpdateQueue()
        #: How webhook deliveries time out and back off (tests shorten them).
        self.webhook_timing: dict[str, float] = {"timeout": 10.0, "first_retry": 0.2, "max_retry": 5.0}
        self.transcript: list[dict[str, Any]] = []
        self.commands: dict[CommandsKey, list[dict[str, Any]]] = {}
        #: chat id (None = default for all private chats) -> MenuButton object
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self._bot_messages: dict[int, dict[int, BotMessage]] = {}
        self._sent: list[BotMessage] = []
        self._user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._last_message_id: dict[int, int] = {}
        self._queries: dict[str, _Query] = {}
        self._listeners: list[Callable[[dict[str, Any]], None]] = []

    # ------------------------------------------------------------------------------ setup

    def now(self) -> int:
        """Unix time for message dates."""
        return int(self.clock())

    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        started: bool = False,
        user_id: int | None = None,
    ) -> EmuUser:
        """Create a user with the next id (1001, 1002, …), or ``user_id`` (e.g. an admin named in a config)."""
        user = EmuUser(
            id=user_id if user_id is not None else 1001 + len(self.users),
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        self.users[user.id] = user
        return user

    def add_group(
        self,
        title: str,
        *,
        members: Iterable[EmuUser] = (),
        admins: Iterable[EmuUser] = (),
        creator: EmuUser | None = None,
        supergroup: bool = True,
    ) -> EmuChat:
        """Create a group the bot belongs to (ids -1001000000001, … for supergroups)."""
        seq = len(self.groups) + 1
        chat = EmuChat(
            id=-1001000000000 - seq if supergroup else -1000 - seq,
            title=title,
            type="supergroup" if supergroup else "group",
        )
        self.groups[chat.id] = chat
        for user in members:
            self.add_member(chat, user)
        for user in admins:
            self.add_member(chat, user, admin=True)
        if creator is not None:
            self.add_member(chat, creator, admin=True)
            chat.creator_id = creator.id
        return chat

    def add_member(self, chat: EmuChat, user: EmuUser, admin: bool = False) -> None:
        """Put ``user`` in ``chat`` (as administrator when ``admin``)."""
        chat.members[user.id] = user
        if admin:
            chat.admins.add(user.id)
        else:
            chat.admins.discard(user.id)

    def remove_member(self, chat: EmuChat, user: EmuUser) -> None:
        """Make ``user`` leave ``chat``."""
        chat.members.pop(user.id, None)
        chat.admins.discard(user.id)
        if chat.creator_id == user.id:
            chat.creator_id = None

    # ------------------------------------------------------------------------- messages

    @staticmethod
    def chat_id_of(chat: ChatRef) -> int:
        """The chat id a :data:`ChatRef` stands for."""
        if isinstance(chat, EmuUser):
            return chat.private_chat_id
        if isinstance(chat, EmuChat):
            return chat.id
        return chat

    def next_message_id(self, chat_id: int) -> int:
        """Allocate the next message id in ``chat_id`` (shared by users and the bot)."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def new_bot_message(self, chat: dict[str, Any], **fields: Any) -> BotMessage:
        """Create, store and return a message the bot sent to ``chat``."""
        message = BotMessage(
            message_id=self.next_message_id(chat["id"]),
            chat_id=chat["id"],
            date=self.now(),
            chat=chat,
            sender=self.bot_user,
            **fields,
        )
        self._bot_messages.setdefault(chat["id"], {})[message.message_id] = message
        self._sent.append(message)
        return message

    def bot_message(self, chat_id: int, message_id: int) -> BotMessage | None:
        """A message the bot sent and has not deleted."""
        message = self._bot_messages.get(chat_id, {}).get(message_id)
        return None if message is None or message.deleted else message

    def user_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message a user sent (its ``Message`` object)."""
        return self._user_messages.get((chat_id, message_id))

    def delete_user_message(self, chat_id: int, message_id: int) -> None:
        """Forget a user's message (the bot deleted it)."""
        self._user_messages.pop((chat_id, message_id), None)

    def message_dict(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The ``Message`` object of any live message, for ``reply_to_message``.

        Like Telegram, the result carries no ``reply_to_message`` of its own.
        """
        bot_message = self.bot_message(chat_id, message_id)
        message = bot_message.to_dict() if bot_message else self.user_message(chat_id, message_id)
        if message is None:
            return None
        return {key: value for key, value in message.items() if key != "reply_to_message"}

    def chat_messages(self, chat: ChatRef) -> list[BotMessage]:
        """The bot's live messages in a chat, oldest first."""
        messages = self._bot_messages.get(self.chat_id_of(chat), {})
        return [m for _, m in sorted(messages.items()) if not m.deleted]

    def all_bot_messages(self) -> list[BotMessage]:
        """The bot's live messages in every chat, in sending order."""
        return [m for m in self._sent if not m.deleted]

    def record(self, kind: str, chat_id: int, text: str | None, **extra: Any) -> None:
        """Append an event to the transcript and tell the subscribers."""
        event = {"kind": kind, "chat_id": chat_id, "text": text, **extra}
        self.transcript.append(event)
        for listener in tuple(self._listeners):
            listener(event)

    def subscribe(self, listener: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        """Call ``listener(event)`` after each new transcript event; returns the unsubscriber.

        Listeners run synchronously inside the emulator's request handling: keep them cheap
        (set a flag, wake a waiter), never block.
        """
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    # ---------------------------------------------------------------------- user actions

    def post_user_message(
        self,
        user: EmuUser,
        chat: EmuChat | None,
        content: dict[str, Any],
        kind: str,
        text: str | None,
    ) -> dict[str, Any]:
        """``user`` sends a message with ``content`` to ``chat`` (None: the bot, privately)."""
        if chat is None:
            chat_dict = user.chat_dict()
            user.started, user.blocked = True, False
        else:
            if user.id not in chat.members:
                raise ValueError(f"{user.full_name} ({user.id}) is not a member of {chat.title!r}")
            chat_dict = chat.to_dict()
        message = {
            "message_id": self.next_message_id(chat_dict["id"]),
            "from": user.to_dict(),
            "chat": chat_dict,
            "date": self.now(),
            **content,
        }
        self._user_messages[(chat_dict["id"], message["message_id"])] = message
        self.updates.put("message", message)
        self.record(kind, chat_dict["id"], text, message_id=message["message_id"], user_id=user.id)
        return message

    def text_content(self, text: str) -> dict[str, Any]:
        """The ``text``/``entities`` of a typed message (commands get a ``bot_command``)."""
        content: dict[str, Any] = {"text": text}
        command = _COMMAND_RE.match(text)
        if command is not None:
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))}]
        return content

    def photo_sizes(
        self, content: bytes | None, width: int, height: int, size: int | None = None
    ) -> tuple[list[dict[str, Any]], StoredFile]:
        """Store a photo as a thumbnail and a full size; return the sizes and the full file."""
        scale = _THUMB_SIDE / max(width, height, 1)
        thumb_w, thumb_h = max(1, round(width * scale)), max(1, round(height * scale))
        thumb = self.files.add(content, kind="photo", size=size)
        full = self.files.add(content, kind="photo", size=size)
        return [thumb.photo_size_dict(thumb_w, thumb_h), full.photo_size_dict(width, height)], full

    def open_query(self, user: EmuUser, message: BotMessage, data: str) -> tuple[str, _Query]:
        """Enqueue a ``callback_query`` from ``user`` pressing a button with ``data``."""
        group = self.groups.get(message.chat_id)
        if group is not None and user.id not in group.members:
            raise ValueError(f"{user.full_name} ({user.id}) is not a member of {group.title!r}")
        query_id = str(4_000_000_000_000 + len(self._queries) + 1)
        query = _Query(message.chat_id, asyncio.get_running_loop().create_future())
        self._queries[query_id] = query
        self.updates.put(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_dict(),
                "message": message.to_dict(),
                "chat_instance": str(abs(message.chat_id) * 7919),
                "data": data,
            },
        )
        return query_id, query

    def answer_query(self, answer: CallbackAnswer) -> None:
        """Deliver the bot's answer to a callback query (each query is answered once)."""
        query = self._queries.get(answer.query_id)
        if query is None or query.answered:
            raise ApiError.bad_request("query is too old and response timeout expired or query ID is invalid")
        query.answered = True
        if not query.answer.done():
            query.answer.set_result(answer)
        self.record(
            "callback_answer",
            query.chat_id,
            answer.text,
            query_id=answer.query_id,
            show_alert=answer.show_alert,
            url=answer.url,
        )

    @staticmethod
    def find_button(message: BotMessage, data: str | None, text: str | None) -> Button:
        """The inline button of ``message`` with ``callback_data == data`` (or label ``text``)."""
        markup = message.reply_markup or {}
        buttons = [b for row in message.buttons for b in row] if "inline_keyboard" in markup else []
        for button in buttons:
            if (data is not None and button.callback_data == data) or (data is None and button.text == text):
                if button.callback_data is None:
                    raise LookupError(f"button {button.text!r} has no callback_data")
                return button
        wanted = f"callback_data={data!r}" if data is not None else f"text={text!r}"
        available = [(b.text, b.callback_data) for b in buttons]
        raise LookupError(
            f"message {message.message_id} in chat {message.chat_id} has no inline button "
            f"with {wanted}; its buttons: {available}"
        )

"""The Bot API methods the emulator really performs, on :class:`~.state.EmulatorState`.

Each handler takes the call's :class:`Params` and returns the ``result`` object, or raises
:class:`~.errors.ApiError` with Telegram's status and description.  Calls of methods without
a handler are answered ``true`` and noted, so a bot using them keeps running.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .errors import ApiError
from .files import MAX_DOWNLOAD_SIZE
from .formatting import UnsupportedParseModeError, format_text, is_parsed_mode
from .html import HtmlError
from .models import BotMessage, CallbackAnswer, StoredFile
from .spec import FileUpload
from .state import CommandsKey, EmulatorState
from .webhook import WebhookDelivery, WebhookSettings, check_secret, check_webhook_url

__all__ = ["BotApiMethods", "Params"]

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_INTEGER_RE = re.compile(r"-?[0-9]+")
_BOT_PHOTO_SIZE = (1280, 960)
_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": False,
}
_FULL_INFO = {
    "accent_color_id": 0,
    "max_reaction_count": 11,
    "accepted_gift_types": {
        "unlimited_gifts": False,
        "limited_gifts": False,
        "unique_gifts": False,
        "premium_subscription": False,
        "gifts_from_channels": False,
    },
}


class Params:
    """Typed access to the raw form values (and file parts) of one call."""

    def __init__(self, raw: Mapping[str, str], files: Mapping[str, FileUpload]) -> None:
        self.raw = raw
        self.files = files

    def __contains__(self, name: str) -> bool:
        return name in self.raw or name in self.files

    def text(self, name: str) -> str | None:
        """A ``String`` parameter."""
        return self.raw.get(name)

    def integer(self, name: str) -> int | None:
        """An ``Integer`` parameter."""
        value = self.raw.get(name)
        if value is None:
            return None
        if not _INTEGER_RE.fullmatch(value):
            raise ApiError.bad_request(f"parameter {name!r} must be an Integer")
        return int(value)

    def flag(self, name: str) -> bool:
        """A ``Boolean`` parameter (absent = false)."""
        return self.raw.get(name, "false").lower() in ("true", "1")

    def json(self, name: str) -> Any:
        """A JSON-serialized parameter, decoded (absent = None)."""
        value = self.raw.get(name)
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError.bad_request(f"can't parse {name} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A required chat id: an integer, or an ``@username`` string."""
        value = self.raw.get(name)
        if not value:
            raise ApiError.bad_request("chat_id is empty")
        return int(value) if _INTEGER_RE.fullmatch(value) else value

    def upload(self, name: str) -> FileUpload | str | None:
        """An ``InputFile or String`` parameter: a file part, or a file_id/URL string."""
        if name in self.files:
            return self.files[name]
        value = self.raw.get(name)
        if value is not None and value.startswith("attach://"):
            part = self.files.get(value.removeprefix("attach://"))
            if part is None:
                raise ApiError.bad_request(f"file part {value} not found in the request")
            return part
        return value


Handler = Callable[[Params], Awaitable[Any]]


class BotApiMethods:
    """Bot API method implementations; unknown ones are answered ``true`` and noted."""

    def __init__(self, state: EmulatorState, notes: list[str]) -> None:
        self._state = state
        self._notes = notes
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "logOut": self.always_true,
            "close": self.always_true,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "getUpdates": self.get_updates,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "sendChatAction": self.send_chat_action,
            "getFile": self.get_file,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "banChatMember": self.ban_chat_member,
            "unbanChatMember": self.unban_chat_member,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
        }

    async def call(self, method: str, params: Params) -> Any:
        """Perform ``method`` and return its ``result``."""
        handler = self.handlers.get(method)
        if handler is None:
            self._note(f"{method}: not implemented by the emulator, answered true")
            return True
        return await handler(params)

    def _note(self, note: str) -> None:
        if note not in self._notes:
            self._notes.append(note)

    # ----------------------------------------------------------------------------- helpers

    def _chat(self, chat_id: int | str, *, write: bool) -> dict[str, Any]:
        """The ``Chat`` object for ``chat_id``; ``write`` applies the private-chat rules."""
        state = self._state
        user = state.users.get(chat_id) if isinstance(chat_id, int) and chat_id > 0 else None
        if user is not None:
            if write and user.blocked:
                raise ApiError.forbidden("bot was blocked by the user")
            if write and not user.started:
                raise ApiError.forbidden("bot can't initiate conversation with a user")
            return user.chat_dict()
        group = state.groups.get(chat_id) if isinstance(chat_id, int) else None
        if group is None:
            raise ApiError.bad_request("chat not found")
        return group.to_dict()

    def _format(
        self, text: str, parse_mode: str | None, entities: Any, *, caption: bool
    ) -> tuple[str, list[dict[str, Any]]]:
        """Parse a text or caption as Telegram would, enforcing its length limits."""
        try:
            plain, parsed = format_text(text, parse_mode, entities)
        except (HtmlError, UnsupportedParseModeError) as exc:
            raise ApiError.bad_request(str(exc)) from None
        if parse_mode and not is_parsed_mode(parse_mode):
            self._note(f"parse_mode {parse_mode}: not parsed by the emulator, text kept as sent")
        if caption and len(plain) > 1024:
            raise ApiError.bad_request("message caption is too long")
        if not caption and not plain:
            raise ApiError.bad_request("message text is empty")
        if not caption and len(plain) > 4096:
            raise ApiError.bad_request("message is too long")
        return plain, parsed

    def _caption_fields(self, p: Params) -> dict[str, Any]:
        caption = p.text("caption")
        if caption is None:
            return {}
        plain, entities = self._format(caption, p.text("parse_mode"), p.json("caption_entities"), caption=True)
        return {
            "caption": plain,
            "caption_html": caption,
            "caption_entities": entities,
            "parse_mode": p.text("parse_mode"),
        }

    def _reply_to(self, chat_id: int, p: Params) -> dict[str, Any] | None:
        """The message named by ``reply_parameters``, if any."""
        reply = p.json("reply_parameters")
        if not isinstance(reply, dict):
            return None
        target_chat = reply.get("chat_id", chat_id)
        target = (
            self._state.message_dict(target_chat, reply.get("message_id", 0)) if isinstance(target_chat, int) else None
        )
        if target is None and not reply.get("allow_sending_without_reply"):
            raise ApiError.bad_request("message to be replied not found")
        return target

    def _stored_file(self, p: Params, name: str, kind: str) -> StoredFile:
        """Store an uploaded file, or find the one a file_id names."""
        value = p.upload(name)
        state = self._state
        if isinstance(value, FileUpload):
            if kind == "photo":
                return state.files.add(value.data, kind=kind)
            return state.files.add(value.data, kind=kind, file_name=value.filename, mime_type=value.content_type)
        if not value:
            raise ApiError.bad_request(f"there is no {name} in the request")
        if value.startswith(("http://", "https://")):
            self._note(f"{name} by HTTP URL: the emulator can't fetch URLs, answered 400")
            raise ApiError.bad_request("failed to get HTTP URL content", violation=False)
        stored = state.files.get(value)
        if stored is None:
            raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise ApiError.bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored

    def _sent(self, message: BotMessage, kind: str) -> dict[str, Any]:
        text = message.text if message.text is not None else message.caption
        self._state.record(kind, message.chat_id, text, message_id=message.message_id)
        return message.to_dict()

    def _message_to_edit(self, p: Params) -> BotMessage:
        if "inline_message_id" in p:
            self._note("inline messages: not supported by the emulator")
            raise ApiError.bad_request("message to edit not found")
        chat_id = p.chat_id()
        chat = self._chat(chat_id, write=True)
        message_id = p.integer("message_id") or 0
        message = self._state.bot_message(chat["id"], message_id)
        if message is not None:
            return message
        if self._state.user_message(chat["id"], message_id) is not None:
            raise ApiError.bad_request("message can't be edited")
        raise ApiError.bad_request("message to edit not found")

    def _edited(self, message: BotMessage, kind: str) -> dict[str, Any]:
        message.edit_date = self._state.now()
        text = message.text if message.text is not None else message.caption
        self._state.record(kind, message.chat_id, text, message_id=message.message_id)
        return message.to_dict()

    # ---------------------------------------------------------------------------- methods

    async def always_true(self, p: Params) -> bool:
        """``close``, ``logOut``: nothing to do."""
        return True

    async def get_me(self, p: Params) -> dict[str, Any]:
        """The bot's ``User`` with the getMe-only capability fields."""
        return {
            **self._state.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def set_webhook(self, p: Params) -> bool:
        """Deliver updates by POST from now on (:mod:`.webhook`); an empty URL removes the webhook."""
        url = p.text("url") or ""
        if not url:
            return await self.delete_webhook(p)
        check_webhook_url(url)
        secret = p.text("secret_token")
        check_secret(secret)
        connections = p.integer("max_connections") or 40
        if not 1 <= connections <= 100:
            raise ApiError.bad_request("max_connections must be between 1 and 100")
        allowed = p.json("allowed_updates")
        if p.flag("drop_pending_updates"):
            self._state.updates.clear()
        settings = WebhookSettings(
            url, secret or None, connections, frozenset(allowed) if isinstance(allowed, list) and allowed else None
        )
        delivery = WebhookDelivery(settings, self._state.clock, **self._state.webhook_timing)
        previous = self._state.updates.start_webhook(delivery)
        if previous is not None:
            await previous.close()
        return True

    async def delete_webhook(self, p: Params) -> bool:
        """Back to ``getUpdates``; optionally drop pending updates."""
        previous = self._state.updates.stop_webhook(drop_pending=p.flag("drop_pending_updates"))
        if previous is not None:
            await previous.close()
        if p.flag("drop_pending_updates"):
            self._state.updates.clear()
        return True

    async def get_webhook_info(self, p: Params) -> dict[str, Any]:
        """The webhook's ``WebhookInfo`` (url, pending updates, the last error), or an empty one."""
        webhook = self._state.updates.webhook
        if webhook is not None:
            return webhook.info()
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": self._state.updates.pending,
        }

    async def get_updates(self, p: Params) -> list[dict[str, Any]]:
        """Long polling over the update queue."""
        allowed = p.json("allowed_updates")
        return await self._state.updates.get(
            offset=p.integer("offset"),
            limit=p.integer("limit") or 100,
            timeout=p.integer("timeout") or 0,
            allowed_updates=allowed if isinstance(allowed, list) else None,
        )

    async def send_message(self, p: Params) -> dict[str, Any]:
        """Post a text message."""
        chat = self._chat(p.chat_id(), write=True)
        html = p.text("text") or ""
        parse_mode = p.text("parse_mode")
        plain, entities = self._format(html, parse_mode, p.json("entities"), caption=False)
        message = self._state.new_bot_message(
            chat,
            text=plain,
            html=html,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=p.json("reply_markup"),
            reply_to=self._reply_to(chat["id"], p),
        )
        return self._sent(message, "bot_message")

    async def send_document(self, p: Params) -> dict[str, Any]:
        """Post a document (uploaded, or re-sent by file_id)."""
        chat = self._chat(p.chat_id(), write=True)
        stored = self._stored_file(p, "document", "document")
        message = self._state.new_bot_message(
            chat,
            document=stored.document_dict(),
            file=stored,
            reply_markup=p.json("reply_markup"),
            reply_to=self._reply_to(chat["id"], p),
            **self._caption_fields(p),
        )
        return self._sent(message, "bot_document")

    async def send_photo(self, p: Params) -> dict[str, Any]:
        """Post a photo (uploaded, or re-sent by file_id)."""
        chat = self._chat(p.chat_id(), write=True)
        value = p.upload("photo")
        if isinstance(value, FileUpload):
            sizes, stored = self._state.photo_sizes(value.data, *_BOT_PHOTO_SIZE)
        else:
            stored = self._stored_file(p, "photo", "photo")
            sizes = [stored.photo_size_dict(*_BOT_PHOTO_SIZE)]
        message = self._state.new_bot_message(
            chat,
            photo=sizes,
            file=stored,
            reply_markup=p.json("reply_markup"),
            reply_to=self._reply_to(chat["id"], p),
            **self._caption_fields(p),
        )
        return self._sent(message, "bot_photo")

    async def send_chat_action(self, p: Params) -> bool:
        """ "typing…" and friends: only the chat's reachability matters."""
        self._chat(p.chat_id(), write=True)
        return True

    async def edit_message_text(self, p: Params) -> dict[str, Any]:
        """Replace a text message's text (and inline keyboard: omitted = removed)."""
        message = self._message_to_edit(p)
        if message.text is None:
            raise ApiError.bad_request("there is no text in the message to edit")
        html = p.text("text") or ""
        parse_mode = p.text("parse_mode")
        plain, entities = self._format(html, parse_mode, p.json("entities"), caption=False)
        markup = p.json("reply_markup")
        if (plain, entities, markup) == (message.text, message.entities, message.inline_markup):
            raise ApiError.bad_request(_NOT_MODIFIED)
        message.edits.append(message.text)
        message.text, message.html, message.parse_mode = plain, html, parse_mode
        message.entities, message.reply_markup = entities, markup
        return self._edited(message, "edit")

    async def edit_message_caption(self, p: Params) -> dict[str, Any]:
        """Replace a media message's caption (and inline keyboard: omitted = removed)."""
        message = self._message_to_edit(p)
        if message.text is not None:
            raise ApiError.bad_request("there is no caption in the message to edit")
        fields = self._caption_fields(p)
        markup = p.json("reply_markup")
        new = (fields.get("caption"), fields.get("caption_entities", []), markup)
        if new == (message.caption, message.caption_entities, message.inline_markup):
            raise ApiError.bad_request(_NOT_MODIFIED)
        message.edits.append(message.caption or "")
        message.caption = fields.get("caption")
        message.caption_html = fields.get("caption_html")
        message.caption_entities = fields.get("caption_entities", [])
        message.reply_markup = markup
        return self._edited(message, "edit")

    async def edit_message_reply_markup(self, p: Params) -> dict[str, Any]:
        """Replace (or with no markup, remove) a message's inline keyboard."""
        message = self._message_to_edit(p)
        markup = p.json("reply_markup")
        if markup == message.inline_markup:
            raise ApiError.bad_request(_NOT_MODIFIED)
        message.reply_markup = markup
        return self._edited(message, "edit_markup")

    async def delete_message(self, p: Params) -> bool:
        """Delete a bot's message or a user's message."""
        chat = self._chat(p.chat_id(), write=False)
        message_id = p.integer("message_id") or 0
        state = self._state
        message = state.bot_message(chat["id"], message_id)
        if message is not None:
            message.deleted = True
        elif state.user_message(chat["id"], message_id) is not None:
            state.delete_user_message(chat["id"], message_id)
        else:
            raise ApiError.bad_request("message to delete not found")
        state.record("delete", chat["id"], None, message_id=message_id)
        return True

    async def answer_callback_query(self, p: Params) -> bool:
        """Answer a button press (at most once per query)."""
        self._state.answer_query(
            CallbackAnswer(
                query_id=p.text("callback_query_id") or "",
                text=p.text("text"),
                show_alert=p.flag("show_alert"),
                url=p.text("url"),
            )
        )
        return True

    async def get_file(self, p: Params) -> dict[str, Any]:
        """A ``File`` with a download path; files above 20 MB are refused like Telegram does."""
        stored = self._state.files.get(p.text("file_id") or "")
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_SIZE:
            raise ApiError.bad_request("file is too big", violation=False)
        return stored.to_dict()

    @staticmethod
    def _commands_key(p: Params) -> CommandsKey:
        scope = p.json("scope") or {"type": "default"}
        return (
            scope.get("type", "default"),
            scope.get("chat_id"),
            scope.get("user_id"),
            p.text("language_code") or "",
        )

    async def set_my_commands(self, p: Params) -> bool:
        """Store the command list for a scope and language (an empty list deletes it)."""
        commands = p.json("commands") or []
        key = self._commands_key(p)
        if commands:
            self._state.commands[key] = commands
        else:
            self._state.commands.pop(key, None)
        return True

    async def get_my_commands(self, p: Params) -> list[dict[str, Any]]:
        """The command list stored for exactly this scope and language."""
        return self._state.commands.get(self._commands_key(p), [])

    async def delete_my_commands(self, p: Params) -> bool:
        """Forget the command list of a scope and language."""
        self._state.commands.pop(self._commands_key(p), None)
        return True

    async def get_chat(self, p: Params) -> dict[str, Any]:
        """A ``ChatFullInfo``."""
        return {**self._chat(p.chat_id(), write=False), **_FULL_INFO}

    async def get_chat_member(self, p: Params) -> dict[str, Any]:
        """A ``ChatMember`` according to the group's membership."""
        chat = self._chat(p.chat_id(), write=False)
        user_id = p.integer("user_id") or 0
        state = self._state
        if user_id == state.bot_user["id"]:
            group = state.groups.get(chat["id"])
            if group is not None and group.bot_can_restrict:
                return {"status": "administrator", "user": state.bot_user, **_ADMIN_RIGHTS}
            return {"status": "member", "user": state.bot_user}
        user = state.users.get(user_id)
        if user is None:
            raise ApiError.bad_request("PARTICIPANT_ID_INVALID")
        group = state.groups.get(chat["id"])
        if group is None:
            status = "member" if user_id == chat["id"] else "left"
        else:
            status = group.status_of(user_id)
        member: dict[str, Any] = {"status": status, "user": user.to_dict()}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(_ADMIN_RIGHTS)
        return member

    def _restricting(self, p: Params) -> tuple[Any, int]:
        chat = self._chat(p.chat_id(), write=False)
        group = self._state.groups.get(chat["id"])
        if group is None:
            raise ApiError.bad_request("method is available for supergroup and channel chats only")
        if not group.bot_can_restrict:
            raise ApiError.bad_request("not enough rights to restrict/unrestrict chat member")
        user_id = p.integer("user_id") or 0
        if user_id not in self._state.users:
            raise ApiError.bad_request("PARTICIPANT_ID_INVALID")
        return group, user_id

    async def ban_chat_member(self, p: Params) -> bool:
        """Remove a member from a group and keep them out (needs the bot's admin right to restrict)."""
        group, user_id = self._restricting(p)
        if user_id == group.creator_id or user_id in group.admins:
            raise ApiError.bad_request("user is an administrator of the chat")
        group.members.pop(user_id, None)
        group.banned.add(user_id)
        return True

    async def unban_chat_member(self, p: Params) -> bool:
        """Lift a ban (``only_if_banned``: leave anyone not banned alone); the user is not re-added."""
        group, user_id = self._restricting(p)
        if p.flag("only_if_banned") and user_id not in group.banned:
            return True
        group.banned.discard(user_id)
        group.members.pop(user_id, None)
        return True

    async def set_chat_menu_button(self, p: Params) -> bool:
        """Store the menu button of a private chat (or the default one)."""
        chat_id = p.integer("chat_id")
        self._state.menu_buttons[chat_id] = p.json("menu_button") or {"type": "default"}
        return True

    async def get_chat_menu_button(self, p: Params) -> dict[str, Any]:
        """The stored menu button (falling back to the default one)."""
        buttons = self._state.menu_buttons
        chat_id = p.integer("chat_id")
        return buttons.get(chat_id) or buttons.get(None) or {"type": "default"}

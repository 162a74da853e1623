"""What the web chat shows: the emulator's world as JSON, seen by one person at a time.

Messages are sent to the page as the *parsed* plain text with Telegram entities (offsets in
UTF-16 code units, which is what JavaScript strings count), never as the bot's HTML: the page
builds the formatting with DOM nodes, so nothing a user typed can ever become markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.emulator import BotApiEmulator, BotMessage, EmuChat, EmuUser
from bot.i18n import format_date, zone_label

from .demo import IPWL, PEOPLE, TEAMS, Cast, Persona

__all__ = ["LANGUAGES", "Viewer", "can_see", "chat_view", "people", "viewer"]

LANGUAGES = ("id", "en")
_USER_KINDS = frozenset({"user_text", "user_document", "user_photo"})
_PREVIEW = 80

Json = dict[str, Any]


@dataclass(frozen=True)
class Viewer:
    """The person the page is acting as, and how times and dates are shown to them."""

    persona: Persona
    user: EmuUser
    zone: str  # IANA zone name
    lang: str  # "id" or "en": the page's language (dates), not the bot's

    def local(self, unix: int) -> dt.datetime:
        """A message date (Unix time) on this person's wall clock."""
        return dt.datetime.fromtimestamp(unix, dt.UTC).astimezone(ZoneInfo(self.zone))


def viewer(cast: Cast, key: str, lang: str) -> Viewer | None:
    """The viewer for persona ``key``, or None if there is no such persona."""
    persona = next((p for p in PEOPLE if p.key == key), None)
    if persona is None:
        return None
    return Viewer(persona, cast.users[key], cast.zone(persona), lang if lang in LANGUAGES else "id")


def can_see(emu: BotApiEmulator, who: Viewer, chat_id: int) -> bool:
    """A person sees their own private chat with the bot and the groups they are in."""
    if chat_id == who.user.private_chat_id:
        return True
    group = emu.state.groups.get(chat_id)
    return group is not None and who.user.id in group.members


# ------------------------------------------------------------------------------ the people


def people(emu: BotApiEmulator, cast: Cast, lang: str) -> list[Json]:
    """Every persona with their chats, for the page's "who are you?" list."""
    result = []
    for persona in PEOPLE:
        who = viewer(cast, persona.key, lang)
        assert who is not None
        chats = [who.user.private_chat_id, *(g.id for g in cast.chats_of(persona))]
        result.append(
            {
                "key": persona.key,
                "id": who.user.id,
                "name": persona.full_name,
                "initials": persona.first_name[:1] + persona.last_name[:1],
                "role": persona.role.value if persona.role else "guest",
                "ipwl": _ipwl(persona.ipwl),
                "team": _team(persona.team),
                "zone": _zone(who.zone),
                "chats": [_summary(emu, who, chat_id) for chat_id in chats],
            }
        )
    return result


def _ipwl(code: str | None) -> Json | None:
    ipwl = next((i for i in IPWL if i.code == code), None)
    if ipwl is None:
        return None
    return {"code": ipwl.code, "name": ipwl.name, "regency": ipwl.regency}


def _team(code: str | None) -> Json | None:
    name = dict(TEAMS).get(code or "")
    return {"code": code, "name": name} if name else None


def _zone(name: str) -> Json:
    offset = dt.datetime.now(ZoneInfo(name)).utcoffset() or dt.timedelta()
    return {"name": name, "label": zone_label(name), "offset_minutes": int(offset.total_seconds() // 60)}


# ------------------------------------------------------------------------------ the chats


def _chat_head(emu: BotApiEmulator, chat_id: int) -> Json:
    group = emu.state.groups.get(chat_id)
    if group is None:
        return {
            "id": chat_id,
            "type": "private",
            "title": emu.bot_user["first_name"],
            "username": emu.bot_user.get("username"),
            "members": 2,
        }
    # The bot is a member too, as in Telegram's member count.
    return {"id": chat_id, "type": group.type, "title": group.title, "members": len(group.members) + 1}


def _summary(emu: BotApiEmulator, who: Viewer, chat_id: int) -> Json:
    messages = _timeline(emu, chat_id)
    last = _message(emu, who, messages[-1]) if messages else None
    return {
        **_chat_head(emu, chat_id),
        "count": len(messages),
        "read": _read(who, messages),
        "preview": _preview(last) if last else "",
        "date": last["date"] if last else None,
    }


_REPLY_WINDOW = 60  # seconds: the bot's answers to a message were seen with it


def _read(who: Viewer, messages: list[_Item]) -> int:
    """How many of a chat's messages the person has seen when the page opens: up to their own
    last message there and the bot's answers to it. So the demo's waiting card in a PIC group is
    news to its PICs, while their own /start and its welcome are not."""
    read, since = 0, None
    for number, m in enumerate(messages, start=1):
        if isinstance(m, BotMessage):
            if since is not None and m.date - since <= _REPLY_WINDOW:
                read = number
            continue
        if m.get("from", {}).get("id") == who.user.id:
            read, since = number, m["date"]
        else:
            since = None  # someone else spoke: what follows answers them
    return read


def _preview(message: Json) -> str:
    if message.get("text"):
        text = " ".join(message["text"].split())
        return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"
    if message.get("document"):
        return "📄 " + (message["document"]["name"] or "")
    return "🖼" if message.get("photo") else ""


def chat_view(emu: BotApiEmulator, who: Viewer, chat_id: int) -> Json:
    """One chat as ``who`` sees it: messages, the reply keyboard, the command menu."""
    messages = [_message(emu, who, m) for m in _timeline(emu, chat_id)]
    head = _chat_head(emu, chat_id)
    return {
        "chat": head,
        "messages": messages,
        "keyboard": _reply_keyboard(emu, who, chat_id),
        "commands": _commands(emu, who, chat_id, private=head["type"] == "private"),
    }


# A chat's messages in order: the bot's (as they are now, edits applied) and the users'.
_Item = BotMessage | dict[str, Any]


def _timeline(emu: BotApiEmulator, chat_id: int) -> list[_Item]:
    items: dict[int, _Item] = {m.message_id: m for m in emu.chat_messages(chat_id)}
    for event in emu.transcript:
        if event["kind"] in _USER_KINDS and event["chat_id"] == chat_id:
            sent = emu.state.user_message(chat_id, event["message_id"])
            if sent is not None:  # None: the bot deleted it
                items[event["message_id"]] = sent
    # Users and the bot share one message id sequence per chat, as in Telegram.
    return [items[key] for key in sorted(items)]


def _message(emu: BotApiEmulator, who: Viewer, item: _Item) -> Json:
    if isinstance(item, BotMessage):
        return _bot_message(emu, who, item)
    return _user_message(emu, who, item)


def _stamp(who: Viewer, unix: int) -> Json:
    local = who.local(unix)
    separator = "." if who.lang == "id" else ":"
    return {
        "date": unix,
        "time": f"{local:%H}{separator}{local:%M}",
        "day": format_date(local.date(), who.lang),
        "day_key": local.date().isoformat(),
    }


def _bot_message(emu: BotApiEmulator, who: Viewer, m: BotMessage) -> Json:
    caption = m.text is None
    document = photo = None
    if m.document is not None:
        document = {
            "file_id": m.document["file_id"],
            "name": m.document.get("file_name"),
            "size": m.document.get("file_size"),
            "mime": m.document.get("mime_type"),
        }
    if m.photo:
        largest = m.photo[-1]
        photo = {"file_id": largest["file_id"], "width": largest["width"], "height": largest["height"]}
    markup = m.inline_markup or {}
    buttons = [
        [{"text": b.get("text", ""), "data": b.get("callback_data"), "url": b.get("url")} for b in row]
        for row in markup.get("inline_keyboard", [])
    ]
    return {
        "id": m.message_id,
        "out": False,
        "from": {"id": emu.bot_user["id"], "name": emu.bot_user["first_name"], "bot": True},
        **_stamp(who, m.date),
        "text": m.caption if caption else m.text,
        "entities": m.caption_entities if caption else m.entities,
        "document": document,
        "photo": photo,
        "buttons": buttons,
        "edited": m.edit_date is not None,
        "reply_to": _quote(m.reply_to),
    }


def _user_message(emu: BotApiEmulator, who: Viewer, m: dict[str, Any]) -> Json:
    sender = m["from"]
    name = " ".join(filter(None, (sender.get("first_name"), sender.get("last_name"))))
    document = photo = None
    if "document" in m:
        d = m["document"]
        document = {
            "file_id": d["file_id"],
            "name": d.get("file_name"),
            "size": d.get("file_size"),
            "mime": d.get("mime_type"),
        }
    if "photo" in m:
        largest = m["photo"][-1]
        photo = {"file_id": largest["file_id"], "width": largest["width"], "height": largest["height"]}
    return {
        "id": m["message_id"],
        "out": sender["id"] == who.user.id,
        "from": {"id": sender["id"], "name": name, "bot": False},
        **_stamp(who, m["date"]),
        "text": m.get("text", m.get("caption")),
        "entities": m.get("entities", m.get("caption_entities", [])),
        "document": document,
        "photo": photo,
        "buttons": [],
        "edited": False,
        "reply_to": _quote(m.get("reply_to_message")),
    }


def _quote(message: dict[str, Any] | None) -> Json | None:
    if not message:
        return None
    sender = message.get("from", {})
    text = message.get("text") or message.get("caption") or ""
    return {"name": sender.get("first_name", ""), "text": " ".join(text.split())[:_PREVIEW]}


def _reply_keyboard(emu: BotApiEmulator, who: Viewer, chat_id: int) -> Json | None:
    """The custom keyboard the bot last set in this chat (None once it removed it)."""
    for m in reversed(emu.chat_messages(chat_id)):
        markup = m.reply_markup or {}
        if markup.get("remove_keyboard"):
            return None
        if "keyboard" in markup:
            rows = [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in markup["keyboard"]]
            one_time = bool(markup.get("one_time_keyboard"))
            # Telegram folds a one-time keyboard away once it has been used.
            used = one_time and any(
                e["kind"] in _USER_KINDS
                and e["chat_id"] == chat_id
                and e["user_id"] == who.user.id
                and e["message_id"] > m.message_id
                for e in emu.transcript
            )
            return {
                "rows": rows,
                "one_time": one_time,
                "collapsed": used,
                "placeholder": markup.get("input_field_placeholder"),
            }
    return None


def _commands(emu: BotApiEmulator, who: Viewer, chat_id: int, *, private: bool) -> list[Json]:
    """The command menu Telegram would show here: the narrowest scope that has a list wins."""
    language = who.user.language_code
    scopes: list[tuple[str, dict[str, int]]] = [
        ("chat_member", {"chat_id": chat_id, "user_id": who.user.id}),
        ("chat", {"chat_id": chat_id}),
    ]
    if not private:
        group: EmuChat = emu.state.groups[chat_id]
        if who.user.id in group.admins or group.creator_id == who.user.id:
            scopes.append(("chat_administrators", {"chat_id": chat_id}))
            scopes.append(("all_chat_administrators", {}))
    scopes += [("all_private_chats" if private else "all_group_chats", {}), ("default", {})]
    for scope, ids in scopes:
        for lang in (language, None):
            commands = emu.commands(scope, lang, **ids)
            if commands:
                return [{"command": c["command"], "description": c["description"]} for c in commands]
    return []

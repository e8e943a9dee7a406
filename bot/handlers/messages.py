"""Platform-neutral messages: what an adapter hands the core, and what the core asks it to send."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

TEXT_LIMIT = 4096  # Telegram's limit for one message's text


@dataclass(frozen=True)
class Sender:
    id: int
    name: str
    is_bot: bool = False


@dataclass(frozen=True)
class IncomingMessage:
    chat_id: int
    message_id: int
    sender: Sender
    chat_type: str = "supergroup"  # private | group | supergroup | channel
    chat_title: str | None = None
    text: str = ""  # text or caption
    photos: tuple[str, ...] = ()  # file ids, largest size only
    other_media: str | None = None  # sticker | voice | video | document | … when no text/photo
    reply_to_message_id: int | None = None
    reply_to_sender: Sender | None = None
    reply_to_text: str = ""
    reply_to_photos: tuple[str, ...] = ()
    thread_id: int | None = None
    edited: bool = False

    @property
    def is_private(self) -> bool:
        return self.chat_type == "private"


@dataclass(frozen=True)
class ButtonPress:
    callback_id: str
    chat_id: int
    message_id: int
    sender: Sender
    data: str
    thread_id: int | None = None


@dataclass(frozen=True)
class ChatEvent:
    """Something happened to a chat itself."""

    chat_id: int
    kind: str  # migrated | bot_removed | bot_added
    new_chat_id: int | None = None
    actor: Sender | None = None
    chat_title: str | None = None


Event = IncomingMessage | ButtonPress | ChatEvent


@dataclass(frozen=True)
class Button:
    text: str
    data: str  # callback_data, ≤ 64 bytes


@dataclass(frozen=True)
class Mention:
    offset: int  # in characters of `text`
    length: int
    user_id: int


@dataclass
class OutgoingMessage:
    """One thing for the bot to do in a chat. `kind` says which Bot API call it becomes."""

    chat_id: int
    text: str = ""
    kind: str = "send"  # send | edit | answer_callback
    photo: str | None = None  # file id: sent as a photo with `text` as its caption
    photo_upload: str | None = None  # base64 of an image made here (a digest chart): uploaded as a photo
    reply_to_message_id: int | None = None
    thread_id: int | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # link the sent message to a case, so replies to it find the case
    case_id: int | None = None
    link_kind: str | None = None
    # kind == "edit": edit the latest message linked to (case_id, edit_link_kind)
    edit_link_kind: str | None = None
    edit_message_id: int | None = None
    # kind == "answer_callback"
    callback_id: str | None = None
    alert: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> OutgoingMessage:
        d = dict(d)
        d["buttons"] = [[Button(**b) for b in row] for row in d.get("buttons") or []]
        d["mentions"] = [Mention(**m) for m in d.get("mentions") or []]
        return cls(**d)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at line breaks where possible, never inside the limit."""
    if len(text) <= limit:
        return [text]
    parts, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts

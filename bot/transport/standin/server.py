"""Local Telegram Bot API stand-in (aiohttp, 127.0.0.1 only).

The bot, its tests and ``gridbot demo`` talk to this server over real HTTP exactly as they would
talk to api.telegram.org:

* ``/bot{token}/{method}``      - the Bot API subset gridbot uses (GET/POST; urlencoded, multipart
  and JSON bodies; nested objects may arrive as JSON strings, as both PTB and aiogram send them).
* ``/file/bot{token}/{path}``   - downloads for ``getFile`` paths.
* ``/control/...``              - a JSON control API so a test (or another process) can play the
  residents: inject messages, edits, button presses, membership changes and migrations, inspect
  what the bot sent, inject faults and switch on flood limits.

Everything is kept in memory: every message of every chat (residents' and the bot's) is stored with
its full Telegram JSON, so replies carry a complete ``reply_to_message`` and callback queries carry
the current bot message. The in-process Python API (``StandIn.message()``, ``.press()``, ...) mirrors
the control API one to one; all of it must be used from the event loop that runs the server.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import inspect
import itertools
import json
import logging
import math
import re
import struct
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

log = logging.getLogger("gridbot.standin")

BOT_ID = 7000000001
BOT_USER: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "网格助手",
    "username": "gridbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": True,
    "supports_inline_queries": False,
}
#: The bot as it appears in ``Message.from`` (a plain User object, without the getMe-only fields).
BOT_FROM: dict[str, Any] = {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")}

ALLOWED_HOSTS = frozenset({"127.0.0.1", "localhost"})
DEFAULT_ADMIN = {"id": 100000001, "is_bot": False, "first_name": "群管理员"}

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_ANSWER_TEXT = 200

# Methods that post a new message into a chat (counted by the flood limits).
SEND_METHODS = frozenset({"sendMessage", "sendPhoto"})
# Methods refused with 403 when the bot is not (any more) in the chat.
CHAT_WRITE_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendChatAction", "editMessageText", "editMessageCaption",
    "editMessageReplyMarkup", "deleteMessage",
})
# Parameters that are plain strings even when they happen to look like JSON ("123", "true").
STRING_FIELDS = frozenset({
    "text", "caption", "photo", "parse_mode", "callback_query_id", "url", "secret_token", "ip_address",
    "language_code", "inline_message_id", "business_connection_id", "message_effect_id", "file_id",
    "action", "certificate", "emoji", "title", "description",
})

_CONFLICT_POLL = ("Conflict: terminated by other getUpdates request; "
                  "make sure that only one bot instance is running")
_CONFLICT_WEBHOOK = ("Conflict: can't use getUpdates method while webhook is active; "
                     "use deleteWebhook to delete the webhook first")
_NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup "
                 "are exactly the same as a current content and reply markup of the message")
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


# ====================================================================================== data types
@dataclass(frozen=True)
class User:
    """A resident / grid worker as the stand-in injects them."""

    id: int
    first_name: str
    last_name: str = ""
    username: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        out["language_code"] = "zh-hans"
        return out


class Call(NamedTuple):
    """One Bot API request the stand-in answered: ``method, params, status, time = call``."""

    method: str
    params: dict[str, Any]
    status: int
    time: float  # unix time the request arrived


class StandInError(Exception):
    """A control-API request that makes no sense (unknown chat, missing button, bad field, ...)."""


class ApiError(Exception):
    """A Bot API error answer: HTTP status = error_code, like Telegram."""

    def __init__(self, code: int, description: str, **parameters: Any) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = {k: v for k, v in parameters.items() if v is not None}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            out["parameters"] = self.parameters
        return out


@dataclass
class _Fault:
    method: str  # lower-case method name or "*"
    code: int
    description: str
    times: int
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None
    delay: float | None = None
    chat_id: int | None = None

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Limits:
    per_chat_per_sec: float = 1.0
    per_chat_burst: int = 3
    per_group_per_min: int = 20
    global_per_sec: int = 30


@dataclass
class _Chat:
    obj: dict[str, Any]  # the Telegram Chat object
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1
    migrated_to: int | None = None
    bot_status: str = "member"  # member | left | kicked

    @property
    def id(self) -> int:
        return self.obj["id"]


@dataclass
class _Upload:
    filename: str
    data: bytes
    content_type: str


class _Poll:
    __slots__ = ("kicked",)

    def __init__(self) -> None:
        self.kicked = False


def _u16(text: str) -> int:
    """Length in UTF-16 code units (what Telegram counts for limits and entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _now() -> int:
    return int(time.time())


def _as_int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StandInError(f"{what} must be an integer, got {value!r}") from None


# ====================================================================================== text formatting
_ENTITY_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl",
}


class _TextBuilder:
    def __init__(self, src: str) -> None:
        self.src = src
        self.chars: list[str] = []
        self.pos = 0  # UTF-16 offset of the output
        self.entities: list[dict[str, Any]] = []

    def emit(self, s: str) -> None:
        self.chars.append(s)
        self.pos += _u16(s)

    def entity(self, etype: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append({"type": etype, "offset": start, "length": self.pos - start, **extra})

    def byte(self, i: int) -> int:
        return len(self.src[:i].encode())

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        ents = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.chars), ents


def _parse_error(msg: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {msg}")


_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR_RE = re.compile(r"""\s*([a-zA-Z-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    out = _TextBuilder(src)
    stack: list[tuple[str, str, int, dict[str, Any]]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "<":
            j = src.find(">", i)
            if j < 0:
                raise _parse_error(f"Can't find end of the tag at byte offset {out.byte(i)}")
            inner = src[i + 1:j]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise _parse_error(f'Unexpected end tag at byte offset {out.byte(i)}')
                tag, etype, start, attrs = stack[-1]
                if name and name != tag:
                    raise _parse_error(f'Unmatched end tag at byte offset {out.byte(i)}, '
                                       f'expected "</{tag}>", found "</{name}>"')
                stack.pop()
                if tag == "code" and stack and stack[-1][0] == "pre":
                    if "language" in attrs:  # <pre><code class="language-x"> is one pre entity
                        stack[-1][3]["language"] = attrs["language"]
                else:
                    if etype == "code":
                        attrs.pop("language", None)
                    out.entity(etype, start, **attrs)
            else:
                m = re.match(r"([a-zA-Z][a-zA-Z0-9-]*)(.*)$", inner, re.S)
                name = m.group(1).lower() if m else inner
                if not m or name not in _HTML_TAGS:
                    raise _parse_error(f'Unsupported start tag "{name}" at byte offset {out.byte(i)}')
                raw_attrs = {a.group(1).lower(): a.group(2) or a.group(3) or a.group(4) or ""
                             for a in _ATTR_RE.finditer(m.group(2)) if a.group(1)}
                attrs: dict[str, Any] = {}
                if name == "a":
                    attrs["url"] = raw_attrs.get("href", "")
                elif name == "span" and raw_attrs.get("class") != "tg-spoiler":
                    raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {out.byte(i)}')
                elif name == "code" and raw_attrs.get("class", "").startswith("language-"):
                    attrs["language"] = raw_attrs["class"][len("language-"):]
                elif name == "tg-emoji":
                    attrs["custom_emoji_id"] = raw_attrs.get("emoji-id", "")
                stack.append((name, _HTML_TAGS[name], out.pos, attrs))
            i = j + 1
        elif c == "&":
            m = re.match(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);", src[i:i + 16])
            if m and m.group(1).startswith("#"):
                num = m.group(1)[1:]
                out.emit(chr(int(num[1:], 16) if num[:1] in "xX" else int(num)))
                i += m.end()
            elif m and m.group(1) in _HTML_NAMED:
                out.emit(_HTML_NAMED[m.group(1)])
                i += m.end()
            else:
                out.emit("&")
                i += 1
        else:
            out.emit(c)
            i += 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


_MD2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def _parse_markdown_v2(src: str) -> tuple[str, list[dict[str, Any]]]:
    out = _TextBuilder(src)
    markers = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}
    stack: list[tuple[str, str, int, int]] = []  # marker, type, start, byte offset
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            if i + 1 < n and 0 < ord(src[i + 1]) < 127:
                out.emit(src[i + 1])
                i += 2
                continue
            raise _parse_error("Character '\\' is reserved and must be escaped with the preceding '\\'")
        if c == "`":
            pre = src.startswith("```", i)
            fence = "```" if pre else "`"
            j, body = i + len(fence), []
            while j < n and not src.startswith(fence, j):
                if src[j] == "\\" and j + 1 < n:
                    j += 1
                body.append(src[j])
                j += 1
            if j >= n:
                kind = "Pre" if pre else "Code"
                raise _parse_error(f"Can't find end of {kind} entity at byte offset {out.byte(i)}")
            text, extra = "".join(body), {}
            if pre:
                first, nl, rest = text.partition("\n")
                if nl and first and not any(ch.isspace() for ch in first):
                    text, extra = rest, {"language": first}
            start = out.pos
            out.emit(text)
            out.entity("pre" if pre else "code", start, **extra)
            i = j + len(fence)
            continue
        if c == ">" and (i == 0 or src[i - 1] == "\n"):
            i += 1  # block quote marker: kept simple, no entity
            continue
        marker = "__" if src.startswith("__", i) else "||" if src.startswith("||", i) else c
        if marker in markers:
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == marker:
                    _, etype, start, _b = stack.pop(k)
                    out.entity(etype, start)
                    break
            else:
                stack.append((marker, markers[marker], out.pos, out.byte(i)))
            i += len(marker)
            continue
        if c == "[":
            stack.append(("[", "text_link", out.pos, out.byte(i)))
            i += 1
            continue
        if c == "]" and stack and stack[-1][0] == "[" and src.startswith("(", i + 1):
            j, url = i + 2, []
            while j < n and src[j] != ")":
                if src[j] == "\\" and j + 1 < n:
                    j += 1
                url.append(src[j])
                j += 1
            if j >= n:
                raise _parse_error(f"Can't find end of a URL at byte offset {out.byte(i + 2)}")
            _, etype, start, _b = stack.pop()
            out.entity(etype, start, url="".join(url))
            i = j + 1
            continue
        if c in _MD2_RESERVED:
            raise _parse_error(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        out.emit(c)
        i += 1
    if stack:
        marker, etype, _start, b = stack[-1]
        raise _parse_error(f"Can't find end of {_ENTITY_NAMES.get(etype, etype)} entity at byte offset {b}")
    return out.result()


def _parse_markdown(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Legacy Markdown: *bold* _italic_ `code` ```pre``` [text](url), no nesting."""
    out = _TextBuilder(src)
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and src[i + 1] in "*_`[":
            out.emit(src[i + 1])
            i += 2
            continue
        if c in "*_`[":
            fence = "```" if src.startswith("```", i) else c
            close = "]" if c == "[" else fence
            j = src.find(close, i + len(fence))
            if j < 0:
                raise _parse_error(f"Can't find end of the entity starting at byte offset {out.byte(i)}")
            body, extra = src[i + len(fence):j], {}
            nxt = j + len(close)
            if c == "[":
                if not src.startswith("(", nxt) or src.find(")", nxt) < 0:
                    out.emit(src[i:nxt])
                    i = nxt
                    continue
                end = src.find(")", nxt)
                extra, nxt = {"url": src[nxt + 1:end]}, end + 1
            etype = {"*": "bold", "_": "italic", "`": "code", "```": "pre", "[": "text_link"}[fence]
            start = out.pos
            out.emit(body)
            out.entity(etype, start, **extra)
            i = nxt
            continue
        out.emit(c)
        i += 1
    return out.result()


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]] | None]:
    """Turn ``text`` + ``parse_mode`` into (plain text, entities) like Telegram, or raise ApiError."""
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return text, None
    if mode == "html":
        plain, ents = _parse_html(text)
    elif mode == "markdownv2":
        plain, ents = _parse_markdown_v2(text)
    elif mode == "markdown":
        plain, ents = _parse_markdown(text)
    else:
        raise ApiError(400, f"Bad Request: unsupported parse_mode \"{parse_mode}\"")
    return plain, (ents or None)


# ====================================================================================== images
def _image_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return w, h
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return w, h
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            seg_len = struct.unpack(">H", data[i + 2:i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return w, h
            i += 2 + seg_len
    return None


@functools.cache
def _placeholder_png() -> bytes:
    """A valid 1x1 grey PNG served for files that exist only as generated ids."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
            + chunk(b"IEND", b""))


# ====================================================================================== the server
class StandIn:
    """In-memory Telegram Bot API stand-in. ``base = await StandIn().start()``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, webhook_retry_delay: float = 0.5,
                 webhook_timeout: float = 10.0) -> None:
        if host not in ALLOWED_HOSTS:
            raise ValueError(f"the stand-in only listens on 127.0.0.1/localhost, not {host!r}")
        self.host = host
        self.port = port
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout
        self.calls: list[Call] = []
        self.limit_violations = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._closing = False
        self._update_ids = itertools.count(1)  # never reset: bots keep their offset across reset()
        self._cq_ids = itertools.count(4_410_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._pollers: dict[str, _Poll] = {}
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._methods: dict[str, tuple[str, Callable[..., Any]]] = {}
        for name in dir(self):
            if name.startswith("_m_"):
                api_name = name[3:]
                self._methods[api_name.lower()] = (api_name, getattr(self, name))
        self._init_state()

    def _init_state(self) -> None:
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._sent: list[dict[str, Any]] = []
        self._timeline: list[dict[str, Any]] = []
        self._seq = itertools.count(1)
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._answers: list[dict[str, Any]] = []
        self._commands: dict[tuple[str, str], dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._photo_sets: dict[str, list[dict[str, Any]]] = {}
        self._faults: list[_Fault] = []
        self._limits: _Limits | None = None
        self._rl_global: deque[float] = deque()
        self._rl_group: dict[int, deque[float]] = {}
        self._rl_chat: dict[int, tuple[float, float]] = {}
        self._violations: list[dict[str, Any]] = []
        self._webhook: dict[str, Any] | None = None
        self._webhook_error: tuple[int, str] | None = None

    # ------------------------------------------------------------------------------ lifecycle
    async def start(self) -> str:
        self._closing = False
        self._changed = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        for verb, path, handler in self._control_routes():
            app.router.add_route(verb, f"/control/{path}", handler)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.webhook_timeout))
        self._webhook_task = asyncio.create_task(self._webhook_loop(), name="standin-webhook")
        log.info("stand-in listening on %s", self.base)
        return self.base

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        if self._webhook_task:
            self._webhook_task.cancel()
            try:
                await self._webhook_task
            except asyncio.CancelledError:
                pass
            self._webhook_task = None
        if self._session:
            await self._session.close()
            self._session = None
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> StandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _notify(self) -> None:
        """Wake every long poll / the webhook loop (they re-check their condition)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but return early when the server shuts down."""
        deadline = time.monotonic() + seconds
        while not self._closing and (left := deadline - time.monotonic()) > 0:
            ev = self._changed
            try:
                await asyncio.wait_for(ev.wait(), left)
            except TimeoutError:
                return

    # ------------------------------------------------------------------------------ chats and messages
    def _chat(self, chat_id: int, *, title: str | None = None, chat_type: str | None = None,
              user: dict[str, Any] | None = None) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            ctype = chat_type or ("supergroup" if chat_id < 0 else "private")
            if ctype not in ("private", "group", "supergroup"):
                raise StandInError(f"chat_type must be private, group or supergroup, not {ctype!r}")
            if (ctype == "private") != (chat_id > 0):
                raise StandInError(f"chat {chat_id}: private chats have positive ids, groups negative ones")
            obj: dict[str, Any] = {"id": chat_id, "type": ctype}
            if ctype == "private":
                u = user if user and user["id"] == chat_id else self._users.get(chat_id)
                obj["first_name"] = (u or {}).get("first_name") or f"用户{chat_id}"
                for k in ("last_name", "username"):
                    if u and u.get(k):
                        obj[k] = u[k]
            else:
                obj["title"] = title or f"群 {chat_id}"
            chat = self._chats[chat_id] = _Chat(obj)
        elif title and chat.obj["type"] != "private" and chat.obj.get("title") != title:
            chat.obj["title"] = title
        return chat

    def _store(self, chat: _Chat, sender: dict[str, Any], content: dict[str, Any], *,
               date: int | None = None, thread_id: int | None = None,
               reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        msg: dict[str, Any] = {"message_id": chat.next_id}
        chat.next_id += 1
        if thread_id is None and reply_to and reply_to.get("is_topic_message"):
            thread_id = reply_to.get("message_thread_id")
        if thread_id is not None:
            msg["message_thread_id"] = int(thread_id)
            msg["is_topic_message"] = True
        msg["from"] = copy.deepcopy(sender)
        msg["chat"] = copy.deepcopy(chat.obj)
        msg["date"] = int(date) if date is not None else _now()
        if reply_to is not None:
            msg["reply_to_message"] = {k: copy.deepcopy(v) for k, v in reply_to.items()
                                       if k != "reply_to_message"}
        msg.update(copy.deepcopy(content))
        chat.messages[msg["message_id"]] = msg
        self._event("message", chat.id, message_id=msg["message_id"], message=copy.deepcopy(msg))
        return msg

    def _event(self, kind: str, chat_id: int, **data: Any) -> None:
        self._timeline.append({"seq": next(self._seq), "kind": kind, "chat_id": chat_id,
                               "time": time.time(), **data})

    def _queue(self, update: dict[str, Any]) -> dict[str, Any]:
        full = {"update_id": next(self._update_ids), **copy.deepcopy(update)}
        self._updates.append(full)
        self._last_activity = time.monotonic()
        self._notify()
        return full

    def _remember_user(self, user_id: int | None, first_name: str | None, last_name: str | None = None,
                       username: str | None = None) -> dict[str, Any]:
        if user_id is None:
            raise StandInError("user_id is required")
        user_id = _as_int(user_id, "user_id")
        known = self._users.get(user_id, {})
        first = first_name or known.get("first_name") or f"用户{user_id}"
        u = User(user_id, first, last_name if last_name is not None else known.get("last_name", ""),
                 username if username is not None else known.get("username")).to_json()
        self._users[user_id] = u
        return u

    def _file(self, kind: str, data: bytes | None = None, ext: str = "jpg", file_id: str | None = None,
              **extra: Any) -> dict[str, Any]:
        n = next(self._file_ids)
        size = extra.pop("file_size", None)
        fid = file_id or f"AgACAgIAAxkBAAI{n:06d}{kind[:2].upper()}"
        info = {"file_id": fid, "file_unique_id": f"AQAD{n:06d}{kind[:2]}",
                "file_size": len(data) if data is not None else (size or 1024 + n),
                "file_path": f"{kind}s/file_{n}.{ext}", "data": data, **extra}
        self._files[fid] = info
        return info

    def _photo_set(self, width: int, height: int, data: bytes | None = None,
                   largest_id: str | None = None) -> list[dict[str, Any]]:
        """A Telegram-like PhotoSize array (90/320/800/1280 px thumbnails up to the original)."""
        if largest_id and largest_id in self._photo_sets:
            return copy.deepcopy(self._photo_sets[largest_id])
        biggest = max(width, height, 1)
        dims: list[tuple[int, int]] = []
        for limit in (90, 320, 800, 1280, 2560):
            scale = min(1.0, limit / biggest)
            d = (max(1, round(width * scale)), max(1, round(height * scale)))
            if not dims or d != dims[-1]:
                dims.append(d)
            if scale >= 1.0:
                break
        sizes = []
        for k, (w, h) in enumerate(dims):
            last = k == len(dims) - 1
            info = self._file("photo", data if last else None, file_id=largest_id if last else None,
                              file_size=max(64, w * h // 8))
            info.update(width=w, height=h)
            sizes.append({"file_id": info["file_id"], "file_unique_id": info["file_unique_id"],
                          "file_size": info["file_size"], "width": w, "height": h})
        for s in sizes:
            self._photo_sets[s["file_id"]] = sizes
        return copy.deepcopy(sizes)

    # ------------------------------------------------------------------------------ control: residents
    def message(self, chat_id: int, user_id: int | None = None, first_name: str | None = None, *,
                last_name: str | None = None, username: str | None = None, text: str | None = None,
                caption: str | None = None, photo: bool | str | None = None, sticker: bool | str | None = None,
                voice: bool | int | None = None, reply_to_message_id: int | None = None,
                message_thread_id: int | None = None, chat_title: str | None = None,
                chat_type: str | None = None, date: int | None = None,
                entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A resident posts a message; queues ``{"message": ...}`` and returns the stored message."""
        chat_id = _as_int(chat_id, "chat_id")
        if user_id is None and chat_id > 0:
            user_id = chat_id
        sender = self._remember_user(user_id, first_name, last_name, username)
        chat = self._chat(chat_id, title=chat_title, chat_type=chat_type, user=sender)
        if message_thread_id is not None and chat.obj["type"] == "supergroup":
            chat.obj["is_forum"] = True
        content: dict[str, Any] = {}
        if photo:
            content["photo"] = self._photo_set(1280, 960, largest_id=photo if isinstance(photo, str) else None)
            if caption is None:
                caption, text = text, None
        if sticker:
            info = self._file("sticker", ext="webp")
            content["sticker"] = {"file_id": info["file_id"], "file_unique_id": info["file_unique_id"],
                                  "type": "regular", "width": 512, "height": 512, "is_animated": False,
                                  "is_video": False, "emoji": sticker if isinstance(sticker, str) else "👍",
                                  "file_size": info["file_size"]}
        if voice:
            info = self._file("voice", ext="oga")
            content["voice"] = {"file_id": info["file_id"], "file_unique_id": info["file_unique_id"],
                                "duration": voice if isinstance(voice, int) and voice is not True else 3,
                                "mime_type": "audio/ogg", "file_size": info["file_size"]}
        if text is not None and not content:
            content["text"] = str(text)
            if entities:
                content["entities"] = entities
        elif text is not None:
            raise StandInError("text cannot be combined with sticker/voice (use caption with photo)")
        if caption is not None and "photo" in content:
            content["caption"] = str(caption)
        if not content:
            raise StandInError("a message needs text, photo, sticker or voice")
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = chat.messages.get(_as_int(reply_to_message_id, "reply_to_message_id"))
            if reply_to is None:
                raise StandInError(f"chat {chat_id} has no message {reply_to_message_id} to reply to")
        msg = self._store(chat, sender, content, date=date, thread_id=message_thread_id, reply_to=reply_to)
        self._queue({"message": msg})
        return copy.deepcopy(msg)

    def say(self, chat_id: int, user: User, text: str | None = None, *, reply_to: int | None = None,
            photo: bool | str | None = None, sticker: bool | str = False, voice: bool | int = False,
            thread_id: int | None = None, chat_title: str | None = None, chat_type: str | None = None,
            date: int | None = None) -> dict[str, Any]:
        """Convenience wrapper of :meth:`message` taking a :class:`User`."""
        return self.message(chat_id, user.id, user.first_name, last_name=user.last_name,
                            username=user.username, text=text, photo=photo, sticker=sticker or None,
                            voice=voice or None, reply_to_message_id=reply_to, message_thread_id=thread_id,
                            chat_title=chat_title, chat_type=chat_type, date=date)

    def edit(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        """A resident edits their message; queues ``{"edited_message": ...}``."""
        chat = self._existing_chat(chat_id)
        msg = chat.messages.get(_as_int(message_id, "message_id"))
        if msg is None:
            raise StandInError(f"chat {chat_id} has no message {message_id}")
        if msg["from"]["id"] == BOT_ID:
            raise StandInError("residents cannot edit the bot's messages")
        key = "caption" if "photo" in msg else "text"
        if key not in msg and key == "text":
            raise StandInError(f"message {message_id} has no text to edit")
        msg[key] = str(text)
        msg.pop("entities", None)
        msg["edit_date"] = max(_now(), msg["date"] + 1)
        self._event("edit", chat.id, message_id=msg["message_id"], message=copy.deepcopy(msg), by_bot=False)
        self._queue({"edited_message": msg})
        return copy.deepcopy(msg)

    def press(self, chat_id: int, message_id: int, user_id: int | None = None, first_name: str | None = None,
              data: str | None = None, *, last_name: str | None = None, username: str | None = None,
              force: bool = False) -> dict[str, Any]:
        """A user presses an inline button; queues a ``callback_query`` update.

        Unless ``force`` is true the message must carry a button with exactly that callback_data.
        """
        chat = self._existing_chat(chat_id)
        msg = chat.messages.get(_as_int(message_id, "message_id"))
        if msg is None:
            raise StandInError(f"chat {chat_id} has no message {message_id}")
        if data is None:
            raise StandInError("data is required")
        buttons = [b for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        if not force and not any(b.get("callback_data") == data for b in buttons):
            offered = [b.get("callback_data") for b in buttons if "callback_data" in b]
            raise StandInError(f"message {message_id} in chat {chat_id} has no button with callback_data "
                               f"{data!r}; it offers {offered}")
        sender = self._remember_user(user_id, first_name, last_name, username)
        cq_id = str(next(self._cq_ids))
        cq = {"id": cq_id, "from": sender, "message": copy.deepcopy(msg),
              "chat_instance": str(abs(chat.id) * 7 + 1_000_003), "data": data}
        button = next((b.get("text") for b in buttons if b.get("callback_data") == data), None)
        self._callbacks[cq_id] = {"chat_id": chat.id, "message_id": msg["message_id"], "data": data,
                                  "from": sender, "answered": False}
        self._event("press", chat.id, message_id=msg["message_id"], data=data, button=button, user=sender,
                    callback_query_id=cq_id)
        upd = self._queue({"callback_query": cq})
        return {"callback_query_id": cq_id, "update_id": upd["update_id"]}

    def member(self, chat_id: int, event: str, user_id: int | None = None,
               first_name: str | None = None) -> dict[str, Any]:
        """The bot is removed from / added to a chat (``bot_removed`` / ``bot_added``), or a private user
        blocks / unblocks it (``bot_blocked`` / ``bot_unblocked``); queues ``my_chat_member``."""
        chat_id = _as_int(chat_id, "chat_id")
        chat = self._chat(chat_id)
        if chat.obj["type"] == "private":
            user_id = chat_id if user_id is None else user_id
        actor = (self._remember_user(user_id, first_name) if user_id is not None else dict(DEFAULT_ADMIN))
        old = chat.bot_status
        if event in ("bot_removed", "bot_blocked"):
            new = "left" if chat.obj["type"] == "group" else "kicked"
        elif event in ("bot_added", "bot_unblocked"):
            new = "member"
        else:
            raise StandInError("event must be bot_removed, bot_added, bot_blocked or bot_unblocked")

        def member_obj(status: str) -> dict[str, Any]:
            obj: dict[str, Any] = {"status": status, "user": dict(BOT_FROM)}
            if status == "kicked":
                obj["until_date"] = 0
            return obj

        chat.bot_status = new
        cmu = {"chat": copy.deepcopy(chat.obj), "from": actor, "date": _now(),
               "old_chat_member": member_obj(old), "new_chat_member": member_obj(new)}
        self._event("member", chat.id, event=event, user=actor, old=old, new=new)
        upd = self._queue({"my_chat_member": cmu})
        return copy.deepcopy(upd)

    def migrate(self, chat_id: int, new_chat_id: int, user_id: int | None = None,
                first_name: str | None = None) -> dict[str, Any]:
        """The group is upgraded to a supergroup with a new id."""
        chat_id, new_chat_id = _as_int(chat_id, "chat_id"), _as_int(new_chat_id, "new_chat_id")
        if chat_id > 0 or new_chat_id > 0 or chat_id == new_chat_id:
            raise StandInError("migrate needs two different negative (group) chat ids")
        old = self._chat(chat_id, chat_type="group")
        if old.migrated_to is not None:
            raise StandInError(f"chat {chat_id} already migrated to {old.migrated_to}")
        actor = self._remember_user(user_id, first_name) if user_id is not None else dict(DEFAULT_ADMIN)
        new = self._chat(new_chat_id, title=old.obj.get("title"), chat_type="supergroup")
        new.bot_status = old.bot_status
        m1 = self._store(old, actor, {"migrate_to_chat_id": new_chat_id})
        m2 = self._store(new, actor, {"migrate_from_chat_id": chat_id})
        old.migrated_to = new_chat_id
        self._queue({"message": m1})
        self._queue({"message": m2})
        return {"old": copy.deepcopy(m1), "new": copy.deepcopy(m2)}

    def _existing_chat(self, chat_id: Any) -> _Chat:
        chat = self._chats.get(_as_int(chat_id, "chat_id"))
        if chat is None:
            raise StandInError(f"unknown chat {chat_id}")
        return chat

    # ------------------------------------------------------------------------------ control: inspection
    def messages(self, chat_id: int, from_bot: bool | None = None, after: int | None = None) -> list[dict]:
        """Stored messages of a chat (current state, edits applied) in message_id order."""
        chat = self._chats.get(_as_int(chat_id, "chat_id"))
        if chat is None:
            return []
        out = []
        for mid, msg in sorted(chat.messages.items()):
            if after is not None and mid <= int(after):
                continue
            if from_bot is not None and (msg["from"]["id"] == BOT_ID) != bool(from_bot):
                continue
            out.append(copy.deepcopy(msg))
        return out

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """What the bot sent and edited, in order: ``{seq, method, chat_id, message_id, edit, message, time}``."""
        cid = None if chat_id is None else _as_int(chat_id, "chat_id")
        return [copy.deepcopy(e) for e in self._sent if cid is None or e["chat_id"] == cid]

    def answers(self) -> list[dict[str, Any]]:
        """answerCallbackQuery calls, with the pressed button's chat, message and data."""
        return copy.deepcopy(self._answers)

    def answer_for(self, callback_query_id: str) -> dict[str, Any] | None:
        return next((copy.deepcopy(a) for a in self._answers if a["callback_query_id"] == str(callback_query_id)),
                    None)

    def commands(self) -> list[dict[str, Any]]:
        """Every command list set with setMyCommands: ``{scope, language_code, commands}``."""
        return copy.deepcopy(list(self._commands.values()))

    def pending(self) -> list[dict[str, Any]]:
        """Updates nobody confirmed yet (what Telegram would still deliver)."""
        return copy.deepcopy(self._updates)

    def chats(self) -> list[dict[str, Any]]:
        return [{**copy.deepcopy(c.obj), "bot_status": c.bot_status, "migrated_to": c.migrated_to,
                 "message_count": len(c.messages)} for c in self._chats.values()]

    def timeline(self) -> dict[str, Any]:
        """Everything that happened in order, for transcripts."""
        return {"bot": dict(BOT_FROM), "chats": {str(c.id): copy.deepcopy(c.obj) for c in self._chats.values()},
                "events": copy.deepcopy(self._timeline)}

    def transcript(self, chat_titles: dict[int, str] | None = None, *, interleave: bool = True,
                   show_ids: bool = False) -> str:
        """Readable Chinese lines of everything that happened (see ``client.render_transcript``)."""
        from .client import render_transcript
        return render_transcript(self.timeline(), chat_titles, interleave=interleave, show_ids=show_ids)

    def idle(self) -> dict[str, Any]:
        """Seconds since the last bot call (getUpdates excluded) or injected update."""
        idle_for = 0.0 if self._inflight else time.monotonic() - self._last_activity
        return {"idle_for": idle_for, "inflight": self._inflight}

    def webhook_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {"url": self._webhook["url"] if self._webhook else "",
                                "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        if self._webhook:
            info["max_connections"] = self._webhook.get("max_connections", 40)
            if self._webhook.get("allowed_updates") is not None:
                info["allowed_updates"] = self._webhook["allowed_updates"]
        if self._webhook_error:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    # ------------------------------------------------------------------------------ control: faults, limits
    def fail(self, method: str, code: int = 400, description: str | None = None, times: int = 1,
             retry_after: int | None = None, migrate_to_chat_id: int | None = None, delay: float | None = None,
             chat_id: int | None = None) -> dict[str, Any]:
        """The next ``times`` calls of ``method`` (``"*"`` = any; optionally only for ``chat_id``) answer
        ``code``/``description``. ``delay`` sleeps first; ``code=0`` + ``delay`` just answers slowly."""
        code = int(code)
        if code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = {
                0: "", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden: bot was blocked by the user",
                404: "Not Found", 409: "Conflict", 429: f"Too Many Requests: retry after {retry_after}",
                500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Timeout",
            }.get(code, f"Error {code}")
            if migrate_to_chat_id is not None:
                description = "Bad Request: group chat was upgraded to a supergroup chat"
        if code == 0 and not delay:
            raise StandInError("code 0 only makes sense with a delay")
        fault = _Fault(method.lower(), code, description, int(times), retry_after,
                       None if migrate_to_chat_id is None else int(migrate_to_chat_id),
                       None if delay is None else float(delay), None if chat_id is None else int(chat_id))
        self._faults.append(fault)
        return fault.public()

    def clear_faults(self) -> None:
        self._faults.clear()

    def enforce_limits(self, per_chat_per_sec: float = 1.0, per_chat_burst: int = 3, per_group_per_min: int = 20,
                       global_per_sec: int = 30) -> dict[str, Any]:
        """Answer 429 + retry_after when sendMessage/sendPhoto exceed Telegram's flood limits."""
        self._limits = _Limits(float(per_chat_per_sec), int(per_chat_burst), int(per_group_per_min),
                               int(global_per_sec))
        self._rl_global.clear()
        self._rl_group.clear()
        self._rl_chat.clear()
        return self.limits_info()

    def disable_limits(self) -> None:
        self._limits = None

    def limits(self, enabled: bool = True, **config: Any) -> dict[str, Any]:
        """Control-API form: ``limits(enabled=False)`` switches off, otherwise like :meth:`enforce_limits`."""
        if not enabled:
            self.disable_limits()
            return self.limits_info()
        unknown = set(config) - set(_Limits.__dataclass_fields__)
        if unknown:
            raise StandInError(f"unknown limit settings {sorted(unknown)}; known: {list(_Limits.__dataclass_fields__)}")
        return self.enforce_limits(**config)

    def limits_info(self) -> dict[str, Any]:
        return {"enabled": self._limits is not None, "config": asdict(self._limits) if self._limits else None,
                "violations": self.limit_violations, "log": copy.deepcopy(self._violations)}

    def reset(self) -> None:
        """Forget chats, messages, updates, webhook, faults, limits and records (update ids keep growing)."""
        self._init_state()
        self.calls.clear()
        self.limit_violations = 0
        self._notify()

    # ------------------------------------------------------------------------------ HTTP: Bot API
    async def _parse(self, request: web.Request) -> tuple[dict[str, Any], dict[str, _Upload]]:
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, _Upload] = {}
        if request.body_exists:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON body") from None
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: JSON body must be an object")
                params = {k: self._coerce(k, v) for k, v in raw.items()}
                for k, v in body.items():
                    params[k] = str(v) if k in STRING_FIELDS and isinstance(v, int | float) else v
                return params, files
            form = await request.post()
            for k, v in form.items():
                if isinstance(v, web.FileField):
                    files[k] = _Upload(v.filename or k, v.file.read(), v.content_type)
                else:
                    raw[k] = v
        return {k: self._coerce(k, v) for k, v in raw.items()}, files

    @staticmethod
    def _coerce(key: str, value: Any) -> Any:
        if not isinstance(value, str) or key in STRING_FIELDS:
            return value
        try:
            return json.loads(value)  # numbers, booleans and nested objects sent as JSON strings
        except ValueError:
            return value

    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = time.time()
        token = request.match_info["token"]
        given = request.match_info["method"]
        api_name, handler = self._methods.get(given.lower(), (given, None))
        counts = api_name != "getUpdates"
        if counts:
            self._inflight += 1
            self._last_activity = time.monotonic()
        params: dict[str, Any] = {}
        try:
            params, files = await self._parse(request)
            if files:
                params.update({k: f"<file {f.filename} ({len(f.data)} bytes)>" for k, f in files.items()})
            await self._apply_fault(api_name, params)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            self._check_chat_state(api_name, params)
            if api_name in SEND_METHODS:
                self._check_limits(api_name, params)
            result = await handler(token=token, p=params, files=files)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as e:
            status, body = e.code, e.body()
        except Exception:  # a stand-in bug must not look like a network problem to the bot
            log.exception("stand-in failed on %s %s", api_name, params)
            status, body = 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        finally:
            if counts:
                self._inflight -= 1
                self._last_activity = time.monotonic()
        self.calls.append(Call(api_name, params, status, arrived))
        if status != 200:
            log.debug("%s -> %s %s", api_name, status, body.get("description"))
        return web.json_response(body, status=status, dumps=_dumps)

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        info = next((f for f in self._files.values() if f["file_path"] == path), None)
        if info is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        data = info["data"] if info["data"] is not None else _placeholder_png()
        return web.Response(body=data, content_type="application/octet-stream")

    async def _apply_fault(self, method: str, params: dict[str, Any]) -> None:
        chat_id = self._chat_id_or_none(params.get("chat_id"))
        for fault in self._faults:
            if fault.method not in ("*", method.lower()):
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            if fault.delay:
                await self._sleep(fault.delay)
            if fault.code:
                raise ApiError(fault.code, fault.description, retry_after=fault.retry_after,
                               migrate_to_chat_id=fault.migrate_to_chat_id)
            return

    @staticmethod
    def _chat_id_or_none(value: Any) -> int | None:
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    def _check_chat_state(self, method: str, params: dict[str, Any]) -> None:
        cid = self._chat_id_or_none(params.get("chat_id"))
        chat = self._chats.get(cid) if cid is not None else None
        if chat is None:
            return
        if chat.migrated_to is not None:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=chat.migrated_to)
        if method in CHAT_WRITE_METHODS and chat.bot_status != "member":
            kind = chat.obj["type"]
            if kind == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat.bot_status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")

    def _check_limits(self, method: str, params: dict[str, Any]) -> None:
        lim = self._limits
        cid = self._chat_id_or_none(params.get("chat_id"))
        if lim is None or cid is None:
            return
        now = time.monotonic()
        waits: list[tuple[float, str]] = []
        glob = self._rl_global
        while glob and now - glob[0] >= 1.0:
            glob.popleft()
        if len(glob) >= lim.global_per_sec:
            waits.append((1.0 - (now - glob[0]), "global"))
        group = self._rl_group.setdefault(cid, deque()) if cid < 0 else None
        if group is not None:
            while group and now - group[0] >= 60.0:
                group.popleft()
            if len(group) >= lim.per_group_per_min:
                waits.append((60.0 - (now - group[0]), "group"))
        tokens, last = self._rl_chat.get(cid, (float(lim.per_chat_burst), now))
        tokens = min(float(lim.per_chat_burst), tokens + (now - last) * lim.per_chat_per_sec)
        if tokens < 1.0:
            waits.append(((1.0 - tokens) / lim.per_chat_per_sec, "chat"))
        if waits:
            wait, reason = max(waits)
            retry = max(1, math.ceil(wait))
            self.limit_violations += 1
            self._violations.append({"method": method, "chat_id": cid, "reason": reason, "retry_after": retry,
                                     "time": time.time()})
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        glob.append(now)
        if group is not None:
            group.append(now)
        self._rl_chat[cid] = (tokens - 1.0, now)

    # ------------------------------------------------------------------------------ Bot API helpers
    def _target_chat(self, p: dict[str, Any]) -> _Chat:
        raw = p.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        cid = self._chat_id_or_none(raw)
        if cid is None or cid == 0:
            raise ApiError(400, "Bad Request: chat not found")
        return self._chat(cid)

    def _target_message(self, p: dict[str, Any], what: str) -> tuple[_Chat, dict[str, Any]]:
        if p.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._target_chat(p)
        mid = self._chat_id_or_none(p.get("message_id"))
        if mid is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        msg = chat.messages.get(mid)
        if msg is None:
            raise ApiError(400, f"Bad Request: message to {what} not found")
        return chat, msg

    @staticmethod
    def _json_param(p: dict[str, Any], key: str) -> Any:
        value = p.get(key)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
        return value

    def _markup(self, p: dict[str, Any]) -> dict[str, Any] | None:
        rm = self._json_param(p, "reply_markup")
        if rm is None:
            return None
        if not isinstance(rm, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in rm:
            return None  # reply keyboards / ForceReply are not part of the stored message
        rows = rm["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, "Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup "
                                "should be an Array of Arrays")
        for row in rows:
            for btn in row:
                if not isinstance(btn, dict) or not str(btn.get("text", "")).strip():
                    raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID" if isinstance(btn, dict)
                                   else "Bad Request: can't parse inline keyboard button")
                if "callback_data" in btn:
                    size = len(str(btn["callback_data"]).encode())
                    if size == 0 or size > MAX_CALLBACK_DATA:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                elif not any(k in btn for k in ("url", "switch_inline_query", "switch_inline_query_current_chat",
                                                 "login_url", "web_app", "callback_game", "pay",
                                                 "copy_text", "switch_inline_query_chosen_chat")):
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button: "
                                        "InlineKeyboardButton must have exactly one optional field")
        rows = [r for r in rows if r]
        return {"inline_keyboard": rows} if rows else None

    def _reply_target(self, chat: _Chat, p: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        rp = self._json_param(p, "reply_parameters")
        if rp is None and p.get("reply_to_message_id") not in (None, ""):
            rp = {"message_id": p["reply_to_message_id"],
                  "allow_sending_without_reply": p.get("allow_sending_without_reply")}
        if not rp:
            return None, {}
        if not isinstance(rp, dict) or rp.get("message_id") is None:
            raise ApiError(400, "Bad Request: message to be replied not found")
        target_chat = chat
        if rp.get("chat_id") not in (None, ""):
            other = self._chat_id_or_none(rp["chat_id"])
            target_chat = self._chats.get(other) if other is not None else None  # type: ignore[assignment]
        mid = self._chat_id_or_none(rp["message_id"])
        target = target_chat.messages.get(mid) if target_chat and mid is not None else None
        if target is None:
            if rp.get("allow_sending_without_reply"):
                return None, {}
            raise ApiError(400, "Bad Request: message to be replied not found")
        extra: dict[str, Any] = {}
        quote = rp.get("quote")
        if quote:
            source = target.get("text") or target.get("caption") or ""
            pos = source.find(quote)
            if pos < 0:
                raise ApiError(400, "Bad Request: QUOTE_TEXT_INVALID")
            extra["quote"] = {"text": quote, "position": _u16(source[:pos]), "is_manual": True}
        return target, extra

    def _text_and_entities(self, p: dict[str, Any], key: str, limit: int, *, edit: bool = False
                           ) -> tuple[str, list[dict[str, Any]] | None]:
        raw = p.get(key)
        raw = "" if raw is None else str(raw)
        explicit = self._json_param(p, "entities" if key == "text" else "caption_entities")
        if explicit:
            text, ents = raw, explicit
        else:
            text, ents = parse_formatted(raw, p.get("parse_mode"))
        if key == "text" and not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _u16(text) > limit:
            if edit:
                raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
            raise ApiError(400, "Bad Request: message is too long" if key == "text"
                           else "Bad Request: message caption is too long")
        return text, ents

    def _record_sent(self, method: str, chat: _Chat, msg: dict[str, Any], *, edit: bool) -> None:
        snap = copy.deepcopy(msg)
        self._sent.append({"seq": next(self._seq), "method": method, "chat_id": chat.id,
                           "message_id": msg["message_id"], "edit": edit, "message": snap, "time": time.time()})
        if edit:
            self._event("edit", chat.id, message_id=msg["message_id"], message=copy.deepcopy(msg), by_bot=True)

    def _send_common(self, p: dict[str, Any]) -> tuple[_Chat, dict[str, Any], dict[str, Any] | None, int | None]:
        chat = self._target_chat(p)
        target, extra = self._reply_target(chat, p)
        markup = self._markup(p)
        content: dict[str, Any] = dict(extra)
        if markup:
            content["reply_markup"] = markup
        if p.get("has_protected_content") or p.get("protect_content"):
            content["has_protected_content"] = True
        thread = self._chat_id_or_none(p.get("message_thread_id"))
        return chat, content, target, thread

    # ------------------------------------------------------------------------------ Bot API methods
    async def _m_getMe(self, **_: Any) -> dict[str, Any]:
        return dict(BOT_USER)

    async def _m_logOut(self, **_: Any) -> bool:
        return True

    async def _m_close(self, **_: Any) -> bool:
        return True

    async def _m_getUpdates(self, token: str, p: dict[str, Any], **_: Any) -> list[dict[str, Any]]:
        if self._webhook:
            raise ApiError(409, _CONFLICT_WEBHOOK)
        offset = self._chat_id_or_none(p.get("offset")) or 0
        limit = min(100, max(1, self._chat_id_or_none(p.get("limit")) or 100))
        try:
            timeout = max(0.0, float(p.get("timeout") or 0))
        except (TypeError, ValueError):
            timeout = 0.0
        if offset > 0:
            self._updates[:] = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            del self._updates[:max(0, len(self._updates) + offset)]
        previous = self._pollers.get(token)
        if previous is not None:
            previous.kicked = True
        me = self._pollers[token] = _Poll()
        self._notify()
        deadline = time.monotonic() + timeout
        try:
            while True:
                if me.kicked:
                    raise ApiError(409, _CONFLICT_POLL)
                if self._webhook:
                    raise ApiError(409, _CONFLICT_WEBHOOK)
                if self._updates or self._closing:
                    return copy.deepcopy(self._updates[:limit])
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                ev = self._changed
                try:
                    await asyncio.wait_for(ev.wait(), left)
                except TimeoutError:
                    pass
        finally:
            if self._pollers.get(token) is me:
                del self._pollers[token]

    async def _m_setWebhook(self, p: dict[str, Any], **_: Any) -> bool:
        url = str(p.get("url") or "")
        if not url:
            return await self._m_deleteWebhook(p=p)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in ALLOWED_HOSTS:
            raise ApiError(400, "Bad Request: bad webhook: the stand-in only delivers to "
                                "http(s)://127.0.0.1 or http(s)://localhost")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {"url": url, "secret_token": None if secret is None else str(secret),
                         "max_connections": p.get("max_connections") or 40,
                         "allowed_updates": self._json_param(p, "allowed_updates")}
        self._webhook_error = None
        self._notify()
        return True

    async def _m_deleteWebhook(self, p: dict[str, Any], **_: Any) -> bool:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        self._webhook_error = None
        self._notify()
        return True

    async def _m_getWebhookInfo(self, **_: Any) -> dict[str, Any]:
        return self.webhook_info()

    async def _m_sendMessage(self, p: dict[str, Any], **_: Any) -> dict[str, Any]:
        chat, content, target, thread = self._send_common(p)
        text, ents = self._text_and_entities(p, "text", MAX_TEXT)
        content = {"text": text, **({"entities": ents} if ents else {}), **content}
        msg = self._store(chat, BOT_FROM, content, thread_id=thread, reply_to=target)
        self._record_sent("sendMessage", chat, msg, edit=False)
        return copy.deepcopy(msg)

    async def _m_sendPhoto(self, p: dict[str, Any], files: dict[str, _Upload], **_: Any) -> dict[str, Any]:
        chat, content, target, thread = self._send_common(p)
        photo = p.get("photo")
        upload = files.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            upload = files.get(photo[len("attach://"):])
        if upload is not None:
            if not upload.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            w, h = _image_size(upload.data) or (800, 600)
            sizes = self._photo_set(w, h, upload.data)
        elif isinstance(photo, str) and photo.strip() and not photo.startswith("<file"):
            sizes = self._photo_set(1280, 960, largest_id=photo.strip())
        else:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        caption, ents = self._text_and_entities(p, "caption", MAX_CAPTION)
        content = {"photo": sizes, **content}
        if caption:
            content["caption"] = caption
            if ents:
                content["caption_entities"] = ents
        if p.get("has_spoiler"):
            content["has_media_spoiler"] = True
        msg = self._store(chat, BOT_FROM, content, thread_id=thread, reply_to=target)
        self._record_sent("sendPhoto", chat, msg, edit=False)
        return copy.deepcopy(msg)

    def _check_own(self, msg: dict[str, Any]) -> None:
        if msg["from"]["id"] != BOT_ID:
            raise ApiError(400, "Bad Request: message can't be edited")

    def _apply_edit(self, method: str, chat: _Chat, msg: dict[str, Any], changes: dict[str, Any]) -> dict:
        before = {k: msg.get(k) for k in changes}
        if before == changes:
            raise ApiError(400, _NOT_MODIFIED)
        for k, v in changes.items():
            if v is None:
                msg.pop(k, None)
            else:
                msg[k] = v
        msg["edit_date"] = max(_now(), msg["date"])
        self._record_sent(method, chat, msg, edit=True)
        return copy.deepcopy(msg)

    async def _m_editMessageText(self, p: dict[str, Any], **_: Any) -> dict[str, Any]:
        chat, msg = self._target_message(p, "edit")
        self._check_own(msg)
        if "text" not in msg:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, ents = self._text_and_entities(p, "text", MAX_TEXT, edit=True)
        return self._apply_edit("editMessageText", chat, msg,
                                {"text": text, "entities": ents, "reply_markup": self._markup(p)})

    async def _m_editMessageCaption(self, p: dict[str, Any], **_: Any) -> dict[str, Any]:
        chat, msg = self._target_message(p, "edit")
        self._check_own(msg)
        if "text" in msg:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, ents = self._text_and_entities(p, "caption", MAX_CAPTION, edit=True)
        return self._apply_edit("editMessageCaption", chat, msg,
                                {"caption": caption or None, "caption_entities": ents,
                                 "reply_markup": self._markup(p)})

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any], **_: Any) -> dict[str, Any]:
        chat, msg = self._target_message(p, "edit")
        self._check_own(msg)
        return self._apply_edit("editMessageReplyMarkup", chat, msg, {"reply_markup": self._markup(p)})

    async def _m_deleteMessage(self, p: dict[str, Any], **_: Any) -> bool:
        chat, msg = self._target_message(p, "delete")
        del chat.messages[msg["message_id"]]
        self._event("delete", chat.id, message_id=msg["message_id"], message=copy.deepcopy(msg))
        return True

    async def _m_sendChatAction(self, p: dict[str, Any], **_: Any) -> bool:
        self._target_chat(p)
        if not p.get("action"):
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _m_answerCallbackQuery(self, p: dict[str, Any], **_: Any) -> bool:
        cq_id = str(p.get("callback_query_id") or "")
        cb = self._callbacks.get(cq_id)
        if cb is None or cb["answered"]:
            raise ApiError(400, _QUERY_INVALID)
        text = p.get("text")
        if text is not None and len(str(text)) > MAX_ANSWER_TEXT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        cb["answered"] = True
        answer = {"callback_query_id": cq_id, "text": None if text is None else str(text),
                  "show_alert": bool(p.get("show_alert") or False), "url": p.get("url"),
                  "cache_time": p.get("cache_time"), "chat_id": cb["chat_id"], "message_id": cb["message_id"],
                  "data": cb["data"], "from": cb["from"], "time": time.time()}
        self._answers.append(answer)
        self._event("answer", cb["chat_id"], message_id=cb["message_id"], text=answer["text"],
                    show_alert=answer["show_alert"], callback_query_id=cq_id)
        return True

    def _scope_key(self, p: dict[str, Any]) -> tuple[dict[str, Any], str, tuple[str, str]]:
        scope = self._json_param(p, "scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        if "chat_id" in scope:
            scope = {**scope, "chat_id": self._chat_id_or_none(scope["chat_id"])}
        lang = str(p.get("language_code") or "")
        return scope, lang, (json.dumps(scope, sort_keys=True), lang)

    async def _m_setMyCommands(self, p: dict[str, Any], **_: Any) -> bool:
        commands = self._json_param(p, "commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for c in commands:
            if not isinstance(c, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", "")).strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        scope, lang, key = self._scope_key(p)
        if commands:
            self._commands[key] = {"scope": scope, "language_code": lang,
                                   "commands": [{"command": c["command"], "description": c["description"]}
                                                for c in commands]}
        else:
            self._commands.pop(key, None)
        return True

    async def _m_deleteMyCommands(self, p: dict[str, Any], **_: Any) -> bool:
        self._commands.pop(self._scope_key(p)[2], None)
        return True

    async def _m_getMyCommands(self, p: dict[str, Any], **_: Any) -> list[dict[str, Any]]:
        entry = self._commands.get(self._scope_key(p)[2])
        return copy.deepcopy(entry["commands"]) if entry else []

    async def _m_getChat(self, p: dict[str, Any], **_: Any) -> dict[str, Any]:
        chat = self._target_chat(p)
        return {**copy.deepcopy(chat.obj), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                                        "premium_subscription": False, "gifts_from_channels": False}}

    async def _m_getFile(self, p: dict[str, Any], **_: Any) -> dict[str, Any]:
        info = self._files.get(str(p.get("file_id") or ""))
        if info is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {k: info[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    # ------------------------------------------------------------------------------ webhook delivery
    async def _webhook_loop(self) -> None:
        while not self._closing:
            ev = self._changed
            hook = self._webhook
            if hook and self._updates and self._session is not None:
                update = self._updates[0]
                error = await self._deliver(hook, update)
                if error is None:
                    self._updates[:] = [u for u in self._updates if u is not update]
                else:
                    self._webhook_error = (_now(), error)
                    log.info("webhook delivery of update %s failed: %s", update["update_id"], error)
                    await self._sleep(self.webhook_retry_delay)
                continue
            await ev.wait()

    async def _deliver(self, hook: dict[str, Any], update: dict[str, Any]) -> str | None:
        if urlsplit(hook["url"]).hostname not in ALLOWED_HOSTS:  # defence in depth
            return "refusing to deliver outside 127.0.0.1"
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        assert self._session is not None
        self._inflight += 1
        try:
            async with self._session.post(hook["url"], data=_dumps(update).encode(), headers=headers) as resp:
                await resp.read()
                if 200 <= resp.status < 300:
                    return None
                return f"Wrong response from the webhook: {resp.status} {resp.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as e:
            return f"Connection failed: {type(e).__name__}: {e}"
        finally:
            self._inflight -= 1
            self._last_activity = time.monotonic()

    # ------------------------------------------------------------------------------ HTTP: control API
    def _control_routes(self) -> list[tuple[str, str, Callable[[web.Request], Any]]]:
        def wrap(fn: Callable[..., Any], source: str) -> Callable[[web.Request], Any]:
            sig = inspect.signature(fn)

            async def handler(request: web.Request) -> web.Response:
                args: dict[str, Any] = {}
                try:
                    if source == "json" and request.body_exists:
                        try:
                            args = await request.json()
                        except ValueError:
                            raise StandInError("body must be JSON") from None
                        if not isinstance(args, dict):
                            raise StandInError("body must be a JSON object")
                    elif source == "query":
                        args = {k: self._coerce(k, v) for k, v in request.query.items()}
                    try:
                        sig.bind(**args)
                    except TypeError as e:
                        raise StandInError(f"{fn.__name__}: {e}") from None
                    result = fn(**args)
                except (StandInError, TypeError, ValueError, KeyError) as e:
                    return web.json_response({"ok": False, "error": str(e)}, status=400, dumps=_dumps)
                return web.json_response({"ok": True} if result is None else result, dumps=_dumps)
            return handler

        def calls(method: str | None = None) -> list[dict[str, Any]]:
            return [c._asdict() for c in self.calls if method is None or c.method == method]

        def answers(callback_query_id: str | None = None) -> list[dict[str, Any]] | dict[str, Any] | None:
            if callback_query_id is None:
                return self.answers()
            return [a for a in self.answers() if a["callback_query_id"] == str(callback_query_id)]

        return [
            ("POST", "message", wrap(self.message, "json")),
            ("POST", "edit", wrap(self.edit, "json")),
            ("POST", "press", wrap(self.press, "json")),
            ("POST", "member", wrap(self.member, "json")),
            ("POST", "migrate", wrap(self.migrate, "json")),
            ("POST", "fail", wrap(self.fail, "json")),
            ("POST", "clear_faults", wrap(self.clear_faults, "json")),
            ("POST", "limits", wrap(self.limits, "json")),
            ("POST", "reset", wrap(self.reset, "json")),
            ("GET", "limits", wrap(self.limits_info, "query")),
            ("GET", "messages", wrap(self.messages, "query")),
            ("GET", "sent", wrap(self.sent, "query")),
            ("GET", "answers", wrap(answers, "query")),
            ("GET", "commands", wrap(self.commands, "query")),
            ("GET", "calls", wrap(calls, "query")),
            ("GET", "pending", wrap(self.pending, "query")),
            ("GET", "chats", wrap(self.chats, "query")),
            ("GET", "timeline", wrap(self.timeline, "query")),
            ("GET", "idle", wrap(self.idle, "query")),
            ("GET", "webhook", wrap(self.webhook_info, "query")),
        ]

"""HTTP client for the stand-in's control API, plus the transcript renderer.

``StandInClient`` lets a test (or ``gridbot demo``, or another process) play the residents and grid
workers against a running :class:`~bot.transport.standin.server.StandIn`::

    async with StandInClient(base) as tg:
        msg = await tg.say(-1001234567890, User(11, "王阿姨"), "3号楼下水道堵了", photo=True)
        [ack] = await tg.wait_for_bot(-1001234567890)          # new bot messages after `msg`
        await tg.press(-1001234567890, ack["message_id"], User(21, "张网格员"), "take:1")
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from .server import BOT_ID, StandInError, User

__all__ = ["StandInClient", "render_transcript", "render_message"]

_POLL = 0.02


class StandInClient:
    """Async client of ``/control/*``. Use as ``async with StandInClient(base) as tg: ...``."""

    def __init__(self, base_url: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self.base = base_url.rstrip("/")
        self._session = session
        self._own_session = session is None
        self._last_said: dict[int, int] = {}
        self._edits_seen: dict[tuple[int, int], int] = {}

    async def __aenter__(self) -> StandInClient:
        self._ensure()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None

    def _ensure(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
            self._own_session = True
        return self._session

    # ------------------------------------------------------------------------------ plumbing
    async def _request(self, verb: str, path: str, *, body: dict[str, Any] | None = None,
                       query: Mapping[str, Any] | None = None) -> Any:
        params = {k: (("1" if v else "0") if isinstance(v, bool) else str(v))
                  for k, v in (query or {}).items() if v is not None}
        payload = None if body is None else {k: v for k, v in body.items() if v is not None}
        async with self._ensure().request(verb, f"{self.base}/control/{path}", params=params,
                                          json=payload) as resp:
            data = await resp.json(content_type=None)
            if resp.status != 200:
                raise StandInError(data.get("error") if isinstance(data, dict) else f"HTTP {resp.status}")
            return data

    async def _get(self, path: str, **query: Any) -> Any:
        return await self._request("GET", path, query=query)

    async def _post(self, path: str, **body: Any) -> Any:
        return await self._request("POST", path, body=body)

    # ------------------------------------------------------------------------------ residents act
    async def say(self, chat_id: int, user: User, text: str | None = None, *, reply_to: int | None = None,
                  photo: bool | str | None = None, sticker: bool | str = False, voice: bool | int = False,
                  thread_id: int | None = None, chat_title: str | None = None, chat_type: str | None = None,
                  date: int | None = None) -> dict[str, Any]:
        """``user`` posts into ``chat_id``; returns the stored message. With ``photo`` the text is the caption."""
        msg = await self._post("message", chat_id=chat_id, user_id=user.id, first_name=user.first_name,
                               last_name=user.last_name or None, username=user.username, text=text,
                               photo=photo, sticker=sticker or None, voice=voice or None,
                               reply_to_message_id=reply_to, message_thread_id=thread_id,
                               chat_title=chat_title, chat_type=chat_type, date=date)
        self._last_said[int(chat_id)] = msg["message_id"]
        return msg

    async def message(self, **fields: Any) -> dict[str, Any]:
        """Raw ``POST /control/message`` (same fields as :meth:`StandIn.message`)."""
        msg = await self._post("message", **fields)
        self._last_said[int(fields["chat_id"])] = msg["message_id"]
        return msg

    async def edit(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        return await self._post("edit", chat_id=chat_id, message_id=message_id, text=text)

    async def press(self, chat_id: int, message_id: int, user: User, data: str, *, force: bool = False) -> str:
        """``user`` presses the button with ``data`` on a message; returns the callback_query_id."""
        res = await self._post("press", chat_id=chat_id, message_id=message_id, user_id=user.id,
                               first_name=user.first_name, last_name=user.last_name or None,
                               username=user.username, data=data, force=force or None)
        return res["callback_query_id"]

    async def member(self, chat_id: int, event: str, user: User | None = None) -> dict[str, Any]:
        """``event``: bot_removed | bot_added | bot_blocked | bot_unblocked. Returns the queued update."""
        return await self._post("member", chat_id=chat_id, event=event, user_id=user.id if user else None,
                                first_name=user.first_name if user else None)

    async def migrate(self, chat_id: int, new_chat_id: int) -> dict[str, Any]:
        """Upgrade a group to a supergroup; returns ``{"old": msg, "new": msg}``."""
        return await self._post("migrate", chat_id=chat_id, new_chat_id=new_chat_id)

    # ------------------------------------------------------------------------------ inspection
    async def messages(self, chat_id: int, from_bot: bool | None = None, after: int | None = None) -> list[dict]:
        return await self._get("messages", chat_id=chat_id, from_bot=from_bot, after=after)

    async def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Bot sends and edits in order: ``{seq, method, chat_id, message_id, edit, message, time}``."""
        return await self._get("sent", chat_id=chat_id)

    async def answers(self) -> list[dict[str, Any]]:
        return await self._get("answers")

    async def commands(self) -> list[dict[str, Any]]:
        return await self._get("commands")

    async def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        return await self._get("calls", method=method)

    async def pending(self) -> list[dict[str, Any]]:
        return await self._get("pending")

    async def chats(self) -> list[dict[str, Any]]:
        return await self._get("chats")

    async def webhook_info(self) -> dict[str, Any]:
        return await self._get("webhook")

    async def timeline(self) -> dict[str, Any]:
        return await self._get("timeline")

    # ------------------------------------------------------------------------------ faults and limits
    async def fail(self, method: str, code: int = 400, description: str | None = None, *, times: int = 1,
                   retry_after: int | None = None, migrate_to_chat_id: int | None = None,
                   delay: float | None = None, chat_id: int | None = None) -> dict[str, Any]:
        return await self._post("fail", method=method, code=code, description=description, times=times,
                                retry_after=retry_after, migrate_to_chat_id=migrate_to_chat_id, delay=delay,
                                chat_id=chat_id)

    async def clear_faults(self) -> None:
        await self._post("clear_faults")

    async def limits(self, enabled: bool = True, **config: Any) -> dict[str, Any]:
        """Switch flood limits on (``per_chat_per_sec``, ``per_chat_burst``, ``per_group_per_min``,
        ``global_per_sec``) or off (``enabled=False``); returns ``{enabled, config, violations, log}``."""
        return await self._post("limits", enabled=enabled, **config)

    async def limits_info(self) -> dict[str, Any]:
        return await self._get("limits")

    async def reset(self) -> None:
        await self._post("reset")
        self._last_said.clear()
        self._edits_seen.clear()

    # ------------------------------------------------------------------------------ waiting
    async def wait_for_bot(self, chat_id: int, count: int = 1, after: int | None = None, timeout: float = 10,
                           predicate: Callable[[dict[str, Any]], bool] | None = None) -> list[dict[str, Any]]:
        """Wait until the bot has sent ``count`` new messages into ``chat_id`` with message_id > ``after``
        (default: the last message this client injected there with :meth:`say`). Edits don't count.
        Returns the first ``count`` matching messages (current state)."""
        if after is None:
            after = self._last_said.get(int(chat_id), 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = await self.messages(chat_id, from_bot=True, after=after)
            if predicate is not None:
                found = [m for m in found if predicate(m)]
            if len(found) >= count:
                return found[:count]
            if loop.time() >= deadline:
                everything = await self.messages(chat_id)
                shown = "\n".join("  " + render_message(m) for m in everything) or "  (nothing)"
                raise AssertionError(
                    f"bot sent {len(found)} of {count} expected new message(s) into chat {chat_id} after "
                    f"#{after} within {timeout}s{' (with predicate)' if predicate else ''}; chat contains:\n{shown}")
            await asyncio.sleep(_POLL)

    async def wait_for_edit(self, chat_id: int, message_id: int, timeout: float = 10,
                            predicate: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
        """Wait for a bot edit of that message this client has not waited for yet (and, optionally,
        until ``predicate(message)`` holds); returns the message's current state."""
        key = (int(chat_id), int(message_id))
        seen = self._edits_seen.get(key, 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            edits = [e for e in await self.sent(chat_id) if e["edit"] and e["message_id"] == key[1]]
            if len(edits) > seen:
                current = edits[-1]["message"]
                if predicate is None or predicate(current):
                    self._edits_seen[key] = len(edits)
                    return current
            if loop.time() >= deadline:
                shown = "\n".join(f"  {e['method']}: {render_message(e['message'])}" for e in edits) or "  (none)"
                raise AssertionError(f"no new bot edit of message {message_id} in chat {chat_id} within "
                                     f"{timeout}s ({seen} seen before); edits so far:\n{shown}")
            await asyncio.sleep(_POLL)

    async def wait_for_answer(self, callback_query_id: str, timeout: float = 10) -> dict[str, Any]:
        """Wait until the bot answered that callback query; returns the recorded answer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = await self._get("answers", callback_query_id=callback_query_id)
            if found:
                return found[0]
            if loop.time() >= deadline:
                raise AssertionError(f"callback query {callback_query_id} was not answered within {timeout}s")
            await asyncio.sleep(_POLL)

    async def wait_for_call(self, method: str, count: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
        """Wait until the bot made ``count`` calls of ``method`` (in total); returns them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = await self.calls(method)
            if len(found) >= count:
                return found
            if loop.time() >= deadline:
                seen = [c["method"] for c in await self.calls()][-30:]
                raise AssertionError(f"{method} called {len(found)}/{count} times within {timeout}s; "
                                     f"last calls: {seen}")
            await asyncio.sleep(_POLL)

    async def wait_quiet(self, seconds: float = 0.3, timeout: float = 10) -> None:
        """Wait until no bot call (getUpdates excluded) and no new update happened for ``seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            idle = await self._get("idle")
            if idle["idle_for"] >= seconds:
                return
            if loop.time() >= deadline:
                recent = [c["method"] for c in await self.calls()][-20:]
                raise AssertionError(f"the bot did not go quiet for {seconds}s within {timeout}s; "
                                     f"last calls: {recent}")
            await asyncio.sleep(min(_POLL * 2, max(0.0, seconds - idle["idle_for"])))

    async def transcript(self, chat_titles: Mapping[int, str] | None = None, *, interleave: bool = True,
                         show_ids: bool = False) -> str:
        """All chats as readable lines, in time order (``interleave``) or chat by chat."""
        return render_transcript(await self.timeline(), chat_titles, interleave=interleave, show_ids=show_ids)


# ====================================================================================== rendering
def _name(user: Mapping[str, Any] | None) -> str:
    if not user:
        return "?"
    if user.get("id") == BOT_ID or user.get("is_bot"):
        return f"🤖 {user.get('first_name', 'bot')}"
    name = user.get("first_name") or ""
    if user.get("last_name"):
        name = f"{name} {user['last_name']}"
    return name or str(user.get("id"))


def _buttons(msg: Mapping[str, Any]) -> str:
    rows = (msg.get("reply_markup") or {}).get("inline_keyboard") or []
    return " ".join(f"[{b.get('text', '?')}]" for row in rows for b in row)


def _body(msg: Mapping[str, Any]) -> str:
    if "migrate_to_chat_id" in msg:
        return f"⚙️ 本群已升级为超级群 → {msg['migrate_to_chat_id']}"
    if "migrate_from_chat_id" in msg:
        return f"⚙️ 由普通群 {msg['migrate_from_chat_id']} 升级而来"
    parts: list[str] = []
    if msg.get("text") is not None:
        parts.append(str(msg["text"]))
    if msg.get("caption"):
        parts.append(str(msg["caption"]))
    if msg.get("photo"):
        parts.append("[📷]")
    if msg.get("sticker"):
        parts.append(f"[贴纸 {msg['sticker'].get('emoji', '')}]".replace(" ]", "]"))
    if msg.get("voice"):
        parts.append(f"[语音 {msg['voice'].get('duration', '?')}秒]")
    buttons = _buttons(msg)
    if buttons:
        parts.append(buttons)
    return " ".join(parts) if parts else "[其他消息]"


def _indent(text: str) -> str:
    return text.replace("\n", "\n    ")


def render_message(msg: Mapping[str, Any], *, show_ids: bool = False) -> str:
    """``王阿姨: 3号楼下水道堵了 [📷]`` / ``🤖 网格助手 ↪ 王阿姨: 已受理 [接单] [办结]``."""
    who = _name(msg.get("from"))
    reply = msg.get("reply_to_message")
    if reply:
        who += f" ↪ {_name(reply.get('from')).removeprefix('🤖 ')}"
    ident = f"#{msg.get('message_id')} " if show_ids else ""
    return _indent(f"{ident}{who}: {_body(msg)}")


def render_transcript(timeline: Mapping[str, Any], chat_titles: Mapping[Any, str] | None = None, *,
                      interleave: bool = True, show_ids: bool = False) -> str:
    """Render ``StandIn.timeline()`` as readable Chinese lines, e.g.::

        [居民群 3号网格] 王阿姨: 3号楼下水道堵了 [📷]
        [居民群 3号网格] 🤖 网格助手 ↪ 王阿姨: 已受理 … [接单] [办结]
        [居民群 3号网格] 👆 张网格员 点了 [接单]
    """
    titles = {int(k): v for k, v in (chat_titles or {}).items()}
    chats = {int(k): v for k, v in (timeline.get("chats") or {}).items()}
    bot_name = _name(timeline.get("bot") or {"id": BOT_ID, "first_name": "bot"})

    def label(chat_id: int, msg: Mapping[str, Any] | None = None) -> str:
        chat = chats.get(chat_id, {})
        if chat_id in titles:
            text = titles[chat_id]
        elif chat.get("type") == "private":
            text = f"私聊 {_name(chat)}"
        else:
            text = chat.get("title") or str(chat_id)
        if msg and msg.get("is_topic_message"):
            text += f" · 话题{msg.get('message_thread_id')}"
        return f"[{text}]"

    def line(ev: Mapping[str, Any]) -> str | None:
        kind, cid, msg = ev["kind"], int(ev["chat_id"]), ev.get("message")
        ident = f"#{ev.get('message_id')} " if show_ids and ev.get("message_id") is not None else ""
        if kind == "message":
            return f"{label(cid, msg)} {render_message(msg, show_ids=show_ids)}"
        if kind == "edit":
            return f"{label(cid, msg)} ✏️ {ident}{_name(msg.get('from'))} 改为: {_indent(_body(msg))}"
        if kind == "press":
            button = ev.get("button") or ev.get("data")
            return f"{label(cid)} 👆 {_name(ev.get('user'))} 点了 [{button}]"
        if kind == "answer":
            if not ev.get("text"):
                return None
            how = "弹窗" if ev.get("show_alert") else "提示"
            return f"{label(cid)} 💬 {bot_name} {how}: {_indent(str(ev['text']))}"
        if kind == "member":
            actor, event = _name(ev.get("user")), ev.get("event")
            text = {"bot_removed": f"{bot_name} 被 {actor} 移出群", "bot_added": f"{actor} 把 {bot_name} 拉进群",
                    "bot_blocked": f"{actor} 屏蔽了 {bot_name}",
                    "bot_unblocked": f"{actor} 解除屏蔽 {bot_name}"}.get(str(event), str(event))
            return f"{label(cid)} ⚙️ {text}"
        if kind == "delete":
            return f"{label(cid, msg)} 🗑 {ident}{_name(msg.get('from'))} 的消息已删除: {_indent(_body(msg))}"
        return f"{label(cid)} {kind}: {json.dumps(ev, ensure_ascii=False)}"

    events = sorted(timeline.get("events") or [], key=lambda e: e["seq"])
    if interleave:
        return "\n".join(s for s in map(line, events) if s)
    order: dict[int, list[str]] = {}
    for ev in events:
        s = line(ev)
        if s:
            order.setdefault(int(ev["chat_id"]), []).append(s)
    return "\n\n".join("\n".join(lines) for lines in order.values())

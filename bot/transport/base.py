"""What the core needs from a chat platform. Adapters implement it; nothing else knows a platform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.handlers.messages import Event, OutgoingMessage

# updates the core handles (both libraries would otherwise ask only for what their handlers use)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]

BOT_COMMANDS_GROUP = [
    ("report", "上报问题（也可直接描述问题）"),
    ("status", "查询工单进度：/status 编号"),
    ("mycases", "我的工单"),
    ("digest", "汇总统计（网格长、书记）"),
    ("patrol", "网格员记录巡查：/patrol 巡查情况（可附照片）"),
    ("up", "回复任务卡片：上报上一级（社区、街道、部门）"),
    ("transfer", "回复任务卡片：转派 /transfer 姓名或单位 原因"),
    ("return", "回复任务卡片：退单 /return 原因"),
    ("merge", "回复任务卡片：与另一工单合并 /merge 编号"),
    ("urgency", "回复任务卡片：改紧急程度 /urgency 红|黄|绿"),
    ("recat", "回复任务卡片：改类别 /recat 类别代码"),
    ("bind", "管理员绑定本群：/bind 单位编码 群类型"),
    ("help", "使用说明"),
]
BOT_COMMANDS_PRIVATE = [
    ("status", "查询工单进度：/status 编号"),
    ("mycases", "我的工单"),
    ("digest", "汇总统计（网格长、书记）"),
    ("whoami", "查看我的 Telegram ID"),
    ("help", "使用说明"),
]


@dataclass(frozen=True)
class BotInfo:
    id: int
    username: str
    can_read_all_group_messages: bool


class TransportError(Exception):
    """A failed Bot API call, in the core's terms."""

    def __init__(self, description: str, *, retry_after: float | None = None, new_chat_id: int | None = None,
                 permanent: bool = False):
        super().__init__(description)
        self.retry_after = retry_after
        self.new_chat_id = new_chat_id
        self.permanent = permanent


class Transport(Protocol):
    name: str

    async def start(self) -> BotInfo: ...

    async def close(self) -> None: ...

    async def get_updates(self, offset: int, timeout: int) -> list[dict[str, Any]]:
        """Raw update JSON objects; calling with an offset confirms every update below it."""
        ...

    def parse(self, raw: dict[str, Any]) -> Event | None:
        """One raw update → the neutral event, or None for updates the core does not use."""
        ...

    async def send(self, out: OutgoingMessage, edit_message_id: int | None = None) -> int | None:
        """Perform one outgoing action; returns the message id of a sent message. Raises TransportError."""
        ...

    async def set_commands(self) -> None: ...

    async def set_webhook(self, url: str, secret: str | None) -> None: ...

    async def delete_webhook(self) -> None: ...


def utf16_len(text: str) -> int:
    """Telegram counts entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2

"""aiogram adapter: the same contract as the python-telegram-bot one (bot.transport.base.Transport)."""

from __future__ import annotations

import base64
import logging
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    ReplyParameters,
    Update,
    User,
)

from bot.handlers.messages import Event, OutgoingMessage
from bot.transport.base import (
    ALLOWED_UPDATES,
    BOT_COMMANDS_GROUP,
    BOT_COMMANDS_PRIVATE,
    BotInfo,
    TransportError,
    utf16_len,
)
from bot.transport.events import event_from_update

log = logging.getLogger(__name__)


class AiogramTransport:
    name = "aiogram"

    def __init__(self, token: str, api_base_url: str, timeout: float = 10.0):
        self.api = TelegramAPIServer.from_base(api_base_url.rstrip("/"))
        try:
            self.bot = Bot(token, session=AiohttpSession(api=self.api, timeout=timeout))
        except Exception as exc:  # aiogram validates the token's shape
            raise TransportError(f"bad bot token: {exc}", permanent=True) from None
        self.token = token

    async def start(self) -> BotInfo:
        try:
            me = await self.bot.get_me()
        except (TelegramAPIError, TelegramNetworkError, OSError) as exc:
            raise TransportError(f"cannot reach the Bot API: {exc}") from None
        return BotInfo(me.id, me.username or "", bool(me.can_read_all_group_messages))

    async def close(self) -> None:
        await self.bot.session.close()

    async def get_updates(self, offset: int, timeout: int) -> list[dict[str, Any]]:
        # raw JSON through aiogram's own HTTP session: the inbox keeps exactly what Telegram sent
        client = await self.bot.session.create_session()
        body = {"offset": offset, "timeout": timeout, "allowed_updates": ALLOWED_UPDATES}
        try:
            async with client.post(self.api.api_url(self.token, "getUpdates"), json=body,
                                   timeout=aiohttp.ClientTimeout(total=timeout + 10)) as r:
                data = await r.json(content_type=None)
        except (TimeoutError, OSError, ValueError) as exc:
            raise TransportError(f"getUpdates failed: {exc}") from None
        if not data.get("ok"):
            params = data.get("parameters") or {}
            raise TransportError(data.get("description", "getUpdates failed"), retry_after=params.get("retry_after"))
        return list(data.get("result") or [])

    # --- incoming -----------------------------------------------------------------------------------
    def parse(self, raw: dict[str, Any]) -> Event | None:
        return event_from_update(Update.model_validate(raw, context={"bot": self.bot}))

    # --- outgoing -----------------------------------------------------------------------------------
    async def send(self, out: OutgoingMessage, edit_message_id: int | None = None) -> int | None:
        try:
            if out.kind == "answer_callback":
                await self.bot.answer_callback_query(out.callback_id, text=out.text or None, show_alert=out.alert)
                return None
            markup = _markup(out)
            if out.kind == "edit":
                try:
                    msg = await self.bot.edit_message_text(text=out.text, chat_id=out.chat_id,
                                                           message_id=edit_message_id, reply_markup=markup)
                except TelegramBadRequest as exc:
                    if "not modified" in str(exc).lower():
                        return edit_message_id
                    raise
                return edit_message_id if msg is True else msg.message_id
            common: dict[str, Any] = {"chat_id": out.chat_id, "reply_markup": markup,
                                      "message_thread_id": out.thread_id}
            if out.reply_to_message_id:
                common["reply_parameters"] = ReplyParameters(message_id=out.reply_to_message_id,
                                                             allow_sending_without_reply=True)
            if out.photo or out.photo_upload:
                photo = BufferedInputFile(base64.b64decode(out.photo_upload), filename="chart.png") \
                    if out.photo_upload else out.photo
                msg = await self.bot.send_photo(photo=photo, caption=out.text or None,
                                                caption_entities=_entities(out), **common)
            else:
                msg = await self.bot.send_message(text=out.text, entities=_entities(out), **common)
            return msg.message_id
        except TelegramRetryAfter as exc:
            raise TransportError(str(exc), retry_after=float(exc.retry_after)) from None
        except TelegramMigrateToChat as exc:
            raise TransportError(str(exc), new_chat_id=exc.migrate_to_chat_id) from None
        except (TelegramBadRequest, TelegramForbiddenError) as exc:
            raise TransportError(str(exc), permanent=True) from None
        except (TimeoutError, TelegramAPIError, TelegramNetworkError, OSError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from None

    async def set_commands(self) -> None:
        await self.bot.set_my_commands([BotCommand(command=c, description=d) for c, d in BOT_COMMANDS_GROUP],
                                       scope=BotCommandScopeAllGroupChats())
        await self.bot.set_my_commands([BotCommand(command=c, description=d) for c, d in BOT_COMMANDS_PRIVATE],
                                       scope=BotCommandScopeAllPrivateChats())

    async def set_webhook(self, url: str, secret: str | None) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def delete_webhook(self) -> None:
        await self.bot.delete_webhook()



def _markup(out: OutgoingMessage) -> InlineKeyboardMarkup | None:
    if not out.buttons:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=b.text, callback_data=b.data)
                                                  for b in row] for row in out.buttons])


def _entities(out: OutgoingMessage) -> list[MessageEntity] | None:
    ents = []
    for m in out.mentions:
        if m.offset < 0 or m.offset + m.length > len(out.text):
            continue
        ents.append(MessageEntity(
            type="text_mention", offset=utf16_len(out.text[: m.offset]),
            length=utf16_len(out.text[m.offset: m.offset + m.length]),
            user=User(id=m.user_id, is_bot=False, first_name="user")))
    return ents or None

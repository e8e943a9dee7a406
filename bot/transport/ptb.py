"""python-telegram-bot adapter: parse updates into neutral events, perform outgoing messages."""

from __future__ import annotations

import base64
import logging
import os
import warnings
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as a timedelta (PTB 22.2+), no warning

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    MessageEntity,
    ReplyParameters,
    Update,
    User,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

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


class PTBTransport:
    name = "ptb"

    def __init__(self, token: str, api_base_url: str, timeout: float = 10.0):
        base = api_base_url.rstrip("/")
        self.bot = Bot(
            token,
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=HTTPXRequest(connection_pool_size=8, read_timeout=timeout, write_timeout=timeout,
                                 connect_timeout=min(5.0, timeout)),
            get_updates_request=HTTPXRequest(read_timeout=10, connect_timeout=5),
        )

    async def start(self) -> BotInfo:
        try:
            await self.bot.initialize()
            me = self.bot.bot
        except TelegramError as exc:
            raise TransportError(f"cannot reach the Bot API: {exc}") from None
        return BotInfo(me.id, me.username or "", bool(me.can_read_all_group_messages))

    async def close(self) -> None:
        try:
            await self.bot.shutdown()
        except Exception:  # noqa: BLE001  (shutting down: nothing left to do about it)
            pass

    async def get_updates(self, offset: int, timeout: int) -> list[dict[str, Any]]:
        try:
            with warnings.catch_warnings():  # raw JSON on purpose: the inbox stores exactly what Telegram sent
                warnings.simplefilter("ignore")
                result = await self.bot.do_api_request(
                    "getUpdates",
                    api_kwargs={"offset": offset, "timeout": timeout, "allowed_updates": ALLOWED_UPDATES},
                    read_timeout=timeout + 10,
                )
        except TelegramError as exc:
            raise _error(exc) from None
        return list(result or [])

    # --- incoming -----------------------------------------------------------------------------------
    def parse(self, raw: dict[str, Any]) -> Event | None:
        return event_from_update(Update.de_json(raw, self.bot))

    # --- outgoing -----------------------------------------------------------------------------------
    async def send(self, out: OutgoingMessage, edit_message_id: int | None = None) -> int | None:
        try:
            if out.kind == "answer_callback":
                await self.bot.answer_callback_query(out.callback_id, text=out.text or None, show_alert=out.alert)
                return None
            markup = _markup(out)
            if out.kind == "edit":
                try:
                    msg = await self.bot.edit_message_text(out.text, chat_id=out.chat_id, message_id=edit_message_id,
                                                           reply_markup=markup)
                except BadRequest as exc:
                    if "not modified" in str(exc).lower():
                        return edit_message_id
                    raise
                return edit_message_id if msg is True else msg.message_id
            common: dict[str, Any] = {"chat_id": out.chat_id, "reply_markup": markup,
                                      "message_thread_id": out.thread_id}
            if out.reply_to_message_id:
                common["reply_parameters"] = ReplyParameters(out.reply_to_message_id,
                                                             allow_sending_without_reply=True)
            if out.photo or out.photo_upload:
                photo = InputFile(base64.b64decode(out.photo_upload), filename="chart.png") if out.photo_upload \
                    else out.photo
                msg = await self.bot.send_photo(photo=photo, caption=out.text or None,
                                                caption_entities=_entities(out), **common)
            else:
                msg = await self.bot.send_message(text=out.text, entities=_entities(out), **common)
            return msg.message_id
        except TelegramError as exc:
            raise _error(exc) from None

    async def set_commands(self) -> None:
        await self.bot.set_my_commands([BotCommand(c, d) for c, d in BOT_COMMANDS_GROUP],
                                       scope=BotCommandScopeAllGroupChats())
        await self.bot.set_my_commands([BotCommand(c, d) for c, d in BOT_COMMANDS_PRIVATE],
                                       scope=BotCommandScopeAllPrivateChats())

    async def set_webhook(self, url: str, secret: str | None) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def delete_webhook(self) -> None:
        await self.bot.delete_webhook()



def _markup(out: OutgoingMessage) -> InlineKeyboardMarkup | None:
    if not out.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.text, callback_data=b.data) for b in row]
                                 for row in out.buttons])


def _entities(out: OutgoingMessage) -> list[MessageEntity] | None:
    ents = []
    for m in out.mentions:
        if m.offset < 0 or m.offset + m.length > len(out.text):
            continue
        ents.append(MessageEntity(
            MessageEntity.TEXT_MENTION, utf16_len(out.text[: m.offset]),
            utf16_len(out.text[m.offset: m.offset + m.length]), user=User(m.user_id, "user", False)))
    return ents or None


def _error(exc: TelegramError) -> TransportError:
    if isinstance(exc, RetryAfter):
        ra = exc.retry_after
        seconds = ra.total_seconds() if hasattr(ra, "total_seconds") else float(ra)
        return TransportError(str(exc), retry_after=seconds)
    if isinstance(exc, ChatMigrated):
        return TransportError(str(exc), new_chat_id=exc.new_chat_id)
    if isinstance(exc, (BadRequest, Forbidden)):
        return TransportError(str(exc), permanent=True)
    if isinstance(exc, TimedOut):
        return TransportError(f"timed out: {exc}")
    return TransportError(str(exc))

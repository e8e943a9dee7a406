"""Library update objects → neutral events. python-telegram-bot and aiogram name every field the same
way (from_user, reply_to_message, photo[-1].file_id …), so one mapping serves both adapters."""

from __future__ import annotations

from typing import Any

from bot.handlers.messages import ButtonPress, ChatEvent, Event, IncomingMessage, Sender

OTHER_MEDIA = ("sticker", "voice", "video", "video_note", "audio", "document", "animation", "location", "contact")


def sender_of(user: Any) -> Sender:
    return Sender(user.id, user.full_name or user.username or str(user.id), bool(user.is_bot))


def event_from_update(update: Any) -> Event | None:
    """A parsed Update of either library → IncomingMessage, ButtonPress, ChatEvent, or None."""
    if update.callback_query:
        cq = update.callback_query
        if cq.message is None or not cq.data:
            return None
        return ButtonPress(
            callback_id=cq.id, chat_id=cq.message.chat.id, message_id=cq.message.message_id,
            sender=sender_of(cq.from_user), data=cq.data,
            thread_id=getattr(cq.message, "message_thread_id", None),
        )
    if update.my_chat_member:
        m = update.my_chat_member
        kind = "bot_removed" if m.new_chat_member.status in ("left", "kicked") else "bot_added"
        return ChatEvent(chat_id=m.chat.id, kind=kind, actor=sender_of(m.from_user), chat_title=m.chat.title)
    msg = update.message or update.edited_message
    if msg is None:
        return None
    if msg.migrate_to_chat_id:
        return ChatEvent(chat_id=msg.chat.id, kind="migrated", new_chat_id=msg.migrate_to_chat_id)
    if msg.from_user is None:
        return None
    reply = msg.reply_to_message
    return IncomingMessage(
        chat_id=msg.chat.id, message_id=msg.message_id, sender=sender_of(msg.from_user),
        chat_type=str(msg.chat.type), chat_title=msg.chat.title, text=msg.text or msg.caption or "",
        photos=(msg.photo[-1].file_id,) if msg.photo else (),
        other_media=next((k for k in OTHER_MEDIA if getattr(msg, k, None)), None),
        reply_to_message_id=reply.message_id if reply else None,
        reply_to_sender=sender_of(reply.from_user) if reply and reply.from_user else None,
        reply_to_text=(reply.text or reply.caption or "") if reply else "",
        reply_to_photos=(reply.photo[-1].file_id,) if reply and reply.photo else (),
        thread_id=msg.message_thread_id if msg.is_topic_message else None,
        edited=update.edited_message is not None,
    )

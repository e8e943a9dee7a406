"""Helpers that make conversation tests read like the conversation."""

from __future__ import annotations

from sqlmodel import select

from bot.store.db import unit_of_work
from bot.store.tables import Case, CaseEvent


def text_of(msg: dict) -> str:
    return msg.get("text") or msg.get("caption") or ""


def has(fragment: str):
    return lambda m: fragment in text_of(m)


def buttons(msg: dict) -> dict[str, str]:
    rows = (msg.get("reply_markup") or {}).get("inline_keyboard") or []
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def cases(engine) -> list[Case]:
    with unit_of_work(engine) as s:
        return list(s.exec(select(Case).order_by(Case.id)))


def events(engine, case_id: int) -> list[tuple[str, str | None, str | None]]:
    with unit_of_work(engine) as s:
        rows = s.exec(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
        return [(e.action, e.from_state, e.to_state) for e in rows]


async def report(tg, chat, user, text, **kw):
    """A resident reports; returns (the bot's reply to them, the task card in the workers' group)."""
    from bot.sandbox import WORKERS

    said = await tg.say(chat, user, text, **kw)
    reply = (await tg.wait_for_bot(chat, 1, after=said["message_id"],
                                   predicate=lambda m: (m.get("reply_to_message") or {}).get("message_id")
                                   == said["message_id"]))[0]
    card = (await tg.wait_for_bot(WORKERS, 1, after=0, predicate=lambda m: "工单 #" in text_of(m)
                                  and said_number(reply) in text_of(m) and bool(buttons(m))))[0]
    return reply, card


def said_number(reply: dict) -> str:
    import re

    m = re.search(r"#(\d{8}-\d{4})", text_of(reply))
    return m.group(1) if m else "<no number>"

"""The one sender: drains the outbox in order per chat, within Telegram's limits, retrying what can be retried."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, Insert, Row, Select, Update, bindparam, case, func, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.handlers.messages import TEXT_LIMIT, OutgoingMessage, split_text
from bot.runtime.ratelimit import Limits, Ticket
from bot.settings import Settings
from bot.store.db import unit_of_work
from bot.store.repo import Repo
from bot.store.tables import MessageLink, OutboxMessage
from bot.transport.base import Transport, TransportError

log = logging.getLogger(__name__)
COALESCIBLE = {"notice", "report_ack"}  # notices nobody needs to reply to
CAPTION_LIMIT = 1024


@dataclass(frozen=True)
class Sent:
    message_id: int | None
    note: str | None = None


Outcome = tuple[Row, Sent | TransportError]


class OutboxSender:
    def __init__(self, engine: Engine, transport: Transport, settings: Settings):
        self.engine, self.transport, self.settings = engine, transport, settings
        self.limits = Limits(settings.send_global_per_second, settings.send_group_per_minute,
                             settings.send_chat_per_second, settings.send_chat_burst)
        self.paused_until = 0.0
        self.wake = asyncio.Event()
        self._looked: dict[int, int] = {}  # chat → the last outbox id it was coalesced up to
        self._heads_stmt, self._callbacks, self._mark_sent, self._link = _statements(engine)

    # --- selection (worker thread) -----------------------------------------------------------------
    def _heads(self, now: datetime, callbacks_only: bool = False) -> list[Row]:
        """The oldest pending row of each chat, when it is due (order within a chat is kept), and every due
        callback answer. One statement that reads one row per chat with the chat's count, never the whole
        queue: a burst leaves hundreds of rows pending and a round runs many times a second."""
        with self.engine.connect() as conn:
            rows = conn.execute(self._callbacks if callbacks_only else self._heads_stmt).all()
        # a chat with many queued notices is coalesced once per new arrival, not every round (rows with buttons
        # or photos stay as they are)
        crowded = [r.chat_id for r in rows if (r.plain or 0) > self.settings.coalesce_after
                   and self._looked.get(r.chat_id, 0) < r.last]
        if crowded:
            self._looked.update((r.chat_id, r.last) for r in rows if r.chat_id in crowded)
            for chat_id in crowded:
                self._coalesce(chat_id)
            return self._heads(now)
        return [r for r in rows if _aware(r.next_attempt_at) <= now]

    def _coalesce(self, chat_id: int) -> None:
        """A burst for one chat: plain notices (no buttons, no photo, nothing replies to them) become one
        message listing them, instead of queueing for minutes behind the group's 20/min limit."""
        with unit_of_work(self.engine) as s:
            rows = s.exec(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id,
                                                      OutboxMessage.status == "pending",
                                                      OutboxMessage.method == "send_message")
                          .order_by(col(OutboxMessage.id))).all()
            plain = []
            for r in rows:
                out = OutgoingMessage.from_json(json.loads(r.payload))
                if not out.buttons and not out.photo and (r.link_kind or "notice") in COALESCIBLE:
                    plain.append((r, out))
            if len(plain) < 2:
                return
            first, first_out = plain[0]
            lines = [f"📋 近期通知（{len(plain)} 条）"] + [f"• {o.text}" for _, o in plain]
            merged = OutgoingMessage(chat_id=chat_id, text="\n".join(lines), thread_id=first_out.thread_id)
            first.payload = json.dumps(merged.to_json(), ensure_ascii=False)
            first.link_kind = None
            for r, _ in plain[1:]:
                r.status, r.error = "coalesced", f"merged into outbox {first.id}"
            log.info("coalesced %d notices for chat %s", len(plain), chat_id)

    async def drain_once(self) -> tuple[int, float]:
        """Send what may be sent now. Returns (sent count, seconds until something may be sent)."""
        now_mono = time.monotonic()
        if now_mono < self.paused_until:
            return 0, self.paused_until - now_mono
        if (full := self.limits.overall.wait_time(now_mono)) > 0:
            # only callback answers may go now (they are not messages in a chat)
            rows = await asyncio.to_thread(self._heads, datetime.now(UTC), True)
            return (await self._send_all([(r, None) for r in rows]) if rows else 0), full
        heads = await asyncio.to_thread(self._heads, datetime.now(UTC))
        batch, wait = [], self.settings.send_idle_wait
        for row in heads:
            if row.method == "answer_callback":
                batch.append((row, None))
                continue
            w = self.limits.wait_time(row.chat_id)
            if w <= 0:
                batch.append((row, self.limits.take(row.chat_id)))
            else:
                wait = min(wait, w)
        if not batch:
            pending_future = bool(heads)
            return 0, (min(wait, 0.05) if pending_future else wait)
        return await self._send_all(batch), 0.0

    async def _send_all(self, batch: list[tuple[Row, Ticket | None]]) -> int:
        """Send a round at once, then record every outcome in one transaction (a crash in between re-sends
        the round's messages after restart: sending is at-least-once)."""
        outcomes = await asyncio.gather(*(self._send(r, ticket) for r, ticket in batch))
        await asyncio.to_thread(self._record, outcomes)
        return sum(1 for _, result in outcomes if not isinstance(result, TransportError))

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            # cleared before the round reads the outbox: a wake-up from a transaction that commits while the
            # round runs stays set and starts the next round at once (cleared after the round, it was lost,
            # and a reply waited up to a second for the timeout)
            self.wake.clear()
            try:
                sent, wait = await self.drain_once()
            except Exception:  # noqa: BLE001
                log.exception("sender round failed")
                sent, wait = 0, 1.0
            if sent:
                continue
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=max(0.01, min(wait, self.settings.send_idle_wait)))
            except TimeoutError:
                pass

    # --- one row -----------------------------------------------------------------------------------------
    async def _send(self, row: Row, ticket: Ticket | None = None) -> Outcome:
        out = OutgoingMessage.from_json(json.loads(row.payload))
        out.chat_id = row.chat_id
        try:
            edit_id = await asyncio.to_thread(self._edit_target, out) if out.kind == "edit" else None
            if out.kind == "edit" and edit_id is None:
                return row, Sent(None, note="nothing to edit")
            try:
                message_id = await self._perform(out, edit_id)
            finally:  # the limits count this send from when it returned: time in flight can't squeeze two together
                self.limits.settle(ticket)
        except TransportError as exc:
            return row, exc
        except Exception as exc:  # noqa: BLE001
            return row, TransportError(f"{type(exc).__name__}: {exc}")
        return row, Sent(message_id)

    async def _perform(self, out: OutgoingMessage, edit_id: int | None) -> int | None:
        limit = CAPTION_LIMIT if out.photo else TEXT_LIMIT
        if out.kind != "send" or len(out.text) <= limit:
            if out.kind == "edit" and len(out.text) > TEXT_LIMIT:
                out.text = out.text[: TEXT_LIMIT - 1] + "…"
            return await self.transport.send(out, edit_message_id=edit_id)
        # too long: the first part carries the photo/reply, the rest follow as plain messages
        parts = split_text(out.text, limit)
        first_id = None
        for i, part in enumerate(parts):
            piece = OutgoingMessage(**{**out.__dict__, "text": part})
            if i:
                piece.photo, piece.reply_to_message_id, piece.mentions = None, None, []
                piece.buttons = out.buttons if i == len(parts) - 1 else []
            elif len(parts) > 1:
                piece.buttons = []
            piece.mentions = [m for m in piece.mentions if m.offset + m.length <= len(part)]
            mid = await self.transport.send(piece)
            first_id = first_id or mid
        return first_id

    def _edit_target(self, out: OutgoingMessage) -> int | None:
        if out.edit_message_id:
            return out.edit_message_id
        with unit_of_work(self.engine) as s:
            q = (select(MessageLink).where(MessageLink.case_id == out.case_id,
                                           MessageLink.kind == out.edit_link_kind,
                                           MessageLink.chat_id == out.chat_id)
                 .order_by(col(MessageLink.message_id).desc()))
            link = s.exec(q).first()
            return link.message_id if link else None

    # --- outcomes (worker thread) -------------------------------------------------------------------
    def _record(self, outcomes: list[Outcome]) -> None:
        """A round's outcomes in one transaction: sent rows and their message links in two statements."""
        now = datetime.now(UTC)
        sent = [(row, result) for row, result in outcomes if isinstance(result, Sent)]
        with unit_of_work(self.engine) as s:
            conn = s.connection()
            if sent:
                conn.execute(self._mark_sent, [dict(row_id=row.id, at=now, mid=r.message_id, note=r.note)
                                               for row, r in sent])
            links = [dict(chat_id=row.chat_id, message_id=r.message_id, case_id=row.case_id, kind=row.link_kind)
                     for row, r in sent if r.message_id and row.case_id and row.link_kind]
            if links:
                conn.execute(self._link, links)
            for row, result in outcomes:
                if isinstance(result, TransportError):
                    self._failed(s, row, result, now)

    def _failed(self, s: Session, row: Row, exc: TransportError, now: datetime) -> None:
        r = s.get(OutboxMessage, row.id)
        r.attempts += 1
        r.error = str(exc)[:2000]
        if exc.new_chat_id:
            log.warning("chat %s moved to %s; following it", row.chat_id, exc.new_chat_id)
            Repo(s).move_chat(row.chat_id, exc.new_chat_id)
            r.next_attempt_at = now
        elif exc.retry_after is not None:
            self.paused_until = time.monotonic() + exc.retry_after
            r.next_attempt_at = now + timedelta(seconds=exc.retry_after)
            log.warning("flood control: pausing %.1fs", exc.retry_after)
        elif exc.permanent or r.attempts >= self.settings.send_max_attempts:
            r.status = "failed"
            log.error("outbox %s to chat %s failed for good: %s", r.id, r.chat_id, exc)
        else:
            r.next_attempt_at = now + timedelta(seconds=min(60.0, 0.5 * 2 ** (r.attempts - 1)))
            log.warning("outbox %s to chat %s: %s; retry %d", r.id, r.chat_id, exc, r.attempts)


def _statements(engine: Engine) -> tuple[Select, Select, Update, Insert]:
    """The sender's statements, built once (a round runs many times a second)."""
    t = OutboxMessage.__table__
    pending = t.c.status == "pending"
    is_callback = t.c.method == "answer_callback"
    # callback answers are not bound by chat order: each is a group of its own
    per_chat = (select(func.min(t.c.id).label("head"), func.max(t.c.id).label("last"),
                       func.sum(case((t.c.method == "send_message", 1), else_=0)).label("plain"))
                .where(pending).group_by(t.c.chat_id, case((is_callback, t.c.id), else_=0)).subquery())
    heads = select(t, per_chat.c.last, per_chat.c.plain).join(per_chat, t.c.id == per_chat.c.head).order_by(t.c.id)
    callbacks = select(t, t.c.id.label("last"), literal(0).label("plain")).where(pending, is_callback).order_by(t.c.id)
    mark_sent = (update(t).where(t.c.id == bindparam("row_id"))
                 .values(status="sent", sent_at=bindparam("at"), sent_message_id=bindparam("mid"),
                         error=bindparam("note"), attempts=t.c.attempts + 1))
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    link = insert(MessageLink.__table__)
    link = link.on_conflict_do_update(index_elements=["chat_id", "message_id"],
                                      set_=dict(case_id=link.excluded.case_id, kind=link.excluded.kind))
    return heads, callbacks, mark_sent, link


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)

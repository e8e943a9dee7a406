"""The one sender: drains the outbox in order per chat, within Telegram's limits, retrying what can be retried."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import col, select

from bot.handlers.messages import OutgoingMessage
from bot.runtime.ratelimit import Limits, Ticket
from bot.settings import Settings
from bot.store.db import unit_of_work
from bot.store.repo import Repo
from bot.store.tables import MessageLink, OutboxMessage
from bot.transport.base import Transport, TransportError

log = logging.getLogger(__name__)
TEXT_LIMIT = 4096
COALESCIBLE = {"notice", "report_ack"}  # notices nobody needs to reply to
CAPTION_LIMIT = 1024


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


class OutboxSender:
    def __init__(self, engine: Engine, transport: Transport, settings: Settings):
        self.engine, self.transport, self.settings = engine, transport, settings
        self.limits = Limits(settings.send_global_per_second, settings.send_group_per_minute,
                             settings.send_chat_per_second, settings.send_chat_burst)
        self.paused_until = 0.0
        self.wake = asyncio.Event()

    # --- selection ---------------------------------------------------------------------------------
    def _heads(self, now: datetime, callbacks_only: bool = False) -> list[OutboxMessage]:
        """The oldest pending row of each chat, when it is due (order within a chat is kept)."""
        with unit_of_work(self.engine) as s:
            q = select(OutboxMessage).where(OutboxMessage.status == "pending")
            if callbacks_only:
                q = q.where(OutboxMessage.method == "answer_callback")
            rows = s.exec(q.order_by(col(OutboxMessage.id)).limit(2000)).all()
        per_chat: dict[int, int] = {}
        for r in rows:
            if r.method == "send_message":
                per_chat[r.chat_id] = per_chat.get(r.chat_id, 0) + 1
        crowded = [c for c, n in per_chat.items() if n > self.settings.coalesce_after]
        if crowded:
            for chat_id in crowded:
                self._coalesce(chat_id)
            return self._heads(now)
        heads: dict[int, OutboxMessage] = {}
        for r in rows:
            if r.method == "answer_callback":
                heads.setdefault(-(10**15) - r.id, r)  # callback answers are not bound by chat order
            else:
                heads.setdefault(r.chat_id, r)
        due = [r for r in heads.values() if _aware(r.next_attempt_at) <= now]
        return sorted(due, key=lambda r: r.id)

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
            # only callback answers may go now: reading the whole outbox every round would block the loop
            # (~40 ms for 1,000 pending rows) many times a second during a burst, for nothing
            rows = self._heads(datetime.now(UTC), callbacks_only=True)
            return (sum(await asyncio.gather(*(self._send(r) for r in rows))) if rows else 0), full
        heads = self._heads(datetime.now(UTC))
        batch, wait = [], 1.0
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
        results = await asyncio.gather(*(self._send(r, ticket) for r, ticket in batch))
        return sum(results), 0.0

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                sent, wait = await self.drain_once()
            except Exception:  # noqa: BLE001
                log.exception("sender round failed")
                sent, wait = 0, 1.0
            if sent:
                continue
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=max(0.01, min(wait, 1.0)))
            except TimeoutError:
                pass

    # --- one row -----------------------------------------------------------------------------------------
    async def _send(self, row: OutboxMessage, ticket: Ticket | None = None) -> int:
        out = OutgoingMessage.from_json(json.loads(row.payload))
        out.chat_id = row.chat_id
        try:
            edit_id = self._edit_target(out) if out.kind == "edit" else None
            if out.kind == "edit" and edit_id is None:
                self._finish(row, None, note="nothing to edit")
                return 1
            try:
                message_id = await self._perform(out, edit_id)
            finally:  # the limits count this send from when it returned: time in flight can't squeeze two together
                self.limits.settle(ticket)
        except TransportError as exc:
            self._failed(row, exc)
            return 0
        except Exception as exc:  # noqa: BLE001
            self._failed(row, TransportError(f"{type(exc).__name__}: {exc}"))
            return 0
        self._finish(row, message_id)
        return 1

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

    def _finish(self, row: OutboxMessage, message_id: int | None, note: str | None = None) -> None:
        with unit_of_work(self.engine) as s:
            r = s.get(OutboxMessage, row.id)
            r.status, r.sent_at, r.sent_message_id, r.error = "sent", datetime.now(UTC), message_id, note
            r.attempts += 1
            if message_id and row.case_id and row.link_kind:
                s.merge(MessageLink(chat_id=row.chat_id, message_id=message_id, case_id=row.case_id,
                                    kind=row.link_kind))

    def _failed(self, row: OutboxMessage, exc: TransportError) -> None:
        now = datetime.now(UTC)
        with unit_of_work(self.engine) as s:
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


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)

"""The durable inbox: every update is committed, keyed by (bot, update_id), before Telegram is told we have it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

from bot.store.db import unit_of_work
from bot.store.tables import InboundUpdate, PollState


class Inbox:
    def __init__(self, engine: Engine, bot_id: int):
        self.engine = engine
        self.bot_id = bot_id
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        # built once: the poller stores every batch with them (a redelivered update_id is ignored; the offset
        # only moves forward)
        self._add = (insert(InboundUpdate.__table__).on_conflict_do_nothing()
                     .execution_options(preserve_rowcount=True))
        poll = PollState.__table__
        advance = insert(poll)
        self._advance = advance.on_conflict_do_update(
            index_elements=[poll.c.bot_id],
            set_={"next_offset": case((poll.c.next_offset > advance.excluded.next_offset, poll.c.next_offset),
                                      else_=advance.excluded.next_offset)})

    def offset(self) -> int:
        with unit_of_work(self.engine) as s:
            row = s.get(PollState, self.bot_id)
            return row.next_offset if row else 0

    def store(self, updates: Iterable[dict[str, Any]], *, advance_offset: bool = True) -> int:
        """Insert the updates not seen before (a redelivered update_id is ignored) and commit. Returns new count."""
        updates = list(updates)
        if not updates:
            return 0
        now = datetime.now(UTC)
        added = 0
        with unit_of_work(self.engine) as s:
            conn = s.connection()
            for u in updates:  # one at a time: rowcount says whether each was new, on every driver
                added += conn.execute(self._add, dict(
                    bot_id=self.bot_id, update_id=int(u["update_id"]), payload=json.dumps(u, ensure_ascii=False),
                    status="new", attempts=0, received_at=now)).rowcount
            if advance_offset:
                nxt = max(int(u["update_id"]) for u in updates) + 1
                conn.execute(self._advance, dict(bot_id=self.bot_id, next_offset=nxt))
        return added

    def pending(self, limit: int = 100) -> list[InboundUpdate]:
        with unit_of_work(self.engine) as s:
            q = (select(InboundUpdate)
                 .where(InboundUpdate.bot_id == self.bot_id, InboundUpdate.status == "new")
                 .order_by(col(InboundUpdate.update_id)).limit(limit))
            return list(s.exec(q))

    def counts(self) -> dict[str, int]:
        with unit_of_work(self.engine) as s:
            rows = s.exec(select(InboundUpdate.status).where(InboundUpdate.bot_id == self.bot_id))
            out: dict[str, int] = {}
            for status in rows:
                out[status] = out.get(status, 0) + 1
            return out

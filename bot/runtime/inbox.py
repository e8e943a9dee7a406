"""The durable inbox: every update is committed, keyed by (bot, update_id), before Telegram is told we have it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

from bot.store.db import unit_of_work
from bot.store.tables import InboundUpdate, PollState


class Inbox:
    def __init__(self, engine: Engine, bot_id: int):
        self.engine = engine
        self.bot_id = bot_id
        self._insert = (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)

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
            for u in updates:
                stmt = self._insert(InboundUpdate).values(
                    bot_id=self.bot_id, update_id=int(u["update_id"]), payload=json.dumps(u, ensure_ascii=False),
                    status="new", attempts=0, received_at=now,
                ).on_conflict_do_nothing().returning(InboundUpdate.update_id)
                added += len(s.exec(stmt).all())  # type: ignore[call-overload]
            if advance_offset:
                nxt = max(int(u["update_id"]) for u in updates) + 1
                row = s.get(PollState, self.bot_id) or PollState(bot_id=self.bot_id, next_offset=0)
                row.next_offset = max(row.next_offset, nxt)
                s.add(row)
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

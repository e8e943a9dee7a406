"""The deadline sweeper: claim due rows with a lease, act on each in its own transaction, settle it once.

Claim (one statement, so two processes never claim the same row):
    UPDATE deadline SET lease_until = now + lease, claimed_by = me
    WHERE id IN (SELECT id FROM deadline WHERE fired_at IS NULL AND due_at <= now
                 AND (lease_until IS NULL OR lease_until < now) ORDER BY due_at LIMIT n
                 FOR UPDATE SKIP LOCKED)            -- PostgreSQL; SQLite serialises writers instead
    RETURNING id
Fire (one transaction per row): settle the row WHERE claimed_by = me AND fired_at IS NULL — if that
matches nothing, another process has it and we do nothing — then run the action, whose notices are
outbox rows of the same transaction. A crash before the commit leaves the row unsettled and its lease
runs out, so it is claimed again (at least once); the settle-then-act transaction makes it at most once.
Rows that came due while no process ran are simply due at the next sweep.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlmodel import col, select

from bot.runtime.processor import Processor
from bot.services import followup, patrol, supervision
from bot.services.context import Context
from bot.store.db import unit_of_work
from bot.store.tables import Deadline

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
Handler = Callable[[Context, Deadline], str]
HANDLERS: dict[str, Handler] = {
    "remind": supervision.fire,
    "yellow_card": supervision.fire,
    "red_card": supervision.fire,
    "street_alert": supervision.fire,
    "followup": followup.fire_timeout,
    "patrol": patrol.fire_reminder,
}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Sweeper:
    def __init__(self, engine: Engine, processor: Processor, *, lease_seconds: float = 60.0, batch: int = 50,
                 name: str | None = None):
        self.engine, self.processor = engine, processor
        self.lease = timedelta(seconds=lease_seconds)
        self.batch = batch
        self.name = name or worker_name()

    def now(self) -> datetime:
        return self.processor.clock()

    def claim(self) -> list[int]:
        """Lease up to `batch` due rows to this process; returns their ids, oldest deadline first."""
        now = self.now()
        claimable = (col(Deadline.fired_at).is_(None), col(Deadline.due_at) <= now,
                     or_(col(Deadline.lease_until).is_(None), col(Deadline.lease_until) < now))
        with self.engine.connect() as conn:  # most sweeps find nothing: a read, no write lock, no commit
            if conn.execute(select(Deadline.id).where(*claimable).limit(1)).first() is None:
                return []
        due = (select(Deadline.id).where(*claimable)
               .order_by(col(Deadline.due_at), col(Deadline.id)).limit(self.batch)
               .with_for_update(skip_locked=True))
        claim = (update(Deadline).where(col(Deadline.id).in_(due.scalar_subquery()))
                 .values(lease_until=now + self.lease, claimed_by=self.name)
                 .returning(Deadline.id, Deadline.due_at))
        with self.engine.begin() as conn:
            rows = conn.execute(claim).all()
        return [rid for rid, _ in sorted(rows, key=lambda r: (r[1], r[0]))]

    def fire(self, row_id: int) -> str | None:
        """Act on one claimed row. Returns its outcome, or None when the row was not ours any more."""
        try:
            with unit_of_work(self.engine) as s:
                ctx = self.processor.context(s)
                settled = s.exec(update(Deadline)  # type: ignore[call-overload]
                                 .where(col(Deadline.id) == row_id, Deadline.claimed_by == self.name,
                                        col(Deadline.fired_at).is_(None))
                                 .values(fired_at=ctx.now, attempts=Deadline.attempts + 1)
                                 .execution_options(synchronize_session=False))
                if settled.rowcount != 1:
                    return None
                row = s.get(Deadline, row_id)
                s.refresh(row)
                handler = HANDLERS.get(row.kind)
                outcome = handler(ctx, row) if handler else "unknown_kind"
                row.outcome = outcome
                log.info("deadline %s (%s, case %s) fired: %s", row.key, row.kind, row.case_id, outcome)
                return outcome
        except Exception as exc:  # noqa: BLE001  (one bad row must not stop the sweep)
            log.exception("deadline %s failed", row_id)
            self._failed(row_id, exc)
            return "error"

    def _failed(self, row_id: int, exc: Exception) -> None:
        """Count the failure and back off; after MAX_ATTEMPTS the row is settled as failed."""
        with unit_of_work(self.engine) as s:
            row = s.get(Deadline, row_id)
            if row is None or row.fired_at is not None or row.claimed_by != self.name:
                return
            row.attempts += 1
            row.error = f"{type(exc).__name__}: {exc}"[:2000]
            now = self.now()
            if row.attempts >= MAX_ATTEMPTS:
                row.fired_at, row.outcome = now, "failed"
            else:
                row.lease_until = now + self.lease * row.attempts

    def sweep_once(self) -> int:
        """Claim and fire what is due. Returns how many rows this process settled."""
        fired = 0
        while True:
            ids = self.claim()
            for rid in ids:
                if self.fire(rid) is not None:
                    fired += 1
            if len(ids) < self.batch:
                return fired

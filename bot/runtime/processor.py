"""Turns stored updates into handled events, one transaction per update (the case change, its audit
events, the outgoing messages and the inbox row's `done` commit together or not at all)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine

from bot.classifier import Classifier
from bot.handlers.router import handle
from bot.services.context import Context, Deferred
from bot.settings import Settings
from bot.store.db import unit_of_work
from bot.store.tables import InboundUpdate
from bot.transport.base import Transport
from bot.workcalendar import WorkCalendar

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class Processor:
    def __init__(self, engine: Engine, transport: Transport, classifier: Classifier, settings: Settings,
                 calendar: WorkCalendar, clock: Clock = system_clock):
        self.engine, self.transport, self.classifier = engine, transport, classifier
        self.settings, self.calendar, self.clock = settings, calendar, clock

    def context(self, session, may_defer: bool = False) -> Context:
        return Context(session, self.classifier, self.settings, self.calendar, now=self.clock(),
                       may_defer=may_defer)

    def process(self, row: InboundUpdate, may_defer: bool = False) -> bool:
        """Handle one stored update exactly once. Returns True when it produced outgoing messages;
        raises Deferred when it should be tried again in a moment (may_defer only)."""
        key = (row.bot_id, row.update_id)
        try:
            event = self.transport.parse(json.loads(row.payload))
            with unit_of_work(self.engine) as s:
                current = s.get(InboundUpdate, key, with_for_update=True)
                if current is None or current.status != "new":
                    return False  # another worker, or an earlier run, already handled it
                ctx = self.context(s, may_defer)
                if event is not None:
                    handle(ctx, event)
                current.status, current.processed_at = "done", ctx.now
                return bool(ctx.sent)
        except Deferred:
            raise
        except Exception as exc:  # noqa: BLE001  (one bad update must not stop the bot)
            log.exception("update %s failed", row.update_id)
            with unit_of_work(self.engine) as s:
                current = s.get(InboundUpdate, key)
                if current is not None and current.status == "new":
                    current.attempts += 1
                    current.error = f"{type(exc).__name__}: {exc}"[:2000]
                    if current.attempts >= MAX_ATTEMPTS:
                        current.status = "failed"
            return False

    def run_job(self, job: Callable[[Context], None]) -> bool:
        """Run a scheduled job (sweeps, digests) in its own transaction."""
        with unit_of_work(self.engine) as s:
            ctx = self.context(s)
            job(ctx)
            return bool(ctx.sent)

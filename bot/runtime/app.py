"""The running bot: poller (or webhook) → durable inbox → processor → outbox → sender."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import Engine

from bot.classifier import Classifier
from bot.runtime.inbox import Inbox
from bot.runtime.processor import Clock, Processor, system_clock
from bot.runtime.sender import OutboxSender
from bot.scheduler.service import Scheduler
from bot.services.context import Deferred
from bot.settings import Settings
from bot.store.db import checkpoint
from bot.transport.base import BotInfo, Transport, TransportError
from bot.workcalendar import WorkCalendar

log = logging.getLogger(__name__)
DEFER_TRIES, DEFER_PAUSE = 40, 0.05  # an update may wait up to 2 s for the sender to record a message
PROCESS_BATCH = 100  # stored updates read at a time
CHECKPOINT_EVERY = 0.5  # seconds between SQLite log checkpoints (bot.store.db.checkpoint)


def make_transport(settings: Settings, kind: str | None = None) -> Transport:
    kind = kind or settings.transport
    if not settings.token:
        raise TransportError("no bot token: set GRIDBOT_TOKEN or token in the config file", permanent=True)
    if kind == "aiogram":
        from bot.transport.aiogram import AiogramTransport

        return AiogramTransport(settings.token, settings.api_base_url, settings.send_timeout)
    from bot.transport.ptb import PTBTransport

    return PTBTransport(settings.token, settings.api_base_url, settings.send_timeout)


class GridBot:
    def __init__(self, settings: Settings, engine: Engine, transport: Transport, *,
                 classifier: Classifier | None = None, calendar: WorkCalendar | None = None,
                 clock: Clock = system_clock):
        self.settings, self.engine, self.transport = settings, engine, transport
        self.classifier = classifier or Classifier.load(settings.categories_file)
        self.calendar = calendar or WorkCalendar.load(settings.holidays_file)
        self.processor = Processor(engine, transport, self.classifier, settings, self.calendar, clock)
        self.sender = OutboxSender(engine, transport, settings)
        self.stop_event = asyncio.Event()
        self.process_wake = asyncio.Event()
        self._processing = asyncio.Lock()
        self.tasks: list[asyncio.Task] = []
        self.info: BotInfo | None = None
        self.inbox: Inbox | None = None
        # periodic jobs of this process (seconds, job), run by self.scheduler; more may be added before start()
        self.jobs: list[tuple[float, Callable[[], Awaitable[None]]]] = [(30.0, self.expire_questions),
                                                                        (CHECKPOINT_EVERY, self.checkpoint)]
        self.loop: asyncio.AbstractEventLoop | None = None
        self.scheduler = Scheduler(self)  # deadline sweeps (reminders, 督办, 回访 timeouts), leader jobs

    async def start(self, *, polling: bool = True) -> BotInfo:
        self.loop = asyncio.get_running_loop()
        self.info = await self.transport.start()
        if not self.info.can_read_all_group_messages:
            log.warning("privacy mode is on: the bot only sees commands and replies in groups; "
                        "disable it with BotFather /setprivacy or make the bot a group admin")
        self.inbox = Inbox(self.engine, self.info.id)
        try:
            await self.transport.set_commands()
        except TransportError as exc:
            log.warning("setMyCommands failed: %s", exc)
        self.tasks = [asyncio.create_task(self._process_loop(), name="process"),
                      asyncio.create_task(self.sender.run(self.stop_event), name="send")]
        if polling:
            await self.transport.delete_webhook()
            self.tasks.append(asyncio.create_task(self._poll_loop(), name="poll"))
        await self.scheduler.start()  # the deadline sweep, leader jobs and self.jobs
        # what is alive now (modules, the classifier's dictionary, library schemas: ~190k objects) stays out
        # of the cyclic collector's full passes, which otherwise stall every thread for 90-170 ms now and then
        gc.freeze()
        self.process_wake.set()  # leftovers from before a crash are handled first
        log.info("bot @%s (%s) started with transport %s", self.info.username, self.info.id, self.transport.name)
        return self.info

    async def stop(self) -> None:
        self.stop_event.set()
        self.process_wake.set()
        self.sender.wake.set()
        await self.scheduler.stop()
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.transport.close()
        gc.unfreeze()  # a process that starts bots again (tests) does not keep their garbage forever

    async def run_forever(self) -> None:
        await self.start()
        try:
            await self.stop_event.wait()
        finally:
            await self.stop()

    # --- loops --------------------------------------------------------------------------------------------
    def accept_updates(self, updates: list[dict], *, advance_offset: bool = True) -> int:
        """Store updates durably (poller and webhook both come here, in a worker thread), then wake the
        processor."""
        assert self.inbox is not None
        added = self.inbox.store(updates, advance_offset=advance_offset)
        if added:
            self._wake(self.process_wake)
        return added

    def _wake(self, event: asyncio.Event) -> None:
        """Set an event of the loop from any thread (asyncio.Event is not thread-safe)."""
        if self.loop is None or _in_loop(self.loop):
            event.set()
        else:
            self.loop.call_soon_threadsafe(event.set)

    async def _poll_loop(self) -> None:
        assert self.inbox is not None
        offset = await asyncio.to_thread(self.inbox.offset)
        backoff = 1.0
        while not self.stop_event.is_set():
            try:
                updates = await self.transport.get_updates(offset, self.settings.poll_timeout)
                backoff = 1.0
            except TransportError as exc:
                log.warning("getUpdates failed: %s; retrying in %.0fs", exc, backoff)
                await asyncio.sleep(exc.retry_after or backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            if not updates:
                continue
            try:
                # committed before the next getUpdates(offset) confirms them to Telegram, and handled before
                # polling again, in the same worker-thread call: one processor takes updates in order anyway,
                # and a poll running alongside would only compete with it for the interpreter
                await self.process_pending(updates)
            except Exception:  # noqa: BLE001
                log.exception("storing or handling polled updates failed; fetching them again")
                await asyncio.sleep(backoff)
                continue  # offset not moved: Telegram sends them again, and a stored one is ignored on the way in
            offset = max(int(u["update_id"]) for u in updates) + 1

    async def _process_loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                await asyncio.wait_for(self.process_wake.wait(), timeout=1.0)
            except TimeoutError:
                pass
            self.process_wake.clear()
            try:
                await self.process_pending()
            except Exception:  # noqa: BLE001
                log.exception("processing round failed")
                await asyncio.sleep(1.0)

    async def process_pending(self, polled: list[dict] | None = None) -> None:
        """Handle stored updates in update_id order until none is left; `polled` updates are stored first, in
        the same worker-thread call."""
        waits: dict[int, int] = {}  # update_id → times it asked to wait (Deferred)
        async with self._processing:  # the poller and the process loop never handle updates at once
            deferred = await asyncio.to_thread(self._store_and_process, polled, waits)
            while deferred:
                # keep the order: later updates wait for this one while the sender records what it needs
                self.sender.wake.set()
                await asyncio.sleep(DEFER_PAUSE)
                deferred = await asyncio.to_thread(self._process_stored, waits)

    def _store_and_process(self, polled: list[dict] | None, waits: dict[int, int]) -> bool:
        if polled:
            assert self.inbox is not None
            self.inbox.store(polled)
        return self._process_stored(waits)

    def _process_stored(self, waits: dict[int, int]) -> bool:
        """Worker thread: handle the stored updates, each in its own transaction, waking the sender as soon as
        one has produced messages. Returns True when an update asked to be tried again in a moment."""
        assert self.inbox is not None
        while not self.stop_event.is_set():
            rows = self.inbox.pending(PROCESS_BATCH)
            for row in rows:
                if self.stop_event.is_set():
                    return False
                tries = waits.get(row.update_id, 0)
                try:
                    produced = self.processor.process(row, tries < DEFER_TRIES)
                except Deferred:
                    waits[row.update_id] = tries + 1
                    return True
                if produced:
                    self._wake(self.sender.wake)
            if len(rows) < PROCESS_BATCH:
                # anything stored after this read sets process_wake again (accept_updates), and failed
                # attempts are retried on the next round, not in a tight loop
                return False
        return False

    async def expire_questions(self) -> None:
        """"要上报吗?" questions nobody answered within ask_timeout_minutes are forgotten."""
        await asyncio.to_thread(self.processor.run_job, lambda ctx: ctx.repo.expire_pending(ctx.now))

    async def checkpoint(self) -> None:
        """SQLite's log is copied into the database here, off the message path (bot.store.db.checkpoint)."""
        await asyncio.to_thread(checkpoint, self.engine)


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False

"""APScheduler 3.11 wired into GridBot: the deadline sweep in every process, periodic jobs in the leader,
and the bot's own interval jobs (GridBot.jobs: expiring 要上报吗 questions, SQLite checkpoints, the
scheduled-digest check), so that one scheduler runs everything periodic.

Jobs live in a memory job store and are declared here in code (never a shared job store: 3.x cannot share
one between processes). Per-case deadlines are rows (bot/scheduler/sweeper.py), so a restart loses
nothing and needs no misfire handling; the jobs only decide how often to look.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.scheduler.leader import Leadership
from bot.scheduler.sweeper import Sweeper
from bot.services import patrol
from bot.services.calendar_coverage import coverage, report_lines

log = logging.getLogger(__name__)
PATROL_PLAN_MINUTES = 10.0
STOP_GRACE_SECONDS = 10.0  # how long stop() waits for running jobs before cancelling them


class _SkippedSweep(logging.Filter):
    """A sweep still running when the next is due is skipped (max_instances=1); that is no news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in record.getMessage()


logging.getLogger("apscheduler.scheduler").addFilter(_SkippedSweep())


class Scheduler:
    def __init__(self, bot) -> None:
        self.bot = bot
        settings = bot.settings
        self.sweeper = Sweeper(bot.engine, bot.processor, lease_seconds=settings.lease_seconds)
        self.leadership = Leadership(bot.engine, settings.leader_lock_key)
        self.aps: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task] = set()

    def _tracked(self, job):
        """The job, noted while it runs so that stop() lets it finish (cancelled mid-run, APScheduler logs
        the CancelledError as a failed job with a traceback)."""
        @functools.wraps(job)
        async def run() -> None:
            task = asyncio.current_task()
            self._running.add(task)
            try:
                await job()
            finally:
                self._running.discard(task)

        return run

    async def start(self) -> None:
        s = self.bot.settings
        now = datetime.now(UTC)
        self.aps = AsyncIOScheduler(timezone=UTC, job_defaults=dict(coalesce=True, max_instances=1,
                                                                    misfire_grace_time=None))
        add = self.aps.add_job
        add(self._tracked(self.sweep), "interval", seconds=s.sweep_seconds, id="sweep", next_run_time=now)
        add(self._tracked(self.lead), "interval", seconds=s.leader_check_seconds, id="leader", next_run_time=now)
        add(self._tracked(self.plan_patrols), "interval", minutes=PATROL_PLAN_MINUTES, id="patrol_plan")
        add(self._tracked(self.watch_calendar), "interval", hours=24, id="calendar")
        for i, (seconds, job) in enumerate(self.bot.jobs):  # the bot's own: expire questions, checkpoint, digests
            add(self._tracked(job), "interval", seconds=seconds, id=f"job-{i}-{getattr(job, '__name__', 'job')}")
        self.aps.start()

    async def stop(self) -> None:
        if self.aps is not None:
            self.aps.pause()  # nothing new starts; what runs may finish (a checkpoint, a sweep: well under a second)
            if self._running:
                await asyncio.wait(set(self._running), timeout=STOP_GRACE_SECONDS)
            self.aps.shutdown(wait=False)
            self.aps = None
        await asyncio.to_thread(self.leadership.release)

    # --- jobs ----------------------------------------------------------------------------------------------
    async def sweep(self) -> None:
        """Every process: fire what is due (leases keep two processes off one row)."""
        try:
            if await asyncio.to_thread(self.sweeper.sweep_once):
                self.bot.sender.wake.set()
        except Exception:  # noqa: BLE001
            log.exception("deadline sweep failed")

    async def lead(self) -> None:
        was = self.leadership.leading
        if await asyncio.to_thread(self.leadership.check) and not was:
            await self.plan_patrols()
            await self.watch_calendar()

    async def plan_patrols(self) -> None:
        """Leader: tomorrow's and today's patrol reminders as deadline rows (idempotent by key)."""
        if not self.leadership.leading:
            return
        try:
            await asyncio.to_thread(self.bot.processor.run_job, patrol.plan)
        except Exception:  # noqa: BLE001  (two leaders for a moment can race on one key: next round)
            log.exception("planning patrol reminders failed")

    async def watch_calendar(self) -> None:
        """Leader: say in the log when the working-day calendar is about to run out."""
        if not self.leadership.leading:
            return
        today = self.bot.processor.clock().astimezone(ZoneInfo(self.bot.settings.timezone)).date()
        cov = coverage(self.bot.calendar, today, self.bot.settings.calendar_warn_days)
        if cov.warning:
            log.warning("calendar: %s (see `gridbot calendar check`)", report_lines(cov)[-1].removeprefix("WARNING: "))

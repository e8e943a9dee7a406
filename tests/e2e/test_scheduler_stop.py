"""Stopping the bot lets a running scheduled job finish instead of cancelling it mid-run (a cancelled job
was logged by APScheduler as an ERROR with a traceback at the end of every `gridbot demo`)."""

from __future__ import annotations

import asyncio
import logging

from bot.sandbox import local_bot


async def test_stop_waits_for_a_running_job(tmp_path, caplog):
    events: list[str] = []
    started = asyncio.Event()

    async def slow_job() -> None:
        events.append("started")
        started.set()
        await asyncio.sleep(0.3)  # e.g. a checkpoint or a digest still writing
        events.append("finished")

    async with local_bot(f"sqlite:///{tmp_path / 'bot.db'}", start=False) as lb:
        lb.bot.jobs.append((0.05, slow_job))
        await lb.bot.start()
        await asyncio.wait_for(started.wait(), timeout=10)
        with caplog.at_level(logging.WARNING):
            await lb.bot.stop()
    assert events[:2] == ["started", "finished"]
    assert events.count("started") == events.count("finished")  # nothing was cut off, nothing new began
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]

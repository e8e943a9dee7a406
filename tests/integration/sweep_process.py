"""One bot process's deadline sweeper, run as its own OS process by test_sweep_processes.py.

    python -m tests.integration.sweep_process DATABASE_URL NAME ISO_TIME GO_FILE

Writes GO_FILE.NAME when ready, waits until GO_FILE exists (so that both processes start sweeping together), then sweeps the database
as it stood at ISO_TIME until three sweeps in a row find nothing, and prints how many rows it settled."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

from bot.store.db import make_engine
from tests.integration.test_deadlines_world import FixedClassifier, World


def main(url: str, name: str, at: str, go: str) -> None:
    engine = make_engine(url)
    world = World(engine, FixedClassifier(), datetime.fromisoformat(at), org=False, sweeper_name=name)
    world.sweeper.batch = 5
    Path(f"{go}.{name}").touch()
    deadline = time.monotonic() + 60
    while not Path(go).exists():
        if time.monotonic() > deadline:
            raise SystemExit("never told to start")
        time.sleep(0.005)
    settled, idle = 0, 0
    while idle < 3:
        n = world.sweeper.sweep_once()
        settled += n
        idle = 0 if n else idle + 1
    engine.dispose()
    print(settled)


if __name__ == "__main__":
    main(*sys.argv[1:5])

"""Two bot processes sweep one PostgreSQL database: every due deadline is acted on once, by one of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from bot.store.db import unit_of_work, upgrade
from bot.store.tables import OutboxMessage
from tests.conftest import PG_OK, _pg_schema_engine
from tests.integration.test_deadlines_world import DRAIN, FIRE, GARBAGE, LIGHT, FixedClassifier, World, local

ROOT = Path(__file__).resolve().parents[2]
HEADS = {"🟨 黄牌督办": "yellow_card", "🟥 红牌督办": "red_card", "🚨 街道督办": "street_alert"}


@pytest.fixture
def pg_engine():
    if not PG_OK:
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    engine, drop = _pg_schema_engine()
    upgrade(engine)
    yield engine
    drop()


def test_two_processes_sweeping_one_postgresql_database_never_notify_twice(pg_engine, tmp_path):
    world = World(pg_engine, FixedClassifier(), duplicate_window_hours=0)  # 30 distinct cases
    reports = [DRAIN, LIGHT, FIRE, GARBAGE]
    for i in range(30):
        world.clock.set(local(2026, 11, 23, 9, 30 + i))
        world.report(f"{reports[i % 4]}（{i}）")
    with unit_of_work(pg_engine) as s:
        queued_before = len(s.exec(select(OutboxMessage.id)).all())

    url = pg_engine.url.render_as_string(hide_password=False)
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    at = local(2026, 12, 10, 10, 0).isoformat()  # everything is due
    procs = [subprocess.Popen([sys.executable, "-m", "tests.integration.sweep_process", url, f"process-{i}", at,
                               str(go)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    for _ in range(6000):  # both have imported and connected: start them together
        if all((tmp_path / f"go.process-{i}").exists() or procs[i].poll() is not None for i in range(2)):
            break
        time.sleep(0.01)
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
    settled = [int(out.split()[-1]) for out, _ in outs]

    rows = [d for d in world.deadlines() if d.case_id is not None]
    assert len(rows) == 30 * 8
    assert all(d.fired_at is not None and d.attempts == 1 for d in rows)  # each row acted on once
    assert sum(settled) == len(rows) and min(settled) > 0  # both processes took part
    assert set(Counter(d.claimed_by for d in rows)) <= {"process-0", "process-1"}
    with unit_of_work(pg_engine) as s:
        sent = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()[queued_before:]
    notices = Counter((r.case_id, kind) for r in sent for head, kind in HEADS.items()
                      if json.loads(r.payload)["text"].startswith(head))
    fired = Counter((d.case_id, d.kind) for d in rows if d.outcome == "sent")
    assert notices == fired and set(notices.values()) == {2}  # accept and resolve step: one notice each
    assert sum(notices.values()) == 30 * 6

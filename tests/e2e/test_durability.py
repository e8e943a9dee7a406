"""Nothing lost, nothing twice: SIGKILL the bot process in the middle of a 200-message replay, restart it,
and every report has exactly one case and every reply was sent exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.sandbox import ADMIN, BINDINGS, RESIDENTS, TOKEN
from bot.services.org import bind_chat, import_org
from bot.store.db import make_engine, unit_of_work, upgrade
from bot.store.repo import Repo
from bot.transport.standin import StandIn, StandInClient, User
from tests.conftest import ORG_EXAMPLE

REPORTS = ["{n}号楼下水道堵了，污水都冒出来了", "{n}栋楼道堆满了杂物，过不去", "{n}号楼门口的路灯坏了，晚上很黑"]
CHAT = ["大家早上好", "谢谢网格员", "今天天气不错", "好的", "哈哈哈"]


def start_bot(base: str, db: Path, transport: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "GRIDBOT_TOKEN": TOKEN, "GRIDBOT_API_BASE_URL": base,
           "GRIDBOT_DATABASE_URL": f"sqlite:///{db}", "GRIDBOT_POLL_TIMEOUT": "1",
           "GRIDBOT_SEND_CHAT_PER_SECOND": "500", "GRIDBOT_SEND_CHAT_BURST": "100",
           "GRIDBOT_SEND_GROUP_PER_MINUTE": "60000", "GRIDBOT_SEND_GLOBAL_PER_SECOND": "1000",
           "GRIDBOT_COALESCE_AFTER": "100000"}
    env.pop("GRIDBOT_CONFIG", None)
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "-v", "run", "--transport", transport],
                            env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def done_updates(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as c:
            return c.execute("select count(*) from inbound_update where status='done'").fetchone()[0]
    except sqlite3.Error:
        return 0


async def wait_until(pred, timeout: float, what: str, db: Path, log: Path) -> None:
    for _ in range(int(timeout / 0.05)):
        if pred():
            return
        await asyncio.sleep(0.05)
    with sqlite3.connect(db, timeout=5) as c:
        inbox = c.execute("select status, count(*), max(error) from inbound_update group by status").fetchall()
    raise AssertionError(f"timed out waiting for {what}; inbox {inbox}; bot log:\n{log.read_text()[-4000:]}")


@pytest.mark.parametrize("transport", ["ptb", "aiogram"])
async def test_sigkill_mid_replay_loses_nothing_and_duplicates_nothing(tmp_path, transport):
    db, log = tmp_path / "bot.db", tmp_path / "bot.log"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with unit_of_work(engine) as s:
        import_org(s, ORG_EXAMPLE)
        for chat_id, unit, kind in BINDINGS:
            bind_chat(s, chat_id, Repo(s).unit_by_code(unit), kind_of(kind), by=ADMIN.id)
    engine.dispose()

    async with StandIn() as standin, StandInClient(standin.base) as tg:
        # hold every send for a while (429), so the kill lands while updates are being handled
        await tg.fail("sendMessage", 429, "Too Many Requests: retry after 4", retry_after=4)
        reports: list[int] = []
        for n in range(200):
            user = User(6100000000 + n % 17, f"居民{n % 17}")
            if n % 2 == 0:
                msg = await tg.say(RESIDENTS, user, REPORTS[n % 3].format(n=n // 2 + 1))
                reports.append(msg["message_id"])
            else:
                await tg.say(RESIDENTS, user, CHAT[n % 5])
        bot = start_bot(standin.base, db, transport, log)
        try:
            await wait_until(lambda: done_updates(db) >= 40, 60, "the bot to handle 40 updates", db, log)
            bot.send_signal(signal.SIGKILL)
            bot.wait(10)
            handled_before = done_updates(db)
            assert handled_before < 200, "the kill came too late to test anything"
            bot = start_bot(standin.base, db, transport, log)
            await wait_until(lambda: done_updates(db) >= 200, 90, "all 200 updates to be handled", db, log)
            await wait_until(lambda: replies_count(db) == 0, 60, "the outbox to drain", db, log)
            await tg.wait_quiet(1.0, timeout=30)
        finally:
            bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(10)
            except subprocess.TimeoutExpired:
                bot.kill()
        sent = await tg.messages(RESIDENTS, from_bot=True)

    with sqlite3.connect(db) as c:
        case_sources = Counter(r[0] for r in c.execute("select source_message_id from case_"))
        inbox = dict(c.execute("select status, count(*) from inbound_update group by status").fetchall())
    assert inbox == {"done": 200}, log.read_text()[-3000:]
    assert sorted(case_sources) == sorted(reports) and set(case_sources.values()) == {1}
    replies = Counter((m.get("reply_to_message") or {}).get("message_id") for m in sent)
    assert all(replies[r] == 1 for r in reports), {r: replies[r] for r in reports if replies[r] != 1}
    assert sum(replies.values()) == len(reports)  # chit-chat got no answer


def replies_count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as c:
            return c.execute("select count(*) from outbox where status='pending'").fetchone()[0]
    except sqlite3.Error:
        return -1


def kind_of(kind: str):
    from bot.domain.roles import ChatKind

    return ChatKind(kind)

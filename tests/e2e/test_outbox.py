"""The outbox sender against the stand-in: 429, 5xx, timeouts, permanent errors, long texts, bursts.
Nothing is lost and order is kept within each chat."""

from __future__ import annotations

import asyncio

import pytest_asyncio
from sqlmodel import col, select

from bot.handlers.messages import Button, OutgoingMessage, split_text
from bot.runtime.app import make_transport
from bot.runtime.sender import OutboxSender
from bot.sandbox import sandbox_settings
from bot.store.db import make_engine, unit_of_work, upgrade
from bot.store.repo import Repo
from bot.store.tables import OutboxMessage
from bot.transport.standin import StandIn, StandInClient

GROUP_A, GROUP_B = -1002000000001, -1002000000002


@pytest_asyncio.fixture
async def rig(tmp_path, transport):
    standin = StandIn()
    base = await standin.start()
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    upgrade(engine)
    settings = sandbox_settings(str(engine.url), base, transport, send_timeout=1.0, send_chat_per_second=500.0,
                                send_chat_burst=100, send_group_per_minute=60000.0, send_global_per_second=1000.0)
    t = make_transport(settings)
    await t.start()
    sender = OutboxSender(engine, t, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    async with StandInClient(base) as tg:
        yield standin, tg, engine, sender
    stop.set()
    sender.wake.set()
    await task
    await t.close()
    await standin.stop()


def enqueue(engine, sender, *outs: OutgoingMessage) -> None:
    with unit_of_work(engine) as s:
        for o in outs:
            Repo(s).enqueue(o)
    sender.wake.set()


def rows(engine) -> list[OutboxMessage]:
    with unit_of_work(engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


async def settled(engine, timeout=15.0) -> list[OutboxMessage]:
    for _ in range(int(timeout / 0.05)):
        current = rows(engine)
        if all(r.status != "pending" for r in current):
            return current
        await asyncio.sleep(0.05)
    raise AssertionError([(r.id, r.status, r.error) for r in rows(engine)])


def texts_in(messages) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in messages]


async def test_429_is_honoured_and_nothing_is_lost(rig):
    standin, tg, engine, sender = rig
    await tg.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    enqueue(engine, sender, *[OutgoingMessage(chat_id=GROUP_A, text=f"通知 {i}") for i in range(5)])
    done = await settled(engine)
    assert all(r.status == "sent" for r in done)
    assert texts_in(await tg.messages(GROUP_A, from_bot=True)) == [f"通知 {i}" for i in range(5)]
    assert done[0].attempts == 2


async def test_server_errors_and_timeouts_are_retried_in_order(rig):
    standin, tg, engine, sender = rig
    await tg.fail("sendMessage", 500, "Internal Server Error", times=2, chat_id=GROUP_A)
    await tg.fail("sendMessage", 0, None, delay=1.5, chat_id=GROUP_B)  # slower than the 1 s timeout
    enqueue(engine, sender, *[OutgoingMessage(chat_id=c, text=f"{c} {i}") for i in range(4) for c in (GROUP_A, GROUP_B)])
    done = await settled(engine)
    assert all(r.status == "sent" for r in done)
    for chat in (GROUP_A, GROUP_B):
        got = texts_in(await tg.messages(chat, from_bot=True))
        # a timed-out send may have reached Telegram: at-least-once, but never out of order
        assert sorted(set(got), key=got.index) == [f"{chat} {i}" for i in range(4)]
    assert max(r.attempts for r in done) >= 2


async def test_permanent_error_marks_the_row_failed_and_retry_requeues(rig):
    standin, tg, engine, sender = rig
    await tg.fail("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat", chat_id=GROUP_A)
    enqueue(engine, sender, OutgoingMessage(chat_id=GROUP_A, text="第一条"), OutgoingMessage(chat_id=GROUP_A, text="第二条"))
    done = await settled(engine)
    assert [r.status for r in done] == ["failed", "sent"]
    assert "kicked" in done[0].error
    from typer.testing import CliRunner

    from bot.cli import app

    env = {"GRIDBOT_DATABASE_URL": str(engine.url)}
    out = CliRunner().invoke(app, ["outbox"], env=env)
    assert out.exit_code == 0 and "failed" in out.output and "kicked" in out.output
    out = CliRunner().invoke(app, ["outbox", "retry"], env=env)
    assert "re-queued 1" in out.output
    sender.wake.set()
    done = await settled(engine)
    assert [r.status for r in done] == ["sent", "sent"]


async def test_long_text_is_split_and_buttons_stay_small(rig):
    standin, tg, engine, sender = rig
    long_text = "\n".join(f"第{i}行：" + "很长的通知内容" * 20 for i in range(80))
    assert len(long_text) > 9000
    enqueue(engine, sender, OutgoingMessage(chat_id=GROUP_A, text=long_text))
    await settled(engine)
    got = texts_in(await tg.messages(GROUP_A, from_bot=True))
    assert len(got) == len(split_text(long_text)) >= 3 and all(len(t) <= 4096 for t in got)
    assert "\n".join(got) == long_text


async def test_a_burst_for_one_group_is_coalesced(rig):
    standin, tg, engine, sender = rig
    sender.settings.coalesce_after = 10
    sender.paused_until = 10**12  # hold the sender while the burst queues up
    enqueue(engine, sender, *[OutgoingMessage(chat_id=GROUP_A, text=f"#{i:04d} 已受理") for i in range(30)])
    sender.paused_until = 0
    sender.wake.set()
    done = await settled(engine)
    got = texts_in(await tg.messages(GROUP_A, from_bot=True))
    assert len(got) < 5
    joined = "\n".join(got)
    assert all(f"#{i:04d} 已受理" in joined for i in range(30))
    assert sum(r.status == "coalesced" for r in done) >= 25


async def test_a_burst_that_cannot_be_coalesced_is_still_sent(rig):
    standin, tg, engine, sender = rig
    sender.settings.coalesce_after = 10
    sender.paused_until = 10**12
    cards = [OutgoingMessage(chat_id=GROUP_A, text=f"工单 #{i:04d}", buttons=[[Button("接单", f"ack:{i}")]])
             for i in range(15)]  # task cards keep their buttons: nothing to merge
    enqueue(engine, sender, *cards)
    sender.paused_until = 0
    sender.wake.set()
    done = await settled(engine)
    assert [r.status for r in done] == ["sent"] * 15
    assert texts_in(await tg.messages(GROUP_A, from_bot=True)) == [f"工单 #{i:04d}" for i in range(15)]


def test_split_text_keeps_lines():
    assert split_text("a\nb", 10) == ["a\nb"]
    assert split_text("aaaa\nbbbb", 5) == ["aaaa", "bbbb"]
    assert split_text("x" * 12, 5) == ["xxxxx", "xxxxx", "xx"]


def test_callback_data_stays_under_64_bytes_for_the_largest_ids():
    from bot.domain.case import CaseState
    from bot.services.notify import card_buttons
    from bot.store.tables import Case

    huge = 2**63 - 1
    for state in (CaseState.ASSIGNED, CaseState.ACCEPTED):
        for row in card_buttons(Case(id=huge, state=state.value)):
            for b in row:
                assert len(b.data.encode()) <= 64, b.data
    assert len(f"tt:{huge}:{huge}".encode()) <= 64


async def test_a_row_committed_while_an_empty_round_reads_is_sent_at_once(rig):
    """The wake-up of a transaction that commits while the sender reads the outbox (and finds nothing) is
    kept: the row goes out in the next round, not after the idle wait (here a minute; by default a second)."""
    standin, tg, engine, sender = rig
    sender.settings = sender.settings.model_copy(update={"send_idle_wait": 60.0})
    enqueue(engine, sender, OutgoingMessage(chat_id=GROUP_A, text="第一条"))
    await settled(engine)
    loop, read = asyncio.get_running_loop(), sender._heads
    armed = True

    def heads_racing_a_commit(now, callbacks_only=False):
        nonlocal armed
        found = read(now, callbacks_only)
        if armed and not found:
            armed = False
            with unit_of_work(engine) as s:
                Repo(s).enqueue(OutgoingMessage(chat_id=GROUP_A, text="读取时刚提交的一条"))
            loop.call_soon_threadsafe(sender.wake.set)  # as GridBot._wake does from the processor's thread
        return found

    sender._heads = heads_racing_a_commit
    sender.wake.set()  # an empty round starts and, while it reads, the row is committed
    for _ in range(100):
        if not armed:
            break
        await asyncio.sleep(0.02)
    assert not armed
    done = await settled(engine, timeout=10.0)
    assert [r.status for r in done] == ["sent", "sent"]
    assert texts_in(await tg.messages(GROUP_A, from_bot=True)) == ["第一条", "读取时刚提交的一条"]

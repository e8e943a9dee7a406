"""`gridbot demo --scenario overdue`: one case that nobody takes on in time, played with a fast clock.

The clock is a ManualClock that jumps to each deadline row the case has (read from the database, so
the demo follows whatever categories.yaml says): the 75 % reminder, the yellow card to the grid leader,
the red card to the community secretary; then the worker raises it to the community, the secretary
signs for it and resolves it, and the resident rates it. Real HTTP against the local Bot API stand-in.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.demo import _button, _text, demo_database, ending
from bot.sandbox import (
    ADMIN,
    CHAT_TITLES,
    COMMAND,
    RESIDENT,
    RESIDENTS,
    SECRETARY,
    WORKER,
    WORKERS,
    local_bot,
)
from bot.scheduler.clock import ManualClock
from bot.store.db import unit_of_work
from bot.store.tables import Case, Deadline
from bot.transport.standin.client import render_transcript

SH = ZoneInfo("Asia/Shanghai")
STREET_COMMAND = -1001000000001
TITLES = {**CHAT_TITLES, STREET_COMMAND: "西湖街道指挥中心"}
BINDS = [(RESIDENTS, "/bind cy-01 resident_group"), (WORKERS, "/bind cy-01 worker_group"),
         (COMMAND, "/bind cy-community command_group"), (STREET_COMMAND, "/bind xh-street command_group")]
REPORT = "3号楼门口下水道堵了，污水都漫到路上了，大家出门小心"
START = datetime(2026, 11, 23, 9, 30, tzinfo=SH)  # a Monday morning
WEEKDAYS = "一二三四五六日"


def _has(fragment: str):
    return lambda m: fragment in _text(m)


class Script:
    """Collects the transcript step by step, with the simulated time before each step."""

    def __init__(self, lb, clock: ManualClock):
        self.lb, self.clock, self.seq, self.parts = lb, clock, 0, []

    async def chapter(self, title: str, at: datetime | None = None) -> None:
        """Print what happened since the last chapter, move the clock to `at`, and head the next part."""
        await self.flush()
        if at is not None:
            self.clock.set(at)
        t = self.clock().astimezone(SH)
        self.parts.append(f"\n⏩ {t:%m月%d日} 周{WEEKDAYS[t.weekday()]} {t:%H:%M} —— {title}")

    async def flush(self) -> None:
        await self.lb.tg.wait_quiet(0.2)
        timeline = await self.lb.tg.timeline()
        events = [e for e in timeline.get("events") or [] if e["seq"] > self.seq]
        if events:
            self.seq = max(e["seq"] for e in events)
            self.parts.append(render_transcript({**timeline, "events": events}, TITLES))

    def deadline(self, case_id: int, kind: str, step: str = "accept") -> datetime:
        with unit_of_work(self.lb.engine) as s:
            row = s.exec(select(Deadline).where(Deadline.case_id == case_id, Deadline.kind == kind,
                                                Deadline.step == step, col(Deadline.fired_at).is_(None))).first()
            if row is None:
                raise AssertionError(f"case {case_id} has no pending {step} {kind}")
            return row.due_at


async def run_overdue_demo(keep: Path | None = None, transport: str = "ptb") -> str:
    started = time.monotonic()
    clock = ManualClock(START)
    with demo_database(keep) as db:
        async with local_bot(f"sqlite:///{db}", transport=transport, clock=clock, sweep_seconds=0.05,
                             leader_check_seconds=0.5, patrol_remind_at=None) as lb:
            tg, script = lb.tg, Script(lb, clock)
            for chat, command in BINDS:
                said = await tg.say(chat, ADMIN, command, chat_title=TITLES[chat])
                await tg.wait_for_bot(chat, 1, after=said["message_id"])
            await script.flush()
            script.parts.clear()  # the admin's /bind lines are set-up, not the story
            await script.chapter("居民在群里反映问题")

            report = await tg.say(RESIDENTS, RESIDENT, REPORT)
            ack = (await tg.wait_for_bot(RESIDENTS, 1, after=report["message_id"]))[0]
            card = (await tg.wait_for_bot(WORKERS, 1, after=0, predicate=_has("工单 #")))[0]
            with unit_of_work(lb.engine) as s:
                case = s.exec(select(Case).order_by(col(Case.id).desc())).first()

            await script.chapter("网格员一直没有接单：受理时限用去 75%，提醒负责人",
                                 script.deadline(case.id, "remind"))
            await tg.wait_for_bot(WORKERS, 1, after=card["message_id"], predicate=_has("⏰"))

            await script.chapter("受理超期：黄牌督办，告知网格长", script.deadline(case.id, "yellow_card"))
            await tg.wait_for_bot(WORKERS, 1, after=card["message_id"], predicate=_has("黄牌督办"))

            await script.chapter("超期又一个督办间隔：红牌督办，告知社区书记", script.deadline(case.id, "red_card"))
            await tg.wait_for_bot(COMMAND, 1, after=0, predicate=_has("红牌督办"))

            await script.chapter("网格员说明情况，上报社区", clock() + timedelta(minutes=10))
            said = await tg.say(WORKERS, WORKER, "/up 主管道堵塞，需要社区协调排水公司", reply_to=card["message_id"])
            await tg.wait_for_bot(WORKERS, 1, after=said["message_id"])
            new_card = (await tg.wait_for_bot(COMMAND, 1, after=0, predicate=lambda m: "工单 #" in _text(m)
                                              and "接单" in str(m.get("reply_markup"))))[0]
            await tg.wait_for_bot(RESIDENTS, 1, after=ack["message_id"], predicate=_has("上报社区"))

            await script.chapter("社区书记接单", clock() + timedelta(minutes=5))
            said = await tg.say(COMMAND, SECRETARY, "收到，马上联系排水公司", reply_to=new_card["message_id"])
            await tg.wait_for_bot(COMMAND, 1, after=said["message_id"])
            await script.chapter("协调排水公司疏通后办结", clock() + timedelta(hours=2))
            said = await tg.say(COMMAND, SECRETARY, "已处理，排水公司已疏通主管道，路面已冲洗",
                                reply_to=new_card["message_id"])
            await tg.wait_for_bot(COMMAND, 1, after=said["message_id"])
            result = (await tg.wait_for_bot(RESIDENTS, 1, after=ack["message_id"],
                                             predicate=lambda m: "满意" in str(m.get("reply_markup"))))[0]

            await script.chapter("回访：居民评价", clock() + timedelta(minutes=20))
            await tg.press(RESIDENTS, result["message_id"], RESIDENT, _button(result, "满意"))
            await tg.wait_for_bot(RESIDENTS, 1, after=result["message_id"], predicate=_has("已结案"))
            await script.flush()
            with unit_of_work(lb.engine) as s:
                final = s.get(Case, case.id)
                summary = (f"工单 #{final.number}：状态 {final.state}，督办 {final.card}，层级 {final.tier}，"
                           f"评价 {final.satisfaction}")
    footer = f"\n{summary}" + ending(started, transport, keep, "（模拟时钟）")
    head = "gridbot 演示：一件超期工单的督办（快进时钟；本地 Bot API 替身，真实 HTTP）\n"
    return head + "\n".join(script.parts) + footer

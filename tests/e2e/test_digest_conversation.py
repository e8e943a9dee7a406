"""/digest as a conversation over real HTTP to the Bot API stand-in, with both adapters: the secretary asks in
the command group and gets the figures and the chart (a PNG uploaded by the bot); another community's figures
are refused; residents get none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.sandbox import COMMAND, RESIDENT, RESIDENTS, SECRETARY
from bot.store.db import unit_of_work
from bot.store.repo import Repo
from bot.store.tables import Case, CaseEvent
from tests.e2e.transcript import has, text_of


def a_case_taken_this_morning(engine) -> None:
    """A case the resident reported and 李明 accepted (stored directly: this test is about the digest)."""
    now = datetime.now(UTC)
    midnight = datetime.now(ZoneInfo("Asia/Shanghai")).replace(hour=0, minute=0, second=0, microsecond=0)
    created = max(now - timedelta(minutes=20), midnight)  # "today" even just after midnight
    with unit_of_work(engine) as s:
        repo = Repo(s)
        grid, worker = repo.unit_by_code("cy-01"), repo.person_by_tg(5000000101)
        case = Case(number="20990101-0001", state="accepted", category="environment", urgency="yellow",
                    text="3号楼门口下水道堵了，电话13912345678", location="3号楼", grid_id=grid.id, unit_id=grid.id,
                    assignee_id=worker.id, reporter_tg_id=RESIDENT.id, reporter_name="王阿姨", source_chat_id=RESIDENTS,
                    source_message_id=1, created_at=created, accepted_at=created + (now - created) / 2,
                    accept_by=now + timedelta(hours=4), resolve_by=now + timedelta(days=3))
        s.add(case)
        s.flush()
        for action, at in (("open", case.created_at), ("assign", case.created_at), ("accept", case.accepted_at)):
            s.add(CaseEvent(case_id=case.id, at=at, action=action, actor_name="李明"))


async def test_secretary_asks_for_the_digest_and_gets_text_and_chart(lb):
    tg = lb.tg
    a_case_taken_this_morning(lb.engine)

    asked = await tg.say(COMMAND, SECRETARY, "今日汇总")
    [figures] = await tg.wait_for_bot(COMMAND, 1, after=asked["message_id"], predicate=has("翠苑社区 今日汇总"))
    body = text_of(figures)
    assert "新增 1 件｜接单 1" in body and "【超期督办】" in body and "【网格员排行】" in body
    assert "李明" in body and "13912345678" not in body
    assert (figures.get("reply_to_message") or {}).get("message_id") == asked["message_id"]
    [chart] = await tg.wait_for_bot(COMMAND, 1, after=asked["message_id"], timeout=20,
                                    predicate=lambda m: bool(m.get("photo")))
    assert "翠苑社区 今日汇总" in text_of(chart)
    assert max(size["width"] for size in chart["photo"]) == 1100  # the PNG the bot drew, not a file id

    # another community is not the secretary's to see
    refused = await tg.say(COMMAND, SECRETARY, "/digest week wl-community")
    [answer] = await tg.wait_for_bot(COMMAND, 1, after=refused["message_id"])
    assert "只能查看翠苑社区" in text_of(answer)

    # the residents' group never gets figures
    said = await tg.say(RESIDENTS, RESIDENT, "本周汇总")
    [answer] = await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"])
    assert "仅对网格长" in text_of(answer)

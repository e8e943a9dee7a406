"""The three confidence bands through the real conversation: open a case, ask the writer, or stay silent;
and a worker's /recat correction."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest_asyncio
from sqlmodel import select

from bot.sandbox import LEADER, RESIDENT, RESIDENT_2, RESIDENTS, WORKER, WORKERS, local_bot
from bot.store.db import unit_of_work
from bot.store.tables import Correction, PendingReport
from tests.e2e.conftest import FAST_SEND
from tests.e2e.transcript import buttons, cases, has, report, text_of

DRAIN = "3号楼门口下水道堵了，污水都漫到路上了"


@pytest_asyncio.fixture
async def asking(tmp_path, transport):
    """Every report falls in the middle band: the bot asks instead of opening."""
    async with local_bot(f"sqlite:///{tmp_path / 'b.db'}", transport=transport, open_threshold=1.01,
                         ask_threshold=0.0, **FAST_SEND) as lb:
        await lb.bind_all()
        yield lb


async def test_unsure_asks_the_writer_who_alone_may_answer(asking):
    tg = asking.tg
    said = await tg.say(RESIDENTS, RESIDENT, DRAIN)
    question = (await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"]))[0]
    assert "要上报" in text_of(question) and set(buttons(question)) == {"上报", "不用"}
    assert cases(asking.engine) == []
    cq = await tg.press(RESIDENTS, question["message_id"], RESIDENT_2, buttons(question)["上报"])
    assert "只有发消息的居民" in (await tg.wait_for_answer(cq))["text"]
    cq = await tg.press(RESIDENTS, question["message_id"], RESIDENT, buttons(question)["上报"])
    await tg.wait_for_answer(cq)
    opened = await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"], predicate=has("已受理"))
    assert opened[0]["reply_to_message"]["message_id"] == said["message_id"]
    await tg.wait_for_edit(RESIDENTS, question["message_id"], predicate=has("已上报"))
    [case] = cases(asking.engine)
    assert case.source_message_id == said["message_id"] and case.reporter_tg_id == RESIDENT.id


async def test_no_thanks_and_expiry_forget_the_question(asking):
    tg = asking.tg
    said = await tg.say(RESIDENTS, RESIDENT, DRAIN)
    question = (await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"]))[0]
    cq = await tg.press(RESIDENTS, question["message_id"], RESIDENT, buttons(question)["不用"])
    await tg.wait_for_answer(cq)
    await tg.wait_for_edit(RESIDENTS, question["message_id"], predicate=has("不上报"))
    # a second question, left unanswered past the timeout, is forgotten
    said = await tg.say(RESIDENTS, RESIDENT_2, "5栋楼道堆满了杂物，过不去")
    question = (await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"]))[0]
    asking.bot.processor.clock = lambda: datetime.now(UTC) + timedelta(minutes=31)
    await asking.bot.expire_questions()
    cq = await tg.press(RESIDENTS, question["message_id"], RESIDENT_2, buttons(question)["上报"])
    assert "过期" in (await tg.wait_for_answer(cq))["text"]
    assert cases(asking.engine) == []
    with unit_of_work(asking.engine) as s:
        assert sorted(p.status for p in s.exec(select(PendingReport))) == ["dismissed", "expired"]


async def test_chit_chat_stays_silent_even_when_asking(asking):
    said = await asking.tg.say(RESIDENTS, RESIDENT, "谢谢大家，晚安")
    await asking.tg.wait_quiet(0.5)
    assert await asking.tg.messages(RESIDENTS, from_bot=True, after=said["message_id"]) == []


async def test_worker_recategorizes_by_replying_to_the_card(lb):
    tg = lb.tg
    _, card = await report(tg, RESIDENTS, RESIDENT, DRAIN)
    target, label = ("ecology", "生态环境") if cases(lb.engine)[0].category != "ecology" else ("other", "其他")
    said = await tg.say(WORKERS, WORKER, f"/recat {target}", reply_to=card["message_id"])
    await tg.wait_for_bot(WORKERS, 1, after=said["message_id"], predicate=has("类别已由"))
    await tg.wait_for_edit(WORKERS, card["message_id"], predicate=has(label))
    said = await tg.say(WORKERS, WORKER, f"/recat {target}", reply_to=card["message_id"])
    await tg.wait_for_bot(WORKERS, 1, after=said["message_id"], predicate=has("已是"))
    said = await tg.say(WORKERS, WORKER, "/recat nonsense", reply_to=card["message_id"])
    await tg.wait_for_bot(WORKERS, 1, after=said["message_id"], predicate=has("用法"))
    said = await tg.say(WORKERS, WORKER, "/recat other")
    await tg.wait_for_bot(WORKERS, 1, after=said["message_id"], predicate=has("请回复任务卡片"))
    case = cases(lb.engine)[0]
    assert case.category == target
    with unit_of_work(lb.engine) as s:
        [corr] = s.exec(select(Correction)).all()
        assert (corr.new_category, corr.text) == (target, DRAIN)


async def test_worker_makes_a_case_red_the_leader_is_called_and_rules_suggest_learns(lb, monkeypatch):
    """A message the rules left green that a worker makes red: the grid leader is mentioned at once (an
    edited card mentions nobody), the correction is kept, and `gridbot rules suggest` mines it."""
    from typer.testing import CliRunner

    from bot.cli import app

    tg = lb.tg
    text = "5号楼后面那棵大树歪得厉害 靠着电线"
    _, card = await report(tg, RESIDENTS, RESIDENT, text)
    [case] = cases(lb.engine)
    assert case.urgency != "red"
    said = await tg.say(WORKERS, WORKER, "/urgency 红", reply_to=card["message_id"])
    alert = (await tg.wait_for_bot(WORKERS, 1, after=said["message_id"], predicate=has("改为紧急")))[0]
    assert "王建军" in text_of(alert) and alert["reply_to_message"]["message_id"] == card["message_id"]
    assert any(e.get("user", {}).get("id") == LEADER.id for e in alert.get("entities", []))
    await tg.wait_for_edit(WORKERS, card["message_id"], predicate=has("🔴"))
    said = await tg.say(WORKERS, WORKER, "/urgency 黄", reply_to=card["message_id"])  # lowered: no alert
    await tg.wait_for_bot(WORKERS, 1, after=said["message_id"], predicate=has("紧急程度改为"))
    with unit_of_work(lb.engine) as s:
        rows = [(c.old_category, c.new_category, c.old_urgency, c.new_urgency, c.text)
                for c in s.exec(select(Correction).order_by(Correction.id))]
    assert rows == [(case.category, case.category, case.urgency, "red", text),
                    (case.category, case.category, "red", "yellow", text)]
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", lb.engine.url.render_as_string(hide_password=False))
    res = CliRunner().invoke(app, ["rules", "suggest"])
    assert res.exit_code == 0, res.output
    assert "category corrections: 0" in res.output and "urgency corrections: 2 (red 1, yellow 1)" in res.output


async def test_default_bands_ask_about_a_subject_named_alone(lb):
    """With the shipped thresholds: a subject the rules know, named alone (confidence ~0.4, below the
    classifier's own 0.5 cut), is asked about; chit-chat at a similar score but with no rule match is not;
    a full report opens at once."""
    tg = lb.tg
    said = await tg.say(RESIDENTS, RESIDENT, "下水道")
    question = (await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"]))[0]
    assert "要上报" in text_of(question) and set(buttons(question)) == {"上报", "不用"}
    said = await tg.say(RESIDENTS, RESIDENT_2, "今天天气不错")
    await tg.wait_quiet(0.5)
    assert await tg.messages(RESIDENTS, from_bot=True, after=said["message_id"]) == []
    assert cases(lb.engine) == []
    await report(tg, RESIDENTS, RESIDENT, DRAIN)
    assert len(cases(lb.engine)) == 1


async def test_bare_intent_is_asked_what_and_where_and_the_next_message_opens(lb):
    """我要投诉 alone: the bot asks what and where, and the writer's next message is the report, even one
    the rules alone would pass over. Somebody else's message does not count, nor one after the wait."""
    tg = lb.tg
    said = await tg.say(RESIDENTS, RESIDENT, "我要投诉！")
    [prompt] = await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"])
    assert "是什么问题、在哪里" in text_of(prompt) and not buttons(prompt)
    assert prompt["reply_to_message"]["message_id"] == said["message_id"]
    other = await tg.say(RESIDENTS, RESIDENT_2, "5栋东边那块空地的事")  # not the writer: silence
    await tg.wait_quiet(0.5)
    assert await tg.messages(RESIDENTS, from_bot=True, after=other["message_id"]) == []
    await tg.say(RESIDENTS, RESIDENT, None, photo=True)  # a photo before the words joins the report
    await tg.wait_quiet(0.3)
    details = await tg.say(RESIDENTS, RESIDENT, "5栋东边那块空地的事")
    opened = await tg.wait_for_bot(RESIDENTS, 1, after=details["message_id"], predicate=has("已受理"))
    assert opened[0]["reply_to_message"]["message_id"] == details["message_id"]
    [case] = cases(lb.engine)
    assert (case.source_message_id, case.reporter_tg_id) == (details["message_id"], RESIDENT.id)
    assert case.category == "other" and len(json.loads(case.photos)) == 1
    # once used, the wait is over: the writer's next chat stays chat
    more = await tg.say(RESIDENTS, RESIDENT, "5栋东边那块空地的事")
    await tg.wait_quiet(0.5)
    assert await tg.messages(RESIDENTS, from_bot=True, after=more["message_id"]) == []
    # a wait nobody answered within ask_timeout_minutes is forgotten
    said = await tg.say(RESIDENTS, RESIDENT_2, "求助")
    await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"], predicate=has("在哪里"))
    lb.bot.processor.clock = lambda: datetime.now(UTC) + timedelta(minutes=31)
    await lb.bot.expire_questions()
    late = await tg.say(RESIDENTS, RESIDENT_2, "5栋东边那块空地的事")
    await tg.wait_quiet(0.5)
    assert await tg.messages(RESIDENTS, from_bot=True, after=late["message_id"]) == []
    assert len(cases(lb.engine)) == 1
    with unit_of_work(lb.engine) as s:
        assert sorted(p.status for p in s.exec(select(PendingReport))) == ["expired", "reported"]

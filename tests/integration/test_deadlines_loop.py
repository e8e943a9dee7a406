"""The rest of issue 5 as conversations against the real router and database: 回访 (ratings and the 48 h
default), 并单 (duplicates and /merge), tiers (/up, /transfer, /return and the leader's answer) and
patrols (每日一巡查). SQLite; the shared paths also run on PostgreSQL in test_deadlines.py."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from bot.reports import stats
from bot.store.db import unit_of_work
from bot.store.tables import CaseFollower, Patrol
from tests.integration.test_deadlines_world import (
    COMMAND,
    DRAIN,
    DRAIN_7,
    DRAIN_AGAIN,
    DRAIN_NOWHERE,
    GARBAGE,
    LEADER,
    LIGHT,
    OTHER_GRID_WORKER,
    RESIDENT,
    RESIDENT_2,
    RESIDENT_3,
    RESIDENTS,
    RESIDENTS_2,
    SECRETARY,
    STREET,
    WORKER,
    WORKER_2,
    WORKERS,
    WORKERS_2,
    FixedClassifier,
    World,
    local,
)


@pytest.fixture(scope="module")
def clf():
    return FixedClassifier()


@pytest.fixture
def world(sqlite_engine, clf):
    return World(sqlite_engine, clf)


def buttons(sent) -> dict[str, str]:
    return {b.text: b.data for row in sent.out.buttons for b in row}


def resolved(world: World, text: str = DRAIN, who=RESIDENT):
    case, _ = world.report(text, who)
    card = world.card(case.id).message_id
    world.say(WORKERS, WORKER, "收到", reply_to=card)
    _, sent = world.say(WORKERS, WORKER, "已处理，疏通好了", reply_to=card)
    [result] = [m for m in sent if m.chat_id == RESIDENTS and m.out.buttons]
    return case, result


# --- 回访 -----------------------------------------------------------------------------------------------------------
def test_the_reporter_rates_satisfied_and_the_case_closes(world):
    case, result = resolved(world)
    assert list(buttons(result)) == ["满意", "基本满意", "不满意"] and "48 小时内未评价视为满意" in result.text
    assert world.pending(case.id) == {"followup": local(2026, 11, 25, 9, 30)}
    [refusal] = world.press(RESIDENTS, result.message_id, RESIDENT_2, buttons(result)["满意"])
    assert refusal.out.kind == "answer_callback" and "只有反映人" in refusal.text and refusal.out.alert
    sent = world.press(RESIDENTS, result.message_id, RESIDENT, buttons(result)["基本满意"])
    assert any("已结案" in m.text and m.chat_id == RESIDENTS for m in sent)
    c = world.case(case.id)
    assert c.state == "closed" and c.satisfaction == "basic" and world.pending(case.id) == {}
    assert world.events(case.id)[-1] == ("close", "基本满意 (reporter)")


def test_no_answer_in_48_hours_closes_as_default_satisfied(world):
    case, result = resolved(world)
    assert world.advance_to(local(2026, 11, 25, 9, 29)) == []
    sent = world.advance_to(local(2026, 11, 25, 9, 30))
    assert any("默认满意" in m.text and m.chat_id == RESIDENTS for m in sent)
    c = world.case(case.id)
    assert c.state == "closed" and c.satisfaction == "default"
    # a late explicit rating replaces the default
    world.press(RESIDENTS, result.message_id, RESIDENT, buttons(result)["满意"])
    assert world.case(case.id).satisfaction == "satisfied"


def test_unsatisfied_reopens_restarts_the_clocks_and_tells_the_leader(world):
    case, result = resolved(world)
    world.clock.set(local(2026, 11, 23, 15, 0))
    sent = world.press(RESIDENTS, result.message_id, RESIDENT, buttons(result)["不满意"])
    [told] = [m for m in sent if m.chat_id == WORKERS and "不满意" in m.text]
    assert "王建军" in told.text and {m.user_id for m in told.out.mentions} == {WORKER.id, LEADER.id}
    assert [m.offset for m in told.out.mentions] == sorted(m.offset for m in told.out.mentions)
    c = world.case(case.id)
    assert c.state == "reopened" and c.reopen_count == 1 and c.satisfaction == "unsatisfied"
    assert c.accept_by == local(2026, 11, 23, 19, 0)  # 4 h from the reopen…
    assert c.first_accept_by == local(2026, 11, 23, 13, 30)  # …while the 响应率 keeps the first clock
    assert world.pending(case.id)["accept:yellow_card"] == local(2026, 11, 24, 9, 0)  # …督办 in working hours
    assert "followup" not in world.pending(case.id)


# --- 并单 ----------------------------------------------------------------------------------------------------------
def test_a_repeat_report_joins_the_open_case_and_its_writer_follows_it(world):
    case, _ = world.report(DRAIN)
    world.clock.set(local(2026, 11, 23, 11, 0))
    mid, sent = world.say(RESIDENTS, RESIDENT_2, DRAIN_AGAIN)
    [told] = [m for m in sent if m.chat_id == RESIDENTS]
    assert told.text.startswith(f"📌 已有人反映 #{case.number}，已为您关注") and told.out.reply_to_message_id == mid
    [workers] = [m for m in sent if m.chat_id == WORKERS and m.out.kind == "send"]
    assert "+1" in workers.text
    with unit_of_work(world.engine) as s:
        [f] = s.exec(select(CaseFollower)).all()
    assert (f.case_id, f.tg_user_id) == (case.id, RESIDENT_2.id)
    # the worker's card shows the count, the follower is mentioned in updates and may rate
    sent = world.say(WORKERS, WORKER, "收到", reply_to=world.card(case.id).message_id)[1]
    [ack] = [m for m in sent if m.chat_id == RESIDENTS]
    assert "张**" in ack.text and RESIDENT_2.id in {m.user_id for m in ack.out.mentions} and "张先生" not in ack.text
    _, sent = world.say(WORKERS, WORKER, "已处理", reply_to=world.card(case.id).message_id)
    [result] = [m for m in sent if m.chat_id == RESIDENTS and m.out.buttons]
    world.press(RESIDENTS, result.message_id, RESIDENT_2, buttons(result)["满意"])
    assert world.case(case.id).state == "closed"
    assert [a for a, _ in world.events(case.id)].count("follow") == 1


def test_the_same_reporter_again_is_a_reminder_not_a_follower(world):
    case, _ = world.report(DRAIN)
    _, sent = world.say(RESIDENTS, RESIDENT, DRAIN_AGAIN)
    assert any("正在处理中" in m.text for m in sent if m.chat_id == RESIDENTS)
    assert any("再次催问" in m.text and m.chat_id == WORKERS for m in sent)
    with unit_of_work(world.engine) as s:
        assert s.exec(select(CaseFollower)).all() == []


def test_not_merged_across_grids_buildings_categories_or_after_the_window(world):
    case, _ = world.report(DRAIN)
    other_grid, _ = world.report(DRAIN_AGAIN, RESIDENT_2, chat_id=RESIDENTS_2)
    other_building, _ = world.report(DRAIN_7, RESIDENT_2)
    other_category, _ = world.report(GARBAGE, RESIDENT_2)
    assert None not in (other_grid, other_building, other_category)
    assert len({case.id, other_grid.id, other_building.id, other_category.id}) == 4
    world.clock.set(local(2026, 11, 24, 9, 31))  # 24 h and a minute later
    late, _ = world.report(DRAIN, RESIDENT_3)
    assert late is not None and late.id != case.id
    # within the window, words alone (no place named) are enough
    world.clock.set(local(2026, 11, 24, 10, 0))
    joined = world.say(RESIDENTS, RESIDENT_2, DRAIN_NOWHERE)[1]
    assert any(f"#{late.number}" in m.text and "已有人反映" in m.text for m in joined)


def test_a_worker_merges_a_card_into_another_case(world):
    first, _ = world.report(DRAIN)
    second, _ = world.report(LIGHT, RESIDENT_2)
    _, sent = world.say(WORKERS, WORKER, f"/merge {first.number}", reply_to=world.card(second.id).message_id)
    assert any(f"已并入 #{first.number}" in m.text for m in sent)
    assert any("已合并处理" in m.text and m.chat_id == RESIDENTS for m in sent)
    assert world.case(second.id).state == "merged" and world.pending(second.id) == {}
    with unit_of_work(world.engine) as s:
        assert [f.tg_user_id for f in s.exec(select(CaseFollower).where(CaseFollower.case_id == first.id))] == [
            RESIDENT_2.id]


# --- tiers --------------------------------------------------------------------------------------------------------
def test_up_climbs_community_street_department_and_the_resident_is_told(world):
    case, _ = world.report(DRAIN)
    _, sent = world.say(WORKERS, WORKER, "/up 需要住建部门协调管网", reply_to=world.card(case.id).message_id)
    c = world.case(case.id)
    assert (c.tier, c.state, c.assignee_id is not None) == ("community", "assigned", True)
    assert any("上报社区" in m.text and m.chat_id == WORKERS for m in sent)  # the answer in the old chat
    [card] = [m for m in sent if m.link_kind == "task_card_main"]
    assert card.chat_id == COMMAND and "陈丽华" in card.text and "⬆️ 已上报社区" in card.text
    assert any("现由翠苑社区（陈丽华）负责" in m.text and m.chat_id == RESIDENTS for m in sent)
    # the secretary signs for it in the command group; then raises it to the street
    world.say(COMMAND, SECRETARY, "收到", reply_to=card.message_id)
    assert world.case(case.id).state == "accepted"
    _, sent = world.say(COMMAND, SECRETARY, "/up 跨社区", reply_to=card.message_id)
    assert world.case(case.id).tier == "street"
    [card] = [m for m in sent if m.link_kind == "task_card_main"]
    assert card.chat_id == STREET
    _, sent = world.say(STREET, Sender_admin(), "/up 职能部门", reply_to=card.message_id)
    c = world.case(case.id)
    assert c.tier == "department" and any("钱国栋" in m.text for m in sent)
    _, sent = world.say(STREET, Sender_admin(), "/up 再上", reply_to=world.card(case.id).message_id)
    assert "最高层级" in sent[0].text
    notes = [n for a, n in world.events(case.id) if a == "transfer"]
    assert notes[0] == "up grid → community (翠苑社区): 需要住建部门协调管网"


def Sender_admin():
    from tests.integration.test_deadlines_world import ADMIN

    return ADMIN


def test_transfer_sideways_to_a_person_or_another_grid(world):
    case, _ = world.report(DRAIN)
    _, sent = world.say(WORKERS, WORKER, "/transfer 赵秀英 她负责物业这块", reply_to=world.card(case.id).message_id)
    assert world.case(case.id).assignee_id == world.person_id(WORKER_2) and "赵秀英" in sent[-1].text
    _, sent = world.say(WORKERS, WORKER_2, "/transfer cy-02 在二网格的地界上", reply_to=world.card(case.id).message_id)
    c = world.case(case.id)
    assert (c.grid_id, c.unit_id, c.tier, c.state) == (world.unit_id("cy-02"), world.unit_id("cy-02"), "grid",
                                                      "assigned")
    assert c.assignee_id == world.person_id(OTHER_GRID_WORKER)
    [card] = [m for m in sent if m.link_kind == "task_card_main"]
    assert card.chat_id == WORKERS_2 and "孙丽" in card.text
    assert any("已转交翠苑社区第二网格（孙丽）" in m.text and m.chat_id == RESIDENTS for m in sent)
    assert [n for a, n in world.events(case.id) if a == "transfer"][-1] == "→ 翠苑社区第二网格: 在二网格的地界上"
    _, sent = world.say(WORKERS_2, OTHER_GRID_WORKER, "/transfer 不存在的人 x", reply_to=card.message_id)
    assert "未找到“不存在的人”" in sent[0].text


def test_return_then_the_leader_redispatches_refuses_or_invalidates(world):
    case, _ = world.report(DRAIN)
    card = world.card(case.id).message_id
    _, sent = world.say(WORKERS, WORKER, "/return", reply_to=card)
    assert "需要说明原因" in sent[0].text
    _, sent = world.say(WORKERS, WORKER, "/return 不归我们网格管", reply_to=card)
    [notice] = [m for m in sent if m.out.buttons]
    assert "王建军" in notice.text and LEADER.id in {m.user_id for m in notice.out.mentions}
    choices = buttons(notice)
    assert set(choices) == {"改派给 赵秀英", "驳回退单", "⬆️ 上报社区", "确认无效"}
    c = world.case(case.id)
    assert c.state == "transferred" and c.assignee_id is None
    # a worker may not decide; the leader does
    [refused] = world.press(WORKERS, notice.message_id, OTHER_GRID_WORKER, choices["改派给 赵秀英"])
    assert refused.out.alert
    world.press(WORKERS, notice.message_id, LEADER, choices["改派给 赵秀英"])
    c = world.case(case.id)
    assert c.state == "assigned" and c.assignee_id is not None
    events = [a for a, _ in world.events(case.id)]
    assert events[-2:] == ["transfer", "assign"]
    # returned again, and the leader confirms it is not a case
    _, sent = world.say(WORKERS, WORKER_2, "/return 重复上报", reply_to=world.card(case.id).message_id)
    [notice] = [m for m in sent if m.out.buttons]
    world.press(WORKERS, notice.message_id, LEADER, buttons(notice)["确认无效"])
    assert world.case(case.id).state == "rejected" and world.pending(case.id) == {}


def test_transfer_menu_offers_raise_and_return(world):
    case, _ = world.report(DRAIN)
    card = world.card(case.id)
    [menu] = [m for m in world.press(WORKERS, card.message_id, WORKER, f"t:{case.id}") if m.out.buttons]
    assert set(buttons(menu)) == {"赵秀英", "⬆️ 上报社区", "↩️ 退单"}
    [hint] = world.press(WORKERS, menu.message_id, WORKER, buttons(menu)["↩️ 退单"])
    assert "/return" in hint.text and hint.out.alert
    sent = world.press(WORKERS, menu.message_id, WORKER, buttons(menu)["⬆️ 上报社区"])
    assert world.case(case.id).tier == "community" and any(m.chat_id == COMMAND for m in sent)


# --- patrols -------------------------------------------------------------------------------------------------------
def test_patrol_reminder_on_working_days_and_patrol_log(world):
    from bot.services import patrol

    world.clock.set(local(2026, 11, 23, 7, 0))  # Monday
    assert world.processor.run_job(patrol.plan) is False
    plan = {d.key: d.due_at for d in world.deadlines() if d.kind == "patrol"}
    grid_rows = [k for k in plan if k.endswith("20261123")]
    assert len(grid_rows) == 4 and len(plan) == 8  # four grids with workers, today and tomorrow
    world.processor.run_job(patrol.plan)
    assert len([d for d in world.deadlines() if d.kind == "patrol"]) == 8  # idempotent
    _, sent = world.say(WORKERS, WORKER, "/patrol 巡查3-5号楼，消防通道畅通", photos=("photo-1",))
    assert "已记录巡查" in sent[0].text and "照片 1 张" in sent[0].text
    sent = world.advance_to(local(2026, 11, 23, 8, 30))
    [remind] = [m for m in sent if m.chat_id == WORKERS]
    assert "赵秀英" in remind.text and "李明" not in remind.text  # 李明 already patrolled
    with unit_of_work(world.engine) as s:
        [row] = s.exec(select(Patrol)).all()
        counted = stats.patrols(s, [row.grid_id], local(2026, 11, 23, 0, 0), local(2026, 11, 24, 0, 0))
    assert counted == {row.person_id: 1}
    _, sent = world.say(RESIDENTS, RESIDENT, "/patrol 我也巡查")
    assert "只有网格员" in sent[0].text


def test_no_patrol_reminder_on_weekends_or_after_a_lost_day(world):
    from bot.services import patrol

    world.clock.set(local(2026, 11, 21, 7, 0))  # Saturday: the next working day is Monday
    world.processor.run_job(patrol.plan)
    days = {d.key.rsplit(":", 1)[1] for d in world.deadlines() if d.kind == "patrol"}
    assert days == {"20261123"}
    world.clock.set(local(2026, 11, 23, 19, 0))  # the bot was down all Monday
    assert [m for m in world.sweep() if m.chat_id == WORKERS] == []
    assert {d.outcome for d in world.deadlines() if d.kind == "patrol"} == {"stale"}


def test_at(world):
    assert isinstance(world.clock(), datetime) and world.clock() - local(2026, 11, 23, 9, 30) == timedelta(0)

"""Deadlines that run the loop, on a real database (SQLite and PostgreSQL), with a clock that moves only
when the test says so: reminders, the 督办 ladder, working hours, recomputed clocks, downtime recovery,
and the lease that keeps two sweepers from acting twice."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
from sqlmodel import select

from bot.scheduler.sweeper import Sweeper
from bot.store.db import make_engine, unit_of_work
from bot.store.tables import Deadline, OutboxMessage
from tests.integration.test_deadlines_world import (
    COMMAND,
    DRAIN,
    FIRE,
    GARBAGE,
    LEADER,
    LIGHT,
    RESIDENTS,
    STREET,
    WORKER,
    WORKERS,
    FixedClassifier,
    World,
    local,
)


@pytest.fixture(scope="module")
def clf():
    return FixedClassifier()


@pytest.fixture
def world(engine, clf):
    return World(engine, clf)


def mentioned(sent, sender) -> bool:
    return any(m.user_id == sender.id for m in sent.out.mentions)


def test_the_clocks_are_stored_and_planned(world):
    case, sent = world.report(DRAIN)  # Monday 09:30, yellow: accept 4 h, resolve 3 working days
    assert case.accept_by.astimezone(local(2026, 1, 1).tzinfo) == local(2026, 11, 23, 13, 30)
    assert case.resolve_by.astimezone(local(2026, 1, 1).tzinfo) == local(2026, 11, 26, 9, 30)
    assert world.pending(case.id) == {
        "accept:remind": local(2026, 11, 23, 12, 30),  # 75 % of 4 h
        "accept:yellow_card": local(2026, 11, 23, 13, 30),
        "accept:red_card": local(2026, 11, 23, 17, 30),  # + one yellow interval (4 h)
        "accept:street_alert": local(2026, 11, 24, 9, 0),  # 21:30 waits for working hours
        "resolve:remind": local(2026, 11, 25, 15, 30),
        "resolve:yellow_card": local(2026, 11, 26, 9, 30),
        "resolve:red_card": local(2026, 11, 26, 13, 30),
        "resolve:street_alert": local(2026, 11, 26, 17, 30),
    }
    card = world.card(case.id)
    assert "11月23日 13:30" in card.text and "11月26日 09:30" in card.text


def test_reminder_at_75_percent_then_acknowledgement_stops_the_accept_clock(world):
    case, _ = world.report(DRAIN)
    assert world.advance_to(local(2026, 11, 23, 12, 29)) == []
    [remind] = world.advance_to(local(2026, 11, 23, 12, 30))
    assert remind.chat_id == WORKERS and "还剩1小时" in remind.text and "接单" in remind.text
    assert mentioned(remind, WORKER) and remind.out.reply_to_message_id == world.card(case.id).message_id
    world.say(WORKERS, WORKER, "收到，马上去", reply_to=world.card(case.id).message_id)
    assert world.case(case.id).state == "accepted"
    assert not any(k.startswith("accept") for k in world.pending(case.id))
    assert world.advance_to(local(2026, 11, 23, 18, 0)) == []  # no yellow or red card for a signed case
    assert world.case(case.id).card is None


def test_overdue_climbs_yellow_red_street_and_the_card_shows_it(world):
    case, _ = world.report(DRAIN)
    world.advance_to(local(2026, 11, 23, 12, 30))  # the reminder
    yellow = [m for m in world.advance_to(local(2026, 11, 23, 13, 30)) if m.out.kind == "send"]
    assert len(yellow) == 1 and yellow[0].chat_id == WORKERS and "黄牌督办" in yellow[0].text
    assert mentioned(yellow[0], LEADER) and mentioned(yellow[0], WORKER)
    assert world.case(case.id).card == "yellow"
    _, answer = world.say(COMMAND, LEADER, f"/status {case.number}")
    assert "🟨黄牌督办" in answer[0].text

    [red] = world.advance_to(local(2026, 11, 23, 17, 30))
    assert red.chat_id == COMMAND and "红牌督办" in red.text and "陈丽华" in red.text
    assert world.case(case.id).card == "red"
    assert world.advance_to(local(2026, 11, 23, 23, 0)) == []  # the street hears of it in working hours
    [street] = world.advance_to(local(2026, 11, 24, 9, 0))
    assert street.chat_id == STREET and "街道督办" in street.text and "周志强" in street.text
    actions = [a for a, _ in world.events(case.id)]
    assert actions == ["open", "assign", "remind", "yellow_card", "red_card", "street_alert"]
    # the task card itself was edited to carry the card colour
    with unit_of_work(world.engine) as s:
        edits = [r for r in s.exec(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                                OutboxMessage.method == "edit"))]
    assert any("🟥红牌督办" in r.payload for r in edits)


def test_red_cases_are_supervised_at_night_green_ones_wait_for_working_hours(world):
    world.clock.set(local(2026, 11, 23, 22, 0))
    fire, _ = world.report(FIRE)  # red: accept 30 min, any hour
    assert world.pending(fire.id)["accept:yellow_card"] == local(2026, 11, 23, 22, 30)
    sent = world.advance_to(local(2026, 11, 23, 22, 30))
    assert [m for m in sent if "黄牌督办" in m.text]
    world.clock.set(local(2026, 11, 27, 17, 50))  # Friday, 10 minutes before closing
    garbage, _ = world.report(GARBAGE)  # green: accept 1 working day → Monday 17:50
    plan = world.pending(garbage.id)
    assert plan["accept:yellow_card"] == local(2026, 11, 30, 17, 50)
    assert plan["accept:remind"] == local(2026, 11, 30, 9, 0)  # 75 % falls on Sunday night → Monday 09:00
    assert all(9 <= t.hour < 18 and t.weekday() < 5 for t in plan.values())


def test_changing_urgency_or_category_recomputes_the_clocks_and_logs_it(world):
    case, _ = world.report(LIGHT)  # green: accept Tue 09:30, resolve Mon 30th 09:30
    card = world.card(case.id).message_id
    _, answer = world.say(WORKERS, WORKER, "/urgency 红", reply_to=card)
    [done] = [m for m in answer if "紧急程度改为" in m.text]
    assert "11月23日 10:00" in done.text
    [alert] = [m for m in answer if "已由 李明 改为紧急" in m.text]  # made red: the leader is called
    assert mentioned(alert, LEADER)
    c = world.case(case.id)
    assert c.urgency == "red" and c.accept_by.astimezone(local(2026, 1, 1).tzinfo) == local(2026, 11, 23, 10, 0)
    assert c.first_accept_by == c.accept_by  # not accepted yet: the first clock itself was recounted
    [(_, note)] = [e for e in world.events(case.id) if e[0] == "deadline"]
    assert note.startswith("urgency: accept_by 11月24日 09:30 → 11月23日 10:00")
    assert world.pending(case.id)["accept:yellow_card"] == local(2026, 11, 23, 10, 0)
    with unit_of_work(world.engine) as s:
        cancelled = s.exec(select(Deadline).where(Deadline.case_id == case.id, Deadline.outcome == "cancelled")).all()
    assert len(cancelled) == 8  # every row of the green clocks
    world.say(WORKERS, WORKER, "/recat environment", reply_to=card)
    assert [a for a, _ in world.events(case.id)].count("deadline") == 1  # same urgency, same durations


def test_after_downtime_everything_due_fires_once_and_stale_reminders_are_dropped(world):
    case, _ = world.report(DRAIN)
    world.clock.set(local(2026, 11, 30, 10, 0))  # the bot was down for a week
    sent = world.sweep()
    kinds = [a for a, _ in world.events(case.id)][2:]
    assert kinds == ["yellow_card", "red_card", "street_alert", "yellow_card", "red_card", "street_alert"]
    assert len([m for m in sent if m.out.kind == "send"]) == 6
    outcomes = Counter(d.outcome for d in world.deadlines(case.id))
    assert outcomes == {"sent": 6, "superseded": 2}
    assert world.sweep() == []  # nothing fires twice


def test_two_sweepers_on_separate_engines_never_notify_twice(engine, clf):
    """Two bot processes' sweepers (separate engines and connection pools) on one database."""
    world = World(engine, clf, duplicate_window_hours=0)  # 24 distinct cases, however alike
    texts = [DRAIN, LIGHT, FIRE, GARBAGE]
    for i in range(24):
        world.clock.set(local(2026, 11, 23, 9, 30 + i))
        world.report(f"{texts[i % 4]}（{i}）")
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url), make_engine(url)]
    sweepers = [Sweeper(e, world.processor, batch=7, name=f"process-{i}") for i, e in enumerate(engines)]
    world.clock.set(local(2026, 12, 10, 10, 0))  # everything is due
    errors: list[BaseException] = []

    def run(sw: Sweeper):
        try:
            for _ in range(3):
                sw.sweep_once()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(sw,)) for sw in sweepers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    assert not errors
    rows = [d for d in world.deadlines() if d.case_id is not None]
    assert len(rows) == 24 * 8 and all(d.fired_at is not None and d.attempts == 1 for d in rows)
    by_process = Counter(d.claimed_by for d in rows)
    assert set(by_process) <= {"process-0", "process-1"}
    with unit_of_work(engine) as s:
        texts_sent = [(r.case_id, json.loads(r.payload)["text"]) for r in s.exec(
            select(OutboxMessage).where(OutboxMessage.method == "send_message"))]
    heads = {"🟨 黄牌督办": "yellow_card", "🟥 红牌督办": "red_card", "🚨 街道督办": "street_alert"}
    notices = Counter((cid, kind) for cid, text in texts_sent for head, kind in heads.items() if text.startswith(head))
    fired = Counter((d.case_id, d.kind) for d in rows if d.outcome == "sent")
    assert notices == fired and set(notices.values()) == {2}  # accept and resolve step: one notice each
    assert sum(notices.values()) == 24 * 6


def test_a_sweeper_that_dies_after_claiming_is_replaced_after_its_lease(world):
    case, _ = world.report(DRAIN)
    world.clock.set(local(2026, 11, 23, 12, 30))
    dead = Sweeper(world.engine, world.processor, lease_seconds=60, name="dead")
    claimed = dead.claim()  # …and the process is killed before it acts
    assert len(claimed) == 1
    assert world.sweep() == []  # the lease holds
    world.clock.set(local(2026, 11, 23, 12, 31, 1))
    [remind] = world.sweep()
    assert "还剩" in remind.text
    assert dead.fire(claimed[0]) is None  # the late process finds the row is not its own any more
    assert world.deliver() == []
    [row] = [d for d in world.deadlines(case.id) if d.kind == "remind" and d.step == "accept"]
    assert row.claimed_by == "sweeper-1" and row.outcome == "sent"


def test_resident_group_is_never_told_of_supervision(world):
    case, _ = world.report(DRAIN)
    before = len(world.in_chat(RESIDENTS))
    world.advance_to(local(2026, 11, 24, 10, 0))
    assert len(world.in_chat(RESIDENTS)) == before

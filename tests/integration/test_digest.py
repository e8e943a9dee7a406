"""Digest figures on a small seeded week, checked against values computed by hand; scope; the chart;
scheduled digests. On SQLite and PostgreSQL.

The week is Mon 16 – Sun 22 Nov 2026 (Asia/Shanghai); "now" is Mon 23 Nov 10:00. The cases are stored as
the case loop leaves them at intake (times and deadlines as below, their deadline rows planned by
clocks.replan); everything after intake goes through the real router and services on World's manual clock:
接单 / 办结 buttons, the 回访 buttons (followup.rate), /merge (duplicates.merge), /patrol, and the Sweeper,
which fires the 督办 rows (supervision.fire) and the 48 h 回访 timeouts (followup.fire_timeout).

  grid   case  category     created      accept_by / accepted       resolve_by / resolved       then
  cy-01  A     environment  16 09:00     17 09:00 / 16 09:30        21 09:00 / 16 13:00         满意 16 15:00, 满意 again 15:30
  cy-01  B     environment  17 10:00     17 14:00 / 17 15:00 late   20 10:00 / 18 10:00         不满意 18 12:00 → reopened, clocks
                                                                                             restart: accept_by 18 16:00,
                                                                                             resolve_by 23 12:00; re-accepted
                                                                                             18 13:00, resolved 19 10:00, 满意 19 12:00
  cy-01  C     property     18 08:00     19 08:00 / 18 09:00        23 08:00 / —                open; 🟨 at the 23 10:00 sweep
  cy-01  D     environment  20 20:00     —                          —                           /merge into C 20 21:00
  cy-02  E     order        19 10:00     20 10:00 / —               24 10:00 / —                open; 🟨 20 10:00, 🟥 23 10:00
  cy-02  F     environment  20 08:00 red 20 08:30 / 20 08:10        21 08:00 / 20 10:00         默认满意 22 10:00 (48 h)
  wl-01  G     environment  16 12:00     17 12:00 / 16 13:00        21 12:00 / 22 12:00 late    基本满意 22 13:00
  wl-01  H     environment  14 10:00     15 10:00 / 14 11:00        19 10:00 / 16 10:00         默认满意 18 10:00, 满意 late 18 20:00
  wl-02  I     other        23 08:00     24 08:00 / —               28 08:00 / —                open (this week)

A, B, C share the place 3号楼. Patrols: 李明 (cy-01) 13, 17 and 18 Nov 09:00; 孙丽 (cy-02) 20 Nov 09:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.handlers.messages import IncomingMessage, Sender
from bot.reports.period import parse_period
from bot.services import clocks, duplicates
from bot.services import digest as digest_service
from bot.services.context import Context
from bot.settings import Settings
from bot.store.db import unit_of_work
from bot.store.repo import Repo
from bot.store.tables import Case, CaseEvent, ChatBinding, OutboxMessage, Unit
from bot.workcalendar import WorkCalendar
from tests.integration.test_deadlines_world import (
    COMMAND,
    STREET,
    WORKERS,
    WORKERS_2,
    FixedClassifier,
    World,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
ADMIN, SECRETARY_CY, SECRETARY_WL, LEADER_CY01, WORKER_LI = 5000000001, 5000000011, 5000000021, 5000000103, 5000000101
WORKER_SUN = 5000000201
COMMAND_CY, PRIVATE = COMMAND, 5000000011


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


# intake: (key, grid, worker tg, category, urgency, created, accept_by, resolve_by, location)
CASES = [
    ("A", "cy-01", 5000000101, "environment", "green", t(16, 9), t(17, 9), t(21, 9), "3号楼"),
    ("B", "cy-01", 5000000101, "environment", "yellow", t(17, 10), t(17, 14), t(20, 10), "3号楼"),
    ("C", "cy-01", 5000000102, "property", "green", t(18, 8), t(19, 8), t(23, 8), "3号楼"),
    ("D", "cy-01", 5000000101, "environment", "green", t(20, 20), t(21, 20), t(25, 20), None),
    ("E", "cy-02", 5000000201, "order", "green", t(19, 10), t(20, 10), t(24, 10), "菜市场"),
    ("F", "cy-02", 5000000201, "environment", "red", t(20, 8), t(20, 8, 30), t(21, 8), None),
    ("G", "wl-01", 5000000301, "environment", "green", t(16, 12), t(17, 12), t(21, 12), None),
    ("H", "wl-01", 5000000301, "environment", "green", t(14, 10), t(15, 10), t(19, 10), None),
    ("I", "wl-02", 5000000401, "other", "green", t(23, 8), t(24, 8), t(28, 8), None),
]
KEYS = [c[0] for c in CASES]
REPORTER = {key: 6000000000 + i for i, key in enumerate(KEYS, 1)}


def number(key: str) -> str:
    return f"20261116-{KEYS.index(key) + 1:04d}"


def _open(world: World, key: str) -> None:
    """A case as the loop stores it at intake: routed, assigned, its clocks' deadline rows planned."""
    _, grid, worker, cat, urg, created, acc_by, res_by, loc = CASES[KEYS.index(key)]
    with unit_of_work(world.engine) as s:
        ctx = world.processor.context(s)
        g, w = ctx.repo.unit_by_code(grid), ctx.repo.person_by_tg(worker)
        case = Case(number=number(key), state="assigned", category=cat, urgency=urg, text=f"案例{key} 电话13912345678",
                    location=loc, grid_id=g.id, unit_id=g.id, assignee_id=w.id, reporter_tg_id=REPORTER[key],
                    reporter_name="王阿姨", source_chat_id=-100, source_message_id=KEYS.index(key) + 1,
                    created_at=created, accept_from=created, accept_by=acc_by, first_accept_by=acc_by,
                    resolve_from=created, resolve_by=res_by)
        s.add(case)
        s.flush()
        s.add(CaseEvent(case_id=case.id, at=created, actor_name="王阿姨", action="open", to_state="new"))
        s.add(CaseEvent(case_id=case.id, at=created, actor_name="系统", action="assign", from_state="new",
                        to_state="assigned"))
        clocks.replan(ctx, case)
    world.deliver()


def _case_id(world: World, key: str) -> int:
    with unit_of_work(world.engine) as s:
        return s.exec(select(Case.id).where(Case.number == number(key))).one()


def _press(world: World, key: str, who: int, data: str) -> None:
    """A button on the case's messages: a / d for the worker, r1 r2 r3 (满意 基本满意 不满意) for residents."""
    world.press(-100, 1, Sender(who, "x"), f"{data}:{_case_id(world, key)}")


def _merge(world: World, key: str, into: str, who: int) -> None:
    with unit_of_work(world.engine) as s:
        ctx = world.processor.context(s)
        case = s.get(Case, _case_id(world, key))
        duplicates.merge(ctx, case, ctx.actor(Sender(who, "x")), number(into))
    world.deliver()


def _patrol(world: World, chat_id: int, who: int) -> None:
    world.say(chat_id, Sender(who, "x"), "/patrol 巡查楼道、消防通道，正常")


def _worker(key: str) -> int:
    return CASES[KEYS.index(key)][2]


def seed(engine) -> World:
    """The week above, played in time order on the manual clock."""
    world = World(engine, FixedClassifier(), start=t(13, 8))
    steps = [
        (t(13, 9), lambda: _patrol(world, WORKERS, WORKER_LI)),  # the week before: not counted
        (t(14, 10), lambda: _open(world, "H")),
        (t(14, 11), lambda: _press(world, "H", _worker("H"), "a")),
        (t(16, 9), lambda: _open(world, "A")),
        (t(16, 9, 30), lambda: _press(world, "A", _worker("A"), "a")),
        (t(16, 10), lambda: _press(world, "H", _worker("H"), "d")),
        (t(16, 12), lambda: _open(world, "G")),
        (t(16, 13), lambda: _press(world, "G", _worker("G"), "a")),
        (t(16, 13), lambda: _press(world, "A", _worker("A"), "d")),
        (t(16, 15), lambda: _press(world, "A", REPORTER["A"], "r1")),
        (t(16, 15, 30), lambda: _press(world, "A", REPORTER["A"], "r1")),  # twice: one rating
        (t(17, 9), lambda: _patrol(world, WORKERS, WORKER_LI)),
        (t(17, 10), lambda: _open(world, "B")),
        (t(17, 15), lambda: _press(world, "B", _worker("B"), "a")),
        (t(18, 8), lambda: _open(world, "C")),
        (t(18, 9), lambda: _press(world, "C", _worker("C"), "a")),
        (t(18, 9), lambda: _patrol(world, WORKERS, WORKER_LI)),
        (t(18, 10), lambda: _press(world, "B", _worker("B"), "d")),
        (t(18, 10), world.sweep),  # H: no answer in 48 h → 默认满意
        (t(18, 12), lambda: _press(world, "B", REPORTER["B"], "r3")),  # 不满意 → reopened
        (t(18, 13), lambda: _press(world, "B", _worker("B"), "a")),
        (t(18, 20), lambda: _press(world, "H", REPORTER["H"], "r1")),  # a late 满意 replaces 默认满意
        (t(19, 10), lambda: _open(world, "E")),
        (t(19, 10), lambda: _press(world, "B", _worker("B"), "d")),
        (t(19, 12), lambda: _press(world, "B", REPORTER["B"], "r1")),
        (t(20, 8), lambda: _open(world, "F")),
        (t(20, 8, 10), lambda: _press(world, "F", _worker("F"), "a")),
        (t(20, 9), lambda: _patrol(world, WORKERS_2, WORKER_SUN)),
        (t(20, 10), lambda: _press(world, "F", _worker("F"), "d")),
        (t(20, 10), world.sweep),  # E not accepted: 🟨 黄牌
        (t(20, 20), lambda: _open(world, "D")),
        (t(20, 21), lambda: _merge(world, "D", "C", WORKER_LI)),
        (t(22, 10), world.sweep),  # F: no answer in 48 h → 默认满意
        (t(22, 12), lambda: _press(world, "G", _worker("G"), "d")),
        (t(22, 13), lambda: _press(world, "G", REPORTER["G"], "r2")),
        (t(23, 8), lambda: _open(world, "I")),
        (t(23, 10), world.sweep),  # C past resolve_by: 🟨; E a working day after its 🟨: 🟥
    ]
    for when, step in steps:
        world.clock.set(when)
        step()
    return world


def compute(engine, code: str, period: str = "lastweek", now: datetime = NOW):
    with unit_of_work(engine) as s:
        unit = s.exec(select(Unit).where(Unit.code == code)).one()
        return digest_service.compute(s, unit, parse_period(period, now, TZ), now.astimezone(UTC), TZ, Settings())


def test_street_week_figures_match_the_hand_computed_ones(engine):
    seed(engine)
    d = compute(engine, "xh-street")
    assert (d.new, d.accepted, d.resolved, d.closed, d.reopened) == (7, 5, 5, 5, 1)  # D's merge is no closure
    assert (d.open_now, d.overdue_now) == (3, 2)
    # of A B C E F G (D merged): E never accepted. B's first acceptance (17 15:00) missed its first clock
    # (17 14:00): late, although 不满意 restarted the accept clock (accept_by 18 16:00) afterwards
    assert (d.response.num, d.response.den) == (4, 6)
    assert (d.resolution.num, d.resolution.den) == (3, 4)  # C and E not yet due at the week's end; G late
    # 满意 A (pressed twice: once), B (after its 不满意), H (late, replacing its 默认满意); 基本满意 G; 默认满意 F
    assert dict(d.ratings) == {"satisfied": 3, "basic": 1, "unsatisfied": 1, "default": 1}
    assert (d.satisfaction.num, d.satisfaction.den) == (4, 5)  # 默认满意 apart
    assert d.t_accept.n == 5 and d.t_accept.mean == pytest.approx(5520, abs=1)
    assert d.t_accept.p90 == pytest.approx(12240, abs=1)  # 600 1800 3600 3600 18000 → 3600 + 0.6 × 14400
    # 7200 (F) 14400 (A) 172800 (B, H) 518400 (G): mean 885600 / 5, p90 172800 + 0.6 × 345600
    assert d.t_resolve.n == 5 and d.t_resolve.mean == pytest.approx(177120, abs=1)
    assert d.t_resolve.p90 == pytest.approx(380160, abs=1)
    assert dict(d.by_category) == {"environment": 5, "property": 1, "order": 1}
    grids = {g.name: g for g in d.grids}
    cy1, cy2, wl1, wl2 = (grids[n] for n in ("翠苑社区第一网格", "翠苑社区第二网格", "文鼎苑社区第一网格", "文鼎苑社区第二网格"))
    assert (cy1.new, cy1.valid, cy1.closed, cy1.open_now, cy1.overdue_now) == (4, 3, 2, 1, 1)
    assert (cy1.response.num, cy1.response.den, cy1.resolution.num, cy1.resolution.den) == (2, 3, 2, 2)  # B late
    assert (cy2.new, cy2.closed, cy2.response.num, cy2.response.den, cy2.overdue_now) == (2, 1, 1, 2, 1)
    assert (wl1.new, wl1.resolution.num, wl1.resolution.den) == (1, 0, 1)
    assert (wl2.new, wl2.open_now, wl2.overdue_now) == (0, 1, 0)
    ranking = [(w.name, w.resolved, w.resolved_on_time, w.open_now, w.overdue_now) for w in d.ranking()]
    assert ranking == [("李明", 2, 2, 0, 0), ("张伟", 2, 1, 0, 0), ("孙丽", 1, 1, 1, 1), ("郑磊", 0, 0, 1, 0),
                       ("赵秀英", 0, 0, 1, 1)]
    # overdue now, the longest first, with the card each case carries after the 23 10:00 sweep
    assert [(o.number[-4:], o.step, o.card) for o in d.overdue] == [("0005", "accept", "red"),
                                                                   ("0003", "resolve", "yellow")]
    assert dict(d.cards) == {"yellow_card": 1}  # in the week: E's 黄牌 on 20 Nov; the 23 Nov cards are next week's
    assert [(h.kind, h.label, h.count) for h in d.hotspots] == [("place", "3号楼", 3),
                                                               ("category", "environment", 3)]
    assert d.patrols == 3  # 李明 17 and 18 Nov, 孙丽 20 Nov (李明's 13 Nov patrol was the week before)
    assert {w.name: w.patrols for w in d.workers} == {"李明": 2, "孙丽": 1, "赵秀英": 0, "张伟": 0, "郑磊": 0}


def test_the_digest_and_status_agree_on_cards_and_ratings(engine):
    world = seed(engine)
    d = compute(engine, "xh-street", "today", now=t(23, 10, 30))
    assert [(o.number, o.card) for o in d.overdue] == [(number("E"), "red"), (number("C"), "yellow")]
    assert dict(d.cards) == {"red_card": 1, "yellow_card": 1}  # today's sweep: E 🟥, C 🟨
    for key, badge in (("E", "🟥红牌督办"), ("C", "🟨黄牌督办")):
        _, sent = world.say(COMMAND, Sender(SECRETARY_CY, "x"), f"/status {number(key)}")
        assert f"督办：{badge}（11月23日 10:00）" in sent[0].text
    _, sent = world.say(COMMAND, Sender(SECRETARY_CY, "x"), f"/status {number('H')}")
    assert "回访评价：满意" in sent[0].text  # the late rating that the digest counts instead of 默认满意
    text = texts_of(ask(engine, ADMIN, "/digest today", now=t(23, 10, 30)))
    assert f"🟥红牌 🟢 #{number('E')}" in text and f"🟨黄牌 🟢 #{number('C')}" in text
    assert "督办：本期黄牌 1 件｜红牌 1 件｜报街道 0 件" in text


def test_scope_follows_the_unit(engine):
    seed(engine)
    cy, wl, grid = compute(engine, "cy-community"), compute(engine, "wl-community"), compute(engine, "cy-02")
    assert (cy.new, wl.new, grid.new) == (6, 1, 2)
    assert {g.name for g in cy.grids} == {"翠苑社区第一网格", "翠苑社区第二网格"}
    assert {w.name for w in cy.workers} == {"李明", "赵秀英", "孙丽"}
    assert {g.name for g in grid.grids} == {"翠苑社区第二网格"} and grid.overdue_now == 1


class _Taxonomy:
    def category_name(self, code):
        return {"environment": "环境卫生"}.get(code, code)


def context(session, now=NOW, **settings) -> Context:
    return Context(session, SimpleNamespace(taxonomy=_Taxonomy()), Settings(**settings), WorkCalendar(),
                   now=now.astimezone(UTC))


def ask(engine, tg_id: int, text: str, chat_id: int = PRIVATE, chat_type: str = "private", now=NOW, **settings):
    with unit_of_work(engine) as s:
        ctx = context(s, now=now, **settings)
        msg = IncomingMessage(chat_id=chat_id, message_id=77, sender=Sender(tg_id, "x"), chat_type=chat_type,
                              text=text)
        from bot.handlers.router import on_message

        on_message(ctx, msg)
        return ctx.sent


def texts_of(sent) -> str:
    return "\n".join(m.text for m in sent)


def test_a_secretary_never_sees_another_community(engine):
    seed(engine)
    mine = texts_of(ask(engine, SECRETARY_CY, "/digest lastweek"))
    assert "翠苑社区 上周汇总" in mine and "文鼎苑" not in mine and "张伟" not in mine
    refused = ask(engine, SECRETARY_CY, "/digest lastweek wl-community")
    assert len(refused) == 1 and "只能查看翠苑社区" in refused[0].text
    refused = ask(engine, SECRETARY_CY, "/digest week xh-street")
    assert "只能查看" in refused[0].text
    # the other secretary, the grid leader and the street admin
    assert "文鼎苑社区 上周汇总" in texts_of(ask(engine, SECRETARY_WL, "上周汇总"))
    leader = texts_of(ask(engine, LEADER_CY01, "/digest lastweek"))
    assert "翠苑社区第一网格 上周汇总" in leader and "孙丽" not in leader
    assert "只能查看" in ask(engine, LEADER_CY01, "/digest lastweek cy-02")[0].text
    street = texts_of(ask(engine, ADMIN, "/digest lastweek"))
    assert "西湖街道 上周汇总" in street and "新增 7 件" in street
    assert "翠苑社区第二网格 上周汇总" in texts_of(ask(engine, ADMIN, "/digest lastweek cy-02"))
    # a worker and a stranger get no figures
    assert "仅对网格长" in ask(engine, WORKER_LI, "/digest")[0].text
    assert "仅对网格长" in ask(engine, 6999, "本周汇总")[0].text


def test_digest_text_and_chart(engine):
    seed(engine)
    sent = ask(engine, ADMIN, "/digest lastweek")
    text = texts_of(sent)
    assert "新增 7 件｜接单 5｜办结 5｜结案 5｜重办 1" in text
    assert "响应率 66.7%（4/6）｜按期办结率 75.0%（3/4）｜满意率 80.0%（4/5）" in text
    assert "另有默认满意 1 件" in text
    assert "督办：本期黄牌 1 件｜红牌 0 件｜报街道 0 件" in text and "巡查：共 3 次" in text
    assert "接单平均 1小时32分，90% 在 3小时24分 内" in text
    overdue = text.split("【超期督办】")[1]
    assert overdue.index("#20261116-0005") < overdue.index("#20261116-0003")
    assert "受理超期 3天" in overdue and "办结超期 2小时" in overdue
    assert "🟥红牌 🟢 #20261116-0005" in overdue and "🟨黄牌 🟢 #20261116-0003" in overdue
    assert "1. 李明：办结 2（按期 100.0%），接单 2，在办 0，超期 0，巡查 2 次" in text
    assert "📍 翠苑社区第一网格 3号楼：3 件" in text and "🔁 翠苑社区第一网格 环境卫生：3 件" in text
    assert "13912345678" not in text
    photos = [m for m in sent if m.photo_upload]
    assert len(photos) == 1 and len(photos[0].text) <= 1024
    import base64

    png = base64.b64decode(photos[0].photo_upload)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert all(len(m.text) <= 4096 for m in sent)


def test_no_digest_in_the_residents_group(engine):
    seed(engine)
    with unit_of_work(engine) as s:
        s.add(ChatBinding(chat_id=-42, unit_id=Repo(s).unit_by_code("cy-01").id, kind="resident_group"))
    sent = ask(engine, SECRETARY_CY, "本周汇总", chat_id=-42, chat_type="supergroup")
    assert len(sent) == 1 and "不在居民群发布" in sent[0].text


def test_scheduled_digests_fire_once_per_chat_and_period(engine):
    seed(engine)  # World binds the community's and the street's command groups
    monday_0700, monday_0900 = t(23, 7), t(23, 9)
    for now, expected in ((monday_0700, 0), (monday_0900, 4), (monday_0900 + timedelta(minutes=5), 0),
                          (t(23, 15), 0), (t(24, 8, 1), 2), (t(24, 20), 0)):
        with unit_of_work(engine) as s:
            assert digest_service.run_scheduled(context(s, now=now, digest_charts=False)) == expected, now
    with unit_of_work(engine) as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.chat_id == COMMAND_CY)).all()
        bodies = [r.payload for r in rows]
    assert sum("每日定时汇总" in b for b in bodies) == 2 and sum("每周定时汇总" in b for b in bodies) == 1
    assert any("翠苑社区 上周汇总" in b for b in bodies) and any("翠苑社区 昨日汇总" in b for b in bodies)
    with unit_of_work(engine) as s:
        assert s.exec(select(OutboxMessage).where(OutboxMessage.chat_id == STREET,
                                                  OutboxMessage.payload.contains("每周定时汇总"))).first()


def test_a_long_digest_is_split_between_sections():
    sections = ["标题\n" + "甲" * 3000, "乙" * 2000, "\n".join(["丙" * 100] * 60)]
    parts = digest_service.pack(sections)
    assert all(len(p) <= 4096 for p in parts)
    assert parts[0].startswith("标题") and parts[1] == "乙" * 2000
    assert "".join(parts).count("丙") == 6000 and not any(p.startswith("\n") for p in parts)

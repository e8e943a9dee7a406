"""Digest figures on a small seeded week, checked against values computed by hand; scope; the chart;
scheduled digests. On SQLite and PostgreSQL.

The week is Mon 16 – Sun 22 Nov 2026 (Asia/Shanghai); "now" is Mon 23 Nov 10:00. Cases (local times):

  grid   case  category     created      accept_by / accepted       resolve_by / resolved       end
  cy-01  A     environment  16 09:00     17 09:00 / 16 09:30        21 09:00 / 16 13:00         closed 16 15:00 (fixed)
  cy-01  B     environment  17 10:00     17 14:00 / 17 15:00 late   20 10:00 / 19 10:00         reopened 18 12:00, closed 19 12:00
  cy-01  C     property     18 08:00     19 08:00 / 18 09:00        23 08:00 / —                open, overdue now
  cy-01  D     environment  20 20:00     —                          —                           merged 20 21:00
  cy-02  E     order        19 10:00     20 10:00 / —               24 10:00 / —                open, overdue now (accept)
  cy-02  F     environment  21 10:00 red 21 10:30 / 21 10:10        22 10:00 / 21 12:10         closed 22 12:00 (默认满意)
  wl-01  G     environment  16 12:00     17 12:00 / 16 13:00        21 12:00 / 22 12:00 late    closed 22 13:00 (基本满意)
  wl-01  H     environment  14 10:00     15 10:00 / 14 11:00        19 10:00 / 16 10:00         closed 16 12:00 (fixed)
  wl-02  I     other        23 08:00     24 08:00 / —               28 08:00 / —                open (this week)

A, B, C share the place 3号楼.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import SQLModel, select

from bot.handlers.messages import IncomingMessage, Sender
from bot.reports.period import parse_period
from bot.services import digest as digest_service
from bot.services.context import Context
from bot.settings import Settings
from bot.store.db import unit_of_work
from bot.store.repo import Repo
from bot.store.tables import Case, CaseEvent, ChatBinding, OutboxMessage, Unit
from bot.workcalendar import WorkCalendar
from tests.conftest import load_org

TZ = ZoneInfo("Asia/Shanghai")
PATROL = SQLModel.metadata.tables.get("patrol")  # issue 5's table, once the model has it
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
ADMIN, SECRETARY_CY, SECRETARY_WL, LEADER_CY01, WORKER_LI = 5000000001, 5000000011, 5000000021, 5000000103, 5000000101
COMMAND_CY, PRIVATE = -1001000000100, 5000000011


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


# (key, grid, worker tg, category, urgency, created, accept_by, accepted, resolve_by, resolved, closed, state,
#  location, events after open/assign: (time, action, from, to, note))
CASES = [
    ("A", "cy-01", 5000000101, "environment", "green", t(16, 9), t(17, 9), t(16, 9, 30), t(21, 9), t(16, 13),
     t(16, 15), "closed", "3号楼",
     [(t(16, 9, 30), "accept", "assigned", "accepted", ""), (t(16, 13), "resolve", "accepted", "resolved", "已清理"),
      (t(16, 15), "close", "resolved", "closed", "reporter: fixed")]),
    ("B", "cy-01", 5000000101, "environment", "yellow", t(17, 10), t(17, 14), t(17, 15), t(20, 10), t(19, 10),
     t(19, 12), "closed", "3号楼",
     [(t(17, 15), "accept", "assigned", "accepted", ""), (t(18, 10), "resolve", "accepted", "resolved", "已处理"),
      (t(18, 12), "reopen", "resolved", "reopened", "reporter: not fixed"),
      (t(18, 13), "accept", "reopened", "accepted", ""), (t(19, 10), "resolve", "accepted", "resolved", "已处理"),
      (t(19, 12), "close", "resolved", "closed", "reporter: fixed")]),
    ("C", "cy-01", 5000000102, "property", "green", t(18, 8), t(19, 8), t(18, 9), t(23, 8), None, None,
     "accepted", "3号楼", [(t(18, 9), "accept", "assigned", "accepted", "")]),
    ("D", "cy-01", 5000000101, "environment", "green", t(20, 20), t(21, 20), None, t(25, 20), None, None,
     "merged", None, [(t(20, 21), "merge", "assigned", "merged", "same as A")]),
    ("E", "cy-02", 5000000201, "order", "green", t(19, 10), t(20, 10), None, t(24, 10), None, None,
     "assigned", "菜市场", []),
    ("F", "cy-02", 5000000201, "environment", "red", t(21, 10), t(21, 10, 30), t(21, 10, 10), t(22, 10),
     t(21, 12, 10), t(22, 12), "closed", None,
     [(t(21, 10, 10), "accept", "assigned", "accepted", ""), (t(21, 12, 10), "resolve", "accepted", "resolved", ""),
      (t(22, 12), "close", "resolved", "closed", "默认满意（48小时未评价）")]),
    ("G", "wl-01", 5000000301, "environment", "green", t(16, 12), t(17, 12), t(16, 13), t(21, 12), t(22, 12),
     t(22, 13), "closed", None,
     [(t(16, 13), "accept", "assigned", "accepted", ""), (t(22, 12), "resolve", "accepted", "resolved", ""),
      (t(22, 13), "close", "resolved", "closed", "基本满意")]),
    ("H", "wl-01", 5000000301, "environment", "green", t(14, 10), t(15, 10), t(14, 11), t(19, 10), t(16, 10),
     t(16, 12), "closed", None,
     [(t(14, 11), "accept", "assigned", "accepted", ""), (t(16, 10), "resolve", "accepted", "resolved", ""),
      (t(16, 12), "close", "resolved", "closed", "reporter: fixed")]),
    ("I", "wl-02", 5000000401, "other", "green", t(23, 8), t(24, 8), None, t(28, 8), None, None, "assigned",
     None, []),
]


def seed(engine) -> None:
    load_org(engine)
    with unit_of_work(engine) as s:
        repo = Repo(s)
        for i, (key, grid, worker, cat, urg, created, acc_by, acc, res_by, res, clo, state, loc, evs) in \
                enumerate(CASES, 1):
            g = repo.unit_by_code(grid)
            w = repo.person_by_tg(worker)
            case = Case(number=f"20261116-{i:04d}", state=state, category=cat, urgency=urg, text=f"案例{key} 电话13912345678",
                        location=loc, grid_id=g.id, unit_id=g.id, assignee_id=w.id, reporter_tg_id=6000000000 + i,
                        reporter_name="王阿姨", source_chat_id=-100, source_message_id=i, created_at=created,
                        accept_by=acc_by, accepted_at=acc, resolve_by=res_by, resolved_at=res, closed_at=clo,
                        reopen_count=1 if key == "B" else 0)
            s.add(case)
            s.flush()
            s.add(CaseEvent(case_id=case.id, at=created, actor_name="王阿姨", action="open", to_state="new"))
            s.add(CaseEvent(case_id=case.id, at=created, actor_name="系统", action="assign", from_state="new",
                            to_state="assigned"))
            for at, action, a, b, note in evs:
                s.add(CaseEvent(case_id=case.id, at=at, actor_name=w.name, actor_tg_id=worker, action=action,
                                from_state=a, to_state=b, note=note))
        if PATROL is not None:  # issue 5's patrol log: 李明 patrols twice in the week, once the week before
            li, grid = repo.person_by_tg(WORKER_LI), repo.unit_by_code("cy-01")
            s.execute(PATROL.insert(), [dict(person_id=li.id, grid_id=grid.id, at=at, text="巡查", photos="[]")
                                        for at in (t(13, 9), t(17, 9), t(18, 9))])


def compute(engine, code: str, period: str = "lastweek"):
    with unit_of_work(engine) as s:
        unit = s.exec(select(Unit).where(Unit.code == code)).one()
        return digest_service.compute(s, unit, parse_period(period, NOW, TZ), NOW.astimezone(UTC), TZ, Settings())


def test_street_week_figures_match_the_hand_computed_ones(engine):
    seed(engine)
    d = compute(engine, "xh-street")
    assert (d.new, d.accepted, d.resolved, d.closed, d.reopened) == (7, 5, 5, 5, 1)
    assert (d.open_now, d.overdue_now) == (3, 2)
    assert (d.response.num, d.response.den) == (4, 6)  # B accepted late, E never: A C F G on time
    assert (d.resolution.num, d.resolution.den) == (3, 4)  # C and E not yet due at the week's end; G late
    assert dict(d.ratings) == {"satisfied": 3, "basic": 1, "unsatisfied": 1, "default": 1}
    assert (d.satisfaction.num, d.satisfaction.den) == (4, 5)  # 默认满意 apart
    assert d.t_accept.n == 5 and d.t_accept.mean == pytest.approx(5520, abs=1)
    assert d.t_accept.p90 == pytest.approx(12240, abs=1)  # 600 1800 3600 3600 18000 → 3600 + 0.6 × 14400
    assert d.t_resolve.n == 5 and d.t_resolve.mean == pytest.approx(177240, abs=1)
    assert d.t_resolve.p90 == pytest.approx(380160, abs=1)
    assert dict(d.by_category) == {"environment": 5, "property": 1, "order": 1}
    grids = {g.name: g for g in d.grids}
    cy1, cy2, wl1, wl2 = (grids[n] for n in ("翠苑社区第一网格", "翠苑社区第二网格", "文鼎苑社区第一网格", "文鼎苑社区第二网格"))
    assert (cy1.new, cy1.valid, cy1.closed, cy1.open_now, cy1.overdue_now) == (4, 3, 2, 1, 1)
    assert (cy1.response.num, cy1.response.den, cy1.resolution.num, cy1.resolution.den) == (2, 3, 2, 2)
    assert (cy2.new, cy2.closed, cy2.response.num, cy2.response.den, cy2.overdue_now) == (2, 1, 1, 2, 1)
    assert (wl1.new, wl1.resolution.num, wl1.resolution.den) == (1, 0, 1)
    assert (wl2.new, wl2.open_now, wl2.overdue_now) == (0, 1, 0)
    ranking = [(w.name, w.resolved, w.resolved_on_time, w.open_now, w.overdue_now) for w in d.ranking()]
    assert ranking == [("李明", 2, 2, 0, 0), ("张伟", 2, 1, 0, 0), ("孙丽", 1, 1, 1, 1), ("郑磊", 0, 0, 1, 0),
                       ("赵秀英", 0, 0, 1, 1)]
    assert [(o.number[-4:], o.step) for o in d.overdue] == [("0005", "accept"), ("0003", "resolve")]
    assert [(h.kind, h.label, h.count) for h in d.hotspots] == [("place", "3号楼", 3),
                                                               ("category", "environment", 3)]
    if PATROL is None:
        assert d.patrols is None  # nothing records patrols: the digest leaves the line out
    else:
        assert d.patrols == 2 and {w.name: w.patrols for w in d.workers}["李明"] == 2


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


def ask(engine, tg_id: int, text: str, chat_id: int = PRIVATE, chat_type: str = "private", **settings):
    with unit_of_work(engine) as s:
        ctx = context(s, **settings)
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
    assert "接单平均 1小时32分，90% 在 3小时24分 内" in text
    overdue = text.split("【超期督办】")[1]
    assert overdue.index("#20261116-0005") < overdue.index("#20261116-0003")
    assert "受理超期 3天" in overdue and "办结超期 2小时" in overdue
    assert "1. 李明：办结 2（按期 100.0%）" in text
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
    seed(engine)
    with unit_of_work(engine) as s:
        repo = Repo(s)
        s.add(ChatBinding(chat_id=COMMAND_CY, unit_id=repo.unit_by_code("cy-community").id, kind="command_group"))
        s.add(ChatBinding(chat_id=-1001000000900, unit_id=repo.unit_by_code("xh-street").id, kind="command_group"))
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


def test_a_long_digest_is_split_between_sections():
    sections = ["标题\n" + "甲" * 3000, "乙" * 2000, "\n".join(["丙" * 100] * 60)]
    parts = digest_service.pack(sections)
    assert all(len(p) <= 4096 for p in parts)
    assert parts[0].startswith("标题") and parts[1] == "乙" * 2000
    assert "".join(parts).count("丙") == 6000 and not any(p.startswith("\n") for p in parts)

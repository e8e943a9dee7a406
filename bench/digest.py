"""Benchmark: a month digest at street scope, and the xlsx export of that month, over a year of cases.

    python bench/digest.py                          # 1,000,000 cases, 200 grids, SQLite and PostgreSQL
    python bench/digest.py --cases 100000 --db sqlite
    python bench/digest.py --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The data: one street, 10 communities, 200 grids with 2 workers each; cases spread over the year before
`now` (busier grids get more), with a realistic mix: ~1 % merged or rejected, ~6 % reopened once, ~0.5 %
stuck open and overdue (with the 督办 cards and events bot/services/supervision.py writes), the rest accepted,
resolved and closed with log-normal delays; 回访 as bot/services/followup.py logs it (满意 / 基本满意 closes,
不满意 reopens, no answer in 48 h closes as 默认满意). About 6 audit events per case, and one patrol note per
worker on ~80 % of the weekdays. Rows are bulk-inserted
(executemany on SQLite, COPY on PostgreSQL) into a fresh database / schema that is dropped afterwards.
The script prints figures; the goal is a month digest in ≤ 1 s on both databases.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from bot.store.db import make_engine, unit_of_work, upgrade  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
CATEGORIES = ["environment", "facilities", "utilities", "safety", "security", "dispute", "property", "order",
              "traffic", "welfare", "health", "market", "ecology", "other"]
CATEGORY_P = np.array([22, 16, 9, 7, 4, 6, 12, 11, 3, 4, 1.5, 2, 1.5, 1], dtype=float)
URGENCY = ["red", "yellow", "green"]
URGENCY_P = [0.03, 0.27, 0.70]
ACCEPT_WITHIN = {"red": 1800, "yellow": 4 * 3600, "green": 24 * 3600}
RESOLVE_WITHIN = {"red": 24 * 3600, "yellow": 72 * 3600, "green": 120 * 3600}
PLACES = [f"{n}号楼" for n in range(1, 31)] + ["小区南门", "菜市场", "幼儿园门口", "地下车库", "健身广场", "垃圾站"]
CASE_COLS = ["id", "number", "state", "category", "urgency", "confidence", "keywords", "location", "text", "photos",
             "grid_id", "unit_id", "tier", "assignee_id", "reporter_tg_id", "reporter_name", "source_chat_id",
             "source_message_id", "created_at", "accepted_at", "resolved_at", "closed_at", "accept_by",
             "resolve_by", "reopen_count", "card", "card_at", "first_accept_by"]
EVENT_COLS = ["id", "case_id", "at", "actor_tg_id", "actor_name", "action", "from_state", "to_state", "note"]
PATROL_COLS = ["person_id", "grid_id", "at", "text", "photos"]
# 回访 notes as bot/services/followup.py writes them
SATISFIED_NOTE, BASIC_NOTE, UNSATISFIED_NOTE = "满意 (reporter)", "基本满意 (reporter)", "不满意 (reporter)"
DEFAULT_NOTE = "默认满意 default: no answer within 48 h"


# --- organisation ---------------------------------------------------------------------------------------------
def org_rows(grids: int):
    units = [(1, "bench-street", "基准街道", "street", None)]
    people, members = [(1, "街道管理员", None, 9_000_000_001)], [(1, 1, 1, "admin", ""), (2, 1, 1, "secretary", "")]
    communities = max(1, grids // 20)
    for c in range(communities):
        units.append((2 + c, f"bench-c{c:02d}", f"第{c + 1}社区", "community", 1))
    grid_ids, workers = [], {}
    pid, mid = 2, 3
    for g in range(grids):
        uid = 2 + communities + g
        community = min(g // 20, communities - 1)
        units.append((uid, f"bench-g{g:03d}", f"{community + 1}社区第{g - community * 20 + 1}网格", "grid", 2 + community))
        grid_ids.append(uid)
        workers[uid] = []
        for k in range(2):
            people.append((pid, f"网格员{g:03d}{'甲乙'[k]}", None, 9_000_100_000 + pid))
            members.append((mid, pid, uid, "grid_worker", ""))
            workers[uid].append(pid)
            pid, mid = pid + 1, mid + 1
    return units, people, members, grid_ids, workers


def load_org(engine, grids: int):
    units, people, members, grid_ids, workers = org_rows(grids)
    with engine.begin() as c:
        c.execute(text("INSERT INTO unit (id, code, name, kind, parent_id) VALUES (:a, :b, :c, :d, :e)"),
                  [dict(zip("abcde", u, strict=True)) for u in units])
        c.execute(text("INSERT INTO person (id, name, phone, tg_user_id) VALUES (:a, :b, :c, :d)"),
                  [dict(zip("abcd", p, strict=True)) for p in people])
        c.execute(text("INSERT INTO membership (id, person_id, unit_id, role, categories) VALUES (:a, :b, :c, :d, :e)"),
                  [dict(zip("abcde", m, strict=True)) for m in members])
    return grid_ids, workers


# --- cases and their audit events -------------------------------------------------------------------------------
def generate(n: int, grid_ids: list[int], workers: dict[int, list[int]], seed: int = 7):
    """Yield (case rows, event rows) in chunks; times are epoch seconds (UTC)."""
    rng = np.random.default_rng(seed)
    now = NOW.timestamp()
    created = np.sort(rng.uniform(now - 365 * 86400, now, n))
    weights = rng.pareto(3.0, len(grid_ids)) + 1
    grid = rng.choice(np.array(grid_ids), n, p=weights / weights.sum())
    category = rng.choice(len(CATEGORIES), n, p=CATEGORY_P / CATEGORY_P.sum())
    urgency = rng.choice(3, n, p=URGENCY_P)
    has_place = rng.random(n) < 0.6
    place = rng.integers(0, len(PLACES), n)
    fate = rng.random(n)  # < .01 merged, < .02 rejected, < .025 stuck, < .085 reopened once
    acc_delay = rng.lognormal(np.log(1500), 1.1, n)
    res_delay = rng.lognormal(np.log(18 * 3600), 1.0, n)
    answered = rng.random(n) < 0.75
    ans_delay = np.where(answered, rng.lognormal(np.log(3 * 3600), 1.0, n), 48 * 3600.0)
    fix_delay = rng.lognormal(np.log(10 * 3600), 0.8, n)
    worker_pick = rng.integers(0, 2, n)
    basic = rng.random(n) < 0.15
    reporter = rng.integers(6_000_000_000, 6_000_050_000, n)
    case_rows, event_rows = [], []
    eid = 0
    for i in range(n):
        cid = i + 1
        t0 = float(created[i])
        g = int(grid[i])
        u = URGENCY[urgency[i]]
        w = workers[g][int(worker_pick[i])]
        wtg = 9_000_100_000 + w
        ev = [(t0, "open", None, "new", ""), (t0, "assign", "new", "assigned", "")]
        acc = res = clo = card = card_at = None
        state = "assigned"
        reopen_count = 0
        f = fate[i]
        if f < 0.02:
            t = t0 + 3600
            if t <= now:
                state = "merged" if f < 0.01 else "rejected"
                ev.append((t, "merge" if f < 0.01 else "reject", "assigned", state, ""))
        else:
            t = t0 + acc_delay[i]
            if t <= now:
                acc, state = t, "accepted"
                ev.append((t, "accept", "assigned", "accepted", ""))
                t = t + res_delay[i]
                if f < 0.025:  # stuck: overdue, 黄牌 at the deadline, 红牌 a day later (supervision.py)
                    due = t0 + RESOLVE_WITHIN[u]
                    for at, kind, colour in ((due, "yellow_card", "yellow"), (due + 86400, "red_card", "red")):
                        if at <= now:
                            card, card_at = colour, at
                            ev.append((at, kind, "accepted", "accepted", f"{colour} resolve overdue"))
                if f >= 0.025 and t <= now:
                    res, state = t, "resolved"
                    ev.append((t, "resolve", "accepted", "resolved", "已处理"))
                    t = t + ans_delay[i]
                    if f < 0.085 and answered[i] and t <= now:  # not fixed: reopened, fixed again
                        res, state, reopen_count = None, "reopened", 1
                        ev.append((t, "reopen", "resolved", "reopened", UNSATISFIED_NOTE))
                        t = t + 1800
                        if t <= now:
                            state = "accepted"
                            ev.append((t, "accept", "reopened", "accepted", ""))
                            t = t + fix_delay[i]
                            if t <= now:
                                res, state = t, "resolved"
                                ev.append((t, "resolve", "accepted", "resolved", "已处理"))
                                t = t + 3 * 3600
                    if state == "resolved" and t <= now:
                        clo, state = t, "closed"
                        ev.append((t, "close", "resolved", "closed", DEFAULT_NOTE if not answered[i]
                                   else BASIC_NOTE if basic[i] else SATISFIED_NOTE))
        loc = PLACES[place[i]] if has_place[i] else None
        case_rows.append((cid, f"B{cid:09d}", state, CATEGORIES[category[i]], u, 0.8, "", loc, "基准工单", "[]",
                          g, g, "grid", w, int(reporter[i]), "居民", -1_000_000 - g, cid,
                          t0, acc, res, clo, t0 + ACCEPT_WITHIN[u], t0 + RESOLVE_WITHIN[u], reopen_count, card,
                          card_at, t0 + ACCEPT_WITHIN[u]))
        for t, action, a, b, note in ev:
            eid += 1
            actor = (None, "系统") if action in ("open", "yellow_card", "red_card") or note == DEFAULT_NOTE \
                else (wtg, f"网格员{w}")
            event_rows.append((eid, cid, t, actor[0], actor[1], action, a, b, note))
        if len(case_rows) >= 100_000:
            yield case_rows, event_rows
            case_rows, event_rows = [], []
    if case_rows:
        yield case_rows, event_rows


def iso(t: float | None, pg: bool) -> str | None:
    if t is None:
        return None
    s = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return s + "+00" if pg else s


CASE_TIMES = [CASE_COLS.index(c) for c in ("created_at", "accepted_at", "resolved_at", "closed_at", "accept_by",
                                           "resolve_by", "card_at", "first_accept_by")]


def patrol_rows(workers: dict[int, list[int]], seed: int = 11):
    """One patrol note per grid worker on ~80 % of the weekdays of the year, in the morning."""
    rng = np.random.default_rng(seed)
    first = NOW.replace(hour=0, minute=0, second=0, microsecond=0).timestamp() - 365 * 86400
    rows = []
    for day in range(365):
        start = first + day * 86400
        if datetime.fromtimestamp(start, TZ).weekday() >= 5:
            continue
        for grid, people in workers.items():
            for pid in people:
                if rng.random() < 0.8:
                    rows.append((pid, grid, start + 9 * 3600 + float(rng.uniform(0, 7200)), "巡查正常", "[]"))
    return rows


def with_times(row: tuple, idx: list[int], pg: bool) -> tuple:
    row = list(row)
    for k in idx:
        row[k] = iso(row[k], pg)
    return tuple(row)


def load_cases(engine, n: int, grid_ids, workers) -> tuple[int, int]:
    pg = engine.dialect.name == "postgresql"
    raw = engine.raw_connection()
    cases = events = 0
    try:
        cur = raw.cursor()
        if not pg:
            cur.execute("PRAGMA synchronous=OFF")
        for case_rows, event_rows in generate(n, grid_ids, workers):
            crow = [with_times(r, CASE_TIMES, pg) for r in case_rows]
            erow = [with_times(r, [2], pg) for r in event_rows]
            if pg:
                with cur.copy(f"COPY case_ ({', '.join(CASE_COLS)}) FROM STDIN") as cp:
                    for r in crow:
                        cp.write_row(r)
                with cur.copy(f"COPY case_event ({', '.join(EVENT_COLS)}) FROM STDIN") as cp:
                    for r in erow:
                        cp.write_row(r)
            else:
                cur.executemany(f"INSERT INTO case_ ({', '.join(CASE_COLS)}) VALUES "
                                f"({', '.join('?' * len(CASE_COLS))})", crow)
                cur.executemany(f"INSERT INTO case_event ({', '.join(EVENT_COLS)}) VALUES "
                                f"({', '.join('?' * len(EVENT_COLS))})", erow)
            raw.commit()
            cases += len(crow)
            events += len(erow)
            print(f"  … {cases:,} cases, {events:,} events", end="\r", flush=True)
        print()
        prow = [with_times(r, [2], pg) for r in patrol_rows(workers)]
        if pg:
            with cur.copy(f"COPY patrol ({', '.join(PATROL_COLS)}) FROM STDIN") as cp:
                for r in prow:
                    cp.write_row(r)
        else:
            cur.executemany(f"INSERT INTO patrol ({', '.join(PATROL_COLS)}) VALUES (?, ?, ?, ?, ?)", prow)
        raw.commit()
        print(f"  … {len(prow):,} patrol notes")
        if pg:
            for table in ("case_", "case_event", "unit", "person", "membership", "patrol"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))")
            raw.commit()
            raw.driver_connection.autocommit = True  # VACUUM runs outside a transaction; the pool gets it back as it was
            try:
                cur.execute("VACUUM ANALYZE")
            finally:
                raw.driver_connection.autocommit = False
        else:
            cur.execute("ANALYZE")
            raw.commit()
    finally:
        raw.close()
    return cases, events


# --- the measured work -------------------------------------------------------------------------------------------
def measure(engine, runs: int, export_dir: Path, export_xlsx: bool = True) -> dict[str, float]:
    from sqlmodel import select

    from bot.reports.period import parse_period
    from bot.services import digest as digest_service
    from bot.settings import Settings
    from bot.store.tables import Unit

    settings = Settings()
    period = parse_period("lastmonth", NOW, TZ)
    out: dict[str, float] = {}
    with unit_of_work(engine) as s:
        street = s.exec(select(Unit).where(Unit.kind == "street")).first()
    times, render = [], []
    for _ in range(runs):
        with unit_of_work(engine) as s:
            t = time.perf_counter()
            d = digest_service.compute(s, street, period, NOW.astimezone(UTC), TZ, settings)
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            digest_service.render_text(d, s, settings)
            render.append(time.perf_counter() - t)
    out["digest_first_s"], out["digest_median_s"] = times[0], statistics.median(times)
    out["render_text_s"] = statistics.median(render)
    print(f"  month digest at street scope ({period.first_day}..{period.last_day}): first {times[0]:.3f} s, "
          f"median of {runs} {statistics.median(times):.3f} s; text {statistics.median(render) * 1000:.0f} ms")
    print(f"    new {d.new:,}, accepted {d.accepted:,}, resolved {d.resolved:,}, closed {d.closed:,}, "
          f"reopened {d.reopened:,}, open now {d.open_now:,}, overdue now {d.overdue_now:,}")
    print(f"    响应率 {d.response.percent()}, 按期办结率 {d.resolution.percent()}, 满意率 {d.satisfaction.percent()}"
          f" (默认满意 {d.default_satisfied:,}); 督办 {dict(d.cards)}; patrols {d.patrols:,}")
    t = time.perf_counter()
    png = digest_service.chart_png(d, settings)
    out["chart_s"] = time.perf_counter() - t
    print(f"  chart: {out['chart_s']:.2f} s, {len(png or b'') // 1024} KiB")
    if not export_xlsx:
        return out

    from bot.reports.export import export

    target = export_dir / f"month-{engine.dialect.name}.xlsx"
    t = time.perf_counter()
    summary = export(engine, fmt="xlsx", output=target, first_day=period.first_day, last_day=period.last_day,
                     unit_code=None, settings=settings)
    out["export_xlsx_s"] = time.perf_counter() - t
    print(f"  xlsx export of the month: {out['export_xlsx_s']:.1f} s, {summary.cases:,} cases, "
          f"{summary.events:,} events, {target.stat().st_size / 1e6:.1f} MB")
    return out


def bench_sqlite(args) -> dict[str, float]:
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="gridbot-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.db"
    if path.exists() and not args.reuse:
        path.unlink()
    engine = make_engine(f"sqlite:///{path}")
    return run(engine, args, folder, f"SQLite {path}", reuse=args.reuse and path.exists())


def bench_pg(args) -> dict[str, float]:
    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(args.pg_url)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in args.pg_url else "?"
    engine = make_engine(f"{args.pg_url}{sep}options=-csearch_path%3D{schema}")
    folder = Path(tempfile.mkdtemp(prefix="gridbot-bench-"))
    try:
        return run(engine, args, folder, f"PostgreSQL schema {schema}")
    finally:
        engine.dispose()
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(engine, args, folder: Path, label: str, reuse: bool = False) -> dict[str, float]:
    upgrade(engine)
    with engine.connect() as c:
        have = c.execute(text("SELECT count(*) FROM case_")).scalar_one()
    if reuse and have:
        print(f"{label}: reusing {have:,} cases")
        load_s = 0.0
    else:
        print(f"{label}: {args.cases:,} cases over a year in {args.grids} grids")
        grid_ids, workers = load_org(engine, args.grids)
        t = time.perf_counter()
        cases, events = load_cases(engine, args.cases, grid_ids, workers)
        load_s = time.perf_counter() - t
        print(f"  generated and loaded {cases:,} cases and {events:,} events in {load_s:.0f} s "
              f"({(cases + events) / load_s:,.0f} rows/s)")
    out = measure(engine, args.runs, folder, export_xlsx=not args.no_export)
    out["load_s"] = load_s
    engine.dispose()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--grids", type=int, default=200)
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--runs", type=int, default=5, help="digest runs to time (the first is cold)")
    p.add_argument("--no-export", action="store_true", help="time the digest and chart only (the export of a "
                                                             "month of 1M cases takes minutes)")
    p.add_argument("--pg-url", default=os.environ.get("GRIDBOT_TEST_PG",
                                                      "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    p.add_argument("--keep", help="SQLite: build the database in this folder and keep it")
    p.add_argument("--reuse", action="store_true", help="SQLite: measure the database kept in --keep again")
    args = p.parse_args()
    results = {}
    if args.db in ("sqlite", "both"):
        results["sqlite"] = bench_sqlite(args)
    if args.db in ("postgresql", "both"):
        results["postgresql"] = bench_pg(args)
    print("\nsummary (seconds):")
    for db, r in results.items():
        goal = "ok" if r["digest_median_s"] <= 1.0 else "OVER the 1 s goal"
        print(f"  {db:10s} digest {r['digest_median_s']:.3f} (first {r['digest_first_s']:.3f}) {goal}; "
              f"chart {r['chart_s']:.2f}; xlsx export {r.get('export_xlsx_s', float('nan')):.1f}; "
              f"load {r['load_s']:.0f}")


if __name__ == "__main__":
    main()

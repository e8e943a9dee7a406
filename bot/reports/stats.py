"""Reading a digest's figures from the database: a handful of aggregate queries over indexed columns.

Every query is scoped by the grids under the asker's unit (cases belong to the grid they were reported in)
and, apart from "open now", bounded by the period on an indexed timestamp (migration 0003 adds the
(grid_id, timestamp) indexes), so a month at street scope reads only that month's rows.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Executable, Integer, and_, bindparam, case, distinct, func, literal_column, or_, select
from sqlalchemy.orm import Session

from bot.domain.case import OPEN_STATES, CaseState
from bot.domain.roles import Role
from bot.reports.figures import (
    ACCEPT_STATES,
    BASIC,
    DEFAULT,
    INVALID_STATES,
    RATING_ACTIONS,
    RATING_LABELS,
    RESOLVE_STATES,
    SATISFIED,
    SUPERVISION_ACTIONS,
    UNSATISFIED,
    Digest,
    Durations,
    GridRow,
    Hotspot,
    OverdueCase,
    WorkerRow,
)
from bot.store.tables import Case, CaseEvent, Membership, Patrol, Person, Unit

C = Case.__table__.c
E = CaseEvent.__table__.c
P = Patrol.__table__.c
CASE_T, EVENT_T = Case.__table__, CaseEvent.__table__
OPEN = sorted(s.value for s in OPEN_STATES)
ACCEPTING = list(ACCEPT_STATES)  # the accept clock runs: not signed for (again) yet
RESOLVING = list(RESOLVE_STATES)  # the resolve clock runs: work still owed
READERS = 3  # connections that read one digest's queries side by side


def seconds_between(later, earlier, dialect: str):
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def hour_bucket(column, dialect: str):
    """Whole hours since 1970 (UTC); Python turns hours into local days, right in any time zone."""
    if dialect == "sqlite":
        return func.cast((func.julianday(column) - 2440587.5) * 24, Integer)
    return func.cast(func.floor(func.extract("epoch", column) / 3600), Integer)


def histogram(seconds, where):
    """A per-minute histogram of durations, made in the database: a few thousand rows instead of every case."""
    minute = func.cast(seconds / 60, Integer)
    return select(minute, func.count(), func.sum(seconds)).where(where).group_by(minute).order_by(minute)


def durations(rows) -> Durations:
    """Count, mean and 90th percentile from the rows of `histogram`. The mean is exact; the percentile
    interpolates between the mean values of the minutes that hold the two closest ranks, exact to the minute
    (the digest shows minutes)."""
    n = sum(r[1] for r in rows)
    if not n:
        return Durations()
    total = sum(float(r[2]) for r in rows)
    pos = (n - 1) * 0.9
    lo = math.floor(pos)

    def value_at(rank: int) -> float:
        seen = 0
        for _, count, sum_s in rows:
            seen += count
            if rank < seen:
                return float(sum_s) / count
        return float(rows[-1][2]) / rows[-1][1]

    low, high = value_at(lo), value_at(min(lo + 1, n - 1))
    return Durations(n, max(0.0, total / n), max(0.0, low + (high - low) * (pos - lo)))


def read_all(session: Session, statements: dict[str, Executable]) -> dict[str, list]:
    """Run independent read-only queries at once, each on a connection of its own (SQLite in WAL mode and
    PostgreSQL both serve concurrent readers, and the drivers let go of the GIL while a query runs): a street's
    month is a handful of scans of ~85,000 rows each, and on two cores they take about half the time side by
    side. The extra connections see what is committed, which is all a digest reads. An in-memory SQLite
    database is one connection's own, so there the queries run one after the other on the session."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite" and bind.url.database in (None, "", ":memory:"):
        return {key: session.execute(stmt).all() for key, stmt in statements.items()}

    def run(stmt: Executable) -> list:
        with bind.connect() as conn:
            return conn.execute(stmt).all()

    with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="digest") as pool:
        futures = {key: pool.submit(run, stmt) for key, stmt in statements.items()}
        return {key: f.result() for key, f in futures.items()}


def scope_units(units: dict[int, Unit], unit_id: int) -> list[int]:
    """The unit and everything below it."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for u in units.values():
        children[u.parent_id].append(u.id)
    out, frontier = [unit_id], [unit_id]
    while frontier:
        frontier = [c for p in frontier for c in children.get(p, [])]
        out.extend(frontier)
    return out


def overdue_condition(now: datetime):
    """Open and past the deadline of a clock that runs: the rule the 督办 sweeper acts on."""
    return or_(
        and_(C.state.in_(ACCEPTING), C.accept_by.is_not(None), C.accept_by < now),
        and_(C.state.in_(RESOLVING), C.resolve_by.is_not(None), C.resolve_by < now),
    )


def ratings_query(start: datetime, end: datetime, scope=None):
    """The 回访 ratings given in [start, end): per rating, the cases that got it. 默认满意 counts only for a
    case with no explicit rating in the period (a late rating replaces it, as followup.rate does)."""
    # the action list as literals: the partial index ix_case_event_rating is used only for the same predicate
    actions = E.action.in_(bindparam("rating_actions", list(RATING_ACTIONS), expanding=True, literal_execute=True))
    flags = [func.max(case((E.note.like(label + "%"), 1), else_=0)).label(kind) for kind, label in RATING_LABELS.items()]
    per_case = select(E.case_id, *flags).where(actions, E.at >= start, E.at < end)
    if scope is not None:  # else every event is in scope: no case lookup per event
        per_case = per_case.select_from(EVENT_T.join(CASE_T, C.id == E.case_id)).where(scope)
    r = per_case.group_by(E.case_id).subquery()
    explicit = r.c[SATISFIED] + r.c[BASIC] + r.c[UNSATISFIED]
    return select(func.sum(r.c[SATISFIED]), func.sum(r.c[BASIC]), func.sum(r.c[UNSATISFIED]),
                  func.sum(case((and_(r.c[DEFAULT] == 1, explicit == 0), 1), else_=0)))


def rating_counts(row) -> dict[str, int]:
    return {kind: int(n or 0) for kind, n in zip((SATISFIED, BASIC, UNSATISFIED, DEFAULT), row, strict=True)}


def compute(session: Session, unit: Unit, *, start: datetime, end: datetime, now: datetime, tz: ZoneInfo,
            period_key: str, hotspot_min: int = 3, overdue_limit: int = 15) -> Digest:
    dialect = session.get_bind().dialect.name
    units = {u.id: u for u in session.execute(select(Unit)).scalars()}
    scope = scope_units(units, unit.id)
    grid_ids = [i for i in scope if units[i].kind == "grid"] or [unit.id]
    as_of = min(end, now)
    d = Digest(unit.id, unit.name, unit.kind, period_key, start, end, now)
    in_scope = C.grid_id.in_(grid_ids)
    created = and_(in_scope, C.created_at >= start, C.created_at < end)

    grids = {g: GridRow(g, units[g].name, _parent_name(units, g)) for g in grid_ids}
    workers: dict[int, WorkerRow] = {}

    def worker(pid: int | None) -> WorkerRow | None:
        if pid is None:
            return None
        if pid not in workers:
            workers[pid] = WorkerRow(pid, "")
        return workers[pid]

    # every query below is independent of the others: built first, read side by side (read_all)
    # 1. the cohort created in the period: counts, and how many were due / on time for each deadline
    # 响应率 against the first accept clock: a reopen or transfer restarts accept_by, not the first response
    acc_on = func.sum(case((and_(C.accepted_at.is_not(None),
                                 or_(C.first_accept_by.is_(None), C.accepted_at <= C.first_accept_by)), 1), else_=0))
    acc_due = func.sum(case((or_(C.accepted_at.is_not(None), C.first_accept_by <= as_of), 1), else_=0))
    res_on = func.sum(case((and_(C.resolved_at.is_not(None),
                                 or_(C.resolve_by.is_(None), C.resolved_at <= C.resolve_by)), 1), else_=0))
    res_due = func.sum(case((or_(C.resolved_at.is_not(None), C.resolve_by <= as_of), 1), else_=0))
    queries: dict[str, Executable] = {
        "cohort": select(C.grid_id, C.category, C.state, func.count(), acc_on, acc_due, res_on, res_due)
        .where(created).group_by(C.grid_id, C.category, C.state)}
    # 2. new cases per local day and category (for the chart)
    bucket = hour_bucket(C.created_at, dialect)
    queries["daily"] = select(bucket, C.category, func.count()).where(created).group_by(bucket, C.category)
    # 3. flows: accepted, resolved, closed in the period, with the time each step took
    accepted = and_(in_scope, C.accepted_at >= start, C.accepted_at < end)
    resolved = and_(in_scope, C.resolved_at >= start, C.resolved_at < end)
    on_time = case((or_(C.resolve_by.is_(None), C.resolved_at <= C.resolve_by), 1), else_=0)
    queries["accepted_by"] = select(C.assignee_id, func.count()).where(accepted).group_by(C.assignee_id)
    queries["t_accept"] = histogram(seconds_between(C.accepted_at, C.created_at, dialect), accepted)
    queries["resolved_by"] = (select(C.assignee_id, func.count(), func.sum(on_time))
                              .where(resolved).group_by(C.assignee_id))
    queries["t_resolve"] = histogram(seconds_between(C.resolved_at, C.created_at, dialect), resolved)
    # 结案: closed in P (a merge or a rejection sets closed_at too, and is no closure)
    queries["closed"] = select(func.count()).where(in_scope, C.closed_at >= start, C.closed_at < end,
                                                   C.state == CaseState.CLOSED.value)
    # 4. the audit log: reopened cases, 回访 ratings and 督办 notices in the period
    joined = EVENT_T.join(CASE_T, C.id == E.case_id)
    queries["reopened"] = select(func.count(distinct(E.case_id))).select_from(joined).where(
        E.action == "reopen", E.at >= start, E.at < end, in_scope)
    queries["ratings"] = ratings_query(start, end, None if _whole_database(session, grid_ids) else in_scope)
    queries["cards"] = (select(E.action, func.count(distinct(E.case_id))).select_from(joined)
                        .where(E.action.in_(SUPERVISION_ACTIONS), E.at >= start, E.at < end, in_scope)
                        .group_by(E.action))
    # 5. now: open and overdue cases, per grid and worker, and the most overdue ones
    overdue = overdue_condition(now)
    # open cases are few, but SQLite's statistics assume states are equally common: tell it, so it reads
    # the (state, grid) index instead of every case of the scope
    is_open = C.state.in_(OPEN)
    open_in_scope = and_(func.likelihood(is_open, literal_column("0.01")) if dialect == "sqlite" else is_open, in_scope)
    queries["open"] = (select(C.grid_id, C.assignee_id, func.count(), func.sum(case((overdue, 1), else_=0)))
                       .where(open_in_scope).group_by(C.grid_id, C.assignee_id))
    missed = case((C.state.in_(ACCEPTING) & (C.accept_by < now), C.accept_by), else_=C.resolve_by)
    queries["overdue"] = (select(C.id, C.number, C.grid_id, C.assignee_id, C.state, C.urgency, C.accept_by,
                                 C.resolve_by, C.card, missed.label("missed"))
                          .where(open_in_scope, overdue).order_by(missed, C.id).limit(overdue_limit))
    # 6. hotspots: places reported again and again (categories that pile up in one grid: from the cohort)
    queries["places"] = (select(C.grid_id, C.location, func.count(), func.min(C.category))
                         .where(created, C.location.is_not(None), C.location != "")
                         .group_by(C.grid_id, C.location).having(func.count() >= 2)
                         .order_by(func.count().desc(), C.grid_id).limit(5))
    got = read_all(session, queries)

    per_grid_category: Counter = Counter()
    for grid_id, category, state, n, a_on, a_due, r_on, r_due in got["cohort"]:
        row = grids.setdefault(grid_id, GridRow(grid_id, units[grid_id].name if grid_id in units else "?"))
        d.new += n
        row.new += n
        d.by_category[category] += n
        per_grid_category[(grid_id, category)] += n
        if state in INVALID_STATES:
            continue
        row.valid += n
        if state == CaseState.CLOSED.value:
            row.closed += n
        row.response.add(int(a_on or 0), int(a_due or 0))
        row.resolution.add(int(r_on or 0), int(r_due or 0))
    for row in grids.values():
        d.response.add(row.response.num, row.response.den)
        d.resolution.add(row.resolution.num, row.resolution.den)

    day_of: dict[int, date] = {}
    for hour, category, n in got["daily"]:
        if hour not in day_of:
            day_of[hour] = datetime.fromtimestamp(int(hour) * 3600, UTC).astimezone(tz).date()
        d.daily.setdefault(day_of[hour], Counter())[category] += n

    for pid, n in got["accepted_by"]:
        if (w := worker(pid)) is not None:
            w.accepted += n
    d.t_accept = durations(got["t_accept"])
    d.accepted = d.t_accept.n
    for pid, n, ok in got["resolved_by"]:
        if (w := worker(pid)) is not None:
            w.resolved += n
            w.resolved_on_time += int(ok or 0)
    d.t_resolve = durations(got["t_resolve"])
    d.resolved = d.t_resolve.n
    d.closed = got["closed"][0][0]

    d.reopened = got["reopened"][0][0]
    d.ratings.update(rating_counts(got["ratings"][0]))
    d.satisfaction.add(d.ratings[SATISFIED] + d.ratings[BASIC],
                       d.ratings[SATISFIED] + d.ratings[BASIC] + d.ratings[UNSATISFIED])
    for action, n in got["cards"]:
        d.cards[action] = n

    for grid_id, pid, n, late in got["open"]:
        late = int(late or 0)
        d.open_now += n
        d.overdue_now += late
        if grid_id in grids:
            grids[grid_id].open_now += n
            grids[grid_id].overdue_now += late
        if (w := worker(pid)) is not None:
            w.open_now += n
            w.overdue_now += late
    rows = got["overdue"]
    names = _names(session, {r.assignee_id for r in rows} | set(workers))
    for r in rows:
        step = "accept" if r.state in ACCEPTING and r.accept_by is not None and r.accept_by < now else "resolve"
        d.overdue.append(OverdueCase(r.id, r.number, r.grid_id, names.get(r.assignee_id, ""), r.state, r.urgency,
                                     step, r.accept_by if step == "accept" else r.resolve_by, r.card))

    for grid_id, location, n, category in got["places"]:
        d.hotspots.append(Hotspot("place", grid_id, location, category, n))
    for (grid_id, category), n in sorted(per_grid_category.items(), key=lambda kv: (-kv[1], kv[0]))[:5]:
        if n >= hotspot_min:
            d.hotspots.append(Hotspot("category", grid_id, category, category, n))

    # 7. patrols logged in the period (/patrol), and every grid worker of the scope, active or not
    for pid, n in patrols(session, grid_ids, start, end).items():
        if (w := worker(pid)) is not None:
            w.patrols += n
            d.patrols += n
    members = session.execute(select(Membership.person_id).where(
        Membership.unit_id.in_(grid_ids), Membership.role == Role.GRID_WORKER.value)).scalars()
    for pid in members:
        worker(pid)
    names.update(_names(session, set(workers) - set(names)))
    for pid, w in workers.items():
        w.name = names.get(pid, f"#{pid}")
    d.workers = list(workers.values())
    d.grids = sorted(grids.values(), key=lambda g: (g.community, g.name))
    return d


def patrols(session: Session, grid_ids: list[int], start: datetime, end: datetime) -> dict[int, int]:
    """Patrol notes logged in the grids in [start, end), per person."""
    q = (select(P.person_id, func.count()).where(P.grid_id.in_(grid_ids), P.at >= start, P.at < end)
         .group_by(P.person_id))
    return dict(session.execute(q).all())


def _whole_database(session: Session, grid_ids: list[int]) -> bool:
    """The scope holds every grid there is (a single-street deployment asked at street level)."""
    total = session.execute(select(func.count()).select_from(Unit.__table__).where(Unit.kind == "grid")).scalar_one()
    return len(set(grid_ids)) >= total


def _parent_name(units: dict[int, Unit], unit_id: int) -> str:
    parent = units.get(units[unit_id].parent_id) if units[unit_id].parent_id else None
    return parent.name if parent else ""


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())

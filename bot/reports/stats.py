"""Reading a digest's figures from the database: a handful of aggregate queries over indexed columns.

Every query is scoped by the grids under the asker's unit (cases belong to the grid they were reported in)
and, apart from "open now", bounded by the period on an indexed timestamp (migration 0003 adds the
(grid_id, timestamp) indexes), so a month at street scope reads only that month's rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from bot.domain.case import OPEN_STATES, WORKING_STATES, CaseState
from bot.domain.roles import Role
from bot.reports import extras
from bot.reports.figures import (
    BASIC,
    INVALID_STATES,
    RATING_ACTIONS,
    SATISFIED,
    UNSATISFIED,
    Digest,
    Durations,
    GridRow,
    Hotspot,
    OverdueCase,
    WorkerRow,
    card_of,
    rating_of,
)
from bot.store.tables import Case, CaseEvent, Membership, Person, Unit

C = Case.__table__.c
E = CaseEvent.__table__.c
CASE_T, EVENT_T = Case.__table__, CaseEvent.__table__
OPEN = sorted(s.value for s in OPEN_STATES)
WORKING = sorted(s.value for s in WORKING_STATES)
NOT_ACCEPTED = [CaseState.NEW.value, CaseState.ASSIGNED.value]


def seconds_between(later, earlier, dialect: str):
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def hour_bucket(column, dialect: str):
    """The UTC hour of a timestamp as 'YYYY-MM-DD HH'; Python turns hours into local days (any zone)."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H", column)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")


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
    """Open and past a deadline the worker still owes: the same rule as the case loop's digest."""
    return or_(
        and_(C.state.in_(NOT_ACCEPTED), C.accept_by.is_not(None), C.accept_by < now),
        and_(C.state.in_(WORKING), C.resolve_by.is_not(None), C.resolve_by < now),
    )


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

    # 1. the cohort created in the period: counts, and how many were due / on time for each deadline
    acc_on = func.sum(case((and_(C.accepted_at.is_not(None),
                                 or_(C.accept_by.is_(None), C.accepted_at <= C.accept_by)), 1), else_=0))
    acc_due = func.sum(case((or_(C.accepted_at.is_not(None), C.accept_by <= as_of), 1), else_=0))
    res_on = func.sum(case((and_(C.resolved_at.is_not(None),
                                 or_(C.resolve_by.is_(None), C.resolved_at <= C.resolve_by)), 1), else_=0))
    res_due = func.sum(case((or_(C.resolved_at.is_not(None), C.resolve_by <= as_of), 1), else_=0))
    q = (select(C.grid_id, C.category, C.state, func.count(), acc_on, acc_due, res_on, res_due)
         .where(created).group_by(C.grid_id, C.category, C.state))
    per_grid_category: Counter = Counter()
    for grid_id, category, state, n, a_on, a_due, r_on, r_due in session.execute(q):
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

    # 2. new cases per local day and category (for the chart)
    bucket = hour_bucket(C.created_at, dialect)
    for hour, category, n in session.execute(
            select(bucket, C.category, func.count()).where(created).group_by(bucket, C.category)):
        day = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(tz).date()
        d.daily.setdefault(day, Counter())[category] += n

    # 3. flows: accepted, resolved, closed in the period, with the time each step took
    acc_secs: list[float] = []
    for pid, secs in session.execute(
            select(C.assignee_id, seconds_between(C.accepted_at, C.created_at, dialect))
            .where(in_scope, C.accepted_at >= start, C.accepted_at < end)):
        acc_secs.append(float(secs))
        if (w := worker(pid)) is not None:
            w.accepted += 1
    d.accepted, d.t_accept = len(acc_secs), Durations.of(acc_secs)
    res_secs: list[float] = []
    on_time = case((or_(C.resolve_by.is_(None), C.resolved_at <= C.resolve_by), 1), else_=0)
    for pid, secs, ok in session.execute(
            select(C.assignee_id, seconds_between(C.resolved_at, C.created_at, dialect), on_time)
            .where(in_scope, C.resolved_at >= start, C.resolved_at < end)):
        res_secs.append(float(secs))
        if (w := worker(pid)) is not None:
            w.resolved += 1
            w.resolved_on_time += int(ok)
    d.resolved, d.t_resolve = len(res_secs), Durations.of(res_secs)
    d.closed = session.execute(select(func.count()).where(in_scope, C.closed_at >= start,
                                                         C.closed_at < end)).scalar_one()

    # 4. the audit log: reopened cases and ratings given in the period
    q = (select(E.action, E.note, func.count(), func.count(distinct(E.case_id)))
         .select_from(EVENT_T.join(CASE_T, C.id == E.case_id))
         .where(E.action.in_(RATING_ACTIONS), E.at >= start, E.at < end, in_scope)
         .group_by(E.action, E.note))
    for action, note, n, n_cases in session.execute(q):
        if action == "reopen":
            d.reopened += n_cases
        rating = rating_of(action, note)
        if rating:
            d.ratings[rating] += n
    extra = extras.ratings(session, in_scope, start, end)  # issue 5's satisfaction field, once it exists
    if extra is not None:
        d.ratings = extra
    d.satisfaction.add(d.ratings[SATISFIED] + d.ratings[BASIC],
                       d.ratings[SATISFIED] + d.ratings[BASIC] + d.ratings[UNSATISFIED])

    # 5. now: open and overdue cases, per grid and worker, and the most overdue ones
    overdue = overdue_condition(now)
    for grid_id, pid, n, late in session.execute(
            select(C.grid_id, C.assignee_id, func.count(), func.sum(case((overdue, 1), else_=0)))
            .where(in_scope, C.state.in_(OPEN)).group_by(C.grid_id, C.assignee_id)):
        late = int(late or 0)
        d.open_now += n
        d.overdue_now += late
        if grid_id in grids:
            grids[grid_id].open_now += n
            grids[grid_id].overdue_now += late
        if (w := worker(pid)) is not None:
            w.open_now += n
            w.overdue_now += late
    missed = case((C.state.in_(NOT_ACCEPTED) & (C.accept_by < now), C.accept_by), else_=C.resolve_by)
    rows = session.execute(
        select(C.id, C.number, C.grid_id, C.assignee_id, C.state, C.urgency, C.accept_by, C.resolve_by,
               missed.label("missed"), *extras.card_columns())
        .where(in_scope, C.state.in_(OPEN), overdue).order_by(missed, C.id).limit(overdue_limit)).all()
    names = _names(session, {r.assignee_id for r in rows} | set(workers))
    for r in rows:
        step = "accept" if r.state in NOT_ACCEPTED and r.accept_by is not None and r.accept_by < now else "resolve"
        d.overdue.append(OverdueCase(r.id, r.number, r.grid_id, names.get(r.assignee_id, ""), r.state, r.urgency,
                                     step, r.accept_by if step == "accept" else r.resolve_by,
                                     extras.card_from_row(r)))
    _cards_from_events(session, d.overdue)

    # 6. hotspots: places reported again and again, and categories that pile up in one grid
    for grid_id, location, n, category in session.execute(
            select(C.grid_id, C.location, func.count(), func.min(C.category))
            .where(created, C.location.is_not(None), C.location != "")
            .group_by(C.grid_id, C.location).having(func.count() >= 2)
            .order_by(func.count().desc(), C.grid_id).limit(5)):
        d.hotspots.append(Hotspot("place", grid_id, location, category, n))
    for (grid_id, category), n in sorted(per_grid_category.items(), key=lambda kv: (-kv[1], kv[0]))[:5]:
        if n >= hotspot_min:
            d.hotspots.append(Hotspot("category", grid_id, category, category, n))

    # 7. patrols (issue 5) and every grid worker of the scope, active or not
    for pid, n in (extras.patrols(session, grid_ids, start, end) or {}).items():
        if (w := worker(pid)) is not None:
            w.patrols += n
    d.patrols = extras.patrol_total(session, grid_ids, start, end)
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


def _parent_name(units: dict[int, Unit], unit_id: int) -> str:
    parent = units.get(units[unit_id].parent_id) if units[unit_id].parent_id else None
    return parent.name if parent else ""


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())


def _cards_from_events(session: Session, items: list[OverdueCase]) -> None:
    """Until cases carry a card colour of their own, the latest 督办 event says which card was shown."""
    need = {o.case_id: o for o in items if o.card is None}
    if not need:
        return
    from bot.reports.figures import CARD_ACTIONS

    q = (select(E.case_id, E.action, E.note).where(E.case_id.in_(need), E.action.in_(CARD_ACTIONS))
         .order_by(E.id))
    for case_id, action, note in session.execute(q):
        card = card_of(action, note)
        if card:
            need[case_id].card = card

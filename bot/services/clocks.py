"""The clocks of a case and the deadline rows that make the bot act on its own.

accept_by / resolve_by come from category × urgency (config/categories.yaml) and count Chinese working
days ("3wd") with working hours from settings. Each running clock becomes rows in `deadline` — the 75 %
reminder and the 督办 ladder — and a resolved case gets its 回访 timeout; bot/scheduler sweeps them.
Rows are planned again after every transition, so a moved deadline cancels the rows of the old one.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import and_, col, insert, or_, select

from bot.domain.case import Action, CaseState
from bot.domain.deadlines import due_at, next_working_moment
from bot.domain.supervision import ACCEPT, milestones, step_of_state
from bot.services.context import Actor, Context
from bot.store.tables import Case, Deadline

FOLLOWUP = "followup"


def _hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def work_hours(ctx: Context) -> tuple[time, time]:
    return _hm(ctx.settings.work_start), _hm(ctx.settings.work_end)


def due(ctx: Context, start: datetime, spec: str) -> datetime:
    """When a duration spec that starts at `start` ends, on Chinese working days and hours."""
    opening, closing = work_hours(ctx)
    return due_at(start, spec, ctx.calendar.is_workday, ctx.tz, opening, closing).astimezone(UTC)


def specs(ctx: Context, case: Case) -> tuple[str, str]:
    return ctx.classifier.taxonomy.deadlines(case.category, case.subcategory, case.urgency)


def set_deadlines(ctx: Context, case: Case, start: datetime | None = None, *, accept: bool = True,
                  resolve: bool = True) -> None:
    """Start the clocks (both at intake and after a reopen; only accept when a new owner must sign)."""
    start = start or ctx.now
    accept_spec, resolve_spec = specs(ctx, case)
    if accept:
        case.accept_from, case.accept_by = start, due(ctx, start, accept_spec)
        case.first_accept_by = case.first_accept_by or case.accept_by  # a restarted clock keeps the first
    if resolve:
        case.resolve_from, case.resolve_by = start, due(ctx, start, resolve_spec)


def recompute(ctx: Context, case: Case, actor: Actor | None, reason: str) -> None:
    """Category or urgency changed: the same clocks, counted with the new durations (logged)."""
    before = (case.accept_by, case.resolve_by)
    accept_spec, resolve_spec = specs(ctx, case)
    case.accept_from = case.accept_from or case.created_at
    case.resolve_from = case.resolve_from or case.created_at
    case.accept_by = due(ctx, case.accept_from, accept_spec)
    case.resolve_by = due(ctx, case.resolve_from, resolve_spec)
    if case.accepted_at is None and case.accept_from == case.created_at:
        case.first_accept_by = case.accept_by  # the first clock itself was recounted
    if before != (case.accept_by, case.resolve_by):
        note = (f"{reason}: accept_by {ctx.local(before[0])} → {ctx.local(case.accept_by)} ({accept_spec}); "
                f"resolve_by {ctx.local(before[1])} → {ctx.local(case.resolve_by)} ({resolve_spec})")
        ctx.log(case.id, actor, "deadline", case.state, case.state, note)
    replan(ctx, case)


def after_move(ctx: Context, case: Case, action: Action) -> None:
    """Called by every transition: restart the clocks it restarts, then plan the rows again."""
    if action == Action.TRANSFER:
        set_deadlines(ctx, case, accept=True, resolve=False)  # the new owner signs within the accept time
    elif action == Action.REOPEN:
        set_deadlines(ctx, case)  # 复核: the work starts again
    replan(ctx, case)


# --- deadline rows -----------------------------------------------------------------------------------------
def _iso(t: datetime) -> str:
    return aware(t).astimezone(UTC).strftime("%Y%m%dT%H%M%S")


def aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def step_due(case: Case, step: str) -> datetime | None:
    return case.accept_by if step == ACCEPT else case.resolve_by


def step_start(case: Case, step: str) -> datetime:
    start = case.accept_from if step == ACCEPT else case.resolve_from
    return aware(start or case.created_at)


def notice_time(ctx: Context, case: Case, t: datetime) -> datetime:
    """Red cases are supervised at any hour; the others wait for working hours (no 督办 at midnight)."""
    if case.urgency == "red" or not ctx.settings.supervise_in_work_hours:
        return t
    opening, closing = work_hours(ctx)
    return next_working_moment(t, ctx.calendar.is_workday, ctx.tz, opening, closing).astimezone(UTC)


def interval_after(ctx: Context, case: Case):
    spec = ctx.settings.supervise_interval.get(case.urgency) or ctx.settings.supervise_interval.get("green", "1wd")

    def after(t: datetime, n: int) -> datetime:
        for _ in range(n):
            t = due(ctx, t, spec)
        return t

    return after


def wanted_rows(ctx: Context, case: Case) -> dict[str, dict]:
    """The rows this case needs in its present state, by key."""
    rows: dict[str, dict] = {}
    if case.state == CaseState.RESOLVED:
        ref = aware(case.resolved_at or ctx.now)
        at = ref + timedelta(hours=ctx.settings.followup_hours)
        rows[f"c{case.id}:{FOLLOWUP}:{_iso(ref)}"] = dict(kind=FOLLOWUP, step=None, ref_at=ref, due_at=at)
        return rows
    for step in step_of_state(case.state):
        due_time = step_due(case, step)
        if due_time is None:
            continue
        due_time = aware(due_time)
        for m in milestones(step, step_start(case, step), due_time, ctx.settings.remind_fraction,
                            interval_after(ctx, case)):
            key = f"c{case.id}:{step}:{m.kind}:{_iso(due_time)}"
            rows[key] = dict(kind=m.kind, step=step, ref_at=due_time, due_at=notice_time(ctx, case, m.at))
    return rows


def replan(ctx: Context, case: Case) -> None:
    """Make the case's unsettled rows exactly the wanted ones: cancel the others, add what is missing."""
    if case.id is None:
        ctx.session.flush()
    want = wanted_rows(ctx, case)
    # one read for the case's unsettled rows and the wanted ones (every transition replans: a read per key
    # was most of the cost of opening a case)
    unsettled = and_(Deadline.case_id == case.id, col(Deadline.fired_at).is_(None))
    rows = ctx.session.exec(select(Deadline).where(or_(unsettled, col(Deadline.key).in_(list(want))))).all()
    by_key = {row.key: row for row in rows}
    for row in rows:
        if row.case_id == case.id and row.fired_at is None and row.key not in want:
            row.fired_at, row.outcome = ctx.now, "cancelled"
    new = []
    for key, fields in want.items():
        fields = dict(case_id=case.id, unit_id=case.unit_id, **fields)
        if key in by_key:
            _ensure(ctx, by_key[key], key, fields)
        else:
            new.append(dict(key=key, created_at=ctx.now, **fields))
    if new:  # one bulk INSERT, no objects to build
        ctx.session.execute(insert(Deadline), new)


def ensure_row(ctx: Context, key: str, **fields) -> Deadline:
    """The row with this key: found, revived when it had been cancelled, or added."""
    return _ensure(ctx, ctx.session.exec(select(Deadline).where(Deadline.key == key)).first(), key, fields)


def _ensure(ctx: Context, row: Deadline | None, key: str, fields: dict) -> Deadline:
    if row is None:
        row = Deadline(key=key, created_at=ctx.now, **fields)
        ctx.session.add(row)
    elif row.outcome == "cancelled":
        row.fired_at = row.outcome = row.lease_until = row.claimed_by = None
        for name, value in fields.items():
            setattr(row, name, value)
    return row


def same_time(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs((aware(a) - aware(b)).total_seconds()) < 1


def left_text(delta: timedelta) -> str:
    """3小时20分 / 2天5小时 / 15分钟: how long until (or since) a deadline, for people."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分" if mins else f"{hours}小时"
    return f"{mins}分钟"

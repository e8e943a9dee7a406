"""Read-only use cases: /status, /mycases, /digest."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from bot import texts
from bot.domain.case import OPEN_STATES, STATE_LABELS, WORKING_STATES, CaseState
from bot.domain.privacy import mask_text
from bot.domain.roles import SUPERVISORS, Role
from bot.services import notify
from bot.services.context import Actor, Context
from bot.store.tables import Case, Unit


def status(ctx: Context, number: str) -> str:
    case = ctx.repo.case_by_number(number)
    if case is None:
        return texts.fmt(texts.CASE_NOT_FOUND, number=number)
    lines = [texts.fmt(
        texts.STATUS, number=case.number, state=STATE_LABELS[CaseState(case.state)],
        category=notify.category_label(ctx, case), icon=texts.URGENCY_ICON[case.urgency],
        urgency=texts.URGENCY_LABEL[case.urgency], worker=notify.worker_name(ctx, case),
        created=ctx.local(case.created_at), accept_by=ctx.local(case.accept_by),
        resolve_by=ctx.local(case.resolve_by), text=mask_text(case.text)[:300],
    )]
    for ev in ctx.repo.events(case.id)[-8:]:
        note = f"：{mask_text(ev.note)[:80]}" if ev.action in ("progress", "resolve", "transfer") and ev.note else ""
        lines.append(texts.fmt(texts.STATUS_EVENT, at=ctx.local(ev.at), actor=ev.actor_name,
                               action=texts.ACTION_LABELS.get(ev.action, ev.action), note=note))
    return "\n".join(lines)


def my_cases(ctx: Context, actor: Actor) -> str:
    items: list[Case]
    if actor.person_id is not None and ctx.repo.open_cases_of_worker(actor.person_id):
        items = ctx.repo.open_cases_of_worker(actor.person_id)
        header = texts.fmt(texts.MYCASES_HEADER_WORKER, n=len(items))
    else:
        items = ctx.repo.cases_of_reporter(actor.sender.id)
        header = texts.fmt(texts.MYCASES_HEADER_RESIDENT, n=len(items))
    if not items:
        return texts.MYCASES_NONE
    lines = [header]
    for c in items[:30]:
        lines.append(texts.fmt(texts.MYCASES_ITEM, icon=texts.URGENCY_ICON[c.urgency], number=c.number,
                               state=STATE_LABELS[CaseState(c.state)],
                               category=ctx.classifier.taxonomy.category_name(c.category),
                               text=mask_text(c.text)[:40]))
    return "\n".join(lines)


def digest_scope(ctx: Context, actor: Actor) -> Unit | None:
    """The highest unit over which the asker is a leader, secretary or admin."""
    if actor.person_id is None:
        return None
    best: Unit | None = None
    order = {"street": 0, "community": 1, "grid": 2}
    for m in ctx.repo.memberships(actor.person_id):
        if Role(m.role) not in SUPERVISORS:
            continue
        unit = ctx.repo.unit(m.unit_id)
        if unit and (best is None or order.get(unit.kind, 3) < order.get(best.kind, 3)):
            best = unit
    return best


@dataclass
class Digest:
    unit: Unit
    period: str
    start: datetime
    end: datetime
    new: int = 0
    accepted: int = 0
    resolved: int = 0
    closed: int = 0
    reopened: int = 0
    open: int = 0
    by_state: Counter = field(default_factory=Counter)
    by_category: Counter = field(default_factory=Counter)
    overdue: list[Case] = field(default_factory=list)

    @property
    def closure_rate(self) -> float | None:
        return self.closed / self.new if self.new else None


def period_bounds(ctx: Context, period: str) -> tuple[datetime, datetime]:
    today = ctx.now.astimezone(ctx.tz).date()
    start_day = today - timedelta(days=today.weekday()) if period == "week" else today
    start = datetime.combine(start_day, time(0), ctx.tz)
    return start, ctx.now


def compute_digest(ctx: Context, unit: Unit, period: str) -> Digest:
    start, end = period_bounds(ctx, period)
    unit_ids = ctx.repo.descendants(unit.id)
    d = Digest(unit=unit, period=period, start=start, end=end)
    counts = ctx.repo.event_counts(unit_ids, start, end)
    d.new, d.accepted, d.resolved = counts.get("open", 0), counts.get("accept", 0), counts.get("resolve", 0)
    d.closed, d.reopened = counts.get("close", 0), counts.get("reopen", 0)
    for c in ctx.repo.cases_in_units(unit_ids):
        created = c.created_at
        if created >= start:
            d.by_state[c.state] += 1
            d.by_category[c.category] += 1
        if c.state in OPEN_STATES:
            d.open += 1
            if _overdue(ctx, c):
                d.overdue.append(c)
    return d


def _overdue(ctx: Context, c: Case) -> bool:
    if c.state in (CaseState.NEW, CaseState.ASSIGNED) and c.accept_by and c.accept_by < ctx.now:
        return True
    return c.state in WORKING_STATES and c.resolve_by is not None and c.resolve_by < ctx.now


def render_digest(ctx: Context, d: Digest) -> str:
    rate = "—" if d.closure_rate is None else f"{d.closure_rate:.0%}"
    lines = [
        texts.fmt(texts.DIGEST_HEADER, unit=d.unit.name, period=texts.PERIOD_LABEL.get(d.period, d.period),
                  start=ctx.local(d.start), end=ctx.local(d.end)),
        texts.fmt(texts.DIGEST_BODY, new=d.new, accepted=d.accepted, resolved=d.resolved, closed=d.closed,
                  reopened=d.reopened, open=d.open, overdue=len(d.overdue), closure_rate=rate),
        texts.DIGEST_BY_STATE + ("、".join(f"{STATE_LABELS[CaseState(s)]} {n}" for s, n in d.by_state.most_common())
                                 or texts.DIGEST_NONE),
        texts.DIGEST_BY_CATEGORY + ("、".join(f"{ctx.classifier.taxonomy.category_name(c)} {n}"
                                              for c, n in d.by_category.most_common()) or texts.DIGEST_NONE),
        texts.DIGEST_OVERDUE + ("" if d.overdue else texts.DIGEST_NONE),
    ]
    for c in d.overdue[:15]:
        lines.append(f"{texts.URGENCY_ICON[c.urgency]} #{c.number} {STATE_LABELS[CaseState(c.state)]} "
                     f"{notify.worker_name(ctx, c)} 办结时限 {ctx.local(c.resolve_by)}")
    return "\n".join(lines)

"""每日一巡查: a reminder to each grid's workers at a set time on working days, and `/patrol 文本` (with an
optional photo) that logs a patrol note to the grid log (table `patrol`, counted by the digests)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from bot import texts
from bot.domain.privacy import mask_text
from bot.domain.roles import ChatKind, Role, UnitKind
from bot.handlers.messages import IncomingMessage, Mention, OutgoingMessage
from bot.services import clocks
from bot.services.context import Actor, Context
from bot.store.tables import Deadline, Membership, Patrol, Unit

PATROL = "patrol"
MAX_TEXT = 2000


def _local_day(ctx: Context, t: datetime | None = None) -> date:
    return (t or ctx.now).astimezone(ctx.tz).date()


def _day_bounds(ctx: Context, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), ctx.tz)
    return start, start + timedelta(days=1)


def grid_of(ctx: Context, actor: Actor, chat_id: int) -> int | None:
    """The grid a patrol belongs to: the grid of the workers' group it was sent in, else the actor's grid."""
    if actor.person_id is None:
        return None
    grids = [m.unit_id for m in ctx.repo.memberships(actor.person_id)
             if m.role in (Role.GRID_WORKER, Role.GRID_LEADER)
             and (u := ctx.repo.unit(m.unit_id)) is not None and u.kind == UnitKind.GRID]
    binding = ctx.repo.binding(chat_id)
    if binding is not None and binding.unit_id in grids:
        return binding.unit_id
    return grids[0] if grids else None


def log_patrol(ctx: Context, msg: IncomingMessage, actor: Actor, text: str) -> str:
    """/patrol 巡查情况 (a photo's caption works too): one row in the grid log; the answer for the worker."""
    grid_id = grid_of(ctx, actor, msg.chat_id)
    if grid_id is None:
        return texts.PATROL_ONLY_WORKERS
    text = mask_text(text.strip())[:MAX_TEXT]
    if not text and not msg.photos:
        return texts.PATROL_USAGE
    ctx.session.add(Patrol(person_id=actor.person_id, grid_id=grid_id, at=ctx.now, text=text,
                           photos=json.dumps(list(msg.photos)), chat_id=msg.chat_id, message_id=msg.message_id))
    ctx.session.flush()
    n = today_count(ctx, actor.person_id)
    return texts.fmt(texts.PATROL_LOGGED, n=n, photos=texts.fmt(texts.PATROL_PHOTOS, n=len(msg.photos))
                     if msg.photos else "")


def today_count(ctx: Context, person_id: int | None, day: date | None = None) -> int:
    start, end = _day_bounds(ctx, day or _local_day(ctx))
    q = select(func.count()).select_from(Patrol).where(Patrol.person_id == person_id, col(Patrol.at) >= start,
                                                       col(Patrol.at) < end)
    return int(ctx.session.exec(q).one())


# --- reminders (planned by the leader's periodic job, fired by the sweeper) ----------------------------------------
def remind_time(ctx: Context) -> time | None:
    at = ctx.settings.patrol_remind_at
    if not at:
        return None
    h, m = at.split(":")
    return time(int(h), int(m))


def plan(ctx: Context) -> int:
    """Rows for today's reminders (and the next working day's), one per grid with workers. Idempotent."""
    at = remind_time(ctx)
    if at is None:
        return 0
    grids = list(ctx.session.exec(
        select(Unit.id).where(Unit.kind == UnitKind.GRID.value)
        .where(col(Unit.id).in_(select(Membership.unit_id).where(Membership.role == Role.GRID_WORKER.value)))))
    today = _local_day(ctx)
    days = [d for d in (today, today + timedelta(days=1), today + timedelta(days=2)) if ctx.calendar.is_workday(d)]
    added = 0
    for day in days[:2]:
        due = datetime.combine(day, at, ctx.tz)
        for grid_id in grids:
            key = f"{PATROL}:{grid_id}:{day:%Y%m%d}"
            if ctx.session.exec(select(Deadline.id).where(Deadline.key == key)).first() is None:
                added += 1
            clocks.ensure_row(ctx, key, kind=PATROL, unit_id=grid_id, due_at=due, ref_at=due)
    return added


def fire_reminder(ctx: Context, row: Deadline) -> str:
    """The reminder in the grid's workers' group, mentioning the workers who have not patrolled today."""
    day = _local_day(ctx, clocks.aware(row.ref_at or row.due_at))
    _, closing = clocks.work_hours(ctx)
    if _local_day(ctx) != day or ctx.now.astimezone(ctx.tz).time() >= closing:
        return "stale"  # the bot was down all that working day: tomorrow's reminder comes instead
    chat = ctx.repo.chat_for(row.unit_id, ChatKind.WORKER_GROUP)
    if chat is None:
        return "no_chat"
    todo = [p for _, p in ctx.repo.workers_of(row.unit_id) if today_count(ctx, p.id, day) == 0]
    if not todo:
        return "skipped"
    text = texts.PATROL_REMIND_HEAD
    mentions = []
    for i, p in enumerate(todo):
        if i:
            text += "、"
        if p.tg_user_id:
            mentions.append(Mention(len(text), len(p.name), p.tg_user_id))
        text += p.name
    text += texts.PATROL_REMIND_TAIL
    ctx.send(OutgoingMessage(chat_id=chat.chat_id, text=text, mentions=mentions))
    return "sent"

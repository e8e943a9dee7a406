"""Digests for grid leaders and secretaries: /digest and its Chinese aliases in chat, with a chart, and the
scheduled daily and weekly digests to each command group.

Who sees what: a grid leader the grid, a community secretary the community, the street (and admins) all;
a unit code after the period asks for a unit below one's own, never beside or above it.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot import texts
from bot.domain.privacy import mask_text
from bot.domain.roles import SUPERVISORS, ChatKind, Role
from bot.handlers.messages import TEXT_LIMIT, IncomingMessage, OutgoingMessage, split_text
from bot.reports import stats
from bot.reports.figures import Digest, GridRow, Rate
from bot.reports.period import Period, parse_period
from bot.reports.records import DigestRun
from bot.services.context import Actor, Context
from bot.settings import Settings
from bot.store.tables import ChatBinding, Unit

log = logging.getLogger(__name__)
CAPTION_LIMIT = 1024
MAX_GRID_LINES = 12  # more grids than this: one line per community, then the grids that need attention
MAX_WORKER_LINES = 10
KIND_ORDER = {"street": 0, "community": 1, "grid": 2}
MONTH_ALIAS = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(?:汇总|统计)$")

CategoryName = Callable[[str], str]


# --- who may see which unit -------------------------------------------------------------------------------
def scope_for(ctx: Context, actor: Actor) -> Unit | None:
    """The highest unit over which the asker is a grid leader, secretary or admin."""
    if actor.person_id is None:
        return None
    best: Unit | None = None
    for m in ctx.repo.memberships(actor.person_id):
        if Role(m.role) not in SUPERVISORS:
            continue
        unit = ctx.repo.unit(m.unit_id)
        if unit and (best is None or KIND_ORDER.get(unit.kind, 3) < KIND_ORDER.get(best.kind, 3)):
            best = unit
    return best


def may_see(ctx: Context, actor: Actor, unit: Unit) -> bool:
    """A supervisor role on the unit itself or on a unit above it (admins hold theirs on the street)."""
    return bool(ctx.roles_over(actor, unit.id) & SUPERVISORS)


# --- what a person asked for --------------------------------------------------------------------------------
def alias(settings: Settings, text: str) -> str | None:
    """'本周汇总' → 'week', '3月汇总' → '3月', anything else → None."""
    text = text.strip()
    if text in settings.digest_aliases:
        return settings.digest_aliases[text]
    m = MONTH_ALIAS.match(text)
    if m:
        return f"{m.group(1)}年{m.group(2)}月" if m.group(1) else f"{m.group(2)}月"
    return None


def parse_request(ctx: Context, args: str) -> tuple[Period | None, str | None]:
    """'/digest week cy-01' → (this week, 'cy-01'). The period may also come after the unit code."""
    words = args.split()
    period, code = None, None
    for w in words:
        p = parse_period(w, ctx.now, ctx.tz)
        if p is not None and period is None:
            period = p
        elif code is None and ctx.repo.unit_by_code(w) is not None:
            code = w
        else:
            return None, None
    return period or parse_period("today", ctx.now, ctx.tz), code


def command(ctx: Context, msg: IncomingMessage, actor: Actor, args: str) -> None:
    """/digest [period] [unit code]: the figures as text (split cleanly), with the chart as a photo."""
    def reply(text: str) -> None:
        ctx.send(OutgoingMessage(chat_id=msg.chat_id, text=text, reply_to_message_id=msg.message_id,
                                 thread_id=msg.thread_id, link_kind="digest"))

    own = scope_for(ctx, actor)
    if own is None:
        reply(texts.NOT_ALLOWED_DIGEST)
        return
    binding = None if msg.is_private else ctx.repo.binding(msg.chat_id)
    if binding is not None and binding.kind == ChatKind.RESIDENT_GROUP:
        reply(texts.DIGEST_NOT_HERE)  # figures name workers and places: not for the residents' group
        return
    period, code = parse_request(ctx, args)
    if period is None:
        reply(texts.DIGEST_USAGE)
        return
    unit = ctx.repo.unit_by_code(code) if code else own
    if unit is None or not may_see(ctx, actor, unit):
        reply(texts.fmt(texts.DIGEST_UNIT_NOT_YOURS, unit=own.name))
        return
    log.info("digest %s for unit %s asked by person %s", period.key, unit.code, actor.person_id)
    send(ctx, unit, period, chat_id=msg.chat_id, thread_id=msg.thread_id, reply_to=msg.message_id)


# --- computing and rendering --------------------------------------------------------------------------------
def compute(session: Session, unit: Unit, period: Period, now: datetime, tz: ZoneInfo,
            settings: Settings) -> Digest:
    return stats.compute(session, unit, start=period.start, end=period.end, now=now, tz=tz,
                         period_key=period.key, hotspot_min=settings.digest_hotspot_min,
                         overdue_limit=settings.digest_overdue_lines)


def category_namer(ctx: Context | None = None) -> CategoryName:
    taxonomy = getattr(getattr(ctx, "classifier", None), "taxonomy", None)

    def name(code: str) -> str:
        if taxonomy is not None:
            try:
                found = taxonomy.category_name(code)
                if found and found != code:
                    return found
            except Exception:  # noqa: BLE001  (a taxonomy without that code: fall back to the fixed names)
                pass
        return texts.CATEGORY_NAMES.get(code, code)

    return name


def period_label(key: str) -> str:
    if key in texts.DIGEST_PERIOD_LABEL:
        return texts.DIGEST_PERIOD_LABEL[key]
    if re.fullmatch(r"\d{4}-\d{2}", key):
        return texts.fmt(texts.DIGEST_MONTH_LABEL, year=int(key[:4]), month=int(key[5:]))
    return ""


def local(dt: datetime, tz: ZoneInfo, with_time: bool = True) -> str:
    t = dt.astimezone(tz)
    return f"{t.month}月{t.day}日" + (f" {t:%H:%M}" if with_time else "")


def span(d: Digest, tz: ZoneInfo) -> str:
    start = local(d.start, tz, with_time=False)
    if d.end <= d.as_of:  # a closed period: its last day
        last = local(d.end - timedelta(seconds=1), tz, with_time=False)
        return start if last == start else f"{start} 至 {last}"
    return f"{start} 至 {local(d.as_of, tz)}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return f"{minutes}分钟"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    days, hours = divmod(hours, 24)
    return f"{days}天{hours}小时" if hours else f"{days}天"


def rate(r: Rate) -> str:
    return texts.DIGEST_RATE_NONE if r.value is None else texts.fmt(texts.DIGEST_RATE, pct=r.percent(),
                                                                    num=r.num, den=r.den)


def header(d: Digest, tz: ZoneInfo) -> str:
    return texts.fmt(texts.DIGEST_TITLE, unit=d.unit_name, label=period_label(d.period_key), span=span(d, tz))


def render_sections(d: Digest, tz: ZoneInfo, category_name: CategoryName) -> list[str]:
    """The digest as sections; each section is whole lines and stays in one message when sent."""
    grid_name = {g.grid_id: g.name for g in d.grids}
    summary = [
        header(d, tz),
        texts.fmt(texts.DIGEST_FLOWS, new=d.new, accepted=d.accepted, resolved=d.resolved, closed=d.closed,
                  reopened=d.reopened),
        texts.fmt(texts.DIGEST_NOW, open=d.open_now, overdue=d.overdue_now),
        texts.fmt(texts.DIGEST_RATES, response=rate(d.response), resolution=rate(d.resolution),
                  satisfaction=rate(d.satisfaction)),
    ]
    if d.default_satisfied:
        summary.append(texts.fmt(texts.DIGEST_DEFAULT_SATISFIED, n=d.default_satisfied))
    summary.append(texts.fmt(texts.DIGEST_TIMES, acc_mean=duration(d.t_accept.mean), acc_p90=duration(d.t_accept.p90),
                             res_mean=duration(d.t_resolve.mean), res_p90=duration(d.t_resolve.p90)))
    if d.cards:
        summary.append(texts.fmt(texts.DIGEST_CARDS, yellow=d.cards["yellow_card"], red=d.cards["red_card"],
                                 street=d.cards["street_alert"]))
    summary.append(texts.fmt(texts.DIGEST_PATROLS, n=d.patrols))
    sections = ["\n".join(summary)]

    lines = [texts.DIGEST_SECTION_OVERDUE]
    for o in d.overdue:
        lines.append(texts.fmt(texts.DIGEST_OVERDUE_ITEM, card=texts.DIGEST_CARD.get(o.card, ""),
                               icon=texts.URGENCY_ICON.get(o.urgency, ""), number=o.number,
                               grid=grid_name.get(o.grid_id, ""), worker=o.worker or texts.NO_WORKER,
                               step=texts.DIGEST_STEP[o.step], late=duration((d.as_of - o.due).total_seconds())))
    if not d.overdue:
        lines.append(texts.DIGEST_NONE)
    elif d.overdue_now > len(d.overdue):
        lines.append(texts.fmt(texts.DIGEST_OVERDUE_MORE, n=d.overdue_now - len(d.overdue)))
    sections.append("\n".join(lines))

    cats = "、".join(f"{category_name(c)} {n}" for c, n in d.by_category.most_common()) or texts.DIGEST_NONE
    sections.append(texts.DIGEST_SECTION_CATEGORY + cats)
    sections.append("\n".join(_grid_lines(d)))

    ranking = d.ranking()
    lines = [texts.DIGEST_SECTION_WORKERS]
    for i, w in enumerate(ranking[:MAX_WORKER_LINES], 1):
        lines.append(texts.fmt(texts.DIGEST_WORKER_ITEM, rank=i, name=w.name, resolved=w.resolved,
                               on_time=w.on_time.percent(), accepted=w.accepted, open=w.open_now,
                               overdue=w.overdue_now,
                               patrols=texts.fmt(texts.DIGEST_WORKER_PATROLS, n=w.patrols)))
    if not ranking:
        lines.append(texts.DIGEST_NONE)
    elif len(ranking) > MAX_WORKER_LINES:
        lines.append(texts.fmt(texts.DIGEST_WORKERS_MORE, n=len(ranking)))
    sections.append("\n".join(lines))

    lines = [texts.DIGEST_SECTION_HOTSPOTS]
    for h in d.hotspots:
        template = texts.DIGEST_HOTSPOT_PLACE if h.kind == "place" else texts.DIGEST_HOTSPOT_CATEGORY
        lines.append(texts.fmt(template, grid=grid_name.get(h.grid_id, ""), place=mask_text(h.label), n=h.count,
                               category=category_name(h.category)))
    if not d.hotspots:
        lines.append(texts.DIGEST_NONE)
    sections.append("\n".join(lines))
    return sections


def _grid_lines(d: Digest) -> list[str]:
    def line(name: str, g: GridRow) -> str:
        return texts.fmt(texts.DIGEST_GRID_ITEM, name=name, new=g.new, closure=g.closure.percent(),
                         resolution=g.resolution.percent(), open=g.open_now, overdue=g.overdue_now)

    if len(d.grids) <= MAX_GRID_LINES:
        return [texts.DIGEST_SECTION_GRID] + [line(g.name, g) for g in d.grids]
    communities: dict[str, GridRow] = {}
    for g in d.grids:
        c = communities.setdefault(g.community, GridRow(0, g.community))
        c.new, c.valid, c.closed = c.new + g.new, c.valid + g.valid, c.closed + g.closed
        c.resolution.add(g.resolution.num, g.resolution.den)
        c.open_now, c.overdue_now = c.open_now + g.open_now, c.overdue_now + g.overdue_now
    lines = [texts.DIGEST_SECTION_COMMUNITY] + [line(name, c) for name, c in communities.items()]
    worst = sorted((g for g in d.grids if g.resolution.den), key=lambda g: (g.resolution.value, -g.overdue_now))
    lines.append(texts.fmt(texts.DIGEST_SECTION_WORST_GRIDS, n=min(MAX_GRID_LINES, len(worst))))
    lines += [line(g.name, g) for g in worst[:MAX_GRID_LINES]]
    return lines


def pack(sections: list[str], limit: int = TEXT_LIMIT) -> list[str]:
    """Whole sections per message; a section longer than a message is cut between lines."""
    messages: list[str] = []
    current = ""
    for section in sections:
        pieces = [section] if len(section) <= limit else split_text(section, limit)
        for piece in pieces:
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def render_text(d: Digest, session: Session | None = None, settings: Settings | None = None,
                category_name: CategoryName | None = None) -> str:
    tz = ZoneInfo((settings or Settings()).timezone)
    return "\n\n".join(render_sections(d, tz, category_name or category_namer()))


def chart_png(d: Digest, settings: Settings, category_name: CategoryName | None = None) -> bytes | None:
    """The chart as PNG bytes, or None when charts are off or no CJK font is installed (logged)."""
    if not settings.digest_charts:
        return None
    from bot.reports.chart import render_chart
    from bot.reports.fonts import NO_FONT, find_cjk_font

    font = find_cjk_font(str(settings.chart_font) if settings.chart_font else None)
    if font is None:
        log.warning(NO_FONT)
        return None
    try:
        return render_chart(d, font, category_name or category_namer(),
                            title=f"{d.unit_name} {period_label(d.period_key)}汇总".strip())
    except Exception:  # noqa: BLE001  (a chart must never cost the figures)
        log.exception("digest chart failed")
        return None


# --- sending ---------------------------------------------------------------------------------------------------
def send(ctx: Context, unit: Unit, period: Period, *, chat_id: int, thread_id: int | None = None,
         reply_to: int | None = None, prefix: str = "") -> Digest:
    d = compute(ctx.session, unit, period, ctx.now, ctx.tz, ctx.settings)
    names = category_namer(ctx)
    messages = pack(render_sections(d, ctx.tz, names))
    if prefix:
        messages[0] = f"{prefix}\n{messages[0]}" if len(prefix) + len(messages[0]) < TEXT_LIMIT else messages[0]
    for i, text in enumerate(messages):
        ctx.send(OutgoingMessage(chat_id=chat_id, text=text, thread_id=thread_id,
                                 reply_to_message_id=reply_to if i == 0 else None, link_kind="digest"))
    png = chart_png(d, ctx.settings, names)
    if png is not None:
        caption = texts.fmt(texts.DIGEST_CHART_CAPTION, title=header(d, ctx.tz))[:CAPTION_LIMIT]
        ctx.send(OutgoingMessage(chat_id=chat_id, text=caption, thread_id=thread_id, link_kind="digest",
                                 photo_upload=base64.b64encode(png).decode("ascii")))
    return d


# --- scheduled digests ----------------------------------------------------------------------------------------
def _at(value: str) -> time:
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


def due_runs(settings: Settings, now: datetime, tz: ZoneInfo) -> list[tuple[str, Period]]:
    """Which scheduled digests are due now: (kind, period), each within its catch-up window."""
    local_now = now.astimezone(tz)
    window = timedelta(hours=settings.digest_catchup_hours)
    due: list[tuple[str, Period]] = []
    if settings.digest_daily_at:
        at = datetime.combine(local_now.date(), _at(settings.digest_daily_at), tz)
        if at <= local_now < at + window:
            period = parse_period(settings.digest_daily_period, at, tz)
            if period is not None:
                due.append(("daily", period))
    if settings.digest_weekly_at and local_now.weekday() == settings.digest_weekly_weekday:
        at = datetime.combine(local_now.date(), _at(settings.digest_weekly_at), tz)
        if at <= local_now < at + window:
            period = parse_period("lastweek", at, tz)
            if period is not None:
                due.append(("weekly", period))
    return due


def claim(session: Session, chat_id: int, unit_id: int, kind: str, period_key: str, now: datetime) -> bool:
    """Record that this digest goes out; False when another process (or an earlier run) already did."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = DigestRun.__table__
    stmt = (insert(table).values(chat_id=chat_id, unit_id=unit_id, kind=kind, period_key=period_key, created_at=now)
            .on_conflict_do_nothing().returning(table.c.id))
    return session.execute(stmt).first() is not None


def run_scheduled(ctx: Context) -> int:
    """The job: every command group gets the due digests of the unit it is bound to. Returns how many."""
    due = due_runs(ctx.settings, ctx.now, ctx.tz)
    if not due:
        return 0
    chats = ctx.session.execute(select(ChatBinding).where(
        ChatBinding.kind == ChatKind.COMMAND_GROUP.value, ChatBinding.active == True)  # noqa: E712
        .order_by(ChatBinding.id)).scalars().all()
    sent = 0
    for chat in chats:
        unit = ctx.repo.unit(chat.unit_id)
        if unit is None:
            continue
        for kind, period in due:
            if not claim(ctx.session, chat.chat_id, unit.id, kind, f"{kind}:{period.first_day.isoformat()}", ctx.now):
                continue
            prefix = texts.DIGEST_SCHEDULED_DAILY if kind == "daily" else texts.DIGEST_SCHEDULED_WEEKLY
            send(ctx, unit, period, chat_id=chat.chat_id, prefix=prefix)
            log.info("scheduled %s digest for %s sent to chat %s", kind, unit.code, chat.chat_id)
            sent += 1
    return sent


def install_jobs(bot) -> None:
    """Check once a minute whether a scheduled digest is due (GridBot.jobs; the run table prevents repeats)."""
    import asyncio

    async def job() -> None:
        if await asyncio.to_thread(bot.processor.run_job, run_scheduled):
            bot.sender.wake.set()

    bot.jobs.append((float(bot.settings.digest_check_seconds), job))

"""`gridbot export`: the cases created in a date range under one unit, with their audit events and a summary,
as xlsx, CSV or Open311 GeoReport v2 JSON.

Personal data — phone numbers and ID numbers in any text, residents' names — is masked unless an admin asks
for `--unmasked`; that request is written to the report_audit table and logged (without the data).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, select
from sqlalchemy.orm import Session

from bot import texts
from bot.domain.case import STATE_LABELS, CaseState
from bot.domain.privacy import mask_name, mask_text
from bot.domain.roles import Role
from bot.reports import stats
from bot.reports.figures import Digest
from bot.reports.records import ReportAudit
from bot.settings import Settings
from bot.store.db import unit_of_work
from bot.store.tables import Case, CaseEvent, Membership, Person, Unit

log = logging.getLogger(__name__)
FORMATS = ("xlsx", "csv", "open311")
C, E = Case.__table__.c, CaseEvent.__table__.c
CASE_FIELDS = list(texts.EXPORT_CASE_HEADERS)
EVENT_FIELDS = list(texts.EXPORT_EVENT_HEADERS)
BATCH = 5000


class ExportError(ValueError):
    """A wrong argument; the message is one line for a person."""


@dataclass
class ExportSummary:
    path: Path
    fmt: str
    cases: int = 0
    events: int = 0
    masked: bool = True
    notes: list[str] = field(default_factory=list)


@dataclass
class Scope:
    unit: Unit | None  # None: every unit
    units: dict[int, Unit]
    grid_ids: list[int]
    people: dict[int, Person]
    staff_tg: set[int]
    start: datetime
    end: datetime
    first_day: date
    last_day: date
    tz: ZoneInfo
    masked: bool

    @property
    def label(self) -> str:
        return self.unit.name if self.unit else "全部单位"


# --- what is exported -------------------------------------------------------------------------------------
def make_scope(session: Session, unit_code: str | None, first_day: date, last_day: date, tz: ZoneInfo,
               masked: bool) -> Scope:
    if last_day < first_day:
        raise ExportError(f"--to {last_day} is before --from {first_day}")
    units = {u.id: u for u in session.execute(select(Unit)).scalars()}
    unit = None
    if unit_code:
        unit = next((u for u in units.values() if u.code == unit_code), None)
        if unit is None:
            raise ExportError(f"unknown unit code {unit_code!r}; known: {', '.join(sorted(u.code for u in units.values()))}")
        scope_ids = stats.scope_units(units, unit.id)
    else:
        scope_ids = list(units)
    grid_ids = [i for i in scope_ids if units[i].kind == "grid"] or ([unit.id] if unit else [])
    people = {p.id: p for p in session.execute(select(Person)).scalars()}
    staff_tg = {p.tg_user_id for p in people.values() if p.tg_user_id}
    start = datetime.combine(first_day, time(0), tz)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tz)
    return Scope(unit, units, grid_ids, people, staff_tg, start, end, first_day, last_day, tz, masked)


def _in_scope(scope: Scope):
    return and_(C.grid_id.in_(scope.grid_ids), C.created_at >= scope.start, C.created_at < scope.end)


def local_naive(dt: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Spreadsheets have no time zones: local wall-clock time, without microseconds."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(tz).replace(tzinfo=None, microsecond=0)


def _on_time(done: datetime | None, due: datetime | None) -> str:
    if done is None:
        return ""
    return texts.EXPORT_YES if due is None or done <= due else texts.EXPORT_NO


def _ancestor(units: dict[int, Unit], unit_id: int, kind: str) -> str:
    unit = units.get(unit_id)
    seen = set()
    while unit is not None and unit.id not in seen:
        if unit.kind == kind:
            return unit.name
        seen.add(unit.id)
        unit = units.get(unit.parent_id) if unit.parent_id else None
    return ""


def case_rows(session: Session, scope: Scope, category_name) -> Iterator[dict[str, Any]]:
    """One dict per case (keys: texts.EXPORT_CASE_HEADERS), oldest first; times are aware UTC."""
    q = select(Case.__table__).where(_in_scope(scope)).order_by(C.created_at, C.id)
    for r in session.execute(q.execution_options(yield_per=BATCH)):
        worker = scope.people.get(r.assignee_id)
        text = r.text or ""
        yield {
            "id": r.id,
            "number": r.number,
            "state": STATE_LABELS.get(CaseState(r.state), r.state) if r.state in CaseState._value2member_map_
            else r.state,
            "state_code": r.state,
            "category": category_name(r.category),
            "category_code": r.category,
            "subcategory": r.subcategory or "",
            "urgency": texts.URGENCY_LABEL.get(r.urgency, r.urgency),
            "urgency_code": r.urgency,
            "street": _ancestor(scope.units, r.grid_id, "street"),
            "community": _ancestor(scope.units, r.grid_id, "community"),
            "grid": scope.units[r.grid_id].name if r.grid_id in scope.units else "",
            "grid_code": scope.units[r.grid_id].code if r.grid_id in scope.units else "",
            "owner": scope.units[r.unit_id].name if r.unit_id in scope.units else "",
            "tier": texts.EXPORT_TIER_LABELS.get(r.tier, r.tier),
            "tier_code": r.tier,
            "worker": worker.name if worker else "",
            "reporter": mask_name(r.reporter_name) if scope.masked else (r.reporter_name or ""),
            "location": (mask_text(r.location) if scope.masked else r.location) if r.location else "",
            "text": mask_text(text) if scope.masked else text,
            "created": r.created_at,
            "accept_by": r.accept_by,
            "accepted": r.accepted_at,
            "resolve_by": r.resolve_by,
            "resolved": r.resolved_at,
            "closed": r.closed_at,
            "accept_on_time": _on_time(r.accepted_at, r.first_accept_by or r.accept_by),
            "resolve_on_time": _on_time(r.resolved_at, r.resolve_by),
            "reopens": r.reopen_count,
            "photos": len(json.loads(r.photos or "[]")),
        }


def event_rows(session: Session, scope: Scope) -> Iterator[dict[str, Any]]:
    """The audit events of the exported cases, case by case in the order they happened."""
    q = (select(C.number, E.at, E.actor_tg_id, E.actor_name, E.action, E.from_state, E.to_state, E.note)
         .select_from(CaseEvent.__table__.join(Case.__table__, C.id == E.case_id))
         .where(_in_scope(scope)).order_by(E.case_id, E.id))
    for r in session.execute(q.execution_options(yield_per=BATCH)):
        actor = r.actor_name or ""
        if scope.masked and r.actor_tg_id and r.actor_tg_id not in scope.staff_tg:
            actor = mask_name(actor)  # a resident who confirmed or rated
        note = r.note or ""
        yield {
            "number": r.number,
            "at": r.at,
            "actor": actor,
            "action": texts.ACTION_LABELS.get(r.action, r.action),
            "from": _state(r.from_state),
            "to": _state(r.to_state),
            "note": mask_text(note) if scope.masked else note,
        }


def _state(code: str | None) -> str:
    if not code:
        return ""
    return STATE_LABELS[CaseState(code)] if code in CaseState._value2member_map_ else code


def summary(session: Session, scope: Scope, settings: Settings, now: datetime) -> Digest:
    """The digest figures over the export's range: of its unit, or of every top unit merged."""
    roots = [scope.unit] if scope.unit else [u for u in scope.units.values() if u.parent_id is None]
    digests = [stats.compute(session, u, start=scope.start, end=scope.end, now=now, tz=scope.tz,
                             period_key=f"{scope.first_day}..{scope.last_day}",
                             hotspot_min=settings.digest_hotspot_min, overdue_limit=settings.digest_overdue_lines)
               for u in roots]
    if not digests:
        return Digest(-1, scope.label, "street", "", scope.start, scope.end, now)
    merged = digests[0]
    for d in digests[1:]:
        merged.grids += d.grids
        merged.workers += d.workers
        merged.by_category.update(d.by_category)
        merged.ratings.update(d.ratings)
        merged.cards.update(d.cards)
        for name in ("new", "accepted", "resolved", "closed", "reopened", "open_now", "overdue_now", "patrols"):
            setattr(merged, name, getattr(merged, name) + getattr(d, name))
        for name in ("response", "resolution", "satisfaction"):
            getattr(merged, name).add(getattr(d, name).num, getattr(d, name).den)
    merged.unit_name = scope.label
    return merged


# --- the command ------------------------------------------------------------------------------------------
def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ExportError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def admin_person(session: Session, who: str | None) -> Person:
    """The admin asking for unmasked data, by Telegram user id or exact name."""
    if not who:
        raise ExportError("--unmasked needs --as <admin's Telegram id or name>: the request is audit-logged")
    q = select(Person)
    q = q.where(Person.tg_user_id == int(who)) if who.lstrip("-").isdigit() else q.where(Person.name == who)
    person = session.execute(q).scalars().first()
    if person is None:
        raise ExportError(f"--as {who!r}: no such person in the organisation")
    is_admin = session.execute(select(Membership).where(Membership.person_id == person.id,
                                                        Membership.role == Role.ADMIN.value)).first()
    if not is_admin:
        raise ExportError(f"--as {who!r}: {person.name} is not an admin; unmasked exports are for admins only")
    return person


def export(engine: Engine, *, fmt: str, output: Path, first_day: date, last_day: date, unit_code: str | None,
           settings: Settings, unmasked: bool = False, admin: str | None = None,
           category_name=None, now: datetime | None = None) -> ExportSummary:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use xlsx, csv or open311")
    now = now or datetime.now(UTC)
    tz = ZoneInfo(settings.timezone)
    if category_name is None:
        from bot.services.digest import category_namer

        category_name = category_namer(None)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if unmasked:
        with unit_of_work(engine) as s:
            person = admin_person(s, admin)
            detail = {"format": fmt, "from": first_day.isoformat(), "to": last_day.isoformat(), "unit": unit_code,
                      "output": str(output.resolve())}
            s.add(ReportAudit(at=now, person_id=person.id, actor=person.name, action="export_unmasked",
                              detail=json.dumps(detail, ensure_ascii=False)))
        log.warning("UNMASKED export by admin %s (person %s): %s", person.name, person.id, detail)
    result = ExportSummary(output, fmt, masked=not unmasked)
    with unit_of_work(engine) as s:
        scope = make_scope(s, unit_code, first_day, last_day, tz, masked=not unmasked)
        if fmt == "xlsx":
            from bot.reports.export_xlsx import write_xlsx

            digest = summary(s, scope, settings, now)
            write_xlsx(output, scope, case_rows(s, scope, category_name), event_rows(s, scope), digest,
                       category_name, now, result)
        elif fmt == "csv":
            from bot.reports.export_csv import write_csv

            write_csv(output, scope, case_rows(s, scope, category_name), result)
        else:
            from bot.reports.open311 import write_open311

            write_open311(output, scope, case_rows(s, scope, category_name), result)
    return result

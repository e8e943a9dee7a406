"""Figures that depend on issue 5 (督办 card colour, 回访 satisfaction, patrols), read from whatever exists.

Issue 5 is built in parallel: until its fields exist, the digest reads the audit log (CaseEvent actions,
see figures.RATING_ACTIONS and CARD_ACTIONS). As soon as a case column or a patrol table appears in the
schema, the figures come from it, without a change here beyond the names listed below.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from bot.reports.figures import BASIC, DEFAULT, SATISFIED, UNSATISFIED
from bot.store.tables import Case

log = logging.getLogger(__name__)
CARD_COLUMNS = ("card", "card_color", "card_colour", "supervision_card", "supervision")
SATISFACTION_COLUMNS = ("satisfaction", "rating", "feedback_rating")
PATROL_TABLES = ("patrol", "patrols", "patrol_log", "grid_log")
PERSON_COLUMNS = ("person_id", "worker_id")
UNIT_COLUMNS = ("grid_id", "unit_id")
TIME_COLUMNS = ("at", "created_at", "logged_at")


def _first(columns, names):
    return next((columns[n] for n in names if n in columns), None)


def card_columns() -> list:
    col = _first(Case.__table__.c, CARD_COLUMNS)
    return [col.label("card")] if col is not None else []


def normalise_card(value) -> str | None:
    text = str(value or "").lower()
    if "red" in text or "红" in text:
        return "red"
    if "yellow" in text or "黄" in text:
        return "yellow"
    return None


def card_from_row(row) -> str | None:
    return normalise_card(getattr(row, "card", None))


def normalise_rating(value) -> str | None:
    text = str(value or "").lower()
    if not text:
        return None
    if "default" in text or "默认" in text:
        return DEFAULT
    if "basic" in text or "基本" in text:
        return BASIC
    if "un" in text or "dis" in text or "不" in text or "not" in text:
        return UNSATISFIED
    if "satisf" in text or "满意" in text:
        return SATISFIED
    return None


def ratings(session: Session, in_scope, start: datetime, end: datetime) -> Counter | None:
    """Ratings from a satisfaction column on the case (cases closed in the period), when there is one."""
    col = _first(Case.__table__.c, SATISFACTION_COLUMNS)
    if col is None:
        return None
    c = Case.__table__.c
    out: Counter = Counter()
    for value, n in session.execute(select(col, func.count()).where(
            in_scope, col.is_not(None), c.closed_at >= start, c.closed_at < end).group_by(col)):
        rating = normalise_rating(value)
        if rating:
            out[rating] += n
    return out


def _patrol_table():
    for name in PATROL_TABLES:
        table = SQLModel.metadata.tables.get(name)
        if table is None:
            continue
        person = _first(table.c, PERSON_COLUMNS)
        unit = _first(table.c, UNIT_COLUMNS)
        at = _first(table.c, TIME_COLUMNS)
        if person is not None and unit is not None and at is not None:
            kind = table.c["kind"] if "kind" in table.c and name == "grid_log" else None
            return table, person, unit, at, kind
    return None


def _patrol_query(found, grid_ids, start, end, *cols):
    table, person, unit, at, kind = found
    q = select(*cols).select_from(table).where(unit.in_(grid_ids), at >= start, at < end)
    if kind is not None:
        q = q.where(kind == "patrol")
    return q


def patrols(session: Session, grid_ids: list[int], start: datetime, end: datetime) -> dict[int, int] | None:
    """Patrols logged per person in the period, or None while patrols are not recorded anywhere."""
    found = _patrol_table()
    if found is None:
        return None
    person = found[1]
    q = _patrol_query(found, grid_ids, start, end, person, func.count()).group_by(person)
    try:
        with session.begin_nested():  # a savepoint: a missing table must not spoil the caller's transaction
            return {pid: n for pid, n in session.execute(q) if pid is not None}
    except SQLAlchemyError as exc:  # the table is declared but its migration has not run
        log.warning("patrols not counted: %s", exc.__class__.__name__)
        return None


def patrol_total(session: Session, grid_ids: list[int], start: datetime, end: datetime) -> int | None:
    per_person = patrols(session, grid_ids, start, end)
    return None if per_person is None else sum(per_person.values())

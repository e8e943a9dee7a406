"""Figures that depend on issue 5 (督办 card colour, 回访 satisfaction, patrols), read from whatever exists.

Issue 5 is built in parallel: until its fields exist, the digest reads the audit log (CaseEvent actions,
see figures.RATING_ACTIONS and CARD_ACTIONS). As soon as the case's card column or the patrol table is in
the model *and* the database, the figures come from it. Ratings always come from the audit log: a rating
column holds only the latest answer, and 不满意 reopens the case, so the log is the complete record.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from bot.store.tables import Case

log = logging.getLogger(__name__)
CARD_COLUMNS = ("card", "card_color", "card_colour", "supervision_card", "supervision")
PATROL_TABLES = ("patrol", "patrols", "patrol_log", "grid_log")
PERSON_COLUMNS = ("person_id", "worker_id")
UNIT_COLUMNS = ("grid_id", "unit_id")
TIME_COLUMNS = ("at", "created_at", "logged_at")


def _first(columns, names):
    return next((columns[n] for n in names if n in columns), None)


def has_column(session: Session, table: str, column: str) -> bool:
    """Whether the database (not only the model) has the column: a model can run ahead of its migration."""
    bind = session.get_bind()
    key = (bind.url.render_as_string(hide_password=True), table)
    if key not in _COLUMNS:
        found = inspect(bind)
        _COLUMNS[key] = {c["name"] for c in found.get_columns(table)} if found.has_table(table) else set()
    return column in _COLUMNS[key]


_COLUMNS: dict[tuple[str, str], set[str]] = {}  # per database: the bot migrates before it reads


def card_columns(session: Session) -> list:
    col = _first(Case.__table__.c, CARD_COLUMNS)
    if col is None or not has_column(session, "case_", col.name):
        return []
    return [col.label("card")]


def normalise_card(value) -> str | None:
    text = str(value or "").lower()
    if "red" in text or "红" in text:
        return "red"
    if "yellow" in text or "黄" in text:
        return "yellow"
    return None


def card_from_row(row) -> str | None:
    return normalise_card(getattr(row, "card", None))


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
    if not has_column(session, found[0].name, person.name):  # declared, but its migration has not run here
        return None
    q = _patrol_query(found, grid_ids, start, end, person, func.count()).group_by(person)
    return {pid: n for pid, n in session.execute(q) if pid is not None}


def patrol_total(session: Session, grid_ids: list[int], start: datetime, end: datetime) -> int | None:
    per_person = patrols(session, grid_ids, start, end)
    return None if per_person is None else sum(per_person.values())

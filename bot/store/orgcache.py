"""The organisation (units, people, memberships, chat bindings) kept in memory per process.

Every handled message needs its chat's binding, the unit chain above it, the grid's workers and the chat
of each tier: about a dozen statements of the ~40 a report cost, for data that changes a few times a year.
A process now loads the four tables once into an immutable `OrgSnapshot` and, per transaction, reads one
number: `org_version`, which database triggers bump on any change to those tables (migration 0005; by the
bot, by another process, or by hand in SQL). A snapshot older than the transaction's number is reloaded.

The Repo hands out session-attached copies (`Session.merge(load=False)`: no statement), so a caller that
changes one (a binding deactivated, a worker's categories) changes it in its own transaction as before. A
session that has added, changed or deleted an organisation row stops using the snapshot until it ends
(`org_dirty`), so it always reads its own changes.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.store.tables import ChatBinding, Membership, OrgVersion, Person, Unit

ORG_TYPES = (Unit, Person, Membership, ChatBinding)
DIRTY = "org_dirty"  # session.info: this transaction changed the organisation
SNAPSHOT = "org_snapshot"  # session.info: the snapshot this transaction uses (False: none available)

VERSION = select(OrgVersion.version).where(OrgVersion.id == 1)


@dataclass(frozen=True)
class OrgSnapshot:
    version: int
    units: dict[int, Unit]
    unit_ids_by_code: dict[str, int]
    children: dict[int, list[int]]
    persons: dict[int, Person]
    person_ids_by_tg: dict[int, int]
    memberships_by_person: dict[int, list[Membership]]
    memberships_by_unit_role: dict[tuple[int, str], list[Membership]]
    bindings_by_chat: dict[int, ChatBinding]
    active_binding_by_unit_kind: dict[tuple[int, str], ChatBinding]

    @classmethod
    def load(cls, engine: Engine) -> OrgSnapshot:
        """One read transaction on a connection of its own: the version first, then the rows (never older
        than the version they are labelled with)."""
        with Session(engine, expire_on_commit=False) as s:
            version = s.execute(VERSION).scalar_one()
            units = list(s.scalars(select(Unit).order_by(Unit.id)))
            persons = list(s.scalars(select(Person).order_by(Person.id)))
            memberships = list(s.scalars(select(Membership).order_by(Membership.id)))
            bindings = list(s.scalars(select(ChatBinding).order_by(ChatBinding.id)))
            s.expunge_all()
        children: dict[int, list[int]] = defaultdict(list)
        for u in units:
            if u.parent_id is not None:
                children[u.parent_id].append(u.id)
        by_person: dict[int, list[Membership]] = defaultdict(list)
        by_unit_role: dict[tuple[int, str], list[Membership]] = defaultdict(list)
        for m in memberships:
            by_person[m.person_id].append(m)
            by_unit_role[(m.unit_id, m.role)].append(m)
        active: dict[tuple[int, str], ChatBinding] = {}
        for b in bindings:
            if b.active:
                active.setdefault((b.unit_id, b.kind), b)  # the earliest, as ORDER BY id LIMIT 1 did
        return cls(
            version=version,
            units={u.id: u for u in units},
            unit_ids_by_code={u.code: u.id for u in units},
            children=dict(children),
            persons={p.id: p for p in persons},
            person_ids_by_tg={p.tg_user_id: p.id for p in persons if p.tg_user_id is not None},
            memberships_by_person=dict(by_person),
            memberships_by_unit_role=dict(by_unit_role),
            bindings_by_chat={b.chat_id: b for b in bindings},
            active_binding_by_unit_kind=active,
        )


_snapshots: weakref.WeakKeyDictionary[Engine, OrgSnapshot] = weakref.WeakKeyDictionary()
_loading = threading.Lock()


def snapshot(session: Session) -> OrgSnapshot | None:
    """The snapshot this transaction may read, or None when it must query (it changed the organisation
    itself, or the database has no org_version row)."""
    info = session.info
    if info.get(DIRTY) or _changes_org(session):
        info[DIRTY] = True
        return None
    snap = info.get(SNAPSHOT)
    if snap is None:
        snap = info[SNAPSHOT] = _current(session) or False
    return snap or None


def _current(session: Session) -> OrgSnapshot | None:
    version = session.execute(VERSION).scalar()
    if version is None:
        return None
    engine = session.get_bind()
    snap = _snapshots.get(engine)
    if snap is not None and snap.version >= version:
        return snap
    with _loading:  # one thread loads; the others take its result
        snap = _snapshots.get(engine)
        if snap is None or snap.version < version:
            snap = _snapshots[engine] = OrgSnapshot.load(engine)
    return snap


def _changes_org(session: Session) -> bool:
    return any(isinstance(o, ORG_TYPES) for group in (session.new, session.dirty, session.deleted) for o in group)


@event.listens_for(Session, "after_flush")
def _note_org_writes(session: Session, _flush_context) -> None:
    """A flush of organisation rows: this transaction reads the tables from now on (the session's pending
    sets still hold what was flushed here)."""
    if not session.info.get(DIRTY) and _changes_org(session):
        session.info[DIRTY] = True


def mark_dirty(session: Session) -> None:
    """For changes made with Core statements (Repo.move_chat)."""
    session.info[DIRTY] = True

"""Queries the services need, over one session (the unit of work)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session, col, select

from bot.domain.case import OPEN_STATES
from bot.domain.roles import ChatKind, Role
from bot.handlers.messages import OutgoingMessage
from bot.store import orgcache
from bot.store.tables import (
    Case,
    CaseEvent,
    ChatBinding,
    ChatSeen,
    DaySequence,
    Membership,
    MessageLink,
    OutboxMessage,
    PendingReport,
    Person,
    Unit,
)


class Repo:
    def __init__(self, session: Session):
        self.s = session

    # --- organisation (read from the process's snapshot when the transaction may: bot.store.orgcache) ------
    def _org(self) -> orgcache.OrgSnapshot | None:
        return orgcache.snapshot(self.s)

    def _attach(self, obj):
        """The session's own instance of a snapshot row: the one already in the session, or a copy merged in
        without a statement (changes to it are flushed with the transaction)."""
        if obj is None:
            return None
        existing = self.s.identity_map.get(sa_inspect(obj).key)
        return existing if existing is not None else self.s.merge(obj, load=False)

    def unit(self, unit_id: int) -> Unit | None:
        if (org := self._org()) is not None:
            return self._attach(org.units.get(unit_id))
        return self.s.get(Unit, unit_id)

    def unit_by_code(self, code: str) -> Unit | None:
        if (org := self._org()) is not None:
            unit_id = org.unit_ids_by_code.get(code)
            return self._attach(org.units[unit_id]) if unit_id is not None else None
        return self.s.exec(select(Unit).where(Unit.code == code)).first()

    def units(self) -> list[Unit]:
        if (org := self._org()) is not None:
            return [self._attach(u) for u in org.units.values()]
        return list(self.s.exec(select(Unit).order_by(Unit.id)))

    def ancestors(self, unit_id: int) -> list[Unit]:
        """The unit itself, then its parent, up to the street."""
        chain, seen = [], set()
        unit = self.unit(unit_id)
        while unit is not None and unit.id not in seen:
            chain.append(unit)
            seen.add(unit.id)
            unit = self.unit(unit.parent_id) if unit.parent_id else None
        return chain

    def descendants(self, unit_id: int) -> list[int]:
        """Ids of the unit and every unit below it."""
        org = self._org()
        ids, frontier = [unit_id], [unit_id]
        while frontier:
            if org is not None:
                children = [c for parent in frontier for c in org.children.get(parent, ())]
            else:
                children = list(self.s.exec(select(Unit.id).where(col(Unit.parent_id).in_(frontier))))
            ids.extend(children)
            frontier = children
        return ids

    def person_by_tg(self, tg_user_id: int) -> Person | None:
        if (org := self._org()) is not None:
            person_id = org.person_ids_by_tg.get(tg_user_id)
            return self._attach(org.persons[person_id]) if person_id is not None else None
        return self.s.exec(select(Person).where(Person.tg_user_id == tg_user_id)).first()

    def person(self, person_id: int | None) -> Person | None:
        if not person_id:
            return None
        if (org := self._org()) is not None:
            return self._attach(org.persons.get(person_id))
        return self.s.get(Person, person_id)

    def memberships(self, person_id: int) -> list[Membership]:
        if (org := self._org()) is not None:
            return [self._attach(m) for m in org.memberships_by_person.get(person_id, ())]
        return list(self.s.exec(select(Membership).where(Membership.person_id == person_id)))

    def roles_over(self, person_id: int | None, unit_id: int) -> set[Role]:
        """Roles the person holds on this unit or any unit above it."""
        if person_id is None:
            return set()
        chain = {u.id for u in self.ancestors(unit_id)}
        return {Role(m.role) for m in self.memberships(person_id) if m.unit_id in chain or m.role == Role.ADMIN}

    def people_with_role(self, unit_id: int, role: Role) -> list[Person]:
        if (org := self._org()) is not None:
            found = org.memberships_by_unit_role.get((unit_id, role.value), ())
            return [self._attach(org.persons[m.person_id]) for m in found]
        q = (
            select(Person)
            .join(Membership, col(Membership.person_id) == col(Person.id))
            .where(Membership.unit_id == unit_id, Membership.role == role.value)
            .order_by(Membership.id)
        )
        return list(self.s.exec(q))

    def is_admin(self, person_id: int | None) -> bool:
        if person_id is None:
            return False
        if (org := self._org()) is not None:
            return any(m.role == Role.ADMIN.value for m in org.memberships_by_person.get(person_id, ()))
        q = select(Membership).where(Membership.person_id == person_id, Membership.role == Role.ADMIN.value)
        return self.s.exec(q).first() is not None

    def workers_of(self, unit_id: int) -> list[tuple[Membership, Person]]:
        """Grid workers of the unit with their memberships (which carry the categories they take)."""
        if (org := self._org()) is not None:
            found = org.memberships_by_unit_role.get((unit_id, Role.GRID_WORKER.value), ())
            return [(self._attach(m), self._attach(org.persons[m.person_id])) for m in found]
        q = (
            select(Membership, Person)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .where(Membership.unit_id == unit_id, Membership.role == Role.GRID_WORKER.value)
            .order_by(Membership.id)
        )
        return list(self.s.exec(q))

    # --- chats ----------------------------------------------------------------------------------
    def binding(self, chat_id: int, *, active_only: bool = True) -> ChatBinding | None:
        if (org := self._org()) is not None:
            found = org.bindings_by_chat.get(chat_id)
            return self._attach(found) if found is not None and (found.active or not active_only) else None
        q = select(ChatBinding).where(ChatBinding.chat_id == chat_id)
        if active_only:
            q = q.where(ChatBinding.active == True)  # noqa: E712
        return self.s.exec(q).first()

    def chat_for(self, unit_id: int, kind: ChatKind) -> ChatBinding | None:
        """The chat of that kind bound to the unit, or to the nearest unit above it."""
        org = self._org()
        for unit in self.ancestors(unit_id):
            if org is not None:
                found = self._attach(org.active_binding_by_unit_kind.get((unit.id, kind.value)))
            else:
                q = select(ChatBinding).where(
                    ChatBinding.unit_id == unit.id, ChatBinding.kind == kind.value,
                    ChatBinding.active == True,  # noqa: E712
                )
                found = self.s.exec(q.order_by(ChatBinding.id)).first()
            if found:
                return found
        return None

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its binding, its cases and its queued messages follow the new id."""
        orgcache.mark_dirty(self.s)
        self.s.exec(update(ChatBinding).where(ChatBinding.chat_id == old_chat_id).values(chat_id=new_chat_id))
        self.s.exec(update(Case).where(Case.source_chat_id == old_chat_id).values(source_chat_id=new_chat_id))
        self.s.exec(update(OutboxMessage)
                    .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.status == "pending")
                    .values(chat_id=new_chat_id))

    def chat_seen(self, chat_id: int) -> ChatSeen | None:
        return self.s.get(ChatSeen, chat_id)

    # --- cases ------------------------------------------------------------------------------------
    def next_case_number(self, day: str) -> int:
        row = self.s.get(DaySequence, day, with_for_update=True)
        if row is None:
            row = DaySequence(day=day, last=0)
            self.s.add(row)
        row.last += 1
        self.s.flush()
        return row.last

    def case(self, case_id: int | None) -> Case | None:
        return self.s.get(Case, case_id) if case_id else None

    def case_by_number(self, number: str) -> Case | None:
        return self.s.exec(select(Case).where(Case.number == number.strip().lstrip("#"))).first()

    def case_by_source(self, chat_id: int, message_id: int) -> Case | None:
        q = select(Case).where(Case.source_chat_id == chat_id, Case.source_message_id == message_id)
        return self.s.exec(q).first()

    def open_cases_of_worker(self, person_id: int) -> list[Case]:
        q = select(Case).where(Case.assignee_id == person_id, col(Case.state).in_([s.value for s in OPEN_STATES]))
        return list(self.s.exec(q.order_by(Case.id)))

    def cases_of_reporter(self, tg_user_id: int, limit: int = 20) -> list[Case]:
        q = select(Case).where(Case.reporter_tg_id == tg_user_id).order_by(col(Case.id).desc()).limit(limit)
        return list(self.s.exec(q))

    def events(self, case_id: int) -> list[CaseEvent]:
        return list(self.s.exec(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)))

    def link(self, chat_id: int, message_id: int) -> MessageLink | None:
        return self.s.get(MessageLink, (chat_id, message_id))

    def latest_link(self, case_id: int, kind: str) -> MessageLink | None:
        q = select(MessageLink).where(MessageLink.case_id == case_id, MessageLink.kind == kind)
        return self.s.exec(q.order_by(col(MessageLink.message_id).desc())).first()

    def pending_report(self, pending_id: int) -> PendingReport | None:
        return self.s.get(PendingReport, pending_id)

    def awaiting_details(self, chat_id: int, user_id: int, now: datetime) -> PendingReport | None:
        """The writer's unexpired 我要投诉 in this chat, whose details the bot asked for."""
        q = select(PendingReport).where(
            PendingReport.status == "awaiting",
            PendingReport.chat_id == chat_id,
            PendingReport.user_id == user_id,
            col(PendingReport.expires_at) > now,
        )
        return self.s.exec(q.order_by(col(PendingReport.id).desc())).first()

    def expire_pending(self, now: datetime) -> int:
        q = (
            update(PendingReport)
            .where(col(PendingReport.status).in_(("open", "awaiting")), col(PendingReport.expires_at) <= now)
            .values(status="expired")
        )
        return self.s.exec(q).rowcount  # type: ignore[call-overload]

    # --- statistics (digest) --------------------------------------------------------------------------
    def cases_in_units(self, unit_ids: list[int]) -> list[Case]:
        return list(self.s.exec(select(Case).where(col(Case.grid_id).in_(unit_ids))))

    def event_counts(self, unit_ids: list[int], start: datetime, end: datetime) -> dict[str, int]:
        q = (
            select(CaseEvent.action, func.count())
            .join(Case, col(Case.id) == col(CaseEvent.case_id))
            .where(col(Case.grid_id).in_(unit_ids), CaseEvent.at >= start, CaseEvent.at < end)
            .group_by(CaseEvent.action)
        )
        return {a: n for a, n in self.s.exec(q)}

    # --- outbox ------------------------------------------------------------------------------------------
    def enqueue(self, out: OutgoingMessage) -> OutboxMessage:
        method = {"send": "send_photo" if out.photo else "send_message"}.get(out.kind, out.kind)
        row = OutboxMessage(
            chat_id=out.chat_id,
            method=method,
            payload=json.dumps(out.to_json(), ensure_ascii=False),
            case_id=out.case_id,
            link_kind=out.link_kind,
        )
        self.s.add(row)
        return row


__all__ = ["Repo"]

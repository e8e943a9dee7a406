"""sqlmodel tables. Telegram ids are BIGINT; timestamps are aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def big(**kw):
    return Field(sa_type=BigInteger, **kw)


class Unit(SQLModel, table=True):
    __tablename__ = "unit"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)  # street | community | grid
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)


class Person(SQLModel, table=True):
    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    tg_user_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)


class Membership(SQLModel, table=True):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("person_id", "unit_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str = Field(max_length=20)
    # for grid workers: the category codes they take ("" = everything not claimed by a colleague)
    categories: str = Field(default="", max_length=300)


class ChatBinding(SQLModel, table=True):
    __tablename__ = "chat_binding"
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = big(unique=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=20)  # resident_group | worker_group | command_group | dept_group
    title: str | None = Field(default=None, max_length=200)
    active: bool = True
    bound_by: int | None = big(default=None)
    bound_at: datetime = Field(default_factory=utcnow)


class OrgVersion(SQLModel, table=True):
    """One row, bumped by database triggers whenever unit, person, membership or chat_binding changes (by the bot
    or by hand): a process keeps the organisation in memory for as long as this number stays the same."""
    __tablename__ = "org_version"
    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_type=BigInteger)


class ChatSeen(SQLModel, table=True):
    """Chats the bot has seen but that are not bound: each gets the admin hint once."""

    __tablename__ = "chat_seen"
    chat_id: int = big(primary_key=True)
    title: str | None = Field(default=None, max_length=200)
    hinted_at: datetime = Field(default_factory=utcnow)


class Case(SQLModel, table=True):
    __tablename__ = "case_"
    __table_args__ = (
        UniqueConstraint("source_chat_id", "source_message_id", name="uq_case_source"),
        Index("ix_case_state_grid", "state", "grid_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=20)
    state: str = Field(max_length=20, index=True)
    category: str = Field(max_length=30, index=True)
    subcategory: str | None = Field(default=None, max_length=60)
    urgency: str = Field(max_length=10)
    confidence: float = 0.0
    keywords: str = Field(default="", sa_column_kwargs={"nullable": False})
    location: str | None = Field(default=None, max_length=200)
    text: str = Field(sa_type=Text)
    photos: str = Field(default="[]", sa_type=Text)  # JSON list of Telegram file ids
    grid_id: int = Field(foreign_key="unit.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)  # the unit that owns it now (tier)
    tier: str = Field(default="grid", max_length=20)
    assignee_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    reporter_tg_id: int | None = big(default=None, index=True)
    reporter_name: str = Field(default="", max_length=100)
    source_chat_id: int = big()
    source_message_id: int = big()
    source_thread_id: int | None = big(default=None)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    accepted_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    accept_by: datetime | None = None
    resolve_by: datetime | None = None
    first_accept_by: datetime | None = None  # the first accept clock's deadline: the 响应率 counts against it
    reopen_count: int = 0
    # issue 5: when the running accept / resolve clocks started, the 督办 card shown, the 回访 rating
    accept_from: datetime | None = None
    resolve_from: datetime | None = None
    card: str | None = Field(default=None, max_length=10)  # yellow | red (黄牌/红牌督办), never lowered
    card_at: datetime | None = None
    satisfaction: str | None = Field(default=None, max_length=12)  # satisfied | basic | unsatisfied | default


class CaseEvent(SQLModel, table=True):
    __tablename__ = "case_event"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_.id", index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_tg_id: int | None = big(default=None)
    actor_name: str = Field(default="", max_length=100)
    action: str = Field(max_length=30)
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str | None = Field(default=None, max_length=20)
    note: str = Field(default="", sa_type=Text)


class InboundUpdate(SQLModel, table=True):
    """Every Telegram update, stored before its offset is confirmed: nothing a resident wrote is lost."""

    __tablename__ = "inbound_update"
    bot_id: int = big(primary_key=True)
    update_id: int = big(primary_key=True)
    payload: str = Field(sa_type=Text)
    status: str = Field(default="new", max_length=10, index=True)  # new | done | failed
    attempts: int = 0
    received_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = None
    error: str | None = Field(default=None, sa_type=Text)


class PollState(SQLModel, table=True):
    __tablename__ = "poll_state"
    bot_id: int = big(primary_key=True)
    next_offset: int = big(default=0)


class OutboxMessage(SQLModel, table=True):
    """Every message the bot sends is a row first; one sender drains the table within Telegram's limits."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = big(index=True)
    method: str = Field(max_length=30)  # send_message | send_photo | edit_text | answer_callback
    payload: str = Field(sa_type=Text)  # JSON of the neutral OutgoingMessage
    case_id: int | None = Field(default=None, index=True)
    link_kind: str | None = Field(default=None, max_length=20)
    status: str = Field(default="pending", max_length=10)  # pending | sent | failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    sent_message_id: int | None = big(default=None)


class MessageLink(SQLModel, table=True):
    """Which chat message stands for which case (task card, report, result), so replies find their case."""

    __tablename__ = "message_link"
    chat_id: int = big(primary_key=True)
    message_id: int = big(primary_key=True)
    case_id: int = Field(index=True)
    kind: str = Field(max_length=20)  # report | task_card | result | ack | notice


class PendingReport(SQLModel, table=True):
    """A message the classifier was unsure about (the writer is asked 要上报吗?), or a bare intent to
    report (我要投诉: the writer is asked what and where, and the next message opens the case)."""

    __tablename__ = "pending_report"
    __table_args__ = (Index("ix_pending_writer", "status", "chat_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = big()
    message_id: int = big()
    user_id: int = big()
    user_name: str = Field(default="", max_length=100)
    thread_id: int | None = big(default=None)
    text: str = Field(sa_type=Text)
    photos: str = Field(default="[]", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    # open: asked 要上报吗; awaiting: the writer said only 我要投诉 and was asked what and where;
    # then reported | dismissed | expired
    status: str = Field(default="open", max_length=10)


class DaySequence(SQLModel, table=True):
    __tablename__ = "day_sequence"
    day: str = Field(primary_key=True, max_length=8)
    last: int = 0


class Correction(SQLModel, table=True):
    """A worker's /recat or /urgency: the message with the label a person gave it, for `gridbot rules
    suggest`. An urgency correction keeps the category (old = new) and sets old/new_urgency; a category
    correction leaves the urgency columns empty."""

    __tablename__ = "correction"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    text: str = Field(sa_type=Text)
    old_category: str = Field(max_length=30)
    new_category: str = Field(max_length=30)
    old_urgency: str | None = Field(default=None, max_length=10)
    new_urgency: str | None = Field(default=None, max_length=10)
    actor_tg_id: int | None = big(default=None)
    at: datetime = Field(default_factory=utcnow)


class Deadline(SQLModel, table=True):
    """A moment at which the bot acts on its own (reminder, 督办 card, 回访 timeout, patrol reminder).

    Swept by bot/scheduler: claimed with a lease (lease_until, claimed_by) so that one process acts, and
    settled once (fired_at, outcome) in the same transaction as the notice it sends. `key` says what the
    row stands for, so planning the same moment twice finds the row instead of adding another."""

    __tablename__ = "deadline"
    __table_args__ = (Index("ix_deadline_due", "fired_at", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=120)
    kind: str = Field(max_length=20)  # remind | yellow_card | red_card | street_alert | followup | patrol
    case_id: int | None = Field(default=None, index=True)
    unit_id: int | None = Field(default=None)
    step: str | None = Field(default=None, max_length=10)  # accept | resolve
    ref_at: datetime | None = None  # the step's deadline when the row was planned (stale once it moves)
    due_at: datetime
    lease_until: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=100)
    fired_at: datetime | None = None
    outcome: str | None = Field(default=None, max_length=20)  # sent | skipped | stale | cancelled | failed
    attempts: int = 0
    error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)


class CaseFollower(SQLModel, table=True):
    """A resident whose report joined an open case (并单): told of its progress, asked for the 回访."""

    __tablename__ = "case_follower"
    __table_args__ = (UniqueConstraint("case_id", "tg_user_id", name="uq_case_follower"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_.id", index=True)
    tg_user_id: int = big()
    name: str = Field(default="", max_length=100)
    chat_id: int = big()
    message_id: int = big()
    text: str = Field(default="", sa_type=Text)
    joined_at: datetime = Field(default_factory=utcnow)


class Patrol(SQLModel, table=True):
    """One patrol note (每日一巡查) of a grid worker: the grid log that digests count."""

    __tablename__ = "patrol"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    grid_id: int = Field(foreign_key="unit.id", index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    text: str = Field(default="", sa_type=Text)
    photos: str = Field(default="[]", sa_type=Text)
    chat_id: int | None = big(default=None)
    message_id: int | None = big(default=None)


__all__ = [
    "Case", "CaseEvent", "CaseFollower", "ChatBinding", "ChatSeen", "Column", "Correction", "DaySequence", "Deadline",
    "InboundUpdate", "Membership", "MessageLink", "OutboxMessage", "Patrol", "PendingReport", "Person", "PollState", "Unit",
    "utcnow",
]

"""What every use case gets: the unit of work, the rules, the clock, and a way to send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.classifier import Classifier
from bot.domain.roles import Role
from bot.handlers.messages import OutgoingMessage, Sender
from bot.settings import Settings
from bot.store.repo import Repo
from bot.store.tables import CaseEvent, Person
from bot.workcalendar import WorkCalendar


class Deferred(Exception):
    """The update refers to a message the sender has just sent but not yet recorded: handle it a moment later."""


@dataclass
class Actor:
    """Who is acting: the Telegram sender, and the person record when the organisation knows them."""

    sender: Sender
    person: Person | None = None

    @property
    def name(self) -> str:
        return self.person.name if self.person else self.sender.name

    @property
    def person_id(self) -> int | None:
        return self.person.id if self.person else None


@dataclass
class Context:
    session: Session
    classifier: Classifier
    settings: Settings
    calendar: WorkCalendar
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    sent: list[OutgoingMessage] = field(default_factory=list)
    # False once an update has waited long enough for the sender to record the message it replies to
    may_defer: bool = True

    def __post_init__(self) -> None:
        self.repo = Repo(self.session)
        self.tz = ZoneInfo(self.settings.timezone)

    def send(self, out: OutgoingMessage) -> None:
        """Queue a message: it becomes an outbox row in the same transaction as the change it reports."""
        self.repo.enqueue(out)
        self.sent.append(out)

    def actor(self, sender: Sender) -> Actor:
        return Actor(sender, self.repo.person_by_tg(sender.id))

    def roles_over(self, actor: Actor, unit_id: int) -> set[Role]:
        return self.repo.roles_over(actor.person_id, unit_id)

    def log(self, case_id: int, actor: Actor | None, action: str, from_state: str | None,
            to_state: str | None, note: str = "") -> None:
        self.session.add(
            CaseEvent(
                case_id=case_id,
                at=self.now,
                actor_tg_id=actor.sender.id if actor else None,
                actor_name=actor.name if actor else "系统",
                action=action,
                from_state=from_state,
                to_state=to_state,
                note=note,
            )
        )

    def local(self, dt: datetime | None) -> str:
        """Show a stored UTC time in the configured zone, e.g. 11月22日 14:00."""
        if dt is None:
            return "—"
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt.astimezone(self.tz).strftime("%m月%d日 %H:%M").lstrip("0")

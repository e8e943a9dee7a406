"""A small world for deadline tests: the example organisation on a real database, the real router and
services, a clock that moves only when told, and a fake sender that gives every outbox row a message id
(and links it to its case, as the real sender does) so that replies to task cards work.

No tests here: test_deadlines*.py import `World`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.classifier import Classification, Taxonomy
from bot.domain.roles import ChatKind
from bot.handlers.messages import ButtonPress, IncomingMessage, OutgoingMessage, Sender
from bot.handlers.router import handle
from bot.runtime.processor import Processor
from bot.scheduler.clock import ManualClock
from bot.scheduler.sweeper import Sweeper
from bot.services.org import bind_chat
from bot.settings import Settings
from bot.store.db import unit_of_work
from bot.store.tables import Case, CaseEvent, Deadline, MessageLink, OutboxMessage, Person, Unit
from bot.workcalendar import WorkCalendar
from tests.conftest import load_org

SH = ZoneInfo("Asia/Shanghai")
RESIDENTS, WORKERS, COMMAND, STREET = -1001000000101, -1001000000102, -1001000000100, -1001000000001
RESIDENTS_2, WORKERS_2 = -1001000000201, -1001000000202
CHATS = [(RESIDENTS, "cy-01", ChatKind.RESIDENT_GROUP, "翠苑一网格居民群"),
         (WORKERS, "cy-01", ChatKind.WORKER_GROUP, "翠苑一网格工作群"),
         (COMMAND, "cy-community", ChatKind.COMMAND_GROUP, "翠苑社区指挥群"),
         (STREET, "xh-street", ChatKind.COMMAND_GROUP, "西湖街道指挥中心"),
         (RESIDENTS_2, "cy-02", ChatKind.RESIDENT_GROUP, "翠苑二网格居民群"),
         (WORKERS_2, "cy-02", ChatKind.WORKER_GROUP, "翠苑二网格工作群")]

RESIDENT, RESIDENT_2, RESIDENT_3 = Sender(6000000001, "王阿姨"), Sender(6000000002, "张先生"), Sender(6000000003, "刘奶奶")
WORKER, WORKER_2, LEADER = Sender(5000000101, "李明"), Sender(5000000102, "赵秀英"), Sender(5000000103, "王建军")
SECRETARY, ADMIN = Sender(5000000011, "陈丽华"), Sender(5000000001, "周志强")
OTHER_GRID_WORKER = Sender(5000000201, "孙丽")
MONDAY_0930 = datetime(2026, 11, 23, 9, 30, tzinfo=SH)

# reports with fixed classifications: the tests check clocks and conversations, not the classifier
DRAIN = "3号楼门口下水道堵了，污水都漫到路上了"
DRAIN_AGAIN = "3号楼门口污水漫出来了，下水道堵住了"
DRAIN_7 = "7栋门口下水道也堵了"
DRAIN_NOWHERE = "门口下水道堵了，污水都漫到路上了"
LIGHT = "5栋楼道的路灯坏了好几天了，晚上黑漆漆的"
FIRE = "2号楼楼道里着火了，冒了好多烟"
GARBAGE = "小区东门垃圾堆了三天没人清理"
REPORTS = {
    DRAIN: ("facilities", "drainage", "yellow", "3号楼"), DRAIN_AGAIN: ("facilities", "drainage", "yellow", "3号楼"),
    DRAIN_7: ("facilities", "drainage", "yellow", "7栋"), DRAIN_NOWHERE: ("facilities", "drainage", "yellow", None),
    LIGHT: ("facilities", "streetlight", "green", "5栋"), FIRE: ("safety", "fire", "red", "2号楼"),
    GARBAGE: ("environment", "garbage", "green", "东门"),
}
# the defaults: red 30 min / 24 h, yellow 4 h / 3 working days, green 1 / 5 working days
DEADLINES = {"red": ("30m", "24h"), "yellow": ("4h", "3wd"), "green": ("1wd", "5wd")}


class FixedTaxonomy:
    """The packaged taxonomy for names and routing, with the issue's default deadlines."""

    def __init__(self, real: Taxonomy):
        self.real = real

    def deadlines(self, code, sub, urgency):
        return DEADLINES.get(urgency, DEADLINES["green"])

    def __getattr__(self, name):
        return getattr(self.real, name)


class FixedClassifier:
    def __init__(self, taxonomy: Taxonomy | None = None):
        self.taxonomy = FixedTaxonomy(taxonomy or Taxonomy.load())

    def classify(self, text: str, *, role: str | None = None) -> Classification:
        known = next((r for r in REPORTS if text.strip().startswith(r)), None)  # "…（第2次）" is the same report
        if known is None:
            return Classification(False, None, None, None, 0.0)
        category, sub, urgency, place = REPORTS[known]
        return Classification(True, category, sub, urgency, 0.95, keywords=(sub,), location=place,
                              emergency=("119",) if urgency == "red" else ())


def local(*a) -> datetime:
    return datetime(*a, tzinfo=SH)


@dataclass
class Sent:
    chat_id: int
    message_id: int
    out: OutgoingMessage
    case_id: int | None
    link_kind: str | None

    @property
    def text(self) -> str:
        return self.out.text


class World:
    def __init__(self, engine, classifier, start: datetime = MONDAY_0930, *, org: bool = True,
                 sweeper_name: str = "sweeper-1", **settings):
        self.engine = engine
        self.clock = ManualClock(start)
        self.settings = Settings(**settings)
        self.calendar = WorkCalendar.load()
        self.processor = Processor(engine, None, classifier, self.settings, self.calendar, self.clock)
        self.sweeper = Sweeper(engine, self.processor, lease_seconds=self.settings.lease_seconds, name=sweeper_name)
        self.next_message_id = 1000
        self.sent: list[Sent] = []
        if org:
            load_org(engine)
            with unit_of_work(engine) as s:
                for chat_id, code, kind, title in CHATS:
                    unit = s.exec(select(Unit).where(Unit.code == code)).one()
                    bind_chat(s, chat_id, unit, kind, title=title)

    # --- acting ------------------------------------------------------------------------------------------------
    def handle(self, event) -> list[Sent]:
        with unit_of_work(self.engine) as s:
            handle(self.processor.context(s), event)
        return self.deliver()

    def say(self, chat_id: int, who: Sender, text: str, *, reply_to: int | None = None,
            photos: tuple[str, ...] = ()) -> tuple[int, list[Sent]]:
        self.next_message_id += 1
        mid = self.next_message_id
        msg = IncomingMessage(chat_id=chat_id, message_id=mid, sender=who, text=text, photos=photos,
                              reply_to_message_id=reply_to,
                              reply_to_sender=Sender(1, "bot", is_bot=True) if reply_to else None)
        return mid, self.handle(msg)

    def press(self, chat_id: int, message_id: int, who: Sender, data: str) -> list[Sent]:
        self.next_message_id += 1
        return self.handle(ButtonPress(callback_id=str(self.next_message_id), chat_id=chat_id,
                                       message_id=message_id, sender=who, data=data))

    def report(self, text: str, who: Sender = RESIDENT, chat_id: int = RESIDENTS) -> tuple[Case, list[Sent]]:
        mid, sent = self.say(chat_id, who, text)
        with unit_of_work(self.engine) as s:
            case = s.exec(select(Case).where(Case.source_chat_id == chat_id, Case.source_message_id == mid)).first()
        return case, sent

    def sweep(self, sweeper: Sweeper | None = None) -> list[Sent]:
        (sweeper or self.sweeper).sweep_once()
        return self.deliver()

    def advance_to(self, t: datetime, sweeper: Sweeper | None = None) -> list[Sent]:
        self.clock.set(t)
        return self.sweep(sweeper)

    # --- the fake sender -----------------------------------------------------------------------------------------
    def deliver(self) -> list[Sent]:
        """Every pending outbox row is 'sent': it gets a message id and, like the real sender, its case link."""
        out: list[Sent] = []
        with unit_of_work(self.engine) as s:
            rows = s.exec(select(OutboxMessage).where(OutboxMessage.status == "pending")
                          .order_by(col(OutboxMessage.id))).all()
            for r in rows:
                msg = OutgoingMessage.from_json(json.loads(r.payload))
                r.status = "sent"
                if msg.kind == "answer_callback":
                    out.append(Sent(r.chat_id, 0, msg, r.case_id, r.link_kind))
                if msg.kind != "send":
                    continue  # edits of a card are looked at in the outbox, not here
                self.next_message_id += 1
                r.sent_message_id = self.next_message_id
                if r.case_id and r.link_kind:
                    s.merge(MessageLink(chat_id=r.chat_id, message_id=self.next_message_id, case_id=r.case_id,
                                        kind=r.link_kind))
                out.append(Sent(r.chat_id, self.next_message_id, msg, r.case_id, r.link_kind))
        self.sent.extend(out)
        return out

    # --- looking -----------------------------------------------------------------------------------------------
    def case(self, case_id: int) -> Case:
        with unit_of_work(self.engine) as s:
            return s.get(Case, case_id)

    def person_id(self, who: Sender) -> int | None:
        with unit_of_work(self.engine) as s:
            person = s.exec(select(Person).where(Person.tg_user_id == who.id)).first()
            return person.id if person else None

    def unit_id(self, code: str) -> int:
        with unit_of_work(self.engine) as s:
            return s.exec(select(Unit).where(Unit.code == code)).one().id

    def card(self, case_id: int) -> Sent:
        """The latest task card of the case (the message replies go to)."""
        return [m for m in self.sent if m.case_id == case_id and m.link_kind == "task_card_main"][-1]

    def events(self, case_id: int) -> list[tuple[str, str]]:
        with unit_of_work(self.engine) as s:
            rows = s.exec(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id)))
            return [(e.action, e.note) for e in rows]

    def deadlines(self, case_id: int | None = None) -> list[Deadline]:
        with unit_of_work(self.engine) as s:
            q = select(Deadline).order_by(col(Deadline.due_at), col(Deadline.id))
            if case_id is not None:
                q = q.where(Deadline.case_id == case_id)
            return list(s.exec(q))

    def pending(self, case_id: int) -> dict[str, datetime]:
        """Unsettled rows of a case: 'step:kind' → due time in Shanghai."""
        return {f"{d.step}:{d.kind}" if d.step else d.kind: d.due_at.astimezone(SH)
                for d in self.deadlines(case_id) if d.fired_at is None}

    def in_chat(self, chat_id: int, since: int = 0) -> list[Sent]:
        return [m for m in self.sent if m.chat_id == chat_id and m.message_id > since]

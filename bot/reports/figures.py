"""The figures of a digest, and the small pure rules behind them (no database, no platform).

Definitions (docs/reports.md says the same for people):
- flows in the period P = [start, end): new = cases created in P; accepted / resolved / closed = cases whose
  accepted_at / resolved_at / closed_at lies in P; reopened = cases with a `reopen` audit event in P.
- 响应率 (response rate): of the cases created in P that are due to be accepted by the report time (accepted,
  or accept_by passed), the share accepted no later than accept_by.
- 按期办结率 (on-time resolution rate): the same with resolved_at / resolve_by.
- 满意率 (satisfaction rate): explicit ratings given in P, (满意 + 基本满意) / all explicit ratings;
  默认满意 (no answer, closed by the clock) is counted apart and never in the rate.
- time to accept / resolve: accepted_at − created_at / resolved_at − created_at of the cases accepted /
  resolved in P; mean and the 90th percentile (linear interpolation between closest ranks).
Merged and rejected cases are not counted in the rates (they are not work that was owed).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

SATISFIED, BASIC, UNSATISFIED, DEFAULT = "satisfied", "basic", "unsatisfied", "default"
# audit actions that may carry a rating (the loop's 已解决/未解决 buttons, and issue 5's 回访)
RATING_ACTIONS = ("close", "reopen", "rate", "rating", "feedback", "satisfaction", "followup", "follow_up", "visit")
CARD_ACTIONS = ("yellow_card", "red_card", "card", "supervise", "supervision")
INVALID_STATES = ("merged", "rejected")


# the words in an audit note that say which rating it records, first match wins (不满意 contains 满意);
# stats.py turns the same list into SQL so that ratings are counted in the database
RATING_WORDS = (
    (DEFAULT, ("默认满意", "default", "timeout", "no answer")),
    (BASIC, ("基本满意", "basic", "partly", "partial")),
    (UNSATISFIED, ("不满意", "unsatisfied", "dissatisfied", "not satisfied", "not fixed", "未解决")),
    (SATISFIED, ("满意", "satisfied", "fixed", "已解决")),
)


def rating_of(action: str, note: str | None) -> str | None:
    """The rating an audit event records, if any."""
    if action not in RATING_ACTIONS:
        return None
    n = (note or "").lower()
    return next((rating for rating, words in RATING_WORDS if any(w in n for w in words)), None)


def card_of(action: str, note: str | None) -> str | None:
    """The 督办 card colour an audit event records, if any."""
    text = f"{action} {note or ''}".lower()
    if action not in CARD_ACTIONS:
        return None
    if "red" in text or "红" in text:
        return "red"
    if "yellow" in text or "黄" in text:
        return "yellow"
    return None


def percentile(values: list[float], q: float) -> float | None:
    """q-th percentile (0..100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@dataclass
class Rate:
    num: int = 0
    den: int = 0

    @property
    def value(self) -> float | None:
        return self.num / self.den if self.den else None

    def add(self, num: int, den: int) -> None:
        self.num += num
        self.den += den

    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"


@dataclass
class Durations:
    """Seconds from creation to a step, over the cases that took that step in the period."""

    n: int = 0
    mean: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, seconds: list[float]) -> Durations:
        seconds = [max(0.0, s) for s in seconds if s is not None]
        if not seconds:
            return cls()
        return cls(len(seconds), sum(seconds) / len(seconds), percentile(seconds, 90))


@dataclass
class GridRow:
    grid_id: int
    name: str
    community: str = ""
    new: int = 0
    valid: int = 0  # new less merged and rejected
    closed: int = 0  # of the new ones, closed by now
    response: Rate = field(default_factory=Rate)
    resolution: Rate = field(default_factory=Rate)
    open_now: int = 0
    overdue_now: int = 0

    @property
    def closure(self) -> Rate:
        return Rate(self.closed, self.valid)


@dataclass
class WorkerRow:
    person_id: int
    name: str
    accepted: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    open_now: int = 0
    overdue_now: int = 0
    patrols: int = 0

    @property
    def on_time(self) -> Rate:
        return Rate(self.resolved_on_time, self.resolved)


@dataclass
class OverdueCase:
    case_id: int
    number: str
    grid_id: int
    worker: str
    state: str
    urgency: str
    step: str  # accept | resolve: which deadline was missed
    due: datetime
    card: str | None = None  # yellow | red, from issue 5's 督办 (field or audit events)


@dataclass
class Hotspot:
    kind: str  # place | category
    grid_id: int
    label: str  # the place, or the category code
    category: str
    count: int


@dataclass
class Digest:
    unit_id: int
    unit_name: str
    unit_kind: str
    period_key: str
    start: datetime
    end: datetime
    as_of: datetime
    new: int = 0
    accepted: int = 0
    resolved: int = 0
    closed: int = 0
    reopened: int = 0
    open_now: int = 0
    overdue_now: int = 0
    response: Rate = field(default_factory=Rate)
    resolution: Rate = field(default_factory=Rate)
    satisfaction: Rate = field(default_factory=Rate)
    ratings: Counter = field(default_factory=Counter)  # satisfied | basic | unsatisfied | default → count
    t_accept: Durations = field(default_factory=Durations)
    t_resolve: Durations = field(default_factory=Durations)
    by_category: Counter = field(default_factory=Counter)
    grids: list[GridRow] = field(default_factory=list)
    workers: list[WorkerRow] = field(default_factory=list)
    overdue: list[OverdueCase] = field(default_factory=list)  # the most overdue first, at most a page
    hotspots: list[Hotspot] = field(default_factory=list)
    patrols: int | None = None  # None while patrols are not recorded anywhere
    daily: dict[date, Counter] = field(default_factory=dict)  # local day → category → new cases

    @property
    def default_satisfied(self) -> int:
        return self.ratings.get(DEFAULT, 0)

    def ranking(self) -> list[WorkerRow]:
        """Workers by cases resolved, then on-time share, then fewer overdue."""
        return sorted(self.workers, key=lambda w: (-w.resolved, -(w.on_time.value or 0), w.overdue_now, w.name))

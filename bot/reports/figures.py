"""The figures of a digest, and the small pure rules behind them (no database, no platform).

Definitions (docs/reports.md says the same for people):
- flows in the period P = [start, end): new = cases created in P; accepted / resolved / closed = cases whose
  accepted_at / resolved_at / closed_at lies in P; reopened = cases with a `reopen` audit event in P.
- 响应率 (response rate): of the cases created in P that are due to be accepted by the report time (accepted,
  or its first accept deadline passed), the share accepted no later than first_accept_by (a reopen or a
  transfer restarts accept_by, not the first response).
- 按期办结率 (on-time resolution rate): the same with resolved_at / resolve_by.
- 满意率 (satisfaction rate): the 回访 ratings given in P, one per case and rating, (满意 + 基本满意) /
  (满意 + 基本满意 + 不满意); 默认满意 (no answer within 48 h, closed by the clock) is counted apart and never
  in the rate, and not at all for a case that also got an explicit rating in P (a late rating replaces it).
- overdue now: an open case whose running clock has passed its deadline — accept_by in the states where the
  accept clock runs, resolve_by in those where the resolve clock runs (bot.domain.supervision.step_of_state).
- time to accept / resolve: accepted_at − created_at / resolved_at − created_at of the cases accepted /
  resolved in P; mean and the 90th percentile (linear interpolation between closest ranks).
Merged and rejected cases are not counted in the rates (they are not work that was owed).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from bot import texts
from bot.domain.case import Action, CaseState
from bot.domain.supervision import RED_CARD, STREET_ALERT, YELLOW_CARD, step_of_state

SATISFIED, BASIC, UNSATISFIED, DEFAULT = "satisfied", "basic", "unsatisfied", "default"
# 回访 as bot/services/followup.py logs it: the rating's label opens the note of the event it causes —
# `close` "满意 (reporter)" / "基本满意 (follower)", `reopen` "不满意 (reporter)", `rate` "满意 (reporter,
# after closing)" for a rating given once the case is closed, and the 48 h timeout's `close` "默认满意 default: …".
# No label opens another (满意, 基本满意, 不满意, 默认满意), so "the note starts with the label" is exact.
RATING_ACTIONS = (Action.CLOSE.value, Action.REOPEN.value, "rate")
RATING_LABELS = {kind: texts.RATING_LABELS[kind] for kind in (SATISFIED, BASIC, UNSATISFIED, DEFAULT)}
# 督办 as bot/services/supervision.py logs it; the colour itself is the case's `card` column
SUPERVISION_ACTIONS = (YELLOW_CARD, RED_CARD, STREET_ALERT)
INVALID_STATES = ("merged", "rejected")
# the states in which each clock runs (the sweeper's rule, so that the digest's overdue cases are the ones
# the 督办 ladder acts on): accept in new / assigned / transferred / reopened, resolve in those and accepted
ACCEPT_STATES = tuple(s.value for s in CaseState if "accept" in step_of_state(s.value))
RESOLVE_STATES = tuple(s.value for s in CaseState if "resolve" in step_of_state(s.value))


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
    card: str | None = None  # yellow | red: the case's 督办 card (Case.card, never lowered)


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
    patrols: int = 0  # patrol notes logged in P (/patrol)
    cards: Counter = field(default_factory=Counter)  # yellow_card | red_card | street_alert → cases in P
    daily: dict[date, Counter] = field(default_factory=dict)  # local day → category → new cases

    @property
    def default_satisfied(self) -> int:
        return self.ratings.get(DEFAULT, 0)

    def ranking(self) -> list[WorkerRow]:
        """Workers by cases resolved, then on-time share, then fewer overdue."""
        return sorted(self.workers, key=lambda w: (-w.resolved, -(w.on_time.value or 0), w.overdue_now, w.name))

"""A clock that moves only when told: for tests and `gridbot demo --scenario overdue`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class ManualClock:
    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("the clock needs an aware start time")
        self.t = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **delta: float) -> datetime:
        self.t += timedelta(**delta)
        return self.t

    def set(self, t: datetime) -> datetime:
        self.t = t.astimezone(UTC)
        return self.t

"""Deadlines from duration specs: "30m", "4h", "2d" (calendar), "3wd" (Chinese working days).

A working-day deadline keeps the time of day and skips non-working days; a report made on a
non-working day starts counting at the opening hour of the next working day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SPEC = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|h|d|wd)\s*$")
IsWorkday = Callable[[date], bool]


class DeadlineSpecError(ValueError):
    pass


def parse_spec(spec: str) -> tuple[float, str]:
    m = SPEC.match(spec or "")
    if not m:
        raise DeadlineSpecError(f"bad duration {spec!r}: use e.g. 30m, 4h, 2d, 3wd")
    return float(m.group(1)), m.group(2)


def due_at(
    start: datetime,
    spec: str,
    is_workday: IsWorkday,
    tz: ZoneInfo,
    opening: time = time(9, 0),
    closing: time | None = None,
) -> datetime:
    """When a duration that starts at `start` (aware) ends; the result is aware UTC-comparable.
    With `closing`, a working-day count that starts outside working hours starts at the next opening."""
    amount, unit = parse_spec(spec)
    if unit == "m":
        return start + timedelta(minutes=amount)
    if unit == "h":
        return start + timedelta(hours=amount)
    if unit == "d":
        return start + timedelta(days=amount)
    local = start.astimezone(tz)
    if closing is not None:
        local = next_working_moment(start, is_workday, tz, opening, closing).astimezone(tz)
    elif not is_workday(local.date()):
        day = local.date()
        while not is_workday(day):
            day += timedelta(days=1)
        local = datetime.combine(day, opening, tz)
    day = local.date()
    remaining = int(round(amount))
    while remaining > 0:
        day += timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tz)


def fraction_elapsed(start: datetime, due: datetime, now: datetime) -> float:
    total = (due - start).total_seconds()
    return 1.0 if total <= 0 else (now - start).total_seconds() / total


def next_working_moment(t: datetime, is_workday: IsWorkday, tz: ZoneInfo, opening: time, closing: time) -> datetime:
    """`t` itself when it falls in working hours of a working day, else the next opening."""
    local = t.astimezone(tz)
    day = local.date()
    if is_workday(day) and opening <= local.time() < closing:
        return t
    if not (is_workday(day) and local.time() < opening):
        day += timedelta(days=1)
        while not is_workday(day):
            day += timedelta(days=1)
    return datetime.combine(day, opening, tz)

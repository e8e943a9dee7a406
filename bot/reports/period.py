"""Report periods: what "today", "上周", "3月" or "2026-03-01..2026-03-15" mean, in local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KEYWORDS = {
    "today": "today", "今日": "today", "今天": "today",
    "yesterday": "yesterday", "昨日": "yesterday", "昨天": "yesterday",
    "week": "week", "本周": "week", "这周": "week",
    "lastweek": "lastweek", "last_week": "lastweek", "上周": "lastweek",
    "month": "month", "本月": "month", "这个月": "month",
    "lastmonth": "lastmonth", "last_month": "lastmonth", "上月": "lastmonth", "上个月": "lastmonth",
}
MONTH_CN = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月$")
MONTH_ISO = re.compile(r"^(\d{4})-(\d{1,2})$")
RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\.\.|~|至|到)(\d{4}-\d{1,2}-\d{1,2})$")
DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


@dataclass(frozen=True)
class Period:
    key: str  # today | yesterday | week | lastweek | month | lastmonth | YYYY-MM | YYYY-MM-DD..YYYY-MM-DD
    first_day: date  # local, inclusive
    last_day: date  # local, inclusive
    start: datetime  # aware: local midnight of first_day
    end: datetime  # aware, exclusive: local midnight after last_day, or "now" for a running period

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range((self.last_day - self.first_day).days + 1)]

    @property
    def running(self) -> bool:
        """The period has not ended yet (today, this week, this month)."""
        return self.key in ("today", "week", "month")


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz)


def _month(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def _days(first: date, last: date, now: datetime, tz: ZoneInfo, key: str) -> Period:
    end = min(_midnight(last + timedelta(days=1), tz), now) if key in ("today", "week", "month") else \
        _midnight(last + timedelta(days=1), tz)
    return Period(key, first, last, _midnight(first, tz), end)


def parse_period(text: str, now: datetime, tz: ZoneInfo, *, max_days: int = 400) -> Period | None:
    """The period a person asked for, or None when the words are not a period."""
    token = (text or "").strip().lower().replace(" ", "")
    today = now.astimezone(tz).date()
    key = KEYWORDS.get(token or "today")
    if key == "today":
        return _days(today, today, now, tz, key)
    if key == "yesterday":
        day = today - timedelta(days=1)
        return _days(day, day, now, tz, key)
    if key == "week":
        return _days(today - timedelta(days=today.weekday()), today, now, tz, key)
    if key == "lastweek":
        monday = today - timedelta(days=today.weekday() + 7)
        return _days(monday, monday + timedelta(days=6), now, tz, key)
    if key == "month":
        return _days(today.replace(day=1), today, now, tz, key)
    if key == "lastmonth":
        prev = today.replace(day=1) - timedelta(days=1)
        first, last = _month(prev.year, prev.month)
        return _days(first, last, now, tz, key)
    m = MONTH_CN.match(token) or MONTH_ISO.match(token)
    if m:
        month = int(m.group(2))
        if not 1 <= month <= 12:
            return None
        year = int(m.group(1)) if m.group(1) else (today.year if month <= today.month else today.year - 1)
        first, last = _month(year, month)
        if first > today:
            return None
        return _days(first, last, now, tz, f"{year:04d}-{month:02d}")
    m = RANGE.match(token)
    if m or DAY.match(token):
        try:
            first = date.fromisoformat(_iso(m.group(1) if m else token))
            last = date.fromisoformat(_iso(m.group(2) if m else token))
        except ValueError:
            return None
        if last < first or (last - first).days >= max_days:
            return None
        return _days(first, last, now, tz, f"{first.isoformat()}..{last.isoformat()}")
    return None


def _iso(day: str) -> str:
    y, m, d = day.split("-")
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"

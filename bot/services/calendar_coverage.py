"""Which years the working-day calendar knows, and whether its end is near (`gridbot calendar check`).

chinese-calendar ships the State Council's schedule up to its last release year (1.11: 2004–2026) and
raises NotImplementedError after it; config/holidays.yaml extends it year by year (an admin adds the
next year when the schedule is published each November). Past both, the bot counts plain weekends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.workcalendar import WorkCalendar


@dataclass(frozen=True)
class Coverage:
    package_years: tuple[int, int] | None  # first and last year of chinese-calendar's data
    file_years: tuple[int, ...]  # years the holiday file lists at least one day for
    covered_until: date | None  # last day of the unbroken run of covered years from today's year
    today: date
    warn_days: int

    @property
    def days_left(self) -> int | None:
        return None if self.covered_until is None else (self.covered_until - self.today).days

    @property
    def warning(self) -> bool:
        return self.days_left is None or self.days_left < self.warn_days


def package_years() -> tuple[int, int] | None:
    try:
        from chinese_calendar import constants
    except ImportError:
        return None
    days = [*constants.holidays, *constants.workdays]
    return (min(d.year for d in days), max(d.year for d in days)) if days else None


def probe_package(year: int) -> bool:
    """Does the installed chinese-calendar answer for this year (rather than raise)?"""
    try:
        import chinese_calendar

        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except (NotImplementedError, ImportError):
        return False


def coverage(calendar: WorkCalendar, today: date, warn_days: int = 60) -> Coverage:
    pkg = package_years()
    files = tuple(sorted({d.year for d in calendar.overrides}))
    covered = set(files)
    if pkg:
        covered.update(y for y in range(pkg[0], pkg[1] + 1) if probe_package(y))
    year = today.year
    if year not in covered:
        return Coverage(pkg, files, None, today, warn_days)
    while year + 1 in covered:
        year += 1
    return Coverage(pkg, files, date(year, 12, 31), today, warn_days)


def report_lines(cov: Coverage) -> list[str]:
    """What `gridbot calendar check` prints (admins read it: plain English, one fact a line)."""
    lines = []
    if cov.package_years:
        lines.append(f"chinese-calendar data: {cov.package_years[0]}-{cov.package_years[1]}")
    else:
        lines.append("chinese-calendar: not installed")
    lines.append("holiday file years: " + (", ".join(map(str, cov.file_years)) or "none"))
    if cov.covered_until is None:
        lines.append(f"WARNING: {cov.today.year} is not covered: working days are counted as Monday-Friday; "
                     "add the year's holidays and 调休 days to the holiday file")
        return lines
    lines.append(f"covered until {cov.covered_until} ({cov.days_left} days from {cov.today})")
    if cov.warning:
        nxt = cov.covered_until.year + 1
        lines.append(f"WARNING: coverage ends within {cov.warn_days} days: add {nxt}'s statutory holidays and "
                     f"make-up workdays (调休) to the holiday file, or upgrade chinese-calendar; until then "
                     f"deadlines in {nxt} count Monday-Friday only")
    return lines


def first_uncovered_day(cov: Coverage) -> date:
    return (cov.covered_until or cov.today - timedelta(days=1)) + timedelta(days=1)

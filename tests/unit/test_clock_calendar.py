"""Working-day clocks: holidays, 调休 Saturdays, working hours, years past chinese-calendar's data,
`gridbot calendar check`, and the pure 督办 / 并单 rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.domain.deadlines import due_at, next_working_moment
from bot.domain.similarity import same_place, score
from bot.domain.supervision import (
    RED_CARD,
    REMIND,
    STREET_ALERT,
    YELLOW_CARD,
    higher_card,
    milestones,
    next_tier,
    superseded,
)
from bot.services.calendar_coverage import coverage
from bot.workcalendar import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar.load()
NINE, SIX = time(9), time(18)


def local(*a) -> datetime:
    return datetime(*a, tzinfo=TZ)


def due(start: datetime, spec: str, cal: WorkCalendar = CAL) -> datetime:
    return due_at(start, spec, cal.is_workday, TZ, NINE, SIX).astimezone(TZ)


# --- chinese-calendar: holidays and 调休 -------------------------------------------------------------------------
def test_a_deadline_across_the_spring_festival_holiday():
    # 2026: 02-14 (Sat) is a make-up workday, 02-15..02-23 are holidays
    assert due(local(2026, 2, 13, 10, 0), "1wd") == local(2026, 2, 14, 10, 0)
    assert due(local(2026, 2, 13, 10, 0), "3wd") == local(2026, 2, 25, 10, 0)
    assert due(local(2026, 2, 16, 15, 0), "1wd") == local(2026, 2, 25, 9, 0)  # reported on a holiday


def test_a_deadline_across_a_make_up_saturday():
    # 2026-02-28 is a Saturday that is worked (调休); 03-01 is an ordinary Sunday
    assert CAL.is_workday(date(2026, 2, 28)) and not CAL.is_workday(date(2026, 3, 1))
    assert due(local(2026, 2, 27, 16, 0), "1wd") == local(2026, 2, 28, 16, 0)
    assert due(local(2026, 2, 28, 10, 0), "1wd") == local(2026, 3, 2, 10, 0)
    # an ordinary Saturday is not worked
    assert due(local(2026, 11, 20, 16, 0), "1wd") == local(2026, 11, 23, 16, 0)


def test_national_day_week_and_its_sunday_make_up_day():
    assert CAL.is_workday(date(2026, 9, 20))  # a Sunday worked before the holiday
    assert due(local(2026, 9, 30, 10, 0), "1wd") == local(2026, 10, 8, 10, 0)


def test_working_hours_move_a_start_outside_them():
    assert due(local(2026, 11, 23, 20, 0), "1wd") == local(2026, 11, 25, 9, 0)  # Mon evening → counts from Tue
    assert due(local(2026, 11, 23, 7, 0), "1wd") == local(2026, 11, 24, 9, 0)  # Mon early → counts from Mon 9:00
    assert due(local(2026, 11, 23, 20, 0), "30m") == local(2026, 11, 23, 20, 30)  # minutes and hours: wall clock
    assert due(local(2026, 11, 21, 20, 0), "4h") == local(2026, 11, 22, 0, 0)


def test_next_working_moment():
    nwm = lambda t: next_working_moment(t, CAL.is_workday, TZ, NINE, SIX).astimezone(TZ)  # noqa: E731
    assert nwm(local(2026, 11, 23, 10, 0)) == local(2026, 11, 23, 10, 0)
    assert nwm(local(2026, 11, 23, 18, 0)) == local(2026, 11, 24, 9, 0)
    assert nwm(local(2026, 11, 21, 12, 0)) == local(2026, 11, 23, 9, 0)  # Saturday → Monday
    assert nwm(local(2026, 2, 14, 8, 0)) == local(2026, 2, 14, 9, 0)  # 调休 Saturday is a working day
    assert nwm(local(2026, 9, 30, 19, 0)) == local(2026, 10, 8, 9, 0)


# --- past the package's data: the holiday file, then weekends ------------------------------------------------------
def test_chinese_calendar_has_no_2027_and_the_calendar_does_not_fail():
    import chinese_calendar

    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 3, 1))
    assert CAL.is_workday(date(2027, 3, 1)) is True  # a Monday
    assert CAL.is_workday(date(2027, 3, 6)) is False  # a Saturday
    # a deadline set in late December reaches into 2027
    assert due(local(2026, 12, 30, 10, 0), "5wd") == local(2027, 1, 6, 10, 0)


def test_the_holiday_file_extends_the_calendar(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("years:\n  2027:\n    holidays: [2027-01-01, 2027-02-08, 2027-02-09]\n"
                    "    workdays: [2027-02-06]\n", "utf-8")
    cal = WorkCalendar.load(path)
    assert not cal.is_workday(date(2027, 1, 1)) and cal.is_workday(date(2027, 2, 6))  # a holiday; a 调休 Saturday
    assert due(local(2026, 12, 31, 10, 0), "1wd", cal) == local(2027, 1, 4, 10, 0)  # New Year's Day skipped
    assert due(local(2027, 2, 5, 10, 0), "1wd", cal) == local(2027, 2, 6, 10, 0)  # the worked Saturday counts
    assert due(local(2027, 2, 6, 10, 0), "1wd", cal) == local(2027, 2, 10, 10, 0)


def test_calendar_coverage_warns_within_60_days(tmp_path):
    cov = coverage(CAL, date(2026, 11, 23))
    assert cov.package_years == (2004, 2026) and cov.covered_until == date(2026, 12, 31)
    assert cov.days_left == 38 and cov.warning
    assert not coverage(CAL, date(2026, 6, 1)).warning
    late = coverage(CAL, date(2027, 3, 1))
    assert late.covered_until is None and late.warning
    path = tmp_path / "h.yaml"
    path.write_text("years:\n  2027:\n    holidays: [2027-01-01]\n", "utf-8")
    extended = coverage(WorkCalendar.load(path), date(2026, 11, 23))
    assert extended.covered_until == date(2027, 12, 31) and not extended.warning and extended.file_years == (2027,)


def test_gridbot_calendar_check(tmp_path, monkeypatch):
    monkeypatch.delenv("GRIDBOT_CONFIG", raising=False)
    runner = CliRunner()
    warned = runner.invoke(app, ["calendar", "check", "--today", "2026-11-23", "--strict"])
    assert warned.exit_code == 1
    assert "chinese-calendar data: 2004-2026" in warned.output and "covered until 2026-12-31" in warned.output
    assert "WARNING" in warned.output and "2027" in warned.output
    calm = runner.invoke(app, ["calendar", "check", "--today", "2026-03-01", "--strict"])
    assert calm.exit_code == 0 and "WARNING" not in calm.output
    path = tmp_path / "h.yaml"
    path.write_text("years:\n  2027:\n    holidays: [2027-01-01]\n", "utf-8")
    extended = runner.invoke(app, ["calendar", "check", "--file", str(path), "--today", "2026-11-23", "--strict"])
    assert extended.exit_code == 0 and "holiday file years: 2027" in extended.output


# --- 督办 ladder (pure) -------------------------------------------------------------------------------------------------
def test_milestones_remind_at_75_percent_then_climb_the_ladder():
    start = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    due_time = start + timedelta(hours=4)
    ms = milestones("accept", start, due_time, 0.75, lambda t, n: t + timedelta(hours=4 * n))
    assert [(m.kind, m.at - start) for m in ms] == [
        (REMIND, timedelta(hours=3)), (YELLOW_CARD, timedelta(hours=4)), (RED_CARD, timedelta(hours=8)),
        (STREET_ALERT, timedelta(hours=12))]
    assert [m.kind for m in milestones("accept", start, due_time, 0, lambda t, n: t)][0] == YELLOW_CARD


def test_cards_only_go_up_and_a_reminder_is_moot_once_overdue():
    assert higher_card(None, "yellow") == "yellow" and higher_card("red", "yellow") == "red"
    assert superseded(REMIND, {YELLOW_CARD}) and not superseded(REMIND, set())
    assert not superseded(YELLOW_CARD, {RED_CARD})  # each card has its own audience
    assert [next_tier(t) for t in ("grid", "community", "street", "department")] == [
        "community", "street", "department", None]


# --- 并单 similarity (pure) -----------------------------------------------------------------------------------------------
def test_same_place_and_similar_words():
    assert same_place("5栋楼道", "5号楼") and same_place("东门", "东门口")
    assert same_place("5栋", "7栋") is False and same_place(None, "5栋") is None
    drain = "3号楼门口下水道堵了，污水都漫到路上了"
    assert score(drain, "3号楼门口污水漫出来了，下水道堵住了吧") >= 0.35
    assert score(drain, "5栋楼道的路灯坏了好几天了，晚上黑漆漆的") < 0.1

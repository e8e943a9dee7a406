from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.deadlines import DeadlineSpecError, due_at
from bot.domain.privacy import mask_name, mask_text
from bot.workcalendar import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar.load()


def local(*a):
    return datetime(*a, tzinfo=TZ)


def test_hours_and_minutes_are_wall_clock():
    start = local(2026, 11, 20, 17, 0)  # a Friday
    assert due_at(start, "30m", CAL.is_workday, TZ) == local(2026, 11, 20, 17, 30)
    assert due_at(start, "24h", CAL.is_workday, TZ) == local(2026, 11, 21, 17, 0)


def test_working_days_skip_the_weekend():
    assert due_at(local(2026, 11, 20, 10, 0), "1wd", CAL.is_workday, TZ) == local(2026, 11, 23, 10, 0)


def test_working_days_skip_national_day_holiday():
    # 2026-09-30 (Wed) + 1 working day: 10-01..10-07 are holidays
    due = due_at(local(2026, 9, 30, 10, 0), "1wd", CAL.is_workday, TZ)
    assert due.date() > date(2026, 10, 7)


def test_report_on_a_holiday_counts_from_next_opening():
    due = due_at(local(2026, 11, 22, 20, 0), "1wd", CAL.is_workday, TZ)  # Sunday evening
    assert due == local(2026, 11, 24, 9, 0)


def test_dates_past_the_calendar_data_do_not_fail():
    due = due_at(datetime(2026, 12, 30, 2, 0, tzinfo=UTC), "5wd", CAL.is_workday, TZ)
    assert due.year == 2027


def test_bad_spec():
    with pytest.raises(DeadlineSpecError):
        due_at(local(2026, 1, 5, 9), "soon", CAL.is_workday, TZ)


def test_masking():
    assert mask_text("电话13812345678") == "电话138****5678"
    assert "19900101" not in mask_text("身份证330102199001011234")
    assert mask_name("王阿姨") == "王**"
    assert mask_name("") == "居民"

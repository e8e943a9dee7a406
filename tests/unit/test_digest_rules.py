"""Pure rules of the digest: periods, aliases, percentiles, how ratings and overdue cases are recognised, the font."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.reports.figures import ACCEPT_STATES, RATING_LABELS, RESOLVE_STATES, Durations, percentile
from bot.reports.period import parse_period
from bot.services.digest import alias, duration
from bot.settings import Settings

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=TZ)  # a Wednesday


@pytest.mark.parametrize("words, first, last, running", [
    ("", date(2026, 11, 25), date(2026, 11, 25), True),
    ("今日", date(2026, 11, 25), date(2026, 11, 25), True),
    ("yesterday", date(2026, 11, 24), date(2026, 11, 24), False),
    ("week", date(2026, 11, 23), date(2026, 11, 25), True),
    ("上周", date(2026, 11, 16), date(2026, 11, 22), False),
    ("本月", date(2026, 11, 1), date(2026, 11, 25), True),
    ("lastmonth", date(2026, 10, 1), date(2026, 10, 31), False),
    ("3月", date(2026, 3, 1), date(2026, 3, 31), False),
    ("12月", date(2025, 12, 1), date(2025, 12, 31), False),  # December has not come yet this year
    ("2024年2月", date(2024, 2, 1), date(2024, 2, 29), False),
    ("2026-03", date(2026, 3, 1), date(2026, 3, 31), False),
    ("2026-03-01..2026-03-15", date(2026, 3, 1), date(2026, 3, 15), False),
    ("2026-3-1~2026-3-2", date(2026, 3, 1), date(2026, 3, 2), False),
    ("2026-11-20", date(2026, 11, 20), date(2026, 11, 20), False),
])
def test_periods(words, first, last, running):
    p = parse_period(words, NOW, TZ)
    assert (p.first_day, p.last_day, p.running) == (first, last, running)
    assert p.start == datetime.combine(first, time(0), TZ)
    if running:
        assert p.end == NOW
    else:
        assert p.end == datetime.combine(last + timedelta(days=1), time(0), TZ)


@pytest.mark.parametrize("words", ["hello", "13月", "2026-03-15..2026-03-01", "2026-02-30", "2020-01-01..2026-01-01"])
def test_not_periods(words):
    assert parse_period(words, NOW, TZ) is None


def test_aliases():
    s = Settings()
    assert [alias(s, t) for t in ("今日汇总", "本周汇总", "本月汇总", "上周汇总", "3月汇总", "2025年12月统计", "你好")] == [
        "today", "week", "month", "lastweek", "3月", "2025年12月", None]


def test_percentile_and_durations():
    assert percentile([600, 1800, 3600, 3600, 18000], 90) == pytest.approx(12240)
    assert percentile([5], 90) == 5 and percentile([], 90) is None
    d = Durations.of([10, 20, 30, 40])
    assert (d.n, d.mean, d.p90) == (4, 25, pytest.approx(37))
    assert [duration(s) for s in (None, 600, 5520, 7200, 90000, 86400 * 3)] == [
        "—", "10分钟", "1小时32分", "2小时", "1天1小时", "3天"]


def test_rating_notes_are_told_apart_by_their_first_words():
    # followup.py opens each rating note with the label; the digest matches `note LIKE label%`, which is
    # exact only while no label opens another (不满意 and 基本满意 end in 满意, they do not start with it)
    labels = list(RATING_LABELS.values())
    assert labels == ["满意", "基本满意", "不满意", "默认满意"]
    assert not [(a, b) for a in labels for b in labels if a != b and b.startswith(a)]


def test_overdue_follows_the_clocks_that_run():
    # a reopened or transferred case signs again within the accept time: overdue on accept_by, like the 督办 ladder
    assert set(ACCEPT_STATES) == {"new", "assigned", "transferred", "reopened"}
    assert set(RESOLVE_STATES) == {"new", "assigned", "transferred", "reopened", "accepted"}


def test_the_shipped_cjk_font_is_found_and_has_chinese():
    from bot.reports.fonts import covers, find_cjk_font

    font = find_cjk_font()
    assert font is not None, "install the pylopdf-fonts-zh-cn dependency"
    assert covers(font.path, "网格汇总每日新增按期办结率满意")


def test_without_a_cjk_font_charts_are_left_out_and_the_log_says_why(monkeypatch, caplog):
    from bot.reports import fonts
    from bot.reports.figures import Digest
    from bot.services.digest import chart_png

    fonts.find_cjk_font.cache_clear()
    monkeypatch.setattr(fonts, "_shipped", lambda: None)
    monkeypatch.setattr(fonts, "_system", lambda: None)
    try:
        assert fonts.announce() is None
        assert "no CJK font found" in caplog.text and "pip install pylopdf-fonts-zh-cn" in caplog.text
        d = Digest(1, "翠苑社区", "community", "today", NOW, NOW, NOW)
        assert chart_png(d, Settings()) is None  # the digest goes out as text, never with boxes for 汉字
    finally:
        fonts.find_cjk_font.cache_clear()

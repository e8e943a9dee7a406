"""Chinese working days: chinese-calendar where it has data, then config/holidays.yaml, then weekends."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml


class WorkCalendar:
    def __init__(self, holidays: dict[date, bool] | None = None):
        # date -> True when it is a make-up workday (调休), False when it is a holiday
        self.overrides = holidays or {}

    @classmethod
    def load(cls, path: Path | None = None) -> WorkCalendar:
        if path is None:
            text = resources.files("bot.defaults").joinpath("holidays.yaml").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        data = yaml.safe_load(text) or {}
        overrides: dict[date, bool] = {}
        for year in (data.get("years") or {}).values():
            for d in year.get("holidays", []) or []:
                overrides[date.fromisoformat(str(d))] = False
            for d in year.get("workdays", []) or []:
                overrides[date.fromisoformat(str(d))] = True
        return cls(overrides)

    def is_workday(self, day: date) -> bool:
        return _is_workday(day, self.overrides.get(day))


@lru_cache(maxsize=4096)
def _is_workday(day: date, override: bool | None) -> bool:
    try:
        import chinese_calendar

        return chinese_calendar.is_workday(day)
    except (NotImplementedError, ImportError):
        pass
    if override is not None:
        return override
    return day.weekday() < 5

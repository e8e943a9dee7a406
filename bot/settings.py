"""Settings: a TOML file (--config FILE or GRIDBOT_CONFIG) overridden by GRIDBOT_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

TELEGRAM_API = "https://api.telegram.org"


class SettingsError(RuntimeError):
    """A setting is missing or wrong; the message is one line for a person."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDBOT_", extra="ignore")

    token: str | None = None
    api_base_url: str = TELEGRAM_API
    transport: Literal["ptb", "aiogram"] = "ptb"
    database_url: str = "sqlite:///gridbot.db"
    timezone: str = "Asia/Shanghai"
    categories_file: Path | None = None

    # what workers write to a task card
    ack_phrases: list[str] = Field(
        default=["收到", "好的", "马上去", "在路上", "马上到", "这就去", "明白", "已接单", "接单", "ok", "OK"]
    )
    done_phrases: list[str] = Field(
        default=["已处理", "已解决", "已修好", "修好了", "处理好了", "处理完毕", "已清理", "清理完毕", "办结", "已完成", "搞定"]
    )
    digest_aliases: dict[str, str] = Field(
        default={"今日汇总": "today", "今天汇总": "today", "本周汇总": "week", "本周统计": "week",
                 "昨日汇总": "yesterday", "本月汇总": "month", "本月统计": "month", "上周汇总": "lastweek",
                 "上周统计": "lastweek", "上月汇总": "lastmonth"}  # "3月汇总" is understood too
    )
    # digests (bot/services/digest.py): local times; a missed time is caught up within digest_catchup_hours
    digest_daily_at: str | None = Field(default="08:00", pattern=r"^(([01]?\d|2[0-3]):[0-5]\d)?$")
    digest_daily_period: Literal["yesterday", "today"] = "yesterday"
    digest_weekly_at: str | None = Field(default="08:30", pattern=r"^(([01]?\d|2[0-3]):[0-5]\d)?$")
    digest_weekly_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday; the digest covers last week
    digest_catchup_hours: float = 6.0
    digest_check_seconds: float = 60.0
    digest_charts: bool = True
    chart_font: Path | None = None  # a .otf/.ttf with Chinese glyphs; default: the shipped Noto Sans SC
    digest_hotspot_min: int = 3  # cases of one category in one grid in the period that make a hotspot
    digest_overdue_lines: int = 15

    # classifier confidence bands: >= open_threshold opens a case, >= ask_threshold asks "要上报吗?"
    open_threshold: float = 0.6
    ask_threshold: float = 0.35
    ask_timeout_minutes: int = 30

    # outbox sender limits (Telegram's: ~30/s overall, 20/min and ~1/s per group)
    send_global_per_second: float = 30.0
    send_group_per_minute: float = 20.0
    send_chat_per_second: float = 1.0
    send_chat_burst: int = 3
    send_max_attempts: int = 6
    send_timeout: float = 10.0  # seconds for one Bot API call
    # with nothing to send, the sender still looks at the outbox this often (rows another process queued)
    send_idle_wait: float = Field(default=1.0, gt=0)
    coalesce_after: int = 20  # more queued notices than this for one chat are merged into one message
    poll_timeout: int = 25
    webhook_secret: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,256}$")

    # deadlines, 督办, 回访, 并单 and patrols (issue 5: bot/services/clocks.py …, bot/scheduler/, docs/deadlines.md)
    work_start: str = Field(default="09:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")
    work_end: str = Field(default="18:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")
    holidays_file: Path | None = None  # statutory holidays and 调休 days past chinese-calendar's data
    remind_fraction: float = Field(default=0.75, ge=0.0, le=1.0)  # remind the assignee when this share is used
    # overdue by one more interval of this length → the next rung of 督办 (red card, then the street)
    supervise_interval: dict[str, str] = Field(default={"red": "1h", "yellow": "4h", "green": "1wd"})
    supervise_in_work_hours: bool = True  # reminders and 督办 of yellow/green cases wait for working hours
    followup_hours: float = 48.0  # no 回访 answer within this → closed as 默认满意
    duplicate_window_hours: float = 24.0
    duplicate_similarity: float = Field(default=0.35, ge=0.0, le=1.0)
    patrol_remind_at: str | None = Field(default="08:30", pattern=r"^(([01]?\d|2[0-3]):[0-5]\d)?$")
    sweep_seconds: float = 5.0  # how often each process sweeps due deadlines
    lease_seconds: float = 60.0  # a claimed deadline not settled within this is claimed again
    leader_check_seconds: float = 10.0
    leader_lock_key: int = 724001  # PostgreSQL advisory lock held by the process that runs periodic jobs
    calendar_warn_days: int = 60

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = os.environ.get("GRIDBOT_CONFIG")
        if path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(path)))
        return tuple(sources)


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> Settings:
    """Read settings; raise SettingsError with one readable line when something is wrong."""
    if config_file is not None:
        os.environ["GRIDBOT_CONFIG"] = str(config_file)
    path = os.environ.get("GRIDBOT_CONFIG")
    if path and not Path(path).is_file():
        raise SettingsError(f"config file not found: {path}")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise SettingsError(f"bad setting {where}: {err['msg']}") from None
    except Exception as exc:  # TOML syntax errors
        raise SettingsError(f"cannot read config file {path}: {exc}") from None

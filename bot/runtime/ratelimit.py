"""Token buckets for Telegram's limits: ~30/s overall, ~20/min per group, ~1/s per chat with short bursts."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float = -1.0
    stamp: float | None = None  # set by the first look, in the caller's clock

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity

    def _refill(self, now: float) -> None:
        if self.stamp is None:
            self.stamp = now
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = now

    def wait_time(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


class Limits:
    def __init__(self, global_per_second: float, group_per_minute: float, chat_per_second: float,
                 chat_burst: int):
        self.overall = Bucket(global_per_second, max(1.0, global_per_second))
        self.group_rate, self.chat_rate, self.chat_burst = group_per_minute / 60.0, chat_per_second, chat_burst
        self.group_capacity = max(1.0, group_per_minute)
        self.chats: dict[int, Bucket] = {}
        self.groups: dict[int, Bucket] = {}

    def _buckets(self, chat_id: int) -> list[Bucket]:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Bucket(self.chat_rate, max(1, self.chat_burst))
        buckets = [self.overall, chat]
        if chat_id < 0:
            group = self.groups.get(chat_id)
            if group is None:
                group = self.groups[chat_id] = Bucket(self.group_rate, self.group_capacity)
            buckets.append(group)
        return buckets

    def wait_time(self, chat_id: int, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        return max(b.wait_time(now) for b in self._buckets(chat_id))

    def take(self, chat_id: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for b in self._buckets(chat_id):
            b.take(now)

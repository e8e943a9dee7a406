"""Telegram's limits: ~30/s overall and ~20/min per group (no more than that in ANY second / minute, so sliding
windows, not token buckets, which would let twice as many through in the first window), ~1/s per chat with
short bursts (a token bucket).

The sender takes a slot before a call and settles it when the call has returned: the slot then counts from the
moment the server had certainly received the message, so the time a request spends in flight can never make
two sends look closer together to Telegram than they were to us."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field


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

    def settle(self, now: float) -> None:
        """The send taken last has returned: nothing refills for the time it was in flight (one send in flight
        per chat: the sender keeps each chat in order)."""
        if self.stamp is not None:
            self.stamp = max(self.stamp, now)


@dataclass
class Window:
    """At most `limit` sends in any `period` seconds."""

    limit: int
    period: float
    stamps: deque[list[float]] = field(default_factory=deque)  # one [time] per send, settled in place

    def wait_time(self, now: float) -> float:
        while self.stamps and self.stamps[0][0] <= now - self.period:
            self.stamps.popleft()
        return 0.0 if len(self.stamps) < self.limit else self.stamps[0][0] + self.period - now

    def take(self, now: float) -> list[float]:
        self.stamps.append(stamp := [now])
        return stamp


Ticket = list[tuple[Bucket, None] | tuple[Window, list[float]]]


def per(count: float, period: float) -> Window:
    """`count` per `period` seconds as a window: 30/s → 30 in any second; 0.5/s → 1 in any 2 seconds."""
    return Window(int(count), period) if count >= 1 else Window(1, period / max(count, 1e-9))


class Limits:
    def __init__(self, global_per_second: float, group_per_minute: float, chat_per_second: float,
                 chat_burst: int):
        self.overall = per(global_per_second, 1.0)
        self.group_per_minute = group_per_minute
        self.chat_rate, self.chat_burst = chat_per_second, chat_burst
        self.chats: dict[int, Bucket] = {}
        self.groups: dict[int, Window] = {}

    def _buckets(self, chat_id: int) -> list[Bucket | Window]:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Bucket(self.chat_rate, max(1, self.chat_burst))
        buckets: list[Bucket | Window] = [self.overall, chat]
        if chat_id < 0:
            group = self.groups.get(chat_id)
            if group is None:
                group = self.groups[chat_id] = per(self.group_per_minute, 60.0)
            buckets.append(group)
        return buckets

    def wait_time(self, chat_id: int, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        return max(b.wait_time(now) for b in self._buckets(chat_id))

    def take(self, chat_id: int, now: float | None = None) -> Ticket:
        now = time.monotonic() if now is None else now
        return [(b, b.take(now)) for b in self._buckets(chat_id)]

    def settle(self, ticket: Ticket | None, now: float | None = None) -> None:
        """The send `ticket` was taken for has returned (or failed): it counts from now."""
        now = time.monotonic() if now is None else now
        for b, stamp in ticket or ():
            if stamp is None:
                b.settle(now)
            else:
                stamp[0] = max(stamp[0], now)

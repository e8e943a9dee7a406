"""Token buckets that keep the sender inside Telegram's limits, and how worker replies are read."""

from bot.handlers.router import is_phrase, parse_command
from bot.runtime.ratelimit import Limits
from bot.settings import Settings


def sends_within(limits: Limits, chat_id: int, seconds: float, step: float = 0.01) -> int:
    sent, t = 0, 0.0
    while t < seconds:
        if limits.wait_time(chat_id, now=t) <= 0:
            limits.take(chat_id, now=t)
            sent += 1
        t += step
    return sent


def test_one_group_gets_a_burst_then_twenty_a_minute():
    limits = Limits(global_per_second=30, group_per_minute=20, chat_per_second=1, chat_burst=3)
    assert sends_within(limits, -100, 60.0) <= 20 + 20  # 20 in the bucket, ~20 more refilled in a minute
    limits = Limits(global_per_second=30, group_per_minute=20, chat_per_second=1, chat_burst=3)
    assert sends_within(limits, -100, 1.0) == 3  # burst of 3, then 1/s


def test_private_chats_are_not_group_limited_but_global_is():
    limits = Limits(global_per_second=30, group_per_minute=20, chat_per_second=1000, chat_burst=1000)
    total = sum(sends_within(limits, uid, 0.5) for uid in range(1, 3))
    assert total <= 30 + 2 * 15 + 2


def test_worker_phrases():
    s = Settings()
    assert is_phrase("收到，马上去", s.ack_phrases, max_len=30)
    assert is_phrase("好的！", s.ack_phrases, max_len=30)
    assert not is_phrase("这个不归我们管，我问问物业再说吧，可能要等好几天才能有结果，麻烦大家耐心等待一下好的", s.ack_phrases, max_len=30)
    assert is_phrase("已处理，下水道疏通好了，路面也冲洗干净了", s.done_phrases)
    assert is_phrase("下水道疏通了，已处理。", s.done_phrases)
    assert not is_phrase("正在联系物业", s.done_phrases)


def test_commands_are_parsed_with_bot_names():
    assert parse_command("/status@gridbot_test_bot 20261122-0007") == ("status", "20261122-0007")
    assert parse_command("/Digest week") == ("digest", "week")
    assert parse_command("今日汇总") is None
    assert parse_command("/") is None

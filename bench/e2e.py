"""Benchmark: the whole bot over real HTTP to the local Bot API stand-in (issue 4, item 8).

    python bench/e2e.py                                   # 1,000 messages, 500 reports over 50 groups, both adapters
    python bench/e2e.py --messages 200 --reports 100 --groups 10 --transport aiogram

1. Message → reply latency. A resident's report is injected at the stand-in (control API, real HTTP); the bot
   long-polls it, stores it in the inbox, classifies it, opens the case, writes the outbox rows and the sender
   posts the reply to the residents' group and the task card to the workers' group. Latency is taken from the
   stand-in's own timeline: the time it recorded the injected report → the time it recorded the bot's reply
   (one clock, one process). The script paces itself by polling the stand-in in-process every millisecond, and
   only injects the next report when the previous one's reply and card are both there (one in flight).
   The bot's send limits are raised for this part (as in the e2e tests) and the stand-in does not enforce
   limits: 1,000 sequential reports in ~30 s would otherwise queue behind Telegram's 20 messages/min per
   group; reports are also spread round-robin over the resident groups. Fresh SQLite file per adapter.
2. Outbox drain under a burst: N reports injected as fast as the control API takes them, round-robin over
   G resident groups (one grid each, with its own worker and workers' group), with the DEFAULT send limits in
   the settings and the stand-in enforcing the same limits (it answers 429 and counts violations). Reported:
   messages sent, wall time from the first injection to the last delivery, achieved vs allowed rate (the
   allowed time is the tightest of the overall, per-group and per-chat limits for the actual mix of chats),
   429s, lost and duplicated replies/cards, and whether the sender coalesced notices.

Every loop is bounded in count and time; all traffic stays on 127.0.0.1. The bot's own classifier is used
(bot.classifier, or whatever GridBot is given), so its cost is part of the latency.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot import texts  # noqa: E402
from bot.sandbox import TOKEN, LocalBot, local_bot  # noqa: E402
from bot.services.org import import_org  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store.db import make_engine, unit_of_work, upgrade  # noqa: E402
from bot.store.tables import Case, InboundUpdate, OutboxMessage  # noqa: E402
from bot.transport.standin import StandIn, StandInClient, User  # noqa: E402

# the send limits of part 1 (the e2e tests' FAST_SEND): Telegram's limits are not what is measured there
RAISED_LIMITS = dict(send_chat_per_second=200.0, send_chat_burst=50, send_group_per_minute=6000.0,
                     send_global_per_second=500.0)
WARMUP = 12  # part 1: first messages (each template once: jieba loads, connections open) are not counted
REPLY_TIMEOUT = 5.0  # part 1: seconds to wait for one reply (and its card)
PART1_BOUND = 150.0  # part 1: seconds per adapter at most
POLL = 0.001

TEMPLATES = [
    "{n}号楼下水道堵了",
    "{n}栋电梯又坏了，老人上下楼太难了",
    "{n}号门口路灯不亮，晚上黑漆漆的",
    "{n}号楼楼道里堆满了杂物，走路都不方便",
    "{n}单元门禁坏了好几天了，谁都能进",
    "{n}号楼楼上漏水，我家天花板都湿了",
    "{n}栋楼下有人占道摆摊，车都开不进来",
    "{n}号楼旁边的垃圾好几天没人清理了，味道很大",
    "{n}号楼晚上装修噪音太大，吵得睡不着",
    "{n}栋停水了，什么时候能恢复",
    "{n}号楼前面路面有个大坑，电动车差点摔了",
    "{n}号楼下的窨井盖松动了，踩上去哐哐响",
]
FAMILY = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"
GIVEN = ["阿姨", "大爷", "先生", "女士", "师傅", "大姐", "老师", "同学"]


# --- organisation: G grids, each with a worker, a leader, a workers' group and a residents' group ---------------
def residents_chat(g: int) -> int:
    return -1003100000000 - g


def workers_chat(g: int) -> int:
    return -1003200000000 - g


def resident(k: int) -> User:
    return User(6100000000 + k, FAMILY[k % len(FAMILY)] + GIVEN[(k // len(FAMILY)) % len(GIVEN)])


def report_text(i: int, groups: int) -> str:
    """The i-th report (group i % groups): a different building for every report of one group, so no two
    reports are the same problem (the bot would join a repeat to the open case instead of opening one)."""
    return TEMPLATES[i % len(TEMPLATES)].format(n=1 + i // groups)


def org(groups: int) -> dict[str, Any]:
    communities = max(1, math.ceil(groups / 10))
    units = {"code": "bench-street", "name": "基准街道", "kind": "street", "children": []}
    people, chats = [], []
    for c in range(communities):
        units["children"].append({"code": f"bench-c{c:02d}", "name": f"第{c + 1}社区", "kind": "community",
                                  "children": []})
    for g in range(groups):
        code = f"bench-g{g:03d}"
        units["children"][g // 10]["children"].append({"code": code, "name": f"第{g // 10 + 1}社区第{g % 10 + 1}网格",
                                                        "kind": "grid"})
        people.append({"name": f"网格员{g:03d}", "tg_user_id": 5100000000 + g,
                       "roles": [{"unit": code, "role": "grid_worker"}]})
        people.append({"name": f"网格长{g:03d}", "tg_user_id": 5200000000 + g,
                       "roles": [{"unit": code, "role": "grid_leader"}]})
        chats.append({"chat_id": residents_chat(g), "unit": code, "kind": "resident_group",
                      "title": f"第{g + 1}网格居民群"})
        chats.append({"chat_id": workers_chat(g), "unit": code, "kind": "worker_group",
                      "title": f"第{g + 1}网格工作群"})
    return {"units": [units], "people": people, "chats": chats}


def prepared_db(tmp: Path, name: str, groups: int) -> Engine:
    """A fresh SQLite file `tmp/name.db`, migrated, with the generated organisation."""
    engine = make_engine(f"sqlite:///{tmp / name}.db")
    upgrade(engine)
    org_file = tmp / f"{name}-org.yaml"
    org_file.write_text(yaml.safe_dump(org(groups), allow_unicode=True), "utf-8")
    with unit_of_work(engine) as s:
        import_org(s, org_file)
    return engine


@asynccontextmanager
async def bench_bot(tmp: Path, name: str, transport: str, groups: int, **overrides: Any) -> AsyncIterator[LocalBot]:
    """The sandbox (stand-in + GridBot on 127.0.0.1) on a fresh SQLite file, with the generated organisation."""
    engine = prepared_db(tmp, name, groups)
    async with local_bot(engine=engine, transport=transport, **overrides) as lb:
        yield lb
    engine.dispose()


@dataclass
class Harness:
    """What part 1 needs: the stand-in (in this process), its client, and the classifier's name."""
    standin: StandIn
    tg: Any
    classifier: str


@asynccontextmanager
async def inline_bot(tmp: Path, name: str, transport: str, groups: int, **overrides: Any) -> AsyncIterator[Harness]:
    """GridBot in this process, beside the stand-in and this script (one interpreter for all three)."""
    async with bench_bot(tmp, name, transport, groups, **overrides) as lb:
        clf = type(lb.bot.classifier)
        yield Harness(lb.standin, lb.tg, f"{clf.__module__}.{clf.__qualname__} (bot in this process)")


@asynccontextmanager
async def process_bot(tmp: Path, name: str, transport: str, groups: int, **overrides: Any) -> AsyncIterator[Harness]:
    """GridBot as deployed: `gridbot run` in a process of its own (settings from GRIDBOT_* variables), on the
    same prepared SQLite file; the stand-in and this script share the other process, as Telegram's servers
    would not share the bot's interpreter."""
    db = tmp / f"{name}.db"
    prepared_db(tmp, name, groups).dispose()
    standin = StandIn()
    base = await standin.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDBOT_")}
    env.update({"GRIDBOT_TOKEN": TOKEN, "GRIDBOT_API_BASE_URL": base, "GRIDBOT_DATABASE_URL": f"sqlite:///{db}",
                "GRIDBOT_POLL_TIMEOUT": "2", "PYTHONPATH": str(REPO)})
    env.update({f"GRIDBOT_{k.upper()}": str(v) for k, v in overrides.items()})
    log = (tmp / f"{name}.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--transport", transport], env=env,
                            stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    tg = StandInClient(base)
    try:
        if await wait_for(lambda: any(c.method == "getUpdates" for c in standin.calls), 60) is None:
            raise SystemExit(f"the bot process did not start polling within 60 s; see {tmp / name}.log")
        yield Harness(standin, tg, "bot.classifier (the packaged one, in `gridbot run`)")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        await tg.close()
        await standin.stop()


def text_of(msg: dict[str, Any]) -> str:
    return msg.get("text") or msg.get("caption") or ""


def number_in(text: str) -> str | None:
    m = re.search(r"#(\d{8}-\d{4})", text)
    return m.group(1) if m else None


def message_times(standin: StandIn) -> dict[tuple[int, int], float]:
    """(chat_id, message_id) → unix time the stand-in stored the message (its timeline)."""
    return {(int(e["chat_id"]), int(e["message_id"])): float(e["time"])
            for e in standin.timeline()["events"] if e["kind"] == "message"}


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


class LogCounter(logging.Handler):
    """Counts warnings/errors instead of printing them; keeps a few examples."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.examples: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[f"{record.levelname} {record.name}"] += 1
        if len(self.examples) < 5:
            self.examples.append(f"{record.levelname} {record.name}: {record.getMessage()[:160]}")

    def take(self) -> tuple[Counter[str], list[str]]:
        out = self.counts, self.examples
        self.counts, self.examples = Counter(), []
        return out


LOGS = LogCounter()


def print_logs(indent: str = "  ") -> None:
    counts, examples = LOGS.take()
    if counts:
        print(f"{indent}log warnings/errors: " + ", ".join(f"{k} ×{n}" for k, n in counts.most_common()))
        for e in examples:
            print(f"{indent}  e.g. {e}")


# --- part 1: message → reply latency ---------------------------------------------------------------------------
async def wait_for(predicate, timeout: float) -> Any:
    """Poll ``predicate()`` every POLL seconds until it returns something truthy, at most ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(POLL)


@dataclass
class Sample:
    chat: int
    report: int
    reply: int
    card_chat: int | None = None
    card: int | None = None


OPENED = texts.CASE_OPENED.split("{")[0]  # "✅ 已受理，工单号 #": the reply that opened a case


async def latency(tmp: Path, transport: str, n: int, groups: int, bot: str = "process") -> dict[str, Any]:
    harness = process_bot if bot == "process" else inline_bot
    async with harness(tmp, f"latency-{transport}-{bot}", transport, groups, **RAISED_LIMITS) as lb:
        standin = lb.standin
        samples: list[Sample] = []
        other = Counter()  # measured reports whose reply did not open a case, or with no reply/card
        last_card: dict[int, int] = {}
        started = time.monotonic()
        for i in range(WARMUP + n):
            if time.monotonic() - started > PART1_BOUND:
                print(f"  ! stopped after {i} messages: the {PART1_BOUND:.0f} s bound of part 1 was reached")
                break
            g = i % groups
            chat, wchat = residents_chat(g), workers_chat(g)
            said = await lb.tg.say(chat, resident(i), report_text(i, groups), chat_title=f"第{g + 1}网格居民群")
            mid = said["message_id"]

            def reply_to_it(chat=chat, mid=mid) -> dict | None:
                return next((m for m in standin.messages(chat, from_bot=True, after=mid)
                             if (m.get("reply_to_message") or {}).get("message_id") == mid), None)

            reply = await wait_for(reply_to_it, REPLY_TIMEOUT)
            if reply is None:
                other["no reply"] += i >= WARMUP
                continue
            sample = Sample(chat, mid, reply["message_id"])
            number = number_in(text_of(reply))
            if OPENED in text_of(reply) and number:
                def card_of(wchat=wchat, number=number) -> dict | None:
                    return next((m for m in standin.messages(wchat, from_bot=True, after=last_card.get(wchat, 0))
                                 if f"工单 #{number}" in text_of(m)), None)

                card = await wait_for(card_of, REPLY_TIMEOUT)
                if card is None:
                    other["no card"] += i >= WARMUP
                else:
                    sample.card_chat, sample.card = wchat, card["message_id"]
                    last_card[wchat] = card["message_id"]
            else:
                other["no case opened (asked or joined)"] += i >= WARMUP
            if i >= WARMUP:
                samples.append(sample)
        elapsed = time.monotonic() - started
        await lb.tg.wait_quiet(0.2, timeout=5)
        times = message_times(standin)
        replies = [times[(x.chat, x.reply)] - times[(x.chat, x.report)] for x in samples]
        cards = [times[(x.card_chat, x.card)] - times[(x.chat, x.report)] for x in samples if x.card]
        return dict(transport=transport, replies=replies, cards=cards, other=other, elapsed=elapsed,
                    classifier=lb.classifier)


def print_latency(r: dict[str, Any], n: int, groups: int) -> None:
    others = ", ".join(f"{k}: {v}" for k, v in r["other"].items() if v) or "every one opened a case"
    print(f"\n  [{r['transport']}] {len(r['replies'])} of {n} measured reports answered, {len(r['cards'])} task "
          f"cards ({others}); {r['elapsed']:.1f} s wall; classifier {r['classifier']}")
    print(f"  {'':24} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7} {'mean':>7}  (ms)")
    for label, values in (("report → reply", r["replies"]), ("report → task card", r["cards"])):
        if values:
            print(f"  {label:24} {ms(pct(values, 50))} {ms(pct(values, 90))} {ms(pct(values, 99))} "
                  f"{ms(max(values))} {ms(statistics.fmean(values))}")
    if r["replies"]:
        p99 = pct(r["replies"], 99)
        print(f"  goal p99 ≤ 50 ms: {'met' if p99 <= 0.050 else 'NOT met'} ({p99 * 1000:.1f} ms)")


# --- part 2: outbox drain under a burst --------------------------------------------------------------------------
@dataclass
class Expect:
    chat: int
    report: int
    reply: bool  # the classifier makes it a report (opens a case or asks "要上报吗？"): one reply is due
    number: str | None = None  # the case opened for it: one task card is due
    found: Counter[str] = field(default_factory=Counter)


def min_drain_time(per_chat: Counter[int], s: Settings) -> tuple[float, str]:
    """Least time from the first to the last of these sends that the limits allow, in the stand-in's model:
    overall ≤ N in any sliding second, a group ≤ N in any sliding minute, a chat a token bucket with a burst."""
    total = sum(per_chat.values())
    bounds = {"overall": math.floor((total - 1) / s.send_global_per_second),
              "per group": max((math.floor((c - 1) / s.send_group_per_minute) * 60.0
                                for chat, c in per_chat.items() if chat < 0), default=0.0),
              "per chat": max((max(0.0, (c - s.send_chat_burst) / s.send_chat_per_second)
                               for c in per_chat.values()), default=0.0)}
    name = max(bounds, key=lambda k: bounds[k])
    return float(bounds[name]), name


async def burst(tmp: Path, transport: str, reports: int, groups: int) -> dict[str, Any]:
    async with bench_bot(tmp, f"burst-{transport}", transport, groups) as lb:
        s, tg, standin = lb.settings, lb.tg, lb.standin
        print(f"\n  [{transport}] settings: send_global_per_second={s.send_global_per_second:g}, "
              f"send_group_per_minute={s.send_group_per_minute:g}, send_chat_per_second={s.send_chat_per_second:g}, "
              f"send_chat_burst={s.send_chat_burst}, coalesce_after={s.coalesce_after} (defaults)")
        lim = await tg.limits(enabled=True, per_chat_per_sec=s.send_chat_per_second, per_chat_burst=s.send_chat_burst,
                              per_group_per_min=int(s.send_group_per_minute),
                              global_per_sec=int(s.send_global_per_second))
        print(f"  stand-in enforces: {lim['config']}")
        texts_ = [report_text(i, groups) for i in range(reports)]
        due = [(c := lb.bot.classifier.classify(t, role="resident")).is_report and c.confidence >= s.ask_threshold
               for t in texts_]  # also loads jieba's dictionary before the clock starts
        expects: list[Expect] = []
        t_inject = time.monotonic()
        for i in range(reports):
            chat = residents_chat(i % groups)
            said = await tg.say(chat, resident(i), texts_[i], chat_title=f"第{i % groups + 1}网格居民群")
            expects.append(Expect(chat, said["message_id"], due[i]))
        t_inject = time.monotonic() - t_inject

        # bounded wait: the least time the limits allow for ~2 messages per report, plus a minute
        bound = 60.0 + 2 * reports / s.send_global_per_second + 2 * reports / groups * 60.0 / s.send_group_per_minute
        deadline, settled = time.monotonic() + bound, False
        while time.monotonic() < deadline:
            with unit_of_work(lb.engine) as db:
                inbox = db.exec(select(InboundUpdate.update_id).where(InboundUpdate.status == "new").limit(1)).first()
                outbox = db.exec(select(OutboxMessage.id).where(OutboxMessage.status == "pending").limit(1)).first()
            if inbox is None and outbox is None and not await tg.pending():
                settled = True
                break
            await asyncio.sleep(0.25)
        await asyncio.sleep(1.5)  # anything sent twice would show up by now

        with unit_of_work(lb.engine) as db:
            by_source = {(c.source_chat_id, c.source_message_id): c.number for c in db.exec(select(Case))}
            rows = list(db.exec(select(OutboxMessage)))
            processed = [u.processed_at for u in db.exec(select(InboundUpdate)) if u.processed_at]
        for e in expects:
            e.number = by_source.get((e.chat, e.report))
        by_number = {e.number: e for e in expects if e.number}
        by_report = {(e.chat, e.report): e for e in expects}

        # what the stand-in received: replies (threaded to the report, or inside a coalesced notice) and cards
        sends = [x for x in standin.sent() if not x["edit"]]
        per_chat = Counter(x["chat_id"] for x in sends)
        merged_msgs = other = 0
        for x in sends:
            msg, text = x["message"], text_of(x["message"])
            target = (x["chat_id"], (msg.get("reply_to_message") or {}).get("message_id"))
            if text.startswith("📋"):
                merged_msgs += 1
                for num in re.findall(r"#(\d{8}-\d{4})", text):
                    if num in by_number:
                        by_number[num].found["reply"] += 1
            elif target in by_report:
                by_report[target].found["reply"] += 1
            elif (number := number_in(text)) in by_number and f"工单 #{number}" in text and x["chat_id"] < 0 \
                    and msg.get("reply_markup"):
                by_number[number].found["card"] += 1
            else:
                other += 1
        expected = lost = dup = 0
        for e in expects:
            for kind, want in (("reply", int(e.reply or bool(e.number))), ("card", int(bool(e.number)))):
                expected += want
                lost += max(0, want - e.found[kind])
                dup += max(0, e.found[kind] - want)

        info = await tg.limits_info()
        times = message_times(standin)
        first = times[(expects[0].chat, expects[0].report)]
        last = max((x["time"] for x in sends), default=first)
        wall = last - first
        last_processed = max(processed).replace(tzinfo=UTC).timestamp() - first if processed else float("nan")
        status = Counter(r.status for r in rows)
        retried = sum(1 for r in rows if r.attempts > 1)
        need, binding = min_drain_time(per_chat, s)
        achieved = len(sends) / wall if wall > 0 else 0.0
        allowed = len(sends) / need if need > 0 else float("inf")
        frac = need / wall if wall > 0 else 0.0
        residents_groups = {residents_chat(g) for g in range(groups)}
        n_res = sum(1 for c in per_chat if c in residents_groups)
        cases = len(by_number)

        print(f"  {reports} reports injected in {t_inject:.2f} s ({reports / t_inject:.0f}/s); {cases} opened a case, "
              f"{sum(e.reply and not e.number for e in expects)} got another reply (asked/joined), "
              f"{sum(not e.reply and not e.number for e in expects)} were not reports to the classifier; "
              f"the bot had handled the last one {last_processed:.2f} s after the first injection"
              + ("" if settled else f"; NOT settled within the {bound:.0f} s bound"))
        print(f"  outbound messages: {len(sends)} (sendMessage/sendPhoto) into {len(per_chat)} chats ({n_res} residents' "
              f"groups, {len(per_chat) - n_res} workers' groups; at most {max(per_chat.values(), default=0)} per chat); "
              f"outbox rows: " + ", ".join(f"{k} {v}" for k, v in sorted(status.items()))
              + f"; rows that needed a retry: {retried}")
        print(f"  wall time, first injection → last delivery (stand-in timeline): {wall:.2f} s")
        print(f"  allowed: the limits need at least {need:.0f} s for this mix (binding: {binding} limit; overall "
              f"{s.send_global_per_second:g}/s, per group {s.send_group_per_minute:g}/min, per chat "
              f"{s.send_chat_per_second:g}/s burst {s.send_chat_burst}) → allowed rate {allowed:.1f} msg/s")
        print(f"  achieved rate: {achieved:.1f} msg/s = {frac * 100:.1f} % of allowed "
              f"(goal ≥ 90 %: {'met' if frac >= 0.9 else 'NOT met'})")
        reasons = Counter(v["reason"] for v in info["log"])
        print(f"  429 flood-limit violations counted by the stand-in: {info['violations']}"
              + (f" ({', '.join(f'{k} limit {v}' for k, v in reasons.items())})" if reasons else ""))
        print(f"  replies + task cards expected: {expected}; lost: {lost}; duplicated: {dup}; "
              f"other bot messages: {other}")
        print(f"  coalescing: {'happened' if merged_msgs or status.get('coalesced') else 'did not happen'} "
              f"({merged_msgs} merged messages, {status.get('coalesced', 0)} outbox rows merged into them; the sender "
              f"merges when more than {s.coalesce_after} notices wait for one chat)")
        print_logs()
        return dict(transport=transport, frac=frac, lost=lost, dup=dup, violations=info["violations"])


# --- main ----------------------------------------------------------------------------------------------------------
async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=1000, help="part 1: measured messages per adapter")
    ap.add_argument("--reports", type=int, default=500, help="part 2: reports in the burst")
    ap.add_argument("--groups", type=int, default=50, help="resident groups (grids) in both parts")
    ap.add_argument("--transport", choices=["ptb", "aiogram", "both"], default="both")
    ap.add_argument("--skip", choices=["latency", "burst"], help="leave one part out")
    ap.add_argument("--bot", choices=["process", "inline", "both"], default="process",
                    help="part 1: the bot as `gridbot run` in its own process (default, as deployed), or in this "
                         "process beside the stand-in and the script")
    args = ap.parse_args()
    if args.messages < 1 or args.reports < 1 or args.groups < 1:
        ap.error("--messages, --reports and --groups must be positive")
    transports = ["ptb", "aiogram"] if args.transport == "both" else [args.transport]
    logging.basicConfig(level=logging.WARNING, handlers=[LOGS], force=True)  # counted, summarised per part

    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gridbot-bench-") as d:
        tmp = Path(d)
        if args.skip != "latency":
            print(f"1. message → reply latency: {args.messages} reports per adapter, sequential (one in flight), "
                  f"round-robin over {args.groups} residents' groups, SQLite file in {tmp}")
            print("   method: times are the stand-in's timeline (when it stored the injected report / the bot's "
                  "reply); the script polls the stand-in in-process every 1 ms and injects the next report only "
                  "after the reply and the task card arrived; the bot runs as `gridbot run` in its own process "
                  "(--bot process) and/or inside this one (--bot inline)")
            print(f"   send limits RAISED for this part ({', '.join(f'{k}={v:g}' for k, v in RAISED_LIMITS.items())}) "
                  "and not enforced by the stand-in, so Telegram's 1 msg/s per chat and 20/min per group do not "
                  f"dominate; the first {WARMUP} messages are warm-up and not counted")
            modes = ["process", "inline"] if args.bot == "both" else [args.bot]
            for t in transports:
                for mode in modes:
                    r = await latency(tmp, t, args.messages, args.groups, mode)
                    print_latency(r, args.messages, args.groups)
                    print_logs()
        if args.skip != "burst":
            print(f"\n2. outbox drain under a burst: {args.reports} reports over {args.groups} residents' groups "
                  f"(each grid: 1 worker, its own workers' group), DEFAULT send limits, stand-in enforcing them")
            for t in transports:
                await burst(tmp, t, args.reports, args.groups)
    print(f"\ntotal {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    asyncio.run(main())

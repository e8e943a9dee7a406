"""Benchmark of the classify step (issue 3, item 8).

    python bench/classify.py [--n 10000] [--repeat 5] [--real]

Prints, for the same N short messages in the same run:
  * messages/s of Classifier.classify (normalise + jieba + rules + location) on one core,
  * messages/s of bare `jieba.lcut(text)` (jieba's defaults: global dictionary, HMM on) and the ratio,
  * cold start: a fresh process from start to its first classification, with the dictionary cache
    warm (the normal case) and with an empty cache directory (first start after install / rule edit).
Messages are synthetic group-chat lines (deterministic); --real uses ../shared/data/public texts instead.
Rules: this checkout's config/categories.yaml (what `Classifier.load()` reads in a source checkout).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PLACES = [
    "3号楼",
    "5栋",
    "12幢2单元",
    "南门",
    "北门口",
    "幸福路",
    "菜市场门口",
    "地下车库",
    "中心花园",
    "2单元楼道",
    "小区东门",
    "学校门口",
    "",
]
PROBLEMS = [
    "楼道堆满杂物",
    "井盖没了",
    "楼上漏水找不到人",
    "电梯又坏了 困了人!!",
    "路灯不亮好几天了",
    "垃圾没人清，臭死了",
    "下水道堵了",
    "有人飞线充电",
    "消防通道被车堵死了",
    "半夜施工吵得睡不着",
    "停水了也没通知",
    "暖气不热",
    "有人在绿化带里烧垃圾",
    "狗不牵绳吓到孩子",
    "路面有个大坑",
    "占道经营摆摊",
    "小广告贴满了",
    "一股煤气味",
    "有人打架了",
    "老人摔倒起不来",
    "燃气味很浓😰",
    "車停在人行道上",
    "电动车充电冒烟了🔥",
    "物业不作为，报修好几天没人来",
]
CHAT = [
    "早上好",
    "收到",
    "好的👌",
    "谢谢网格员，路灯已经修好了！",
    "今天天气不错",
    "有没有人拼团买水果？",
    "哈哈哈哈",
    "【物业通知】明天上午停水，请提前储水",
    "请问社区办公室几点上班？",
    "晚安",
    "[图片]",
    "周末有人一起去爬山吗",
    "楼下那家烧烤挺好吃的，推荐",
    "提醒大家：不要在楼道充电",
    "捡到一串钥匙，放在物业前台了",
    "👍👍👍",
]
TAILS = ["", "", "，麻烦处理一下", "!!", "，谁来管管", "。", "😡", "，已经好几天了", "？"]


def synthetic(n: int, seed: int = 20261123) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        if rnd.random() < 0.2:
            out.append(rnd.choice(CHAT))
        else:
            out.append(f"{rnd.choice(PLACES)}{rnd.choice(PROBLEMS)}{rnd.choice(TAILS)}")
    return out


def real(n: int) -> list[str]:
    from bot.classifier.evaluate import find_data_dir

    root = find_data_dir()
    if root is None:
        sys.exit("no ../shared/data; run without --real")
    texts: list[str] = []
    for name, col in (("chat_negatives.csv", "text"), ("hangzhou_liuyan_labeled.csv", "title")):
        with open(root / "public" / name, encoding="utf-8", newline="") as fh:
            texts += [r[col] for r in csv.DictReader(fh) if r.get(col)]
    random.Random(1).shuffle(texts)
    return (texts * (n // len(texts) + 1))[:n]


def best_rates(fns, texts: list[str], repeat: int) -> list[float]:
    """Messages/s of each function, best of `repeat` rounds. The rounds are interleaved (a, b, c, a,
    b, c, …) so that a load change on a shared machine hits every function alike and the ratio stays
    meaningful."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t = time.perf_counter()
            for s in texts:
                fn(s)
            best[k] = min(best[k], time.perf_counter() - t)
    return [len(texts) / b for b in best]


COLD = (
    "import sys, time; t0 = time.perf_counter()\n"
    "from bot.classifier import Classifier\n"
    "c = Classifier.load(); r = c.classify('3号楼电梯又坏了')\n"
    "print(time.perf_counter() - t0)\n"
)


def cold_start(cache_dir: str | None) -> tuple[float, float]:
    """(wall time from spawning the interpreter to the first classification, in-process part)."""
    env = dict(os.environ)
    if cache_dir is not None:
        env["GRIDBOT_CACHE_DIR"] = cache_dir
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", COLD],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t
    return wall, float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--real", action="store_true", help="use ../shared/data/public texts")
    ap.add_argument("--cold-runs", type=int, default=3)
    args = ap.parse_args()

    import jieba

    from bot.classifier import Classifier

    texts = real(args.n) if args.real else synthetic(args.n)
    chars = sum(map(len, texts))
    jieba.initialize()
    clf = Classifier.load()
    for s in texts[:200]:  # warm both paths (regex caches, lazy OpenCC)
        clf.classify(s)
        jieba.lcut(s)

    rate_clf, rate_lcut, rate_lcut_nohmm = best_rates(
        [clf.classify, jieba.lcut, lambda s: jieba.lcut(s, HMM=False)], texts, args.repeat
    )
    print(
        f"messages: {len(texts)} ({'real public texts' if args.real else 'synthetic group chat'}), "
        f"avg {chars / len(texts):.1f} chars; best of {args.repeat} interleaved rounds"
    )
    print(f"classify            {rate_clf:>10,.0f} msg/s  ({1e6 / rate_clf:.1f} µs/msg)")
    print(f"bare jieba.lcut     {rate_lcut:>10,.0f} msg/s  ({1e6 / rate_lcut:.1f} µs/msg)")
    print(f"jieba.lcut HMM=False{rate_lcut_nohmm:>10,.0f} msg/s  (for reference)")
    print(f"ratio classify / bare lcut time: {rate_lcut / rate_clf:.2f}x  (goal <= 1.5x; >= 20,000 msg/s)")

    warm = [cold_start(None) for _ in range(args.cold_runs)]
    with tempfile.TemporaryDirectory() as empty:
        first = cold_start(empty)
    print(
        f"cold start, warm dictionary cache: median {statistics.median(w for w, _ in warm):.2f} s wall "
        f"(import→first classification {statistics.median(p for _, p in warm):.2f} s)  goal <= 1.5 s"
    )
    print(f"cold start, empty cache (first run after install or a rule edit): {first[0]:.2f} s wall")


if __name__ == "__main__":
    main()

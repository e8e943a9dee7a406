"""How alike two reports are: overlap of their tokens (pure; the caller chooses the tokens)."""

from __future__ import annotations

import re

_WORD = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+")
# words that say nothing about which problem it is (they appear in almost every report)
FILLER = frozenset("""的 了 吗 呢 吧 啊 呀 么 在 是 有 都 也 还 就 又 和 跟 我 你 他 她 们 这 那 个 很 太 好 大家
请 帮 一下 看看 一直 已经 好几天 几天 今天 昨天 晚上 早上 现在 怎么 什么 没有 没人 谁 能 不能 可以 小区""".split())


def char_tokens(text: str) -> set[str]:
    """Character bigrams of the Chinese runs and whole Latin/number runs: robust without a dictionary."""
    out: set[str] = set()
    for run in _WORD.findall(text or ""):
        if run.isascii():
            out.add(run.lower())
            continue
        if len(run) == 1:
            out.add(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return {t for t in out if t not in FILLER}


def overlap(a: set[str], b: set[str]) -> float:
    """Shared tokens over the smaller set (a short "+1" report inside a long one still matches)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def score(a: str, b: str) -> float:
    """0..1: the mean of overlap and Jaccard, so that one long report does not swallow every short one."""
    ta, tb = char_tokens(a), char_tokens(b)
    return (overlap(ta, tb) + jaccard(ta, tb)) / 2


_BUILDING = re.compile(r"(\d+)\s*(?:号楼|号|栋|幢|座|单元|楼)")


def place_key(location: str | None) -> str | None:
    """"5栋楼道" and "5号楼门口" are the same building: its number; otherwise the place as written."""
    if not location or not location.strip():
        return None
    m = _BUILDING.search(location)
    return f"#{m.group(1)}" if m else location.strip()


def same_place(a: str | None, b: str | None) -> bool | None:
    """True / False when both reports name a place, None when either does not."""
    ka, kb = place_key(a), place_key(b)
    if ka is None or kb is None:
        return None
    if ka.startswith("#") or kb.startswith("#"):
        return ka == kb
    return ka in kb or kb in ka

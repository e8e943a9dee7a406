"""Candidate keywords mined from workers' corrections (/recat, /urgency), for a person to accept into
config/.

`gridbot rules suggest` (core) reads the recorded corrections and the other messages from the database
and calls `suggest_from_corrections`: keywords per corrected category, and words typical of the messages
workers made red (candidate red triggers) or took out of red.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import jieba
import jieba.analyse

_WORDLIKE = re.compile(r"^[\u4e00-\u9fff]{2,8}$")


def doc_terms(text: str) -> set[str]:
    return {t for t in jieba.lcut(text, HMM=True) if _WORDLIKE.match(t)}


def suggest_keywords(
    corrections: list[tuple[str, str]],
    others: list[str],
    top: int = 10,
    *,
    known: set[str] | None = None,
) -> dict[str, list[str]]:
    """Per corrected category, up to `top` words typical of its messages and rare elsewhere.

    A word's score = its TF-IDF weight in the category's messages (jieba.analyse) × how much more
    often it occurs in them than in the rest (the other categories' corrections and `others`),
    smoothed; words already in the rules (`known`) and words seen in only one message are skipped.
    """
    known = known or set()
    by_cat: dict[str, list[str]] = defaultdict(list)
    for text, cat in corrections:
        if text and cat:
            by_cat[cat].append(text)
    if not by_cat:
        return {}
    df: dict[str, Counter] = {cat: Counter() for cat in by_cat}
    for cat, texts in by_cat.items():
        for t in texts:
            df[cat].update(doc_terms(t))
    rest_df = Counter()
    for t in others:
        rest_df.update(doc_terms(t))
    n_rest = len(others)

    out: dict[str, list[str]] = {}
    for cat, texts in sorted(by_cat.items()):
        n_in = len(texts)
        n_out = n_rest + sum(len(v) for c, v in by_cat.items() if c != cat)
        out_df = rest_df.copy()
        for c in by_cat:
            if c != cat:
                out_df.update(df[c])
        tfidf = dict(jieba.analyse.extract_tags("\n".join(texts), topK=200, withWeight=True))
        scored = []
        for word, weight in tfidf.items():
            if word in known or df[cat][word] < 2 or not _WORDLIKE.match(word):
                continue
            p_in = (df[cat][word] + 0.5) / (n_in + 1)
            p_out = (out_df[word] + 0.5) / (n_out + 1)
            lift = math.log(p_in / p_out)
            if lift > 0:
                scored.append((weight * lift, word))
        out[cat] = [w for _, w in sorted(scored, reverse=True)[:top]]
    return out


def suggest_from_corrections(
    rows: list[tuple[str, str, str, str | None, str | None]],
    others: list[str],
    top: int = 10,
    *,
    known: set[str] | None = None,
) -> list[str]:
    """Lines to print from (text, old_category, new_category, old_urgency, new_urgency) rows: the
    category corrections mined per code, then the urgency corrections mined per new urgency."""
    categories = [(t, new) for t, old, new, _, _ in rows if new != old]
    urgencies = [(t, new_u) for t, _, _, old_u, new_u in rows if new_u and new_u != old_u]
    lines = [f"category corrections: {len(categories)}"]
    for code, words in suggest_keywords(categories, others, top=top, known=known).items():
        lines.append(f"  {code}: {'、'.join(words) if words else '(none)'}")
    counts = Counter(u for _, u in urgencies)
    lines.append(f"urgency corrections: {len(urgencies)}"
                 + (f" ({', '.join(f'{u} {n}' for u, n in sorted(counts.items()))})" if counts else ""))
    for urgency, words in suggest_keywords(urgencies, others, top=top, known=known).items():
        hint = " (candidate red triggers)" if urgency == "red" else ""
        lines.append(f"  {urgency}{hint}: {'、'.join(words) if words else '(none)'}")
    return lines

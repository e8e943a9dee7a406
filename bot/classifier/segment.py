"""jieba tokenisation with every rule word registered, and a fast start-up cache.

jieba's default dictionary splits 路灯不亮 into 路/灯不亮 and 煤气味 into 煤/气味, so every keyword,
topic, trigger, object, fault and negation of the taxonomy is added to a private `jieba.Tokenizer`
(the global `jieba.dt` others use stays untouched).

Start-up: loading jieba's own cache (marshal) takes 0.6-1.4 s; the finished dictionary including our
words is pickled once to `$GRIDBOT_CACHE_DIR` (default: the system temp dir) under a name that
hashes jieba's version, its dictionary and our word list, and later starts load that in ~0.3 s.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import math
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path

import jieba

# A registered word gets at least this frequency, so it also wins inside longer sentences
# (南门路灯不亮 → 南门/路灯不亮, not 南/门路/灯不亮); jieba's median word frequency is ~3.
MIN_WORD_FREQ = 20_000
_CACHE_VERSION = "2"  # 2: the cache holds log-probabilities for Segmenter


def cache_dir() -> Path:
    return Path(os.environ.get("GRIDBOT_CACHE_DIR") or tempfile.gettempdir())


def _cache_path(words: list[str]) -> Path:
    dict_path = Path(jieba.__file__).with_name("dict.txt")
    try:
        stat = dict_path.stat()
        dict_id = f"{stat.st_size}:{int(stat.st_mtime)}"
    except OSError:
        dict_id = "?"
    h = hashlib.sha1()
    h.update(f"{_CACHE_VERSION}|{jieba.__version__}|{dict_id}|{MIN_WORD_FREQ}|".encode())
    h.update("\n".join(words).encode("utf-8"))
    return cache_dir() / f"gridbot-jieba-{h.hexdigest()[:16]}.pickle"


@contextlib.contextmanager
def _quiet_jieba():
    logger = jieba.default_logger
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _load_cached(path: Path) -> dict | None:
    try:
        with open(path, "rb") as fh:
            gc_was_enabled = gc.isenabled()
            gc.disable()  # half a million small objects: the collector would walk them repeatedly
            try:
                logp = pickle.load(fh)
            finally:
                if gc_was_enabled:
                    gc.enable()
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        return None
    return logp if isinstance(logp, dict) and "" in logp else None


def _save_cache(logp: dict, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(logp, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a concurrent start sees the old file or the new one
    except OSError:
        pass  # a read-only temp dir only costs start-up time


_PREFIX = 1.0  # in the log-probability table: a prefix of a word, not a word (real values are < 0)
_RE_HAN = jieba.re_han_default  # the blocks jieba's cut() segments with its dictionary
_RE_SKIP = jieba.re_skip_default
_ENG = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class Segmenter:
    """jieba's `Tokenizer.lcut(text, HMM=False)`, token for token, in about half the time.

    jieba builds a DAG of dictionary words per position, then finds the most probable route with
    `log(freq) - log(total)` recomputed for every edge. Here one right-to-left pass does both over a
    precomputed table word → log-probability (prefixes of words marked with `_PREFIX`), and no
    per-position lists or generators are created. Ties go to the longer word, as in jieba's
    `max((prob, x))`; single ASCII letters/digits are joined as jieba does.
    """

    __slots__ = ("logp", "_unknown")

    def __init__(self, logp: dict[str, float]):
        self.logp = logp
        self._unknown = logp[""]  # log(1) - log(total): a character jieba does not know

    @classmethod
    def from_tokenizer(cls, tk: jieba.Tokenizer) -> Segmenter:
        logtotal = math.log(tk.total)
        logp = {w: (math.log(f) - logtotal if f else _PREFIX) for w, f in tk.FREQ.items()}
        logp[""] = -logtotal
        return cls(logp)

    def _block(self, s: str, out: list[str]) -> None:
        logp = self.logp
        get = logp.get
        n = len(s)
        route = [0.0] * (n + 1)
        nxt = [0] * n
        unknown = self._unknown
        for idx in range(n - 1, -1, -1):
            best = None
            bx = idx
            i = idx + 1
            lp = get(s[idx])
            while lp is not None:
                if lp != _PREFIX:
                    cand = lp + route[i]
                    if best is None or cand >= best:
                        best = cand
                        bx = i
                if i >= n:
                    break
                i += 1
                lp = get(s[idx:i])
            if best is None:
                best = unknown + route[idx + 1]
                bx = idx + 1
            route[idx] = best
            nxt[idx] = bx
        x = 0
        buf = ""
        eng = _ENG
        while x < n:
            y = nxt[x]
            if y == x + 1 and s[x] in eng:
                buf += s[x]
            else:
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(s[x:y])
            x = y
        if buf:
            out.append(buf)

    def lcut(self, text: str, HMM: bool = False) -> list[str]:  # noqa: N803 - jieba's signature
        """Tokens of `text` exactly as jieba's cut(text, HMM=False) with the same dictionary."""
        out: list[str] = []
        han = _RE_HAN
        if han.fullmatch(text):  # one block (most short chat lines): no split needed
            self._block(text, out)
            return out
        for blk in han.split(text):
            if not blk:
                continue
            if han.match(blk):
                self._block(blk, out)
            else:
                for x in _RE_SKIP.split(blk):
                    if _RE_SKIP.match(x):
                        out.append(x)
                    else:
                        out.extend(x)
        return out


def build_tokenizer(words: Iterable[str], *, use_cache: bool = True) -> Segmenter:
    """A segmenter over jieba's default dictionary plus `words`, each kept whole."""
    ordered = sorted({w for w in words if w and not w.isspace()}, key=lambda w: (len(w), w))
    path = _cache_path(ordered)
    if use_cache:
        logp = _load_cached(path)
        if logp is not None:
            return Segmenter(logp)
    tk = jieba.Tokenizer()
    with _quiet_jieba():
        tk.initialize()
    # shortest first: a longer word's suggested frequency is computed against its parts
    for w in ordered:
        freq = tk.suggest_freq(w, tune=False)
        if len(w) > 1:  # single characters (坏, 漏, 没) keep jieba's own frequency
            freq = max(freq, MIN_WORD_FREQ)
        tk.add_word(w, freq=freq)
    seg = Segmenter.from_tokenizer(tk)
    if use_cache:
        _save_cache(seg.logp, path)
    return seg

"""jieba tokenisation with every rule word registered, and a fast start-up cache.

jieba's default dictionary splits 路灯不亮 into 路/灯不亮 and 煤气味 into 煤/气味, so every keyword,
topic, trigger, object, fault and negation of the taxonomy is added to a private `jieba.Tokenizer`
(the global `jieba.dt` others use stays untouched).

The route through a block is jieba's: the most probable one under jieba's word frequencies (HMM
off). It is computed by `CompiledSegmenter` — jieba-rs (package rjieba), given exactly the words,
frequencies and total of the jieba.Tokenizer — about 6x faster than the pure-Python `Segmenter`,
which stays as the fallback when rjieba cannot be imported. Both equal `Tokenizer.lcut(text,
HMM=False)` token for token (bench/classify_identity.py, tests/unit/test_classifier_speedpaths.py).

Start-up: loading jieba's own cache (marshal) takes 0.6-1.4 s; the finished dictionary including our
words (words, frequencies, total) is pickled once to `$GRIDBOT_CACHE_DIR` (default: the system temp
dir) under a name that hashes jieba's version, its dictionary and our word list, and later starts
load that in ~0.05 s and hand it to jieba-rs in ~0.2 s.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import math
import os
import pickle
import re
import tempfile
from array import array
from collections.abc import Iterable
from importlib.util import find_spec
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

# jieba itself is imported only to build the dictionary (a cache miss): its import costs ~0.2 s of
# start-up (it pulls in pkg_resources), and a warm start needs only its files' identity

try:
    import rjieba
except ImportError:  # pragma: no cover - a dependency; Segmenter is the slower fallback
    rjieba = None

# A registered word gets at least this frequency, so it also wins inside longer sentences
# (南门路灯不亮 → 南门/路灯不亮, not 南/门路/灯不亮); jieba's median word frequency is ~3.
MIN_WORD_FREQ = 20_000
_CACHE_VERSION = "3"  # 2: log-probabilities for Segmenter; 3: words, frequencies and total


def cache_dir() -> Path:
    return Path(os.environ.get("GRIDBOT_CACHE_DIR") or tempfile.gettempdir())


def _cache_path(words: list[str]) -> Path:
    spec = find_spec("jieba")
    ids = []
    if spec is not None and spec.origin:
        code = Path(spec.origin)  # jieba/__init__.py stands for jieba's version
        for f in (code, code.with_name("dict.txt")):
            try:
                stat = f.stat()
                ids.append(f"{stat.st_size}:{int(stat.st_mtime)}")
            except OSError:
                ids.append("?")
    h = hashlib.sha1()
    h.update(f"{_CACHE_VERSION}|{'|'.join(ids)}|{MIN_WORD_FREQ}|".encode())
    h.update("\n".join(words).encode("utf-8"))
    return cache_dir() / f"gridbot-jieba-{h.hexdigest()[:16]}.pickle"


@contextlib.contextmanager
def _quiet_jieba():
    import jieba

    logger = jieba.default_logger
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class Lexicon:
    """A jieba dictionary as it stands after our words were added: the words with a frequency > 0
    (jieba's FREQ also holds every prefix, with 0), their frequencies, and jieba's `total` (which
    `add_word` raises by the new frequency without taking off the old one)."""

    __slots__ = ("words", "freqs", "total")

    def __init__(self, words: list[str], freqs: list[int], total: int):
        self.words, self.freqs, self.total = words, freqs, total

    @classmethod
    def from_tokenizer(cls, tk: jieba.Tokenizer) -> Lexicon:
        items = [(w, f) for w, f in tk.FREQ.items() if f]
        return cls([w for w, _ in items], [f for _, f in items], tk.total)

    def dump(self) -> tuple[str, bytes, int]:
        # one string and one packed array: ~20x faster to unpickle than a dict of 350k entries
        return "\n".join(self.words), array("Q", self.freqs).tobytes(), self.total

    @classmethod
    def load(cls, data) -> Lexicon | None:
        if not (isinstance(data, tuple) and len(data) == 3):
            return None
        joined, packed, total = data
        if not (isinstance(joined, str) and isinstance(packed, bytes) and isinstance(total, int)):
            return None
        freqs = array("Q")
        freqs.frombytes(packed)
        words = joined.split("\n")
        if len(words) != len(freqs):
            return None
        return cls(words, freqs.tolist(), total)


def _load_cached(path: Path) -> Lexicon | None:
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        return None
    return Lexicon.load(data)


def _save_cache(lexicon: Lexicon, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(lexicon.dump(), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a concurrent start sees the old file or the new one
    except OSError:
        pass  # a read-only temp dir only costs start-up time


_PREFIX = 1.0  # in the log-probability table: a prefix of a word, not a word (real values are < 0)
# jieba.re_han_default / re_skip_default, the same patterns (a unit test compares them): the blocks
# jieba's cut() segments with its dictionary, and how it splits the rest
_RE_HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_RE_SKIP = re.compile("(\r\n|\\s)", re.U)
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

    @classmethod
    def from_lexicon(cls, lex: Lexicon) -> Segmenter:
        """The same table as from_tokenizer(): a prefix that leads to no word of frequency > 0 is
        left out, which changes no route (the walk would find nothing past it)."""
        logtotal = math.log(lex.total)
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            logp = {w: math.log(f) - logtotal for w, f in zip(lex.words, lex.freqs, strict=True)}
            for w in lex.words:
                for k in range(1, len(w)):
                    logp.setdefault(w[:k], _PREFIX)
        finally:
            if gc_was_enabled:
                gc.enable()
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
        if _RE_HAN.fullmatch(text):  # one block (most short chat lines): no split needed
            self._block(text, out)
            return out
        return _by_blocks(text, self._block, out)


def _by_blocks(text: str, block, out: list[str]) -> list[str]:
    """jieba's cut(HMM=False) outside the dictionary: the text split into han blocks, each cut by
    `block(blk, out)`, and the rest (spaces, punctuation, single ASCII characters) kept as jieba keeps it."""
    han = _RE_HAN
    for blk in han.split(text):
        if not blk:
            continue
        if han.match(blk):
            block(blk, out)
        else:
            for x in _RE_SKIP.split(blk):
                if _RE_SKIP.match(x):
                    out.append(x)
                else:
                    out.extend(x)
    return out


# Characters on which jieba-rs's block split differs from jieba's: CJK characters outside jieba's
# re_han (U+4E00-U+9FD5) that jieba-rs keeps in a block, and whitespace other than a plain space
# (Python's and Rust's \s disagree on a few control characters). A text without them (every
# normalised text but one with a rare CJK extension character) goes to jieba-rs whole.
_RS_DIFFERS = re.compile("[^\\S ]|[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")

# A word that is never looked up (control characters are outside jieba's blocks): it carries the part
# of jieba's `total` that is no word's frequency, so that jieba-rs divides by the same total.
_TOTAL_PAD = "\x00\x01"


class CompiledSegmenter:
    """`Segmenter.lcut` computed by jieba-rs (rjieba): the same dictionary, frequencies and total, the
    same route (log(freq) - log(total) summed right to left; ties to the longer word) and the same
    joining of single ASCII letters/digits, checked token for token against jieba on the synthetic
    and public texts (bench/classify_identity.py). The text is cut into blocks here, with jieba's own
    regex (jieba-rs's block regex is wider: CJK extension characters), and each block handed over."""

    __slots__ = ("_jieba", "_cut")

    def __init__(self, lex: Lexicon):
        if rjieba is None:  # pragma: no cover
            raise RuntimeError("rjieba is not installed")
        pad = lex.total - sum(lex.freqs)
        if pad < 0:  # pragma: no cover - jieba's total only ever exceeds the sum
            raise ValueError("jieba total below the sum of its frequencies")
        jb = rjieba.Jieba.empty()
        n = len(lex.words)
        for _ in map(jb.add_word, lex.words, lex.freqs, repeat(None, n)):
            pass
        if pad:
            jb.add_word(_TOTAL_PAD, pad, None)
        self._jieba = jb
        self._cut = jb.cut

    def lcut(self, text: str, HMM: bool = False) -> list[str]:  # noqa: N803 - jieba's signature
        """Tokens of `text` exactly as jieba's cut(text, HMM=False) with the same dictionary."""
        if _RS_DIFFERS.search(text) is None:  # (nearly always) jieba-rs splits it as jieba does
            return self._cut(text, False)
        return _by_blocks(text, self._block, [])

    def _block(self, blk: str, out: list[str]) -> None:
        out += self._cut(blk, False)


def _segmenter(lex: Lexicon) -> Segmenter | CompiledSegmenter:
    if rjieba is not None:
        return CompiledSegmenter(lex)
    return Segmenter.from_lexicon(lex)  # pragma: no cover


def build_tokenizer(words: Iterable[str], *, use_cache: bool = True) -> Segmenter | CompiledSegmenter:
    """A segmenter over jieba's default dictionary plus `words`, each kept whole."""
    ordered = sorted({w for w in words if w and not w.isspace()}, key=lambda w: (len(w), w))
    path = _cache_path(ordered)
    if use_cache:
        lex = _load_cached(path)
        if lex is not None:
            return _segmenter(lex)
    import jieba

    tk = jieba.Tokenizer()
    with _quiet_jieba():
        tk.initialize()
    # shortest first: a longer word's suggested frequency is computed against its parts
    for w in ordered:
        freq = tk.suggest_freq(w, tune=False)
        if len(w) > 1:  # single characters (坏, 漏, 没) keep jieba's own frequency
            freq = max(freq, MIN_WORD_FREQ)
        tk.add_word(w, freq=freq)
    lex = Lexicon.from_tokenizer(tk)
    if use_cache:
        _save_cache(lex, path)
    return _segmenter(lex)

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
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path

import jieba

# A registered word gets at least this frequency, so it also wins inside longer sentences
# (南门路灯不亮 → 南门/路灯不亮, not 南/门路/灯不亮); jieba's median word frequency is ~3.
MIN_WORD_FREQ = 20_000
_CACHE_VERSION = "1"


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


def _load_cached(tk: jieba.Tokenizer, path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            gc_was_enabled = gc.isenabled()
            gc.disable()  # half a million small objects: the collector would walk them repeatedly
            try:
                freq, total = pickle.load(fh)
            finally:
                if gc_was_enabled:
                    gc.enable()
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        return False
    if not isinstance(freq, dict) or not isinstance(total, int):
        return False
    tk.FREQ, tk.total = freq, total
    tk.initialized = True
    return True


def _save_cache(tk: jieba.Tokenizer, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump((tk.FREQ, tk.total), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a concurrent start sees the old file or the new one
    except OSError:
        pass  # a read-only temp dir only costs start-up time


def build_tokenizer(words: Iterable[str], *, use_cache: bool = True) -> jieba.Tokenizer:
    """A jieba.Tokenizer over the default dictionary plus `words`, each kept whole."""
    ordered = sorted({w for w in words if w and not w.isspace()}, key=lambda w: (len(w), w))
    tk = jieba.Tokenizer()
    path = _cache_path(ordered)
    if use_cache and _load_cached(tk, path):
        return tk
    with _quiet_jieba():
        tk.initialize()
    # shortest first: a longer word's suggested frequency is computed against its parts
    for w in ordered:
        freq = tk.suggest_freq(w, tune=False)
        if len(w) > 1:  # single characters (坏, 漏, 没) keep jieba's own frequency
            freq = max(freq, MIN_WORD_FREQ)
        tk.add_word(w, freq=freq)
    if use_cache:
        _save_cache(tk, path)
    return tk

"""Text normalisation before tokenisation.

Full-width → half-width (NFKC), traditional → simplified (OpenCC t2s, only when a traditional
character is present: converting every message would cost ~100 µs each), @mentions, URLs and emoji
removed, repeated punctuation collapsed, ASCII lower-cased.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@[^\s@,，:：。!！?？]{1,20}")
# @所有人 / @all is how an admin addresses the whole group (a notice): kept as a mark the notice filter
# reads, where other mentions are stripped
_ALL_MENTION = re.compile(r"@(所有人|全体成员|全体|all|everyone)", re.IGNORECASE)
ALL_MARK = "【所有人】"
# laughing faces: kept as 哈哈 (the chit-chat register and the joke filter read it); 😅 (a wry smile) is
# how residents sign off a complaint, so it is stripped like other emoji
_LAUGH = frozenset("😂🤣😆😁😄😀😹😝😜")
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002190-\U000021ff\U00002300-\U000023ff\U00002460-\U000024ff"
    "\U000025a0-\U000027bf\U00002900-\U0000297f\U00002b00-\U00002bff\U0000fe00-\U0000fe0f"
    "\U0000200b-\U0000200f\U0001f1e6-\U0001f1ff\u3030\u303d\u3297\u3299\u2122\u00a9\u00ae]+"
)
# a punctuation mark followed by the same mark is dropped, so each run keeps its last one: the same
# string as sub(r"([…])\1+", r"\1"), without re's per-match template expansion in Python (~5x cheaper)
_REPEAT_PUNCT = re.compile(r"([!?。,.~…、;；:：\-—_=*#])(?=\1)")
_HAS_REPEAT = re.compile(r"([!?。,.~…、;；:：\-—_=*#])\1")  # searching is ~10x cheaper than sub()
_SPACES = re.compile(r"\s+")
_HAS_CONTENT = re.compile(r"[0-9a-z\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Characters OpenCC maps to a different simplified character (from its TSCharacters table)."""
    try:
        table = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt").read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover - opencc always ships it
        return frozenset()
    out = set()
    for line in table.splitlines():
        trad, _, simp = line.partition("\t")
        if len(trad) == 1 and trad not in simp.split():
            out.add(trad)
    return frozenset(out)


@lru_cache(maxsize=1)
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _maybe_traditional() -> re.Pattern:
    """A character class holding every traditional character of the BMP (merged into ranges) and the
    whole astral plane: no match proves the text has no traditional character, ~4x cheaper than
    frozenset.isdisjoint. (Listing the astral traditional characters one by one would make `re`
    test the class linearly.)"""
    codes = sorted(ord(c) for c in _traditional_chars() if ord(c) <= 0xFFFF)
    spans: list[list[int]] = []
    for c in codes:
        if spans and c == spans[-1][1] + 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    body = "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in spans)
    return re.compile("[" + body + "\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _by_character():
    """(automaton of OpenCC's t2s phrases, str.translate table of its characters), or None when its
    dictionaries are not laid out as expected (then every conversion goes through OpenCC).

    OpenCC's t2s splits the text at separators, then in each piece replaces phrases (TSPhrases,
    longest first) and converts what no phrase covers character by character (TSCharacters, first
    candidate). When no phrase occurs in the text, that is `text.translate(table)` exactly: no
    phrase holds a separator (so none spans two pieces) and no separator is a character entry."""
    import ahocorasick

    conv = _converter()
    conv.convert("")  # loads the dictionaries
    try:  # private attributes of opencc-python-reimplemented: another layout means no fast path
        chain = conv._dict_chain_data
        if len(chain) != 1 or len(chain[0]) != 2:  # pragma: no cover - opencc's t2s.json
            return None
        (_pmax, pmin, phrases), (cmax, cmin, chars) = chain[0]
        split = conv.split_chars_re
    except (AttributeError, TypeError, ValueError):  # pragma: no cover
        return None
    if (cmax, cmin) != (1, 1) or pmin < 2 or any(split.search(k) for k in phrases):  # pragma: no cover
        return None
    if any(split.fullmatch(k) for k in chars):  # pragma: no cover
        return None
    automaton = ahocorasick.Automaton()
    for k in phrases:
        automaton.add_word(k, k)
    automaton.make_automaton()
    table = {ord(k): v.split(" ")[0] for k, v in chars.items() if v.split(" ")[0] != k}
    return automaton, table


def to_simplified(text: str) -> str:
    if _maybe_traditional().search(text) is None or _traditional_chars().isdisjoint(text):
        return text
    fast = _by_character()
    if fast is not None and next(fast[0].iter(text), None) is None:  # no phrase: ~1 µs, not ~30
        return text.translate(fast[1])
    return _converter().convert(text)


_PLAIN = re.compile(r"[\u4e00-\u9fff0-9a-z]*")
# The full-width marks of most chat lines, with their NFKC form (one ASCII character, their whole
# compatibility decomposition): replacing them first gives the same NFKC of the text, and most
# lines are then already NFKC, skipping the call (~3.5 µs on a short line, str.replace ~0.1 µs).
_WIDE_PUNCT = tuple((c, unicodedata.normalize("NFKC", c)) for c in "，？！：；（）")
# Most lines after NFKC: Chinese, digits, a-z and punctuation marks, but no / . @ (no URL or mention),
# no emoji, whitespace or capital letter. For them the URL, mention and emoji substitutions, the
# whitespace collapse and lower() change nothing, and are skipped (~1 µs a line).
_CLEAN = re.compile(r"[\u4e00-\u9fff0-9a-z,?!:;()\[\]\"'~\-_=*#%&+<>。、【】“”‘’《》—·]*")


def normalize(text: str) -> str:
    """The form every rule sees. Idempotent."""
    if not text:
        return ""
    if _PLAIN.fullmatch(text):  # most chat lines: nothing to clean but maybe traditional characters
        return to_simplified(text)
    if not unicodedata.is_normalized("NFKC", text):  # the quick check is ~15x cheaper than NFKC
        for wide, narrow in _WIDE_PUNCT:
            if wide in text:
                text = text.replace(wide, narrow)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    clean = _CLEAN.fullmatch(text) is not None
    if not clean:
        if "http" in text or "www." in text:
            text = _URL.sub(" ", text)
        if "@" in text:
            text = _MENTION.sub(" ", _ALL_MENTION.sub(ALL_MARK, text))
        if not _LAUGH.isdisjoint(text):  # a laughing face says what 哈哈 says (a joke, not a report)
            text = "".join("哈哈" if c in _LAUGH else c for c in text)
        text = _EMOJI.sub(" ", text)
    text = to_simplified(text)
    if _HAS_REPEAT.search(text):
        text = _REPEAT_PUNCT.sub("", text)
    if clean:
        return text
    # " ".join(split()) is _SPACES.sub(" ", text).strip(): both use Unicode's whitespace, and faster
    return " ".join(text.split()).lower()


def has_content(normalized: str) -> bool:
    """False for emoji-only, punctuation-only or empty messages."""
    return _HAS_CONTENT.search(normalized) is not None


def warm() -> None:
    """Load the traditional-character table now (part of Classifier start-up)."""
    _maybe_traditional()

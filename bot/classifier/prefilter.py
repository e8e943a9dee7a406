"""Characters a regex cannot match without: a cheap test that skips a regex search.

`required_chars(pattern)` returns a set R such that every match of the pattern contains at least one
character of R, or None when no such finite set can be read off the pattern. `text.isdisjoint(R)`
then proves the search would fail, so the search is skipped with the same result (most chat lines
lack the few characters a rule regex needs: 吗, 太 … 了, 号楼, 路).
"""

from __future__ import annotations

import re

try:  # Python 3.11+
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

_REPEATS = tuple(getattr(_c, n) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(_c, n))
_MAX_RANGE = 64


def _item(op, av, seq=None) -> set[str] | None:
    """Characters one of which every match of this item contains; `seq` reads sub-sequences (default
    _seq: their first item with a known set)."""
    if seq is None:
        seq = _seq
    if op is _c.LITERAL:
        return {chr(av)}
    if op is _c.IN:
        chars: set[str] = set()
        for o, a in av:
            if o is _c.LITERAL:
                chars.add(chr(a))
            elif o is _c.RANGE and a[1] - a[0] < _MAX_RANGE:
                chars.update(map(chr, range(a[0], a[1] + 1)))
            else:  # NEGATE, CATEGORY (\d, \s), wide ranges: not a small finite set
                return None
        return chars or None
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & re.IGNORECASE:
            return None
        return seq(sub)
    if op is _c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            r = seq(branch)
            if r is None:
                return None
            out |= r
        return out
    if op in _REPEATS:
        lo, _hi, sub = av
        return seq(sub) if lo >= 1 else None
    return None  # anchors, look-arounds, `.`, back-references: they require no character we know


def _seq(items) -> set[str] | None:
    """Every item of a sequence matches: the first item with a known set is enough."""
    for op, av in items:
        r = _item(op, av)
        if r is not None:
            return r
    return None


def _seq_last(items) -> set[str] | None:
    """As _seq, from the end: the last item with a known set (a suffix such as 路 / 小区 is rarer in
    text than the first character of a name)."""
    for op, av in reversed(list(items)):
        r = _item(op, av, _seq_last)
        if r is not None:
            return r
    return None


def required_chars_last(pattern: str) -> frozenset[str] | None:
    """required_chars() read from the pattern's end: also a set every match contains a character of."""
    parsed = _p.parse(pattern, 0)
    if parsed.state.flags & re.IGNORECASE:
        return None
    r = _seq_last(parsed)
    return frozenset(r) if r else None


def required_chars(pattern: str | re.Pattern) -> frozenset[str] | None:
    if isinstance(pattern, re.Pattern):
        flags, pattern = pattern.flags, pattern.pattern
    else:
        flags = 0
    parsed = _p.parse(pattern, flags)
    if parsed.state.flags & re.IGNORECASE:
        return None
    r = _seq(parsed)
    return frozenset(r) if r else None


def _first(items) -> set[str] | None:
    """Characters a match of the sequence can start with, when that is a small known set: its first item,
    whose sub-sequences are read the same way."""
    return _item(*items[0], _first) if items else None


def start_or_required(pattern: re.Pattern) -> tuple[frozenset[str], frozenset[str]] | None:
    """(first, anywhere): a text can match only if its first character is in `first` (a branch
    anchored with ^ at the start) or it contains a character of `anywhere` (the other branches).
    None when some branch allows neither test. ^ counts as an anchor only without re.MULTILINE."""
    if pattern.flags & (re.IGNORECASE | re.MULTILINE):
        return None
    parsed = list(_p.parse(pattern.pattern, pattern.flags))
    if len(parsed) == 1 and parsed[0][0] is _c.BRANCH:
        branches = parsed[0][1][1]
    else:
        branches = [parsed]
    first: set[str] = set()
    anywhere: set[str] = set()
    for b in branches:
        b = list(b)
        if b and b[0] == (_c.AT, _c.AT_BEGINNING):
            f = _first(b[1:])
            if f is not None:
                first |= f
                continue
        r = _seq(b)
        if r is None:
            return None
        anywhere |= r
    return frozenset(first), frozenset(anywhere)


def _literals(items) -> set[str] | None:
    """Strings one of which every match of the sequence contains: of its items' sets (a run of literal
    characters; a group, an alternation, a repeat of at least one or a small class, read by _item with
    this function for sub-sequences), the one whose shortest string is longest, then the smallest."""
    best: set[str] | None = None
    run = ""

    def better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
        if a is None:
            return b
        if b is None:
            return a
        ka, kb = (min(map(len, a)), -len(a)), (min(map(len, b)), -len(b))
        return b if kb > ka else a

    for op, av in items:
        if op is _c.LITERAL:
            run += chr(av)
            continue
        if run:
            best, run = better(best, {run}), ""
        best = better(best, _item(op, av, _literals))  # groups, alternations, repeats, classes
    if run:
        best = better(best, {run})
    return best


def required_literals(pattern: str) -> frozenset[str] | None:
    """A set of strings such that every match of the pattern contains one of them (电梯 for
    电梯.{0,10}(卡|停)…), or None when none can be read off. Longer strings prove more: `any(s in text
    for s in R)` false means the search would fail."""
    parsed = _p.parse(pattern, 0)
    if parsed.state.flags & re.IGNORECASE:
        return None
    r = _literals(list(parsed))
    return frozenset(r) if r else None

"""Where a message says the problem is: buildings and rooms, roads and crossings, named places, gates.

Returns the spans found, in text order, joined by a space ("3号楼2单元", "幸福路与人民路交叉口", "北门").
Runs on the normalised text (digits are half-width there).
"""

from __future__ import annotations

import re
from functools import cache

from bot.classifier.prefilter import required_chars_last

_NUM = r"(?:\d{1,4}|[一二三四五六七八九十百零两]{1,4})"
_STOP = "了的在是有没不这那哪个我你他她们去走还也就都很太又把被给从到对说要会能让"
_NAME = rf"[^\s{_STOP}\d,.!?;:()\[\]【】，。！？；：、一][^\s{_STOP},.!?;:()\[\]【】，。！？；：、]{{0,5}}?"

_PATTERNS = [
    # 3号楼2单元501室, 5栋1203, 12幢, 2单元, 8楼 (a floor number only with 号/栋 before it)
    rf"{_NUM}\s*(?:号楼|号院|栋|幢|座|号楼?)(?:\s*{_NUM}\s*(?:单元|门|楼|层|室|号))*(?:\s*\d{{2,4}}(?:室|号)?)?",
    rf"{_NUM}\s*单元(?:\s*\d{{2,4}}(?:室|号)?)?",
    r"\d{3,4}\s*室",
    # 幸福路与人民路交叉口, 文一西路, 学院路口, 解放大道, 平安巷
    rf"{_NAME}(?:大道|大街|路(?![灯面边上旁])|街(?![道坊])|巷|弄|胡同)(?:\d+号)?(?:(?:与|和|跟){_NAME}(?:大道|大街|路|街|巷|弄))?(?:交叉口|十字路口|路口|口|段)?",
    # named places: 阳光小区, 中心花园, 菜市场, 3号地铁站
    # (the look-ahead only says what the alternation's first character is: re then tries the 25
    # alternatives only where one can start, not after each of the name's 1-6 characters)
    rf"{_NAME}(?=[中公农医卫商地大学家小市广幼新村超车停社花菜])(?:小区|花园|公园|广场|菜市场|农贸市场|市场|超市|商场|学校|小学|中学|幼儿园|医院|卫生院|车站|地铁站|公交站|停车场|社区|新村|家园|公寓|大厦|村)",
    r"(?:东|南|西|北|正|后|侧|大)门|[东南西北]边|(?:地下)?车库|地下室|楼道|楼梯间|天台|楼顶|电梯间|垃圾站|菜场|路口|十字路口",
]
_LOCATION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
# Per pattern, characters every match of it contains (its suffix: 号楼 / 栋, 单元, 室, 路 / 街, 小区 /
# 花园, 门 / 楼道): a pattern whose characters are all absent cannot match anywhere in the text, and
# dropping a never-matching branch from the alternation changes no match of finditer (the others
# are tried in the same order at the same positions). The two name-led patterns (roads, named
# places) cost the most and are the ones most often dropped.
_PATTERN_NEEDS = [required_chars_last(p) for p in _PATTERNS]
_NEEDS_BY_PATTERN = [(k, need) for k, need in enumerate(_PATTERN_NEEDS) if need is not None]
_ALWAYS = tuple(k for k, need in enumerate(_PATTERN_NEEDS) if need is None)


@cache  # at most 2^6 pattern subsets
def _location_regex(kept: tuple[int, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{_PATTERNS[k]})" for k in kept))


# A text with none of these characters names no place: one character every match of each pattern
# has (号楼 → 号, 单元 → 单, 小区 → 区, 楼道 → 道, 东门 → 门 …), and 路 / 门 for the bare 路口 / 大门
# fallback below. Read off the patterns by hand: narrower than prefilter.required_chars(_LOCATION),
# which picks first characters (楼, 大, 电). tests/unit/test_classifier_speedpaths.py fuzzes it.
_NEEDS = frozenset("号栋幢座单室道街路巷弄同区园场市校学院站村寓厦门边库间台顶口")
# words that look like places but are not (一路 = "all the way", 马路/走路 are generic)
_NOT_PLACES = {
    "一路",
    "马路",
    "走路",
    "道路",
    "上路",
    "出路",
    "半路",
    "这路",
    "那路",
    "问路",
    "修路",
    "网路",
    "电路",
    "线路",
    "思路",
    "套路",
    "销路",
    "公路",
    "铁路",
    "水路",
    "门路",
    "大路",
    "小路",
    "路口",
    "街",
    "大门",
}

# The regex for a text, keyed by which of the patterns' characters it holds (one set intersection and
# one dict lookup instead of a set test per pattern); a cache by character subset, not by text.
_MISSING = object()
_NO_PLACE = object()  # the text has none of the _NEEDS characters
_KEY_CHARS = _NEEDS.union(*(need for _k, need in _NEEDS_BY_PATTERN))
_REGEX_BY_PRESENT: dict[frozenset[str], re.Pattern | None] = {}
_REGEX_CACHE_MAX = 4096


def _regex_for(present: frozenset[str]) -> re.Pattern | object | None:
    if _NEEDS.isdisjoint(present):
        rx: re.Pattern | object | None = _NO_PLACE
    else:
        kept = tuple([k for k, need in _NEEDS_BY_PATTERN if not need.isdisjoint(present)])
        if _ALWAYS:  # a pattern without a known character (none today) is always kept
            kept = tuple(sorted(kept + _ALWAYS))
        rx = _location_regex(kept) if kept else None
    if len(_REGEX_BY_PRESENT) >= _REGEX_CACHE_MAX:
        _REGEX_BY_PRESENT.clear()
    _REGEX_BY_PRESENT[present] = rx
    return rx


def extract_location(text: str, chars: frozenset[str] | None = None) -> str | None:
    """The place the message names, or None. `chars`: frozenset(text), when the caller has it."""
    present = _KEY_CHARS.intersection(chars or text)
    rx = _REGEX_BY_PRESENT.get(present, _MISSING)
    if rx is _MISSING:
        rx = _regex_for(present)
    if rx is _NO_PLACE:
        return None
    parts: list[str] = []
    last_end = -1
    for m in rx.finditer(text) if rx is not None else ():  # type: ignore[union-attr]
        span = m.group().strip()
        if not span or span in _NOT_PLACES or span.isdigit():
            continue
        start, end = m.span()
        if parts and start <= last_end + 1:  # adjacent spans read as one place: 3号楼 + 2单元
            parts[-1] += span if start == last_end else text[last_end:start] + span
        else:
            parts.append(span)
        last_end = end
    if not parts:
        # a bare 路口 / 大门 still says where, when nothing more specific is there
        for generic in ("十字路口", "路口", "大门"):
            if generic in text:
                return generic
        return None
    if len(parts) == 1:
        return parts[0]
    return " ".join(dict.fromkeys(parts))

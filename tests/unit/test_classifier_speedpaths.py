"""The classifier's shortcuts give the same answers as the plain way (own examples only)."""

from __future__ import annotations

import re

import pytest

from bot.classifier import Classifier
from bot.classifier.location import _LOCATION, extract_location
from bot.classifier.prefilter import required_chars, required_literals
from bot.classifier.rules import PhraseMatcher

LINES = [
    "3号楼电梯又坏了 困了人!!",
    "南门路灯不亮好几天了，麻烦处理一下",
    "请问社区办公室几点上班？",
    "谢谢网格员，路灯已经修好了！",
    "【物业通知】明天上午停水，请提前储水",
    "大家注意别在楼道充电",
    "早上好",
    "物业太不负责了",
    "能否在幸福路与人民路交叉口增设红绿灯",
    "这个小区的垃圾什么时候清吗？",
    "[图片]",
    "我要投诉",
    "哈哈哈",
    "楼下烧烤店半夜还在营业，吵死了",
    "",
]


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load()


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("吗[?？。!！]*$", {"吗"}),
        ("太[^,.!?]{1,3}了", {"太"}),
        (r"^\s*[【\[]", {"【", "["}),
        ("(?:^(祝|恭祝).{0,20}快乐)|(?:欢迎.{0,10}入群)", {"祝", "恭", "欢"}),
        ("a?b", {"b"}),
        (r"\d+室", {"室"}),
        ("(ab)*c", {"c"}),
    ],
)
def test_required_chars(pattern: str, expected: set[str]) -> None:
    assert required_chars(pattern) == frozenset(expected)


@pytest.mark.parametrize("pattern", ["x|", "(?i)abc", ".*", r"\d+", "[^a]b?"])
def test_required_chars_unknown(pattern: str) -> None:
    assert required_chars(pattern) is None


def test_required_chars_is_a_necessary_condition() -> None:
    # every match contains one of the characters: check on our lines and the location regex
    needs = required_chars(_LOCATION)
    assert needs is not None
    for line in LINES + ["幸福路与人民路交叉口", "5栋1203室", "阳光小区北门", "地下车库"]:
        for m in _LOCATION.finditer(line):
            if m.group(0):
                assert not needs.isdisjoint(m.group(0)), m.group(0)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("电梯.{0,10}(卡|停).{0,16}(里面有人|出不来)", {"里面有人", "出不来"}),  # longest shortest string
        ("(小孩|孩子)(被)?(关|困)(在)?电梯(里|内)|电梯(困|关)咗人", {"电梯"}),  # every branch says 电梯
        ("(煤气|燃气).{0,3}味", {"煤气", "燃气"}),
        ("(刚|刚刚)被骗", {"被骗"}),
        ("a?bc", {"bc"}),
    ],
)
def test_required_literals(pattern: str, expected: set[str]) -> None:
    assert required_literals(pattern) == frozenset(expected)


@pytest.mark.parametrize("pattern", ["x|.*", "(?i)abc", ".*", r"\d+", "(ab)?c?"])
def test_required_literals_unknown(pattern: str) -> None:
    assert required_literals(pattern) is None


def test_red_patterns_are_searched_only_with_their_literal(clf: Classifier) -> None:
    """Every match of every red pattern, on every message of the group-chat sets, contains one of the
    pattern's required literals: the automaton that picks the candidates never hides a match."""
    import json
    from pathlib import Path

    from bot.classifier.normalize import normalize

    folder = Path(__file__).resolve().parents[2] / "bench" / "group_chat"
    texts = [normalize(json.loads(line)["text"]) for f in sorted(folder.glob("*.jsonl")) for line in open(f)]
    for p in clf.taxonomy.rules.red_patterns:
        rx, literals = re.compile(p.pattern), required_literals(p.pattern)
        for t in texts:
            m = rx.search(t)
            if m and literals is not None:
                assert any(lit in m.group(0) for lit in literals), (p.pattern, t)


def test_location_shortcut_on_text_without_place_characters() -> None:
    assert extract_location("哈哈今天天气不错") is None
    assert extract_location("3号楼2单元") == "3号楼2单元"


def test_phrase_bank_agrees_with_each_matcher(clf: Classifier) -> None:
    rules = clf.rules
    bank = rules.phrases
    single = {
        "problem": rules.problem,
        "weak_problem": rules.weak_problem,
        "question": rules.question,
        "suggestion": rules.suggestion,
        "complaint_question": rules.complaint_question,
        **{f"nr:{n}": m for n, m in rules.non_report},
    }
    for line in LINES:
        text = line.lower()
        hits = bank.scan(text)
        for name, m in single.items():
            assert bank.findall(hits, name, text) == m.findall(text), (name, line)
            assert bank.search(hits, name, text) == m.search(text), (name, line)


def test_analyse_and_classify_agree(clf: Classifier) -> None:
    for line in LINES:
        for role in (None, "grid_worker"):
            assert clf.analyse(line, role=role).result == clf.classify(line, role=role)


def test_make_sets_every_field_of_classification() -> None:
    from dataclasses import fields

    from bot.classifier.engine import Classification, _make

    names = [f.name for f in fields(Classification)]
    made = _make(*names)
    assert made == Classification(*names)
    assert made.__dict__ == Classification(*names).__dict__


def test_phrase_matcher_regex_part_still_used() -> None:
    m = PhraseMatcher(("^关于.{0,5}问题$", "漏水"))
    assert m.search("关于电梯问题") == "关于电梯问题"
    assert m.findall("楼上漏水") == ["漏水"]


def test_start_or_required() -> None:
    import re

    from bot.classifier.prefilter import start_or_required

    rx = re.compile("(?:^(早上好|收到)[!]*$)|(?:欢迎.{0,10}入群)|(?:^\\s*[【\\[])")
    assert start_or_required(rx) == (frozenset("早收"), frozenset("欢【["))
    assert start_or_required(re.compile("^.*x|y")) == (frozenset(), frozenset("xy"))
    assert start_or_required(re.compile("(?m)^a")) is None
    assert start_or_required(re.compile(".*")) is None


def test_chit_chat_is_not_segmented_but_gets_the_same_answer(clf: Classifier) -> None:
    for line in ["哈哈今天天气不错", "晚上一起吃饭吗", "没有没有，不客气"]:
        assert not clf.rules.may_match(line)
        assert clf.classify(line) == clf.analyse(line).result
    assert clf.rules.may_match("3号楼电梯坏了")
    assert clf.rules.may_match("好几天了")  # a yellow trigger alone still counts


def test_location_shortcut_characters_fuzzed() -> None:
    import random

    from bot.classifier.location import _NEEDS

    alphabet = list(
        "0123456789一二三号楼院栋幢座单元门层室大道街路巷弄胡同与和口交叉段小区花园公园广场菜市场超商学校中幼儿医卫生车站地铁公交停社新村家寓厦东南西北正后侧边库下梯间天台顶垃圾阳光幸福人民我了的在,。 "
    )
    rnd = random.Random(3)
    for _ in range(20000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 14)))
        for m in _LOCATION.finditer(text):
            if m.group(0).strip():
                assert not _NEEDS.isdisjoint(m.group(0)), m.group(0)
    assert not _NEEDS.isdisjoint("路口") and not _NEEDS.isdisjoint("大门")  # the bare fallbacks


def _jieba_reference(clf: Classifier):
    """A plain jieba.Tokenizer with the classifier's words, as segment.build_tokenizer makes it."""
    import jieba

    from bot.classifier.segment import MIN_WORD_FREQ, _quiet_jieba

    tk = jieba.Tokenizer()
    with _quiet_jieba():
        tk.initialize()
    words = sorted({w for w in clf.rules.vocabulary() if w and not w.isspace()}, key=lambda w: (len(w), w))
    for w in words:
        freq = tk.suggest_freq(w, tune=False)
        if len(w) > 1:
            freq = max(freq, MIN_WORD_FREQ)
        tk.add_word(w, freq=freq)
    return tk


def test_compiled_segmenter_equals_jieba(clf: Classifier) -> None:
    """jieba-rs (CompiledSegmenter) and the pure-Python Segmenter cut exactly as jieba does, on our
    lines, exact ties (楼道堆满杂物: 楼道堆满/杂物 and 楼道/堆满杂物 score the same; jieba takes the
    longer first word), ASCII runs, CJK extension characters, other whitespace, and random mixes."""
    import random

    from bot.classifier.segment import CompiledSegmenter, Lexicon, Segmenter

    tk = _jieba_reference(clf)
    lex = Lexicon.from_tokenizer(tk)
    compiled = CompiledSegmenter(lex)
    python = Segmenter.from_lexicon(lex)
    pool = "楼道堆满杂物电梯又坏了路灯不亮没有人打架不是漏水南门口3号楼ab12.%-+#&_ ，。!?\t\n㐀鿖𠀀豈"
    rnd = random.Random(7)
    texts = [*LINES, "北门口楼道堆满杂物,谁来管管", "wifi密码abc123 3.5%x", "a㐀b 鿖c\t\r\nd𠀀e"]
    texts += ["".join(rnd.choice(pool) for _ in range(rnd.randint(1, 30))) for _ in range(2000)]
    for t in texts:
        want = tk.lcut(t, HMM=False)
        assert compiled.lcut(t) == want, t
        assert python.lcut(t) == want, t
    assert tk.lcut("北门口楼道堆满杂物", HMM=False)[-2:] == ["楼道堆满", "杂物"]


def test_location_patterns_dropped_only_when_they_cannot_match() -> None:
    """Each location pattern's match holds one of the characters read off its end, and the regex
    built from the patterns a text can match finds what the full one finds."""
    import random

    from bot.classifier import location as loc
    from bot.classifier.prefilter import required_chars_last

    assert required_chars_last("幸福(?:路|街)口?") == {"路", "街"}
    pool = "3号楼栋幢座单元室12幸福路与人民街巷弄胡同交叉口阳光小区花园广场菜市场学校医院车站村东南北门边车库楼道天台不是的了 "
    rnd = random.Random(11)
    texts = ["".join(rnd.choice(pool) for _ in range(rnd.randint(1, 20))) for _ in range(3000)]
    for pattern, need in zip(loc._PATTERNS, loc._PATTERN_NEEDS, strict=True):
        assert need
        rx = re.compile(pattern)
        for t in texts:
            for m in rx.finditer(t):
                assert not need.isdisjoint(m.group(0)), (pattern, m.group(0))
    for t in [*texts, *LINES]:
        assert [m.span() for m in _LOCATION.finditer(t)] == [
            m.span() for m in (loc._location_regex(_kept(loc, t)).finditer(t) if _kept(loc, t) else ())
        ]


def _kept(loc, text: str) -> tuple[int, ...]:
    chars = frozenset(text)
    return tuple(k for k, need in enumerate(loc._PATTERN_NEEDS) if need is None or not need.isdisjoint(chars))


def test_traditional_prefilter_finds_every_traditional_character() -> None:
    from bot.classifier import normalize as norm

    rx = norm._maybe_traditional()
    assert all(rx.search(c) for c in norm._traditional_chars())
    assert norm.to_simplified("車停在人行道上") == "车停在人行道上"
    assert rx.search("3号楼电梯又坏了,困了人!") is None


def test_traditional_by_character_equals_opencc() -> None:
    import random

    from bot.classifier import normalize as norm

    conv = norm._converter()
    fast = norm._by_character()
    assert fast is not None
    phrases = sorted(conv._dict_chain_data[0][0][2])
    alphabet = sorted(chr(k) for k in fast[1]) + list("你好,，。!？ 人行道车乾隆于是")
    rnd = random.Random(7)
    for _ in range(3000):
        parts = [rnd.choice(alphabet) for _ in range(rnd.randint(1, 12))]
        if rnd.random() < 0.2:  # a phrase, where OpenCC's own segmentation must decide
            parts.insert(rnd.randint(0, len(parts)), rnd.choice(phrases))
        text = "".join(parts)
        plain = norm._maybe_traditional().search(text) is None or norm._traditional_chars().isdisjoint(text)
        assert norm.to_simplified(text) == (text if plain else conv.convert(text)), text


def test_wide_punctuation_is_replaced_by_its_whole_decomposition() -> None:
    import unicodedata

    from bot.classifier import normalize as norm

    for wide, narrow in norm._WIDE_PUNCT:
        assert unicodedata.normalize("NFKD", wide) == narrow and narrow.isascii() and len(narrow) == 1
    for text in [*LINES, "Ｈｅｌｌｏ，３号楼！", "ｅ\u0301，", "，\u0301？x"]:
        replaced = text
        for wide, narrow in norm._WIDE_PUNCT:
            replaced = replaced.replace(wide, narrow)
        assert unicodedata.normalize("NFKC", replaced) == unicodedata.normalize("NFKC", text)


def test_normalize_shortcuts_equal_every_step() -> None:
    """normalize()'s plain / full-width / clean shortcuts against all its steps run one after another."""
    import random
    import unicodedata

    from bot.classifier import normalize as norm

    def every_step(text: str) -> str:
        text = unicodedata.normalize("NFKC", text)
        text = norm._MENTION.sub(" ", norm._URL.sub(" ", text))
        text = norm.to_simplified(norm._EMOJI.sub(" ", text))
        text = norm._REPEAT_PUNCT.sub("", text)
        return " ".join(text.split()).lower()

    alphabet = list(
        "楼道灯坏車門乾隆3号ab，,。.!！？?：:;（）【】“”…/@ABＡ😡👍\u3000 \u200b\u0301~-—#w.http"
    ) + [
        "www.",
        "http://",
    ]
    rnd = random.Random(11)
    for line in LINES:
        assert norm.normalize(line) == every_step(line), line
    for _ in range(5000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
        assert norm.normalize(text) == every_step(text), text


def test_block_regexes_are_jiebas() -> None:
    import jieba

    from bot.classifier import segment

    for ours, theirs in ((segment._RE_HAN, jieba.re_han_default), (segment._RE_SKIP, jieba.re_skip_default)):
        assert (ours.pattern, ours.flags) == (theirs.pattern, theirs.flags)


def test_traditional_fast_path_falls_back_to_opencc_when_its_layout_differs(monkeypatch) -> None:
    """The fast path reads private attributes of opencc-python-reimplemented; a release without them
    must still convert (through OpenCC), not fail."""
    from bot.classifier import normalize as norm

    real = norm._converter()

    class OtherLayout:
        def convert(self, text: str) -> str:
            return real.convert(text)

    norm._by_character.cache_clear()
    monkeypatch.setattr(norm, "_converter", OtherLayout)
    try:
        assert norm._by_character() is None
        for text in ("樓道燈壞了", "電梯又壞了，沒人修"):
            assert norm.to_simplified(text) == real.convert(text)
    finally:
        norm._by_character.cache_clear()

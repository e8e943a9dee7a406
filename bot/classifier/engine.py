"""The classifier: normalise → jieba tokens (one pass) → rule evidence → report / category / urgency / place.

`confidence` is the estimated probability that the message is a problem report; `is_report` is
`confidence >= REPORT_THRESHOLD`. The bot's bands (settings.open_threshold / ask_threshold) read the
same number: open a case, ask "要上报吗?", or stay silent. `category`, `subcategory` and `urgency` are
filled whenever a rule matched and no non-report filter fired, also below the threshold, so a case
opened after the resident answers 上报 still has them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.classifier import normalize as norm
from bot.classifier.location import extract_location
from bot.classifier.rules import Evidence, Ruleset
from bot.classifier.segment import build_tokenizer
from bot.classifier.taxonomy import URGENCY_NAMES, Taxonomy

REPORT_THRESHOLD = 0.5
# rules.report_intent (我要投诉, 求助): a report with its subject missing; at the report cut, below the
# bot's open band, so the bot asks what and where instead of opening an empty case
INTENT_CONFIDENCE = 0.5
INTENT_MAX_LEN = 16
PETITION = frozenset(("是否", "能否", "可否", "何时", "什么时候", "多久"))

# weights of the report score (a logit); chosen on ../shared/data/public and our own examples
W_BIAS = -2.6
W_KEYWORD = 3.3
W_KEYWORD_MORE = 0.5
W_TOPIC = 2.2  # a subject named on its own (楼下垃圾桶, 二次供水改造) is how residents title a report
W_WEAK_TOPIC = 1.3  # rules.weak_topics: subjects chit-chat names too (老师, 医院, 狗)
W_WEAK_PROBLEM = 0.7  # 电梯的情况: with a topic it reaches the ask band, not the open band
W_TOPIC_MORE = 0.3
W_PAIR = 3.0
W_PROBLEM = 2.7
W_PROBLEM_ALONE = 2.3
# rules.strong_problem_patterns (拖欠工资, 占用, 不作为) name a grievance chit-chat rarely voices: about
# nothing the rules know they still make a report (category other, for triage)
W_PROBLEM_STRONG = 2.9
W_PROBLEM_MORE = 0.6
W_RED = 6.0
ALARM_NUMBERS = ("110",)  # rules.alarm_patterns on a report whose sub-category names no number
W_DRILL = -3.5  # a red subject in a drill or a talk (火灾演练): rules.drill_patterns
W_QUESTION = -2.4
W_SUGGESTION = -2.2
W_SUGGESTION_SUBJECT = -0.5
# rules.policy_patterns: an opinion on a policy or a whole sector (教育体制改革, 规范出租车市场), no
# grievance wording a petition would use: residents' boards call these opinions, not reports
W_POLICY = -2.0
W_QMARK = -0.8
W_COMPLAINT_QUESTION = 0.8
# 是否 / 能否 / 何时 / …吗? about a named subject is how residents petition (何时修好?), not an
# information request: a smaller penalty than 请问 / 咨询 / 怎么办理
W_PETITION = -0.8
W_PLACE = 0.8  # a subject the rules know, at a named place (3号楼电梯, 文一路路灯)
# a subject (not a weak topic) named in plain register — no 我/你, 呢/啊/吧, 哈哈 (rules.chat_patterns),
# no question, 4+ characters: 楼下垃圾桶, 河边垃圾 is how residents and boards title a report
W_PLAIN_SUBJECT = 0.5
W_FILTER = -6.0
W_ROLE = -3.0
W_NOTHING_SHORT = -1.0

FILTER_NAMES = {
    "non_text": "不是文字（图片、表情、链接）",
    "greeting": "问候、应答或祝福",
    "resolved": "说的是已经解决或致谢",
    "notice": "通知公告",
    "broadcast": "提醒大家注意的宣传",
    "vague": "只说要咨询或提建议，没说是什么",
    "consult": "咨询、求推荐或互助信息",
    "joke": "玩笑或调侃",
}
ROLE_NAMES = {
    "grid_worker": "网格员",
    "grid_leader": "网格长",
    "secretary": "社区书记",
    "dept_liaison": "部门联络员",
    "admin": "管理员",
    "resident": "居民",
}


@dataclass(frozen=True)
class Classification:
    is_report: bool
    category: str | None
    subcategory: str | None
    urgency: str | None
    confidence: float
    keywords: tuple[str, ...] = ()
    location: str | None = None
    emergency: tuple[str, ...] = ()
    # why it is not a report, when a filter decided (e.g. "notice"); "intent" for a bare intent to
    # report (我要投诉): a report whose subject is still missing, the bot asks what and where
    reason: str | None = None

    def as_dict(self) -> dict:
        d = asdict(self)
        d["keywords"] = list(self.keywords)
        d["emergency"] = list(self.emergency)
        return d


def _only_negated(text: str, word: str, spans: list[tuple[int, int]]) -> bool:
    """True when every occurrence of `word` in `text` lies inside one of the negated spans."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if not any(s <= at and end <= e for s, e in spans):
            return False
        at = text.find(word, at + 1)
    return True


def _negated_after(tokens: list[str] | None, negations: frozenset[str], at: int) -> bool:
    """True when a negation follows character offset `at` (电梯没有坏, 垃圾桶没满: a state that is
    fine); one before the subject is an absence (没有公园), a complaint."""
    pos = 0
    for t in tokens or ():
        if pos > at and t in negations:
            return True
        pos += len(t)
    return False


def _make(is_report, category, subcategory, urgency, confidence, keywords, location, emergency, reason):
    """Classification(...) without the frozen dataclass's per-field object.__setattr__: the fields
    stored straight into the instance dict (~0.5 µs; dict.update(zip(...)) took ~1.3 µs, __init__
    ~1.6 µs). Same parameters, in the same order, as the dataclass's fields (a unit test checks)."""
    obj = object.__new__(Classification)
    d = obj.__dict__
    d["is_report"] = is_report
    d["category"] = category
    d["subcategory"] = subcategory
    d["urgency"] = urgency
    d["confidence"] = confidence
    d["keywords"] = keywords
    d["location"] = location
    d["emergency"] = emergency
    d["reason"] = reason
    return obj


@dataclass
class Analysis:
    """Everything classify() looked at; explain() turns it into sentences."""

    text: str
    normalized: str
    tokens: list[str]
    evidence: Evidence
    result: Classification
    problem: list[str] = field(default_factory=list)
    question: str | None = None
    suggestion: str | None = None
    policy: str | None = None
    drill: bool = False
    complaint_question: str | None = None
    filter: tuple[str, str] | None = None
    role_notice: bool = False
    excluded: list[tuple[str, str]] = field(default_factory=list)


class Classifier:
    def __init__(self, taxonomy: Taxonomy, *, use_cache: bool = True):
        self.taxonomy = taxonomy
        self.rules = Ruleset(taxonomy)
        self.tokenizer = build_tokenizer(self.rules.vocabulary(), use_cache=use_cache)
        self._lcut = self.tokenizer.lcut
        norm.warm()

    @classmethod
    def load(cls, path: str | Path | None = None) -> Classifier:
        """The packaged config/categories.yaml (package bot.defaults), or the file at `path`."""
        return cls(Taxonomy.load(path))

    # ---- the contract -----------------------------------------------------------------------------
    def classify(self, text: str, *, role: str | None = None) -> Classification:
        return self._run(text, role, None)

    def non_report_reason(self, text: str) -> str | None:
        """Chinese reason when a non-report filter matches the message, else None."""
        hit = self.rules.non_report_reason(norm.normalize(text))
        return FILTER_NAMES.get(hit[0]) if hit else None

    def tokens(self, text: str) -> list[str]:
        """The jieba tokens the rules see (normalised text, HMM off)."""
        return self._lcut(norm.normalize(text), HMM=False)

    # ---- the work ---------------------------------------------------------------------------------
    def analyse(self, text: str, *, role: str | None = None) -> Analysis:
        """classify() with everything it looked at kept (for explain())."""
        an = Analysis(text, "", [], None, None)  # type: ignore[arg-type]
        self._run(text, role, an)
        return an

    def _run(self, text: str, role: str | None, an: Analysis | None) -> Classification:
        """The one implementation of classify(); fills `an` when explain() asks for the details."""
        rules = self.rules
        normalized = norm.normalize(text)
        if not norm.has_content(normalized):
            result = _make(False, None, None, None, 0.0, (), None, (), "non_text")
            if an is not None:
                an.normalized, an.evidence, an.result = normalized, Evidence(), result
                an.filter = ("non_text", text.strip())
            return result
        if (
            rules.intent is not None
            and len(normalized) <= INTENT_MAX_LEN
            and role not in rules.notice_roles
            and rules.intent.match(normalized)
        ):
            result = _make(True, "other", None, "green", INTENT_CONFIDENCE, (), None, (), "intent")
            if an is not None:
                an.normalized, an.evidence, an.result = normalized, Evidence(), result
            return result
        phrases = rules.phrases
        hits = phrases.scan(normalized)
        chars = frozenset(normalized)  # for the regexes' character tests
        problem = phrases.findall(hits, "problem", normalized, chars)
        red_hits = rules.red_pattern_hits(normalized, chars)
        if an is None and not problem and not red_hits and not rules.may_match(normalized):
            tokens, ev = None, Evidence()  # no rule word in the text: its tokens cannot matter
        else:
            tokens = self._lcut(normalized)
            ev = rules.match(tokens)
            if red_hits:
                rules.add_red_patterns(ev, red_hits, normalized)
            if problem and ev.negated_spans:
                # complaint wording inside a negated word does not count either: 不是漏水
                problem = [w for w in problem if not _only_negated(normalized, w, ev.negated_spans)]
        scores = ev.scores
        excluded = None
        if scores and rules.exclusions:
            excluded = rules.apply_exclusions(ev, normalized)

        # 火灾演练 (rules.drill_patterns), 转发：…防溺水, 万一着火 (rules.not_red_patterns): the emergency
        # words name no emergency here; a drill about a red subject costs report confidence too (a fault
        # found in the drill keeps its own evidence)
        had_red = bool(ev.red_global or ev.red_subs)
        sub = self._choose(ev)
        drill = calm = False
        if had_red or ev.red_if or (sub is not None and rules.subs[sub].urgency == "red"):
            # asked only when something red is named (most messages name nothing red)
            drill = rules.drill.search(normalized) is not None
            calm = drill or rules.not_red.search(normalized) is not None
            if calm:
                ev.red_global.clear()
                ev.red_subs.clear()
                ev.red_if.clear()
                sub = self._choose(ev)
            if drill and not had_red and (sub is None or rules.subs[sub].urgency != "red"):
                drill = False  # 演练 near nothing urgent: no penalty
        # a sub-category's own red trigger counts once that sub-category is chosen
        red = bool(ev.red_global or ev.red_subs or (sub is not None and sub in ev.red_if))
        score = W_BIAS + (W_DRILL if drill else 0.0)
        if ev.n_keywords or ev.red_subs:
            score += W_KEYWORD + W_KEYWORD_MORE * min(ev.n_keywords - 1, 2)
        elif ev.n_topics:
            score += W_TOPIC + W_TOPIC_MORE * min(ev.n_topics - 1 + ev.n_weak_topics, 2)
        elif ev.n_weak_topics:
            score += W_WEAK_TOPIC + W_TOPIC_MORE * min(ev.n_weak_topics - 1, 2)
        if ev.pairs:
            score += W_PAIR
        vague = False  # only vague wording (电梯的情况, 停车问题): stays in the ask band
        if problem:
            # complaint wording about nothing the rules know is weaker evidence (chit-chat says 怎么办 too)
            if scores:
                base = W_PROBLEM
            elif phrases.search(hits, "strong_problem", normalized, chars) is not None:
                base = W_PROBLEM_STRONG
            else:
                base = W_PROBLEM_ALONE
            score += base + W_PROBLEM_MORE * min(len(problem) - 1, 2)
        else:
            m = phrases.search(hits, "weak_problem", normalized, chars)
            if m:
                problem = [m]
                score += W_WEAK_PROBLEM
                vague = True
        if red:
            score += W_RED
        question = None
        complaint_question = phrases.search(hits, "complaint_question", normalized, chars)
        if complaint_question and scores:
            # 为何/凭什么 about a subject the rules know is a grievance: 凭什么路灯坏了没人修
            score += W_COMPLAINT_QUESTION
        if not complaint_question:
            found = phrases.findall(hits, "question", normalized, chars)
            if normalized.endswith(rules.info_endings):  # 通车时间, 是否有招生计划
                found.append(next(w for w in rules.info_endings if normalized.endswith(w)))
            if found:
                question = found[0]
                info = [w for w in found if w not in PETITION and not w.startswith("吗")]
                score += W_QUESTION if info or not scores else W_PETITION
            elif normalized.endswith("?"):
                question = "?"
                score += W_QMARK
        suggestion = phrases.search(hits, "suggestion", normalized, chars)
        if suggestion:
            # a suggestion about a subject the rules know (建议在菜场门口装路灯) is a petition, kept as a report
            score += W_SUGGESTION_SUBJECT if scores else W_SUGGESTION
        # searched first: most messages name no policy, and then strong wording need not be looked for
        policy = phrases.search(hits, "policy", normalized, chars)
        if policy and phrases.search(hits, "strong_problem", normalized, chars) is not None:
            policy = None
        if policy:
            score += W_POLICY
        if (
            ev.n_topics
            and not vague
            and question is None
            and len(normalized) >= 4
            and not rules.chat_register(normalized, chars)
            and not _negated_after(tokens, rules.negations, min(ev.first.values(), default=0))
        ):
            score += W_PLAIN_SUBJECT
        filt = None
        role_notice = False
        if not red:
            filt = rules.non_report_reason(normalized, hits, chars)
            if filt:
                score += W_FILTER
            if role in rules.notice_roles:
                role_notice = True
                score += W_ROLE
        if not scores and not problem and len(normalized) <= 4:
            score += W_NOTHING_SHORT
        place = extract_location(normalized, chars) if scores else None
        if place:
            score += W_PLACE
        confidence = 1.0 / (1.0 + math.exp(-score))

        category = subcategory = urgency = None
        keywords: tuple[str, ...] = ()
        emergency: tuple[str, ...] = ()
        if filt is None and (sub is not None or confidence >= REPORT_THRESHOLD):
            if sub is not None:
                s = rules.subs[sub]
                category, subcategory = s.category, s.code
                keywords = tuple(ev.words.get(sub, ()))
                if s.report is False:  # e.g. welfare.consult: answer, do not open a case
                    confidence = min(confidence, 0.3)
            else:
                category = "other"
            urgency, emergency = self._urgency(ev, sub, calm)
            if urgency != "red" and confidence >= REPORT_THRESHOLD and rules.alarm is not None:
                # a report that also calls for help now (快来人, 谁去拦一下) is an emergency, unless it is
                # a drill, a joke or a supposition like any other red wording
                alarm = rules.alarm.search(normalized)
                if alarm and not calm and rules.drill.search(normalized) is None \
                        and rules.not_red.search(normalized) is None:
                    urgency = "red"
                    numbers = rules.subs[sub].emergency if sub is not None else ()
                    emergency = tuple(numbers) or ALARM_NUMBERS
                    ev.red_global.append((alarm, emergency))
            if ev.red_global:
                extra = [w for w, _ in ev.red_global if w not in keywords]
                keywords = keywords + tuple(dict.fromkeys(extra))
        elif filt is None:
            keywords = tuple(dict.fromkeys(w for words in ev.words.values() for w in words))
        confidence = round(confidence, 3)
        if category is None:
            location = None
        elif scores:
            location = place
        else:
            location = extract_location(normalized, chars)
        result = _make(
            confidence >= REPORT_THRESHOLD,
            category,
            subcategory,
            urgency,
            confidence,
            keywords,
            location,
            emergency,
            filt[0] if filt else ("role_notice" if role_notice else None),
        )
        if an is not None:
            an.normalized, an.tokens, an.evidence, an.result = normalized, tokens, ev, result
            an.problem = problem
            an.question, an.suggestion, an.complaint_question = question, suggestion, complaint_question
            an.policy = policy
            an.drill = drill
            an.filter, an.role_notice = filt, role_notice
            an.excluded = [(rules.subs[i].key, w) for i, w in excluded] if excluded else []
        return result

    def _choose(self, ev: Evidence) -> int | None:
        if not ev.scores:
            return None
        if len(ev.scores) == 1:
            for only in ev.scores:
                return only
        pool = ev.red_subs & ev.scores.keys() or ev.scores.keys()
        subs = self.rules.subs
        venues = self.rules.venues
        if venues:
            # a place named only as where it happens (公园里油漆味, 医院收费) yields to the other subject
            named = [i for i in pool if not venues.issuperset(ev.words.get(i, ()))]
            if named and len(named) < len(pool):
                pool = named
        # the category with the most evidence (its sub-categories summed) wins; ties go to the one
        # mentioned first (titles name their subject first), then to a keyword-backed one
        by_cat: dict[str, float] = {}
        for i in pool:
            by_cat[subs[i].category] = by_cat.get(subs[i].category, 0.0) + ev.scores[i]
        first = ev.first
        best = max(
            pool,
            key=lambda i: (by_cat[subs[i].category], ev.scores[i], i in ev.strong, -first.get(i, 0), -i),
        )
        return best

    def _urgency(self, ev: Evidence, sub: int | None, calm: bool = False) -> tuple[str, tuple[str, ...]]:
        s = self.rules.subs[sub] if sub is not None else None
        numbers: list[str] = []
        for _, nums in ev.red_global:
            numbers.extend(nums)
        red = bool(ev.red_global) or (sub is not None and (sub in ev.red_subs or sub in ev.red_if))
        if red or (s is not None and s.urgency == "red" and sub in ev.strong and not calm):
            if s is not None:
                numbers = list(s.emergency) + numbers
            return "red", tuple(dict.fromkeys(numbers))
        base = s.urgency if s is not None else "green"
        if base == "red":  # a red sub-category named by a subject only (堵门, 喷水): urgent, not an emergency
            return "yellow", ()
        if base == "green" and ev.yellow:
            return "yellow", ()
        return base, ()

    # ---- explanation ------------------------------------------------------------------------------
    def explain(self, text: str, *, role: str | None = None) -> str:
        """A few Chinese sentences for a person: what was decided and why."""
        an = self.analyse(text, role=role)
        c = an.result
        tx = self.taxonomy
        lines = []
        verdict = "是问题上报" if c.is_report else "不是问题上报"
        lines.append(f"判断：{verdict}（把握 {c.confidence:.0%}）。")
        if an.filter:
            name, matched = an.filter
            lines.append(f"原因：{FILTER_NAMES.get(name, name)}（“{matched.strip()}”）。")
        if an.role_notice:
            lines.append(f"发言人是{ROLE_NAMES.get(role or '', role)}，这类消息多是通知，降低了把握。")
        if c.reason == "intent":
            lines.append("原因：只说了要投诉或求助，还没说是什么问题；先请对方说明问题和地点，下一条消息即登记。")
        elif c.category:
            label = tx.category_name(c.category)
            if c.subcategory:
                label += f" / {tx.subcategory_name(c.category, c.subcategory)}"
            kw = "、".join(c.keywords) if c.keywords else "无具体关键词，按问题用语归入“其他”待人工分拣"
            lines.append(f"类别：{label}（依据：{kw}）。")
        elif c.keywords:
            lines.append(f"提到：{'、'.join(c.keywords)}。")
        if an.evidence.pairs:
            pairs = "、".join(f"{o}+{f}" for o, f in an.evidence.pairs)
            lines.append(f"设施与故障搭配：{pairs}。")
        if an.problem:
            lines.append(f"问题用语：{'、'.join(dict.fromkeys(an.problem))}。")
        if an.question:
            lines.append(f"像是在询问信息（“{an.question}”），降低了把握。")
        if an.suggestion:
            lines.append(f"像是建议（“{an.suggestion}”），降低了把握。")
        if an.drill:
            lines.append("说的是演练、讲座、视频、梦或玩笑一类，紧急用语不按紧急情况算，也降低了把握。")
        if an.policy:
            lines.append(f"谈的是政策或整个行业（“{an.policy}”），不是某处的具体问题，降低了把握。")
        if an.evidence.negated:
            lines.append(f"否定说法不算：{'、'.join(an.evidence.negated)}。")
        for key, word in an.excluded:
            cat, _, sub = key.partition(".")
            lines.append(f"因出现“{word}”，不按“{tx.subcategory_name(cat, sub)}”处理。")
        if c.urgency:
            urg = f"紧急程度：{URGENCY_NAMES[c.urgency]}"
            triggers = [w for w, _ in an.evidence.red_global]
            if c.urgency == "red" and triggers:
                urg += f"（因为“{'、'.join(dict.fromkeys(triggers))}”）"
            elif c.urgency == "yellow" and an.evidence.yellow:
                urg += f"（因为“{'、'.join(dict.fromkeys(an.evidence.yellow))}”）"
            lines.append(urg + "。")
            if c.emergency:
                nums = "、".join(f"{n}（{tx.emergency_label(n)}）" for n in c.emergency)
                lines.append(f"请先拨打：{nums}。")
        if c.location:
            lines.append(f"地点：{c.location}。")
        if not c.is_report and not an.filter and not c.category:
            lines.append("没有找到问题关键词或问题用语。")
        return "\n".join(lines)

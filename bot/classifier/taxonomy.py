"""Taxonomy: config/categories.yaml loaded, validated and queried.

Every check raises TaxonomyError with one message that names the file and the place in it
(category, sub-category, field), so a person editing the YAML knows what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

# config/categories.yaml of the source checkout this module runs from; None when installed (a wheel in
# site-packages has no pyproject.toml beside its packages)
_ROOT = Path(__file__).resolve().parents[2]
_CHECKOUT_CONFIG = _ROOT / "config" / "categories.yaml" if (_ROOT / "pyproject.toml").is_file() else None

TOP_LEVEL_CODES = (
    "environment",
    "facilities",
    "utilities",
    "safety",
    "security",
    "dispute",
    "property",
    "order",
    "traffic",
    "welfare",
    "health",
    "market",
    "ecology",
    "other",
)
URGENCIES = ("red", "yellow", "green")
URGENCY_NAMES = {"red": "红", "yellow": "黄", "green": "绿"}
TIERS = ("grid", "community", "street", "department")
TIER_NAMES = {"grid": "网格", "community": "社区", "street": "街道", "department": "部门"}
NON_REPORT_FILTERS = ("non_text", "greeting", "resolved", "notice", "broadcast", "vague", "consult", "joke")
BUILTIN_DEADLINES = {"red": ("30m", "24h"), "yellow": ("4h", "3wd"), "green": ("1wd", "5wd")}
_DURATION = re.compile(r"^[1-9]\d*(m|h|d|wd)$")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_CAPITAL = re.compile(r"(?<!\\)[A-Z]")


class TaxonomyError(ValueError):
    """categories.yaml is malformed; the message names the file and the place."""


@dataclass(frozen=True)
class Subcategory:
    category: str
    code: str
    name: str
    urgency: str
    tier: str
    department: str | None
    deadlines: dict[str, tuple[str, str]]
    keywords: tuple[str, ...]
    topics: tuple[str, ...] = ()
    red_triggers: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    emergency: tuple[str, ...] = ()
    report: bool = True
    profile: str | None = None
    research: str | None = None
    std: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.category}.{self.code}"


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    subcategories: dict[str, Subcategory]


@dataclass(frozen=True)
class RedPattern:
    """A red emergency told in words no single trigger covers (电梯 … 里面有人): a regex on the
    normalised message, the numbers the reply names, and the sub-category it makes the case."""

    pattern: str
    numbers: tuple[str, ...]
    category: str
    subcategory: str


@dataclass(frozen=True)
class Rules:
    red_triggers: dict[str, tuple[str, ...]]
    yellow_triggers: tuple[str, ...]
    negations: tuple[str, ...]
    negation_window: int
    fault_window: int
    faults: tuple[str, ...]
    absence: tuple[str, ...]
    objects: dict[str, tuple[str, str]]
    problem_patterns: tuple[str, ...]
    weak_problem_patterns: tuple[str, ...]
    question_patterns: tuple[str, ...]
    suggestion_patterns: tuple[str, ...]
    complaint_question_patterns: tuple[str, ...]
    non_report: dict[str, tuple[str, ...]]
    notice_roles: tuple[str, ...]
    # topics so common in chit-chat (老师, 医院, 狗) that they count only as weak evidence
    weak_topics: tuple[str, ...] = ()
    # complaint wording specific enough to be a report on its own (拖欠, 占用, 不作为)
    strong_problem_patterns: tuple[str, ...] = ()
    # chit-chat register (我/你, 呢/啊/吧, 哈哈): a subject named without it reads as a report title
    chat_patterns: tuple[str, ...] = ()
    # a title ending on one of these (时间, 计划, 政策) asks for information
    info_title_endings: tuple[str, ...] = ()
    # places named as where something is wrong (公园, 医院, 车站): yield to any other subject named
    venues: tuple[str, ...] = ()
    # opinion about a policy or a whole sector (教育体制改革, 规范出租车市场): not a problem at a place
    policy_patterns: tuple[str, ...] = ()
    # a bare intent to report with nothing said yet (我要投诉, 求助): whole-message regexes
    report_intent: tuple[str, ...] = ()
    red_patterns: tuple[RedPattern, ...] = ()
    # a red trigger in one of these contexts (火灾演练) is not an emergency
    not_red_patterns: tuple[str, ...] = ()
    # a drill or a talk (火灾演练): red withdrawn and report confidence lowered
    drill_patterns: tuple[str, ...] = ()
    # a call for help now (快来人, 谁去拦一下, 保安快下来): a report that also says one is red
    alarm_patterns: tuple[str, ...] = ()


class _Checker:
    """Walks the parsed YAML; every failure is one TaxonomyError naming file and path."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, what: str) -> None:
        raise TaxonomyError(f"{self.source}: {where}: {what}")

    def mapping(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, got {type(value).__name__}")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"expected a non-empty string, got {value!r}")
        return value.strip()

    def words(self, value: Any, where: str, *, required: bool = False, lower: bool = True) -> tuple[str, ...]:
        if value is None and not required:
            return ()
        if not isinstance(value, list) or (required and not value):
            self.fail(where, "expected a non-empty list of words" if required else "expected a list of words")
        out = []
        for i, w in enumerate(value):
            if isinstance(w, int | float) and not isinstance(w, bool):
                w = str(w)
            if not isinstance(w, str) or not w.strip():
                self.fail(f"{where}[{i}]", f"expected a non-empty word, got {w!r}")
            if any(c.isspace() for c in w.strip()):
                self.fail(f"{where}[{i}]", f"a keyword may not contain spaces: {w!r}")
            out.append(w.strip().lower() if lower else w.strip())  # the text is lower-cased: KTV → ktv
        return tuple(dict.fromkeys(out))

    def duration(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not _DURATION.match(value):
            self.fail(where, f"expected a duration like 30m, 4h, 3d or 5wd, got {value!r}")
        return value

    def pair(self, value: Any, where: str) -> tuple[str, str]:
        if not isinstance(value, list) or len(value) != 2:
            self.fail(where, f"expected [accept, resolve], got {value!r}")
        return self.duration(value[0], f"{where}[0]"), self.duration(value[1], f"{where}[1]")

    def choice(self, value: Any, options: tuple[str, ...], where: str) -> str:
        if value not in options:
            self.fail(where, f"expected one of {'/'.join(options)}, got {value!r}")
        return value

    def patterns(self, value: Any, where: str) -> tuple[str, ...]:
        # not lower-cased like keywords: that would turn \S into \s; a capital letter outside an escape
        # could never match the lower-cased text, so it is refused instead
        pats = self.words(value, where, lower=False) if isinstance(value, list) else None
        if pats is None:
            self.fail(where, "expected a list of regular expressions")
        for i, p in enumerate(value):
            try:
                re.compile(p)
            except re.error as exc:
                self.fail(f"{where}[{i}]", f"bad regular expression {p!r}: {exc}")
            if _CAPITAL.search(p):
                self.fail(f"{where}[{i}]", f"write letters in lower case (the text is lower-cased): {p!r}")
        return tuple(value)

    def numbers(self, value: Any, contacts: dict[str, str], where: str) -> tuple[str, ...]:
        nums = self.words(value, where)
        for i, n in enumerate(nums):
            if n not in contacts:
                self.fail(f"{where}[{i}]", f"emergency number {n!r} is not listed in emergency_contacts")
        return nums


class Taxonomy:
    """The parsed categories.yaml. Query methods are the contract the rest of the bot uses."""

    def __init__(
        self,
        categories: dict[str, Category],
        rules: Rules,
        *,
        profiles: dict[str, tuple[str, str, str]],
        urgency_defaults: dict[str, tuple[str, str]],
        emergency_contacts: dict[str, str],
        source: str = "categories.yaml",
    ):
        self.categories = categories
        self.rules = rules
        self.profiles = profiles
        self.urgency_defaults = urgency_defaults
        self.emergency_contacts = emergency_contacts
        self.source = source

    # ---- loading -------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None) -> Taxonomy:
        if path is None and _CHECKOUT_CONFIG is not None and _CHECKOUT_CONFIG.is_file():
            # running from a source checkout: its own config/, not the one an editable install maps
            # bot.defaults to (a second git worktree on PYTHONPATH would otherwise read the first's)
            path = _CHECKOUT_CONFIG
        if path is None:
            source = "bot.defaults/categories.yaml"
            try:
                text = resources.files("bot.defaults").joinpath("categories.yaml").read_text("utf-8")
            except (FileNotFoundError, ModuleNotFoundError) as exc:
                raise TaxonomyError(f"{source}: cannot read the packaged taxonomy: {exc}") from exc
        else:
            source = str(path)
            try:
                text = Path(path).read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise TaxonomyError(f"{source}: cannot read: {exc}") from exc
        return cls.from_text(text, source)

    @classmethod
    def from_text(cls, text: str, source: str = "categories.yaml") -> Taxonomy:
        try:
            data = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
            problem = getattr(exc, "problem", None) or str(exc)
            raise TaxonomyError(f"{source}: {where}: invalid YAML: {problem}") from exc
        return cls.from_dict(data, source)

    @classmethod
    def from_dict(cls, data: Any, source: str = "categories.yaml") -> Taxonomy:
        ck = _Checker(source)
        data = ck.mapping(data, "top level")
        for key in ("categories", "rules", "emergency_contacts"):
            if key not in data:
                ck.fail(key, "missing (required top-level section)")

        defaults = dict(BUILTIN_DEADLINES)
        for urg, pair in ck.mapping(data.get("urgency_defaults") or {}, "urgency_defaults").items():
            ck.choice(urg, URGENCIES, f"urgency_defaults.{urg}")
            defaults[urg] = ck.pair(pair, f"urgency_defaults.{urg}")

        profiles: dict[str, tuple[str, str, str]] = {}
        for name, spec in ck.mapping(data.get("deadline_profiles") or {}, "deadline_profiles").items():
            where = f"deadline_profiles.{name}"
            spec = ck.mapping(spec, where)
            for part in ("accept", "resolve"):
                if part not in spec:
                    ck.fail(f"{where}.{part}", "missing")
            profiles[name] = (
                ck.duration(spec["accept"], f"{where}.accept"),
                ck.duration(spec["resolve"], f"{where}.resolve"),
                str(spec.get("label") or name),
            )

        contacts: dict[str, str] = {}
        for num, label in ck.mapping(data["emergency_contacts"], "emergency_contacts").items():
            contacts[str(num)] = ck.text(label, f"emergency_contacts.{num}")

        cats_raw = ck.mapping(data["categories"], "categories")
        for code in cats_raw:
            if code not in TOP_LEVEL_CODES:
                ck.fail(
                    f"categories.{code}",
                    f"unknown top-level code; the fixed codes are {', '.join(TOP_LEVEL_CODES)}",
                )
        categories: dict[str, Category] = {}
        for code in TOP_LEVEL_CODES:
            if code not in cats_raw:
                ck.fail(f"categories.{code}", "missing (all 14 fixed top-level codes are required)")
            categories[code] = cls._category(ck, code, cats_raw[code], defaults, profiles, contacts)

        rules = cls._rules(ck, ck.mapping(data["rules"], "rules"), categories, contacts)
        return cls(
            categories,
            rules,
            profiles=profiles,
            urgency_defaults=defaults,
            emergency_contacts=contacts,
            source=source,
        )

    @staticmethod
    def _category(ck, code, raw, defaults, profiles, contacts) -> Category:
        where = f"categories.{code}"
        raw = ck.mapping(raw, where)
        name = ck.text(raw.get("name"), f"{where}.name")
        subs_raw = ck.mapping(raw.get("subcategories"), f"{where}.subcategories")
        if not subs_raw:
            ck.fail(f"{where}.subcategories", "at least one sub-category is required")
        subs: dict[str, Subcategory] = {}
        for sub, s in subs_raw.items():
            sw = f"{where}.subcategories.{sub}"
            if not isinstance(sub, str) or not _SLUG.match(sub):
                ck.fail(sw, "a sub-category code is lower-case letters, digits and _")
            s = ck.mapping(s, sw)
            urgency = ck.choice(s.get("urgency"), URGENCIES, f"{sw}.urgency")
            tier = ck.choice(s.get("tier"), TIERS, f"{sw}.tier")
            deadlines = dict(defaults)
            profile = s.get("deadline")
            if profile is not None:
                if profile not in profiles:
                    ck.fail(f"{sw}.deadline", f"unknown deadline profile {profile!r}")
                deadlines[urgency] = profiles[profile][:2]
            for urg, pair in ck.mapping(s.get("deadlines") or {}, f"{sw}.deadlines").items():
                ck.choice(urg, URGENCIES, f"{sw}.deadlines.{urg}")
                deadlines[urg] = ck.pair(pair, f"{sw}.deadlines.{urg}")
            dept = s.get("department")
            if dept is not None:
                dept = ck.text(dept, f"{sw}.department")
            std = s.get("std") or {}
            ck.mapping(std, f"{sw}.std")
            keywords = ck.words(s.get("keywords"), f"{sw}.keywords")
            topics = ck.words(s.get("topics"), f"{sw}.topics")
            if not keywords and not topics:
                ck.fail(f"{sw}.keywords", "a sub-category needs keywords or topics")
            report = s.get("report", True)
            if not isinstance(report, bool):
                ck.fail(f"{sw}.report", f"expected true or false, got {report!r}")
            subs[sub] = Subcategory(
                category=code,
                code=sub,
                name=ck.text(s.get("name"), f"{sw}.name"),
                urgency=urgency,
                tier=tier,
                department=dept,
                deadlines=deadlines,
                keywords=keywords,
                topics=topics,
                red_triggers=ck.words(s.get("red_triggers"), f"{sw}.red_triggers"),
                exclusions=ck.words(s.get("exclusions"), f"{sw}.exclusions"),
                emergency=ck.numbers(s.get("emergency"), contacts, f"{sw}.emergency"),
                report=report,
                profile=profile,
                research=str(s["research"]) if s.get("research") else None,
                std={str(k): str(v) for k, v in std.items() if v},
            )
        return Category(code=code, name=name, subcategories=subs)

    @staticmethod
    def _rules(ck, raw, categories, contacts) -> Rules:
        red: dict[str, tuple[str, ...]] = {}
        for word, nums in ck.mapping(raw.get("red_triggers") or {}, "rules.red_triggers").items():
            red[ck.text(str(word), "rules.red_triggers")] = ck.numbers(
                nums, contacts, f"rules.red_triggers.{word}"
            )
        red_patterns = []
        rp_raw = raw.get("red_patterns") or []
        if not isinstance(rp_raw, list):
            ck.fail("rules.red_patterns", "expected a list of {pattern, sub, numbers}")
        for i, item in enumerate(rp_raw):
            where = f"rules.red_patterns[{i}]"
            item = ck.mapping(item, where)
            if not isinstance(item.get("pattern"), str) or not item["pattern"]:
                ck.fail(f"{where}.pattern", "expected a regular expression")
            (pattern,) = ck.patterns([item["pattern"]], f"{where}.pattern")
            cat, _, sub = str(item.get("sub") or "").partition(".")
            if cat not in categories or sub not in categories[cat].subcategories:
                ck.fail(f"{where}.sub", f"{item.get('sub')!r} is not a known category.sub-category")
            numbers = ck.numbers(item.get("numbers"), contacts, f"{where}.numbers")
            red_patterns.append(RedPattern(pattern, numbers, cat, sub))
        of = ck.mapping(raw.get("object_fault") or {}, "rules.object_fault")
        objects: dict[str, tuple[str, str]] = {}
        for obj, target in ck.mapping(of.get("objects") or {}, "rules.object_fault.objects").items():
            where = f"rules.object_fault.objects.{obj}"
            cat, _, sub = str(target).partition(".")
            if cat not in categories or sub not in categories[cat].subcategories:
                ck.fail(where, f"{target!r} is not a known category.sub-category")
            objects[str(obj)] = (cat, sub)
        window = of.get("window", 8)
        nwin = raw.get("negation_window", 2)
        for name, val in (("rules.object_fault.window", window), ("rules.negation_window", nwin)):
            if not isinstance(val, int) or isinstance(val, bool) or not 0 <= val <= 50:
                ck.fail(name, f"expected a whole number 0-50, got {val!r}")
        nr = ck.mapping(raw.get("non_report") or {}, "rules.non_report")
        for name in nr:
            if name not in NON_REPORT_FILTERS:
                ck.fail(f"rules.non_report.{name}", f"unknown filter; known: {', '.join(NON_REPORT_FILTERS)}")
        roles = ck.words(raw.get("notice_roles"), "rules.notice_roles")
        return Rules(
            red_triggers=red,
            yellow_triggers=ck.words(raw.get("yellow_triggers"), "rules.yellow_triggers"),
            negations=ck.words(raw.get("negations"), "rules.negations"),
            negation_window=nwin,
            fault_window=window,
            faults=ck.words(of.get("faults"), "rules.object_fault.faults"),
            absence=ck.words(of.get("absence"), "rules.object_fault.absence"),
            objects=objects,
            problem_patterns=ck.patterns(raw.get("problem_patterns") or [], "rules.problem_patterns"),
            weak_problem_patterns=ck.patterns(
                raw.get("weak_problem_patterns") or [], "rules.weak_problem_patterns"
            ),
            strong_problem_patterns=ck.patterns(
                raw.get("strong_problem_patterns") or [], "rules.strong_problem_patterns"
            ),
            question_patterns=ck.patterns(raw.get("question_patterns") or [], "rules.question_patterns"),
            suggestion_patterns=ck.patterns(
                raw.get("suggestion_patterns") or [], "rules.suggestion_patterns"
            ),
            complaint_question_patterns=ck.patterns(
                raw.get("complaint_question_patterns") or [], "rules.complaint_question_patterns"
            ),
            non_report={
                name: ck.patterns(nr[name], f"rules.non_report.{name}")
                for name in NON_REPORT_FILTERS
                if name in nr
            },
            notice_roles=roles,
            weak_topics=ck.words(raw.get("weak_topics"), "rules.weak_topics"),
            chat_patterns=ck.patterns(raw.get("chat_patterns") or [], "rules.chat_patterns"),
            info_title_endings=ck.words(raw.get("info_title_endings"), "rules.info_title_endings"),
            venues=ck.words(raw.get("venues"), "rules.venues"),
            policy_patterns=ck.patterns(raw.get("policy_patterns") or [], "rules.policy_patterns"),
            report_intent=ck.patterns(raw.get("report_intent") or [], "rules.report_intent"),
            red_patterns=tuple(red_patterns),
            not_red_patterns=ck.patterns(raw.get("not_red_patterns") or [], "rules.not_red_patterns"),
            drill_patterns=ck.patterns(raw.get("drill_patterns") or [], "rules.drill_patterns"),
            alarm_patterns=ck.patterns(raw.get("alarm_patterns") or [], "rules.alarm_patterns"),
        )

    # ---- queries (the contract) -----------------------------------------------------------------
    def subcategory(self, code: str | None, sub: str | None) -> Subcategory | None:
        cat = self.categories.get(code or "")
        return cat.subcategories.get(sub or "") if cat else None

    def iter_subcategories(self) -> Iterator[Subcategory]:
        for cat in self.categories.values():
            yield from cat.subcategories.values()

    def category_name(self, code: str | None) -> str:
        cat = self.categories.get(code or "other") or self.categories["other"]
        return cat.name

    def subcategory_name(self, code: str | None, sub: str | None) -> str:
        s = self.subcategory(code, sub)
        return s.name if s else self.category_name(code)

    def deadlines(self, code: str | None, sub: str | None, urgency: str) -> tuple[str, str]:
        """(accept_spec, resolve_spec) for a case of this category x urgency, e.g. ("4h", "3wd")."""
        urgency = urgency if urgency in URGENCIES else "green"
        s = self.subcategory(code, sub)
        if s is not None:
            return s.deadlines[urgency]
        return self.urgency_defaults[urgency]

    def tier(self, code: str | None, sub: str | None) -> str:
        s = self.subcategory(code, sub)
        if s is not None:
            return s.tier
        return "community" if code in self.categories else "grid"

    def department(self, code: str | None, sub: str | None) -> str | None:
        s = self.subcategory(code, sub)
        return s.department if s else None

    def emergency_label(self, number: str) -> str:
        return self.emergency_contacts.get(str(number), str(number))

    # ---- checks for `gridbot rules check` ---------------------------------------------------------
    def keyword_owners(self) -> dict[str, list[str]]:
        """word -> ["category.sub", ...] for every keyword, topic and sub-category red trigger."""
        owners: dict[str, list[str]] = {}
        for s in self.iter_subcategories():
            for w in dict.fromkeys(s.keywords + s.topics + s.red_triggers):
                owners.setdefault(w, []).append(s.key)
        return owners

    def overlaps(self) -> dict[str, list[str]]:
        """Words claimed by sub-categories of two or more different top-level categories."""
        return {
            w: keys
            for w, keys in sorted(self.keyword_owners().items())
            if len({k.split(".", 1)[0] for k in keys}) > 1
        }

    def vocabulary(self) -> set[str]:
        """Every word a rule looks for as a token (registered with jieba)."""
        words = set(self.keyword_owners())
        r = self.rules
        words.update(r.red_triggers, r.yellow_triggers, r.negations, r.faults, r.absence, r.objects)
        for s in self.iter_subcategories():
            words.update(s.exclusions)
        return words

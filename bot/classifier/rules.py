"""The taxonomy compiled for matching: one dictionary lookup per jieba token, a few regexes per text.

`Ruleset.match(text, tokens)` walks the tokens once and returns `Evidence`: keyword / topic / trigger
hits per sub-category (negated hits dropped), object x fault pairs, and which generic patterns fired.
Scoring the evidence is engine.py's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.classifier.prefilter import required_chars_last, required_literals, start_or_required
from bot.classifier.taxonomy import Subcategory, Taxonomy

# token flags
FAULT, NEGATION, ABSENCE, YELLOW, WEAK_TOPIC = 1, 2, 4, 8, 16
_PUNCT = frozenset(",.!?;:、。，！？；：()（）[]【】<>《》\"'“”‘’~…- \t\n/|")


@dataclass(frozen=True, slots=True)
class Entry:
    """What one token means to the rules."""

    keyword_of: tuple[int, ...] = ()  # sub-category indices
    topic_of: tuple[int, ...] = ()
    red_of: tuple[int, ...] = ()  # sub-category red triggers (they count as keywords too)
    red_if: tuple[int, ...] = ()  # red triggers of these sub-categories, counted only if chosen
    red_numbers: tuple[str, ...] | None = None  # a global red trigger
    object_of: int = -1
    flags: int = 0
    keyword_weight: float = 0.0  # evidence of the word as a keyword (longer words weigh more)


class Evidence:
    """What the tokens said. A plain slots class: a dataclass with default factories costs ~2 µs a
    message to create."""

    __slots__ = (
        "scores",
        "words",
        "strong",
        "first",
        "red_subs",
        "red_if",
        "red_global",
        "pairs",
        "negated",
        "negated_spans",
        "yellow",
        "n_keywords",
        "n_topics",
        "n_weak_topics",
    )

    def __init__(self) -> None:
        self.scores: dict[int, float] = {}
        self.words: dict[int, list[str]] = {}  # matched words per sub-category
        self.strong: set[int] = set()  # sub-categories hit by a keyword / trigger / pair
        self.first: dict[int, int] = {}  # sub-category -> offset of its first word
        self.red_subs: set[int] = set()
        self.red_if: set[int] = set()
        self.red_global: list[tuple[str, tuple[str, ...]]] = []
        self.pairs: list[tuple[str, str]] = []  # (object, fault)
        self.negated: list[str] = []
        self.negated_spans: list[tuple[int, int]] = []  # character offsets of the negated words
        self.yellow: list[str] = []
        self.n_keywords = 0
        self.n_topics = 0
        self.n_weak_topics = 0  # topics listed in rules.weak_topics


def _add_evidence(ev: Evidence, sub: int, weight: float, word: str, strong: bool, at: int) -> None:
    ev.first.setdefault(sub, at)
    ev.scores[sub] = ev.scores.get(sub, 0.0) + weight
    words = ev.words.get(sub)
    if words is None:
        ev.words[sub] = [word]
    elif word not in words:
        words.append(word)
    if strong:
        ev.strong.add(sub)


def _combine(patterns: tuple[str, ...]) -> re.Pattern | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


_META = set("\\.^$*+?{}[]()|")


def _alternatives(pattern: str) -> list[str]:
    """Split a regex at its top-level | (outside groups and character classes)."""
    parts, depth, in_class, buf, i = [], 0, False, [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            buf.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append("".join(buf))
            buf = []
            i += 1
            continue
        buf.append(c)
        i += 1
    parts.append("".join(buf))
    return parts


_EXPAND_LIMIT = 200
WEAK_TOPIC_SCORE = 0.6  # category evidence of a rules.weak_topics word (a topic gives 1.0)
RED_PATTERN_SCORE = 3.0  # category evidence of a rules.red_patterns match (a keyword gives 2.0-3.0)


def _expand(pattern: str) -> list[str] | None:
    """All strings a simple regex matches — literals, [abc] classes, (a|b) groups, `?` on an atom —
    or None when it uses anything else (anchors, ranges, repetition, `.`). 乱[停放] → 乱停, 乱放."""
    out = [""]
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "[":
            j = pattern.find("]", i)
            body = pattern[i + 1 : j] if j > 0 else ""
            if not body or body[0] == "^" or "-" in body or "\\" in body or _META & set(body):
                return None
            atom, i = list(body), j + 1
        elif c == "(":
            depth, j = 0, i
            while j < n:
                if pattern[j] == "(":
                    depth += 1
                elif pattern[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= n:
                return None
            atom = []
            for alt in _alternatives(pattern[i + 1 : j]):
                sub = _expand(alt)
                if sub is None or not alt:
                    return None
                atom += sub
            i = j + 1
        elif c in _META:
            return None
        else:
            atom, i = [c], i + 1
        if i < n and pattern[i] == "?":
            atom, i = ["", *atom], i + 1
        out = [a + b for a in out for b in atom]
        if len(out) > _EXPAND_LIMIT:
            return None
    return out


def _split_patterns(patterns: tuple[str, ...]) -> tuple[set[str], list[str]]:
    """(plain words for the automaton, regex alternatives that stay regexes)."""
    literals: set[str] = set()
    rest: list[str] = []
    for p in patterns:
        for alt in _alternatives(p):
            words = _expand(alt) if alt else None
            if words is not None and all(words):
                literals.update(words)
            elif alt:
                rest.append(alt)
    return literals, rest


class PhraseMatcher:
    """A list of regexes searched as one: plain-word alternatives go into an Aho-Corasick automaton
    (one C pass over the text), the rest into one compiled regex. A 300-word alternation searched by
    `re` costs ~6 µs per short message; the automaton well under 1 µs."""

    def __init__(self, patterns: tuple[str, ...]):
        literals, rest = _split_patterns(patterns)
        self.literals = literals
        self.rest = rest  # the regex alternatives (PhraseBank gates each by its required strings)
        self.automaton = None
        if literals:
            import ahocorasick

            self.automaton = ahocorasick.Automaton()
            for w in literals:
                self.automaton.add_word(w, w)
            self.automaton.make_automaton()
        self.regex = re.compile("|".join(f"(?:{p})" for p in rest)) if rest else None

    def findall(self, text: str) -> list[str]:
        found = [w for _end, w in self.automaton.iter(text)] if self.automaton is not None else []
        if self.regex is not None:
            found += [m.group(0) for m in self.regex.finditer(text)]
        return found

    def search(self, text: str) -> str | None:
        if self.automaton is not None:
            for _end, w in self.automaton.iter(text):
                return w
        if self.regex is not None:
            m = self.regex.search(text)
            if m:
                return m.group(0)
        return None


class PhraseBank:
    """Several PhraseMatchers searched in one automaton pass: `scan(text)` returns, per matcher name,
    the automaton hits in the order that matcher's own `iter` would yield them (by end offset, longest
    first); `findall` / `search` then add the matcher's regex part exactly as PhraseMatcher does.

    A matcher's regex is searched only when the text could match it. Each of its top-level alternatives
    whose every match contains one of a few strings (`prefilter.required_literals`: 没事 for 没事[!！。]*$)
    puts those strings into the same automaton, under the key GATE + name; the alternatives with no such
    strings are tested by the characters they need (`needs`, as before). The regex itself is searched
    whole, so the answers are those of the plain search."""

    GATE = "?"

    def __init__(self, matchers: dict[str, PhraseMatcher]):
        import ahocorasick

        owners: dict[str, list[str]] = {}
        for name, m in matchers.items():
            for w in m.literals:
                owners.setdefault(w, []).append(name)
        self.regex = {name: m.regex for name, m in matchers.items()}
        # needs[name]: for the alternatives without required strings, (first characters of ^-anchored
        # branches, characters one of which the others need), None when unknown (always search), or
        # False when every alternative has required strings (search only on a gate hit)
        self.needs: dict[str, tuple[frozenset[str], frozenset[str]] | None | bool] = {}
        for name, m in matchers.items():
            if m.regex is None:
                self.needs[name] = None
                continue
            ungated = []
            for alt in m.rest:
                literals = required_literals(alt)
                if literals is None:
                    ungated.append(alt)
                for lit in literals or ():
                    owners.setdefault(lit, []).append(self.GATE + name)
            self.needs[name] = (
                start_or_required(re.compile("|".join(f"(?:{a})" for a in ungated))) if ungated else False
            )
        self.automaton = ahocorasick.Automaton()
        for w, names in owners.items():
            self.automaton.add_word(w, (w, tuple(dict.fromkeys(names))))
        if owners:
            self.automaton.make_automaton()
        self._empty = not owners

    def scan(self, text: str) -> dict[str, list[str]]:
        hits: dict[str, list[str]] = {}
        if self._empty:
            return hits
        for _end, (w, names) in self.automaton.iter(text):
            for n in names:
                got = hits.get(n)
                if got is None:
                    hits[n] = [w]
                else:
                    got.append(w)
        return hits

    def may_match(self, hits: dict[str, list[str]], name: str, first: str, chars: frozenset[str] | str) -> bool:
        """False when the regex of `name` cannot match the text (its gate and its character tests)."""
        if self.GATE + name in hits:
            return True
        needs = self.needs[name]
        if needs is False:
            return False
        return needs is None or first in needs[0] or not needs[1].isdisjoint(chars)  # type: ignore[index]

    def findall(
        self, hits: dict[str, list[str]], name: str, text: str, chars: frozenset[str] | None = None
    ) -> list[str]:
        """`chars`: frozenset(text), when the caller has it (set-to-set tests are cheaper)."""
        found = list(hits.get(name, ()))
        rx = self.regex[name]
        if rx is not None and self.may_match(hits, name, text[:1], chars or text):
            found += [m.group(0) for m in rx.finditer(text)]
        return found

    def search(
        self, hits: dict[str, list[str]], name: str, text: str, chars: frozenset[str] | None = None
    ) -> str | None:
        got = hits.get(name)
        if got:
            return got[0]
        rx = self.regex[name]
        if rx is not None and self.may_match(hits, name, text[:1], chars or text):
            m = rx.search(text)
            if m:
                return m.group(0)
        return None


class Ruleset:
    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self.subs: list[Subcategory] = list(taxonomy.iter_subcategories())
        index = {s.key: i for i, s in enumerate(self.subs)}
        r = taxonomy.rules
        raw: dict[str, dict] = {}

        def slot(word: str) -> dict:
            return raw.setdefault(
                word, {"kw": [], "topic": [], "red": [], "red_if": [], "nums": None, "obj": -1, "flags": 0}
            )

        for i, s in enumerate(self.subs):
            for w in s.keywords:
                slot(w)["kw"].append(i)
            for w in s.topics:
                slot(w)["topic"].append(i)
            for w in s.red_triggers:
                slot(w)["red"].append(i)
        for w, nums in r.red_triggers.items():
            slot(w)["nums"] = nums
        for v in raw.values():
            # a global red trigger that is a keyword makes its sub-category the red one (困了人 → lift)
            if v["nums"] is not None and v["kw"]:
                v["red"].extend(v["kw"])
            # a sub-category's red trigger is its keyword too, unless another sub-category claims the
            # word as a keyword (着火 is safety.fire, and only raises e-bike charging to red)
            v["red_if"] = [i for i in v["red"] if v["kw"] and i not in v["kw"]]
            v["red"] = [i for i in v["red"] if i not in v["red_if"]]
        for w, (cat, sub) in r.objects.items():
            slot(w)["obj"] = index[f"{cat}.{sub}"]
        for words, flag in (
            (r.faults, FAULT),
            (r.negations, NEGATION),
            (r.absence, ABSENCE),
            (r.yellow_triggers, YELLOW),
            (r.weak_topics, WEAK_TOPIC),
        ):
            for w in words:
                slot(w)["flags"] |= flag
        self.lexicon: dict[str, Entry] = {
            w: Entry(
                keyword_of=tuple(dict.fromkeys(v["kw"])),
                topic_of=tuple(i for i in dict.fromkeys(v["topic"]) if i not in v["kw"]),
                red_of=tuple(dict.fromkeys(v["red"])),
                red_if=tuple(dict.fromkeys(v["red_if"])),
                red_numbers=v["nums"],
                object_of=v["obj"],
                flags=v["flags"],
                keyword_weight=2.0 + 0.25 * min(len(w) - 2, 4),
            )
            for w, v in raw.items()
        }
        self.negations = frozenset(r.negations)
        self.negation_window = r.negation_window
        self.fault_window = r.fault_window
        self.exclusions = {i: s.exclusions for i, s in enumerate(self.subs) if s.exclusions}
        # strong complaint wording is complaint wording too (its words dedupe in the automaton)
        self.problem = PhraseMatcher(r.problem_patterns + r.strong_problem_patterns)
        self.weak_problem = PhraseMatcher(r.weak_problem_patterns)
        self.strong_problem = PhraseMatcher(r.strong_problem_patterns)
        self.question = PhraseMatcher(r.question_patterns)
        self.suggestion = PhraseMatcher(r.suggestion_patterns)
        self.policy = PhraseMatcher(r.policy_patterns)
        self.complaint_question = PhraseMatcher(r.complaint_question_patterns)
        # chit-chat register, asked only when a subject is named alone: its single characters are a
        # set tested against the message's characters (in the shared automaton they would add a hit
        # for nearly every 我 / 的 / 呢 of every message), longer words one PhraseMatcher
        chat_words, chat_rest = _split_patterns(r.chat_patterns)
        self.chat_chars = frozenset(w for w in chat_words if len(w) == 1)
        self.chat = PhraseMatcher(tuple(w for w in chat_words if len(w) > 1) + tuple(chat_rest))
        self.non_report = [(name, PhraseMatcher(pats)) for name, pats in r.non_report.items() if pats]
        self.notice_roles = frozenset(r.notice_roles)
        self.info_endings = tuple(r.info_title_endings)
        self.venues = frozenset(r.venues)
        # red emergencies told in words (电梯 … 里面有人). Every match of a pattern contains one of its
        # required literals (电梯) and a character of its last item (prefilter): one automaton pass over
        # the text finds the patterns whose literal occurs (a bit mask, bit i = pattern i), and only
        # those whose last item can match are searched.
        self.red_patterns = [
            (
                re.compile(p.pattern),
                required_chars_last(p.pattern),
                p.numbers,
                index[f"{p.category}.{p.subcategory}"],
            )
            for p in r.red_patterns
        ]
        import ahocorasick

        self._red_unindexed = 0  # patterns with no required literal: always searched
        by_literal: dict[str, int] = {}
        for i, p in enumerate(r.red_patterns):
            literals = required_literals(p.pattern)
            if literals is None:
                self._red_unindexed |= 1 << i
            for lit in literals or ():
                by_literal[lit] = by_literal.get(lit, 0) | 1 << i
        self._red_literals = ahocorasick.Automaton() if by_literal else None
        for lit, mask in by_literal.items():
            self._red_literals.add_word(lit, mask)
        if self._red_literals is not None:
            self._red_literals.make_automaton()
        self.not_red = PhraseMatcher(r.not_red_patterns)
        self.drill = PhraseMatcher(r.drill_patterns)
        self.alarm = PhraseMatcher(r.alarm_patterns) if r.alarm_patterns else None
        # a bare intent to report (我要投诉): anchored regexes, tried on short messages only
        self.intent = re.compile("|".join(f"(?:{p})" for p in r.report_intent)) if r.report_intent else None
        # the hot path searches all of the above in one automaton pass
        self.phrases = PhraseBank(
            {
                "problem": self.problem,
                "weak_problem": self.weak_problem,
                "strong_problem": self.strong_problem,
                "question": self.question,
                "suggestion": self.suggestion,
                "policy": self.policy,
                "complaint_question": self.complaint_question,
                **{f"nr:{name}": m for name, m in self.non_report},
            }
        )
        self._nr_names = [(name, f"nr:{name}") for name, _m in self.non_report]
        # one test for "no filter can match" (most messages): no filter word among the automaton hits,
        # and neither the first character nor any character of the text is one a filter regex needs
        # (the union of the per-filter tests below; None when some filter regex has no such test)
        # (with the filters' gate keys: a required string of one of their regexes occurs)
        self._nr_keys = frozenset(
            k for _name, key in self._nr_names for k in (key, PhraseBank.GATE + key)
        )
        nr_needs = [
            nd for _n, key in self._nr_names
            if self.phrases.regex[key] is not None and (nd := self.phrases.needs[key]) is not False
        ]
        self._nr_quick: tuple[frozenset[str], frozenset[str]] | None = (
            None
            if any(nd is None for nd in nr_needs)
            else (
                frozenset().union(*(nd[0] for nd in nr_needs)),  # type: ignore[index]
                frozenset().union(*(nd[1] for nd in nr_needs)),  # type: ignore[index]
            )
        )

        # words that can put something into Evidence (keywords, topics, triggers, objects, yellow
        # triggers): a text containing none of them gives an empty Evidence whatever its tokens
        # are, so classify() need not segment it (most chit-chat; negations and faults alone add
        # nothing but explain()'s list of negated words)
        import ahocorasick

        self._evidence_words = ahocorasick.Automaton()
        for w, e in self.lexicon.items():
            if e.keyword_of or e.topic_of or e.red_of or e.red_if or e.red_numbers is not None:
                self._evidence_words.add_word(w, w)
            elif e.object_of >= 0 or e.flags & YELLOW:
                self._evidence_words.add_word(w, w)
        self._any_evidence = len(self._evidence_words) > 0
        if self._any_evidence:
            self._evidence_words.make_automaton()

    def red_pattern_hits(self, text: str, chars: frozenset[str]) -> list[tuple[str, tuple[str, ...], int]]:
        """(matched text, emergency numbers, sub-category index) of every rules.red_patterns match."""
        candidates = self._red_unindexed
        if self._red_literals is not None:
            for _end, mask in self._red_literals.iter(text):
                candidates |= mask
        hits = []
        while candidates:  # lowest bit first: the patterns in config order
            low = candidates & -candidates
            candidates ^= low
            rx, last, nums, sub = self.red_patterns[low.bit_length() - 1]
            if last is not None and chars.isdisjoint(last):
                continue
            m = rx.search(text)
            if m:
                hits.append((m.group(0), nums, sub))
        return hits

    def add_red_patterns(self, ev: Evidence, hits: list[tuple[str, tuple[str, ...], int]], text: str) -> None:
        """A red pattern is keyword evidence for its sub-category and a red trigger."""
        for matched, nums, sub in hits:
            ev.red_global.append((matched, nums))
            ev.red_subs.add(sub)
            ev.n_keywords += 1
            _add_evidence(ev, sub, RED_PATTERN_SCORE, matched, True, text.find(matched))

    def chat_register(self, text: str, chars: frozenset[str]) -> bool:
        """True when the text has chit-chat wording (我, 呢, 哈哈 …: rules.chat_patterns)."""
        return not self.chat_chars.isdisjoint(chars) or self.chat.search(text) is not None

    def may_match(self, text: str) -> bool:
        """False when no word that creates evidence occurs in `text`: match() of its tokens is empty."""
        if not self._any_evidence:
            return False
        for _hit in self._evidence_words.iter(text):
            return True
        return False

    def vocabulary(self) -> set[str]:
        return set(self.lexicon)

    def _negated(self, tokens: list[str], i: int) -> bool:
        negs = self.negations
        for j in range(i - 1, max(-1, i - 1 - self.negation_window), -1):
            t = tokens[j]
            if t in _PUNCT or t.isspace():
                return False
            if t in negs:
                # a bare 不 negates the word right after it (不漏水); two tokens on it negates a verb:
                # 不给赡养费, 不退押金 are refusals, still reports
                return t != "不" or j == i - 1
        return False

    def match(self, tokens: list[str]) -> Evidence:
        ev = Evidence()
        lex = self.lexicon
        objects: list[tuple[int, int, int, str]] = []  # start, end, sub, word
        faults: list[tuple[int, int, str]] = []
        absences: list[int] = []  # end offsets
        pos = 0
        seen: set[str] = set()
        add = _add_evidence  # Ruleset._add without the method call and keyword arguments
        negs = self.negations
        window = self.negation_window
        # only a negation token can negate a word: without one (most messages) no look-back
        look_back = not negs.isdisjoint(tokens)
        for i, tok in enumerate(tokens):
            e = lex.get(tok)
            start = pos
            pos += len(tok)
            if e is None:
                continue
            flags = e.flags
            if flags & NEGATION and not (e.keyword_of or e.red_of or e.red_numbers or e.topic_of):
                if flags & ABSENCE:
                    absences.append(pos)
                continue
            if i and look_back:  # self._negated(tokens, i), inline (this loop runs for every rule word)
                for j in range(i - 1, max(-1, i - 1 - window), -1):
                    t = tokens[j]
                    if t in _PUNCT or t.isspace():
                        break
                    if t in negs:
                        if (t != "不" or j == i - 1) and not (
                            # 没有斑马线: an absence word right before an object is its fault, not a negation
                            e.object_of >= 0
                            and (prev := lex.get(tokens[i - 1])) is not None
                            and prev.flags & ABSENCE
                        ):
                            ev.negated.append(tok)
                            ev.negated_spans.append((start, pos))
                            e = None
                        break
                if e is None:
                    continue
            if flags & FAULT:
                faults.append((start, pos, tok))
            if flags & ABSENCE:
                absences.append(pos)
            if flags & YELLOW:
                ev.yellow.append(tok)
            if e.object_of >= 0:
                objects.append((start, pos, e.object_of, tok))
            if e.red_numbers is not None:
                ev.red_global.append((tok, e.red_numbers))
            if tok in seen:
                continue
            seen.add(tok)
            if e.keyword_of or e.red_of:
                ev.n_keywords += 1
                weight = e.keyword_weight
                for s in e.keyword_of:
                    add(ev, s, weight, tok, True, start)
                for s in e.red_of:
                    ev.red_subs.add(s)
                    if s not in e.keyword_of:
                        add(ev, s, weight, tok, True, start)
            if e.red_if:
                ev.red_if.update(e.red_if)
            if e.topic_of:
                # a weak topic (公司, 医院, 老师: named in chit-chat too) also counts less when the
                # category is chosen: 销售公司占用小区公共车位 is about the estate's parking
                if flags & WEAK_TOPIC:
                    ev.n_weak_topics += 1
                    tw = WEAK_TOPIC_SCORE
                else:
                    ev.n_topics += 1
                    tw = 1.0
                for s in e.topic_of:
                    add(ev, s, tw, tok, False, start)
        if objects and (faults or absences):
            win = self.fault_window
            for o_start, o_end, sub, word in objects:
                for f_start, f_end, fword in faults:
                    if 0 <= f_start - o_end <= win or 0 <= o_start - f_end <= 2:
                        ev.pairs.append((word, fword))
                        add(ev, sub, 2.5, word, True, o_start)
                        break
                else:
                    if any(0 <= o_start - a_end <= 2 for a_end in absences):
                        ev.pairs.append((word, "没有"))
                        add(ev, sub, 2.5, word, True, o_start)
        return ev

    @staticmethod
    def _add(ev: Evidence, sub: int, weight: float, word: str, *, strong: bool, at: int = 0) -> None:
        _add_evidence(ev, sub, weight, word, strong, at)

    def apply_exclusions(self, ev: Evidence, text: str) -> list[tuple[int, str]]:
        """Drop sub-categories whose context exclusions occur (走失 + 狗 is a lost pet)."""
        dropped = []
        for sub in list(ev.scores):
            for w in self.exclusions.get(sub, ()):
                if w in text:
                    dropped.append((sub, w))
                    del ev.scores[sub]
                    ev.strong.discard(sub)
                    ev.red_subs.discard(sub)
                    break
        return dropped

    def non_report_reason(
        self, text: str, hits: dict[str, list[str]] | None = None, chars: frozenset[str] | None = None
    ) -> tuple[str, str] | None:
        """(filter name, matched text) of the first non-report filter that matches. `hits`: the
        text's `phrases.scan`, when the caller already has it."""
        if hits is None:
            hits = self.phrases.scan(text)
        # PhraseBank.search inlined over the filters (called for nearly every message)
        regex = self.phrases.regex
        first = text[:1]
        if chars is None:
            chars = frozenset(text)
        quick = self._nr_quick
        if (
            quick is not None
            and first not in quick[0]
            and quick[1].isdisjoint(chars)
            and self._nr_keys.isdisjoint(hits)
        ):
            return None
        may = self.phrases.may_match
        for name, key in self._nr_names:
            got = hits.get(key)
            if got:
                return name, got[0]
            rx = regex[key]
            if rx is None or not may(hits, key, first, chars):
                continue
            m = rx.search(text)
            if m:
                return name, m.group(0)
        return None

"""Measuring the classifier on labelled messages.

Files are read at run time from ../shared/data (never copied into the repository: they hold real
texts). JSONL rows: {"text", "is_report", "category", "urgency"}; CSV rows: id,text,label (1/0).
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.classifier.engine import Classification, Classifier
from bot.classifier.taxonomy import TOP_LEVEL_CODES

NONE = "-"  # "no category" in the confusion matrix


def find_data_dir(explicit: Path | None = None) -> Path | None:
    """--data-dir, else $GRIDBOT_DATA_DIR, else ../shared/data next to the repository (or the cwd)."""
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(Path(explicit))
    elif os.environ.get("GRIDBOT_DATA_DIR"):
        candidates.append(Path(os.environ["GRIDBOT_DATA_DIR"]))
    else:
        repo = Path(__file__).resolve().parents[2]
        candidates += [repo.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    for c in candidates:
        if c.is_dir():
            return c
    return None


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON: {exc}") from exc
            if "text" not in row or "is_report" not in row:
                raise ValueError(f"{path}:{n}: a row needs at least text and is_report")
            rows.append(row)
    return rows


def drop_ambiguous(rows: list[dict]) -> tuple[list[dict], int]:
    """The rows whose labeller did not flag them `ambiguous`, and how many were left out."""
    kept = [r for r in rows if not r.get("ambiguous")]
    return kept, len(rows) - len(kept)


def read_binary_csv(path: Path) -> list[tuple[str, bool]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [(r["text"], str(r["label"]).strip() == "1") for r in csv.DictReader(fh)]


@dataclass
class Binary:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, gold: bool, pred: bool) -> None:
        if gold and pred:
            self.tp += 1
        elif pred:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        n = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / n if n else 0.0


@dataclass
class Miss:
    text: str
    gold: str
    pred: str
    confidence: float
    severity: float


@dataclass
class Report:
    n: int = 0
    detection: Binary = field(default_factory=Binary)
    per_category: dict[str, Binary] = field(default_factory=dict)
    confusion: Counter = field(default_factory=Counter)  # (gold, pred) -> n
    red: Binary = field(default_factory=Binary)
    urgency_ok: int = 0
    urgency_n: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def gold_categories(self) -> list[str]:
        seen = {g for (g, _p) in self.confusion if g != NONE}
        return [c for c in TOP_LEVEL_CODES if c in seen]

    @property
    def macro_f1(self) -> float:
        cats = self.gold_categories
        return sum(self.per_category[c].f1 for c in cats) / len(cats) if cats else 0.0

    @property
    def category_accuracy_on_reports(self) -> float:
        """Among gold reports the classifier also called reports: share with the right category."""
        ok = sum(n for (g, p), n in self.confusion.items() if g != NONE and g == p)
        both = sum(n for (g, p), n in self.confusion.items() if g != NONE and p != NONE)
        return ok / both if both else 0.0


def score(rows: Iterable[dict], clf: Classifier) -> Report:
    rows = list(rows)
    return score_predictions(rows, (clf.classify(str(r.get("text") or ""), role=r.get("role")) for r in rows))


def score_predictions(rows: Iterable[dict], predictions: Iterable[Classification]) -> Report:
    """The report for gold `rows` against one prediction per row (a Classification, or anything with
    is_report, category, urgency and confidence: another labeller's labels, say)."""
    rep = Report()
    for c in TOP_LEVEL_CODES:
        rep.per_category[c] = Binary()
    for row, res in zip(rows, predictions, strict=True):
        text = str(row.get("text") or "")
        gold_report = bool(row.get("is_report"))
        gold_cat = (row.get("category") or None) if gold_report else None
        gold_urg = (row.get("urgency") or None) if gold_report else None
        pred_cat = res.category if res.is_report else None
        rep.n += 1
        rep.detection.add(gold_report, res.is_report)
        for c in TOP_LEVEL_CODES:
            rep.per_category[c].add(gold_cat == c, pred_cat == c)
        rep.confusion[(gold_cat or NONE, pred_cat or NONE)] += 1
        if gold_urg is not None:
            rep.red.add(gold_urg == "red", res.is_report and res.urgency == "red")
            if res.is_report:
                rep.urgency_n += 1
                rep.urgency_ok += res.urgency == gold_urg
        if gold_report != res.is_report or (gold_report and gold_cat != pred_cat):
            if gold_report != res.is_report:
                severity = abs(float(gold_report) - res.confidence) + 1.0
            else:
                severity = res.confidence
            rep.misses.append(
                Miss(
                    text=text,
                    gold=f"{gold_cat or '非上报'}/{gold_urg or '-'}",
                    pred=f"{(res.category if res.is_report else None) or '非上报'}/{res.urgency or '-'}",
                    confidence=res.confidence,
                    severity=severity,
                )
            )
    rep.misses.sort(key=lambda m: -m.severity)
    return rep


def score_binary(pairs: Iterable[tuple[str, bool]], clf: Classifier) -> Binary:
    b = Binary()
    for text, gold in pairs:
        b.add(gold, clf.classify(text).is_report)
    return b


def format_report(rep: Report, *, title: str, worst: int = 20) -> str:
    d = rep.detection
    out = [f"== {title}: {rep.n} messages"]
    out.append(
        f"report detection: precision {d.precision:.3f}  recall {d.recall:.3f}  F1 {d.f1:.3f}  "
        f"accuracy {d.accuracy:.3f}  (tp {d.tp} fp {d.fp} fn {d.fn} tn {d.tn})"
    )
    out.append(
        f"category macro-F1 {rep.macro_f1:.3f} over {len(rep.gold_categories)} categories present; "
        f"category accuracy on detected reports {rep.category_accuracy_on_reports:.3f}"
    )
    red_n = rep.red.tp + rep.red.fn
    red_txt = f"{rep.red.recall:.3f} ({rep.red.tp}/{red_n})" if red_n else "n/a (no red rows)"
    urg = f"{rep.urgency_ok / rep.urgency_n:.3f}" if rep.urgency_n else "n/a"
    out.append(
        f"red recall {red_txt}; red precision {rep.red.precision:.3f}; urgency accuracy on detected reports {urg}"
    )
    out.append("")
    out.append(f"{'category':<12} {'support':>7} {'precision':>9} {'recall':>7} {'F1':>6}")
    for c in TOP_LEVEL_CODES:
        b = rep.per_category[c]
        support = b.tp + b.fn
        if support or b.fp:
            out.append(f"{c:<12} {support:>7} {b.precision:>9.3f} {b.recall:>7.3f} {b.f1:>6.3f}")
    out.append("")
    labels = rep.gold_categories + [NONE]
    pred_labels = [c for c in TOP_LEVEL_CODES if any(p == c for (_g, p) in rep.confusion)] + [NONE]
    short = {c: c[:5] for c in TOP_LEVEL_CODES} | {NONE: "none"}
    out.append("confusion matrix (rows gold, columns predicted; none = not a report)")
    out.append(f"{'':<12}" + "".join(f"{short[p]:>6}" for p in pred_labels))
    for g in labels:
        out.append(
            f"{short[g] if g != NONE else 'none':<12}"
            + "".join(f"{rep.confusion.get((g, p), 0):>6}" for p in pred_labels)
        )
    if worst:
        out.append("")
        out.append(f"{worst} worst misses (gold → predicted, confidence)")
        for m in rep.misses[:worst]:
            out.append(f"  {m.gold:>18} → {m.pred:<18} {m.confidence:.2f}  {m.text[:60]}")
    return "\n".join(out)


def format_binary(b: Binary, *, title: str) -> str:
    return (
        f"== {title}: {b.tp + b.fp + b.fn + b.tn} messages\n"
        f"report detection: precision {b.precision:.3f}  recall {b.recall:.3f}  F1 {b.f1:.3f}  "
        f"accuracy {b.accuracy:.3f}  (tp {b.tp} fp {b.fp} fn {b.fn} tn {b.tn})"
    )

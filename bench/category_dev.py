"""Development measure of OUR category accuracy on public (non-eval) titles.

    python bench/category_dev.py [--data-dir D] [--held] [--errors] [--category CODE]

bench/public_category_labels.csv holds only row ids and a hand label with one of the 14 codes of
../shared/CATEGORIES.md, read from the title alone: 250 titles drawn from the public labelled files
(Hangzhou 投诉/求助 titles and Teddy titles) by md5 of the id, from the half whose md5 is even. The
texts are never stored here: they are joined at run time from ../shared/data/public (they hold real
names). Label `-` = not a report when read on its own (information question); `x` = too vague to
give a category (a bare word such as 停车 or 投诉): left out of the measure.

Prints report detection on the labelled reports, per-category precision / recall / F1 and macro-F1
(the same computation as `gridbot eval`), and the category accuracy when the classifier's category
is taken even below the report threshold (the category choice alone). --errors lists the titles
whose category is wrong (public rows, for error analysis; never the eval file).

--held measures bench/public_category_labels_held.csv instead: 168 further titles (110 Hangzhou
投诉/求助, 60 Teddy) from the md5-ODD half of the ids, labelled by hand with the same conventions
before any rule was tuned against them. Read only its figures (do not run --errors with --held):
it is the held-out check of whatever was tuned on the first file.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.classifier.engine import Classifier  # noqa: E402
from bot.classifier.evaluate import find_data_dir, score  # noqa: E402
from bot.classifier.taxonomy import TOP_LEVEL_CODES  # noqa: E402

LABELS = REPO / "bench" / "public_category_labels.csv"
HELD_LABELS = REPO / "bench" / "public_category_labels_held.csv"
FILES = ("public/hangzhou_liuyan_labeled.csv", "public/teddy2020c_labeled.csv")


def public_titles(data_dir: Path, ids) -> dict[str, str]:
    """id -> title (or text) of the labelled public rows, read at run time; warns of ids not found."""
    titles: dict[str, str] = {}
    for name in FILES:
        with open(data_dir / name, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["id"] in ids:
                    titles[r["id"]] = r.get("title") or r["text"]
    missing = set(ids) - set(titles)
    if missing:
        print(f"warning: {len(missing)} labelled ids not found in the public files", file=sys.stderr)
    return titles


def load_rows(data_dir: Path, labels_file: Path = LABELS) -> list[dict]:
    with open(labels_file, encoding="utf-8", newline="") as fh:
        labels = {r["id"]: r["code"] for r in csv.DictReader(fh)}
    titles = public_titles(data_dir, labels)
    rows = []
    for rid, code in labels.items():
        if code == "x" or rid not in titles:
            continue
        report = code != "-"
        rows.append(
            {"id": rid, "text": titles[rid], "is_report": report, "category": code if report else None}
        )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--held", action="store_true", help="the held-out labels (figures only)")
    ap.add_argument("--errors", action="store_true", help="list the titles with a wrong category")
    ap.add_argument(
        "--category", default=None, help="with --errors: only rows whose gold or predicted code is this"
    )
    args = ap.parse_args()
    data_dir = find_data_dir(args.data_dir)
    if data_dir is None:
        print("no ../shared/data: nothing to measure")
        return 0
    rows = load_rows(data_dir, HELD_LABELS if args.held else LABELS)
    clf = Classifier.load()
    rep = score(rows, clf)
    d = rep.detection
    print(f"{len(rows)} labelled public titles ({sum(r['is_report'] for r in rows)} reports)")
    print(f"report detection: precision {d.precision:.3f}  recall {d.recall:.3f}  F1 {d.f1:.3f}")
    print(
        f"category macro-F1 {rep.macro_f1:.3f}; category accuracy on detected reports {rep.category_accuracy_on_reports:.3f}"
    )
    forced_ok = forced_n = 0
    errors = []
    for r in rows:
        if not r["is_report"]:
            continue
        res = clf.classify(r["text"])
        forced_n += 1
        forced_ok += res.category == r["category"]
        pred = res.category if res.is_report else f"({res.category})"
        if res.category != r["category"] or not res.is_report:
            errors.append((r["category"], pred, res.confidence, r["text"]))
    print(f"category accuracy, category taken below the threshold too: {forced_ok / forced_n:.3f}")
    print()
    print(f"{'category':<12} support precision  recall     F1")
    for c in TOP_LEVEL_CODES:
        b = rep.per_category[c]
        print(f"{c:<12} {b.tp + b.fn:>7} {b.precision:>9.3f} {b.recall:>7.3f} {b.f1:>6.3f}")
    if args.errors:
        print()
        for gold, pred, conf, text in sorted(errors):
            if args.category and args.category not in (gold, pred.strip("()")):
                continue
            print(f"{gold:<11} {pred:<13} {conf:.2f}  {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Development measure on 720 public titles labelled like the eval file (report or not, category, urgency).

    python bench/public_dev.py [--data-dir D] [--set dev|more|both] [--half tune|held|all] [--clear] [--worst N]

bench/public_dev_labels.csv holds only row ids and hand labels (`is_report`, one of the 14 codes of
../shared/CATEGORIES.md, `urgency`, `ambiguous`): 480 Hangzhou titles of every type (投诉/求助, 咨询,
建言, 感谢) and 240 Teddy titles, drawn by md5 from the public labelled files, none of them in the
other label files of bench/ and none in the eval file; three labellers read the titles alone, with
CATEGORIES.md and one written guide, before any rule was tuned against them. The texts are joined at
run time from ../shared/data/public (they hold real names; never copied here).

bench/public_more_labels.csv (`--set more`; `--set both` joins the two): the 1,235 remaining titles of
the two public labelled files that no label file of bench/ held, labelled in four batches by four
annotators who each had CATEGORIES.md alone (no guide, no classifier output). Two such annotators
agree with each other and with the dev labels at macro-F1 0.92-0.95 (bench/label_agreement.py).

The rows split by md5 of the id into a `tune` half (error analysis allowed: --worst lists its misses)
and a `held` half (read its figures only; --worst is refused). --clear keeps only rows the labeller did
not flag as ambiguous. Prints the same report as `gridbot eval`.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from category_dev import public_titles  # noqa: E402
from detection_dev import half_of  # noqa: E402

from bot.classifier.engine import Classifier  # noqa: E402
from bot.classifier.evaluate import find_data_dir, format_report, score  # noqa: E402

LABELS = REPO / "bench" / "public_dev_labels.csv"
MORE = REPO / "bench" / "public_more_labels.csv"
SETS = {"dev": (LABELS,), "more": (MORE,), "both": (LABELS, MORE)}


def load_rows(data_dir: Path, half: str = "all", clear: bool = False, labels_file: Path = LABELS) -> list[dict]:
    with open(labels_file, encoding="utf-8", newline="") as fh:
        labels = {r["id"]: r for r in csv.DictReader(fh)}
    titles = {rid: t.strip() for rid, t in public_titles(data_dir, labels).items()}
    rows = []
    for rid, lab in labels.items():
        if rid not in titles or (half != "all" and half_of(rid) != half):
            continue
        if clear and lab["ambiguous"] == "1":
            continue
        report = lab["is_report"] == "1"
        rows.append(
            {
                "id": rid,
                "text": titles[rid],
                "is_report": report,
                "category": lab["category"] or None if report else None,
                "urgency": lab["urgency"] or None if report else None,
            }
        )
    return rows


def load_set(data_dir: Path, name: str, half: str = "all", clear: bool = False) -> list[dict]:
    """The rows of one of SETS (dev, more, both)."""
    return [r for f in SETS[name] for r in load_rows(data_dir, half, clear, labels_file=f)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--half", choices=("tune", "held", "all"), default="tune")
    ap.add_argument("--set", choices=tuple(SETS), default="dev",
                    help="dev: the 720 titles; more: the 1,235 further titles; both")
    ap.add_argument("--clear", action="store_true", help="only rows not flagged ambiguous")
    ap.add_argument("--worst", type=int, default=0, help="list the N worst misses (tune half only)")
    args = ap.parse_args()
    if args.worst and args.half != "tune":
        ap.error("--worst lists rows of the tune half only; the held half is read for its figures")
    data_dir = find_data_dir(args.data_dir)
    if data_dir is None:
        print("no ../shared/data: nothing to measure")
        return 0
    rows = load_set(data_dir, args.set, args.half, args.clear)
    rep = score(rows, Classifier.load())
    title = f"public {args.set} labels, {args.half} half{' (not ambiguous)' if args.clear else ''}"
    print(format_report(rep, title=title, worst=args.worst))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

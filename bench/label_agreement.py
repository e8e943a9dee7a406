"""How far two people labelling the same public titles by CATEGORIES.md agree — the ceiling a rule set
can be expected to reach against any one of them.

    python bench/label_agreement.py [--data-dir D]

bench/public_agree_A.csv and bench/public_agree_B.csv: 200 titles of bench/public_dev_labels.csv (the
first 200 ids by sha1), labelled again by two annotators who worked independently, each with
CATEGORIES.md alone (no written guide, no classifier output, no other labels). Same columns as
public_dev_labels.csv; ids and labels only, the titles are joined at run time from ../shared/data.

For every ordered pair (gold, other) of the three labellings (dev = the public_dev_labels.csv labels of
the same rows, A, B) and for the classifier against each, prints the figures `gridbot eval` prints:
report detection precision / recall / F1, category macro-F1, the category accuracy and the urgency
accuracy on the titles both call reports, with the first as gold.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from public_dev import LABELS, load_rows  # noqa: E402

from bot.classifier.engine import Classifier  # noqa: E402
from bot.classifier.evaluate import find_data_dir, score_predictions  # noqa: E402

SETS = {"A": REPO / "bench" / "public_agree_A.csv", "B": REPO / "bench" / "public_agree_B.csv"}


def as_prediction(row: dict) -> SimpleNamespace:
    return SimpleNamespace(is_report=row["is_report"], category=row["category"], urgency=row["urgency"],
                           confidence=1.0 if row["is_report"] else 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args()
    data_dir = find_data_dir(args.data_dir)
    if data_dir is None:
        print("no ../shared/data: nothing to measure")
        return 0
    sets = {name: {r["id"]: r for r in load_rows(data_dir, labels_file=f)} for name, f in SETS.items()}
    ids = sorted(set.intersection(*(set(s) for s in sets.values())))
    dev = {r["id"]: r for r in load_rows(data_dir, labels_file=LABELS) if r["id"] in ids}
    sets = {"dev": dev, **sets}
    clf = Classifier.load()
    machine = {i: clf.classify(dev[i]["text"]) for i in ids}
    print(f"{len(ids)} titles labelled by all three; reports: "
          + ", ".join(f"{n} {sum(s[i]['is_report'] for i in ids)}" for n, s in sets.items()))
    print(f"{'gold':<5} {'other':<10} {'precision':>9} {'recall':>7} {'F1':>6} {'macro-F1':>9} {'cat acc':>8} {'urg acc':>8}")
    for gold_name, gold in sets.items():
        others = [(n, [as_prediction(s[i]) for i in ids]) for n, s in sets.items() if n != gold_name]
        others.append(("classifier", [machine[i] for i in ids]))
        for name, preds in others:
            rep = score_predictions([gold[i] for i in ids], preds)
            d = rep.detection
            print(f"{gold_name:<5} {name:<10} {d.precision:>9.3f} {d.recall:>7.3f} {d.f1:>6.3f} "
                  f"{rep.macro_f1:>9.3f} {rep.category_accuracy_on_reports:>8.3f} "
                  f"{rep.urgency_ok / max(rep.urgency_n, 1):>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

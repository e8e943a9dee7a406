"""Candidate keywords from the classifier's category misses on the hand-labelled public titles — the
same mining as `gridbot rules suggest` on workers' /recat corrections, with the labels as corrections.

    python bench/mine_labels.py [--data-dir D] [--top N]

Reads the TUNE half (md5 of the id, as bench/public_dev.py) of every label file of bench/ that has a
category per row (public_dev_labels.csv, public_more_labels.csv). A labelled report whose category the
classifier gets wrong (or misses) is a correction (title, gold code); the titles it gets right and the
chit-chat of chat_negatives.csv are the rest. Prints, per code, words typical of its corrections and
rare elsewhere that the rules do not know yet, with how often each occurs among that code's labelled
reports and among all others — for a person to read and accept into config/categories.yaml (never
automatically). The held half is left for measuring what was accepted.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from detection_dev import read  # noqa: E402
from public_dev import load_set  # noqa: E402

from bot.classifier.engine import Classifier  # noqa: E402
from bot.classifier.evaluate import find_data_dir  # noqa: E402
from bot.classifier.suggest import doc_terms, suggest_keywords  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    data_dir = find_data_dir(args.data_dir)
    if data_dir is None:
        print("no ../shared/data: nothing to mine")
        return 0
    clf = Classifier.load()
    rows = [r for r in load_set(data_dir, "both", "tune") if r["is_report"] and r["category"]]
    corrections, rest = [], []
    for r in rows:
        res = clf.classify(r["text"])
        (rest if res.is_report and res.category == r["category"] else corrections).append(r)
    chat = [c["text"] for c in read(data_dir / "public" / "chat_negatives.csv")]
    known = set(clf.taxonomy.keyword_owners())
    found = suggest_keywords([(r["text"], r["category"]) for r in corrections],
                             [r["text"] for r in rest] + chat, top=args.top, known=known)
    df = {code: Counter() for code in found}
    for r in rows:
        terms = doc_terms(r["text"])
        for code in df:
            if r["category"] == code:
                df[code].update(terms)
            else:
                df[code].update(f"~{t}" for t in terms)
    print(f"{len(rows)} labelled reports (tune half), {len(corrections)} with a wrong or missing category")
    for code, words in found.items():
        shown = ", ".join(f"{w} {df[code][w]}/{df[code]['~' + w]}" for w in words)
        print(f"{code:<12} {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

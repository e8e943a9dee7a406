"""Development measure of report detection on the public (non-eval) files.

    python bench/detection_dev.py [--data-dir D] [--half tune|held|all] [--misses FILE] [--n N]

Reads ../shared/data/public at run time (never the eval/ folder, never copied into the repository)
and prints, per file, how many rows the classifier calls reports (confidence >= 0.5):

- is_report_eval.csv: precision / recall against its 1/0 label;
- teddy2020c_unlabeled_reports.csv (titles) and teddy2020c_labeled.csv (titles): every row is a
  complaint or request, so only recall;
- hangzhou_liuyan_labeled.csv titles by the poster's `type`: 投诉/求助 and 建言 are reports (recall);
  咨询 and 感谢 have no gold here (many 咨询 titles are petitions, some only ask for information),
  so only the share called reports is shown;
- chat_negatives.csv: the share of chit-chat called a report (false positive rate);
- own is_report labels: bench/public_isreport_labels.csv (file,id,is_report — ids and our hand
  labels only, never the text): ~200 Hangzhou titles (many 咨询 / 建言) and Teddy titles (many
  question-like), labelled before the cls-precision rules were changed; precision / recall / F1.

Rows are split in two by md5 of their id: `tune` (md5 even — the half whose misses may be read
while choosing words; bench/public_category_labels.csv is from it too) and `held` (md5 odd — only
its figures are read). `--misses FILE` lists the misses of one file (public rows, on screen only;
never copy them into the repository).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.classifier.engine import Classifier  # noqa: E402
from bot.classifier.evaluate import find_data_dir  # noqa: E402


def half_of(row_id: str) -> str:
    return "tune" if int(hashlib.md5(row_id.encode()).hexdigest(), 16) % 2 == 0 else "held"


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


LABELS = REPO / "bench" / "public_isreport_labels.csv"


def own_labels(pub: Path) -> list[tuple[str, str, bool]]:
    """(id, title, is_report) of bench/public_isreport_labels.csv, titles read from the public files."""
    if not LABELS.exists():
        return []
    titles: dict[tuple[str, str], str] = {}
    wanted = read(LABELS)
    for fname in {r["file"] for r in wanted}:
        for r in read(pub / fname):
            titles[(fname, r["id"])] = r["title"]
    return [(r["id"], titles[(r["file"], r["id"])], r["is_report"].strip() == "1") for r in wanted]


def sets(data_dir: Path) -> list[tuple[str, list[tuple[str, str, bool | None]]]]:
    """(name, [(id, text, gold)]); gold None = no gold (only the share called reports is shown)."""
    pub = data_dir / "public"
    out = []
    own = own_labels(pub)
    if own:
        out.append(("own is_report labels", own))
    rows = read(pub / "is_report_eval.csv")
    out.append(("is_report_eval", [(r["id"], r["text"], r["label"].strip() == "1") for r in rows]))
    rows = read(pub / "teddy2020c_unlabeled_reports.csv")
    out.append(("teddy_unlabeled titles", [(r["id"], r["title"], True) for r in rows if r["title"]]))
    rows = read(pub / "teddy2020c_labeled.csv")
    out.append(("teddy_labeled titles", [(r["id"], r["title"], True) for r in rows if r["title"]]))
    hz = read(pub / "hangzhou_liuyan_labeled.csv")
    for kind, gold in (("投诉/求助", True), ("建言", True), ("咨询", None), ("感谢", None)):
        sel = [(r["id"], r["title"], gold) for r in hz if r["type"] == kind and r["title"]]
        out.append((f"hangzhou {kind} titles", sel))
    rows = read(pub / "chat_negatives.csv")
    out.append(("chat_negatives", [(r["id"], r["text"], False) for r in rows if r["text"]]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--half", choices=("tune", "held", "all"), default="all")
    ap.add_argument("--misses", default=None, help="list misses of the set whose name starts with this")
    ap.add_argument("--n", type=int, default=60, help="how many misses to list")
    args = ap.parse_args()
    data_dir = find_data_dir(args.data_dir)
    if data_dir is None:
        print("no ../shared/data: nothing to measure")
        return 0
    clf = Classifier.load()
    halves = ("tune", "held") if args.half == "all" else (args.half,)
    print(f"{'set':<26}" + "".join(f"{h:>38}" for h in halves))
    listed = []
    for name, rows in sets(data_dir):
        cells = []
        for h in halves:
            tp = fp = fn = tn = 0
            for rid, text, gold in rows:
                if half_of(rid) != h:
                    continue
                c = clf.classify(text)
                pred = c.is_report
                if gold is None or gold:
                    tp += pred
                    fn += not pred
                else:
                    fp += pred
                    tn += not pred
                if args.misses and name.startswith(args.misses) and h == halves[0]:
                    if gold is not None and pred != gold:
                        listed.append((c.confidence, c.category, ("FA " if pred else "miss ") + text))
            n = tp + fp + fn + tn
            if any(g is False for _i, _t, g in rows) and any(g for _i, _t, g in rows):
                p = tp / (tp + fp) if tp + fp else 0.0
                r = tp / (tp + fn) if tp + fn else 0.0
                f1 = 2 * p * r / (p + r) if p + r else 0.0
                cells.append(f"P {p:.3f} R {r:.3f} F1 {f1:.3f} (n={n})")
            elif rows and rows[0][2] is False:
                cells.append(f"called report {fp / n if n else 0:.3f} (n={n})")
            elif rows and rows[0][2] is None:
                cells.append(f"called report {tp / n if n else 0:.3f} (n={n})")
            else:
                cells.append(f"recall {tp / n if n else 0:.3f} (n={n})")
        print(f"{name:<26}" + "".join(f"{c:>38}" for c in cells))
    if listed:
        print()
        for conf, cat, text in sorted(listed, key=lambda x: -x[0])[: args.n]:
            print(f"{conf:.2f} {cat or '-':<12} {text[:80]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

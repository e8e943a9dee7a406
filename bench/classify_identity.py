"""Output identity check for classifier speed work: one digest over everything the classifier says.

    python bench/classify_identity.py [--data-dir D] [--save FILE] [--check FILE]

Corpus: the synthetic group-chat lines of bench/classify.py (10,000, deterministic) plus every
`text` and `title` value of ../shared/data/public/*.csv, read at run time (no data row is ever
written to the repository or to the output; only counts and hashes are printed). Without the data
directory the public part is skipped and said so.

For each text, in order: classify(text), classify(text, role="grid_worker"), tokens(text) and
explain(text), with this checkout's config/categories.yaml (or --config). Each of the four streams gets its own sha256 over the JSON of its results, and one
overall digest combines them. A change that makes the classifier faster must leave every digest
unchanged.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def public_texts(data_dir: Path | None) -> tuple[list[str], dict[str, int]]:
    from bot.classifier.evaluate import find_data_dir

    root = data_dir if data_dir is not None else find_data_dir()
    if root is None or not (root / "public").is_dir():
        return [], {}
    csv.field_size_limit(sys.maxsize)
    texts: list[str] = []
    counts: dict[str, int] = {}
    for path in sorted((root / "public").glob("*.csv")):
        n = 0
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for col in ("text", "title"):
                    v = row.get(col)
                    if v:
                        texts.append(v)
                        n += 1
        counts[path.name] = n
    return texts, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--save", type=Path, help="write the digests as JSON to this file (outside the repo)")
    ap.add_argument("--check", type=Path, help="compare with digests saved earlier; exit 1 on a difference")
    ap.add_argument("--no-explain", action="store_true", help="skip the explain() stream (faster)")
    ap.add_argument("--config", type=Path, default=REPO / "config" / "categories.yaml")
    args = ap.parse_args()

    from classify import synthetic

    from bot.classifier import Classifier

    texts = synthetic(10_000)
    pub, counts = public_texts(args.data_dir)
    if not pub:
        print("no ../shared/data/public: synthetic texts only")
    texts += pub
    clf = Classifier.load(args.config)
    print(f"config: {args.config} (sha256 {hashlib.sha256(args.config.read_bytes()).hexdigest()[:16]})")

    streams = {
        "classify": lambda s: clf.classify(s).as_dict(),
        "classify_worker": lambda s: clf.classify(s, role="grid_worker").as_dict(),
        "tokens": clf.tokens,
    }
    if not args.no_explain:
        streams["explain"] = clf.explain
    digests: dict[str, str] = {}
    t0 = time.perf_counter()
    for name, fn in streams.items():
        h = hashlib.sha256()
        for s in texts:
            h.update(json.dumps(fn(s), ensure_ascii=False, sort_keys=True).encode("utf-8"))
            h.update(b"\n")
        digests[name] = h.hexdigest()
    overall = hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()
    n_chars = sum(map(len, texts))
    print(f"corpus: {len(texts)} texts ({n_chars} chars): 10000 synthetic + {len(pub)} public {counts}")
    for name, d in digests.items():
        print(f"  {name:<16} {d}")
    print(f"overall {overall}  ({time.perf_counter() - t0:.1f} s)")
    result = {"n_texts": len(texts), "n_chars": n_chars, "digests": digests, "overall": overall}
    if args.save:
        args.save.write_text(json.dumps(result, indent=1))
    if args.check:
        want = json.loads(args.check.read_text())
        if want != result:
            for k in sorted(set(want["digests"]) | set(digests)):
                if want["digests"].get(k) != digests.get(k):
                    print(f"DIFFERENT: {k}")
            if want["n_texts"] != result["n_texts"]:
                print(f"DIFFERENT corpus size: {want['n_texts']} -> {result['n_texts']}")
            sys.exit(1)
        print("identical to", args.check)


if __name__ == "__main__":
    main()

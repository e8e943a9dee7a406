"""Figures on our own group-chat messages: the register the bot reads (short, colloquial, typed in a hurry).

    python bench/group_chat.py [--set a..u|tune|held|all] [--worst N]

bench/group_chat/*.jsonl are messages written for this project (not rows of ../shared/data), each
set by a helper who read only ../shared/CATEGORIES.md and a brief (setting, share of reports and of red,
style: typos, dialect, traditional characters, emoji, @mentions, hard non-reports), never the
classifier or its config. Labels are the writer's own: `is_report`, one of the 14 codes, `urgency`,
`ambiguous`.

- a-q (6,400 messages, 875 red): tune sets. Each was first measured untouched, as the held set of its
  round, then its misses read and the rules extended (a-i in session 6; j-q in session 7).
- r, s, t and u (400 messages each, 60 red; a southern coastal city in the typhoon season, a northern
  city in deep winter, an inland city of central China, a hilly western city), when present: held.
  Their figures are read; their rows are not.

Prints the same report as `gridbot eval`. A unit test (tests/unit/test_group_chat_sets.py) keeps the
tune sets from sliding back.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.classifier.engine import Classifier  # noqa: E402
from bot.classifier.evaluate import format_report, read_jsonl, score  # noqa: E402

FOLDER = REPO / "bench" / "group_chat"
TUNE = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q")
HELD = ("r", "s", "t", "u")


def load(names: tuple[str, ...]) -> list[dict]:
    return [row for n in names if (FOLDER / f"{n}.jsonl").is_file() for row in read_jsonl(FOLDER / f"{n}.jsonl")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default="all", choices=(*TUNE, *HELD, "tune", "held", "all"))
    ap.add_argument("--worst", type=int, default=0, help="list the N worst misses (tune sets only)")
    args = ap.parse_args()
    groups = {"tune": TUNE, "held": HELD, "all": None}
    if args.worst and (args.set in HELD or args.set in ("held", "all")):
        ap.error("--worst lists misses of the tune sets only; the held set is read for its figures")
    clf = Classifier.load()
    names = [(args.set, groups.get(args.set) or (args.set,))] if args.set != "all" else [
        ("tune", TUNE), ("held", HELD)]
    for title, sets in names:
        rows = load(sets)
        if not rows:
            print(f"== {title}: no messages")
            continue
        print(format_report(score(rows, clf), title=f"group chat, {title}", worst=args.worst))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

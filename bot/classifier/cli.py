"""Command-line entry points of the classifier (mounted by the core as `gridbot classify`,
`gridbot eval` and `gridbot rules check`; runnable alone as `python -m bot.classifier.cli …`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.classifier.engine import Classifier
from bot.classifier.taxonomy import Taxonomy, TaxonomyError

app = typer.Typer(
    help="gridbot classifier: classify messages, measure, check the rules.", no_args_is_help=True
)

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="categories.yaml to use instead of the packaged one."),
]


def _load(config: Path | None) -> Classifier:
    try:
        return Classifier.load(config)
    except TaxonomyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _record(clf: Classifier, text: str, explain: bool) -> dict:
    c = clf.classify(text)
    out = {
        "text": text,
        "is_report": c.is_report,
        "category": c.category,
        "subcategory": c.subcategory,
        "urgency": c.urgency,
        "confidence": c.confidence,
        "keywords": list(c.keywords),
        "location": c.location,
        "emergency": list(c.emergency),
    }
    if explain:
        out["explain"] = clf.explain(text)
    return out


@app.command("classify")
def classify_command(
    explain: Annotated[bool, typer.Option("--explain", help="Add the reasons, in Chinese.")] = False,
    config: ConfigOpt = None,
) -> None:
    """One message per stdin line → one JSON object per stdout line. Interactive on a terminal."""
    clf = _load(config)
    if sys.stdin.isatty():
        typer.echo("输入一条消息，回车分类；Ctrl-D 结束。")
        while True:
            try:
                line = input("> ")
            except (EOFError, KeyboardInterrupt):
                typer.echo("")
                return
            if not line.strip():
                continue
            rec = _record(clf, line, explain)
            if explain:
                typer.echo(rec.pop("explain"))
            typer.echo(json.dumps(rec, ensure_ascii=False))
        return
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        typer.echo(json.dumps(_record(clf, text, explain), ensure_ascii=False))


@app.command("eval")
def eval_command(
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Score this JSONL (text, is_report, category, urgency)."),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Folder with eval/ and public/ (default ../shared/data)."),
    ] = None,
    worst: Annotated[int, typer.Option("--worst", help="How many of the worst misses to print.")] = 20,
    clear: Annotated[
        bool, typer.Option("--clear", help="Leave out the JSONL rows the labeller flagged ambiguous.")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Precision/recall/F1 of report detection, per-category and macro F1, red recall, confusion matrix."""
    from bot.classifier import evaluate as ev

    def report(clf, rows: list[dict], title: str) -> str:
        if clear:
            rows, left_out = ev.drop_ambiguous(rows)
            title = f"{title} (--clear: {left_out} rows flagged ambiguous left out)"
        return ev.format_report(ev.score(rows, clf), title=title, worst=worst)

    if file is not None:
        if not file.is_file():
            typer.echo(f"error: no such file: {file}", err=True)
            raise typer.Exit(2)
        clf = _load(config)
        try:
            rows = ev.read_jsonl(file)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(report(clf, rows, str(file)))
        return
    root = ev.find_data_dir(data_dir)
    if root is None:
        typer.echo(
            "no evaluation data found (../shared/data, --data-dir or GRIDBOT_DATA_DIR); nothing to measure."
        )
        return
    titles = root / "eval" / "public_titles.jsonl"
    binary = root / "public" / "is_report_eval.csv"
    if not titles.is_file() and not binary.is_file():
        typer.echo(f"no evaluation files under {root}; nothing to measure.")
        return
    clf = _load(config)
    if titles.is_file():
        typer.echo(report(clf, ev.read_jsonl(titles), str(titles)))
        typer.echo("")
    if binary.is_file():
        typer.echo(ev.format_binary(ev.score_binary(ev.read_binary_csv(binary), clf), title=str(binary)))


@app.command("rules-check")
def rules_check_command(config: ConfigOpt = None) -> None:
    """Validate categories.yaml and list words claimed by two top-level categories."""
    try:
        tax = Taxonomy.load(config)
    except TaxonomyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    subs = list(tax.iter_subcategories())
    n_words = len(tax.keyword_owners())
    typer.echo(
        f"{tax.source}: ok — {len(tax.categories)} categories, {len(subs)} sub-categories, {n_words} words"
    )
    overlaps = tax.overlaps()
    if overlaps:
        typer.echo(f"{len(overlaps)} words claimed by more than one category:")
        for word, owners in overlaps.items():
            typer.echo(f"  {word}: {', '.join(owners)}")
    else:
        typer.echo("no word is claimed by two categories")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

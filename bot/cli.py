"""`gridbot …`: the command line of the bot."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import Settings, SettingsError, load_settings

app = typer.Typer(help="gridbot: resident reports in group chats become cases that grid workers close.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
org_app = typer.Typer(help="Organisation: units, people, roles, chats.", no_args_is_help=True)
rules_app = typer.Typer(help="Classifier rules in config/categories.yaml.", no_args_is_help=True)
outbox_app = typer.Typer(help="Messages waiting to be sent, or that failed.", invoke_without_command=True)
app.add_typer(db_app, name="db")
app.add_typer(org_app, name="org")
app.add_typer(rules_app, name="rules")
app.add_typer(outbox_app, name="outbox")
calendar_app = typer.Typer(help="Working-day calendar: statutory holidays and 调休 days.", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="TOML settings file (or GRIDBOT_CONFIG).")]


class Fail(Exception):
    """An error for a person: printed as one line, exit status 1."""


@app.callback()
def main_options(config: ConfigOpt = None,
                 verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Log more.")] = False) -> None:
    if config is not None:
        os.environ["GRIDBOT_CONFIG"] = str(config)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def settings(**overrides) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        raise Fail(str(exc)) from None


def engine_for(s: Settings, *, migrate: bool = True):
    from bot.store.db import DatabaseError, make_engine, upgrade

    engine = make_engine(s.database_url)
    try:
        if migrate:
            upgrade(engine)
        else:
            from bot.store.db import check_connection

            check_connection(engine)
    except DatabaseError as exc:
        raise Fail(str(exc)) from None
    return engine


@app.command()
def demo(keep: Annotated[Path | None, typer.Option(help="Keep the demo database in this folder.")] = None,
         transport: Annotated[str, typer.Option(help="ptb or aiogram.")] = "ptb",
         scenario: Annotated[str, typer.Option(help="morning (the case loop) or overdue (reminder, yellow and "
                                                    "red card, raised to the community, rated; fast clock).")]
         = "morning") -> None:
    """Play a scripted morning in one grid against a local Bot API stand-in."""
    from bot.demo import run_demo

    if transport not in ("ptb", "aiogram"):
        raise Fail(f"unknown transport {transport!r}: use ptb or aiogram")
    if scenario == "overdue":
        from bot.demo_overdue import run_overdue_demo

        print(asyncio.run(run_overdue_demo(keep=keep, transport=transport)))
        return
    if scenario != "morning":
        raise Fail(f"unknown scenario {scenario!r}: use morning or overdue")
    print(asyncio.run(run_demo(keep=keep, transport=transport)))


@app.command()
def run(
    transport: Annotated[str | None, typer.Option(help="ptb or aiogram (default: setting).")] = None,
    webhook: Annotated[str | None, typer.Option(help="Public HTTPS URL Telegram posts updates to.")] = None,
    listen: Annotated[str, typer.Option(help="HOST:PORT the webhook server listens on.")] = "127.0.0.1:8443",
) -> None:
    """Run the bot: polling, or --webhook URL --listen HOST:PORT."""
    from bot.runtime.app import GridBot, make_transport
    from bot.transport.base import TransportError

    s = settings()
    if not s.token:
        raise Fail("no bot token: set GRIDBOT_TOKEN or token = \"…\" in the config file")
    if transport not in (None, "ptb", "aiogram"):
        raise Fail(f"unknown transport {transport!r}: use ptb or aiogram")
    if webhook and not s.webhook_secret:
        raise Fail("webhook mode needs a secret: set GRIDBOT_WEBHOOK_SECRET (1-256 of A-Z a-z 0-9 _ -)")
    engine = engine_for(s, migrate=True)
    try:
        bot = GridBot(s, engine, make_transport(s, transport))
        from bot.reports.fonts import announce
        from bot.services.digest import install_jobs

        announce(str(s.chart_font) if s.chart_font else None)  # says clearly when charts have no CJK font
        install_jobs(bot)  # scheduled daily / weekly digests to command groups
        if webhook:
            from bot.runtime.webhook import run_webhook

            asyncio.run(run_webhook(bot, webhook, listen, s.webhook_secret or ""))
        else:
            asyncio.run(bot.run_forever())
    except TransportError as exc:
        raise Fail(str(exc)) from None
    except KeyboardInterrupt:
        pass


@app.command("export")
def export_cases(
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (local time).")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="xlsx, csv or open311 (GeoReport v2 JSON).")] = "xlsx",
    unit: Annotated[str | None, typer.Option("--unit", help="Unit code (default: every unit).")] = None,
    unmasked: Annotated[bool, typer.Option("--unmasked", help="Admins only: phone and ID numbers in clear; "
                                                               "audit-logged.")] = False,
    as_admin: Annotated[str | None, typer.Option("--as", help="With --unmasked: the admin's Telegram id or "
                                                              "name.")] = None,
) -> None:
    """Export the cases created between two days (with events and a summary in xlsx); masked by default."""
    import time

    from bot.reports.export import ExportError, export, parse_day

    s = settings()
    engine = engine_for(s, migrate=True)
    started = time.perf_counter()
    try:
        result = export(engine, fmt=fmt, output=output, first_day=parse_day(date_from, "--from"),
                        last_day=parse_day(date_to, "--to"), unit_code=unit, settings=s, unmasked=unmasked,
                        admin=as_admin)
    except ExportError as exc:
        raise Fail(str(exc)) from None
    events = f", {result.events} events" if fmt == "xlsx" else ""
    masking = "UNMASKED (audit-logged)" if not result.masked else "phone and ID numbers masked"
    print(f"exported {result.cases} cases{events} to {result.path} ({fmt}, {masking}) "
          f"in {time.perf_counter() - started:.1f} s")
    for note in result.notes:
        print(f"note: {note}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema (alembic) on the configured database."""
    s = settings()
    engine_for(s, migrate=True)
    print(f"database at head: {s.database_url}")


@org_app.command("import")
def org_import(file: Annotated[Path, typer.Argument(help="Organisation YAML, e.g. config/org.example.yaml.")]) -> None:
    """Load units, people, roles (and chats) from a YAML file; safe to run again."""
    from bot.services.org import OrgFileError, import_org
    from bot.store.db import unit_of_work

    engine = engine_for(settings(), migrate=True)
    try:
        with unit_of_work(engine) as session:
            summary = import_org(session, file)
    except OrgFileError as exc:
        raise Fail(str(exc)) from None
    print(f"imported {summary.units} units, {summary.people} people, {summary.roles} roles, {summary.chats} chats")


@app.command("classify")
def classify(explain: Annotated[bool, typer.Option("--explain", help="Say why, in Chinese.")] = False) -> None:
    """Classify messages: one per stdin line → one JSON object per line."""
    from bot.classifier.cli import classify_command

    classify_command(explain=explain, config=settings().categories_file)


@app.command("eval")
def evaluate(
    file: Annotated[Path | None, typer.Option("--file", help="Score this JSONL file instead.")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Folder of the shared data.")] = None,
    worst: Annotated[int, typer.Option("--worst", help="How many of the worst misses to print (0: none, "
                                                     "when tuning rules must not see eval rows).")] = 20,
    clear: Annotated[bool, typer.Option("--clear", help="Leave out the rows the labeller flagged "
                                                      "ambiguous (a second figure, not the goal's).")] = False,
) -> None:
    """Measure the classifier on the labelled messages in ../shared/data."""
    from bot.classifier.cli import eval_command

    eval_command(file=file, data_dir=data_dir, worst=worst, clear=clear)


@rules_app.command("check")
def rules_check() -> None:
    """Validate config/categories.yaml; list keywords claimed by two categories."""
    from bot.classifier.cli import rules_check_command

    rules_check_command(config=settings().categories_file)


@rules_app.command("suggest")
def rules_suggest(top: Annotated[int, typer.Option(help="Candidates per category or urgency.")] = 10) -> None:
    """Mine workers' corrections (/recat, /urgency) for candidate keywords and red triggers."""
    from sqlmodel import select

    from bot.classifier.suggest import suggest_from_corrections
    from bot.classifier.taxonomy import Taxonomy
    from bot.store.db import unit_of_work
    from bot.store.tables import Case, Correction

    config = settings()
    engine = engine_for(config)
    with unit_of_work(engine) as s:
        rows = [(c.text, c.old_category, c.new_category, c.old_urgency, c.new_urgency)
                for c in s.exec(select(Correction).order_by(Correction.id))]
        corrected = {r[0] for r in rows}
        others = [t for t in s.exec(select(Case.text).limit(20000)) if t not in corrected]
    if not rows:
        print("no corrections yet: workers correct a case by replying /recat <code> or /urgency 红|黄|绿 "
              "to a task card")
        return
    known = Taxonomy.load(config.categories_file).vocabulary()
    for line in suggest_from_corrections(rows, others, top=top, known=known):
        print(line)


@outbox_app.callback()
def outbox_list(ctx: typer.Context,
                all_rows: Annotated[bool, typer.Option("--all", help="Also pending rows.")] = False) -> None:
    """List messages that failed to send (and with --all, those still waiting)."""
    if ctx.invoked_subcommand:
        return
    from sqlmodel import col, select

    from bot.store.db import unit_of_work
    from bot.store.tables import OutboxMessage

    engine = engine_for(settings())
    with unit_of_work(engine) as s:
        states = ["failed", "pending"] if all_rows else ["failed"]
        rows = s.exec(select(OutboxMessage).where(col(OutboxMessage.status).in_(states))
                      .order_by(OutboxMessage.id)).all()
    if not rows:
        print("outbox: nothing failed" + (" or waiting" if all_rows else ""))
    for r in rows:
        print(f"{r.id}\t{r.status}\tchat {r.chat_id}\t{r.method}\tattempts {r.attempts}\t{r.error or ''}")


@outbox_app.command("retry")
def outbox_retry() -> None:
    """Queue every failed message again; the running bot sends them."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from bot.store.db import unit_of_work
    from bot.store.tables import OutboxMessage

    engine = engine_for(settings())
    with unit_of_work(engine) as s:
        n = s.exec(update(OutboxMessage).where(OutboxMessage.status == "failed")
                   .values(status="pending", attempts=0, next_attempt_at=datetime.now(UTC))).rowcount
    print(f"re-queued {n} messages")


@calendar_app.command("check")
def calendar_check(
    file: Annotated[Path | None, typer.Option("--file", help="Holiday file (default: setting holidays_file, "
                                                            "else the packaged config/holidays.yaml).")] = None,
    today: Annotated[str | None, typer.Option("--today", help="Check as of this day, YYYY-MM-DD.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when there is a warning.")] = False,
) -> None:
    """Which years the working-day calendar covers; warns when its end is within calendar_warn_days."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from bot.services.calendar_coverage import coverage, report_lines
    from bot.workcalendar import WorkCalendar

    s = settings()
    path = file or s.holidays_file
    try:
        calendar = WorkCalendar.load(path)
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise Fail(f"cannot read holiday file {path}: {exc}") from None
    try:
        day = date.fromisoformat(today) if today else datetime.now(ZoneInfo(s.timezone)).date()
    except ValueError:
        raise Fail(f"--today must be YYYY-MM-DD, got {today!r}") from None
    cov = coverage(calendar, day, s.calendar_warn_days)
    print(f"holiday file: {path or 'packaged config/holidays.yaml'}")
    for line in report_lines(cov):
        print(line)
    if strict and cov.warning:
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    except Fail as exc:
        typer.secho(f"gridbot: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()

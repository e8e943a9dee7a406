"""The digest chart: new cases per day stacked by category, and closure / on-time rates by grid (PNG)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import matplotlib

matplotlib.use("Agg")  # no display: charts are files sent as photos

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from bot import texts  # noqa: E402
from bot.reports.figures import Digest, GridRow  # noqa: E402
from bot.reports.fonts import CJKFont  # noqa: E402

TOP_CATEGORIES = 6
MAX_GRIDS = 20
COLORS = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#B0B0B0"]


def render_chart(d: Digest, font: CJKFont, category_name: Callable[[str], str], *, title: str = "",
                 dpi: int = 110) -> bytes:
    grids = _grids_to_show(d.grids)
    height = 3.6 + 0.32 * max(4, len(grids))
    fig = Figure(figsize=(10, height), dpi=dpi)
    with matplotlib.rc_context({"font.family": [font.family, "DejaVu Sans"], "axes.unicode_minus": False}):
        top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3.2, 0.32 * max(4, len(grids))]})
        if title:
            fig.suptitle(title, fontsize=14)
        _daily(top, d, category_name)
        _rates(bottom, grids, total=len(d.grids))
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()


def _daily(ax, d: Digest, category_name: Callable[[str], str]) -> None:
    first = d.start.date()  # the period's days in its own zone, also those without a case
    last = (min(d.end, d.as_of) - timedelta(microseconds=1)).astimezone(d.start.tzinfo).date()
    days = [first + timedelta(days=i) for i in range(max(0, (last - first).days) + 1)]
    totals: Counter = Counter()
    for per_day in d.daily.values():
        totals.update(per_day)
    top = [c for c, _ in totals.most_common(TOP_CATEGORIES)]
    series: list[tuple[str, list[int]]] = [
        (category_name(c), [d.daily.get(day, Counter()).get(c, 0) for day in days]) for c in top]
    rest = [sum(n for c, n in d.daily.get(day, Counter()).items() if c not in top) for day in days]
    if any(rest):
        series.append((texts.CHART_OTHERS, rest))
    ax.set_title(texts.CHART_DAILY_TITLE, fontsize=12)
    ax.set_ylabel(texts.CHART_DAILY_Y)
    if not days or not series:
        ax.text(0.5, 0.5, texts.CHART_NO_CASES, ha="center", va="center", transform=ax.transAxes, fontsize=12)
        ax.set_xticks([])
        return
    x = list(range(len(days)))
    bottom = [0] * len(days)
    for i, (label, values) in enumerate(series):
        ax.bar(x, values, bottom=bottom, label=label, color=COLORS[i % len(COLORS)], width=0.8)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, len(days) // 15)
    ax.set_xticks(x[::step], [f"{day.month}/{day.day}" for day in days[::step]], fontsize=9)
    ax.legend(ncols=min(len(series), 4), fontsize=9, loc="upper left", frameon=False)
    ax.set_ylim(0, max(bottom) * 1.25 + 1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)


def _grids_to_show(grids: list[GridRow]) -> list[GridRow]:
    """All grids when they fit; else those with the lowest on-time rate (the ones to look at)."""
    if len(grids) <= MAX_GRIDS:
        return grids
    ranked = sorted(grids, key=lambda g: (g.resolution.value if g.resolution.value is not None else 2.0,
                                          -g.overdue_now, g.name))
    return ranked[:MAX_GRIDS]


def _rates(ax, grids: list[GridRow], total: int) -> None:
    if total > len(grids):
        ax.set_title(texts.fmt(texts.CHART_RATES_TITLE_WORST, n=len(grids), total=total), fontsize=12)
    else:
        ax.set_title(texts.CHART_RATES_TITLE, fontsize=12)
    names = [g.name for g in grids][::-1]
    closure = [(g.closure.value or 0) * 100 for g in grids][::-1]
    on_time = [(g.resolution.value or 0) * 100 for g in grids][::-1]
    y = list(range(len(grids)))
    h = 0.38
    ax.barh([v + h / 2 for v in y], closure, height=h, label=texts.CHART_CLOSURE, color=COLORS[0])
    ax.barh([v - h / 2 for v in y], on_time, height=h, label=texts.CHART_ON_TIME, color=COLORS[2])
    for yy, value in zip(y, closure, strict=True):
        ax.text(value + 1, yy + h / 2, f"{value:.0f}%", va="center", fontsize=8)
    for yy, value in zip(y, on_time, strict=True):
        ax.text(value + 1, yy - h / 2, f"{value:.0f}%", va="center", fontsize=8)
    ax.set_yticks(y, names, fontsize=9)
    ax.set_ylim(-0.6, max(len(grids), 4) - 0.4)  # bars keep their thickness when there are few grids
    ax.set_xlim(0, 135)  # room on the right for the legend, clear of the 100 % bars
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel("%")
    ax.legend(fontsize=9, loc="lower right", frameon=True)
    ax.spines[["top", "right"]].set_visible(False)

"""The CSV export: one row per case, the xlsx case sheet's columns, UTF-8 with a BOM so Excel reads Chinese."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot import texts
from bot.reports.export import CASE_FIELDS, ExportSummary, Scope, local_naive

TIME_FIELDS = {"created", "accept_by", "accepted", "resolve_by", "resolved", "closed"}


def write_csv(path: Path, scope: Scope, cases: Iterable[dict[str, Any]], result: ExportSummary) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow([texts.EXPORT_CASE_HEADERS[k] for k in CASE_FIELDS])
        n = 0
        for row in cases:
            out.writerow([_cell(row[k], k, scope) for k in CASE_FIELDS])
            n += 1
    result.cases = n


def _cell(value: Any, key: str, scope: Scope) -> Any:
    if key in TIME_FIELDS:
        t = local_naive(value, scope.tz)
        return t.strftime("%Y-%m-%d %H:%M") if t else ""
    return "" if value is None else value

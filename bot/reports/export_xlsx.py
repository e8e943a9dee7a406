"""The xlsx export: sheets 工单 (cases), 流转记录 (audit events) and 汇总 (summary).

Chinese headers, column widths that fit the content, the header row frozen, times as real Excel dates
(local wall-clock time). Written in openpyxl's write-only mode, so a month of a whole street streams to disk
instead of being held in memory; a sheet that would pass Excel's row limit continues on a second sheet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot import texts
from bot.reports.export import CASE_FIELDS, EVENT_FIELDS, ExportSummary, Scope, local_naive
from bot.reports.figures import Digest

EXCEL_MAX_ROWS = 1_048_576
DATE_FORMAT = "yyyy-mm-dd hh:mm"
CASE_WIDTHS = {"number": 16, "state": 13, "category": 10, "subcategory": 14, "urgency": 9, "street": 12,
               "community": 14, "grid": 20, "owner": 20, "tier": 7, "worker": 9, "reporter": 9, "location": 16,
               "text": 50, "created": 17, "accept_by": 17, "accepted": 17, "resolve_by": 17, "resolved": 17,
               "closed": 17, "accept_on_time": 9, "resolve_on_time": 9, "reopens": 9}
EVENT_WIDTHS = {"number": 16, "at": 17, "actor": 10, "action": 11, "from": 13, "to": 13, "note": 50}
TIME_FIELDS = {"created", "accept_by", "accepted", "resolve_by", "resolved", "closed", "at"}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="4C72B0")
TITLE_FONT = Font(bold=True, size=13)


class _Sheets:
    """Rows appended to a sheet that continues on "name (2)" when Excel's row limit is reached."""

    def __init__(self, wb: Workbook, title: str, fields: list[str], headers: dict[str, str],
                 widths: dict[str, int]):
        self.wb, self.title, self.fields, self.headers, self.widths = wb, title, fields, headers, widths
        self.count = 0
        self.rows_in_sheet = 0
        self.sheets = 0
        self.ws = None
        self._date_cells: dict[int, WriteOnlyCell] = {}

    def _new_sheet(self) -> None:
        self.sheets += 1
        title = self.title if self.sheets == 1 else f"{self.title}（{self.sheets}）"
        ws = self.wb.create_sheet(title)
        ws.freeze_panes = "A2"
        for i, f in enumerate(self.fields, 1):
            ws.column_dimensions[get_column_letter(i)].width = self.widths.get(f, 12)
        header = []
        for f in self.fields:
            cell = WriteOnlyCell(ws, value=self.headers[f])
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center")
            header.append(cell)
        ws.append(header)
        self.ws, self.rows_in_sheet = ws, 1

    def append(self, values: list[Any]) -> None:
        if self.ws is None or self.rows_in_sheet >= EXCEL_MAX_ROWS:
            self._new_sheet()
        self.ws.append(values)
        self.rows_in_sheet += 1
        self.count += 1

    def fill(self, rows: Iterable[dict[str, Any]], scope: Scope) -> None:
        """Every row, times as local dates; the sheet exists (headers only) even when there are none."""
        if self.ws is None:
            self._new_sheet()
        for row in rows:
            self.append([self.dated(local_naive(row[f], scope.tz)) if f in TIME_FIELDS else row[f]
                         for f in self.fields])

    def dated(self, value: datetime | None) -> Any:
        if value is None:
            return None
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell


def write_xlsx(path: Path, scope: Scope, cases: Iterable[dict[str, Any]], events: Iterable[dict[str, Any]],
               digest: Digest, category_name: Callable[[str], str], now: datetime, result: ExportSummary) -> None:
    wb = Workbook(write_only=True)
    _summary_sheet(wb, scope, digest, category_name, now)
    case_sheet = _Sheets(wb, texts.EXPORT_SHEET_CASES, CASE_FIELDS, texts.EXPORT_CASE_HEADERS, CASE_WIDTHS)
    case_sheet.fill(cases, scope)
    event_sheet = _Sheets(wb, texts.EXPORT_SHEET_EVENTS, EVENT_FIELDS, texts.EXPORT_EVENT_HEADERS, EVENT_WIDTHS)
    event_sheet.fill(events, scope)
    if case_sheet.sheets > 1 or event_sheet.sheets > 1:
        result.notes.append("a sheet passed Excel's row limit and continues on a second sheet")
    wb.save(path)
    result.cases, result.events = case_sheet.count, event_sheet.count


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _summary_sheet(wb: Workbook, scope: Scope, d: Digest, category_name, now: datetime) -> None:
    ws = wb.create_sheet(texts.EXPORT_SHEET_SUMMARY)
    for col, width in zip("ABCDEFGHI", (22, 22, 10, 10, 10, 10, 12, 10, 10), strict=True):
        ws.column_dimensions[col].width = width

    def title(text: str) -> None:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = TITLE_FONT
        ws.append([cell])

    def header(values: list[str]) -> None:
        cells = []
        for v in values:
            cell = WriteOnlyCell(ws, value=v)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cells.append(cell)
        ws.append(cells)

    def percent(value: float | None) -> Any:
        cell = WriteOnlyCell(ws, value=_pct(value))
        cell.number_format = "0.0%"
        return cell

    labels = texts.EXPORT_SUMMARY_ROWS
    title(texts.fmt(texts.EXPORT_SUMMARY_TITLE, unit=scope.label, first=scope.first_day, last=scope.last_day,
                    at=local_naive(now, scope.tz).strftime("%Y-%m-%d %H:%M")))
    rows: list[tuple[str, Any]] = [
        ("new", d.new), ("accepted", d.accepted), ("resolved", d.resolved), ("closed", d.closed),
        ("reopened", d.reopened), ("open", d.open_now), ("overdue", d.overdue_now),
    ]
    for key, value in rows:
        ws.append([labels[key], value])
    for key, r in (("response", d.response), ("resolution", d.resolution), ("satisfaction", d.satisfaction)):
        ws.append([labels[key], percent(r.value), f"{r.num}/{r.den}"])
    ws.append([labels["default_satisfied"], d.default_satisfied])
    for key, value in (("t_accept_mean", d.t_accept.mean), ("t_accept_p90", d.t_accept.p90),
                       ("t_resolve_mean", d.t_resolve.mean), ("t_resolve_p90", d.t_resolve.p90)):
        ws.append([labels[key], _hours(value)])
    ws.append([labels["patrols"], d.patrols])
    ws.append([])
    header(texts.EXPORT_GRID_HEADERS)
    for g in d.grids:
        ws.append([g.community, g.name, g.new, g.closed, percent(g.closure.value), percent(g.response.value),
                   percent(g.resolution.value), g.open_now, g.overdue_now])
    ws.append([])
    header(texts.EXPORT_CATEGORY_HEADERS)
    for code, n in d.by_category.most_common():
        ws.append([category_name(code), n])
    ws.append([])
    header(texts.EXPORT_WORKER_HEADERS)
    for i, w in enumerate(d.ranking(), 1):
        ws.append([i, w.name, w.accepted, w.resolved, percent(w.on_time.value), w.open_now, w.overdue_now,
                   w.patrols])

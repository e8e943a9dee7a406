"""`gridbot export`: xlsx reopened and checked, CSV, Open311 GeoReport v2 JSON, masking and the audited
--unmasked. Data: the seeded week of test_digest (on SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from bot.reports.export import ExportError, export
from bot.reports.open311 import FIELDS
from bot.reports.records import ReportAudit
from bot.settings import Settings
from bot.store.db import unit_of_work
from tests.integration.test_digest import NOW, seed

WEEK = dict(first_day=date(2026, 11, 16), last_day=date(2026, 11, 22))
# GeoReport v2 "GET service requests" response fields (wiki.open311.org/GeoReport_v2)
GEOREPORT_V2_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code",
                       "description", "agency_responsible", "service_notice", "requested_datetime",
                       "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
                       "media_url"}


def run(engine, tmp_path, fmt, name, **kw):
    return export(engine, fmt=fmt, output=tmp_path / name, settings=Settings(), now=NOW.astimezone(UTC),
                  **{**WEEK, "unit_code": None, **kw})


def test_xlsx_reopened(engine, tmp_path):
    seed(engine)
    result = run(engine, tmp_path, "xlsx", "week.xlsx")
    # H was created before the week, I after it; A 6 events, B 8, C 5 (a follow, a 黄牌), D 3, E 5, F 5, G 6
    assert (result.cases, result.events) == (7, 38)
    wb = load_workbook(tmp_path / "week.xlsx")
    assert wb.sheetnames == ["汇总", "工单", "流转记录"]
    cases, events, summary = wb["工单"], wb["流转记录"], wb["汇总"]
    header = [c.value for c in cases[1]]
    assert header[:5] == ["工单号", "状态", "类别", "子类", "紧急程度"] and "登记时间" in header
    assert cases.freeze_panes == "A2" and events.freeze_panes == "A2"
    assert cases.column_dimensions["N"].width >= 40  # 问题描述 is wide
    rows = list(cases.iter_rows(min_row=2, values_only=True))
    first = dict(zip(header, rows[0], strict=True))
    assert first["工单号"] == "20261116-0001" and first["状态"] == "已结案" and first["类别"] == "环境卫生"
    assert first["网格"] == "翠苑社区第一网格" and first["社区"] == "翠苑社区" and first["街道"] == "西湖街道"
    assert first["登记时间"] == datetime(2026, 11, 16, 9, 0)  # a real date, local wall-clock time
    assert cases.cell(row=2, column=header.index("登记时间") + 1).is_date
    assert first["按期受理"] == "是" and first["反映人"] == "王**"
    assert "139****5678" in first["问题描述"] and "13912345678" not in first["问题描述"]
    by_number = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    # B: accepted late against its first clock; 不满意 restarted the clock afterwards, the first one decides
    assert by_number["20261116-0002"]["按期受理"] == "否" and by_number["20261116-0002"]["重办次数"] == 1
    ev_header = [c.value for c in events[1]]
    assert ev_header == ["工单号", "时间", "操作人", "操作", "原状态", "新状态", "说明"]
    ev_rows = list(events.iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in ev_rows[:5]] == ["登记工单", "派单", "接单", "办结", "确认已解决"]
    assert isinstance(ev_rows[0][1], datetime)
    labels = {r[0]: r[1:] for r in summary.iter_rows(min_row=2, values_only=True) if r and r[0]}
    assert labels["新增"][0] == 7 and labels["重办"][0] == 1
    assert labels["响应率"][0] == pytest.approx(4 / 6, abs=1e-4) and labels["响应率"][1] == "4/6"
    assert labels["满意率"][1] == "4/5" and labels["默认满意（未计入满意率）"][0] == 1
    grid_rows = [r for r in summary.iter_rows(min_row=2, values_only=True) if r[1] == "翠苑社区第一网格"]
    assert grid_rows[0][:4] == ("翠苑社区", "翠苑社区第一网格", 4, 2)
    assert grid_rows[0][4] == pytest.approx(2 / 3, abs=1e-4)  # 结案率, formatted as a percentage


def test_csv_and_unit_scope(engine, tmp_path):
    seed(engine)
    result = run(engine, tmp_path, "csv", "cy.csv", unit_code="cy-community")
    assert result.cases == 6
    raw = (tmp_path / "cy.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 Chinese with the BOM
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 6 and {r["网格"] for r in rows} == {"翠苑社区第一网格", "翠苑社区第二网格"}
    assert rows[0]["登记时间"] == "2026-11-16 09:00" and "13912345678" not in raw.decode("utf-8-sig")


def test_open311_georeport_v2(engine, tmp_path):
    seed(engine)
    run(engine, tmp_path, "open311", "requests.json")
    data = json.loads((tmp_path / "requests.json").read_text("utf-8"))
    assert isinstance(data, list) and len(data) == 7
    assert set(FIELDS) == GEOREPORT_V2_FIELDS
    for request in data:
        assert GEOREPORT_V2_FIELDS <= set(request)
        assert set(request) - GEOREPORT_V2_FIELDS <= {"extended_attributes"}
        assert request["status"] in ("open", "closed")
        for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
            if request[key] is not None:
                assert datetime.fromisoformat(request[key]).utcoffset() is not None  # w3 format with a zone
        assert "13912345678" not in json.dumps(request, ensure_ascii=False)
    by_id = {r["service_request_id"]: r for r in data}
    a, c, d = by_id["20261116-0001"], by_id["20261116-0003"], by_id["20261116-0004"]
    assert (a["status"], a["service_code"], a["service_name"]) == ("closed", "environment", "环境卫生")
    assert a["requested_datetime"] == "2026-11-16T09:00:00+08:00" and a["address"] == "3号楼"
    assert a["agency_responsible"] == "翠苑社区第一网格" and a["updated_datetime"] == "2026-11-16T15:00:00+08:00"
    assert c["status"] == "open" and c["expected_datetime"] == "2026-11-23T08:00:00+08:00"
    assert d["status"] == "closed" and d["extended_attributes"]["gridbot_state"] == "merged"


def test_unmasked_is_for_admins_and_audit_logged(engine, tmp_path):
    seed(engine)
    with pytest.raises(ExportError, match="needs --as"):
        run(engine, tmp_path, "csv", "x.csv", unmasked=True)
    with pytest.raises(ExportError, match="not an admin"):
        run(engine, tmp_path, "csv", "x.csv", unmasked=True, admin="5000000011")  # a secretary
    result = run(engine, tmp_path, "csv", "x.csv", unmasked=True, admin="5000000001")
    assert not result.masked and "13912345678" in (tmp_path / "x.csv").read_text("utf-8-sig")
    with unit_of_work(engine) as s:
        [audit] = s.exec(select(ReportAudit)).all()
    assert audit.actor == "周志强" and audit.action == "export_unmasked"
    assert json.loads(audit.detail)["format"] == "csv"


def test_cli_export(sqlite_engine, tmp_path, monkeypatch):
    from bot.cli import app

    seed(sqlite_engine)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", sqlite_engine.url.render_as_string())
    out = tmp_path / "w.xlsx"
    res = CliRunner().invoke(app, ["export", "--from", "2026-11-16", "--to", "2026-11-22", "--unit", "cy-01",
                                   "--format", "xlsx", "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "exported 4 cases" in res.output and "masked" in res.output and out.exists()
    res = CliRunner().invoke(app, ["export", "--from", "2026-11-22", "--to", "2026-11-16", "--output", str(out)])
    assert res.exit_code != 0

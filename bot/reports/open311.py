"""Open311 GeoReport v2 export: the cases as the JSON body of `GET requests.json` (an array of service requests).

Core fields as the spec lists them; times in ISO 8601 with the zone offset; status is open or closed (the
spec has no other values), the precise gridbot state goes to status_notes and, with the rest of our own
data, to `extended_attributes` (the extension several cities and FixMyStreet use). We have no coordinates
or postal codes: lat, long, zipcode, address_id and media_url are null (photos are Telegram file ids).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot import texts
from bot.domain.case import FINAL_STATES
from bot.reports.export import ExportSummary, Scope

# GET requests response fields, GeoReport v2 (wiki.open311.org/GeoReport_v2)
FIELDS = ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
          "address", "address_id", "zipcode", "lat", "long", "media_url")
CLOSED = {s.value for s in FINAL_STATES}


def iso(dt: datetime | None, scope: Scope) -> str | None:
    return dt.astimezone(scope.tz).isoformat(timespec="seconds") if dt else None


def service_request(row: dict[str, Any], scope: Scope) -> dict[str, Any]:
    times = [t for t in (row["created"], row["accepted"], row["resolved"], row["closed"]) if t]
    return {
        "service_request_id": row["number"],
        "status": "closed" if row["state_code"] in CLOSED else "open",
        "status_notes": row["state"],
        "service_name": row["category"],
        "service_code": row["category_code"],
        "description": row["text"],
        "agency_responsible": row["owner"],
        "service_notice": texts.fmt(texts.OPEN311_NOTICE, accept_by=iso(row["accept_by"], scope) or "—",
                                    resolve_by=iso(row["resolve_by"], scope) or "—"),
        "requested_datetime": iso(row["created"], scope),
        "updated_datetime": iso(max(times), scope) if times else None,
        "expected_datetime": iso(row["resolve_by"], scope),
        "address": row["location"] or row["grid"],
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
        "extended_attributes": {
            "gridbot_state": row["state_code"],
            "urgency": row["urgency_code"],
            "subcategory": row["subcategory"] or None,
            "grid": row["grid_code"],
            "community": row["community"],
            "tier": row["tier_code"],
            "reopen_count": row["reopens"],
            "photos": row["photos"],
        },
    }


def write_open311(path: Path, scope: Scope, cases: Iterable[dict[str, Any]], result: ExportSummary) -> None:
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("[")
        for row in cases:
            f.write(",\n" if n else "\n")
            f.write(json.dumps(service_request(row, scope), ensure_ascii=False))
            n += 1
        f.write("\n]\n")
    result.cases = n

"""`lagesbild import police-events` as an operator runs it, twice on one file: each event becomes one report."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

from tests.integration.api.conftest import Client, Token
from tests.support.read_log import new_tenant


def _event(n: int, kind: str, place: str, when: str, summary: str) -> dict[str, Any]:
    """An event as the police's open feed writes it (https://polisen.se/api/events)."""
    return {
        "id": 500_000 + n,
        "datetime": when,
        "name": f"{when[:10]}, {kind}, {place}",
        "summary": summary,
        "url": f"/aktuellt/handelser/2026/mars/{n}/",
        "type": kind,
        "location": {"name": place, "gps": "57.782614,14.161788"},
    }


EVENTS = [
    _event(1, "Inbrott", "Jönköping", "2026-03-07 7:32:06 +01:00", "Inbrott i källarförråd på Öxnehaga."),
    _event(2, "Rån, försök", "Jönköping", "2026-03-07 23:05:00 +01:00", "Försök till rån vid busshållplats."),
    _event(3, "Trafikolycka", "Jönköping", "2026-03-08 8:00:00 +01:00", "Två bilar i en korsning."),
    _event(4, "Inbrott", "Tranås", "2026-03-08 9:10:00 +01:00", "Inbrott i förråd."),
    _event(5, "Skadegörelse", "Jönköping", "2026-03-08 10:15:00 +01:00", "Vittnen ombeds ringa 070-123 45 67."),
    _event(6, "Misshandel", "Huskvarna", "2026-03-09 1:45:00 +01:00", "Bråk utanför en restaurang."),
]


async def _lagesbild(dsn: str, owner_dsn: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "service.cli", *args),
        env={**os.environ, "DATABASE_URL": dsn, "LAGESBILD_MIGRATION_DATABASE_URL": owner_dsn},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_police_events_are_imported_once_however_often_the_file_is_read(
    client: Client, auth: Token, database_dsn: str, owner_dsn: str, tmp_path: Path
) -> None:
    tenant, codes = new_tenant(), {}
    for place in ("Jönköping", "Huskvarna"):
        codes[place] = f"omr-{uuid.uuid4().hex[:6]}"
        body = {"code": codes[place], "name": f"{place} centrum"}
        assert (await client.post("/api/v1/areas", json=body, headers=auth("admin", tenant=tenant))).status_code == 201
    feed, mapping = tmp_path / "events.json", tmp_path / "map.json"
    feed.write_text(json.dumps(EVENTS, ensure_ascii=False), encoding="utf-8")
    mapping.write_text(json.dumps({"areas": codes, "types": {"Misshandel": "ordningsstorning"}}), encoding="utf-8")
    command = ("import", "police-events", str(feed), "--tenant", tenant, "--area-map", str(mapping))

    code, out, err = await _lagesbild(database_dsn, owner_dsn, *command)
    assert code == 0, err
    assert "created 3, already there 0, refused 3" in out
    assert "6/6 events" in err  # the progress
    refused = {line.split(":", 1)[0].strip() for line in out.splitlines() if line.startswith("  refused")}
    assert refused == {"refused 500003", "refused 500004", "refused 500005"}
    assert "070-123" not in out  # why an event was refused never repeats what was refused

    code, out, _ = await _lagesbild(database_dsn, owner_dsn, *command)
    assert (code, "created 0, already there 3, refused 3" in out) == (0, True)

    reports = (await client.get("/api/v1/reports", headers=auth("coordinator", tenant=tenant))).json()["reports"]
    found = {(r["category"], r["source"], r["org"], r["occurred_at"][:16]) for r in reports}
    assert found == {
        ("inbrott", "incident_report", "polisen", "2026-03-07T07:32"),
        ("ran", "incident_report", "polisen", "2026-03-07T23:05"),
        ("ordningsstorning", "incident_report", "polisen", "2026-03-09T01:45"),
    }


async def test_an_event_of_an_unmapped_place_goes_to_the_area_whose_boundary_holds_its_point(
    client: Client, auth: Token, database_dsn: str, owner_dsn: str, tmp_path: Path
) -> None:
    tenant = new_tenant()
    admin = auth("admin", tenant=tenant)
    made = await client.post("/api/v1/areas", json={"code": "raslatt", "name": "Råslätt"}, headers=admin)
    boundary = {"type": "Polygon", "coordinates": [[[14.14, 57.74], [14.18, 57.74], [14.18, 57.76], [14.14, 57.76],
                                                    [14.14, 57.74]]]}  # fmt: skip
    stored = await client.put(f"/api/v1/areas/{made.json()['id']}/boundary", json=boundary, headers=admin)
    assert stored.status_code == 200, stored.text
    inside = _event(11, "Inbrott", "Jönköping", "2026-03-10 4:00:00 +01:00", "Inbrott i förråd.")
    outside = _event(12, "Inbrott", "Jönköping", "2026-03-10 5:00:00 +01:00", "Inbrott i förråd.")
    inside["location"]["gps"], outside["location"]["gps"] = "57.7512,14.1634", "57.782614,14.161788"
    feed = tmp_path / "events.json"
    feed.write_text(json.dumps([inside, outside], ensure_ascii=False), encoding="utf-8")

    code, out, err = await _lagesbild(database_dsn, owner_dsn, "import", "police-events", str(feed), "--tenant", tenant)

    assert code == 0, err
    assert "created 1, already there 0, refused 1" in out
    assert "refused 500012" in out
    reports = (await client.get("/api/v1/reports", headers=auth("coordinator", tenant=tenant))).json()["reports"]
    assert [(r["area_id"], r["occurred_at"][:16]) for r in reports] == [(made.json()["id"], "2026-03-10T04:00")]

"""Maps through HTTP on real PostgreSQL: boundaries refused and kept, the picture as GeoJSON, the hot cells."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.conftest import Client, Token, head, report_body
from tests.support.read_log import new_tenant

EXAMPLE = json.loads((Path(__file__).parents[3] / "examples" / "area-boundary.geojson").read_text(encoding="utf-8"))
_RING = [[14.1, 57.7], [14.2, 57.7], [14.2, 57.8], [14.1, 57.8]]
_MANY = [[14.0 + i / 10_000, 57.0 + (i % 2) / 1000] for i in range(5_001)]


def _polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_polygon(_RING), "coordinates[0]"),  # not closed
        (_polygon([[14.1, 57.7], [14.2, 57.8], [14.2, 57.7], [14.1, 57.8], [14.1, 57.7]]), "coordinates"),  # bow-tie
        (_polygon([[13.3, 52.5], [13.5, 52.5], [13.5, 52.6], [13.3, 52.6], [13.3, 52.5]]), "coordinates[0][0]"),
        (_polygon([*_MANY, [14.0, 57.5], _MANY[0]]), "coordinates"),  # too many points
        ({"type": "LineString", "coordinates": [[14.1, 57.7], [14.2, 57.7]]}, "type"),
        ({"type": "Polygon", "coordinates": []}, "coordinates"),  # empty
        (_polygon([[14.1, 57.7], [14.2, 57.7], [14.3, 57.7], [14.1, 57.7]]), "coordinates"),  # no area
    ],
    ids=["not-closed", "bow-tie", "outside-sweden", "too-many-points", "wrong-type", "empty", "no-area"],
)
async def test_a_bad_boundary_is_refused_naming_the_field_and_nothing_is_stored(
    client: Client, auth: Token, area: str, body: dict[str, Any], field: str
) -> None:
    before = await head(client)
    response = await client.put(f"/api/v1/areas/{area}/boundary", json=body, headers=auth("admin"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert await head(client) == before


async def test_a_bow_tie_is_refused_with_what_shapely_says(client: Client, auth: Token, area: str) -> None:
    bow_tie = _polygon([[14.1, 57.7], [14.2, 57.8], [14.2, 57.7], [14.1, 57.8], [14.1, 57.7]])
    response = await client.put(f"/api/v1/areas/{area}/boundary", json=bow_tie, headers=auth("admin"))
    assert "Self-intersection" in response.json()["detail"]


async def test_only_an_admin_sets_a_boundary_and_if_match_guards_it(client: Client, auth: Token, area: str) -> None:
    path = f"/api/v1/areas/{area}/boundary"
    assert (await client.put(path, json=EXAMPLE, headers=auth("coordinator"))).status_code == 403
    stale = await client.put(path, json=EXAMPLE, headers=auth("admin") | {"If-Match": '"7"'})
    assert stale.status_code == 412
    response = await client.put(path, json=EXAMPLE, headers=auth("admin") | {"If-Match": '"1"'})
    assert (response.status_code, response.headers["etag"]) == (200, '"2"')


async def test_a_boundary_is_shown_in_the_picture_as_geojson(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    admin, coordinator = auth("admin", tenant=tenant), auth("coordinator", tenant=tenant)
    ids = {}
    for code in ("med-grans", "utan-grans"):
        made = await client.post("/api/v1/areas", json={"code": code, "name": code}, headers=admin)
        ids[code] = made.json()["id"]
    stored = await client.put(f"/api/v1/areas/{ids['med-grans']}/boundary", json=EXAMPLE, headers=admin)
    assert stored.status_code == 200, stored.text
    position = stored.json()["position"]

    response = await client.get(
        "/api/v1/picture", params={"min_position": position}, headers=coordinator | {"Accept": "application/geo+json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]  # the area without a boundary is left out
    assert feature["geometry"] == EXAMPLE
    assert feature["properties"] | {"id": None} == {
        "id": None, "code": "med-grans", "name": "med-grans", "level": None, "level_name": "Ingen bedömning",
        "level_week": None, "total": 0, "trend": "flat", "trend_name": "Oförändrad", "open_actions": 0,
    }  # fmt: skip
    plain = await client.get("/api/v1/picture", headers=coordinator)
    assert plain.headers["content-type"].startswith("application/json")
    assert len(plain.json()["areas"]) == 2


async def test_hot_cells_leave_out_every_cell_under_the_threshold(client: Client, auth: Token, area: str) -> None:
    when = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    hot, cold = {"lat": 57.7821, "lon": 14.1617}, {"lat": 57.7601, "lon": 14.1903}
    position = 0
    for location, times in ((hot, 3), (cold, 2)):
        for _ in range(times):
            body = report_body(area, location=location, occurred_at=when)
            response = await client.post("/api/v1/reports", json=body, headers=auth("reporter"))
            assert response.status_code == 201, response.text
            position = response.json()["position"]

    response = await client.get(
        f"/api/v1/areas/{area}/cells", params={"weeks": 2, "min_position": position}, headers=auth("coordinator")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    [cell] = response.json()["features"]
    found = cell["properties"]
    assert (found["reports"], found["occurrences"], found["cell_m"]) == (3, 6, 250)
    lon, lat = found["centre"]
    assert (round(lat, 2), round(lon, 2)) == (round(hot["lat"], 2), round(hot["lon"], 2))
    ring = cell["geometry"]["coordinates"][0]
    assert (ring[0] == ring[-1], len(ring)) == (True, 5)


@pytest.mark.parametrize("weeks", ["0", "53", "x"])
async def test_cells_refuse_a_period_out_of_range(client: Client, auth: Token, area: str, weeks: str) -> None:
    response = await client.get(f"/api/v1/areas/{area}/cells", params={"weeks": weeks}, headers=auth("coordinator"))
    assert response.status_code in (400, 422)
    assert "weeks" in response.text


async def test_cells_of_an_area_of_another_tenant_are_not_found(client: Client, auth: Token, area: str) -> None:
    response = await client.get(f"/api/v1/areas/{area}/cells", headers=auth("coordinator", tenant=new_tenant()))
    assert response.status_code == 404

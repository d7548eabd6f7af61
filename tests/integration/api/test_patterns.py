"""`GET /api/v1/areas/{id}/patterns` through HTTP on PostgreSQL: weekday × hour, whole weeks, months, and a rebuild."""

from __future__ import annotations

import uuid
from typing import Any

from domain.codec import make_mapper
from projections.rebuild import rebuild
from projections.registry import PROJECTIONS
from tests.integration.api.conftest import Client, Token, report_body
from tests.support.read_log import new_tenant, recorded_reads

PERIOD = {"from": "2025-12-01", "to": "2026-11-30"}
FRIDAY, SATURDAY = 4, 5  # rows of weekday_hour: Monday is 0


async def _post(client: Client, url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post(f"/api/v1{url}", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    written: dict[str, Any] = response.json()
    return written


async def _patterns(client: Client, area: str, position: int, headers: dict[str, str], **params: str) -> Any:
    query = PERIOD | {"min_position": str(position)} | params
    response = await client.get(f"/api/v1/areas/{area}/patterns", params=query, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _months(found: dict[str, Any]) -> dict[str, int]:
    return {m["month"]: m["occurrences"] for m in found["months"] if m["occurrences"]}


async def test_reports_count_by_swedish_weekday_and_hour_whole_weeks_apart_and_by_month(
    client: Client, auth: Token, area: str
) -> None:
    reporter, coordinator = auth("reporter"), auth("coordinator", org="kommunen")
    await _post(client, "/reports", report_body(area, occurred_at="2026-11-20T21:30:00+01:00", count=2), reporter)
    await _post(client, "/reports", report_body(area, occurred_at="2026-07-04T22:15:00Z", count=3), reporter)
    body = report_body(area, count=4, category="brand") | {"week": "2026-W23", "occurred_at": None}
    last = await _post(client, "/reports", body, reporter)

    found = await _patterns(client, area, last["position"], coordinator)

    assert (found["area_id"], found["from"], found["to"], found["category"]) == (area, *PERIOD.values(), None)
    assert [len(row) for row in found["weekday_hour"]] == [24] * 7
    assert found["weekday_hour"][FRIDAY][21] == 2  # 21:30 Swedish time
    assert found["weekday_hour"][6][0] == 3  # 22:15 UTC on a Saturday in July is Sunday 00:15 in Sweden
    assert sum(map(sum, found["weekday_hour"])) == 5
    assert found["whole_weeks"] == 4  # 2026-W23 counted apart, in June (its Thursday is 4 June)
    assert [m["month"] for m in found["months"]] == ["2025-12", *(f"2026-{n:02d}" for n in range(1, 12))]
    assert _months(found) == {"2026-06": 4, "2026-07": 3, "2026-11": 2}
    assert found["position"] >= last["position"]

    brand = await _patterns(client, area, last["position"], coordinator, category="brand")
    assert (brand["category"], sum(map(sum, brand["weekday_hour"])), brand["whole_weeks"]) == ("brand", 0, 4)
    assert _months(brand) == {"2026-06": 4}
    november = await _patterns(client, area, last["position"], coordinator, **{"from": "2026-11-01"})
    assert (sum(map(sum, november["weekday_hour"])), november["whole_weeks"]) == (2, 0)
    assert _months(november) == {"2026-06": 4, "2026-07": 3, "2026-11": 2}  # the wheel is the year to `to`


async def test_a_correction_moves_the_count_and_a_retraction_removes_it_and_a_rebuild_gives_the_same(
    client: Client, auth: Token, area: str, database_dsn: str
) -> None:
    reporter, coordinator = auth("reporter"), auth("coordinator", org="kommunen")
    other = (
        await _post(client, "/areas", {"code": f"oxnehaga-{uuid.uuid4().hex[:8]}", "name": "Öxnehaga"}, auth("admin"))
    )["id"]
    moved = await _post(client, "/reports", report_body(area, occurred_at="2026-11-20T21:30:00+01:00"), reporter)
    gone = await _post(client, "/reports", report_body(area, occurred_at="2026-10-06T08:05:00+02:00"), reporter)
    elsewhere = await _post(client, "/reports", report_body(area, occurred_at="2026-10-06T08:45:00+02:00"), reporter)
    await _post(
        client,
        f"/reports/{moved['id']}/corrections",
        {"changes": {"occurred_at": "2026-11-21T02:10:00+01:00", "count": 5}, "reason": "fel tid"},
        reporter,
    )
    await _post(
        client,
        f"/reports/{elsewhere['id']}/corrections",
        {"changes": {"area_id": other, "category": "brand"}, "reason": "fel område"},
        reporter,
    )
    last = await _post(client, f"/reports/{gone['id']}/retraction", {"reason": "dubblett"}, reporter)

    found = await _patterns(client, area, last["position"], coordinator)
    there = await _patterns(client, other, last["position"], coordinator, category="brand")

    assert found["weekday_hour"][FRIDAY][21] == 0
    assert found["weekday_hour"][SATURDAY][2] == 5  # the corrected time and count
    assert found["weekday_hour"][1][8] == 0  # Tuesday 08: one retracted, the other moved to Öxnehaga
    assert sum(map(sum, found["weekday_hour"])) == 5
    assert _months(found) == {"2026-11": 5}
    assert (there["weekday_hour"][1][8], _months(there)) == (2, {"2026-10": 2})

    await rebuild(database_dsn, PROJECTIONS["patterns"], make_mapper())
    for area_id, before, params in ((area, found, {}), (other, there, {"category": "brand"})):
        rebuilt = await _patterns(client, area_id, last["position"], coordinator, **params)
        assert {k: v for k, v in rebuilt.items() if k != "position"} == {
            k: v for k, v in before.items() if k != "position"
        }


async def test_bad_periods_are_refused_naming_the_field(client: Client, auth: Token, area: str) -> None:
    for params, field in (
        ({"from": "2026-05-01", "to": "2026-04-30"}, "from"),
        ({"from": "2020-01-01", "to": "2026-04-30"}, "from"),
        ({"from": "0001-01-01"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "igår"}, "from"),
        ({"to": "2026-02-30"}, "to"),
    ):
        response = await client.get(f"/api/v1/areas/{area}/patterns", params=params, headers=auth("coordinator"))
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_another_tenants_area_is_not_found_and_reads_are_recorded(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    created = await _post(client, "/areas", {"code": "centrum", "name": "Centrum"}, auth("admin", tenant=tenant))
    url = f"/api/v1/areas/{created['id']}/patterns"

    assert (await client.get(url, headers=auth("coordinator"))).status_code == 404
    response = await client.get(url, headers=auth("coordinator", tenant=tenant))
    assert response.status_code == 200, response.text
    assert len(response.json()["months"]) == 12

    reads = await recorded_reads(client, auth, tenant, resource="patterns")
    assert [(r["resource"], r["resource_id"], r["status"]) for r in reads] == [("patterns", created["id"], 200)]

"""Actions through HTTP: plan with links, move through statuses, follow up."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.conftest import Client, Token, head, report_body


async def _plan(client: Client, auth: Token, area: str, **extra: Any) -> dict[str, Any]:
    report = (await client.post("/api/v1/reports", json=report_body(area), headers=auth("reporter"))).json()
    body = {
        "area_id": area, "title": "Ny belysning i gångtunneln", "responsible_org": "kommunen",
        "starts_on": "2026-11-30", "report_ids": [report["id"]], "categories": ["belysning"],
    } | extra  # fmt: skip
    response = await client.post("/api/v1/actions", json=body, headers=auth("coordinator", org="kommunen"))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json() | {"report_id": report["id"]}
    return result


async def test_plan_start_follow_up_and_complete(client: Client, auth: Token, area: str) -> None:
    action = await _plan(client, auth, area)
    url = f"/api/v1/actions/{action['id']}"
    coordinator = auth("coordinator", org="kommunen")
    read = (await client.get(url, params={"min_position": action["position"]}, headers=auth("auditor"))).json()
    assert (read["status"], read["report_ids"], read["categories"]) == ("planned", [action["report_id"]], ["belysning"])

    too_early = await client.post(f"{url}/follow-ups", json={"effect": "improved", "note": "x"}, headers=coordinator)
    assert too_early.status_code == 409
    started = await client.post(f"{url}/status", json={"status": "started"}, headers=coordinator | {"If-Match": '"1"'})
    assert (started.status_code, started.json()["version"]) == (200, 2)
    followed = await client.post(
        f"{url}/follow-ups", json={"effect": "improved", "note": "Färre mörka passager"}, headers=coordinator
    )
    assert followed.status_code == 201
    completed = await client.post(f"{url}/status", json={"status": "completed"}, headers=coordinator)
    assert completed.status_code == 200
    read = (
        await client.get(url, params={"min_position": completed.json()["position"]}, headers=auth("reporter"))
    ).json()
    assert (read["status"], read["follow_ups"], read["version"]) == ("completed", 1, 4)
    assert [(f["n"], f["effect"], f["note"]) for f in read["follow_up_list"]] == [
        (1, "improved", "Färre mörka passager")
    ]
    assert [r["id"] for r in read["reports"]] == [action["report_id"]]

    restart = await client.post(f"{url}/status", json={"status": "started"}, headers=coordinator)
    assert restart.status_code == 409


async def test_planned_to_completed_is_refused_and_stores_nothing(client: Client, auth: Token, area: str) -> None:
    action = await _plan(client, auth, area)
    position = await head(client)
    response = await client.post(
        f"/api/v1/actions/{action['id']}/status", json={"status": "completed"}, headers=auth("coordinator")
    )
    assert response.status_code == 409
    assert "planned" in response.json()["detail"]
    assert await head(client) == position


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"report_ids": ["00000000-0000-0000-0000-000000000000"]}, "report_ids[0]"),
        ({"categories": ["finns-inte"]}, "categories[0]"),
        ({"area_id": "00000000-0000-0000-0000-000000000000"}, "area_id"),
        ({"starts_on": "2026-12-02", "ends_on": "2026-12-01"}, "ends_on"),
        ({"title": ""}, "title"),
        ({"description": "kontakt 070-123 45 67"}, "description"),
    ],
)
async def test_bad_plans_are_422(client: Client, auth: Token, area: str, extra: dict[str, Any], field: str) -> None:
    body = {"area_id": area, "title": "Trygghetsvandring", "responsible_org": "kommunen"} | extra
    response = await client.post("/api/v1/actions", json=body, headers=auth("coordinator"))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


async def test_another_tenants_report_cannot_be_linked(client: Client, auth: Token, area: str) -> None:
    report = (await client.post("/api/v1/reports", json=report_body(area), headers=auth("reporter"))).json()
    foreign_area = (
        await client.post(
            "/api/v1/areas", json={"code": "annat", "name": "Annat"}, headers=auth("admin", tenant="linkoping")
        )
    ).json()["id"]
    body = {"area_id": foreign_area, "title": "Vandring", "responsible_org": "polisen", "report_ids": [report["id"]]}
    response = await client.post("/api/v1/actions", json=body, headers=auth("coordinator", tenant="linkoping"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "report_ids[0]"


async def test_planning_is_idempotent_with_a_key(client: Client, auth: Token, area: str) -> None:
    body = {"area_id": area, "title": "Trygghetsvandring", "responsible_org": "polisen"}
    headers = auth("coordinator") | {"Idempotency-Key": "vandring-v48"}
    first = await client.post("/api/v1/actions", json=body, headers=headers)
    position = await head(client)
    again = await client.post("/api/v1/actions", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert await head(client) == position

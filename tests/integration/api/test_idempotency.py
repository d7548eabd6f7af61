"""Idempotency keys through HTTP: bound to the caller (tenant, subject) and to the request (route, body)."""

from __future__ import annotations

import json
import uuid

from tests.integration.api.conftest import Client, Token, head, report_body


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"nyckel-{uuid.uuid4().hex[:8]}"}


def _names_the_key(response_status: int, problem: dict[str, object]) -> bool:
    errors = problem.get("errors")
    return (
        response_status == 422
        and isinstance(errors, list)
        and [e["field"] for e in errors] == ["Idempotency-Key"]
        and "Idempotency-Key" in str(problem["detail"])
    )


async def test_the_same_request_again_is_replayed_whatever_its_spacing_and_field_order(
    client: Client, auth: Token, area: str
) -> None:
    headers = auth("reporter") | _key() | {"Content-Type": "application/json"}
    body = report_body(area)
    first = await client.post("/api/v1/reports", content=json.dumps(body), headers=headers)
    position = await head(client)
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    again = await client.post("/api/v1/reports", content=reordered, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await head(client) == position


async def test_the_same_key_with_another_body_is_422_naming_the_key_and_stores_nothing(
    client: Client, auth: Token, area: str
) -> None:
    headers = auth("reporter") | _key()
    first = await client.post("/api/v1/reports", json=report_body(area), headers=headers)
    assert first.status_code == 201
    position = await head(client)
    other = await client.post("/api/v1/reports", json=report_body(area, count=7), headers=headers)
    assert _names_the_key(other.status_code, other.json()), other.text
    assert other.headers["content-type"].startswith("application/problem+json")
    assert "idempotent-replayed" not in other.headers
    assert await head(client) == position


async def test_the_same_key_on_another_route_is_422_and_stores_nothing(client: Client, auth: Token, area: str) -> None:
    headers = auth("reporter", "coordinator") | _key()  # one caller who may do both
    report = await client.post("/api/v1/reports", json=report_body(area), headers=headers)
    assert report.status_code == 201
    position = await head(client)
    action = {"area_id": area, "title": "Trygghetsvandring", "responsible_org": "kommunen"}
    response = await client.post("/api/v1/actions", json=action, headers=headers)
    assert _names_the_key(response.status_code, response.json()), response.text
    assert "location" not in response.headers
    assert await head(client) == position


async def test_a_subject_and_key_cannot_be_cut_differently_to_meet_another_callers_key(
    client: Client, auth: Token, area: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    first = await client.post(
        "/api/v1/reports",
        json=report_body(area),
        headers=auth("reporter", sub=f"p1-{tag}/x") | {"Idempotency-Key": "K"},
    )
    second = await client.post(
        "/api/v1/reports",
        json=report_body(area),
        headers=auth("reporter", sub=f"p1-{tag}") | {"Idempotency-Key": "x/K"},
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert "idempotent-replayed" not in second.headers
    assert second.json()["id"] != first.json()["id"]


async def test_a_tenant_and_subject_cannot_be_cut_differently_to_replay_another_partnerships_report(
    client: Client, auth: Token, area: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    key = {"Idempotency-Key": "K"}
    theirs = await client.post(
        "/api/v1/reports", json=report_body(area), headers=auth("reporter", tenant="jonkoping", sub=f"u/Z{tag}") | key
    )
    assert theirs.status_code == 201
    other_tenant = "jonkoping/u"
    code = f"omrade-{tag}"
    own_area = await client.post(
        "/api/v1/areas", json={"code": code, "name": "Råslätt"}, headers=auth("admin", tenant=other_tenant)
    )
    assert own_area.status_code == 201, own_area.text
    mine = await client.post(
        "/api/v1/reports",
        json=report_body(own_area.json()["id"]),
        headers=auth("reporter", tenant=other_tenant, sub=f"Z{tag}") | key,
    )
    assert mine.status_code == 201, mine.text
    assert "idempotent-replayed" not in mine.headers
    assert mine.json()["id"] != theirs.json()["id"]

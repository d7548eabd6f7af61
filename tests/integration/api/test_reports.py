"""Reports through HTTP: submit, read, correct, retract; idempotency, If-Match, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.conftest import Client, Token, head, report_body


async def _submit(client: Client, auth: Token, area: str, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/reports", json=report_body(area, **overrides), headers=auth("reporter"))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_submit_answers_id_version_position_and_the_report_reads_back(
    client: Client, auth: Token, area: str
) -> None:
    response = await client.post(
        "/api/v1/reports", json=report_body(area, location={"lat": 57.75071, "lon": 14.14561}), headers=auth("reporter")
    )
    assert response.status_code == 201
    written = response.json()
    assert set(written) == {"id", "version", "position"}
    assert written["version"] == 1
    assert written["position"] == await head(client)
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/api/v1/reports/{written['id']}"

    read = await client.get(f"/api/v1/reports/{written['id']}", headers=auth("auditor", org="kommunen"))
    assert read.status_code == 200
    report = read.json()
    assert (report["area_id"], report["week"], report["org"], report["status"]) == (
        area,
        "2026-W47",
        "polisen",
        "active",
    )
    assert report["location"]["cell_m"] == 250
    assert (report["location"]["lat"], report["location"]["lon"]) != (57.75071, 14.14561)


async def test_a_retry_with_the_same_idempotency_key_returns_the_first_result_and_stores_nothing(
    client: Client, auth: Token, area: str
) -> None:
    headers = auth("reporter") | {"Idempotency-Key": "rapport-2026-11-20-1"}
    first = await client.post("/api/v1/reports", json=report_body(area), headers=headers)
    position = await head(client)
    again = await client.post("/api/v1/reports", json=report_body(area), headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await head(client) == position


async def test_the_same_key_from_another_user_is_another_request(client: Client, auth: Token, area: str) -> None:
    key = {"Idempotency-Key": "samma-nyckel"}
    first = await client.post("/api/v1/reports", json=report_body(area), headers=auth("reporter", sub="a") | key)
    other = await client.post("/api/v1/reports", json=report_body(area), headers=auth("reporter", sub="b") | key)
    assert first.json()["id"] != other.json()["id"]


async def test_a_correction_with_if_match_moves_the_version(client: Client, auth: Token, area: str) -> None:
    report = await _submit(client, auth, area)
    response = await client.post(
        f"/api/v1/reports/{report['id']}/corrections",
        json={"changes": {"count": 5, "place": None}, "reason": "fel antal"},
        headers=auth("reporter") | {"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    read = (await client.get(f"/api/v1/reports/{report['id']}", headers=auth("reporter"))).json()
    assert (read["count"], read["place"], read["version"]) == (5, None, 2)


async def test_a_stale_if_match_is_412_and_stores_nothing(client: Client, auth: Token, area: str) -> None:
    report = await _submit(client, auth, area)
    await client.post(
        f"/api/v1/reports/{report['id']}/corrections",
        json={"changes": {"count": 3}, "reason": "fel antal"},
        headers=auth("reporter"),
    )
    position = await head(client)
    response = await client.post(
        f"/api/v1/reports/{report['id']}/corrections",
        json={"changes": {"count": 4}, "reason": "fel antal igen"},
        headers=auth("reporter") | {"If-Match": '"1"'},
    )
    assert response.status_code == 412
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await head(client) == position


async def test_a_weak_if_match_is_412_and_stores_nothing(client: Client, auth: Token, area: str) -> None:
    report = await _submit(client, auth, area)  # at version 1: W/"1" would match it weakly, never strongly
    position = await head(client)
    response = await client.post(
        f"/api/v1/reports/{report['id']}/retraction",
        json={"reason": "dubblett"},
        headers=auth("reporter") | {"If-Match": 'W/"1"'},
    )
    assert response.status_code == 412, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await head(client) == position


async def test_a_malformed_if_match_is_400(client: Client, auth: Token, area: str) -> None:
    report = await _submit(client, auth, area)
    response = await client.post(
        f"/api/v1/reports/{report['id']}/retraction",
        json={"reason": "dubblett"},
        headers=auth("reporter") | {"If-Match": "version one"},
    )
    assert response.status_code == 400


async def test_correction_rights(client: Client, auth: Token, area: str) -> None:
    report = await _submit(client, auth, area)
    url = f"/api/v1/reports/{report['id']}/corrections"
    body = {"changes": {"count": 7}, "reason": "fel antal"}
    other_org = await client.post(url, json=body, headers=auth("reporter", org="vatterhem"))
    assert other_org.status_code == 403
    coordinator = await client.post(url, json=body, headers=auth("coordinator", org="kommunen"))
    assert coordinator.status_code == 200


async def test_a_retraction_by_the_own_organisation_and_nothing_after_it(
    client: Client, auth: Token, area: str
) -> None:
    report = await _submit(client, auth, area)
    url = f"/api/v1/reports/{report['id']}"
    refused = await client.post(
        f"{url}/retraction", json={"reason": "dubblett"}, headers=auth("reporter", org="kommunen")
    )
    assert refused.status_code == 403
    retracted = await client.post(f"{url}/retraction", json={"reason": "dubblett"}, headers=auth("reporter"))
    assert retracted.status_code == 200
    assert (await client.get(url, headers=auth("reporter"))).json()["status"] == "retracted"
    late = await client.post(
        f"{url}/corrections", json={"changes": {"count": 1}, "reason": "sent"}, headers=auth("coordinator")
    )
    assert late.status_code == 409


@pytest.mark.parametrize(
    ("overrides", "field", "kind"),
    [
        ({"description": "Ring 070-123 45 67"}, "description", "a phone number"),
        ({"place": "utanför info@example.se"}, "place", "an e-mail address"),
        ({"description": "gäller 900101-1239"}, "description", "a personal identity number"),
    ],
)
async def test_personal_data_is_refused_naming_the_field_and_nothing_is_stored(
    client: Client, auth: Token, area: str, overrides: dict[str, Any], field: str, kind: str
) -> None:
    position = await head(client)
    response = await client.post("/api/v1/reports", json=report_body(area, **overrides), headers=auth("reporter"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == field
    assert kind in problem["errors"][0]["kind"]
    assert await head(client) == position


async def test_personal_data_in_a_correction_reason_is_refused(client: Client, auth: Token, area: str) -> None:
    report = await _submit(client, auth, area)
    position = await head(client)
    response = await client.post(
        f"/api/v1/reports/{report['id']}/corrections",
        json={"changes": {"count": 3}, "reason": "enligt info@example.se"},
        headers=auth("reporter"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    assert await head(client) == position


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"zzz": 1}, "zzz"),
        ({"count": "två"}, "count"),
        ({"count": 0}, "count"),
        ({"category": "finns-inte"}, "category"),
        ({"area_id": "00000000-0000-0000-0000-000000000000"}, "area_id"),
        ({"area_id": "inte-ett-id"}, "area_id"),
        ({"occurred_at": "2099-01-01T00:00:00+01:00"}, "occurred_at"),
        ({"occurred_at": None}, "occurred_at"),
        ({"occurred_at": None, "week": "2026-W99"}, "week"),
        ({"location": {"lat": 60.17, "lon": 24.94}}, "location"),
        ({"location": {"lat": 57.7}}, "location.lon"),
        ({"source": "rykte"}, "source"),
        ({"description": "x" * 2001}, "description"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    client: Client, auth: Token, area: str, body: dict[str, Any], field: str
) -> None:
    position = await head(client)
    response = await client.post("/api/v1/reports", json=report_body(area) | body, headers=auth("reporter"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await head(client) == position


async def test_an_empty_reason_is_422(client: Client, auth: Token, area: str) -> None:
    report = await _submit(client, auth, area)
    response = await client.post(
        f"/api/v1/reports/{report['id']}/retraction", json={"reason": "  "}, headers=auth("reporter")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"


async def test_malformed_json_is_400_and_an_oversized_body_413(client: Client, auth: Token) -> None:
    headers = auth("reporter") | {"Content-Type": "application/json"}
    malformed = await client.post("/api/v1/reports", content=b"{not json", headers=headers)
    assert malformed.status_code == 400
    assert malformed.headers["content-type"].startswith("application/problem+json")
    oversized = await client.post("/api/v1/reports", content=b'{"a": "' + b"x" * 70_000 + b'"}', headers=headers)
    assert oversized.status_code == 413

"""Hostile input the schema fuzzing found (or could), each answered as a client error: never a 500, nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.web.auth import mint_development_token
from tests.integration.api.conftest import Client, Token, head, report_body


async def test_json_nested_too_deeply_is_400(client: Client, auth: Token) -> None:
    body = b"[" * 30_000  # within the body limit; once a RecursionError in the decoder, a 500
    response = await client.post(
        "/api/v1/reports", content=body, headers=auth("reporter") | {"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize("field", ["place", "description"])
async def test_control_characters_in_free_text_are_422_and_stored_nowhere(
    client: Client, auth: Token, area: str, field: str
) -> None:
    # Once stored, a NUL stopped the projections: PostgreSQL text and jsonb cannot hold it.
    position = await head(client)
    response = await client.post(
        "/api/v1/reports", json=report_body(area, **{field: "Gångtunneln\x00"}), headers=auth("reporter")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert await head(client) == position
    fine = await client.post(
        "/api/v1/reports", json=report_body(area, place="Tunneln\n\tnorra"), headers=auth("reporter")
    )
    assert fine.status_code == 201


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/reports", {"org": "polisen\x00"}, "org"),  # once a 500 from PostgreSQL
        ("/api/v1/reports", {"category": "klotter\x1b"}, "category"),
        ("/api/v1/audit", {"actor": "\x00"}, "actor"),
        ("/api/v1/audit", {"to": "0001-01-01T00:00:00+14:00"}, "to"),  # once an OverflowError
        ("/api/v1/audit", {"from": "9999-12-31T23:59:59-14:00"}, "from"),
        ("/api/v1/reports", {"cursor": str(2**63)}, "cursor"),  # beyond a bigint: once a 500
        ("/api/v1/audit", {"after": str(2**63)}, "after"),
        ("/api/v1/picture", {"min_position": str(2**63)}, "min_position"),
    ],
)
async def test_hostile_query_parameters_are_422_naming_them(
    client: Client, auth: Token, url: str, params: dict[str, str], field: str
) -> None:
    response = await client.get(url, params=params, headers=auth("auditor"))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize("week", ["0000-W01", "9999-W52"])  # 0000-W01 was a 500: there is no year 0
async def test_weeks_far_away_are_422(client: Client, auth: Token, week: str) -> None:
    response = await client.get(f"/api/v1/lagesbild/{week}", headers=auth("auditor"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "week"


async def test_a_time_far_away_is_422(client: Client, auth: Token, area: str) -> None:
    body = report_body(area, occurred_at="0001-01-01T00:00:00+14:00")  # before year 1 in Sweden
    response = await client.post("/api/v1/reports", json=body, headers=auth("reporter"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "occurred_at"


@pytest.mark.parametrize("sub", ["polis\x00", "x" * 201])
async def test_token_claims_unfit_to_store_are_401(client: Client, data_dir: Path, sub: str) -> None:
    token = mint_development_token(data_dir, sub=sub, tenant="jonkoping", org="polisen", roles=["reporter"])
    response = await client.get("/api/v1/areas", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401

"""Query parameters: a route takes only those it declares, and none holding personal data (reads are recorded)."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import Client, Token
from tests.support.read_log import new_tenant, recorded_reads


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/reports", "note=anna.svensson%40example.se"),
        ("/api/v1/reports", "org=polisen&orgg=kommunen"),
        ("/api/v1/picture", "weeks=8"),
        ("/api/v1/audit", "stream=1"),
        ("/api/v1/categories", "all=1"),
    ],
)
async def test_an_undeclared_parameter_is_refused_by_name_and_not_recorded(
    client: Client, auth: Token, path: str, query: str
) -> None:
    tenant = new_tenant()
    response = await client.get(f"{path}?{query}", headers=auth("coordinator", "auditor", tenant=tenant))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    unknown = query.split("&")[-1].split("=")[0]
    assert {"field": unknown, "source": "query", "message": "this route does not take it"} in response.json()["errors"]
    assert unknown in response.json()["detail"]
    assert await recorded_reads(client, auth, tenant) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("org=811218-9876", "org"),
        ("category=070-1234567", "category"),
        ("org=polisen&category=anna%40example.se", "category"),
    ],
)
async def test_personal_data_in_a_filter_is_refused_like_in_a_write_and_not_recorded(
    client: Client, auth: Token, query: str, field: str
) -> None:
    tenant = new_tenant()
    response = await client.get(f"/api/v1/reports?{query}", headers=auth("reporter", tenant=tenant))
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert await recorded_reads(client, auth, tenant) == []
    audit = await client.get(
        f"/api/v1/audit/reads?actor={query.split('=')[-1]}", headers=auth("auditor", tenant=tenant)
    )
    assert audit.status_code == 422


async def test_declared_parameters_and_dates_pass(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    headers = auth("coordinator", "auditor", tenant=tenant)
    ok = [
        "/api/v1/reports?org=polisen&week=2026-W48&limit=5&status=active",
        "/api/v1/audit?from=2026-11-24T21:30:00%2B01:00&to=2026-11-30T00:00:00Z&org=kommunen",
        "/api/v1/audit/reads?from=2026-11-24T21:30:00Z&resource=reports",
    ]
    for url in ok:
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text)


async def test_a_bad_value_is_named_as_the_client_sent_it(client: Client, auth: Token) -> None:
    answer = await client.get("/api/v1/audit", params={"from": "igår"}, headers=auth("auditor"))
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["from"]  # not the handler's `since`

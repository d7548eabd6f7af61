"""Security headers on every answer: data, problems, health, and the docs page's own policy."""

from __future__ import annotations

import httpx
import pytest

from service.web.security_headers import API_POLICY, DOCS_POLICY
from tests.integration.api.conftest import Client, Token

EVERYWHERE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def assert_api_headers(response: httpx.Response) -> None:
    """The headers every answer but the docs page carries."""
    for name, value in EVERYWHERE.items():
        assert response.headers.get(name) == value, name
    assert response.headers["content-security-policy"] == API_POLICY
    assert "frame-ancestors 'none'" in API_POLICY


async def test_a_json_answer(client: Client, auth: Token) -> None:
    response = await client.get("/api/v1/categories", headers=auth("reporter"))
    assert response.status_code == 200
    assert_api_headers(response)


@pytest.mark.parametrize(
    ("path", "status"), [("/api/v1/categories", 401), ("/api/v1/no-such-resource", 404), ("/nowhere", 404)]
)
async def test_a_problem_answer(client: Client, path: str, status: int) -> None:
    response = await client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert_api_headers(response)


async def test_health(client: Client) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert_api_headers(response)


async def test_the_docs_page_has_its_own_policy(client: Client) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == DOCS_POLICY
    assert "frame-ancestors 'none'" in DOCS_POLICY
    assert page.headers["x-content-type-options"] == "nosniff"
    document = await client.get("/schema/openapi.json")  # data, not a page: the API's policy
    assert document.headers["content-security-policy"] == API_POLICY

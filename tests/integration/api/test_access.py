"""Identity and access through HTTP: 401 without a valid token, 403 without the role, 404 across tenants."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest

from service.web.auth import DEV_AUDIENCE, DEV_ISSUER, development_key
from tests.integration.api.conftest import Client, Token, report_body

WRITES = [
    ("POST", "/api/v1/areas", {"admin"}),
    ("POST", "/api/v1/categories", {"admin"}),
    ("POST", "/api/v1/reports", {"reporter"}),
    ("POST", "/api/v1/reports/00000000-0000-4000-8000-000000000000/retraction", {"reporter", "coordinator"}),
    ("POST", "/api/v1/actions", {"coordinator"}),
    ("PUT", "/api/v1/areas/{area}/assessments/2026-W47", {"coordinator"}),
    ("POST", "/api/v1/areas/{area}/assessments/2026-W47/publication", {"coordinator"}),
    ("POST", "/api/v1/areas/{area}/name", {"admin"}),
    ("POST", "/api/v1/areas/{area}/retirement", {"admin"}),
]
ROLES = ("reporter", "coordinator", "auditor", "admin")


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": "u", "tenant": "jonkoping", "org": "polisen", "roles": ["reporter"],
        "iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "iat": now, "exp": now + 600,
    }  # fmt: skip
    return claims | overrides


async def test_no_token_is_401_with_a_challenge(client: Client) -> None:
    response = await client.get("/api/v1/areas")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "token_for",
    [
        lambda key: jwt.encode(_claims(), b"another key of thirty-two bytes!", algorithm="HS256"),
        lambda key: jwt.encode(_claims(exp=int(time.time()) - 60), key, algorithm="HS256"),
        lambda key: jwt.encode(_claims(aud="someone-else"), key, algorithm="HS256"),
        lambda key: jwt.encode(_claims(roles=["superuser"]), key, algorithm="HS256"),
        lambda key: jwt.encode(_claims(tenant=""), key, algorithm="HS256"),
        lambda key: jwt.encode({k: v for k, v in _claims().items() if k != "org"}, key, algorithm="HS256"),
        lambda key: "not-a-jwt",
    ],
    ids=["signature", "expired", "audience", "unknown-role", "empty-tenant", "no-org", "garbage"],
)
async def test_a_bad_token_is_401(client: Client, data_dir: Path, token_for: object) -> None:
    token = token_for(development_key(data_dir))  # type: ignore[operator]
    response = await client.get("/api/v1/areas", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "allowed"), WRITES)
async def test_each_write_needs_its_role_and_is_checked_before_the_body(
    client: Client, auth: Token, area: str, method: str, path: str, allowed: set[str]
) -> None:
    url = path.format(area=area)
    for role in ROLES:
        if role in allowed:
            continue
        response = await client.request(method, url, json={"not": "even valid"}, headers=auth(role))
        assert response.status_code == 403, (role, url, response.text)


async def test_another_tenants_report_is_404_and_its_area_unknown(client: Client, auth: Token, area: str) -> None:
    submitted = await client.post("/api/v1/reports", json=report_body(area), headers=auth("reporter"))
    report_id = submitted.json()["id"]
    outsider = auth("reporter", "coordinator", "auditor", "admin", tenant="linkoping")
    assert (await client.get(f"/api/v1/reports/{report_id}", headers=outsider)).status_code == 404
    corrected = await client.post(
        f"/api/v1/reports/{report_id}/corrections", json={"changes": {"count": 9}, "reason": "x"}, headers=outsider
    )
    assert corrected.status_code == 404
    retracted = await client.post(f"/api/v1/reports/{report_id}/retraction", json={"reason": "x"}, headers=outsider)
    assert retracted.status_code == 404
    foreign = await client.post("/api/v1/reports", json=report_body(area), headers=outsider)
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["field"] == "area_id"
    areas = (await client.get("/api/v1/areas", headers=outsider)).json()
    assert area not in [a["id"] for a in areas]


async def test_a_missing_report_looks_the_same_as_a_foreign_one(client: Client, auth: Token) -> None:
    response = await client.get("/api/v1/reports/00000000-0000-0000-0000-000000000000", headers=auth("reporter"))
    assert response.status_code == 404
    assert response.json()["detail"] == "no such report"


async def test_every_api_route_refuses_a_caller_without_a_token(client: Client) -> None:
    # A safety net for routes to come: each must have a guard (role or authenticated).
    checked = 0
    for route in client.app.routes:
        if not route.path.startswith("/api/v1"):
            continue
        url = route.path.replace("{area_id:uuid}", "00000000-0000-0000-0000-000000000000")
        for name in ("report_id", "action_id"):
            url = url.replace(f"{{{name}:uuid}}", "00000000-0000-0000-0000-000000000000")
        url = url.replace("{week:str}", "2026-W47")
        for method in route.methods - {"OPTIONS", "HEAD"}:
            response = await client.request(method, url, json={})
            assert response.status_code == 401, (method, url)
            checked += 1
    assert checked >= 14

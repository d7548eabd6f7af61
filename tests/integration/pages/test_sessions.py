"""Sessions and sign-in for the pages: the cookie's flags, CSRF on forms, sign-out, headers, the read log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.integration.api.conftest import Client, Token
from tests.support.read_log import new_tenant, recorded_reads


async def _csrf(client: Client, path: str = "/login") -> str:
    page = await client.get(path)
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


async def _sign_in(client: Client, tenant: str = "jonkoping", roles: tuple[str, ...] = ("coordinator",)) -> None:
    form = {"_csrf_token": await _csrf(client), "tenant": tenant, "org": "kommunen", "roles": list(roles)}
    answer = await client.post("/login", data=form | {"sub": "test-samordnare"})
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/"


async def test_a_page_without_a_session_redirects_to_the_sign_in(client: Client) -> None:
    answer = await client.get("/")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    client.cookies.set("lagesbild_session", "not-a-session")
    assert (await client.get("/")).status_code == 303


async def test_the_session_cookie_is_httponly_lax_and_not_secure_on_loopback(client: Client) -> None:
    form = {"_csrf_token": await _csrf(client), "tenant": "jonkoping", "org": "kommunen", "roles": "auditor"}
    answer = await client.post("/login", data=form | {"sub": "test-granskare"})
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("lagesbild_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Max-Age=36000" in cookie
    assert "Secure" not in cookie


async def test_the_session_cookie_is_set_again_only_when_the_session_changes(client: Client) -> None:
    await _sign_in(client)
    for path in ("/", "/lagesbild", "/tillganglighet"):
        answer = await client.get(path)
        assert answer.status_code == 200
        assert not any(c.startswith("lagesbild_session") for c in answer.headers.get_list("set-cookie")), path
    answer = await client.post("/logout", data={"_csrf_token": await _csrf(client, "/")})
    cleared = [c for c in answer.headers.get_list("set-cookie") if c.startswith("lagesbild_session=")]
    assert cleared
    assert all("Max-Age=0" in c or "expires=" in c.lower() for c in cleared), cleared
    assert (await client.get("/")).status_code == 303


async def test_off_loopback_the_cookies_are_secure(database_dsn: str, data_dir: Path) -> None:
    env = {"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_HOST": "0.0.0.0"}
    async with AsyncTestClient(create_app(Settings.from_env(env), database_dsn)) as client:
        answer = await client.get("/login")
    assert "Secure" in answer.headers["set-cookie"]


async def test_a_form_without_its_csrf_token_is_refused(client: Client) -> None:
    await _csrf(client)  # the CSRF cookie is set, but the form does not carry the token
    form = {"tenant": "jonkoping", "org": "kommunen", "roles": "admin", "sub": "test-admin"}
    answer = await client.post("/login", data=form)
    assert answer.status_code == 403
    assert "lagesbild_session" not in answer.headers.get("set-cookie", "")
    assert (await client.get("/")).status_code == 303


async def test_the_api_takes_no_csrf_token(client: Client, auth: Token) -> None:
    answer = await client.post("/api/v1/areas", json={"code": "csrf-test", "name": "Råslätt"}, headers=auth("admin"))
    assert answer.status_code in (201, 409), answer.text


async def test_sign_in_errors_stand_beside_their_fields_and_keep_the_input(client: Client) -> None:
    form = {"_csrf_token": await _csrf(client), "tenant": "jonkoping", "org": "x" * 201, "roles": "chief"}
    answer = await client.post("/login", data=form | {"sub": "test-user"})
    assert answer.status_code == 400
    assert '<a href="#organisation">Organisation får vara högst 200 tecken</a>' in answer.text
    assert '<a href="#roller">Välj bland rollerna i listan</a>' in answer.text
    assert 'aria-describedby="organisation-hint organisation-error" aria-invalid="true"' in answer.text
    assert 'value="test-user"' in answer.text
    assert "<title>Fel: Logga in" in answer.text
    assert (await client.get("/")).status_code == 303


async def test_sign_out_ends_the_session(client: Client) -> None:
    await _sign_in(client)
    assert (await client.get("/")).status_code == 200
    answer = await client.post("/logout", data={"_csrf_token": await _csrf(client, "/")})
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert (await client.get("/")).status_code == 303


async def test_pages_get_a_strict_policy_and_are_never_stored(client: Client) -> None:
    await _sign_in(client)
    answer = await client.get("/")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert '<html lang="sv">' in answer.text
    assert "<script>" not in answer.text


async def test_the_overview_page_is_recorded_in_the_read_log(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    await _sign_in(client, tenant=tenant)
    assert (await client.get("/")).status_code == 200
    reads = await recorded_reads(client, auth, tenant, resource="overview")
    assert [(r["actor"], r["org"], r["route"]) for r in reads] == [("test-samordnare", "kommunen", "GET /")]


@pytest.mark.parametrize("path", ["/login", "/tillganglighet"])
async def test_public_pages_answer_without_a_session(client: Client, path: str) -> None:
    answer = await client.get(path)
    assert answer.status_code == 200
    assert 'href="/tillganglighet">Tillgänglighetsredogörelse</a>' in answer.text

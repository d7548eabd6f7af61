"""Signing in to the pages with OpenID Connect, against a real provider (oidc-provider-mock) in a thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import oidc_provider_mock  # type: ignore[import-untyped]
import pytest

from service.app import create_app
from service.settings import Settings
from tests.support.servers import serving

CLAIMS: dict[str, object] = {
    "tenant": "jonkoping",
    "org": "kommunen",
    "roles": ["coordinator"],
    "name": "Samordnare Råslätt",
}


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    """A real OpenID provider on loopback; its issuer URL."""
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def _settings(issuer: str, database_dsn: str, data_dir: Path) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": database_dsn,
            "LAGESBILD_DATA_DIR": str(data_dir),
            "LAGESBILD_OIDC_ISSUER": issuer,
            "LAGESBILD_OIDC_AUDIENCE": "lagesbild",
            "LAGESBILD_OIDC_JWKS_URL": f"{issuer}/jwks",
            "LAGESBILD_OIDC_CLIENT_ID": "lagesbild-pages",
            "LAGESBILD_OIDC_CLIENT_SECRET": "test-client-secret",
            "LAGESBILD_SESSION_KEY": "k" * 40,
        }
    )


async def _user(issuer: str, sub: str, claims: dict[str, object]) -> None:
    """Tell the provider which claims `sub` has."""
    async with httpx.AsyncClient() as http:
        assert (await http.put(f"{issuer}/users/{sub}", json=claims)).status_code == 204


async def _to_callback(issuer: str, authorize_url: str, sub: str) -> str:
    """The person at the provider: opens its form, chooses who they are, and is sent back; where to."""
    async with httpx.AsyncClient() as browser:
        form = await browser.get(authorize_url)
        assert form.status_code == 200, form.text
        answer = await browser.post(authorize_url, data={"sub": sub})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def test_sign_in_with_the_code_flow(issuer: str, database_dsn: str, data_dir: Path) -> None:
    settings = _settings(issuer, database_dsn, data_dir)
    await _user(issuer, "test-samordnare", CLAIMS)
    async with serving(create_app(settings, database_dsn), settings) as client:
        start = await client.get("/login")
        assert start.status_code == 303
        query = parse_qs(urlsplit(start.headers["location"]).query)
        assert query["code_challenge_method"] == ["S256"]
        assert query["nonce"]
        assert query["state"]
        back = await _to_callback(issuer, start.headers["location"], "test-samordnare")
        done = await client.get(back)
        assert (done.status_code, done.headers["location"]) == (303, "/"), done.text
        overview = await client.get("/")
        assert overview.status_code == 200
        assert "Samordnare Råslätt" in overview.text
        assert ">Granskning</a>" in overview.text


async def test_a_returned_state_that_was_not_sent_signs_no_one_in(
    issuer: str, database_dsn: str, data_dir: Path
) -> None:
    settings = _settings(issuer, database_dsn, data_dir)
    await _user(issuer, "test-samordnare", CLAIMS)
    async with serving(create_app(settings, database_dsn), settings) as client:
        start = await client.get("/login")
        back = await _to_callback(issuer, start.headers["location"], "test-samordnare")
        forged = back.replace("state=", "state=x")
        assert (await client.get(forged)).status_code == 400
        assert (await client.get("/")).status_code == 303


async def test_claims_out_of_bounds_sign_no_one_in(issuer: str, database_dsn: str, data_dir: Path) -> None:
    settings = _settings(issuer, database_dsn, data_dir)
    await _user(issuer, "test-okand", CLAIMS | {"roles": ["chief"]})
    async with serving(create_app(settings, database_dsn), settings) as client:
        start = await client.get("/login")
        back = await _to_callback(issuer, start.headers["location"], "test-okand")
        answer = await client.get(back)
        assert answer.status_code == 400
        assert "Inloggningen misslyckades" in answer.text


async def test_with_an_issuer_the_development_sign_in_does_not_exist(
    issuer: str, database_dsn: str, data_dir: Path
) -> None:
    settings = _settings(issuer, database_dsn, data_dir)
    async with serving(create_app(settings, database_dsn), settings) as client:
        assert (await client.get("/login")).headers["location"].startswith(issuer)
        token = client.cookies["lagesbild_csrf"]  # a valid CSRF token: the refusal is the route's, not the check's
        form = {"tenant": "jonkoping", "org": "kommunen", "roles": "admin", "sub": "test-admin"}
        assert (await client.post("/login", data=form, headers={"x-csrftoken": token})).status_code == 404

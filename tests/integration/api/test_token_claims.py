"""Signed tokens with claims of an odd shape or too long a life: 401 problem+json through HTTP, never 500."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import jwt
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.cli import main
from service.settings import Settings
from service.web.auth import DEV_AUDIENCE, DEV_ISSUER, development_key, mint_development_token
from tests.integration.api.conftest import Client

HOUR = 3600


def _signed(data_dir: Path, **overrides: object) -> str:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": "u", "tenant": "jonkoping", "org": "polisen", "roles": ["reporter"],
        "iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "iat": now, "exp": now + 600,
    }  # fmt: skip
    return jwt.encode(claims | overrides, development_key(data_dir), algorithm="HS256")


async def _get_areas(client: Client, token: str) -> tuple[int, str, dict[str, object]]:
    response = await client.get("/api/v1/areas", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.headers.get("content-type", ""), response.json()


@pytest.mark.parametrize(
    ("claims", "named"),
    [
        ({"roles": [["auditor"]]}, "roles[0]"),
        ({"roles": [{"a": 1}]}, "roles[0]"),
        ({"roles": "auditor"}, "roles"),
        ({"roles": {"auditor": True}}, "roles"),
        ({"roles": []}, "roles"),
        ({"sub": 7}, "Subject"),  # PyJWT checks sub itself
        ({"tenant": ["jonkoping"]}, "tenant"),
        ({"org": {"name": "polisen"}}, "org"),
        ({"org": "x" * 201}, "org"),
        ({"exp": str(int(time.time()) + HOUR)}, "exp"),
        ({"exp": int(time.time()) + 25 * HOUR}, "exp"),
        ({"exp": 10**12}, "exp"),
    ],
    ids=[
        "roles-nested-list", "roles-object", "roles-string", "roles-object-map", "roles-empty", "sub-number",
        "tenant-list", "org-object", "org-too-long", "exp-string", "exp-25-hours-away", "exp-far-future",
    ],
)  # fmt: skip
async def test_an_odd_claim_is_401_naming_it(
    client: Client, data_dir: Path, claims: dict[str, object], named: str
) -> None:
    status, content_type, problem = await _get_areas(client, _signed(data_dir, **claims))
    assert status == 401, problem
    assert content_type.startswith("application/problem+json")
    assert named in str(problem["detail"])


async def test_a_token_within_the_lifetime_is_accepted(client: Client, data_dir: Path) -> None:
    status, _, body = await _get_areas(client, _signed(data_dir, exp=int(time.time()) + 23 * HOUR))
    assert status == 200, body


@pytest.fixture
async def one_hour_client(database_dsn: str, data_dir: Path) -> AsyncIterator[Client]:
    env = {"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_TOKEN_MAX_LIFETIME_HOURS": "1"}
    async with AsyncTestClient(create_app(Settings.from_env(env), database_dsn)) as test_client:
        yield test_client


async def test_the_lifetime_limit_is_a_setting(one_hour_client: Client, data_dir: Path) -> None:
    two_hours = mint_development_token(
        data_dir, sub="u", tenant="jonkoping", org="polisen", roles=["reporter"], ttl_seconds=2 * HOUR
    )
    status, _, problem = await _get_areas(one_hour_client, two_hours)
    assert status == 401
    assert "LAGESBILD_TOKEN_MAX_LIFETIME_HOURS" in str(problem["detail"])
    half_hour = _signed(data_dir, exp=int(time.time()) + HOUR // 2)
    assert (await _get_areas(one_hour_client, half_hour))[0] == 200


def test_the_token_command_stays_within_the_lifetime(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LAGESBILD_DATA_DIR", str(data_dir))
    monkeypatch.delenv("LAGESBILD_OIDC_ISSUER", raising=False)
    command = ["token", "--tenant", "jonkoping", "--org", "polisen", "--roles", "reporter", "--sub", "u"]
    assert main([*command, "--hours", "25"]) == 2
    assert "LAGESBILD_TOKEN_MAX_LIFETIME_HOURS" in capsys.readouterr().err
    monkeypatch.setenv("LAGESBILD_TOKEN_MAX_LIFETIME_HOURS", "2")
    assert main(command) == 0  # the default (8 hours) is held to a shorter limit
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, development_key(data_dir), algorithms=["HS256"], audience=DEV_AUDIENCE)
    assert claims["exp"] - claims["iat"] == 2 * HOUR

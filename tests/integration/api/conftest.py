"""Fixtures for the API tests: the app on the test database, tokens, a fresh area per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from service.web.auth import mint_development_token

Client = AsyncTestClient[Litestar]
Token = Callable[..., dict[str, str]]


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder of the session's own (the development signing key lives there)."""
    return tmp_path_factory.mktemp("lagesbild-data")


@pytest.fixture(scope="session")
def app(database_dsn: str, data_dir: Path) -> Litestar:
    """The app on the default settings, made once for the session.

    Registering its routes costs more than most tests; its lifespan (pools, store, runners, read log)
    starts afresh for each test's client.
    """
    settings = Settings.from_env({"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir)})
    return create_app(settings, database_dsn)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[Client]:
    """A client of the whole app, lifespan included."""
    async with AsyncTestClient(app) as test_client:
        yield test_client


@pytest.fixture
def auth(data_dir: Path) -> Token:
    """Headers with a token: `auth("reporter", org="polisen", tenant="jonkoping")`."""

    def make(*roles: str, org: str = "polisen", tenant: str = "jonkoping", sub: str | None = None) -> dict[str, str]:
        token = mint_development_token(
            data_dir, sub=sub or f"{org}-user", tenant=tenant, org=org, roles=list(roles) or ["reporter"]
        )
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
async def area(client: Client, auth: Token) -> str:
    """A fresh area of the tenant jonkoping; its id."""
    code = f"omrade-{uuid.uuid4().hex[:8]}"
    response = await client.post("/api/v1/areas", json={"code": code, "name": "Råslätt"}, headers=auth("admin"))
    assert response.status_code == 201, response.text
    # Read your write: tests that read the read models' tables directly find the area there.
    params = {"min_position": response.json()["position"]}
    while (seen := await client.get("/api/v1/picture", params=params, headers=auth("admin"))).status_code == 503:
        assert seen.headers["retry-after"]  # still catching up (a loaded machine): the read waits again
    assert seen.status_code == 200, seen.text
    return str(response.json()["id"])


async def head(client: Client) -> int:
    """The log's head position, as /ready reports it (to show that nothing was stored)."""
    response = await client.get("/ready")
    return int(response.json()["head_position"])


def report_body(area_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid report body."""
    return {
        "area_id": area_id,
        "category": "klotter",
        "occurred_at": "2026-11-20T21:30:00+01:00",
        "count": 2,
        "place": "Gångtunneln vid centrum",
        "description": "Nytt klotter på båda väggarna",
    } | overrides

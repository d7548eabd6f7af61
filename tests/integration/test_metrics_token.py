"""/metrics with and without LAGESBILD_METRICS_TOKEN; the probes (/health, /ready) need no token either way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from service.web.auth import mint_development_token

METRICS_TOKEN = "scrape-4f1c9a7e2b"
Client = AsyncTestClient[Litestar]


async def app_client(database_dsn: str, data_dir: Path, **env: str) -> AsyncIterator[Client]:
    settings = Settings.from_env({"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir), **env})
    async with AsyncTestClient(create_app(settings, database_dsn)) as client:
        yield client


@pytest.fixture
async def guarded(database_dsn: str, tmp_path: Path) -> AsyncIterator[Client]:
    """The app with a metrics token."""
    async for client in app_client(database_dsn, tmp_path, LAGESBILD_METRICS_TOKEN=METRICS_TOKEN):
        yield client


@pytest.fixture
async def open_metrics(database_dsn: str, tmp_path: Path) -> AsyncIterator[Client]:
    """The app without one (development)."""
    async for client in app_client(database_dsn, tmp_path):
        yield client


async def test_with_the_token_metrics_answer(guarded: Client) -> None:
    response = await guarded.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "lagesbild_projection_position" in response.text


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        f"Bearer {METRICS_TOKEN[:-1]}",
        f"Bearer {METRICS_TOKEN}x",
        f"Basic {METRICS_TOKEN}",
        METRICS_TOKEN,
        "Bearer ",
        "Bearer \u00e4",
    ],
)
async def test_without_the_token_metrics_are_a_401_problem(guarded: Client, authorization: str | None) -> None:
    headers = {} if authorization is None else {b"authorization": authorization.encode("latin-1")}
    response = await guarded.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"] == 'Bearer realm="metrics"'
    assert "LAGESBILD_METRICS_TOKEN" in response.json()["detail"]
    assert "lagesbild_projection" not in response.text


async def test_a_partnership_token_does_not_open_the_metrics(guarded: Client, tmp_path: Path) -> None:
    token = mint_development_token(tmp_path, sub="kommunen-1", tenant="jonkoping", org="kommunen", roles=["admin"])
    response = await guarded.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/health", "/ready"])
async def test_the_probes_need_no_token(guarded: Client, path: str) -> None:
    assert (await guarded.get(path)).status_code == 200


async def test_without_a_metrics_token_setting_metrics_are_open(open_metrics: Client) -> None:
    response = await open_metrics.get("/metrics")
    assert response.status_code == 200
    assert "lagesbild_projection_position" in response.text

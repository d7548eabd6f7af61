"""The per-token write limit through HTTP: 429 with Retry-After for one token, the others and reads unaffected."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.integration.api.conftest import Client, Token, head, report_body

BURST = 3


@pytest.fixture
async def limited(database_dsn: str, data_dir: Path) -> AsyncIterator[Client]:
    """The app with a burst of three writes per token and then one write every 1000 s: a limit hit at once."""
    env = {
        "DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir),
        "LAGESBILD_WRITE_RATE": "0.001", "LAGESBILD_WRITE_BURST": str(BURST),
    }  # fmt: skip
    async with AsyncTestClient(create_app(Settings.from_env(env), database_dsn)) as client:
        yield client


async def test_a_token_past_its_burst_gets_429_with_retry_after(limited: Client, auth: Token) -> None:
    admin, reporter = auth("admin", sub="admin-1"), auth("reporter", sub="polis-1")
    body = {"code": f"begransad-{uuid.uuid4().hex[:6]}", "name": "Råslätt"}
    area = (await limited.post("/api/v1/areas", json=body, headers=admin)).json()
    for _ in range(BURST):
        response = await limited.post("/api/v1/reports", json=report_body(area["id"]), headers=reporter)
        assert response.status_code == 201, response.text
    position = await head(limited)

    refused = await limited.post("/api/v1/reports", json=report_body(area["id"]), headers=reporter)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 990 <= int(refused.headers["retry-after"]) <= 1000
    assert refused.json()["status"] == 429
    assert "this token" in refused.json()["detail"]
    assert await head(limited) == position  # nothing was stored

    other = auth("reporter", sub="polis-2")  # another token: a bucket of its own
    assert (await limited.post("/api/v1/reports", json=report_body(area["id"]), headers=other)).status_code == 201
    for _ in range(2 * BURST):  # reads are not limited
        assert (await limited.get("/api/v1/reports", params={"area_id": area["id"]}, headers=reporter)).is_success
    assert (await limited.post("/api/v1/reports", json=report_body(area["id"]), headers=reporter)).status_code == 429


async def test_a_write_without_a_valid_token_is_401_not_counted(limited: Client, auth: Token) -> None:
    for _ in range(BURST + 1):
        response = await limited.post("/api/v1/categories", json={}, headers={"Authorization": "Bearer nonsense"})
        assert response.status_code == 401


def test_the_limit_is_read_from_the_environment() -> None:
    assert (Settings.from_env({}).write_rate, Settings.from_env({}).write_burst) == (10.0, 50)
    settings = Settings.from_env({"LAGESBILD_WRITE_RATE": "2.5", "LAGESBILD_WRITE_BURST": "7"})
    assert (settings.write_rate, settings.write_burst) == (2.5, 7)
    assert Settings.from_env({"LAGESBILD_WRITE_RATE": "off"}).write_rate is None
    assert Settings.from_env({"LAGESBILD_WRITE_RATE": "0"}).write_rate is None
    for bad in ("fast", "-1", "inf"):
        with pytest.raises(ValueError, match="LAGESBILD_WRITE_RATE"):
            Settings.from_env({"LAGESBILD_WRITE_RATE": bad})

"""The per-token write limit: 429 with Retry-After for one token, the others and reads unaffected, across replicas."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from service.web.rate_limit import WriteLimit
from tests.integration.api.conftest import Client, Token, head, report_body

BURST = 3


def _limited_app(database_dsn: str, data_dir: Path) -> AsyncTestClient[Any]:
    """An app (a replica) with a burst of three writes per token and then one write every 1000 s."""
    env = {
        "DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir),
        "LAGESBILD_WRITE_RATE": "0.001", "LAGESBILD_WRITE_BURST": str(BURST),
    }  # fmt: skip
    return AsyncTestClient(create_app(Settings.from_env(env), database_dsn))


@pytest.fixture
async def limited(database_dsn: str, data_dir: Path) -> AsyncIterator[Client]:
    """One replica with the limit hit at once."""
    async with _limited_app(database_dsn, data_dir) as client:
        yield client


async def test_two_replicas_share_a_token_s_bucket(database_dsn: str, data_dir: Path, auth: Token) -> None:
    admin, reporter = auth("admin", sub="admin-1"), auth("reporter", sub=f"polis-{uuid.uuid4().hex[:8]}")
    async with _limited_app(database_dsn, data_dir) as one, _limited_app(database_dsn, data_dir) as two:
        body = {"code": f"repliker-{uuid.uuid4().hex[:6]}", "name": "Öxnehaga"}
        area = (await one.post("/api/v1/areas", json=body, headers=admin)).json()["id"]
        statuses = [
            (await replica.post("/api/v1/reports", json=report_body(area), headers=reporter)).status_code
            for replica in (one, two, one, two, one, two)
        ]
    assert statuses == [201] * BURST + [429] * BURST  # the burst, however the writes are spread


async def test_a_bucket_refills_at_the_rate_up_to_its_burst(database_dsn: str, owner_dsn: str) -> None:
    key = hashlib.sha256(uuid.uuid4().bytes).digest()
    limit = WriteLimit(rate=2.0, burst=3)
    async with asyncpg.create_pool(database_dsn, min_size=1, max_size=1) as pool:
        owner = await asyncpg.connect(owner_dsn)
        try:

            async def later(seconds: float) -> None:  # move the bucket's clock instead of waiting
                await owner.execute(
                    "UPDATE write_buckets SET counted_at = counted_at - make_interval(secs => $2) WHERE key = $1",
                    key,
                    seconds,
                )

            assert [await limit.take(pool, key) for _ in range(3)] == [0.0, 0.0, 0.0]
            wait = await limit.take(pool, key)
            assert 0.4 < wait <= 0.5  # one write comes back every half second (less what passed meanwhile)
            await later(0.25)
            assert 0.15 < await limit.take(pool, key) <= 0.25
            await later(0.25)
            assert await limit.take(pool, key) == 0.0
            await later(3600)  # full again, and no fuller than its burst
            assert [await limit.take(pool, key) > 0 for _ in range(4)] == [False, False, False, True]
            assert await limit.take(pool, hashlib.sha256(key).digest()) == 0.0  # another key: its own bucket
        finally:
            await owner.close()


def test_a_limit_needs_a_rate_and_a_burst() -> None:
    with pytest.raises(ValueError, match="rate"):
        WriteLimit(rate=0, burst=5)
    with pytest.raises(ValueError, match="burst"):
        WriteLimit(rate=1, burst=0)


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

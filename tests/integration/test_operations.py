"""Operations endpoints through real HTTP: health, readiness, the OpenAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.db.location import with_database
from service.db.migrate import latest_version
from service.settings import Settings


@pytest.fixture
async def client(database_dsn: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client of the whole app (lifespan included) on the test database."""
    settings = Settings.from_env({"DATABASE_URL": database_dsn})
    async with AsyncTestClient(create_app(settings, database_dsn)) as client:
        yield client


async def test_health_answers(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_a_current_schema(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert body["schema_version"] == body["expected_schema_version"] == latest_version()


async def test_ready_is_a_problem_while_the_database_refuses_and_recovers_after(
    client: AsyncTestClient[Litestar], admin_dsn: str
) -> None:
    name = urlsplit(admin_dsn).path.lstrip("/")
    admin = await asyncpg.connect(with_database(admin_dsn, "postgres"))
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            name,
        )
        response = await client.get("/ready")
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["retry-after"]
        assert "not reachable" in response.json()["detail"]
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
    assert (await client.get("/ready")).status_code == 200


async def test_openapi_document_is_served(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Lägesbild"

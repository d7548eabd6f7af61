"""The pages' tests: the API tests' fixtures, and a client of the app that shows redirects, not follows them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.integration.api.conftest import Client, auth, data_dir

__all__ = ["auth", "client", "data_dir"]


@pytest.fixture
async def client(database_dsn: str, data_dir: Path) -> AsyncIterator[Client]:
    """A client of the whole app, lifespan included; a 303 is an answer to look at."""
    settings = Settings.from_env({"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir)})
    async with AsyncTestClient(create_app(settings, database_dsn)) as test_client:
        test_client.follow_redirects = False
        yield test_client

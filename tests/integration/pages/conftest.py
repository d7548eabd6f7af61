"""The pages' tests: the API tests' fixtures, and a client of the app that shows redirects, not follows them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.api.conftest import Client, app, auth, data_dir
from tests.support.area_page import Area, raslatt

__all__ = ["app", "auth", "client", "data_dir"]


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[Client]:
    """A client of the whole app (the session's), lifespan included; a 303 is an answer to look at."""
    async with AsyncTestClient(app) as test_client:
        test_client.follow_redirects = False
        yield test_client


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def area(database_dsn: str, data_dir: Path) -> AsyncIterator[Area]:
    """Råslätt (tests/support/area_page.py), once for the module: Område's tests only read it."""
    async with raslatt(database_dsn, data_dir) as written:
        yield written

"""The pages' tests: the API tests' fixtures, and a client of the app that shows redirects, not follows them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.api.conftest import Client, app, auth, data_dir

__all__ = ["app", "auth", "client", "data_dir"]


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[Client]:
    """A client of the whole app (the session's), lifespan included; a 303 is an answer to look at."""
    async with AsyncTestClient(app) as test_client:
        test_client.follow_redirects = False
        yield test_client

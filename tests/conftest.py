"""Fixtures shared by every test: one migrated throw-away database per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.database import test_database


@pytest.fixture(scope="session")
def database_dsn() -> Iterator[str]:
    """DSN of a fresh, migrated database for this test session."""
    with test_database() as dsn:
        yield dsn

"""Fixtures shared by every test: one migrated throw-away database per session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.support.database import SessionDatabase, test_database

# The property tests draw the same examples in every run (the suite is deterministic);
# HYPOTHESIS_PROFILE=explore draws new ones, to look for counterexamples.
settings.register_profile("deterministic", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture(scope="session")
def session_database() -> Iterator[SessionDatabase]:
    """A fresh, migrated database for this test session, with a DSN for each of its roles."""
    with test_database() as database:
        yield database


@pytest.fixture(scope="session")
def database_dsn(session_database: SessionDatabase) -> str:
    """The service role's DSN: what the app runs on, so that the suite proves its privileges suffice."""
    return session_database.service


@pytest.fixture(scope="session")
def owner_dsn(session_database: SessionDatabase) -> str:
    """The schema owner's DSN (migrations)."""
    return session_database.owner


@pytest.fixture(scope="session")
def admin_dsn(session_database: SessionDatabase) -> str:
    """A superuser's DSN on the session's database (stopping connections, databases of a test's own)."""
    return session_database.admin

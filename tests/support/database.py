"""A throw-away database for one test session, on DATABASE_URL or an embedded server."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from service.db.embedded import EmbeddedPostgres
from service.db.location import database_name, with_database
from service.db.scratch import create_database, drop_database

TEST_SERVER_SETTINGS = {"fsync": "off"}
"""No flush to disk at each commit: a test's data must outlive a killed process, never the machine, and
WAL handed to the kernel at commit does. What it saves: bench/RESULTS.md, "The test suite's time"."""


@dataclass(frozen=True)
class SessionDatabase:
    """One migrated database, reached as three roles."""

    service: str
    """The service's login (a member of lagesbild_service): what the app and the stores use."""
    owner: str
    """The schema's owner (migrations)."""
    admin: str
    """The server's superuser on this database: for what a test does to the server itself."""


@contextlib.contextmanager
def test_database() -> Iterator[SessionDatabase]:
    """Yield a fresh, migrated database; drop it and stop the embedded server after.

    DATABASE_URL, if set, must be a superuser's (roles and databases are created on it), and
    the server must let the roles of service/db/roles.py log in without a password.
    """
    server: EmbeddedPostgres | None = None
    server_dsn = os.environ.get("DATABASE_URL")
    if not server_dsn:
        data_dir = Path(os.environ.get("LAGESBILD_DATA_DIR") or ".lagesbild").absolute()
        # A cluster of its own for each pytest-xdist worker: the one that starts a cluster stops it.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        server = EmbeddedPostgres(data_dir / f"pg-test{'-' + worker if worker else ''}", settings=TEST_SERVER_SETTINGS)
        server_dsn = server.start()
    try:
        urls = asyncio.run(create_database(server_dsn, "lagesbild_test"))
        admin = with_database(server_dsn, database_name(urls.service))
        try:
            yield SessionDatabase(urls.service, urls.migration, admin)
        finally:
            asyncio.run(drop_database(admin))
    finally:
        if server is not None:
            server.stop()

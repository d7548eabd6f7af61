"""A throw-away database for one test session, on DATABASE_URL or an embedded server."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from service.database import create_database, drop_database
from service.embedded_db import EmbeddedPostgres


@contextlib.contextmanager
def test_database() -> Iterator[str]:
    """Yield the DSN of a fresh, migrated database; drop it and stop the embedded server after."""
    server: EmbeddedPostgres | None = None
    server_dsn = os.environ.get("DATABASE_URL")
    if not server_dsn:
        data_dir = Path(os.environ.get("LAGESBILD_DATA_DIR") or ".lagesbild").absolute()
        server = EmbeddedPostgres(data_dir / "pg-test")
        server_dsn = server.start()
    try:
        dsn = asyncio.run(create_database(server_dsn, "lagesbild_test"))
        try:
            yield dsn
        finally:
            asyncio.run(drop_database(dsn))
    finally:
        if server is not None:
            server.stop()

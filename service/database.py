"""Where the database is: `DATABASE_URL`, or an embedded PostgreSQL in the data folder."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from service.embedded_db import EmbeddedPostgres
from service.settings import Settings


@contextlib.contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """Yield a DSN; with no `DATABASE_URL`, run the embedded server for the duration."""
    if settings.database_url:
        yield settings.database_url
        return
    server = EmbeddedPostgres(settings.data_dir / "pg")
    dsn = server.start()
    try:
        yield dsn
    finally:
        server.stop()

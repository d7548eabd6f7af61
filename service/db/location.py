"""Where the database is: `DATABASE_URL`, or an embedded PostgreSQL in the data folder."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import asyncpg

from service.db.embedded import EmbeddedPostgres
from service.db.roles import DatabaseUrls, ensure_database, urls_for
from service.settings import Settings

EMBEDDED_DATABASE = "lagesbild"
"""The database the service uses on the embedded server (owned by roles.OWNER)."""


@contextlib.contextmanager
def database_urls(settings: Settings) -> Iterator[DatabaseUrls]:
    """Yield the service's and the migrations' DSNs; with no `DATABASE_URL`, run the embedded server.

    On the embedded server we are its superuser: we create the roles and the database
    `lagesbild` owned by the owner role, then hand out the owner's DSN for migrations and the
    service login's DSN for everything else.
    """
    if settings.database_url:
        yield DatabaseUrls(settings.database_url, settings.migration_database_url or settings.database_url)
        return
    server = EmbeddedPostgres(settings.data_dir / "pg", settings.embedded_pg_dir)
    superuser = server.start()
    try:
        asyncio.run(bootstrap(superuser, EMBEDDED_DATABASE))
        yield urls_for(with_database(superuser, EMBEDDED_DATABASE))
    finally:
        server.stop()


async def bootstrap(server_dsn: str, name: str) -> None:
    admin = await asyncpg.connect(with_database(server_dsn, "postgres"))
    try:
        await ensure_database(admin, name)
    finally:
        await admin.close()


def with_database(dsn: str, name: str) -> str:
    """The same server's DSN, pointing at database `name`."""
    scheme, rest = dsn.split("://", 1)
    head, _, tail = rest.partition("?")
    authority = head.split("/", 1)[0]
    return f"{scheme}://{authority}/{name}" + (f"?{tail}" if tail else "")


def database_name(dsn: str) -> str:
    """The name of the database that `dsn` points at."""
    return dsn.split("://", 1)[1].partition("?")[0].split("/", 1)[1]

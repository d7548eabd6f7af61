"""Where the database is: `DATABASE_URL`, or an embedded PostgreSQL in the data folder."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg

from projections.tenancy import ReaderConnection, start_reader_session
from projections.unavailable import DEFAULT_LIMITS, UNAVAILABLE, Limits
from service.db_roles import DatabaseUrls, ensure_database, urls_for
from service.embedded_db import EmbeddedPostgres
from service.migrate import migrate
from service.settings import Settings

EMBEDDED_DATABASE = "lagesbild"
"""The database the service uses on the embedded server (owned by db_roles.OWNER)."""

CONNECTION_ERRORS = UNAVAILABLE
"""What asyncpg raises when the database cannot be reached, went away or cannot serve now."""


class DatabaseUnavailable(ConnectionError):
    """The pool could not open a connection (the database is down, starting or unreachable)."""


def limits(settings: Settings) -> Limits:
    """The connect and statement timeouts the settings ask for."""
    return Limits(settings.db_connect_timeout, settings.db_command_timeout)


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
        asyncio.run(_bootstrap(superuser, EMBEDDED_DATABASE))
        yield urls_for(with_database(superuser, EMBEDDED_DATABASE))
    finally:
        server.stop()


async def _bootstrap(server_dsn: str, name: str) -> None:
    admin = await asyncpg.connect(with_database(server_dsn, "postgres"))
    try:
        await ensure_database(admin, name)
    finally:
        await admin.close()


async def _light_reset(conn: asyncpg.Connection) -> None:
    # asyncpg's default reset costs a round trip on every release (RESET ALL, UNLISTEN *, ...).
    # The service's pooled connections only run queries and never change session state, so
    # all that can be left behind is an aborted or open transaction.
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def _connect(*args: Any, **kwargs: Any) -> asyncpg.Connection:
    # The pool connects when a request needs a connection; say plainly that the database is
    # away rather than let an OSError (no socket, refused) pass for a fault of the service.
    try:
        return await asyncpg.connect(*args, **kwargs)
    except CONNECTION_ERRORS as error:
        raise DatabaseUnavailable(f"the database cannot be reached: {error}") from error


def create_pool(dsn: str, max_size: int, bounds: Limits = DEFAULT_LIMITS, **options: Any) -> asyncpg.Pool:
    """The connection pool for queries (use as `async with`); connects and statements are bounded."""
    return asyncpg.create_pool(
        dsn,
        **options,
        min_size=1,
        max_size=max_size,
        reset=_light_reset,
        connect=_connect,
        timeout=bounds.connect_seconds,
        command_timeout=bounds.command_seconds,
    )


def create_reader_pool(dsn: str, max_size: int, bounds: Limits = DEFAULT_LIMITS) -> asyncpg.Pool:
    """The readers' pool behind `TenantReaders`: its connections act as the reader role, read only, for good."""
    return create_pool(dsn, max_size, bounds, init=start_reader_session, connection_class=ReaderConnection)


def with_database(dsn: str, name: str) -> str:
    """The same server's DSN, pointing at database `name`."""
    scheme, rest = dsn.split("://", 1)
    head, _, tail = rest.partition("?")
    authority = head.split("/", 1)[0]
    return f"{scheme}://{authority}/{name}" + (f"?{tail}" if tail else "")


async def create_database(server_dsn: str, prefix: str) -> DatabaseUrls:
    """Create a fresh database `prefix_<random>` owned by the owner role, migrate it as the owner.

    `server_dsn` must be allowed to create roles and databases (a superuser); the service's
    DSN it returns logs in as the service role, so what runs on it proves the privileges suffice.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _bootstrap(server_dsn, name)
    urls = urls_for(with_database(server_dsn, name))
    conn = await asyncpg.connect(urls.migration)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return urls


async def drop_database(dsn: str) -> None:
    """Drop the database that `dsn` (a superuser's) points at, closing whatever is still connected to it."""
    name = database_name(dsn)
    admin = await asyncpg.connect(with_database(dsn, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def database_name(dsn: str) -> str:
    """The name of the database that `dsn` points at."""
    return dsn.split("://", 1)[1].partition("?")[0].split("/", 1)[1]


@contextlib.asynccontextmanager
async def scratch_database(server_dsn: str, prefix: str) -> AsyncIterator[DatabaseUrls]:
    """A fresh, migrated database for the duration (tests, benchmarks); `server_dsn` a superuser's."""
    urls = await create_database(server_dsn, prefix)
    try:
        yield urls
    finally:
        await drop_database(with_database(server_dsn, database_name(urls.service)))

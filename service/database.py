"""Where the database is: `DATABASE_URL`, or an embedded PostgreSQL in the data folder."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg

from projections.unavailable import DEFAULT_LIMITS, UNAVAILABLE, Limits
from service.embedded_db import EmbeddedPostgres
from service.migrate import migrate
from service.settings import Settings

CONNECTION_ERRORS = UNAVAILABLE
"""What asyncpg raises when the database cannot be reached, went away or cannot serve now."""


class DatabaseUnavailable(ConnectionError):
    """The pool could not open a connection (the database is down, starting or unreachable)."""


def limits(settings: Settings) -> Limits:
    """The connect and statement timeouts the settings ask for."""
    return Limits(settings.db_connect_timeout, settings.db_command_timeout)


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


def create_pool(dsn: str, max_size: int, bounds: Limits = DEFAULT_LIMITS) -> asyncpg.Pool:
    """The connection pool for queries (use as `async with`); connects and statements are bounded."""
    return asyncpg.create_pool(
        dsn,
        min_size=1,
        max_size=max_size,
        reset=_light_reset,
        connect=_connect,
        timeout=bounds.connect_seconds,
        command_timeout=bounds.command_seconds,
    )


def with_database(dsn: str, name: str) -> str:
    """The same server's DSN, pointing at database `name`."""
    scheme, rest = dsn.split("://", 1)
    head, _, tail = rest.partition("?")
    authority = head.split("/", 1)[0]
    return f"{scheme}://{authority}/{name}" + (f"?{tail}" if tail else "")


async def create_database(server_dsn: str, prefix: str) -> str:
    """Create a fresh database named `prefix_<random>` on the server, migrate it, return its DSN."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(with_database(server_dsn, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = with_database(server_dsn, name)
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return dsn


async def drop_database(dsn: str) -> None:
    """Drop the database that `dsn` points at, closing whatever is still connected to it."""
    name = dsn.split("://", 1)[1].partition("?")[0].split("/", 1)[1]
    admin = await asyncpg.connect(with_database(dsn, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def scratch_database(server_dsn: str, prefix: str) -> AsyncIterator[str]:
    """A fresh, migrated database for the duration (tests, benchmarks)."""
    dsn = await create_database(server_dsn, prefix)
    try:
        yield dsn
    finally:
        await drop_database(dsn)

"""Connection pools: bounded connects and statements, a light reset, and the readers' pool."""

from __future__ import annotations

from typing import Any

import asyncpg

from projections.connections import CONNECTION_ERRORS, DEFAULT_LIMITS, Limits
from projections.tenancy import ReaderConnection, start_reader_session
from service.settings import Settings


class DatabaseUnavailable(ConnectionError):
    """The pool could not open a connection (the database is down, starting or unreachable)."""


def limits(settings: Settings) -> Limits:
    """The connect and statement timeouts the settings ask for."""
    return Limits(settings.db_connect_timeout, settings.db_command_timeout)


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

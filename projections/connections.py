"""Connections to the database: the errors that say it is away, and connections that cannot hang.

The one definition for the projection runners (retry, never a poison event), the API (`503`)
and the event writer (an append in doubt); the service imports these names from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    OSError,  # refused, no socket, unreachable; TimeoutError (a connect or command timeout) is one too
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, and "connection was closed in the middle of operation"
    asyncpg.OperatorInterventionError,  # class 57: shutting down, crashed, starting up, query cancelled
    asyncpg.InsufficientResourcesError,  # class 53: disk full, out of memory, too many connections
    asyncpg.InterfaceError,  # "connection is closed"
    asyncpg.InternalClientError,  # asyncpg's word for a connection lost mid-query
)
"""What asyncpg raises when the database cannot be reached, went away or cannot serve now."""
DATABASE_ERRORS: tuple[type[Exception], ...] = (*CONNECTION_ERRORS, asyncpg.PostgresError)
"""Those, or any error the server answered with: for a loop that must outlive whatever the database says."""


@dataclass(frozen=True)
class Limits:
    """How long to wait for the database before calling it unavailable."""

    connect_seconds: float = 5.0
    """To open a connection (asyncpg's own default is a minute)."""
    command_seconds: float = 15.0
    """For one statement's answer; a statement still running then is cancelled."""


DEFAULT_LIMITS = Limits()


async def connect(dsn: str, limits: Limits) -> asyncpg.Connection:
    """A connection opened within `limits.connect_seconds`, its statements bounded by `limits.command_seconds`."""
    return await asyncpg.connect(dsn, timeout=limits.connect_seconds, command_timeout=limits.command_seconds)

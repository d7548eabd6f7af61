"""Liveness and readiness: `GET /health` (process alive) and `GET /ready` (database, schema)."""

from __future__ import annotations

import asyncpg
import msgspec
from litestar import Response, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from service import migrate
from service.database import CONNECTION_ERRORS

_DATABASE_ERRORS: tuple[type[Exception], ...] = (*CONNECTION_ERRORS, asyncpg.PostgresError)


class Health(msgspec.Struct):
    """The process answers."""

    status: str


class Readiness(msgspec.Struct):
    """The database answers and its schema is the one this code expects."""

    ready: bool
    schema_version: int
    expected_schema_version: int
    head_position: int


@get("/health", tags=["operations"], summary="The process is alive")
async def health() -> Health:
    """Answer as long as the process runs; touches nothing else."""
    return Health(status="ok")


@get("/ready", tags=["operations"], summary="The database is reachable and its schema current")
async def ready(state: State) -> Response[Readiness]:
    """503 (problem+json, with Retry-After) while the database is away or the schema is old."""
    pool: asyncpg.Pool = state.pool
    expected = migrate.latest_version()
    try:
        async with pool.acquire(timeout=2) as conn:
            version = await migrate.current_version(conn)
            head = await conn.fetchval("SELECT coalesce(max(notification_id), 0) FROM stored_events")
    except _DATABASE_ERRORS as error:
        raise _not_ready(f"the database is not reachable: {error}") from error
    if version != expected:
        raise _not_ready(f"the schema is at version {version}, this service needs {expected}")
    return Response(Readiness(True, version, expected, int(head)))


def _not_ready(detail: str) -> HTTPException:
    return HTTPException(status_code=503, detail=detail, headers={"Retry-After": "5"})

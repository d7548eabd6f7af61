"""Operations: `GET /health` (alive), `GET /ready` (database, schema, tasks), `GET /metrics` (its own token)."""

from __future__ import annotations

import hmac
from typing import Any

import asyncpg
import msgspec
from litestar import Response, get
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from prometheus_client import generate_latest

from projections.connections import DATABASE_ERRORS
from service.db import migrate
from service.supervision import Supervisor
from service.web.metrics import ServiceMetrics
from service.web.problems import only_problems

METRICS_MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""Prometheus's text format (prometheus_client's generate_latest writes it)."""


class Health(msgspec.Struct):
    """The process answers."""

    status: str


class ProjectionState(msgspec.Struct):
    """One projection: where its active generation is, how far behind the head, why it stopped."""

    projection: str
    generation: int
    position: int
    lag_events: int
    lag_seconds: float
    failure: str | None


class TaskStatus(msgspec.Struct):
    """One background task of this process (service/supervision.py): running, or down until restarted."""

    task: str
    up: bool
    restarts: int


class Readiness(msgspec.Struct):
    """The database answers, its schema is the one this code expects, no projection or task has stopped."""

    ready: bool
    schema_version: int
    expected_schema_version: int
    head_position: int
    projections: list[ProjectionState]
    tasks: list[TaskStatus]


@get("/health", tags=["operations"], summary="The process is alive")
async def health() -> Health:
    """Answer as long as the process runs; touches nothing else."""
    return Health(status="ok")


@get(
    "/ready",
    tags=["operations"],
    summary="The database is reachable and its schema current",
    responses=only_problems(503),
)
async def ready(state: State) -> Response[Readiness]:
    """503 (problem+json, with Retry-After) while the database is away or the schema is old."""
    pool: asyncpg.Pool = state.pool
    expected = migrate.latest_version()
    try:
        async with pool.acquire(timeout=2) as conn:
            version = await migrate.current_version(conn)
            head = await conn.fetchval("SELECT coalesce(max(notification_id), 0) FROM stored_events")
        statuses = await state.tracker.status() if version == expected else []
    except DATABASE_ERRORS as error:
        raise _not_ready(f"the database is not reachable: {error}") from error
    if version != expected:
        raise _not_ready(f"the schema is at version {version}, this service needs {expected}")
    projections = [ProjectionState(**p) for p in statuses]
    failed = [p for p in projections if p.failure]
    if failed:
        raise _not_ready(f"the {failed[0].projection} projection stopped: {failed[0].failure}")
    supervisor: Supervisor = state.tasks
    if down := supervisor.down:
        raise _not_ready(f"the background task {down[0].name} failed ({down[0].failure}); it is restarted shortly")
    tasks = [TaskStatus(t.name, t.up, t.restarts) for t in supervisor.states.values()]
    return Response(Readiness(True, version, expected, int(head), projections, tasks))


async def metrics_token(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: with LAGESBILD_METRICS_TOKEN set, `Authorization: Bearer <it>` or 401; unset, anyone may read."""
    expected: str | None = connection.app.state.metrics_token
    if expected is None:
        return
    scheme, _space, given = connection.headers.get("authorization", "").partition(" ")
    # compare_digest: the time taken must not tell how much of a guess was right (bytes: any header value)
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise NotAuthorizedException(
            "send the metrics token: Authorization: Bearer <LAGESBILD_METRICS_TOKEN>",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )


@get(
    "/metrics",
    tags=["operations"],
    summary="Prometheus metrics",
    media_type=METRICS_MEDIA_TYPE,
    guards=[metrics_token],
    security=[{"metrics": []}, {}],  # {}: none needed while the service has no metrics token
    responses=only_problems(401, 503),
)
async def metrics(state: State) -> Response[bytes]:
    """Requests per route, appends, projection positions and lag, the read log, the pools (503 without the database).

    With LAGESBILD_METRICS_TOKEN set, only with that token (401 otherwise); unset, without one.
    """
    service_metrics: ServiceMetrics = state.metrics
    service_metrics.set_projections(await state.tracker.status())
    return Response(generate_latest(service_metrics.registry), media_type=METRICS_MEDIA_TYPE)


def _not_ready(detail: str) -> HTTPException:
    return HTTPException(status_code=503, detail=detail, headers={"Retry-After": "5"})

"""What a read handler needs, as one dependency: the caller, the pool, the projections' tracker, the time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Request
from litestar.di import NamedDependency

from service.auth import Identity, authenticate
from service.projection_status import ProjectionTracker


@dataclass(frozen=True, slots=True)
class Reading:
    """The caller (verified by the guards), the query pool, the tracker (read your writes), now."""

    identity: Identity
    pool: asyncpg.Pool
    tracker: ProjectionTracker
    now: datetime


def reading_provider(clock: Callable[[], datetime]) -> Callable[[Request[Any, Any, Any]], Awaitable[Reading]]:
    """The provider of `Reading`, with the app's clock.

    One dependency instead of four: Litestar resolves a handler's several dependencies in an
    anyio task group (a task each), which was about a fifth of an area picture's CPU in the
    process; a single one it awaits directly.
    """

    async def provide_reading(request: Request[Any, Any, Any]) -> Reading:
        state = request.app.state
        return Reading(authenticate(request), state.pool, state.tracker, clock())

    return provide_reading


ReadingOf = NamedDependency[Reading]

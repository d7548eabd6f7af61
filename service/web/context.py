"""What a handler works with, as one dependency: the caller, the time, the pool, the tracker, the store..."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Request
from litestar.di import NamedDependency

from projections.tenancy import TenantReaders
from service.area_lookup import AreaLookup
from service.settings import Settings
from service.store.event_store import EventStore
from service.web.auth import Identity, authenticate
from service.web.projection_progress import ProjectionTracker


@dataclass(frozen=True, slots=True)
class HandlerContext:
    """The caller (verified by the route's guards), now, and what the app holds open."""

    identity: Identity
    now: datetime
    pool: asyncpg.Pool
    readers: TenantReaders
    tracker: ProjectionTracker
    store: EventStore
    areas: AreaLookup
    settings: Settings


def context_provider(
    settings: Settings, clock: Callable[[], datetime]
) -> Callable[[Request[Any, Any, Any]], Awaitable[HandlerContext]]:
    """The provider of `HandlerContext`, with the app's settings and clock.

    For the hot routes: Litestar resolves a handler's several dependencies in an anyio task
    group (a task each), which was about a fifth of an area picture's or a report's CPU in the
    process; a single dependency it awaits directly.
    """

    async def provide_context(request: Request[Any, Any, Any]) -> HandlerContext:
        state = request.app.state
        return HandlerContext(
            authenticate(request), clock(), state.pool, state.readers, state.tracker, state.store, state.areas, settings
        )

    return provide_context


Context = NamedDependency[HandlerContext]

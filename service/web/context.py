"""What a handler works with, as one dependency: the caller, the time, and what the app holds open.

Every route that needs any of it takes `context: Context`, and nothing else of the app's: one
way to write a handler, for the API and the pages alike.
"""

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
from service.catalogue import Catalogue
from service.identity import Identity
from service.settings import Settings
from service.store.event_store import EventStore
from service.web.auth import authenticate
from service.web.projection_progress import ProjectionTracker
from service.web.read_cache import ReadCache
from service.web.stream_slots import StreamSlots


@dataclass(frozen=True, slots=True)
class HandlerContext:
    """The caller (verified by the route's guards), now, and what the app holds open."""

    identity: Identity
    now: datetime
    pool: asyncpg.Pool
    readers: TenantReaders
    tracker: ProjectionTracker
    pages: ReadCache
    """What many read alike, computed once for them (Översikt, an area page)."""
    store: EventStore
    areas: AreaLookup
    catalogue: Catalogue
    settings: Settings
    streams: StreamSlots


Identify = Callable[[Request[Any, Any, Any]], Identity]
"""How a route finds its caller: the API from the bearer token, the pages from the session cookie."""


def context_provider(
    settings: Settings, clock: Callable[[], datetime], identify: Identify = authenticate
) -> Callable[[Request[Any, Any, Any]], Awaitable[HandlerContext]]:
    """The provider of `HandlerContext`, with the app's settings and clock; `identify` finds the caller.

    Either way the caller is left in `scope["state"]["identity"]`, where the read log finds it.

    One dependency on purpose: Litestar resolves a handler's several dependencies in an anyio
    task group (a task each), which cost a share of a request's CPU; a single one it awaits
    directly (bench/RESULTS.md, "Figures behind the code's choices").
    """

    async def provide_context(request: Request[Any, Any, Any]) -> HandlerContext:
        state = request.app.state
        return HandlerContext(
            identity=identify(request),
            now=clock(),
            pool=state.pool,
            readers=state.readers,
            tracker=state.tracker,
            pages=state.pages,
            store=state.store,
            areas=state.areas,
            catalogue=state.catalogue,
            settings=settings,
            streams=state.streams,
        )

    return provide_context


Context = NamedDependency[HandlerContext]

"""The Litestar application: routes, OpenAPI at /schema, and the resources it holds open."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import asyncpg
from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from domain.codec import make_mapper
from projections.registry import PROJECTIONS
from projections.runner import ProjectionRunner
from service import health
from service.api.actions import ActionController
from service.api.areas import AreaController
from service.api.assessments import AssessmentController
from service.api.audit import AuditController
from service.api.categories import CategoryController
from service.api.picture import PictureController
from service.api.reports import ReportController
from service.api.stream import StreamController
from service.area_lookup import AreaLookup
from service.auth import TokenVerifier, provide_identity
from service.database import create_pool
from service.event_store import EventStore
from service.json_body import JsonBodyRequest
from service.migrate import migrate
from service.problems import EXCEPTION_HANDLERS
from service.projection_status import ProjectionTracker
from service.rate_limit import TokenBuckets, limit_writes
from service.settings import Settings


def _now() -> datetime:
    return datetime.now(UTC)


def _store(state: State) -> EventStore:
    store: EventStore = state.store
    return store


def _tracker(state: State) -> ProjectionTracker:
    tracker: ProjectionTracker = state.tracker
    return tracker


def _pool(state: State) -> asyncpg.Pool:
    pool: asyncpg.Pool = state.pool
    return pool


def _areas(state: State) -> AreaLookup:
    areas: AreaLookup = state.areas
    return areas


def create_app(settings: Settings, dsn: str, clock: Callable[[], datetime] = _now) -> Litestar:
    """An app on the database at `dsn`; it migrates the schema and opens the store at start-up.

    `clock` is what the domain is told the time is (tests fix it); recorded times are the database's.
    """

    @contextlib.asynccontextmanager
    async def resources(app: Litestar) -> AsyncIterator[None]:
        conn = await asyncpg.connect(dsn)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        async with create_pool(dsn, settings.pool_size) as pool:
            store = EventStore(dsn, pool, make_mapper())
            await store.open()
            app.state.pool, app.state.store = pool, store
            app.state.areas = AreaLookup(store)
            app.state.tracker = tracker = ProjectionTracker(dsn, pool)
            await tracker.start()
            runners = []
            if settings.run_projections:
                for projection in PROJECTIONS.values():
                    runner = ProjectionRunner(dsn, projection, store.mapper)
                    runners.append(asyncio.create_task(runner.run_forever(), name=f"projection-{projection.name}"))
            try:
                yield
            finally:
                for task in runners:
                    task.cancel()
                await asyncio.gather(*runners, return_exceptions=True)
                await tracker.close()
                await store.close()

    api = Router(
        "/api/v1",
        route_handlers=[
            AreaController,
            CategoryController,
            ReportController,
            ActionController,
            AssessmentController,
            PictureController,
            AuditController,
            StreamController,
        ],
        dependencies={
            "identity": Provide(provide_identity),
            "store": Provide(_store, sync_to_thread=False),
            "areas": Provide(_areas, sync_to_thread=False),
            "pool": Provide(_pool, sync_to_thread=False),
            "tracker": Provide(_tracker, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True),
            "now": Provide(clock, sync_to_thread=False),
        },
        security=[{"bearer": []}],
        guards=[limit_writes(TokenBuckets(settings.write_rate, settings.write_burst))] if settings.write_rate else [],
    )
    app = Litestar(
        route_handlers=[health.health, health.ready, health.metrics, api],
        lifespan=[resources],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        request_class=JsonBodyRequest,
        openapi_config=OpenAPIConfig(
            title="Lägesbild",
            version="0.1.0",
            description="A shared lägesbild for police, municipality and housing company (EST).",
            path="/schema",
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                }
            ),
        ),
    )
    app.state.verifier = TokenVerifier(settings)
    return app

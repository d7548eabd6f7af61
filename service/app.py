"""The Litestar application: routes, OpenAPI at /schema, and the resources it holds open."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from domain.codec import make_mapper
from service import health
from service.api.actions import ActionController
from service.api.areas import AreaController
from service.api.assessments import AssessmentController
from service.api.categories import CategoryController
from service.api.reports import ReportController
from service.area_lookup import AreaLookup
from service.auth import TokenVerifier, provide_identity
from service.database import create_pool
from service.event_store import EventStore
from service.migrate import migrate
from service.problems import EXCEPTION_HANDLERS
from service.settings import Settings


def _now() -> datetime:
    return datetime.now(UTC)


def _store(state: State) -> EventStore:
    store: EventStore = state.store
    return store


def _areas(state: State) -> AreaLookup:
    areas: AreaLookup = state.areas
    return areas


def create_app(settings: Settings, dsn: str) -> Litestar:
    """An app on the database at `dsn`; it migrates the schema and opens the store at start-up."""

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
            try:
                yield
            finally:
                await store.close()

    api = Router(
        "/api/v1",
        route_handlers=[AreaController, CategoryController, ReportController, ActionController, AssessmentController],
        dependencies={
            "identity": Provide(provide_identity),
            "store": Provide(_store, sync_to_thread=False),
            "areas": Provide(_areas, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True),
            "now": Provide(_now, sync_to_thread=False),
        },
        security=[{"bearer": []}],
    )
    app = Litestar(
        route_handlers=[health.health, health.ready, api],
        lifespan=[resources],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
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

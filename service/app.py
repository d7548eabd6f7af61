"""The Litestar application: routes, OpenAPI at /schema, and the resources it holds open."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin

from domain.codec import make_mapper
from service import health
from service.event_store import EventStore
from service.migrate import migrate
from service.settings import Settings


def create_app(settings: Settings, dsn: str) -> Litestar:
    """An app on the database at `dsn`; it migrates the schema and opens the store at start-up."""

    @contextlib.asynccontextmanager
    async def resources(app: Litestar) -> AsyncIterator[None]:
        conn = await asyncpg.connect(dsn)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        async with asyncpg.create_pool(dsn, min_size=1, max_size=settings.pool_size) as pool:
            store = EventStore(dsn, pool, make_mapper())
            await store.open()
            app.state.pool, app.state.store = pool, store
            try:
                yield
            finally:
                await store.close()

    return Litestar(
        route_handlers=[health.health, health.ready],
        lifespan=[resources],
        plugins=[ProblemDetailsPlugin(ProblemDetailsConfig(enable_for_all_http_exceptions=True))],
        openapi_config=OpenAPIConfig(
            title="Lägesbild",
            version="0.1.0",
            description="A shared lägesbild for police, municipality and housing company (EST).",
            path="/schema",
        ),
    )

"""The Litestar application: routes, OpenAPI at /schema, and the resources it holds open."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import asyncpg
from litestar import Litestar, Router
from litestar.di import Provide
from litestar.logging.config import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from domain.codec import make_mapper
from projections.generations import ensure_active
from projections.log_reader import LogReader
from projections.registry import PROJECTIONS
from projections.runner import ProjectionRunner
from projections.tenancy import TenantReaders
from service import retention
from service.api.actions import ActionController
from service.api.areas import AreaController
from service.api.assessments import AssessmentController
from service.api.audit import AuditController
from service.api.categories import CategoryController
from service.api.imports import ImportController
from service.api.maps import MapController
from service.api.patterns import PatternsController
from service.api.picture import PictureController
from service.api.reads import ReadLogController
from service.api.reports import ReportController
from service.api.stream import StreamController
from service.api.verification import VerificationController
from service.area_lookup import AreaLookup
from service.audit.read_log import ReadLog
from service.catalogue import Catalogue
from service.db.migrate import migrate
from service.db.pools import create_pool, create_reader_pool, limits
from service.pages.rendering import template_config
from service.pages.router import pages_router
from service.settings import Settings
from service.store.event_store import EventStore
from service.supervision import Supervisor
from service.web import health
from service.web.auth import TokenVerifier
from service.web.context import context_provider
from service.web.docs_page import render_plugins, static_routers
from service.web.json_body import JsonBodyRequest
from service.web.metrics import ServiceMetrics
from service.web.problems import EXCEPTION_HANDLERS
from service.web.projection_progress import ProjectionTracker
from service.web.query_params import declared_query_only
from service.web.rate_limit import WriteLimit, limit_writes
from service.web.read_cache import ReadCache
from service.web.security_headers import add_security_headers
from service.web.stream_slots import StreamSlots


def _now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings, dsn: str, clock: Callable[[], datetime] = _now, *, migration_dsn: str | None = None
) -> Litestar:
    """An app on the database at `dsn`; it migrates the schema and opens the store at start-up.

    `clock` is what the domain is told the time is (tests fix it); recorded times are the database's.
    Migrations connect to `migration_dsn` (the schema's owner; default `dsn`), and only if the
    schema is behind: the service's own role may not change it.
    """

    @contextlib.asynccontextmanager
    async def resources(app: Litestar) -> AsyncIterator[None]:
        conn = await asyncpg.connect(migration_dsn or dsn)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        bounds = limits(settings)
        readers = create_reader_pool(dsn, settings.pool_size, bounds)
        async with create_pool(dsn, settings.pool_size, bounds) as pool, readers:
            async with pool.acquire() as service_conn:  # as the service: the read models are its own
                for projection in PROJECTIONS.values():  # each exists (if empty) before the first read
                    await ensure_active(service_conn, projection)
            store = EventStore(dsn, pool, make_mapper(), bounds, settings.append_resolve_seconds)
            await store.open()
            store.observe_groups(app.state.metrics.observe_group)
            app.state.pool, app.state.store, app.state.reader_pool = pool, store, readers
            app.state.readers = TenantReaders(readers)
            app.state.areas = AreaLookup(store)
            app.state.catalogue = Catalogue(store, app.state.readers)
            app.state.tracker = tracker = ProjectionTracker(dsn, pool, bounds)
            app.state.pages = ReadCache(tracker, settings.page_cache_seconds)
            app.state.tasks = tasks = Supervisor()  # every background task: restarted if it fails, shown in /ready
            await tracker.start(tasks)
            log_reader = LogReader(dsn, store.mapper, bounds)  # the runners decode each batch once
            if settings.retention_days > 0:
                tasks.start("retention", lambda: retention.sweep_forever(store, clock, settings.retention_days))
            if settings.run_projections:
                for projection in PROJECTIONS.values():
                    runner = ProjectionRunner(
                        dsn,
                        projection,
                        store.mapper,
                        limits=bounds,
                        reader=log_reader,
                        gather_seconds=settings.projection_gather_seconds,
                    )
                    tasks.start(f"projection-{projection.name}", runner.run_forever)
            app.state.read_log = read_log = ReadLog(dsn)
            read_log.start(tasks)
            try:
                yield
            finally:
                tracker.end_streams()  # (lagesbild serve ends them as it stops taking requests)
                await read_log.close()  # writes what is left
                await tasks.close()
                await log_reader.close()
                await tracker.close()
                await store.close()

    api = Router(
        "/api/v1",
        route_handlers=[
            AreaController,
            CategoryController,
            ReportController,
            ImportController,
            ActionController,
            AssessmentController,
            PictureController,
            PatternsController,
            MapController,
            AuditController,
            ReadLogController,
            StreamController,
            VerificationController,
        ],
        dependencies={"context": Provide(context_provider(settings, clock))},
        security=[{"bearer": []}],
        guards=[
            declared_query_only,
            *([limit_writes(WriteLimit(settings.write_rate, settings.write_burst))] if settings.write_rate else []),
        ],
    )
    app = Litestar(
        route_handlers=[
            health.health,
            health.ready,
            health.metrics,
            api,
            *static_routers(),
            *pages_router(settings, clock),
        ],
        lifespan=[resources],
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[add_security_headers],
        request_max_body_size=settings.max_body_bytes,
        request_class=JsonBodyRequest,
        template_config=template_config(),
        # Records go to the root logger the CLI set up (service/log_format.py): text or JSON lines.
        logging_config=LoggingConfig(
            configure_root_logger=False, loggers={"litestar": {"level": "INFO", "handlers": [], "propagate": True}}
        ),
        openapi_config=OpenAPIConfig(
            title="Lägesbild",
            version="0.1.0",
            description="A shared lägesbild for police, municipality and housing company (EST).",
            path="/schema",
            render_plugins=render_plugins(),
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                    "metrics": SecurityScheme(
                        type="http", scheme="bearer", description="LAGESBILD_METRICS_TOKEN (when the service has one)"
                    ),
                }
            ),
        ),
    )
    app.state.verifier = TokenVerifier(settings)
    app.state.metrics_token = settings.metrics_token
    app.state.metrics = ServiceMetrics(app.state)
    app.state.streams = StreamSlots(settings.max_streams_per_subject)
    return app

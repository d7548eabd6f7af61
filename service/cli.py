"""The `lagesbild` command: serve, migrate, run or rebuild projections, seed demo data, mint dev tokens."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import json
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import asyncpg
from litestar import Litestar

from domain.codec import make_mapper
from projections.log_reader import LogReader
from projections.rebuild import rebuild
from projections.registry import PROJECTIONS
from projections.runner import ProjectionRunner
from service import catalogue, demo, log_format, retention
from service.app import create_app
from service.audit.retention import remove_expired_reads
from service.cli_arguments import parser
from service.db.embedded import EmbeddedDatabaseError, EmbeddedPostgres
from service.db.location import database_urls
from service.db.migrate import migrate
from service.db.pools import limits
from service.db.roles import DatabaseUrls
from service.imports import police_events
from service.settings import Settings
from service.stopping import until_stopped
from service.store import chain
from service.store.event_store import EventStore
from service.supervision import Supervisor
from service.web.auth import mint_development_token
from service.web.http_server import Server, server_config


def _freeze_heap() -> None:
    """Keep every object alive now out of the garbage collector's passes from now on."""
    gc.collect()
    gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `lagesbild` console command."""
    settings = Settings.from_env()
    args = parser(settings).parse_args(argv)
    log_format.configure(settings.log_level, settings.log_format)
    if args.command == "token":
        if settings.oidc_issuer:
            print("LAGESBILD_OIDC_ISSUER is set: tokens come from the identity provider", file=sys.stderr)
            return 2
        limit = settings.token_max_lifetime_hours
        hours = min(8, limit) if args.hours is None else args.hours
        if not 0 < hours <= limit:
            print(
                f"--hours must be above 0 and at most {limit:g} (LAGESBILD_TOKEN_MAX_LIFETIME_HOURS)", file=sys.stderr
            )
            return 2
        roles = [r.strip() for r in args.roles.split(",") if r.strip()]
        token = mint_development_token(
            settings.data_dir,
            sub=args.sub,
            tenant=args.tenant,
            org=args.org,
            roles=roles,
            ttl_seconds=int(hours * 3600),
        )
        print(token)
        return 0
    if (missing := _missing_database(settings)) is not None:
        print(f"lagesbild: {missing}", file=sys.stderr)
        return 2
    with database_urls(settings) as urls:
        dsn = urls.service
        if args.command == "serve":
            if args.demo:
                asyncio.run(_seed(urls))
            app = create_app(settings, dsn, migration_dsn=urls.migration)
            # What exists now (modules, routes, schemas) lives as long as the process: keep it out
            # of the collector's full passes, which set a picture read's p99 under load. So does
            # what the start-up opens (pools, connections, runners, caches): frozen once it is open
            # (the passes' times before and after are in bench/RESULTS.md).
            app.on_startup.append(_freeze_heap)
            _freeze_heap()
            config = server_config(
                app, settings, host=args.host, port=args.port, log_level="info"
            )  # fmt: skip
            # Returns after SIGTERM or SIGINT (requests in flight answered, live streams ended), so
            # the embedded server is stopped below.
            Server(config, on_stop=lambda: _end_streams(app)).run()
        elif args.command == "migrate":
            applied = asyncio.run(_migrate(urls.migration))
            print(f"applied {applied}" if applied else "schema is up to date")
        elif args.command == "project":
            asyncio.run(_project(urls, settings))
        elif args.command == "rebuild":
            generation = asyncio.run(_rebuild(urls, args.projection))
            print(f"{args.projection} rebuilt: readers now use generation {generation}")
        elif args.command == "retention":
            redacted, removed = asyncio.run(_retention(urls, settings))
            print(f"redacted the free text of {redacted} reports and actions older than {settings.retention_days} days")
            print(f"removed {removed} records of reads older than {settings.read_log_retention_days} days")
        elif args.command == "audit":
            return asyncio.run(_audit(dsn, args))
        elif args.command == "import":
            return asyncio.run(_import(urls, args))
        elif args.command == "demo":
            seeded = asyncio.run(_seed(urls))
            print("demo data seeded" if seeded else f"the tenant {demo.TENANT!r} has data already; nothing seeded")
    return 0


def _end_streams(app: Litestar) -> None:
    tracker = getattr(app.state, "tracker", None)  # (none if the start-up failed)
    if tracker is not None:
        tracker.end_streams()


def _missing_database(settings: Settings) -> str | None:
    """Why there is no database to use: no DATABASE_URL and no embedded server installed (the image)."""
    if settings.database_url:
        return None
    try:
        EmbeddedPostgres.binary("postgres")
    except EmbeddedDatabaseError as error:
        return str(error)
    return None


async def _migrate(dsn: str) -> list[int]:
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn)
    finally:
        await conn.close()


async def _project(urls: DatabaseUrls, settings: Settings) -> None:
    await _migrate(urls.migration)
    bounds = limits(settings)
    mapper = make_mapper()
    reader = LogReader(urls.service, mapper, bounds)  # shared: the runners decode each batch once
    gather = settings.projection_gather_seconds
    runners = [
        ProjectionRunner(urls.service, p, mapper, limits=bounds, reader=reader, gather_seconds=gather)
        for p in PROJECTIONS.values()
    ]
    tasks = Supervisor()  # a runner that fails is logged and restarted, not the end of the process
    try:
        await until_stopped(*(tasks.start(f"projection-{r.projection.name}", r.run_forever) for r in runners))
    finally:
        await tasks.close()
        await reader.close()


async def _rebuild(urls: DatabaseUrls, name: str) -> int:
    await _migrate(urls.migration)
    return await rebuild(urls.service, PROJECTIONS[name], make_mapper())


async def _audit(dsn: str, args: argparse.Namespace) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        if args.audit_command == "head":
            print(json.dumps([dataclasses.asdict(h) for h in await chain.heads(conn, args.tenant)], indent=2))
            return 0
        kept = {h["tenant"]: chain.Head(**h) for h in json.load(args.head)} if args.head else {}
        tenants = [args.tenant] if args.tenant else sorted({h.tenant for h in await chain.heads(conn)} | set(kept))
        results = {t: await chain.verify(conn, t, kept.get(t)) for t in tenants}
    finally:
        await conn.close()
    print(json.dumps({t: r.as_dict() for t, r in results.items()}, indent=2))
    return 0 if all(r.ok for r in results.values()) else 1


@contextlib.asynccontextmanager
async def _open_store(urls: DatabaseUrls) -> AsyncIterator[EventStore]:
    """The schema migrated, and an open store on the service's connection (for one command)."""
    await _migrate(urls.migration)
    async with asyncpg.create_pool(urls.service, min_size=1, max_size=2) as pool:
        store = EventStore(urls.service, pool, make_mapper())
        await store.open()
        try:
            yield store
        finally:
            await store.close()


async def _retention(urls: DatabaseUrls, settings: Settings) -> tuple[int, int]:
    redacted = removed = 0
    if settings.retention_days > 0:
        async with _open_store(urls) as store:
            redacted = await retention.sweep(store, datetime.now(UTC), settings.retention_days)
    if settings.read_log_retention_days > 0:  # the owner's job: the service may not remove records
        owner = await asyncpg.connect(urls.migration)
        try:
            removed = await remove_expired_reads(owner, settings.read_log_retention_days)
        finally:
            await owner.close()
    return redacted, removed


async def _import(urls: DatabaseUrls, args: argparse.Namespace) -> int:
    events = json.loads(args.file.read_text(encoding="utf-8"))
    async with _open_store(urls) as store, catalogue.opened(store, urls.service) as known:
        done = await police_events.import_events(
            store,
            known,
            police_events.importer_identity(args.tenant, args.org),
            events,
            police_events.load_mapping(args.area_map),
            now=lambda: datetime.now(UTC),
            progress=police_events.print_progress,
        )
    print(f"created {done.created}, already there {done.already_there}, refused {len(done.refused)}")
    for event_id, why in done.refused:
        print(f"  refused {event_id}: {why}")
    return 0


async def _seed(urls: DatabaseUrls) -> bool:
    async with _open_store(urls) as store:
        return await demo.seed(store, datetime.now(UTC))


if __name__ == "__main__":
    sys.exit(main())

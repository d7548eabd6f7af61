"""The `lagesbild` command: serve, migrate, run or rebuild projections, seed demo data, mint dev tokens."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
import uvicorn

from domain.codec import make_mapper
from projections.rebuild import rebuild
from projections.registry import PROJECTIONS
from projections.runner import ProjectionRunner
from service import demo
from service.app import create_app
from service.auth import ROLES, mint_development_token
from service.database import database_url
from service.event_store import EventStore
from service.migrate import migrate
from service.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `lagesbild` console command."""
    settings = Settings.from_env()
    args = _parser(settings).parse_args(argv)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "token":
        if settings.oidc_issuer:
            print("LAGESBILD_OIDC_ISSUER is set: tokens come from the identity provider", file=sys.stderr)
            return 2
        roles = [r.strip() for r in args.roles.split(",") if r.strip()]
        token = mint_development_token(
            settings.data_dir, sub=args.sub, tenant=args.tenant, org=args.org, roles=roles,
            ttl_seconds=args.hours * 3600,
        )  # fmt: skip
        print(token)
        return 0
    with database_url(settings) as dsn:
        if args.command == "serve":
            if args.demo:
                asyncio.run(_seed(dsn))
            app = create_app(settings, dsn)
            # What exists now (modules, routes, schemas) lives as long as the process: keep it out
            # of the collector's full passes, which took 15-30 ms under load (a picture read's p99).
            gc.collect()
            gc.freeze()
            uvicorn.run(
                app, host=args.host, port=args.port, log_level="info", access_log=settings.access_log,
            )  # fmt: skip
        elif args.command == "migrate":
            applied = asyncio.run(_migrate(dsn))
            print(f"applied {applied}" if applied else "schema is up to date")
        elif args.command == "project":
            asyncio.run(_project(dsn))
        elif args.command == "rebuild":
            generation = asyncio.run(_rebuild(dsn, args.projection))
            print(f"{args.projection} rebuilt: readers now use generation {generation}")
        elif args.command == "demo":
            seeded = asyncio.run(_seed(dsn))
            print("demo data seeded" if seeded else f"the tenant {demo.TENANT!r} has data already; nothing seeded")
    return 0


def _parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lagesbild", description="Lägesbild service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the API (embedded PostgreSQL if no DATABASE_URL)")
    serve.add_argument("--host", default=settings.host)
    serve.add_argument("--port", type=int, default=settings.port)
    serve.add_argument("--demo", action="store_true", help="seed the demo tenant first if it is empty")
    commands.add_parser("migrate", help="apply the database schema")
    commands.add_parser("demo", help=f"seed demo data for the tenant {demo.TENANT!r} if it is empty")
    commands.add_parser(
        "project", help="run the projections in this process (then serve with LAGESBILD_PROJECTIONS=off)"
    )
    rebuild = commands.add_parser("rebuild", help="rebuild a read model from position zero, then switch readers to it")
    rebuild.add_argument("projection", choices=sorted(PROJECTIONS))
    token = commands.add_parser("token", help="print a development token (local key; not with OIDC)")
    token.add_argument("--tenant", required=True)
    token.add_argument("--org", required=True)
    token.add_argument("--roles", required=True, help=f"comma-separated, from {', '.join(sorted(ROLES))}")
    token.add_argument("--sub", required=True, help="the user id")
    token.add_argument("--hours", type=int, default=8, help="validity (default 8)")
    return parser


async def _migrate(dsn: str) -> list[int]:
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn)
    finally:
        await conn.close()


async def _project(dsn: str) -> None:
    await _migrate(dsn)
    runners = [ProjectionRunner(dsn, p, make_mapper()) for p in PROJECTIONS.values()]
    await asyncio.gather(*(r.run_forever() for r in runners))


async def _rebuild(dsn: str, name: str) -> int:
    await _migrate(dsn)
    return await rebuild(dsn, PROJECTIONS[name], make_mapper())


async def _seed(dsn: str) -> bool:
    await _migrate(dsn)
    async with asyncpg.create_pool(dsn, min_size=1, max_size=2) as pool:
        store = EventStore(dsn, pool, make_mapper())
        await store.open()
        try:
            return await demo.seed(store, datetime.now(UTC))
        finally:
            await store.close()


if __name__ == "__main__":
    sys.exit(main())

"""The `lagesbild` command: serve the API, migrate the schema."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

import asyncpg
import uvicorn

from service.app import create_app
from service.database import database_url
from service.migrate import migrate
from service.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `lagesbild` console command."""
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="lagesbild", description="Lägesbild service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the API (embedded PostgreSQL if no DATABASE_URL)")
    serve.add_argument("--host", default=settings.host)
    serve.add_argument("--port", type=int, default=settings.port)
    commands.add_parser("migrate", help="apply the database schema")
    args = parser.parse_args(argv)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if args.command == "serve":
        with database_url(settings) as dsn:
            uvicorn.run(create_app(settings, dsn), host=args.host, port=args.port, log_level="info")
        return 0
    if args.command == "migrate":
        with database_url(settings) as dsn:
            applied = asyncio.run(_migrate(dsn))
        print(f"applied {applied}" if applied else "schema is up to date")
        return 0
    return 2


async def _migrate(dsn: str) -> list[int]:
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn)
    finally:
        await conn.close()


if __name__ == "__main__":
    sys.exit(main())

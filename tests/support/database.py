"""A throw-away database for one test session, on DATABASE_URL or an embedded server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg

from service.embedded_db import EmbeddedPostgres
from service.migrate import migrate


def with_database(dsn: str, name: str) -> str:
    """The same server DSN pointing at database `name`."""
    scheme, rest = dsn.split("://", 1)
    head, _, tail = rest.partition("?")
    authority = head.split("/", 1)[0]
    return f"{scheme}://{authority}/{name}" + (f"?{tail}" if tail else "")


@contextlib.contextmanager
def test_database() -> Iterator[str]:
    """Create a fresh, migrated database; drop it (and stop the embedded server) afterwards."""
    server: EmbeddedPostgres | None = None
    admin_dsn = os.environ.get("DATABASE_URL")
    if not admin_dsn:
        data_dir = Path(os.environ.get("LAGESBILD_DATA_DIR") or ".lagesbild").absolute()
        server = EmbeddedPostgres(data_dir / "pg-test")
        admin_dsn = server.start()
    name = f"lagesbild_test_{uuid.uuid4().hex[:12]}"
    dsn = with_database(admin_dsn, name)

    async def create() -> None:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        conn = await asyncpg.connect(dsn)
        try:
            await migrate(conn)
        finally:
            await conn.close()

    async def drop() -> None:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    try:
        asyncio.run(create())
        yield dsn
    finally:
        try:
            asyncio.run(drop())
        finally:
            if server is not None:
                server.stop()

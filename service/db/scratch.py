"""Throw-away databases on a server we administer: for tests and benchmarks, migrated as the owner."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg

from service.db.location import bootstrap, database_name, with_database
from service.db.migrate import migrate
from service.db.roles import DatabaseUrls, urls_for


async def create_database(server_dsn: str, prefix: str) -> DatabaseUrls:
    """Create a fresh database `prefix_<random>` owned by the owner role, migrate it as the owner.

    `server_dsn` must be allowed to create roles and databases (a superuser); the service's
    DSN it returns logs in as the service role, so what runs on it proves the privileges suffice.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await bootstrap(server_dsn, name)
    urls = urls_for(with_database(server_dsn, name))
    conn = await asyncpg.connect(urls.migration)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return urls


async def drop_database(dsn: str) -> None:
    """Drop the database that `dsn` (a superuser's) points at, closing whatever is still connected to it."""
    name = database_name(dsn)
    admin = await asyncpg.connect(with_database(dsn, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def scratch_database(server_dsn: str, prefix: str) -> AsyncIterator[DatabaseUrls]:
    """A fresh, migrated database for the duration (tests, benchmarks); `server_dsn` a superuser's."""
    urls = await create_database(server_dsn, prefix)
    try:
        yield urls
    finally:
        await drop_database(with_database(server_dsn, database_name(urls.service)))

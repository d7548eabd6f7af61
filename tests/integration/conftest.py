"""Fixtures for integration tests: a connection pool and an open event store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from domain.codec import make_mapper
from service.db.location import database_name, with_database
from service.db.scratch import create_database, drop_database
from service.store.event_store import EventStore
from tests.support.database import SessionDatabase


@pytest.fixture
async def pool(database_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    """A small pool on the session's database."""
    async with asyncpg.create_pool(database_dsn, min_size=1, max_size=4) as pool:
        yield pool


@pytest.fixture
async def store(database_dsn: str, pool: asyncpg.Pool) -> AsyncIterator[EventStore]:
    """An open event store; closed after the test."""
    store = EventStore(database_dsn, pool, make_mapper())
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def own_database(admin_dsn: str) -> AsyncIterator[SessionDatabase]:
    """A fresh database for one test, for tests that break things on purpose (dropped after)."""
    urls = await create_database(with_database(admin_dsn, "postgres"), "lagesbild_own")
    admin = with_database(admin_dsn, database_name(urls.service))
    yield SessionDatabase(urls.service, urls.migration, admin)
    await drop_database(admin)


@pytest.fixture
def own_dsn(own_database: SessionDatabase) -> str:
    """The service role's DSN on the test's own database."""
    return own_database.service


@pytest.fixture
async def own_store(own_dsn: str) -> AsyncIterator[EventStore]:
    """An open store on a database of this test's own."""
    async with asyncpg.create_pool(own_dsn, min_size=1, max_size=2) as pool:
        store = EventStore(own_dsn, pool, make_mapper())
        await store.open()
        yield store
        await store.close()

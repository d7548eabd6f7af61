"""Fixtures and helpers for integration tests: a pool, an event store, a database or data folder of one's own, a log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from domain.actor import Actor
from domain.area import Area
from domain.codec import make_mapper
from domain.report import Report
from projections.generations import ensure_active
from projections.runner import ProjectionRunner
from service.db.location import database_name, with_database
from service.db.scratch import create_database, drop_database
from service.store.event_store import EventStore
from tests.support.database import SessionDatabase
from tests.support.serve_process import private_data_dir

BOUND = 60.0
"""How long the test waits for a process to act before it fails (nothing here takes near that long)."""

POLICE = Actor("polis-1", "polisen", "jonkoping")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


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


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data folder of the test's own (its development signing key)."""
    with private_data_dir() as folder:
        yield folder


async def _seed(store: EventStore, reports: int) -> tuple[Area, int]:
    """An area and `reports` reports in it, every fifth corrected, every seventh retracted; the area, the head."""
    area = Area.define(POLICE, "raslatt", "Råslätt")
    position = (await store.append(area.collect_events(), 0)).position
    for n in range(reports):
        report = Report.submit(POLICE, now=NOW, area_id=area.id, category="klotter", week="2026-W47", count=1 + n % 3)
        position = (await store.append(report.collect_events(), 0)).position
        if n % 5 == 0:
            report.correct(POLICE, {"category": "brand"}, "fel kategori", NOW)
            position = (await store.append(report.collect_events(), 1)).position
        if n % 7 == 0:
            report.retract(POLICE, "dubblett")
            position = (await store.append(report.collect_events(), report.version - 1)).position
    return area, position


async def _until(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait for a condition in the database (which has no event to await): poll it, for at most 10 s."""
    async with asyncio.timeout(10):
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def _run_until(runner: ProjectionRunner, dsn: str, position: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        generation = await ensure_active(conn, runner.projection)
        await runner.follow(conn, generation, stop_at_head=True)
        assert (
            await conn.fetchval("SELECT position FROM projection_generations WHERE active AND projection = 'picture'")
            >= position
        )
    finally:
        await conn.close()

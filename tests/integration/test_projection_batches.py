"""A read model comes out the same from long batches (new rows by COPY) as from short ones (upserts)."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import asyncpg
import pytest

from domain.actor import Actor
from domain.area import Area
from domain.codec import make_mapper
from domain.location import coarsen
from domain.report import Report
from projections.generations import COPY_FROM, create_generation, schema_of
from projections.registry import PROJECTIONS
from projections.runner import ProjectionRunner
from service.store.event_store import EventStore
from tests.support.database import SessionDatabase

POLICE = Actor("polis-1", "polisen", "jonkoping")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
REPORTS = 40


async def _seed(store: EventStore, areas: list[Area], moved: list[Report]) -> None:
    """New areas or reports, and (once there are some) reports moved to another area."""
    if not areas:
        areas += [Area.define(POLICE, "raslatt", "Råslätt"), Area.define(POLICE, "centrum", "Centrum")]
        for area in areas:
            await store.append(area.collect_events(), 0)
    for report in moved[: COPY_FROM + 5]:  # a long batch changes them all at once; in the audit trail they move
        report.correct(POLICE, {"area_id": areas[1].id, "count": 3}, "fel område", NOW)
        await store.append(report.collect_events(), report.version - 1)
    for n in range(REPORTS):
        where = coarsen(57.78, 14.16) if n % 2 else None
        report = Report.submit(
            POLICE, now=NOW, area_id=areas[0].id, category="klotter", week="2026-W47", count=2, location=where
        )
        if n % 13 == 0:
            report.retract(POLICE, "dubblett")
        else:
            moved.append(report)
        await store.append(report.collect_events(), 0)


async def _tables(conn: asyncpg.Connection, schema: str, tables: tuple[str, ...]) -> dict[str, list[str]]:
    return {t: sorted(str(tuple(r)) for r in await conn.fetch(f'SELECT * FROM "{schema}"."{t}"')) for t in tables}


TABLES = {"audit": ("entries",), "picture": ("reports", "weekly_counts", "areas", "area_changes")}


async def test_long_and_short_batches_build_the_same_read_models(
    own_dsn: str, own_database: SessionDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    # A database of the test's own: every generation it builds starts from the same log.
    assert REPORTS >= COPY_FROM  # a long batch holds enough new streams to go by COPY
    conn = await asyncpg.connect(own_dsn)
    thresholds = gc.get_threshold()
    try:
        runs = [
            (PROJECTIONS[name], await create_generation(conn, PROJECTIONS[name]), batch_size)
            for name in TABLES
            for batch_size in (5, 5000)
        ]
        areas: list[Area] = []
        moved: list[Report] = []
        async with asyncpg.create_pool(own_dsn, min_size=1, max_size=2) as pool:
            store = EventStore(own_dsn, pool, make_mapper())
            await store.open()
            for _ in range(2):  # the second time, a long batch has both new rows and changed ones
                await _seed(store, areas, moved)
                for projection, generation, batch_size in runs:
                    runner = ProjectionRunner(own_dsn, projection, make_mapper(), batch_size=batch_size)
                    await runner.follow(conn, generation, stop_at_head=True)
            await store.close()
        assert gc.get_threshold() == thresholds  # raised while the short batches caught up, restored at the head
        admin = await asyncpg.connect(own_database.admin)  # every tenant's rows (no row-level security)
        for name, tables in TABLES.items():
            short, long = [
                await _tables(admin, schema_of(name, generation), tables)
                for projection, generation, _ in runs
                if projection.name == name
            ]
            assert short == long, name
            assert "one at a time" not in caplog.text  # each batch applied as a whole, not event by event
            assert len(short[tables[0]]) >= 2 * REPORTS
        await admin.close()
    finally:
        await conn.close()

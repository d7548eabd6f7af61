"""The projection runner on its own database: killed mid-batch, unknown and poison events, cancelled as it is woken."""

from __future__ import annotations

import asyncio
import uuid
from typing import Literal

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from domain.codec import make_mapper
from domain.report import Report
from domain.sealing import new_key
from projections.generations import Connection, Recorded, schema_of
from projections.picture.projection import PictureProjection
from projections.rebuild import rebuild
from projections.runner import ProjectionFailed, ProjectionRunner
from service.app import create_app
from service.settings import Settings
from service.store.event_store import EventStore
from tests.integration.conftest import NOW, POLICE, _run_until, _seed
from tests.support.database import SessionDatabase
from tests.support.read_models import generation_contents


class _StallsMidBatch(PictureProjection):
    """Applies the batch, then waits before the runner can commit it: the moment to kill the runner."""

    def __init__(self) -> None:
        self.applied = asyncio.Event()
        self.hold = asyncio.Event()

    async def apply(self, conn: Connection, schema: str, batch: list[Recorded]) -> None:
        await super().apply(conn, schema, batch)
        self.applied.set()
        await self.hold.wait()


async def test_a_runner_killed_mid_batch_loses_and_double_counts_nothing(own_database: SessionDatabase) -> None:
    own_dsn = own_database.service
    async with asyncpg.create_pool(own_dsn, min_size=1, max_size=2) as pool:
        store = EventStore(own_dsn, pool, make_mapper())
        await store.open()
        _, head = await _seed(store, 40)
        await store.close()

        stalling = _StallsMidBatch()
        doomed = ProjectionRunner(own_dsn, stalling, make_mapper(), batch_size=25)
        task = asyncio.create_task(doomed.run_forever())
        await asyncio.wait_for(stalling.applied.wait(), 10)  # the first batch is written, not committed
        admin = await asyncpg.connect(own_database.admin)
        try:
            await admin.execute(  # kill its connection, as a crash would
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'"
            )
        finally:
            await admin.close()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert await pool.fetchval("SELECT position FROM projection_generations WHERE projection = 'picture'") == 0

        await _run_until(ProjectionRunner(own_dsn, PictureProjection(), make_mapper(), batch_size=25), own_dsn, head)
        expected = await rebuild(own_dsn, PictureProjection(), make_mapper())  # from zero, in one go
        async with pool.acquire() as conn:
            assert await generation_contents(conn, schema_of("picture", 1)) == await generation_contents(
                conn, schema_of("picture", expected)
            )
            counts = (await generation_contents(conn, schema_of("picture", 1)))["weekly_counts"]
        active = [r for r in range(40) if r % 7 != 0]
        assert {dict(r)["category"]: int(dict(r)["reports"]) for r in counts} == {
            "klotter": len([n for n in active if n % 5 != 0]), "brand": len([n for n in active if n % 5 == 0]),
        }  # fmt: skip


async def test_unknown_event_types_are_skipped_and_a_poison_event_stops_the_projection(own_dsn: str) -> None:
    async with asyncpg.create_pool(own_dsn, min_size=1, max_size=2) as pool:
        store = EventStore(own_dsn, pool, make_mapper())
        await store.open()
        area, _ = await _seed(store, 3)
        await pool.execute(  # an event from some other (or future) application
            "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
            " VALUES ($1, 1, 'somewhere.else:Thing.Happened', '{}')",
            uuid.uuid4(),
        )
        later = Report.submit(POLICE, now=NOW, area_id=area.id, category="klotter", week="2026-W47")
        after_unknown = (await store.append(later.collect_events(), 0)).position
        runner = ProjectionRunner(own_dsn, PictureProjection(), make_mapper())
        await _run_until(runner, own_dsn, after_unknown)

        orphan = Report.submit(POLICE, now=NOW, area_id=area.id, category="klotter", week="2026-W47")
        orphan.collect_events()  # its submission is never stored: a correction of nothing
        orphan.correct(POLICE, {"count": 2}, "fel", NOW)
        poison = [mapper_record for mapper_record in orphan.collect_events()]
        record = make_mapper().to_stored_event(poison[0], new_key())
        await pool.execute(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state) VALUES ($1, $2, $3, $4)",
            record.originator_id, record.originator_version, record.topic, record.state,
        )  # fmt: skip
        poison_position = await pool.fetchval("SELECT max(notification_id) FROM stored_events")
        conn = await asyncpg.connect(own_dsn)
        try:
            with pytest.raises(ProjectionFailed, match=f"position {poison_position}"):
                await runner.follow(conn, 1, stop_at_head=True)
        finally:
            await conn.close()
        row = await pool.fetchrow("SELECT position, failure, failed_at_position FROM projection_generations")
        assert row is not None
        assert row["failed_at_position"] == poison_position
        assert row["position"] == poison_position - 1  # everything before it was applied
        assert "Corrected" in row["failure"]
        await store.close()
    settings = Settings.from_env({"DATABASE_URL": own_dsn, "LAGESBILD_PROJECTIONS": "off"})
    async with AsyncTestClient(create_app(settings, own_dsn)) as client:
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert f"position {poison_position}" in ready.json()["detail"]
        metrics = (await client.get("/metrics")).text
        assert 'lagesbild_projection_failed{projection="picture"} 1' in metrics


class _Wake(asyncio.Event):
    """The runner's wake-up event, telling the test when the runner waits on it."""

    def __init__(self) -> None:
        super().__init__()
        self.waited_on = asyncio.Event()

    async def wait(self) -> Literal[True]:
        self.waited_on.set()
        return await super().wait()


async def test_a_runner_cancelled_as_a_notification_arrives_stops(own_dsn: str) -> None:
    # With asyncio.wait_for (Python 3.11) the cancellation was lost and the service never shut down.
    runner = ProjectionRunner(own_dsn, PictureProjection(), make_mapper(), poll_seconds=60)
    runner._wake = wake = _Wake()
    task = asyncio.create_task(runner.run_forever())
    async with asyncio.timeout(10):
        await wake.waited_on.wait()  # idle at the head of the log
    runner._notified()  # a notification, and in the same moment the shutdown
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(10):
            await task

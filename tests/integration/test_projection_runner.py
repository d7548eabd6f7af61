"""The projection runner on its own database: crash mid-batch, rebuild, unknown and poison events, old generations."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from domain.actor import Actor
from domain.area import Area
from domain.codec import make_mapper
from domain.report import Report
from domain.sealing import REDACTED, new_key
from projections.audit.projection import AuditProjection
from projections.generations import Connection, Recorded, active_generation, ensure_active, schema_of
from projections.picture.projection import PictureProjection
from projections.rebuild import rebuild
from projections.runner import ProjectionFailed, ProjectionRunner
from projections.tenancy import tenant_connection
from service.app import create_app
from service.settings import Settings
from service.store.event_store import EventStore
from tests.support.database import SessionDatabase
from tests.support.read_models import generation_contents

POLICE = Actor("polis-1", "polisen", "jonkoping")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def _seed(store: EventStore, reports: int) -> tuple[Area, int]:
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


async def test_a_rebuild_switches_readers_to_an_identical_generation(own_dsn: str) -> None:
    async with asyncpg.create_pool(own_dsn, min_size=1, max_size=2) as pool:
        store = EventStore(own_dsn, pool, make_mapper())
        await store.open()
        _, head = await _seed(store, 30)
        live = ProjectionRunner(own_dsn, PictureProjection(), make_mapper(), poll_seconds=0.05)
        task = asyncio.create_task(live.run_forever())
        try:
            async with pool.acquire() as conn:

                async def caught_up(position: int) -> bool:
                    return bool(
                        await conn.fetchval(
                            "SELECT position >= $1 FROM projection_generations WHERE projection = 'picture' AND active",
                            position,
                        )
                    )

                await _until(lambda: caught_up(head))
                old = await active_generation(conn, "picture")
            new = await rebuild(own_dsn, PictureProjection(), make_mapper())
            async with pool.acquire() as conn:
                assert await active_generation(conn, "picture") == new != old
                assert old is not None
                assert await generation_contents(conn, schema_of("picture", old)) == await generation_contents(
                    conn, schema_of("picture", new)
                )
                # readers (the public views) now see the new generation, and the live runner follows it
                async with tenant_connection(pool, POLICE.tenant) as reader:
                    area_id = uuid.UUID(str(await reader.fetchval("SELECT area_id FROM picture.areas")))
                report = Report.submit(POLICE, now=NOW, area_id=area_id, category="belysning", week="2026-W47")
                position = (await store.append(report.collect_events(), 0)).position
                await _until(lambda: caught_up(position))
                async with tenant_connection(pool, POLICE.tenant) as reader:
                    sql = "SELECT count(*) FROM picture.reports WHERE category = 'belysning'"
                    assert await reader.fetchval(sql) == 1
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await store.close()


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


class _AuditBeforeJson(AuditProjection):
    """The audit trail as its generations were made before the summary became json."""

    tables_sql = AuditProjection.tables_sql.replace("summary json NOT NULL", "summary jsonb NOT NULL")


async def test_an_audit_generation_with_a_jsonb_summary_keeps_working_until_a_rebuild(own_dsn: str) -> None:
    # Generations made before the summary became json have it as jsonb: the runner goes on with
    # them (a redaction scrubs them too) until `lagesbild rebuild audit` makes a json one.
    async def summaries(conn: asyncpg.Connection, generation: int) -> list[tuple[int, Any]]:
        rows = await conn.fetch(f'SELECT position, summary FROM "{schema_of("audit", generation)}".entries')
        return sorted((r["position"], json.loads(r["summary"])) for r in rows)

    async def summary_type(conn: asyncpg.Connection, generation: int) -> str:
        sql = (
            "SELECT data_type FROM information_schema.columns"
            " WHERE table_schema = $1 AND table_name = 'entries' AND column_name = 'summary'"
        )
        return str(await conn.fetchval(sql, schema_of("audit", generation)))

    async with asyncpg.create_pool(own_dsn, min_size=1, max_size=2) as pool:
        store = EventStore(own_dsn, pool, make_mapper())
        await store.open()
        conn = await asyncpg.connect(own_dsn)
        try:
            area, _ = await _seed(store, 3)
            report = Report.submit(
                POLICE, now=NOW, area_id=area.id, category="klotter", week="2026-W47", place="Gångtunneln"
            )
            await store.append(report.collect_events(), 0)
            old = await ensure_active(conn, _AuditBeforeJson())
            runner = ProjectionRunner(own_dsn, AuditProjection(), make_mapper())
            await runner.follow(conn, old, stop_at_head=True)
            report.redact(POLICE, "uppgifter om en enskild")
            await store.append(report.collect_events(), 1)
            await runner.follow(conn, old, stop_at_head=True)

            scrubbed = dict(await summaries(conn, old))
            assert await summary_type(conn, old) == "jsonb"
            assert "Gångtunneln" not in json.dumps(scrubbed, ensure_ascii=False)
            assert REDACTED in {s.get("place") for s in scrubbed.values()}
            new = await rebuild(own_dsn, AuditProjection(), make_mapper())
            assert await summary_type(conn, new) == "json"
            assert await summaries(conn, new) == await summaries(conn, old)
            async with tenant_connection(pool, POLICE.tenant) as reader:  # readers see the new one
                assert await reader.fetchval("SELECT count(*) FROM audit.entries") == len(scrubbed)
        finally:
            await conn.close()
            await store.close()

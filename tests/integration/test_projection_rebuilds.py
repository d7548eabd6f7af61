"""Rebuilding a read model: readers switch to an identical generation; an old audit generation works on until then."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg

from domain.codec import make_mapper
from domain.report import Report
from domain.sealing import REDACTED
from projections.audit.projection import AuditProjection
from projections.generations import active_generation, ensure_active, schema_of
from projections.picture.projection import PictureProjection
from projections.rebuild import rebuild
from projections.runner import ProjectionRunner
from projections.tenancy import tenant_connection
from service.store.event_store import EventStore
from tests.integration.conftest import NOW, POLICE, _seed, _until
from tests.support.read_models import generation_contents


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

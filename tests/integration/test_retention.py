"""Retention: free text older than the retention period is redacted by the system, and only that."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg

from domain.actor import Actor
from domain.area import Area
from domain.codec import make_mapper
from domain.report import Report
from domain.sealing import REDACTED
from service.retention import SYSTEM_USER, sweep
from service.store.event_store import EventStore
from tests.support.database import SessionDatabase

POLICE = Actor("polis-1", "polisen", "jonkoping")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def test_a_sweep_redacts_what_has_outlived_the_retention_period(
    own_dsn: str, own_database: SessionDatabase
) -> None:
    async with asyncpg.create_pool(own_dsn, min_size=1, max_size=2) as pool:
        store = EventStore(own_dsn, pool, make_mapper())
        await store.open()
        try:
            area = Area.define(POLICE, "oxnehaga", "Öxnehaga")
            await store.append(area.collect_events(), 0)
            old, recent = (
                Report.submit(POLICE, now=NOW, area_id=area.id, category="brand", week="2026-W47", description=text)
                for text in ("Brand i soprum", "Brand i förråd")
            )
            await store.append(old.collect_events(), 0)
            await store.append(recent.collect_events(), 0)
            # The old report's key was made six years ago (as far as retention can tell).
            admin = await asyncpg.connect(own_database.admin)  # the service may not change keys
            await admin.execute(
                "UPDATE data_keys SET created_at = created_at - interval '6 years' WHERE subject_id = $1", old.id
            )
            await admin.close()
            now = datetime.now(UTC)
            assert await sweep(store, now, days=5 * 365) == 1
            assert await sweep(store, now, days=5 * 365) == 0  # nothing left to do

            gone, kept = await store.load(old.id), await store.load(recent.id)
            assert (gone.redacted, gone.description, gone.category, gone.count) == (True, REDACTED, "brand", 1)
            assert (kept.redacted, kept.description) == (False, "Brand i förråd")
            [redaction] = (await store.events(old.id))[-1:]
            assert isinstance(redaction, Report.Redacted)
            assert (redaction.by, redaction.tenant) == (SYSTEM_USER, "jonkoping")
            assert "retention period" in redaction.reason
            assert await pool.fetchval("SELECT count(*) FROM data_keys WHERE key IS NULL") == 1
            assert await sweep(store, now + timedelta(days=6 * 365), days=5 * 365) == 1  # the recent one, later on
        finally:
            await store.close()


async def test_two_sweeps_at_once_each_pass_over_what_the_other_redacted(
    own_dsn: str, own_database: SessionDatabase
) -> None:
    async with asyncpg.create_pool(own_dsn, min_size=1, max_size=4) as pool:
        stores = [EventStore(own_dsn, pool, make_mapper()) for _ in range(2)]
        for store in stores:
            await store.open()
        try:
            area = Area.define(POLICE, "raslatt", "Råslätt")
            await stores[0].append(area.collect_events(), 0)
            reports = [
                Report.submit(
                    POLICE, now=NOW, area_id=area.id, category="klotter", week="2026-W47", place=f"Trapphus {i}"
                )
                for i in range(20)
            ]
            for report in reports:
                await stores[0].append(report.collect_events(), 0)
            admin = await asyncpg.connect(own_database.admin)
            await admin.execute("UPDATE data_keys SET created_at = created_at - interval '6 years'")
            await admin.close()
            now = datetime.now(UTC)
            counts = await asyncio.gather(*(sweep(store, now, days=5 * 365) for store in stores))
            assert sum(counts) == len(reports)  # each redacted once, by one sweep or the other, and neither failed
            for report in reports:
                events = await stores[0].events(report.id)
                assert sum(isinstance(e, Report.Redacted) for e in events) == 1
        finally:
            for store in stores:
                await store.close()

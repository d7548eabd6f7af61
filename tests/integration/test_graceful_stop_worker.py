"""SIGTERM to a real `lagesbild project` mid-load: it exits 0 at a committed batch, and a new worker carries on."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import asyncpg

from domain.area import Area
from domain.codec import make_mapper
from domain.report import Report
from projections.generations import schema_of
from projections.rebuild import rebuild
from projections.registry import PROJECTIONS
from projections.runner import PROGRESS_CHANNEL
from service.store.event_store import EventStore
from tests.integration.conftest import BOUND, NOW, POLICE
from tests.support.database import SessionDatabase


async def _seed(dsn: str, reports: int) -> int:
    """`reports` reports in one new area, written by 16 appenders; the head position."""
    async with asyncpg.create_pool(dsn, min_size=1, max_size=4) as pool:
        store = EventStore(dsn, pool, make_mapper())
        await store.open()
        area = Area.define(POLICE, "raslatt", "Råslätt")
        await store.append(area.collect_events(), 0)

        async def submit(n: int) -> None:
            for _ in range(n):
                report = Report.submit(POLICE, now=NOW, area_id=area.id, category="klotter", week="2026-W47", count=1)
                await store.append(report.collect_events(), 0)

        await asyncio.gather(*(submit(reports // 16) for _ in range(16)))
        head = await store.head()
        await store.close()
    return head


def _worker(database: SessionDatabase, data_dir: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("LAGESBILD_")} | {
        "DATABASE_URL": database.service, "LAGESBILD_MIGRATION_DATABASE_URL": database.owner,
        "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_LOG_FORMAT": "json",
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "project"], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


async def _position(conn: asyncpg.Connection) -> int:
    return int(
        await conn.fetchval("SELECT position FROM projection_generations WHERE active AND projection = 'picture'")
    )


async def _signal_after_first_batch(database: SessionDatabase, data_dir: Path, until: int | None) -> tuple[int, str]:
    """Start a worker; once the picture has committed a batch (or reached `until`), SIGTERM it; its exit and log."""
    conn = await asyncpg.connect(database.owner)
    progress: asyncio.Queue[str] = asyncio.Queue()
    await conn.add_listener(PROGRESS_CHANNEL, lambda *args: progress.put_nowait(str(args[3])))
    worker = _worker(database, data_dir)
    try:
        async with asyncio.timeout(BOUND):
            while True:
                name, _generation, position = (await progress.get()).rsplit(":", 2)
                if name == "picture" and (until is None or int(position) >= until):
                    break
        worker.send_signal(signal.SIGTERM)
        _, log = await asyncio.to_thread(worker.communicate, timeout=BOUND)
        return worker.returncode, log
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        await conn.close()


async def test_a_worker_stopped_mid_load_exits_0_and_a_new_one_carries_on(
    own_database: SessionDatabase, data_dir: Path
) -> None:
    head = await _seed(own_database.service, 6400)  # a full batch (5000), then more
    code, log = await _signal_after_first_batch(own_database, data_dir, until=None)
    assert code == 0, log
    assert all(json.loads(line)["logger"] for line in log.splitlines())
    conn = await asyncpg.connect(own_database.service)  # the read models' owner
    try:
        stopped_at = await _position(conn)
        assert 0 < stopped_at < head  # stopped mid-load, at a committed batch
        code, log = await _signal_after_first_batch(own_database, data_dir, until=head)
        assert code == 0, log
        assert await _position(conn) == head
        worker_generation = await conn.fetchval(
            "SELECT generation FROM projection_generations WHERE active AND projection = 'picture'"
        )
        # The read model the two workers built is the one a rebuild from position zero builds: nothing twice.
        rebuilt = await rebuild(own_database.service, PROJECTIONS["picture"], make_mapper())
        for table in ("weekly_counts", "reports", "areas", "area_changes"):
            built = await conn.fetch(
                f'SELECT * FROM "{schema_of("picture", worker_generation)}"."{table}" ORDER BY 1, 2'
            )
            fresh = await conn.fetch(f'SELECT * FROM "{schema_of("picture", rebuilt)}"."{table}" ORDER BY 1, 2')
            assert built, table
            assert [dict(r) for r in built] == [dict(r) for r in fresh], table
    finally:
        await conn.close()

"""A background task of the service that fails is shown in /ready and /metrics, and restarted by itself."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.support.database import SessionDatabase


async def test_a_failed_retention_sweep_makes_the_service_unready_until_its_restart_succeeds(
    own_database: SessionDatabase, tmp_path: Path
) -> None:
    admin = await asyncpg.connect(own_database.admin)
    try:
        # A fault the sweep cannot pass over: the service's role may no longer read the data keys.
        await admin.execute("REVOKE SELECT ON data_keys FROM lagesbild_service")
        env = {
            "DATABASE_URL": own_database.service,
            "LAGESBILD_DATA_DIR": str(tmp_path),
            "LAGESBILD_RETENTION_DAYS": "30",
        }
        app = create_app(Settings.from_env(env), own_database.service, migration_dsn=own_database.owner)
        async with AsyncTestClient(app) as client:
            async with asyncio.timeout(10):
                while (ready := await client.get("/ready")).status_code == 200:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
            assert ready.status_code == 503
            assert ready.json()["detail"].startswith("the background task retention failed (InsufficientPrivilegeError")
            metrics = (await client.get("/metrics")).text
            assert 'lagesbild_task_up{task="retention"} 0.0' in metrics
            assert 'lagesbild_task_up{task="read-log-writer"} 1.0' in metrics

            await admin.execute("GRANT SELECT ON data_keys TO lagesbild_service")
            async with asyncio.timeout(10):  # the first restart comes a second after the failure
                while (ready := await client.get("/ready")).status_code != 200:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            tasks = {t["task"]: t for t in ready.json()["tasks"]}
            assert tasks["retention"] == {"task": "retention", "up": True, "restarts": 1}
            assert {"projection-picture", "projection-audit", "projection-tracker", "read-log-writer"} <= set(tasks)
            metrics = (await client.get("/metrics")).text
            assert 'lagesbild_task_up{task="retention"} 1.0' in metrics
            assert 'lagesbild_task_restarts_total{task="retention"} 1.0' in metrics
    finally:
        await admin.execute("GRANT SELECT ON data_keys TO lagesbild_service")
        await admin.close()

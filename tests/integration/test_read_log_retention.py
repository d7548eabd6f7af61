"""The read log's retention: the owner's job removes records older than the period, and nothing else can."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from service.audit.read_log import ReadLog, ReadRecord
from service.audit.retention import remove_expired_reads
from service.settings import Settings


def _read(tenant: str, days_ago: int) -> ReadRecord:
    return ReadRecord(
        read_at=datetime.now(UTC) - timedelta(days=days_ago),
        tenant=tenant,
        actor="polis-1",
        org="polisen",
        roles=["reporter"],
        resource="overview",
        resource_id=None,
        route="GET /api/v1/picture",
        path_params={},
        query_string=b"",
        status=200,
    )


async def _ages(pool: asyncpg.Pool, tenant: str) -> list[int]:
    rows = await pool.fetch(
        "SELECT extract(day FROM now() - read_at)::int AS days FROM read_log WHERE tenant = $1 ORDER BY read_at", tenant
    )
    return [row["days"] for row in rows]


async def test_the_owners_job_removes_only_what_outlived_the_period(
    database_dsn: str, owner_dsn: str, pool: asyncpg.Pool
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    read_log = ReadLog(database_dsn)
    for days_ago in (1000, 800, 731, 700, 10, 0):
        read_log.record(_read(tenant, days_ago))
    await read_log.close()
    owner = await asyncpg.connect(owner_dsn)
    try:
        assert await remove_expired_reads(owner, keep_days=730) >= 3  # (other tests' old records go too)
        assert await _ages(pool, tenant) == [700, 10, 0]
        assert await remove_expired_reads(owner, keep_days=730) == 0
        # Without the job's setting, or for records younger than 30 days, even the owner is refused;
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await owner.execute("DELETE FROM read_log WHERE tenant = $1", tenant)
        async with owner.transaction():
            await owner.execute("SELECT set_config('lagesbild.read_log_keep_days', '5', true)")
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await owner.execute("DELETE FROM read_log WHERE tenant = $1", tenant)
        with pytest.raises(ValueError, match="at least 30 days"):
            await remove_expired_reads(owner, keep_days=5)
    finally:
        await owner.close()
    # and the service may not remove a record at all.
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        await pool.execute("DELETE FROM read_log WHERE tenant = $1", tenant)
    assert await _ages(pool, tenant) == [700, 10, 0]


def test_the_period_is_two_years_unless_set_and_never_under_30_days() -> None:
    assert Settings.from_env({}).read_log_retention_days == 730
    assert Settings.from_env({"LAGESBILD_READ_LOG_RETENTION_DAYS": "0"}).read_log_retention_days == 0
    with pytest.raises(ValueError, match="at least 30"):
        Settings.from_env({"LAGESBILD_READ_LOG_RETENTION_DAYS": "7"})

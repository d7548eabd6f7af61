"""The read log's recorder on a real database: bounded buffer, batches, shutdown, lost connections, append-only."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from projections.connections import DATABASE_ERRORS
from service.audit import queries as read_log_queries
from service.audit.read_log import ReadLog, ReadRecord
from service.db.location import with_database


def _record(tenant: str, n: int = 0) -> ReadRecord:
    return ReadRecord(
        read_at=datetime.now(UTC), tenant=tenant, actor=f"polis-{n}", org="polisen", roles=["reporter"],
        resource="report", resource_id=str(uuid.UUID(int=n)), route="GET /api/v1/reports/{report_id}",
        path_params={"report_id": uuid.UUID(int=n)}, query_string=b"min_position=7", status=200,
    )  # fmt: skip


async def _count(pool: asyncpg.Pool, tenant: str) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM read_log WHERE tenant = $1", tenant))


async def test_a_flush_writes_in_batches_in_order(database_dsn: str, pool: asyncpg.Pool) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    read_log = ReadLog(database_dsn, batch_size=4)
    try:
        for n in range(10):
            read_log.record(_record(tenant, n))
        assert read_log.buffered == 10
        await read_log.flush()
        assert (read_log.buffered, read_log.written, read_log.dropped) == (0, 10, 0)
    finally:
        await read_log.close()
    rows = await pool.fetch("SELECT * FROM read_log WHERE tenant = $1 ORDER BY id", tenant)
    assert [r["actor"] for r in rows] == [f"polis-{n}" for n in range(10)]
    assert rows[3]["path_params"] == f'{{"report_id": "{uuid.UUID(int=3)}"}}'
    assert (rows[0]["route"], rows[0]["status"], list(rows[0]["roles"])) == (
        "GET /api/v1/reports/{report_id}", 200, ["reporter"],
    )  # fmt: skip


async def test_entries_come_in_the_order_they_were_read_not_written(database_dsn: str, pool: asyncpg.Pool) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    start = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    read_log = ReadLog(database_dsn)
    try:
        for minutes in (0, 3, 1, 2):  # the read at 08:01 was held up and written after the one at 08:03
            read_log.record(_record(tenant, minutes)._replace(read_at=start + timedelta(minutes=minutes)))
            await read_log.flush()
    finally:
        await read_log.close()
    async with pool.acquire() as conn:
        first, cursor = await read_log_queries.reads(conn, tenant, limit=2)
        assert cursor is not None
        rest, last = await read_log_queries.reads(conn, tenant, after=int(cursor), limit=2)
        window, _ = await read_log_queries.reads(
            conn, tenant, since=start + timedelta(minutes=1), until=start + timedelta(minutes=3)
        )
    assert [e.actor for e in first + rest] == ["polis-0", "polis-1", "polis-2", "polis-3"]
    assert last is None
    assert [e.actor for e in window] == ["polis-1", "polis-2"]


async def test_close_writes_what_is_left(database_dsn: str, pool: asyncpg.Pool) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    read_log = ReadLog(database_dsn, interval=3600)  # the background task would not write them in this test
    read_log.start()
    for n in range(3):
        read_log.record(_record(tenant, n))
    await read_log.close()
    assert await _count(pool, tenant) == 3
    assert (read_log.written, read_log.dropped) == (3, 0)


async def test_a_full_buffer_drops_and_counts_and_keeps_what_it_holds(database_dsn: str) -> None:
    # A database that is not there: records wait, up to the capacity; the rest are counted as dropped.
    away = ReadLog(with_database(database_dsn, f"absent_{uuid.uuid4().hex[:8]}"), capacity=3)
    for n in range(5):
        away.record(_record("t", n))
    assert (away.buffered, away.dropped) == (3, 2)
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        await away.flush()
    assert (away.buffered, away.written) == (3, 0)  # nothing lost by the failed attempt
    await away.close()
    assert (away.buffered, away.dropped) == (3, 5)  # what could not be written at shutdown is counted too


async def test_a_lost_connection_loses_no_record_and_writes_none_twice(
    database_dsn: str, admin_dsn: str, pool: asyncpg.Pool
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    read_log = ReadLog(database_dsn)
    try:
        read_log.record(_record(tenant, 0))
        await read_log.flush()
        admin = await asyncpg.connect(admin_dsn)
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'lagesbild-read-log' AND datname = current_database()"
        )
        await admin.close()
        assert killed == 1
        for n in (1, 2):
            read_log.record(_record(tenant, n))
        # The first attempt may or may not notice the lost connection before it writes;
        # either way the records stay buffered until a write succeeds.
        with contextlib.suppress(*DATABASE_ERRORS):
            await read_log.flush()
        await read_log.flush()
    finally:
        await read_log.close()
    rows = await pool.fetch("SELECT actor FROM read_log WHERE tenant = $1 ORDER BY id", tenant)
    assert [r["actor"] for r in rows] == ["polis-0", "polis-1", "polis-2"]


async def test_a_record_that_cannot_be_written_does_not_hold_up_the_others(
    database_dsn: str, pool: asyncpg.Pool
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    read_log = ReadLog(database_dsn)
    try:
        read_log.record(_record(tenant, 1)._replace(path_params={"report_id": object()}))
        read_log.record(_record(tenant, 2))
        await read_log.flush()
        assert (read_log.buffered, read_log.written, read_log.dropped) == (0, 1, 1)
    finally:
        await read_log.close()
    assert [r["actor"] for r in await pool.fetch("SELECT actor FROM read_log WHERE tenant = $1", tenant)] == ["polis-2"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE read_log SET status = 500 WHERE tenant = $1",
        "DELETE FROM read_log WHERE tenant = $1",
        "TRUNCATE read_log",
    ],
)
async def test_the_read_log_is_append_only(
    database_dsn: str, owner_dsn: str, pool: asyncpg.Pool, statement: str
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    read_log = ReadLog(database_dsn)
    read_log.record(_record(tenant))
    await read_log.close()
    args = [tenant] if "$1" in statement else []
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied for table read_log"):
        await pool.execute(statement, *args)  # the service may not,
    owner = await asyncpg.connect(owner_dsn)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await owner.execute(statement, *args)  # and the table's owner is refused by the database itself
    finally:
        await owner.close()
    assert await pool.fetchval("SELECT status FROM read_log WHERE tenant = $1", tenant) == 200

"""Appends in doubt: the connection breaks after the append was sent. Answered only once its fate is known.

The writer talks to the database through a proxy that loses answers, cuts clients off (their
server processes go on, as with a broken network) or refuses connections. The append lock,
held by the test, decides when an append may commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from domain.codec import make_mapper
from service.store.group_commit import GroupCommitWriter, PendingAppend, StoreUnavailable
from tests.support.aggregates import Tally
from tests.support.proxy import FaultyProxy

APPEND_LOCK = "SELECT pg_advisory_xact_lock(7013200466512)"
WAITING_FOR_LOCK = (
    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
    " WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()"
)
STORED = "SELECT count(*) FROM stored_events WHERE originator_id = $1"


def _pending(name: str, key: str | None = None) -> PendingAppend:
    tally = Tally(name)
    records = [make_mapper().to_stored_event(e) for e in tally.collect_events()]
    return PendingAppend(tally.id, 0, records, key)


@contextlib.asynccontextmanager
async def _writer(dsn: str, lanes: int = 2, resolve_seconds: float = 5.0) -> AsyncIterator[GroupCommitWriter]:
    writer = GroupCommitWriter(dsn, lanes=lanes, resolve_seconds=resolve_seconds)
    await writer.open()
    try:
        yield writer
    finally:
        await writer.close()


async def _hold_append_lock(dsn: str) -> asyncpg.Connection:
    """A connection whose open transaction holds the append lock (or waits for it); commit to let go."""
    conn = await asyncpg.connect(dsn)
    await conn.execute("BEGIN")
    await conn.execute(APPEND_LOCK)
    return conn


async def _let_go(conn: asyncpg.Connection) -> None:
    await conn.execute("COMMIT")
    await conn.close()


async def _until(condition: str, pool: asyncpg.Pool, expected: int, *args: object) -> None:
    """Poll until the query answers `expected` (the database has no event to await)."""
    async with asyncio.timeout(10):
        while await pool.fetchval(condition, *args) != expected:  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def test_an_append_whose_answer_was_lost_is_found_stored_and_answered(
    database_dsn: str, pool: asyncpg.Pool
) -> None:
    proxy = FaultyProxy(database_dsn)
    async with proxy as dsn, _writer(dsn) as writer:
        holder = await _hold_append_lock(database_dsn)
        append = _pending("Råslätt")
        written = asyncio.create_task(writer.submit(append))
        await _until(WAITING_FOR_LOCK, pool, 1)  # sent, and waiting to commit
        proxy.lose_next_answer()
        await _let_go(holder)
        result = await written

    assert proxy.answers_lost == 1
    position = await pool.fetchval(
        "SELECT notification_id FROM stored_events WHERE originator_id = $1", append.originator_id
    )
    assert (result.originator_id, result.version, result.position, result.replayed) == (
        append.originator_id, 1, position, False,
    )  # fmt: skip
    assert await pool.fetchval(STORED, append.originator_id) == 1


async def test_a_group_whose_answer_was_lost_is_found_stored_and_answered(
    database_dsn: str, pool: asyncpg.Pool
) -> None:
    proxy = FaultyProxy(database_dsn)
    async with proxy as dsn, _writer(dsn, lanes=1) as writer:
        first_holder = await _hold_append_lock(database_dsn)
        lone = asyncio.create_task(writer.submit(_pending("Centrum")))
        await _until(WAITING_FOR_LOCK, pool, 1)
        group = [_pending("Huskvarna Söder", key=f"in-doubt-{uuid.uuid4()}") for _ in range(5)]
        written = [asyncio.create_task(writer.submit(a)) for a in group]
        await asyncio.sleep(0)  # they queue behind the lone append (one lane)
        second_holder = asyncio.create_task(_hold_append_lock(database_dsn))
        await _until(WAITING_FOR_LOCK, pool, 2)
        await _let_go(first_holder)  # the lone append commits; then the group waits for the lock
        await lone
        await _until(WAITING_FOR_LOCK, pool, 1)
        proxy.lose_next_answer()
        await _let_go(await second_holder)
        results = await asyncio.gather(*written)

    assert proxy.answers_lost == 1
    for append, result in zip(group, results, strict=True):
        position = await pool.fetchval(
            "SELECT notification_id FROM stored_events WHERE originator_id = $1", append.originator_id
        )
        assert (result.originator_id, result.version, result.position) == (append.originator_id, 1, position)
        assert await pool.fetchval(STORED, append.originator_id) == 1


async def test_an_append_cut_off_before_it_committed_is_ended_and_not_stored(
    database_dsn: str, pool: asyncpg.Pool
) -> None:
    # The server process that ran the append still waits for the lock when the writer asks
    # what became of it: unless it is ended first, it would commit after the caller was told
    # "nothing was stored".
    proxy = FaultyProxy(database_dsn)
    async with proxy as dsn, _writer(dsn) as writer:
        holder = await _hold_append_lock(database_dsn)
        append = _pending("Österängen")
        written = asyncio.create_task(writer.submit(append))
        await _until(WAITING_FOR_LOCK, pool, 1)
        proxy.cut_clients()
        with pytest.raises(StoreUnavailable) as failure:
            await written
        await _let_go(holder)
    assert not failure.value.maybe_stored
    assert "nothing was stored" in str(failure.value)
    await _let_go(await _hold_append_lock(database_dsn))  # anyone still queued for the lock has had it
    assert await pool.fetchval(STORED, append.originator_id) == 0


async def test_an_append_whose_fate_cannot_be_learned_says_so_and_a_retry_with_its_key_settles_it(
    database_dsn: str, pool: asyncpg.Pool
) -> None:
    proxy = FaultyProxy(database_dsn)
    key = f"in-doubt-{uuid.uuid4()}"
    async with proxy as dsn, _writer(dsn, resolve_seconds=0.3) as writer:
        holder = await _hold_append_lock(database_dsn)
        first = _pending("Öxnehaga", key)
        written = asyncio.create_task(writer.submit(first))
        await _until(WAITING_FOR_LOCK, pool, 1)
        proxy.refusing = True
        proxy.cut_clients()
        with pytest.raises(StoreUnavailable) as failure:
            await written
        assert failure.value.maybe_stored
        assert "Idempotency-Key" in str(failure.value)

        await _let_go(holder)  # the server process we could not reach commits after all
        await _until(STORED, pool, 1, first.originator_id)
        proxy.refusing = False
        retry = await writer.submit(_pending("Öxnehaga", key))

    assert (retry.originator_id, retry.replayed) == (first.originator_id, True)
    assert await pool.fetchval(STORED, first.originator_id) == 1

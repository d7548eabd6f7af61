"""The two SQL paths of an append, driven directly: the group function and the lone statement."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from domain.codec import make_mapper
from service.store.event_store import ConcurrencyConflict, EventStore
from service.store.group_commit import APPEND_SQL, PendingAppend, group_arguments
from tests.support.aggregates import Tally


def _pending(tally: Tally, expected: int, key: str | None = None) -> PendingAppend:
    mapper = make_mapper()
    records = [mapper.to_stored_event(e) for e in tally.collect_events()]
    return PendingAppend(tally.id, expected, records, key)


async def test_one_group_stores_replays_and_refuses_each_append_on_its_own(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    key = f"k-{uuid.uuid4()}"
    first = await store.append(Tally("Råslätt").collect_events(), 0, idempotency_key=key)
    existing = Tally("Centrum")
    await store.append(existing.collect_events(), 0)
    fresh = Tally("Öxnehaga")
    fresh.add(1)
    existing.add(1)
    group = [
        _pending(fresh, 0),  # stored: two events
        _pending(Tally("Råslätt"), 0, key),  # replayed: the first result
        _pending(existing, 0),  # conflict: Centrum is at version 1
    ]
    rows = await pool.fetch(APPEND_SQL, *group_arguments(group))

    outcomes = {r["append_no"]: (r["outcome"], r["originator_id"], r["version"]) for r in rows}
    assert outcomes == {
        1: ("stored", fresh.id, 2),
        2: ("replayed", first.originator_id, 1),
        3: ("conflict", existing.id, 1),
    }
    stored = next(r for r in rows if r["append_no"] == 1)
    assert stored["position"] == await store.head()
    assert (await store.load(fresh.id)).count == 1
    assert (await store.load(existing.id)).version == 1


async def test_the_lone_statement_catches_a_version_taken_after_its_snapshot(
    store: EventStore, pool: asyncpg.Pool, database_dsn: str
) -> None:
    # Another process holds the append lock and, while our statement waits for it, commits
    # the very version our append wanted. The statement's version check (an older snapshot)
    # passes; the primary key refuses the insert; the store must answer with a conflict.
    tally = Tally("Huskvarna Söder")
    events = tally.collect_events()
    other = await asyncpg.connect(database_dsn)
    try:
        tx = other.transaction()
        await tx.start()
        await other.execute("SELECT pg_advisory_xact_lock(7013200466512)")
        append = asyncio.create_task(store.append(events, expected_version=0))
        # Wait for the condition "our append is queued on the lock"; the database has no
        # event to await, so poll it.
        while not await pool.fetchval(  # noqa: ASYNC110
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()"
        ):
            await asyncio.sleep(0.005)
        mapper = make_mapper()
        for record in map(mapper.to_stored_event, events):
            await other.execute(
                "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
                " VALUES ($1, $2, $3, $4)",
                record.originator_id, record.originator_version, record.topic, record.state,
            )  # fmt: skip
        await tx.commit()
        with pytest.raises(ConcurrencyConflict) as conflict:
            await append
        assert (conflict.value.expected, conflict.value.actual) == (0, 1)
    finally:
        await other.close()
    assert (await store.load(tally.id)).version == 1

"""The event store on a real PostgreSQL: round trips, conflicts, idempotency, immutability."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from domain.codec import make_mapper
from service.store.event_store import AggregateNotFound, ConcurrencyConflict, EventStore
from tests.support.aggregates import Tally


async def test_append_then_load_round_trip(store: EventStore) -> None:
    tally = Tally("Råslätt")
    tally.add(3)
    tally.add(4)
    result = await store.append(tally.collect_events(), expected_version=0)

    assert (result.originator_id, result.version, result.replayed) == (tally.id, 3, False)
    assert result.position == await store.head()
    loaded = await store.load(tally.id)
    assert (loaded.name, loaded.count, loaded.version) == ("Råslätt", 7, 3)
    earlier = await store.load(tally.id, version=2)
    assert (earlier.count, earlier.version) == (3, 2)


async def test_load_of_a_missing_aggregate_is_not_found(store: EventStore) -> None:
    missing = uuid.uuid4()
    with pytest.raises(AggregateNotFound) as caught:
        await store.load(missing)
    assert caught.value.originator_id == missing


async def test_stale_expected_version_conflicts_and_stores_nothing(store: EventStore) -> None:
    tally = Tally("Öxnehaga")
    await store.append(tally.collect_events(), expected_version=0)
    first, second = await store.load(tally.id), await store.load(tally.id)
    first.add(1)
    await store.append(first.collect_events(), expected_version=1)
    head_before = await store.head()

    second.add(5)
    second.add(6)
    with pytest.raises(ConcurrencyConflict) as caught:
        await store.append(second.collect_events(), expected_version=1)

    assert (caught.value.expected, caught.value.actual) == (1, 2)
    assert await store.head() == head_before
    loaded = await store.load(tally.id)
    assert (loaded.count, loaded.version) == (1, 2)


async def test_expected_version_beyond_the_head_conflicts(store: EventStore) -> None:
    tally = Tally("Centrum")
    await store.append(tally.collect_events(), expected_version=0)
    ahead = await store.load(tally.id)
    ahead.add(1)
    ahead.add(1)
    events = ahead.collect_events()[1:]  # version 3 only: claims version 2 exists
    with pytest.raises(ConcurrencyConflict):
        await store.append(events, expected_version=2)
    assert (await store.load(tally.id)).version == 1


async def test_creating_an_existing_aggregate_conflicts(store: EventStore) -> None:
    tally = Tally("Österängen")
    events = tally.collect_events()
    await store.append(events, expected_version=0)
    with pytest.raises(ConcurrencyConflict):
        await store.append(events, expected_version=0)


@pytest.mark.parametrize("writers", [1, 2])
async def test_two_concurrent_appends_at_one_version_exactly_one_wins(
    store: EventStore, database_dsn: str, pool: asyncpg.Pool, writers: int
) -> None:
    # One writer: both land in one process (and are split across groups); two writers:
    # two processes race in the database.
    other = EventStore(database_dsn, pool, make_mapper()) if writers == 2 else store
    if other is not store:
        await other.open()
    try:
        tally = Tally("Huskvarna Söder")
        await store.append(tally.collect_events(), expected_version=0)
        a, b = await store.load(tally.id), await store.load(tally.id)
        a.add(1)
        b.add(2)
        outcomes = await asyncio.gather(
            store.append(a.collect_events(), expected_version=1),
            other.append(b.collect_events(), expected_version=1),
            return_exceptions=True,
        )
    finally:
        if other is not store:
            await other.close()
    conflicts = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
    assert len(conflicts) == 1
    assert len([o for o in outcomes if not isinstance(o, BaseException)]) == 1
    assert (await store.load(tally.id)).version == 2


async def test_a_conflict_in_a_group_does_not_affect_the_others(store: EventStore) -> None:
    tallies = [Tally(f"område {n}") for n in range(10)]
    for t in tallies:
        await store.append(t.collect_events(), expected_version=0)
    elsewhere = await store.load(tallies[4].id)  # someone else moves tally 4 on first
    elsewhere.add(100)
    await store.append(elsewhere.collect_events(), expected_version=1)
    updates = []
    for n, t in enumerate(tallies):
        t.add(n)
        updates.append(store.append(t.collect_events(), expected_version=1))
    outcomes = await asyncio.gather(*updates, return_exceptions=True)
    assert isinstance(outcomes[4], ConcurrencyConflict)
    assert all(not isinstance(o, BaseException) for i, o in enumerate(outcomes) if i != 4)
    assert [(await store.load(t.id)).count for t in tallies] == [0, 1, 2, 3, 100, 5, 6, 7, 8, 9]


async def test_an_idempotent_retry_returns_the_first_result_and_stores_nothing(
    store: EventStore,
) -> None:
    key = f"create-{uuid.uuid4()}"
    first = await store.append(Tally("Råslätt").collect_events(), 0, idempotency_key=key)
    head = await store.head()
    retry_tally = Tally("Råslätt")  # a retry builds a new aggregate with a new id
    again = await store.append(retry_tally.collect_events(), 0, idempotency_key=key)

    assert (again.originator_id, again.version, again.position) == (
        first.originator_id, first.version, first.position,
    )  # fmt: skip
    assert again.replayed
    assert not first.replayed
    assert await store.head() == head
    with pytest.raises(AggregateNotFound):
        await store.load(retry_tally.id)


async def test_concurrent_retries_with_one_key_store_once(store: EventStore) -> None:
    key = f"create-{uuid.uuid4()}"
    head = await store.head()
    results = await asyncio.gather(
        *(store.append(Tally("Centrum").collect_events(), 0, idempotency_key=key) for _ in range(5))
    )
    assert len({(r.originator_id, r.version, r.position) for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert await store.head() == head + 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE stored_events SET topic = 'x' WHERE originator_id = $1",
        "DELETE FROM stored_events WHERE originator_id = $1",
        "TRUNCATE stored_events",
    ],
)
async def test_the_database_refuses_to_change_history_even_to_the_owner(
    store: EventStore, owner_dsn: str, statement: str
) -> None:
    # The owner has every privilege on the table; the triggers still refuse. (The service
    # role does not get that far: tests/integration/test_least_privilege.py.)
    tally = Tally("Österängen")
    await store.append(tally.collect_events(), expected_version=0)
    args = [tally.id] if "$1" in statement else []
    owner = await asyncpg.connect(owner_dsn)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="immutable"):
            await owner.execute(statement, *args)
    finally:
        await owner.close()
    assert (await store.load(tally.id)).name == "Österängen"


async def test_appends_wake_listeners(store: EventStore, pool: asyncpg.Pool) -> None:
    woken = asyncio.Event()
    async with pool.acquire() as conn:

        def wake(*_: object) -> None:
            woken.set()

        await conn.add_listener("stored_events", wake)
        try:
            await store.append(Tally("Centrum").collect_events(), expected_version=0)
            await asyncio.wait_for(woken.wait(), timeout=5)
        finally:
            await conn.remove_listener("stored_events", wake)

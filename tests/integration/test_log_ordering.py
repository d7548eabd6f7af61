"""The ordering guarantee: a reader following the log by position never misses an event.

Eight stores (as eight processes would) append concurrently while other connections run
slow transactions through the same SQL function and roll some of them back. A reader tails
`position > last seen` all the while; at the end it must have seen every committed event
exactly once, in increasing order, and nothing that was rolled back.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid

import asyncpg

from domain.codec import make_mapper
from service.store.event_store import EventStore
from service.store.group_commit import APPEND_SQL, PendingAppend, group_arguments
from tests.support.aggregates import Tally

WRITERS = 8
APPENDS_PER_WRITER = 60
SLOW_WRITERS = 3
SLOW_TRANSACTIONS = 12

Key = tuple[uuid.UUID, int]


async def _store_writer(store: EventStore, committed: set[Key]) -> None:
    tasks = []
    for _ in range(APPENDS_PER_WRITER):
        tally = Tally("Råslätt")
        tally.add(1)
        tasks.append(store.append(tally.collect_events(), expected_version=0))
        if len(tasks) == 6:  # a few appends in flight at once, so groups form
            for result in await asyncio.gather(*tasks):
                committed.update({(result.originator_id, 1), (result.originator_id, 2)})
            tasks.clear()
    for result in await asyncio.gather(*tasks):
        committed.update({(result.originator_id, 1), (result.originator_id, 2)})


async def _slow_writer(dsn: str, seed: int, committed: set[Key], rolled_back: set[Key]) -> None:
    rng = random.Random(seed)
    mapper = make_mapper()
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(SLOW_TRANSACTIONS):
            tally = Tally("Öxnehaga")
            records = [mapper.to_stored_event(e) for e in tally.collect_events()]
            append = PendingAppend(tally.id, 0, records, future=asyncio.Future())
            keys = {(tally.id, 1)}
            tx = conn.transaction()
            await tx.start()
            await conn.fetch(APPEND_SQL, *group_arguments([append]))
            # Hold the transaction open after its positions were drawn.
            await conn.execute("SELECT pg_sleep($1)", rng.uniform(0.002, 0.03))
            if rng.random() < 0.4:
                await tx.rollback()
                rolled_back.update(keys)
            else:
                await tx.commit()
                committed.update(keys)
    finally:
        await conn.close()


async def test_a_tailing_reader_sees_every_committed_event_once_in_order(database_dsn: str, pool: asyncpg.Pool) -> None:
    mapper = make_mapper()
    stores = [EventStore(database_dsn, pool, mapper) for _ in range(WRITERS)]
    for s in stores:
        await s.open()
    reader = stores[0]
    start = await reader.head()
    committed: set[Key] = set()
    rolled_back: set[Key] = set()
    seen: list[Key] = []
    positions: list[int] = []
    writers_done = asyncio.Event()
    appended = asyncio.Event()

    def wake(*_: object) -> None:
        appended.set()

    async def tail() -> None:
        last = start
        while True:
            appended.clear()
            done = writers_done.is_set()  # read once more after the writers finished
            batch = await reader.read(after=last, limit=50)
            for n in batch:
                assert n.id > last, "positions must increase"
                last = n.id
                positions.append(n.id)
                assert isinstance(n.originator_id, uuid.UUID)
                seen.append((n.originator_id, n.originator_version))
            if batch:
                continue
            if done:
                return
            # Wait for a NOTIFY; the timeout is only a safety net against a lost one.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(appended.wait(), timeout=0.05)

    listener = await asyncpg.connect(database_dsn)
    await listener.add_listener("stored_events", wake)
    try:
        tailer = asyncio.create_task(tail())
        await asyncio.gather(
            *(_store_writer(s, committed) for s in stores),
            *(_slow_writer(database_dsn, n, committed, rolled_back) for n in range(SLOW_WRITERS)),
        )
        writers_done.set()
        await tailer
    finally:
        await listener.close()
        for s in stores:
            await s.close()

    assert rolled_back, "the scenario must include rolled-back transactions"
    assert positions == sorted(set(positions))
    assert len(seen) == len(set(seen)), "an event was delivered twice"
    assert set(seen) == committed, "the reader missed an event or saw a rolled-back one"
    assert not set(seen) & rolled_back

"""Benchmark: single-event appends per second with 1, 4 and 16 concurrent appenders.

Measures, in one run and interleaved round by round (so that machine noise hits all alike):
  (a) our event store (group commit through `lagesbild_append`),
  (b) plain single-row INSERT commits through asyncpg into a similar table (the per-commit
      physical limit of this machine's disk and server),
  (c) the eventsourcing library's own PostgreSQL recorder (`insert_events`, one thread per
      appender).
Prints a table with the ratios and writes it into bench/RESULTS.md.

What is timed is the store's work: each appender appends a new aggregate's creation event,
made before the clock starts (making domain events is the command's work, not the store's;
the plain INSERTs likewise get their row ready-made). Encoding the event with the library's
Mapper is the store's work and is timed.

    .venv/bin/python -m bench.append [--seconds 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from bench.support import bench_server, machine_details, write_section
from domain.codec import make_mapper
from service.db.scratch import scratch_database
from service.store.event_store import EventStore
from tests.support.aggregates import Tally
from tests.support.library import library_datastore

CONCURRENCY = (1, 4, 16)
SYSTEMS = ("store", "plain", "library")

Runner = Callable[[int, float], Awaitable[int]]
EXPECTED_RATE = {1: 6_000, 4: 15_000, 16: 30_000}  # generous: how many events to make beforehand


class EventSupply:
    """New-aggregate events made before the clock starts; made on the spot if they run out."""

    def __init__(self, count: int) -> None:
        self._events = [Tally("Råslätt").collect_events() for _ in range(count)]

    def take(self) -> Sequence[DomainEventProtocol[uuid.UUID]]:
        return self._events.pop() if self._events else Tally("Råslätt").collect_events()


async def run_store(dsn: str, pool: asyncpg.Pool, concurrency: int, seconds: float) -> int:
    store = EventStore(dsn, pool, make_mapper())
    await store.open()
    supply = EventSupply(int(EXPECTED_RATE[concurrency] * seconds))
    count = 0
    deadline = time.perf_counter() + seconds

    async def appender() -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            await store.append(supply.take(), expected_version=0)
            count += 1

    try:
        await asyncio.gather(*(appender() for _ in range(concurrency)))
    finally:
        await store.close()
    return count


async def run_plain(dsn: str, concurrency: int, seconds: float, state: bytes, topic: str) -> int:
    conns = [await asyncpg.connect(dsn) for _ in range(concurrency)]
    count = 0
    deadline = time.perf_counter() + seconds

    async def inserter(conn: asyncpg.Connection) -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            await conn.execute(
                "INSERT INTO bench_plain (originator_id, originator_version, topic, state)"
                " VALUES ($1, 1, $2, $3)",
                uuid.uuid4(), topic, state,
            )  # fmt: skip
            count += 1

    try:
        await asyncio.gather(*(inserter(c) for c in conns))
    finally:
        for conn in conns:
            await conn.close()
    return count


def run_library(recorder: PostgresApplicationRecorder, concurrency: int, seconds: float) -> int:
    mapper = make_mapper()
    supply = EventSupply(int(EXPECTED_RATE[concurrency] * seconds) // 10)
    counts = [0] * concurrency
    deadline = time.perf_counter() + seconds

    def appender(n: int) -> None:
        while time.perf_counter() < deadline:
            stored = mapper.to_stored_event(supply.take()[0])
            recorder.insert_events([stored])
            counts[n] += 1

    threads = [threading.Thread(target=appender, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)


def library_recorder(dsn: str, pool_size: int) -> tuple[PostgresDatastore, PostgresApplicationRecorder]:
    datastore = library_datastore(dsn, pool_size)
    recorder = PostgresApplicationRecorder(datastore, events_table_name="bench_library_events")
    recorder.create_table()
    return datastore, recorder


async def verify_store(pool: asyncpg.Pool, acknowledged: int) -> tuple[int, int]:
    """Stored rows and gaps in positions: every acknowledged append stored once, no holes."""
    row = await pool.fetchrow(
        "SELECT count(*) AS n, coalesce(max(notification_id) - min(notification_id) + 1 - count(*), 0)"
        " AS gaps FROM stored_events"
    )
    assert row is not None
    return int(row["n"]), int(row["gaps"])


async def main(seconds: float, rounds: int) -> None:
    with bench_server() as server_dsn:
        async with scratch_database(server_dsn, "lagesbild_bench") as urls:
            dsn = urls.migration  # the owner's: the comparison tables are created here
            await asyncpg_setup(dsn)
            sample = make_mapper().to_stored_event(Tally("Råslätt").collect_events()[0])
            datastore, recorder = library_recorder(dsn, max(CONCURRENCY))
            results: dict[tuple[str, int], list[float]] = {}
            acknowledged = 0
            try:
                async with asyncpg.create_pool(dsn, min_size=1, max_size=2) as pool:
                    for round_no in range(rounds):
                        for concurrency in CONCURRENCY:
                            for system in SYSTEMS:
                                n = await one_run(system, dsn, pool, recorder, sample, concurrency, seconds)
                                if system == "store":
                                    acknowledged += n
                                rate = n / seconds
                                results.setdefault((system, concurrency), []).append(rate)
                                print(f"round {round_no + 1} {system:8} x{concurrency:<2} {rate:9.0f}/s")
                    stored, gaps = await verify_store(pool, acknowledged)
            finally:
                datastore.close()
            report(results, seconds, rounds, acknowledged, stored, gaps)


async def asyncpg_setup(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "CREATE TABLE bench_plain (originator_id uuid NOT NULL, originator_version bigint NOT NULL,"
            " topic text, state bytea, notification_id bigserial,"
            " PRIMARY KEY (originator_id, originator_version));"
            "CREATE UNIQUE INDEX ON bench_plain (notification_id)"
        )
    finally:
        await conn.close()


async def one_run(
    system: str,
    dsn: str,
    pool: asyncpg.Pool,
    recorder: PostgresApplicationRecorder,
    sample: StoredEvent,
    concurrency: int,
    seconds: float,
) -> int:
    if system == "store":
        return await run_store(dsn, pool, concurrency, seconds)
    if system == "plain":
        return await run_plain(dsn, concurrency, seconds, sample.state, sample.topic)
    return await asyncio.to_thread(run_library, recorder, concurrency, seconds)


def report(
    results: dict[tuple[str, int], list[float]],
    seconds: float,
    rounds: int,
    acknowledged: int,
    stored: int,
    gaps: int,
) -> None:
    lines = [
        "| appenders | our store (appends/s) | plain INSERT (commits/s) | eventsourcing recorder (appends/s)"
        " | store / plain | store / recorder |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for c in CONCURRENCY:
        store, plain, library = (statistics.median(results[(s, c)]) for s in SYSTEMS)
        lines.append(
            f"| {c} | {store:,.0f} | {plain:,.0f} | {library:,.0f} | {store / plain:.2f}x | {store / library:.1f}x |"
        )
    lines += [
        "",
        f"Medians of {rounds} interleaved rounds of {seconds:g} s per cell. Check after the run:"
        f" {acknowledged:,} appends acknowledged by our store, {stored:,} stored,"
        f" {gaps} gaps in their positions.",
        "",
        "Events are made before the clock starts; encoding them (the library's Mapper) is timed."
        " Appends to the store are serialised by its append lock until each commit is flushed"
        " (the ordering guarantee), so they cannot share a flush as concurrent plain INSERTs do;"
        " the store makes up for it with group commit, which pays off with many appenders"
        " (16) and least with a few (4: two groups of two per flush).",
    ]
    table = "\n".join(lines)
    print()
    print(table)
    write_section(
        "append",
        "Event store appends (`bench/append.py`)",
        f".venv/bin/python -m bench.append --seconds {seconds:g} --rounds {rounds}",
        f"{machine_details()}\n\n{table}",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.rounds))

"""Benchmark: what the patterns read model costs a catch-up, and what one area's patterns cost a read.

On one scratch log of `--events` events (bench/scratch_log.py): rounds of catch-ups from
position zero (bench/catchup.py, a process each) of the other read models at once, as a service
starts, with and without the patterns beside them, in alternating order so a slow spell of the
shared machine falls on both, and of the patterns alone (a rebuild). Then `--reads` reads of the
busiest area's patterns over the default 12 months (projections/patterns/queries.py, one at a
time, in the tenant's read transaction as the API makes them). Prints the figures; writes nothing.

    .venv/bin/python -m bench.patterns [--events 400000] [--rounds 2] [--reads 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime

import asyncpg

from bench.ab_catchup import HERE, _catch_up, _drop_inactive
from bench.scratch_log import copy_log, settle
from bench.support import bench_server
from domain.weeks import SWEDEN
from projections.patterns import queries as pattern_queries
from projections.tenancy import tenant_connection
from service.api.patterns import period
from service.db.location import database_name, with_database
from service.db.scratch import scratch_database

OTHERS = "picture,audit,catalogue"
RUNS = {"without patterns": OTHERS, "with patterns": f"{OTHERS},patterns", "patterns alone": "patterns"}


async def _reads(dsn: str, count: int) -> list[float]:
    """Latencies (ms) of `count` reads of the busiest area's patterns, one after another."""
    async with asyncpg.create_pool(dsn, min_size=1, max_size=1) as pool:
        busiest = await pool.fetchrow(
            "SELECT tenant, area_id FROM patterns.counts GROUP BY 1, 2 ORDER BY sum(occurrences) DESC LIMIT 1"
        )
        assert busiest is not None, "no patterns: the catch-up did not run"
        tenant, area = busiest["tenant"], busiest["area_id"]
        since, until = period(None, None, datetime.now(UTC).astimezone(SWEDEN).date())
        latencies = []
        for _ in range(count):
            started = time.perf_counter()
            async with tenant_connection(pool, tenant) as conn:
                found = await pattern_queries.patterns(conn, tenant, area, since, until, None)
            latencies.append((time.perf_counter() - started) * 1000)
        total = sum(m["occurrences"] for m in found["months"])
        print(f"reads of {area} ({tenant}): {total:,} occurrences in its 12 months")
        return latencies


async def run(server_dsn: str, args: argparse.Namespace) -> None:
    async with scratch_database(server_dsn, "lagesbild_bench_patterns") as urls:
        dsn = urls.service
        events = await copy_log(with_database(server_dsn, database_name(dsn)), args.events)
        print(f"{events:,} events copied")
        await _catch_up(HERE, dsn, RUNS["with patterns"])  # the first generations, active, kept: not timed
        rates: dict[str, list[float]] = {name: [] for name in RUNS}
        for n in range(args.rounds):
            for name in list(RUNS) if n % 2 == 0 else list(reversed(RUNS)):
                result = await _catch_up(HERE, dsn, RUNS[name])
                await _drop_inactive(dsn)
                rates[name].append(result["events"] / result["seconds"])
                print(f"round {n + 1} {name}: {rates[name][-1]:,.0f} events/s", flush=True)
        conn = await asyncpg.connect(dsn)
        try:
            await settle(conn)
        finally:
            await conn.close()
        latencies = sorted(await _reads(dsn, args.reads))
    for name, runs in rates.items():
        if not runs:  # (--rounds 0: the reads only)
            continue
        print(f"{name}: best {max(runs):,.0f} events/s (runs {' / '.join(f'{r:,.0f}' for r in runs)})")
    p50, p99 = statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]
    print(f"patterns read: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {latencies[-1]:.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=400_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reads", type=int, default=2000)
    args = parser.parse_args()
    with bench_server() as server_dsn:
        asyncio.run(run(server_dsn, args))

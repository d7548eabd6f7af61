"""Benchmark: `GET /audit/verify`'s work, from the first event against from the last verified link.

A synthetic log (bench/events.py, several tenants) is COPYed into a scratch database, which
chains it. Then, round by round, a few new events of the largest tenant are appended and the
tenant's chain is verified both ways, interleaved so that machine noise hits both alike:
  full         service/store/verifications.verify(from_start=True): every link of the tenant
               recomputed, and the whole log looked through for unlinked events (what every
               call cost before the last verified link was kept);
  incremental  verifications.verify(): the kept link checked, then only the links after it.
Prints a table (median seconds per call, events checked) and writes it into bench/RESULTS.md.

    .venv/bin/python -m bench.verify [--events 100000] [--rounds 5] [--new 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable

import asyncpg

from bench.scratch_log import copy_log, settle
from bench.support import bench_server, machine_details, write_section
from domain.actor import Actor
from domain.area import Area
from domain.codec import make_mapper
from service.db.scratch import scratch_database
from service.store import chain, verifications
from service.store.event_store import EventStore


async def _timed(call: Awaitable[chain.Verification]) -> tuple[float, chain.Verification]:
    started = time.perf_counter()
    result = await call
    elapsed = time.perf_counter() - started
    assert result.ok, result  # a benchmark of a chain that does not hold measures nothing
    return elapsed, result


async def run(events: int, rounds: int, new: int) -> str:
    """The table of one run."""
    with bench_server() as server:
        async with scratch_database(server, "lagesbild_bench_verify") as urls:
            stored = await copy_log(urls.service, events)
            owner = await asyncpg.connect(urls.migration)
            try:  # the chain the COPY made, settled as autovacuum would have it on a running service
                await settle(owner, "event_chain")
            finally:
                await owner.close()
            async with asyncpg.create_pool(urls.service, min_size=1, max_size=2) as pool:
                tenant = await pool.fetchval("SELECT tenant FROM event_chain GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
                own = await pool.fetchval("SELECT count(*) FROM event_chain WHERE tenant = $1", tenant)
                store = EventStore(urls.service, pool, make_mapper())
                await store.open()
                actor = Actor("bench", "kommunen", tenant)
                timings: dict[str, list[float]] = {"full": [], "incremental": []}
                checked: dict[str, set[int]] = {"full": set(), "incremental": set()}
                try:
                    async with pool.acquire() as conn:
                        await verifications.verify(conn, tenant, from_start=True)  # the first kept link
                        for n in range(rounds):
                            for i in range(new):
                                area = Area.define(actor, f"bench-{n}-{i}", "Bänkområde")
                                await store.append(area.collect_events(), 0)
                            seconds, result = await _timed(verifications.verify(conn, tenant))
                            timings["incremental"].append(seconds)
                            checked["incremental"].add(result.checked)
                            seconds, result = await _timed(verifications.verify(conn, tenant, from_start=True))
                            timings["full"].append(seconds)
                            checked["full"].add(result.checked)
                finally:
                    await store.close()
    full, incremental = (statistics.median(timings[k]) for k in ("full", "incremental"))
    return "\n".join(
        [
            f"A log of {stored:,} events (the tenant verified: {own:,} of them before the rounds);"
            f" {rounds} rounds, each appending {new} events of that tenant, then verifying both ways.",
            "",
            "| verification | median s per call | events checked per call |",
            "|---|---:|---:|",
            f"| full (`from=start`, and every call before) | {full:.3f} |"
            f" {', '.join(map(str, sorted(checked['full'])))} |",
            f"| incremental (from the last verified link) | {incremental:.4f} |"
            f" {', '.join(map(str, sorted(checked['incremental'])))} |",
            "",
            f"Incremental / full: {incremental / full:.3f} (the incremental call does {full / incremental:.0f}x less).",
            "",
            machine_details(),
        ]
    )


def main() -> None:
    """Run the benchmark, print its table and record it in RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--new", type=int, default=100, help="events appended before each round's two verifications")
    args = parser.parse_args()
    if min(args.events, args.rounds, args.new) < 1:
        parser.error("--events, --rounds and --new must be at least 1")
    body = asyncio.run(run(args.events, args.rounds, args.new))
    print(body)
    command = f".venv/bin/python -m bench.verify --events {args.events} --rounds {args.rounds} --new {args.new}"
    write_section("verify", "Chain verification: full against from the last verified link", command, body)


if __name__ == "__main__":
    main()

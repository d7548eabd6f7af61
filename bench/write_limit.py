"""Benchmark: what the shared per-token write limit costs a write (`lagesbild_take_write`, migration 0013).

On a scratch database, 16 concurrent connections for a few seconds each: a plain `SELECT 1` (the
round trip any statement costs), the limit with a token of each connection's own (people writing),
and the limit with one token for all (one token writing as fast as the service answers, the worst
case: its writes queue on one row). Calls a second and latency per call.

    .venv/bin/python -m bench.write_limit [--seconds 5] [--clients 16]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import time

import asyncpg

from bench.support import bench_server, machine_details, write_section
from service.db.scratch import scratch_database

TAKE = "SELECT lagesbild_take_write($1, 1e9, 1000000)"  # a limit never reached: every call takes


async def _measure(
    pool: asyncpg.Pool, clients: int, seconds: float, keys: list[bytes] | None
) -> tuple[float, list[float]]:
    """Calls a second over all clients, and every call's latency (s)."""
    latencies: list[float] = []
    end = time.monotonic() + seconds

    async def client(n: int) -> None:
        async with pool.acquire() as conn:
            while time.monotonic() < end:
                started = time.perf_counter()
                if keys is None:
                    await conn.fetchval("SELECT 1")
                else:
                    await conn.fetchval(TAKE, keys[n % len(keys)])
                latencies.append(time.perf_counter() - started)

    started = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return len(latencies) / (time.monotonic() - started), latencies


async def run(seconds: float, clients: int) -> str:
    """The table of results."""
    rows = []
    with bench_server() as server_dsn:
        async with scratch_database(server_dsn, "lagesbild_bench") as urls:  # noqa: SIM117 - the pool needs its URL
            async with asyncpg.create_pool(urls.service, min_size=clients, max_size=clients) as pool:
                own = [hashlib.sha256(f"token-{n}".encode()).digest() for n in range(clients)]
                cases = [("`SELECT 1` (a round trip)", None), ("limit, a token per client", own),
                         ("limit, one token for all", own[:1])]  # fmt: skip
                for name, keys in cases:
                    await _measure(pool, clients, 0.5, keys)  # warm up
                    rate, latencies = await _measure(pool, clients, seconds, keys)
                    cuts = statistics.quantiles(latencies, n=100)
                    rows.append(f"| {name} | {rate:,.0f} | {cuts[49] * 1e3:.2f} ms | {cuts[98] * 1e3:.2f} ms |")
    return "| calls | calls/s | p50 | p99 |\n|---|---:|---:|---:|\n" + "\n".join(rows)


def main() -> None:
    """Run, print and record in RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    table = asyncio.run(run(args.seconds, args.clients))
    print(table)
    command = f".venv/bin/python -m bench.write_limit --seconds {args.seconds:g} --clients {args.clients}"
    body = f"{machine_details()}\n\n{args.clients} connections at once, one call in flight each.\n\n{table}\n"
    write_section("write_limit", "The shared write limit's cost (`bench/write_limit.py`)", command, body)


if __name__ == "__main__":
    main()

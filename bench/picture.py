"""Benchmark: what row-level security and the tenant setting cost on `GET /api/v1/areas/{id}/picture`.

A scratch database with the demo tenant and 19 others (5 areas, 300 reports each), projected.
Measured twice, in rounds that alternate the variants:

- over HTTP: `lagesbild serve` in its own process, bench/load.py with keep-alive clients,
  the picture's tables with row-level security on (as built) and switched off;
- the query alone (`picture_queries.area_picture` on one pooled connection, one call at a time):
  as before this change (a transaction, no tenant setting, no row security), with the tenant
  setting only, and with both (as built), in many short blocks that take turns (the machine
  is shared: a burst of other work then spoils a block of each, not one variant).

    .venv/bin/python -m bench.picture [--seconds 4] [--rounds 3] [--clients 4] [--blocks 30] [--calls 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import asyncpg

from bench.api import free_port, start_server, wait_ready
from bench.support import bench_server, machine_details, write_section
from domain.actor import Actor
from domain.area import Area
from domain.codec import make_mapper
from domain.report import Report
from domain.weeks import week_of
from projections.generations import active_generation, ensure_active, schema_of
from projections.picture import queries as picture_queries
from projections.picture.projection import PictureProjection
from projections.registry import PROJECTIONS
from projections.runner import ProjectionRunner
from projections.tenancy import tenant_connection
from service import demo
from service.db.pools import create_pool
from service.db.roles import DatabaseUrls
from service.db.scratch import scratch_database
from service.store.event_store import EventStore
from service.web.auth import mint_development_token

NOTE = (
    "The tenant setting is one more round trip per read; row-level security adds a filter on the rows the"
    " indexes already chose (the plans stay the same). The machine is shared with other work: differences"
    " of a few per cent between the HTTP columns are within the noise of one run."
)
OTHER_TENANTS, AREAS, REPORTS = 19, 5, 300
CATEGORIES = ("klotter", "krossat-glas", "otrygg-samling", "buskorning", "belysning", "nedskrapning")
BEFORE = "before: no tenant setting, no row security"
SETTING, BOTH = "tenant setting only", "tenant setting and row security (as built)"


async def _seed(urls: DatabaseUrls, now: datetime) -> UUID:
    """The demo tenant and the others, projected; the id of the demo's Råslätt."""
    rng = random.Random(47)
    async with asyncpg.create_pool(urls.service, min_size=1, max_size=2) as pool:
        store = EventStore(urls.service, pool, make_mapper())
        await store.open()
        try:
            await demo.seed(store, now)
            for t in range(OTHER_TENANTS):
                actor = Actor("bench-polis", "polisen", f"bench-{t:02}")
                areas = [Area.define(actor, f"omrade-{n}", f"Område {n}") for n in range(AREAS)]
                await asyncio.gather(*(store.append(a.collect_events(), 0) for a in areas))
                reports = [
                    Report.submit(
                        actor,
                        now=now,
                        area_id=rng.choice(areas).id,
                        category=rng.choice(CATEGORIES),
                        occurred_at=now - timedelta(days=rng.randint(0, 55), hours=rng.randint(0, 12)),
                        count=rng.randint(1, 4),
                    )
                    for _ in range(REPORTS)
                ]
                await asyncio.gather(*(store.append(r.collect_events(), 0) for r in reports))
        finally:
            await store.close()
    conn = await asyncpg.connect(urls.service)
    try:
        for projection in PROJECTIONS.values():
            generation = await ensure_active(conn, projection)
            await ProjectionRunner(urls.service, projection, make_mapper()).follow(conn, generation, stop_at_head=True)
    finally:
        await conn.close()
    return Area.define(demo.MUNICIPALITY, "raslatt", "Råslätt").id


async def _row_security(dsn: str, on: bool) -> None:
    """Switch row-level security of the active picture generation's tables (as their owner)."""
    conn = await asyncpg.connect(dsn)
    try:
        schema = schema_of("picture", await active_generation(conn, "picture") or 0)
        for table in PictureProjection.tables:
            await conn.execute(f'ALTER TABLE "{schema}"."{table}" {"ENABLE" if on else "DISABLE"} ROW LEVEL SECURITY')
    finally:
        await conn.close()


async def _query(pool: asyncpg.Pool, variant: str, area: UUID, week: str, calls: int) -> float:
    """Microseconds per call of the area's picture, one call at a time."""
    started = time.perf_counter()
    for _ in range(calls):
        if variant == BEFORE:  # what the handler did before: a transaction, no setting
            async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
                found = await picture_queries.area_picture(conn, demo.TENANT, area, week, 8)
        else:
            async with tenant_connection(pool, demo.TENANT) as conn:
                found = await picture_queries.area_picture(conn, demo.TENANT, area, week, 8)
        assert found is not None
    return (time.perf_counter() - started) / calls * 1e6


async def _http(port: int, token: str, area: UUID, clients: int, seconds: float) -> dict[str, float]:
    load = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.load", "--port", str(port), "--clients", str(clients), "--seconds", str(seconds),
        "--token", token, "--get", f"/api/v1/areas/{area}/picture", stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await load.communicate()
    result: dict[str, float] = json.loads(out)
    assert result["errors"] == 0, result
    return result


async def _queries(dsn: str, area: UUID, week: str, blocks: int, calls: int) -> dict[str, list[float]]:
    """Per-call times of each variant, in blocks of `calls` that take turns."""
    found: dict[str, list[float]] = {BEFORE: [], SETTING: [], BOTH: []}
    variants = list(found)
    async with create_pool(dsn, 2) as pool:
        for block in range(blocks):
            for variant in variants[block % 3 :] + variants[: block % 3]:
                await _row_security(dsn, variant == BOTH)
                await _query(pool, variant, area, week, calls // 10)  # plans made again after the switch
                found[variant].append(await _query(pool, variant, area, week, calls))
    await _row_security(dsn, True)
    return found


async def run(seconds: float, rounds: int, clients: int, blocks: int, calls: int) -> None:
    now = datetime.now(UTC)
    with bench_server() as server_dsn, tempfile.TemporaryDirectory() as tmp:
        async with scratch_database(server_dsn, "lagesbild_bench_picture") as urls:
            area = await _seed(urls, now)
            token = mint_development_token(Path(tmp), sub="b", tenant=demo.TENANT, org="kommunen", roles=["reporter"])
            port = free_port()
            server = start_server(urls, Path(tmp), port)
            http: dict[bool, list[dict[str, float]]] = {True: [], False: []}
            try:
                await asyncio.to_thread(wait_ready, f"http://127.0.0.1:{port}", server)
                for round_no in range(rounds):
                    for on in (True, False) if round_no % 2 == 0 else (False, True):
                        await _row_security(urls.service, on)
                        http[on].append(await _http(port, token, area, clients, seconds))
                        print(f"round {round_no + 1}, row security {'on' if on else 'off'}: {http[on][-1]}")
                await _row_security(urls.service, True)
            finally:
                server.terminate()
                server.wait(timeout=30)
            queries = await _queries(urls.service, area, week_of(now), blocks, calls)
    report(http, queries, seconds, rounds, clients, blocks, calls)


def report(
    http: dict[bool, list[dict[str, float]]], queries: dict[str, list[float]], seconds: float, rounds: int,
    clients: int, blocks: int, calls: int,
) -> None:  # fmt: skip
    def median(on: bool, key: str) -> float:
        return statistics.median(r[key] for r in http[on])

    rate_on, rate_off = median(True, "rate"), median(False, "rate")
    before, best = statistics.median(queries[BEFORE]), min(queries[BEFORE])
    lines = [
        f"| `GET /api/v1/areas/{{id}}/picture`, {clients} clients | row security on (as built)"
        " | off (the tenant still set) |",
        "|---|---:|---:|",
        f"| requests/s | **{rate_on:,.0f}** | {rate_off:,.0f} ({rate_on / rate_off - 1:+.1%} with it on) |",
        f"| latency p50 | {median(True, 'p50_ms'):.2f} ms | {median(False, 'p50_ms'):.2f} ms |",
        f"| latency p99 | {median(True, 'p99_ms'):.2f} ms | {median(False, 'p99_ms'):.2f} ms |",
        "",
        "| `picture_queries.area_picture`, one call at a time | µs per call (median block) | against before |"
        " best block | against before |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {variant} | {statistics.median(queries[variant]):,.0f} |"
            f" {statistics.median(queries[variant]) - before:+,.0f} µs | {min(queries[variant]):,.0f} |"
            f" {min(queries[variant]) - best:+,.0f} µs |"
            for variant in (BEFORE, SETTING, BOTH)
        ),
    ]
    table = "\n".join(lines)
    print(table)
    write_section(
        "picture",
        "Row-level security on the picture (`bench/picture.py`)",
        f".venv/bin/python -m bench.picture --seconds {seconds:g} --rounds {rounds} --clients {clients}"
        f" --blocks {blocks} --calls {calls}",
        f"{machine_details()}\n\nData: the demo tenant and {OTHER_TENANTS} others ({AREAS} areas and {REPORTS}"
        " reports each), projected. Server: `lagesbild serve` as the service role, one process; load: bench/load.py,"
        f" keep-alive connections, one request in flight each, {seconds:g} s per cell, medians of {rounds} rounds"
        f" that alternate the variants; the query alone: medians of {blocks} blocks of {calls} calls per variant"
        " on one pooled connection, the variants taking turns.\n\n"
        f"{table}\n\n{NOTE}",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--blocks", type=int, default=30)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(run(args.seconds, args.rounds, args.clients, args.blocks, args.calls))

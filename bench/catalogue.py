"""Benchmark: one partnership's `GET /api/v1/areas` while another has defined thousands of areas.

In a scratch database, through the whole app (in process, over ASGI, no network):
  baseline   partnership B (5 areas) lists its areas: the median of `--calls` calls;
  then partnership A defines `--areas` areas (appended to the store directly: through HTTP each
  would also pay the bound's count), and the catalogue projection catches up;
  after      B lists its areas again (median), and `--parallel` calls at once (wall time);
  log scan   what the catalogue cost before its read model, for the same B in the same run: every
             area and category event of every tenant fetched and decoded (the code of main before
             this change, kept here as the comparison), median of the same number of calls.
Prints a table and writes it into bench/RESULTS.md.

    .venv/bin/python -m bench.catalogue [--areas 5000] [--calls 200] [--parallel 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.persistence import StoredEvent
from litestar import Litestar
from litestar.testing import AsyncTestClient

from bench.support import bench_server, machine_details, write_section
from domain.actor import Actor
from domain.area import Area
from domain.codec import make_mapper
from service.app import create_app
from service.db.roles import DatabaseUrls
from service.db.scratch import scratch_database
from service.settings import Settings
from service.store.event_store import EventStore
from service.web.auth import mint_development_token

Reads = Callable[..., Awaitable[None]]
_LOG_SCAN_SQL = (
    "SELECT originator_id, originator_version, topic, state FROM stored_events"
    " WHERE topic LIKE 'domain.area:%' OR topic LIKE 'domain.category:%' ORDER BY notification_id"
)


async def _log_scan(store: EventStore, tenant: str) -> list[Any]:
    """The catalogue's read before its read model: every tenant's catalogue events, decoded, then filtered."""
    aggregates: dict[UUID, Any] = {}
    for row in await store.pool.fetch(_LOG_SCAN_SQL):
        event: Any = store.mapper.to_domain_event(StoredEvent(*row))
        aggregates[row[0]] = event.mutate(aggregates.get(row[0]))
    return sorted((a for a in aggregates.values() if a.tenant == tenant), key=lambda a: a.name)


async def _timed(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def _partnership_b(stack: contextlib.AsyncExitStack, urls: DatabaseUrls, data_dir: Path) -> Reads:
    """The app on `urls` with partnership B's 5 areas, caught up; B's `GET /api/v1/areas`."""
    env = {"DATABASE_URL": urls.service, "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_WRITE_RATE": "off"}
    app: Litestar = create_app(Settings.from_env(env), urls.service, migration_dsn=urls.migration)
    client = await stack.enter_async_context(AsyncTestClient(app))
    token = mint_development_token(data_dir, sub="bench", tenant="linkoping", org="kommunen", roles=["admin"])
    headers = {"Authorization": f"Bearer {token}"}
    for code in ("skaggetorp", "ryd", "berga", "skaggetorp-c", "ekholmen"):
        answer = await client.post("/api/v1/areas", json={"code": code, "name": code}, headers=headers)
        assert answer.status_code == 201, answer.text

    async def listed(min_position: int | None = None) -> None:
        params = {"min_position": min_position} if min_position else {}
        answer = await client.get("/api/v1/areas", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        assert len(answer.json()) == 5, answer.text

    await listed(answer.json()["position"])
    return listed


async def _define_elsewhere(store: EventStore, areas: int) -> int:
    """Partnership A's areas, appended a hundred at a time (the store commits them in groups); the last position."""
    other, position = Actor("bench", "kommunen", "vaxjo"), 0
    for first in range(0, areas, 100):
        defined = [Area.define(other, f"omrade-{n}", f"Område {n}") for n in range(first, min(first + 100, areas))]
        results = await asyncio.gather(*(store.append(a.collect_events(), 0) for a in defined))
        position = max(position, *(r.position for r in results))
    return position


async def run(areas: int, calls: int, parallel: int, data_dir: Path) -> str:
    """The table of one run."""
    with bench_server() as server:
        async with (
            scratch_database(server, "lagesbild_bench_catalogue") as alone,
            scratch_database(server, "lagesbild_bench_catalogue") as shared,
            contextlib.AsyncExitStack() as stack,
        ):
            baseline_read = await _partnership_b(stack, alone, data_dir)
            after_read = await _partnership_b(stack, shared, data_dir)
            # the apps run in loops of their test clients' own: the bench's store has a pool of its own
            pool = await stack.enter_async_context(asyncpg.create_pool(shared.service, min_size=1, max_size=4))
            store = EventStore(shared.service, pool, make_mapper())
            await store.open()
            stack.push_async_callback(store.close)
            await after_read(await _define_elsewhere(store, areas))  # the catalogue projection has caught up
            timings: dict[str, list[float]] = {"baseline": [], "after": [], "scan": []}
            for _ in range(calls // 10):  # warm up
                await baseline_read()
                await after_read()
            for _ in range(calls):  # interleaved: the machine's noise hits each alike
                timings["baseline"].append(await _timed(baseline_read))
                timings["after"].append(await _timed(after_read))
                timings["scan"].append(await _timed(lambda: _log_scan(store, "linkoping")))
            at_once: dict[str, float] = {}
            for name, read in (("baseline", baseline_read), ("after", after_read)):
                started = time.perf_counter()
                await asyncio.gather(*(read() for _ in range(parallel)))
                at_once[name] = time.perf_counter() - started
    baseline, after, scan = (statistics.median(timings[k]) * 1000 for k in ("baseline", "after", "scan"))
    return "\n".join(
        [
            f"Partnership B has 5 areas. Baseline: a database where it is alone; after: one where partnership A"
            f" has defined {areas:,} areas. B's `GET /api/v1/areas` through the whole app in process (ASGI, no"
            f" network), {calls} calls each, interleaved with the log scan (what main did before the read model:"
            " every partnership's area and category events fetched and decoded; the query and decoding alone).",
            "",
            f"| B's catalogue read | median ms | {parallel} at once, ms in all |",
            "|---|---:|---:|",
            f"| read model, B alone (baseline) | {baseline:.2f} | {at_once['baseline'] * 1000:.0f} |",
            f"| read model, after A's {areas:,} areas | {after:.2f} | {at_once['after'] * 1000:.0f} |",
            f"| log scan, after A's {areas:,} areas (main before this change) | {scan:.2f} | |",
            "",
            f"Load average when it ended: {os.getloadavg()[0]:.1f} (other work shared the machine's cores).",
            machine_details(),
        ]
    )


def main() -> None:
    """Run the benchmark, print its table and record it in RESULTS.md."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--parallel", type=int, default=20)
    args = parser.parse_args()
    if min(args.areas, args.calls, args.parallel) < 1:
        parser.error("--areas, --calls and --parallel must be at least 1")
    data_dir = Path(".lagesbild").absolute()
    body = asyncio.run(run(args.areas, args.calls, args.parallel, data_dir))
    print(body)
    command = (
        f".venv/bin/python -m bench.catalogue --areas {args.areas} --calls {args.calls} --parallel {args.parallel}"
    )
    write_section("catalogue", "The catalogue: one partnership's areas while another has thousands", command, body)


if __name__ == "__main__":
    main()

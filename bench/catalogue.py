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
import logging
import statistics
import time
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
from service.db.scratch import scratch_database
from service.settings import Settings
from service.store.event_store import EventStore
from service.web.auth import mint_development_token

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


async def _median_ms(calls: int, call: Any) -> float:
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


async def run(areas: int, calls: int, parallel: int, data_dir: Path) -> str:
    """The table of one run."""
    with bench_server() as server:
        async with scratch_database(server, "lagesbild_bench_catalogue") as urls:
            env = {"DATABASE_URL": urls.service, "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_WRITE_RATE": "off"}
            app: Litestar = create_app(Settings.from_env(env), urls.service, migration_dsn=urls.migration)
            token = mint_development_token(data_dir, sub="bench", tenant="linkoping", org="kommunen", roles=["admin"])
            headers = {"Authorization": f"Bearer {token}"}
            async with AsyncTestClient(app) as client:
                for code in ("skaggetorp", "ryd", "berga", "skaggetorp-c", "ekholmen"):
                    answer = await client.post("/api/v1/areas", json={"code": code, "name": code}, headers=headers)
                    assert answer.status_code == 201, answer.text
                mine = answer.json()["position"]
                caught_up = await client.get("/api/v1/areas", params={"min_position": mine}, headers=headers)
                assert caught_up.status_code == 200, caught_up.text

                async def listed() -> None:
                    answer = await client.get("/api/v1/areas", headers=headers)
                    assert answer.status_code == 200, answer.text
                    assert len(answer.json()) == 5, answer.text

                for _ in range(calls // 10 + 1):  # warm up
                    await listed()
                baseline = await _median_ms(calls, listed)
                # the app runs in a loop of the test client's own: the bench's store has a pool of its own
                pool = await asyncpg.create_pool(urls.service, min_size=1, max_size=2)
                store = EventStore(urls.service, pool, make_mapper())
                await store.open()
                other = Actor("bench", "kommunen", "vaxjo")
                for n in range(areas):
                    area = Area.define(other, f"omrade-{n}", f"Område {n}")
                    position = (await store.append(area.collect_events(), 0)).position
                caught_up = await client.get("/api/v1/areas", params={"min_position": position}, headers=headers)
                assert caught_up.status_code == 200, caught_up.text
                after = await _median_ms(calls, listed)
                started = time.perf_counter()
                await asyncio.gather(*(listed() for _ in range(parallel)))
                at_once = time.perf_counter() - started
                log_scan = await _median_ms(calls, lambda: _log_scan(store, "linkoping"))
                await store.close()
                await pool.close()
    return "\n".join(
        [
            f"Partnership B has 5 areas; partnership A then defines {areas:,}. Median of {calls} calls each,"
            " B's `GET /api/v1/areas` through the app in process (ASGI, no network).",
            "",
            "| B's catalogue read | median ms |",
            "|---|---:|",
            f"| read model, before A's areas (baseline) | {baseline:.2f} |",
            f"| read model, after A's {areas:,} areas | {after:.2f} |",
            f"| log scan (main before the read model; the query and decoding alone, no HTTP), after A's areas"
            f" | {log_scan:.2f} |",
            "",
            f"{parallel} of B's reads at once, after A's areas: {at_once * 1000:.0f} ms wall time in all.",
            "",
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

"""Benchmark A/B: the catch-up of this tree's projections against another tree's, interleaved on one log.

For a change to the projections: export the commit before it (`git archive BASE | tar -x -C DIR`),
then run this from the clone. One scratch log of `--events` events; each round catches up new
generations (picture and audit at once, as the service starts) with bench/catchup.py, first from
`--other`'s code, then from this tree's, or the other way round in every other round, so a slow
spell of the shared machine falls on both. Prints each run's rate and CPU per event; writes nothing.

    .venv/bin/python -m bench.ab_catchup --other DIR [--events 400000] [--rounds 4] [--projections picture,audit]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import asyncpg

from bench.scratch_log import copy_log
from bench.support import bench_server
from projections.generations import drop_generation
from service.db.location import database_name, with_database
from service.db.scratch import scratch_database

HERE = Path(__file__).resolve().parents[1]


async def _catch_up(tree: Path, dsn: str, projections: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.catchup", "--dsn", dsn, "--projections", projections,
        cwd=tree, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"catch-up in {tree} failed ({process.returncode})")
    result: dict[str, Any] = json.loads(out)
    return result


async def _drop_inactive(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for row in await conn.fetch("SELECT projection, generation FROM projection_generations WHERE NOT active"):
            await drop_generation(conn, row[0], row[1])
    finally:
        await conn.close()


async def run(server_dsn: str, other: Path, args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    trees = {"other": other, "this": HERE}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    async with scratch_database(server_dsn, "lagesbild_bench_ab") as urls:
        dsn = urls.service
        events = await copy_log(with_database(server_dsn, database_name(dsn)), args.events)
        print(f"{events:,} events copied")
        await _catch_up(HERE, dsn, args.projections)  # the first generations, active, kept: not timed
        for n in range(args.rounds):
            order = list(trees) if n % 2 == 0 else list(reversed(trees))
            for name in order:
                result = await _catch_up(trees[name], dsn, args.projections)
                await _drop_inactive(dsn)
                runs[name].append(result)
                per_event = 1e6 / result["events"]
                print(
                    f"round {n + 1} {name}: {result['events'] / result['seconds']:,.0f} events/s,"
                    f" CPU per event {result['cpu_seconds'] * per_event:.1f} /"
                    f" {result['server_cpu_seconds'] * per_event:.1f} µs (runner / PostgreSQL)",
                    flush=True,
                )
    return runs


def main(args: argparse.Namespace) -> None:
    with bench_server() as server_dsn:
        runs = asyncio.run(run(server_dsn, Path(args.other).resolve(), args))
    for name, results in runs.items():
        rates = [r["events"] / r["seconds"] for r in results]
        cpu = [r["cpu_seconds"] * 1e6 / r["events"] for r in results]
        print(
            f"{name}: median {statistics.median(rates):,.0f} events/s (runs {' / '.join(f'{x:,.0f}' for x in rates)}),"
            f" runner CPU per event median {statistics.median(cpu):.1f} µs"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", required=True, help="a directory holding the other commit's tree")
    parser.add_argument("--events", type=int, default=400_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--projections", default="picture,audit")
    main(parser.parse_args())

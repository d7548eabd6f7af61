"""Benchmark: the read side, catching up over a big log and serving the picture while reports arrive.

Measures in one run, on a scratch database:
  1. catch-up: `--events` stored events (realistic, bench/events.py) COPYed in; our
     ProjectionRunner catches the picture and the audit trail up from zero, both at once (as
     the service starts) and each alone (as a rebuild), in a process of its own whose RSS is
     sampled every 100,000 events (bench/catchup.py); `--catch-up-rounds` rounds of the three,
     interleaved, and the best of each is compared with the target (on this shared machine a
     slow spell makes a run slower, never faster);
  2. the baseline, beside it: the eventsourcing library's own projection runner keeping the
     same audit trail over the first `--library-events` events, and ours over the same events
     (bench/library_projection.py);
  3. `GET /api/v1/areas/{id}/picture` from 32 readers (paced, then back to back) while reports
     are posted at 500/s, against a real server (`lagesbild serve`, projections in-process) on
     that database; latency, errors, and the live lag from a report's commit to the picture
     having applied it (bench/picture_load.py). The paced run is made `--paced-runs` times and
     the median run is compared with the targets: a single 10 s window's p99 on this shared
     machine moves by several milliseconds from one run to the next.
Prints a table and writes it into bench/RESULTS.md.

    .venv/bin/python -m bench.projections [--events 1000000] [--catch-up-rounds 2] [--library-events 10000]
        [--seconds 10] [--paced-runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

from bench.api import free_port, start_server, wait_ready
from bench.catchup import cpu_seconds
from bench.library_projection import create_tables, run_library
from bench.projections_report import Result, report
from bench.scratch_log import copy_log, log_mix, settle
from bench.support import bench_server
from bench.tenants import tenant_areas
from projections.generations import drop_generation
from projections.runner import BATCH_SIZE
from service.db.location import database_name, with_database
from service.db.roles import DatabaseUrls
from service.db.scratch import scratch_database
from service.web.auth import mint_development_token


async def _subprocess(*args: str) -> Result:
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", *args, stdout=asyncio.subprocess.PIPE)
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({process.returncode})")
    result: Result = json.loads(out)
    return result


async def catch_up(dsn: str, projections: str, batch_size: int, until: int | None = None, keep: bool = False) -> Result:
    """Catch new generations up in a subprocess; drop them afterwards unless `keep` (the first, active ones)."""
    extra = ["--until", str(until)] if until else []
    result = await _subprocess(
        "bench.catchup", "--dsn", dsn, "--projections", projections, "--batch-size", str(batch_size), *extra
    )
    print(f"catch-up {projections} ({result['events']:,} events): {result['events'] / result['seconds']:,.0f}/s")
    if not keep:
        conn = await asyncpg.connect(dsn)
        try:
            for name in projections.split(","):
                latest = await conn.fetchval(
                    "SELECT max(generation) FROM projection_generations WHERE projection = $1", name
                )
                await drop_generation(conn, name, latest)
        finally:
            await conn.close()
    return result


async def library(dsn: str, events: int, tracking_only: bool = False) -> tuple[int, float]:
    """The library's runner over the first `events` events: (events timed, seconds)."""
    await create_tables(dsn)
    counted, seconds = await asyncio.to_thread(run_library, dsn, events, tracking_only)
    print(f"eventsourcing runner, {'tracking only' if tracking_only else 'audit'}: {counted / seconds:,.0f}/s")
    return counted, seconds


async def settled_database(admin: str) -> float:
    """Vacuum, analyze and checkpoint the whole database before the reads are timed; the seconds it took.

    The catch-ups have just filled a million rows into the read models: left alone, autovacuum
    works through them while the reads are timed, which a service that has run for a while
    does not see.
    """
    started = time.perf_counter()
    conn = await asyncpg.connect(admin)
    try:
        await settle(conn)
    finally:
        await conn.close()
    print(f"database vacuumed, analyzed and checkpointed in {time.perf_counter() - started:.0f} s")
    return time.perf_counter() - started


async def serve_and_load(urls: DatabaseUrls, data_dir: Path, args: argparse.Namespace) -> dict[str, Result]:
    """The server on the log just projected; reads paced with writes, paced alone, back to back with writes."""
    dsn = urls.service
    port = free_port()
    server = start_server(urls, data_dir, port)
    runs = {}
    try:
        await asyncio.to_thread(wait_ready, f"http://127.0.0.1:{port}", server)
        token = mint_development_token(
            data_dir, sub="bench-polis", tenant="jonkoping", org="polisen", roles=["reporter"]
        )
        areas = ",".join(str(a) for a in tenant_areas("jonkoping"))
        paced = [(f"paced {n + 1}", args.reader_rate, args.write_rate) for n in range(args.paced_runs)]
        for name, reader_rate, write_rate in (
            *paced,
            ("reads only", args.reader_rate, 0.0),
            ("back to back", 0.0, args.write_rate),
        ):
            load = [
                "bench.picture_load", "--port", str(port), "--dsn", dsn, "--token", token, "--areas", areas,
                "--seconds", str(args.seconds), "--readers", str(args.readers), "--reader-rate", str(reader_rate),
                "--write-rate", str(write_rate),
            ]  # fmt: skip
            cpu = cpu_seconds(server.pid)
            runs[name] = await _subprocess(*load)
            runs[name]["server_cpu_percent"] = (cpu_seconds(server.pid) - cpu) / (args.seconds + 2) * 100
            print(f"picture reads, {name}: p99 {runs[name]['read_p99_ms']:.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return runs


def main(args: argparse.Namespace) -> None:
    load = os.getloadavg()[0]
    with bench_server() as server_dsn, tempfile.TemporaryDirectory() as tmp:

        async def run() -> Result:
            async with scratch_database(server_dsn, "lagesbild_bench_projections") as urls:
                # Ours runs as the service does; the library's runner makes tables in public, as the superuser.
                dsn, admin = urls.service, with_database(server_dsn, database_name(urls.service))
                started = time.perf_counter()
                events = await copy_log(admin, args.events)  # as the superuser, who may vacuum and checkpoint
                made = time.perf_counter() - started
                print(f"{events:,} events made and copied in {made:.0f} s")
                both: list[Result] = []
                alone: dict[str, list[Result]] = {"picture": [], "audit": []}
                for n in range(args.catch_up_rounds):  # the first round's both stay, as the service's read side
                    both.append(await catch_up(dsn, "picture,audit", args.batch_size, keep=n == 0))
                    for name, runs in alone.items():
                        runs.append(await catch_up(dsn, name, args.batch_size))
                subset = min(args.library_events, events)
                ours = await catch_up(dsn, "audit", args.batch_size, until=subset)
                theirs = await library(admin, subset)
                floor = await library(admin, min(subset, 5000), tracking_only=True)
                mix = await log_mix(dsn)
                settled = await settled_database(admin)
                loads = await serve_and_load(urls, Path(tmp), args)
                return {
                    "args": args, "events": events, "made": made, "mix": mix, "both": both, "alone": alone,
                    "ours": ours, "theirs": theirs, "floor": floor, "settled": settled, "loads": loads,
                }  # fmt: skip

        result = asyncio.run(run())
    report(result, (load, os.getloadavg()[0]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--catch-up-rounds", type=int, default=2, help="rounds of the three catch-ups, interleaved")
    parser.add_argument("--library-events", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load run")
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--paced-runs", type=int, default=3, help="runs of the paced reads with writes (median shown)")
    parser.add_argument("--reader-rate", type=float, default=10.0, help="picture reads a second per reader (paced run)")
    parser.add_argument("--write-rate", type=float, default=500.0)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"the runner's (default {BATCH_SIZE})")
    arguments = parser.parse_args()
    if arguments.paced_runs < 1:
        parser.error("--paced-runs must be at least 1")
    main(arguments)

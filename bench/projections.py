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
from typing import Any

import asyncpg

from bench.api import free_port, start_server, wait_ready
from bench.catchup import cpu_seconds
from bench.library_projection import create_tables, run_library
from bench.scratch_log import copy_log, log_mix, settle
from bench.support import bench_server, machine_details, write_section
from bench.tenants import tenant_areas
from projections.generations import drop_generation
from projections.runner import BATCH_SIZE
from service.db.location import database_name, with_database
from service.db.roles import DatabaseUrls
from service.db.scratch import scratch_database
from service.web.auth import mint_development_token

Result = dict[str, Any]


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


def _rate(run: Result) -> float:
    return float(run["events"] / run["seconds"])


def _best(runs: list[Result]) -> Result:
    return max(runs, key=_rate)


def _catch_up_cell(runs: list[Result]) -> str:
    best = _best(runs)
    rounds = f"; rounds: {' / '.join(f'{_rate(run):,.0f}' for run in runs)}" if len(runs) > 1 else ""
    return f"**{_rate(best):,.0f} events/s** ({best['seconds']:.0f} s{rounds})"


def _median_run(runs: list[Result]) -> Result:
    """The run whose read p99 is the median (of an even number, the higher of the middle two)."""
    return sorted(runs, key=lambda run: float(run["read_p99_ms"]))[len(runs) // 2]


def _runs_note(runs: list[Result], key: str, spec: str) -> str:
    return f" (runs: {' / '.join(format(run[key], spec) for run in runs)})" if len(runs) > 1 else ""


def report(r: Result, load: tuple[float, float]) -> None:
    args, both, alone = r["args"], _best(r["both"]), {name: _best(runs) for name, runs in r["alone"].items()}
    peak_rss = max(run["peak_rss_mb"] for run in r["both"])
    runs = [run for name, run in r["loads"].items() if name.startswith("paced")]
    paced = _median_run(runs)
    alone_reads, closed = r["loads"]["reads only"], r["loads"]["back to back"]
    lag_met = all(run["lag_p99_ms"] <= 250 and not run["lag_missing"] for run in runs)  # in every paced run
    theirs = r["theirs"][0] / r["theirs"][1]
    first_rss = both["rss_by_events"].get("100000")

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    per_event = 1e6 / both["events"]
    lines = [
        "| measure | value | target |",
        "|---|---:|---|",
        f"| catch-up, picture and audit at once (a service starting on an empty read side) |"
        f" {_catch_up_cell(r['both'])} | ≥ 20,000: {mark(_rate(both) >= 20_000)} |",
        *(
            f"| catch-up, {name} alone (a rebuild) | {_catch_up_cell(r['alone'][name])} |"
            f" ≥ 20,000: {mark(_rate(run) >= 20_000)} |"
            for name, run in alone.items()
        ),
        f"| peak RSS of the catching-up process (both, every round) | **{peak_rss:.0f} MB** |"
        f" < 300 MB: {mark(peak_rss < 300)} |",
        f"| RSS after 100,000 events / after {both['events']:,} | {first_rss:.0f} MB / {both['rss_end_mb']:.0f} MB |"
        f" flat: {mark(both['rss_end_mb'] - first_rss < 50)} |"
        if first_rss
        else f"| RSS at the end | {both['rss_end_mb']:.0f} MB | |",
        f"| CPU per event (both): runner process / PostgreSQL | {both['cpu_seconds'] * per_event:.0f} µs /"
        f" {both['server_cpu_seconds'] * per_event:.0f} µs | |",
        f"| eventsourcing library's runner, the same audit trail, first {args.library_events:,} events |"
        f" {theirs:,.0f} events/s | |",
        f"| our runner, audit, the same first events | {_rate(r['ours']):,.0f} events/s"
        f" (**{_rate(r['ours']) / theirs:.0f}x**) | |",
        f"| the library's runner with a view that records its tracking only (its floor) |"
        f" {r['floor'][0] / r['floor'][1]:,.0f} events/s | |",
        f"| `GET /areas/{{id}}/picture`, {args.readers} readers at {args.reader_rate:g}/s each"
        f" ({paced['read_rate']:,.0f}/s), p50 / p99 / max |"
        f" {paced['read_p50_ms']:.1f} / **{paced['read_p99_ms']:.1f}** / {paced['read_max_ms']:.0f} ms"
        f"{_runs_note(runs, 'read_p99_ms', '.1f')} | p99 ≤ 10 ms: {mark(paced['read_p99_ms'] <= 10)} |",
        f"| the same without the writes | {alone_reads['read_p50_ms']:.1f} / {alone_reads['read_p99_ms']:.1f} /"
        f" {alone_reads['read_max_ms']:.0f} ms | |",
        f"| the same, {args.readers} readers back to back ({closed['read_rate']:,.0f}/s), p50 / p99 / max |"
        f" {closed['read_p50_ms']:.1f} / {closed['read_p99_ms']:.1f} / {closed['read_max_ms']:.0f} ms | |",
        f"| live lag, commit to picture applied (paced run), p50 / p99 / max |"
        f" {paced['lag_p50_ms']:.0f} / **{paced['lag_p99_ms']:.0f}** / {paced['lag_max_ms']:.0f} ms"
        f"{_runs_note(runs, 'lag_p99_ms', '.0f')} | p99 ≤ 250 ms: {mark(lag_met)} |",
        f"| the same, readers back to back | {closed['lag_p50_ms']:.0f} / {closed['lag_p99_ms']:.0f} /"
        f" {closed['lag_max_ms']:.0f} ms | |",
        f"| reports written (paced / back-to-back run), write p99 | {paced['write_rate']:,.0f}/s /"
        f" {closed['write_rate']:,.0f}/s, {paced['write_p99_ms']:.0f} / {closed['write_p99_ms']:.0f} ms |"
        f" {args.write_rate:g}/s |",
        f"| server process CPU (of one core): paced / without writes / back to back |"
        f" {paced['server_cpu_percent']:.0f} % / {alone_reads['server_cpu_percent']:.0f} % /"
        f" {closed['server_cpu_percent']:.0f} % | |",
        f"| errors: reads, writes, reports never seen applied |"
        f" {sum(run['read_errors'] for run in r['loads'].values())},"
        f" {sum(run['write_errors'] for run in r['loads'].values())},"
        f" {sum(run['lag_missing'] for run in r['loads'].values())} | 0 |",
    ]
    notes = (
        f"The log: {r['events']:,} events ({r['mix']}), 8 tenants, 112 areas, made and COPYed in {r['made']:.0f} s."
        f" Catch-up: our ProjectionRunner (batches of {args.batch_size}), from position 0 into a new generation,"
        " in a process of its own (uvloop), to the head of the log;"
        f" {args.catch_up_rounds} rounds of both, picture and audit, interleaved, the best of each shown"
        " (its RSS and CPU per event are the best round's of both). The library's runner: `eventsourcing.projection."
        "ProjectionRunner`, a `PostgresTrackingRecorder` view, one transaction per event (its entry, the"
        " stream's area read from the entries, its tracking record)."
        f" Reads and writes: `lagesbild serve` on the same database, load from bench/picture_load.py"
        f" ({args.readers} keep-alive connections for the reads of a random area of 24; reports at"
        f" {args.write_rate:g}/s over 16 connections; {args.seconds:g} s per run after 1 s of warm-up;"
        f" {args.paced_runs} paced runs, the one with the median read p99 shown (with every run's p99); load"
        f" generator CPU {paced['cpu_percent']:.0f} % / {closed['cpu_percent']:.0f} % of one core). Before the"
        f" reads, the whole database was vacuumed, analyzed and checkpointed ({r['settled']:.0f} s), as autovacuum"
        " has done in a service that has run a while. The machine's"
        f" load average (with other work on it) before and after the run: {load[0]:.1f} and {load[1]:.1f}."
    )
    python, postgres = both["cpu_seconds"] * per_event, both["server_cpu_seconds"] * per_event
    analysis = (
        "Both at once, the two runners share one Python process and its log reader (each batch is fetched"
        " and decoded once, for both) and PostgreSQL works on the other core:"
        f" {python:.0f} + {postgres:.0f} µs of CPU per event, so two cores cannot do much more than"
        f" {2e6 / (python + postgres):,.0f} events/s even if nothing waited, and the one Python process no more"
        f" than {1e6 / python:,.0f}; each alone, as in a rebuild, needs less of both. The paced reads' p99 moves"
        " with the rest of the machine: without"
        f" the writes it is {alone_reads['read_p99_ms']:.1f} ms; the writes and the projections following them"
        f" in the same process take the server from {alone_reads['server_cpu_percent']:.0f} % to"
        f" {paced['server_cpu_percent']:.0f} % of a core. That share, for the same load, is also the gauge of how"
        " fast this shared machine was while the reads were timed (a slow spell takes it up by a quarter or more,"
        " and the p99 with it); the CPU per event does the same for the catch-ups. Back to back,"
        f" {args.readers} readers wait on each other: the latency is the queue, not the query."
    )
    table = "\n".join(lines)
    print()
    print(table)
    write_section(
        "projections",
        "Read side: catch-up and the picture under writes (`bench/projections.py`)",
        " ".join([".venv/bin/python -m bench.projections", *sys.argv[1:]]),
        f"{machine_details()}\n\n{table}\n\n{notes}\n\n{analysis}",
    )


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

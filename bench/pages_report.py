"""The pages benchmark's table, first load and notes (bench/pages.py), printed and written into bench/RESULTS.md."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from typing import Any

from bench.support import machine_details, write_section

P99_TARGET_MS, FIRST_LOAD_TARGET = 15.0, 150_000
AREA_PAGE: str | None = "/omraden/{id}"
"""The area page's path with `{id}` for an area; None would leave it out (a tree without the page)."""


WHERE = {
    "in-process": "projections in-process",
    "separate": "projections off, the read models kept by `lagesbild project` in a process of its own, as deployed;"
    " the CPU column gives the server's + the worker's",
}


def _cpu(runs: list[dict[str, Any]]) -> str:
    """Each process's share of a core: the server's (+ the worker's), PostgreSQL's, the load generator's."""

    def median(key: str) -> float:
        return statistics.median(float(run[key]) for run in runs)

    worker = median("worker_cpu_percent")
    server = f"{median('server_cpu_percent'):.0f} %" + (f" + {worker:.0f} %" if worker else "")
    return f"{server}, {median('postgres_cpu_percent'):.0f} %, {median('cpu_percent'):.0f} %"


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(runs, key=lambda run: float(run["read_p99_ms"]))[len(runs) // 2]


def report(r: dict[str, Any], load: tuple[float, float], args: argparse.Namespace) -> None:
    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    lines = [
        "| pages read (32 readers, paced) with reports written | reads/s | p50 / p99 / max | p99 of each round |"
        " CPU: server (+ worker), PostgreSQL, load | writes/s | errors (reads, writes) |"
        " without the writes: p50 / p99, CPU per read (server / PostgreSQL) |"
        " target p99 ≤ 15 ms |",
        "|---|---:|---|---|---:|---:|---|---|---|",
    ]
    for name, runs in r["runs"].items():
        m = _median_run(runs)
        baseline = name.startswith("baseline")
        rounds = " / ".join(f"{run['read_p99_ms']:.1f}" for run in runs)
        alone = r["alone"][name]
        reads = max(1.0, alone["read_rate"] * (args.seconds + 1))
        per_read = alone["server_cpu_seconds"] / reads * 1000
        postgres_per_read = alone["postgres_cpu_seconds"] / reads * 1000
        quiet = (
            f"{alone['read_p50_ms']:.1f} / {alone['read_p99_ms']:.1f} ms, {per_read:.2f} / {postgres_per_read:.2f} ms"
        )
        lines.append(
            f"| {name} | {m['read_rate']:,.0f} | {m['read_p50_ms']:.1f} / **{m['read_p99_ms']:.1f}** /"
            f" {m['read_max_ms']:.0f} ms | {rounds} |"
            f" {_cpu(runs)} | {m['write_rate']:,.0f} |"
            f" {sum(run['read_errors'] for run in runs)}, {sum(run['write_errors'] for run in runs)} | {quiet} |"
            f" {'(baseline)' if baseline else mark(m['read_p99_ms'] <= P99_TARGET_MS)} |"
        )
    if AREA_PAGE is None:
        missing = "not measured: the page is not in this tree yet (AREA_PAGE)"
        lines.append(f"| Område: GET /omraden/{{id}} | – | {missing} | | | | | | |")
    loaded = r["first_load"]
    parts = ", ".join(f"{name} {size:,} B" for name, size in loaded["sizes"].items())
    own = "all from the service's own origin" if not loaded["foreign"] else f"**from elsewhere: {loaded['foreign']}**"
    first = (
        f"First load of the overview (HTML and all it links, uncompressed, as served): **{loaded['total']:,} bytes**"
        f" ({parts}); {own}. Target ≤ 150 kB: {mark(loaded['total'] <= FIRST_LOAD_TARGET and not loaded['foreign'])}."
    )
    replicas = args.replicas > 1
    where = (
        f"{args.replicas} replicas, projections off in each, the read models kept by `lagesbild project`, as"
        " deployed; the load spread over them, each reader and writer on one; the CPU column gives the"
        " replicas' together + the worker's"
        if replicas
        else WHERE[args.projections]
    )
    notes = (
        f"The log: {r['events']:,} synthetic events (bench/events.py), COPYed into a scratch database; the server"
        f" (`lagesbild serve`, {where}) caught up before the reads,"
        " and the database vacuumed, analyzed and checkpointed, as autovacuum has done in a service that has run a"
        " while. The pages are read as a"
        " coordinator and auditor of jonkoping (24 areas) by session cookie, the baseline by bearer token. Each"
        f" run: {args.readers} keep-alive readers at {args.reader_rate:g}/s each, reports posted at"
        f" {args.write_rate:g}/s over 16 connections, {args.seconds:g} s after 1 s of warm-up"
        f" (bench/picture_load.py); {args.rounds} rounds in which the targets take turns, the run with the median"
        " p99 shown with its round's figures, every round's p99 beside it; the CPU column gives each process's"
        " share of one core over that run (the machine has"
        f" {os.cpu_count()} cores: {100 * (os.cpu_count() or 1)} % in all). Load average before and after:"
        f" {load[0]:.1f} and {load[1]:.1f} (the machine is shared with other work)."
    )
    if max(load) > (os.cpu_count() or 1):
        notes += (
            " The load average was above the machine's cores: every process, this server and its PostgreSQL"
            " included, got a share of a core (the server's CPU above), so the latencies are the machine's queue,"
            " not the service's, and the targets cannot be judged from this run. The server's CPU per read"
            " (without the writes) compares the targets with each other and with the baseline."
        )
    table = "\n".join(lines)
    print(f"\n{table}\n\n{first}")
    separate = args.projections == "separate"
    if replicas:
        key, title = "pages-replicas", f", {args.replicas} replicas of the service as deployed"
    elif separate:
        key, title = "pages-separate", ", the read models in `lagesbild project`"
    else:
        key, title = "pages", " and the overview's first load"
    write_section(
        key,
        f"The web app: pages under writes{title} (`bench/pages.py`)",
        " ".join([".venv/bin/python -m bench.pages", *sys.argv[1:]]),
        f"{machine_details()}\n\n{table}\n\n{first}\n\n{notes}",
    )

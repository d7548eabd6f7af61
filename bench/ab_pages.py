"""Benchmark A/B: pages read under writes, served by two trees or two settings in turn, interleaved on one log.

For a change to the pages or their settings. A variant is a tree and settings for its server:
`.` (this clone) or a directory with another commit (`git archive BASE | tar -x -C DIR`), then
optionally `:NAME=VALUE,...` (environment for the server). One scratch log of `--events` events;
each round starts a server from each variant in turn (the other way round in every other round,
so a slow spell of the shared machine falls on both), and reads each path by 32 readers at 10/s
each while reports are posted (`--write-rate`, 500/s unless told; bench/picture_load.py).
Prints each run and the medians; writes nothing.

    .venv/bin/python -m bench.ab_pages --variant DIR --variant . [--path /omraden/{id}] [--rounds 4]
    .venv/bin/python -m bench.ab_pages --variant .:LAGESBILD_PAGE_CACHE_SECONDS=2 --variant . [--events 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.api import free_port, start_server, wait_ready
from bench.catchup import cpu_seconds
from bench.pages import TENANT, sign_in, wait_caught_up
from bench.projections import _subprocess, settled_database
from bench.scratch_log import copy_log
from bench.support import bench_server
from bench.tenants import tenant_areas
from service.db.location import database_name, with_database
from service.db.scratch import scratch_database
from service.web.auth import mint_development_token


def _variant(text: str) -> tuple[Path, dict[str, str]]:
    """`DIR[:NAME=VALUE,...]` -> the tree and the server's extra environment."""
    tree, _, settings = text.partition(":")
    extra = dict(pair.split("=", 1) for pair in settings.split(",") if pair)
    return Path(tree).resolve(), extra


async def _read(variant: str, urls: Any, data_dir: Path, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """One server of `variant`, caught up: each path read under writes; the runs by path."""
    tree, extra = _variant(variant)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(urls, data_dir, port, tree=tree, settings=extra)
    try:
        await asyncio.to_thread(wait_ready, base, server)
        roles = ["reporter", "coordinator", "auditor"]  # the audit trail too, to wait for its catch-up
        token = mint_development_token(data_dir, sub="bench-polis", tenant=TENANT, org="polisen", roles=roles)
        await asyncio.to_thread(wait_caught_up, base, token)
        cookie = await asyncio.to_thread(sign_in, base, ["coordinator", "auditor"])
        areas = [str(a) for a in tenant_areas(TENANT)]
        runs = {}
        for path in args.path:
            paths = [path.format(id=area) for area in areas] if "{id}" in path else [path]
            before = cpu_seconds(server.pid)
            run = await _subprocess(
                "bench.picture_load", "--port", str(port), "--dsn", urls.service, "--token", token,
                "--areas", ",".join(areas), "--paths", ",".join(paths), "--cookie", cookie,
                "--seconds", str(args.seconds), "--readers", "32", "--reader-rate", "10",
                "--write-rate", str(args.write_rate),
            )  # fmt: skip
            run["server_cpu_percent"] = (cpu_seconds(server.pid) - before) / (args.seconds + 2) * 100
            runs[path] = run
            print(
                f"{variant} {path}: p50 {run['read_p50_ms']:.1f} ms, p99 {run['read_p99_ms']:.1f} ms,"
                f" {run['write_rate']:.0f} reports/s, server {run['server_cpu_percent']:.0f} %",
                flush=True,
            )
        return runs
    finally:
        server.terminate()
        server.wait(timeout=30)


async def main(args: argparse.Namespace) -> None:
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with bench_server() as server_dsn, tempfile.TemporaryDirectory() as tmp:
        async with scratch_database(server_dsn, "lagesbild_bench_ab_pages") as urls:
            admin = with_database(server_dsn, database_name(urls.service))
            print(f"{await copy_log(admin, args.events):,} events copied in")
            for n in range(args.rounds):
                for variant in args.variant if n % 2 == 0 else args.variant[::-1]:
                    runs = await _read(variant, urls, Path(tmp), args)
                    if n == 0 and variant == args.variant[0]:
                        await settled_database(admin)  # caught up once: as autovacuum has it in a service that ran
                    for path, run in runs.items():
                        results.setdefault((variant, path), []).append(run)
    print("\nmedians over the rounds (each round's p99 in brackets):")
    for (variant, path), measured in results.items():
        p99s = ", ".join(f"{run['read_p99_ms']:.1f}" for run in measured)
        print(
            f"{variant} {path}: p99 {statistics.median(r['read_p99_ms'] for r in measured):.1f} ms ({p99s}),"
            f" {statistics.median(r['write_rate'] for r in measured):.0f} reports/s,"
            f" server {statistics.median(r['server_cpu_percent'] for r in measured):.0f} %"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", required=True, help="DIR[:NAME=VALUE,...]; give two")
    parser.add_argument("--path", action="append", help="a page to read ({id}: each of the areas); default both")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each load run")
    parser.add_argument("--write-rate", type=float, default=500.0, help="reports a second posted while pages are read")
    parsed = parser.parse_args()
    parsed.path = parsed.path or ["/", "/omraden/{id}"]
    asyncio.run(main(parsed))

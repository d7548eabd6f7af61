"""Benchmark: how long the service's event loop is held at a time while pages are read under writes.

Every request on a replica waits for whatever step its event loop is running, so a page that
computes for some milliseconds in one step delays every request that arrives meanwhile. On a
scratch database of `--events` synthetic events (bench/events.py), the service runs under
bench/loop_probe.py (asyncio's loop instead of uvloop, each step's CPU time tallied), caught up;
then each of Översikt and Område (a random one of jonkoping's 24 areas) is read by 32 readers
at 10/s each while reports are posted at 500/s (bench/picture_load.py), as in bench/pages.py.
The table counts the steps by their CPU time, and names where the steps of 3 ms or more ended.

    .venv/bin/python -m bench.loop_steps [--events 100000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.api import free_port, start_server, wait_ready
from bench.pages import TENANT, sign_in, wait_caught_up
from bench.projections import _subprocess, settled_database
from bench.scratch_log import copy_log
from bench.support import bench_server, machine_details, write_section
from bench.tenants import tenant_areas
from service.db.location import database_name, with_database
from service.db.scratch import scratch_database
from service.web.auth import mint_development_token

TARGETS = {"Översikt: GET /": "/", "Område: GET /omraden/{id}": "/omraden/{id}"}
BANDS = ((0, 1, "< 1 ms"), (1, 3, "1-3 ms"), (3, 5, "3-5 ms"), (5, 10, "5-10 ms"), (10, 10**9, "≥ 10 ms"))


def _tallies(server: subprocess.Popen[bytes], out: Path) -> dict[str, Any]:
    """Ask the probe for its tallies (SIGUSR2) and wait for the file it writes whole."""
    out.unlink(missing_ok=True)
    server.send_signal(signal.SIGUSR2)
    deadline = time.monotonic() + 30
    while not out.exists():
        if time.monotonic() > deadline or server.poll() is not None:
            raise RuntimeError("the probe wrote no tallies")
        time.sleep(0.05)  # a file another process writes: nothing to wait on but its appearance
    tallies: dict[str, Any] = json.loads(out.read_text())
    return tallies


async def measure(urls: Any, data_dir: Path, args: argparse.Namespace, admin: str) -> dict[str, Any]:
    out = data_dir / "steps.json"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(urls, data_dir, port, module="bench.loop_probe", settings={"LAGESBILD_BENCH_STEPS": str(out)})
    results: dict[str, Any] = {}
    try:
        await asyncio.to_thread(wait_ready, base, server)
        roles = ["reporter", "coordinator", "auditor"]
        token = mint_development_token(data_dir, sub="bench-polis", tenant=TENANT, org="polisen", roles=roles)
        await asyncio.to_thread(wait_caught_up, base, token)
        await settled_database(admin)
        cookie = await asyncio.to_thread(sign_in, base, ["coordinator", "auditor"])
        areas = [str(a) for a in tenant_areas(TENANT)]
        for name, path in TARGETS.items():
            paths = [path.format(id=area) for area in areas] if "{id}" in path else [path]
            server.send_signal(signal.SIGUSR1)  # count from here
            load = await _subprocess(
                "bench.picture_load", "--port", str(port), "--dsn", urls.service, "--token", token,
                "--areas", ",".join(areas), "--paths", ",".join(paths), "--cookie", cookie,
                "--seconds", str(args.seconds), "--readers", "32", "--reader-rate", "10", "--write-rate", "500",
            )  # fmt: skip
            results[name] = {"load": load, "steps": await asyncio.to_thread(_tallies, server, out)}
            print(f"{name}: {_bands(results[name]['steps'])}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def _bands(steps: dict[str, Any]) -> list[int]:
    by_ms = {int(ms): n for ms, n in steps["steps_by_ms"].items()}
    return [sum(n for ms, n in by_ms.items() if low <= ms < high) for low, high, _ in BANDS]


def _site(where: str) -> str:
    """Where a step ended, by its last three coroutines (the innermost say what it was doing)."""
    return " > ".join(where.split(" > ")[-3:])


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    lines = [
        "| pages read, 320/s with 500 reports/s | reads/s | writes/s | read p99 (asyncio) | event loop steps: "
        + " / ".join(label for _, _, label in BANDS)
        + " of CPU |",
        "|---|---:|---:|---:|---|",
    ]
    sites = []
    for name, r in results.items():
        load, bands = r["load"], _bands(r["steps"])
        lines.append(
            f"| {name} | {load['read_rate']:.0f} | {load['write_rate']:.0f} | {load['read_p99_ms']:.1f} ms"
            f" | {' / '.join(f'{n:,}' for n in bands)} |"
        )
        for site in r["steps"]["long"][:5]:
            avg = site["cpu_ms"] / site["steps"]
            sites.append(f"- {name}: {site['steps']} × {avg:.1f} ms, ending in `{_site(site['where'])}`")
        passes = ", ".join(f"{what}: {n}" for what, n in r["steps"]["collections"].items()) or "none"
        sites.append(f"- {name}: the garbage collector's passes meanwhile: {passes}")
    body = "\n".join(
        [
            machine_details(),
            "",
            *lines,
            "",
            f"Where the steps of 3 ms or more ended (the most frequent, {args.seconds:g} s of load each):",
            "",
            *(sites or ["- none"]),
            "",
            f"The log: {args.events:,} synthetic events (bench/events.py) COPYed into a scratch database, the"
            " service (`bench/loop_probe.py serve`: `lagesbild serve` with projections in-process, on asyncio's"
            " event loop so that each step can be timed) caught up and the database settled. Each target read by"
            " 32 keep-alive readers at 10/s each by session cookie while reports are posted at 500/s"
            " (bench/picture_load.py). A step is one callback of the loop: a task running from one `await` that"
            " waits to the next; its time is the thread's CPU time, so time the machine gave to other processes"
            " is not counted. The latencies are asyncio's, not uvloop's as served: compare them with each other.",
        ]
    )
    print(body)
    command = f".venv/bin/python -m bench.loop_steps --events {args.events} --seconds {args.seconds:g}"
    write_section("loop-steps", "The event loop's steps while pages are read under writes", command, body)


def main(args: argparse.Namespace) -> None:
    with bench_server() as server_dsn, tempfile.TemporaryDirectory() as tmp:

        async def run() -> dict[str, Any]:
            async with scratch_database(server_dsn, "lagesbild_bench_loop") as urls:
                admin = with_database(server_dsn, database_name(urls.service))
                await copy_log(admin, args.events)
                return await measure(urls, Path(tmp), args, admin)

        results = asyncio.run(run())
    report(results, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load run")
    main(parser.parse_args())

"""Benchmark: `POST /api/v1/reports` over real HTTP with 16 concurrent clients.

The service runs as its own process (`lagesbild serve`, uvicorn, on a scratch database); the
load comes from a separate process (bench/load.py: keep-alive HTTP/1.1 connections, one
request in flight on each), whose CPU use is reported. Next to it, in the same run, the
store-level append rate with 16 appenders (bench/append.py's measurement) as the ceiling.

    .venv/bin/python -m bench.api [--seconds 10] [--clients 16]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx

from bench.append import run_store
from bench.catchup import cpu_seconds, postgres_cpu_seconds
from bench.support import bench_server, machine_details, write_section
from service.db.roles import DatabaseUrls
from service.db.scratch import scratch_database
from service.web.auth import mint_development_token

# All clients share one token: the per-token write limit would throttle them at once. With
# `LAGESBILD_WRITE_RATE=<n>` in the environment the bench measures the service with that limit.
WRITE_RATE = os.environ.get("LAGESBILD_WRITE_RATE") or "off"


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    urls: DatabaseUrls,
    data_dir: Path,
    port: int,
    command: str = "serve",
    projections: str | None = None,
    module: str = "service.cli",
    tree: Path | None = None,
    settings: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """`lagesbild serve` (or `project`) on the database at `urls` in a process of its own, quiet (no access log).

    `projections`: LAGESBILD_PROJECTIONS for it (default: as in this environment); `module`: the
    command's (bench/loop_probe.py runs the service's with its event loop's steps timed); `tree`:
    whose code it runs (its folder first on the path; default this one's); `settings`: more of its
    environment.
    """
    env = os.environ | {
        "DATABASE_URL": urls.service, "LAGESBILD_MIGRATION_DATABASE_URL": urls.migration,
        "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_ACCESS_LOG": "0", "LAGESBILD_LOG_LEVEL": "WARNING",
        "LAGESBILD_WRITE_RATE": WRITE_RATE, **(settings or {}),
    }  # fmt: skip
    if projections is not None:
        env["LAGESBILD_PROJECTIONS"] = projections
    argv = [sys.executable, "-m", module, command, *(["--port", str(port)] if command == "serve" else [])]
    return subprocess.Popen(argv, env=env, cwd=tree, stdin=subprocess.DEVNULL)


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    """Wait until the server at `base` answers /ready with 200."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # polling a server that is starting: there is nothing to wait on
    raise RuntimeError("the server did not become ready in 60 s")


def _areas(base: str, data_dir: Path) -> list[str]:
    admin = mint_development_token(data_dir, sub="bench-admin", tenant="bench", org="kommunen", roles=["admin"])
    ids = []
    for code in ("raslatt", "osterangen", "oxnehaga", "huskvarna-soder", "centrum"):
        response = httpx.post(
            f"{base}/api/v1/areas", json={"code": code, "name": code.title()},
            headers={"Authorization": f"Bearer {admin}"},
        )  # fmt: skip
        response.raise_for_status()
        ids.append(response.json()["id"])
    return ids


@contextlib.asynccontextmanager
async def scratch_service(
    server_dsn: str, prefix: str, data_dir: Path
) -> AsyncIterator[tuple[DatabaseUrls, str, subprocess.Popen[bytes], list[str]]]:
    """`lagesbild serve`, ready, on a scratch database with the bench's areas: its URLs, base URL, process, areas."""
    async with scratch_database(server_dsn, prefix) as urls:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(urls, data_dir, port)
        try:
            await asyncio.to_thread(wait_ready, base, server)
            areas = await asyncio.to_thread(_areas, base, data_dir)
            yield urls, base, server, areas
        finally:
            stop_server(server)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and wait for the server to be gone (nothing if it is already)."""
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=30)


async def _store_rate(dsn: str, seconds: float) -> float:
    async with asyncpg.create_pool(dsn, min_size=1, max_size=2) as pool:
        return await run_store(dsn, pool, 16, seconds) / seconds


def main(seconds: float, clients: int) -> None:
    with bench_server() as server_dsn, tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)

        async def scratch() -> tuple[str, float, float, float]:
            async with scratch_service(server_dsn, "lagesbild_bench_api", data_dir) as (urls, base, server, areas):
                token = mint_development_token(
                    data_dir, sub="bench-reporter", tenant="bench", org="polisen", roles=["reporter"]
                )
                cpu, postgres_cpu = cpu_seconds(server.pid), postgres_cpu_seconds()
                load = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bench.load", "--port", base.rsplit(":", 1)[1], "--clients", str(clients),
                    "--seconds", str(seconds), "--token", token, "--areas", ",".join(areas),
                    stdout=asyncio.subprocess.PIPE,
                )  # fmt: skip
                out, _ = await load.communicate()
                cpu, postgres_cpu = cpu_seconds(server.pid) - cpu, postgres_cpu_seconds() - postgres_cpu
                stop_server(server)  # the store-level rate below is measured without it
                store_rate = await _store_rate(urls.service, min(seconds, 3.0))
                return out.decode(), store_rate, cpu, postgres_cpu

        output, store_rate, cpu, postgres_cpu = asyncio.run(scratch())
    result = json.loads(output)
    # CPU per report over the load's whole run (its start and end included: a little above the busiest seconds)
    reports = max(1.0, result["rate"] * seconds)
    result["server_us"], result["postgres_us"] = cpu / reports * 1e6, postgres_cpu / reports * 1e6
    report(result, store_rate, seconds, clients)


def report(result: dict[str, float], store_rate: float, seconds: float, clients: int) -> None:
    table = "\n".join(
        [
            "| measure | value |",
            "|---|---:|",
            f"| `POST /api/v1/reports`, {clients} clients | **{result['rate']:,.0f} reports/s** |",
            f"| latency p50 | {result['p50_ms']:.1f} ms |",
            f"| latency p99 | **{result['p99_ms']:.1f} ms** |",
            f"| latency max | {result['max_ms']:.1f} ms |",
            f"| responses other than 201 | {result['errors']:.0f} |",
            "| CPU per report: the service process / PostgreSQL |"
            f" {result['server_us']:,.0f} / {result['postgres_us']:,.0f} µs |",
            f"| load generator CPU (of one core) | {result['cpu_percent']:.0f} % |",
            f"| store-level appends/s, 16 appenders, same run | {store_rate:,.0f} |",
        ]
    )
    print(f"per-token write limit: LAGESBILD_WRITE_RATE={WRITE_RATE} (all {clients} clients share one token)")
    print(table)
    write_section(
        "api",
        "Reports over HTTP (`bench/api.py`)",
        f".venv/bin/python -m bench.api --seconds {seconds:g} --clients {clients}",
        f"{machine_details()}\n\nServer: `lagesbild serve` (uvicorn with uvloop and httptools, one process), "
        f"its own scratch database. Load: bench/load.py in its own process, {clients} keep-alive connections, "
        f"one request in flight each, {seconds:g} s, all with one token; the per-token write limit "
        f"`LAGESBILD_WRITE_RATE={WRITE_RATE}`.\n\n{table}",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    main(args.seconds, args.clients)

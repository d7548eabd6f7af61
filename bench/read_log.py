"""Benchmark: what recording who-read-what costs a read (`GET /api/v1/picture`, `/areas/{id}/picture`).

Two `lagesbild serve` processes (uvicorn) on one scratch database, in the same run: one as
shipped, one with the read-recording middleware taken off every route (the only difference;
the projections run in a third process). Measured from this process over keep-alive HTTP/1.1:
(1) one connection to each server, requests alternating between them, so both see the same
noise: latency percentiles; (2) N connections for a few seconds per server, in interleaved
rounds: the server process's CPU time per read (less sensitive than reads/s to what else the
machine does) and reads/s; (3) the PostgreSQL CPU time per record of the read-log
writer's backend, and the recording server's /metrics (written, dropped).

    .venv/bin/python -m bench.read_log [--requests 2000] [--clients 8] [--seconds 2] [--rounds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from litestar import Controller
from litestar.handlers import HTTPRouteHandler

from bench.api import _areas, free_port, wait_ready
from bench.read_client import alternating, cpu_seconds, load, pct
from bench.support import bench_server, machine_details, write_section
from service.db.scratch import scratch_database
from service.web.auth import mint_development_token

_WRITTEN = "lagesbild_read_log_written_total"
_CATEGORIES = ("klotter", "krossat-glas", "otrygg-samling", "belysning", "nedskrapning")


def _start(dsn: str, data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": dsn, "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_ACCESS_LOG": "0",
        "LAGESBILD_LOG_LEVEL": "WARNING",
        # The projections run in a process of their own: the two servers differ in nothing else.
        "LAGESBILD_PROJECTIONS": "off",
    }  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", *args], env=env, stdin=subprocess.DEVNULL)


def _serve(dsn: str, data_dir: Path, port: int, recording: bool) -> subprocess.Popen[bytes]:
    command = ["service.cli", "serve"] if recording else ["bench.read_log", "--serve-without-recording"]
    return _start(dsn, data_dir, *command, "--port", str(port))


def _serve_without_recording(port: int) -> None:
    """`lagesbild serve`, with the read-recording middleware removed from every route handler."""
    from service import cli  # (imports every controller)
    from service.audit.recording import RecordedRead

    def controllers(cls: type[Controller]) -> list[type[Controller]]:
        return [cls, *(c for sub in cls.__subclasses__() for c in controllers(sub))]

    for controller in controllers(Controller):
        for handler in vars(controller).values():
            if isinstance(handler, HTTPRouteHandler) and handler.middleware:
                handler.middleware = [m for m in handler.middleware if not isinstance(m, RecordedRead)]
    sys.exit(cli.main(["serve", "--port", str(port)]))


def _seed(base: str, data_dir: Path, reports: int) -> tuple[str, str, int]:
    areas = _areas(base, data_dir)
    token = mint_development_token(data_dir, sub="bench-reporter", tenant="bench", org="polisen", roles=["reporter"])
    now, position = datetime.now(UTC), 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        for i in range(reports):
            occurred = now - timedelta(hours=(7 * i) % (8 * 7 * 24))  # spread over eight weeks
            body = {"area_id": areas[i % len(areas)], "category": _CATEGORIES[i % len(_CATEGORIES)],
                    "count": 1 + i % 3, "occurred_at": occurred.isoformat(), "place": "Torget"}  # fmt: skip
            response = http.post("/api/v1/reports", json=body)
            response.raise_for_status()
            position = max(position, response.json()["position"])
    return token, areas[0], position


async def _metric(port: int, name: str) -> int:
    text = (await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}/metrics")).text
    return next(int(float(line.split()[1])) for line in text.splitlines() if line.startswith(f"{name} "))


async def _drained(port: int) -> None:
    """Wait until the server's read log has written what it holds (it writes every 200 ms)."""
    while await _metric(port, "lagesbild_read_log_buffered"):  # noqa: ASYNC110 - another process: poll it
        await asyncio.sleep(0.05)


class Measured:
    """One read's figures for both servers."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.latencies: dict[str, list[float]] = {}
        self.rates: dict[str, list[float]] = {"with": [], "without": []}
        self.cpu_us: dict[str, float] = {}

    def row(self) -> str:
        w, wo = self.latencies["with"], self.latencies["without"]
        rate_w, rate_wo = statistics.median(self.rates["with"]), statistics.median(self.rates["without"])
        cpu_w, cpu_wo = self.cpu_us["with"], self.cpu_us["without"]
        p50, p99 = (pct(w, 0.5), pct(wo, 0.5)), (pct(w, 0.99), pct(wo, 0.99))
        return (
            f"| `GET {self.path}` | {p50[0]:.2f} / {p50[1]:.2f} ms | **{p50[0] / p50[1]:.3f}x**"
            f" | {p99[0]:.2f} / {p99[1]:.2f} ms | {p99[0] / p99[1]:.3f}x"
            f" | {cpu_w:,.0f} / {cpu_wo:,.0f} µs | **{cpu_w / cpu_wo:.3f}x** | {rate_w:,.0f} / {rate_wo:,.0f} |"
        )


async def _measure(
    ports: dict[str, int], pids: dict[str, int], path: str, token: str, args: argparse.Namespace
) -> Measured:
    measured = Measured(path)
    measured.latencies = await alternating(ports, path, token, args.requests)
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    done = dict.fromkeys(ports, 0)
    for r in range(args.rounds):
        for name in list(ports) if r % 2 else reversed(list(ports)):
            reads = await load(ports[name], path, token, args.clients, args.seconds)
            measured.rates[name].append(reads / args.seconds)
            done[name] += reads
    await _drained(ports["with"])  # its records written too
    measured.cpu_us = {n: (cpu_seconds(pid) - cpu_before[n]) / done[n] * 1e6 for n, pid in pids.items()}
    return measured


async def _writer_pid(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(
            await conn.fetchval("SELECT pid FROM pg_stat_activity WHERE application_name = 'lagesbild-read-log'")
        )
    finally:
        await conn.close()


def main(args: argparse.Namespace) -> None:
    with bench_server() as server_dsn, tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)

        async def run() -> tuple[list[Measured], str]:
            async with scratch_database(server_dsn, "lagesbild_bench_reads") as urls:
                dsn = urls.service  # migrated already: the servers start with the service's URL alone
                ports = {"with": free_port(), "without": free_port()}
                servers = {n: _serve(dsn, data_dir, ports[n], n == "with") for n in ports}
                projector = _start(dsn, data_dir, "service.cli", "project")
                try:
                    for name, server in servers.items():
                        await asyncio.to_thread(wait_ready, f"http://127.0.0.1:{ports[name]}", server)
                    base = f"http://127.0.0.1:{ports['with']}"
                    token, area, position = await asyncio.to_thread(_seed, base, data_dir, 300)
                    warm = f"/api/v1/picture?min_position={position}"
                    await alternating(ports, warm, token, 50)  # both caught up, connections warm
                    await _drained(ports["with"])
                    writer = await _writer_pid(dsn)
                    writer_cpu, written = cpu_seconds(writer), await _metric(ports["with"], _WRITTEN)
                    pids = {n: s.pid for n, s in servers.items()}
                    results = [
                        await _measure(ports, pids, path, token, args)
                        for path in ("/api/v1/picture", f"/api/v1/areas/{area}/picture")
                    ]
                    results[1].path = "/api/v1/areas/{id}/picture"
                    written = await _metric(ports["with"], _WRITTEN) - written
                    writer_us = (cpu_seconds(writer) - writer_cpu) / written * 1e6
                    dropped = await _metric(ports["with"], "lagesbild_read_log_dropped_total")
                    other = await _metric(ports["without"], _WRITTEN)
                finally:
                    for process in (*servers.values(), projector):
                        process.terminate()
                        process.wait(timeout=30)
                check = (
                    f"Writing the records: {written:,} read records in this part of the run, {writer_us:.1f} µs of"
                    f" PostgreSQL CPU each (the read-log writer's backend); {dropped} dropped. The server without"
                    f" recording wrote {other}."
                )
                return results, check

        results, check = asyncio.run(run())
    report(results, check, args)


def report(results: list[Measured], check: str, args: argparse.Namespace) -> None:
    table = "\n".join(
        [
            "| read | p50 with / without | ratio | p99 with / without | ratio | server CPU per read | ratio"
            " | reads/s (median) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            *(m.row() for m in results),
        ]
    )
    print(table, check, sep="\n\n")
    write_section(
        "read_log",
        "What recording who-read-what costs a read (`bench/read_log.py`)",
        f".venv/bin/python -m bench.read_log --requests {args.requests} --clients {args.clients}"
        f" --seconds {args.seconds:g} --rounds {args.rounds}",
        f"{machine_details()}\n\nTwo `lagesbild serve` processes on one scratch database (300 reports in five"
        " areas; projections in a third process): *with* as shipped, *without* the read-recording middleware on"
        f" any route. Latency: one keep-alive connection to each, {args.requests} requests per read and server,"
        f" alternating between the servers, so both see the same noise. Server CPU per read: the server process's"
        f" CPU time over {args.rounds} interleaved rounds of {args.clients} connections for {args.seconds:g} s per"
        " server (including writing the records), divided by the reads it answered; less sensitive than reads/s"
        f" to what else the machine is doing.\n\n{table}\n\n{check}",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--serve-without-recording", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_without_recording:
        _serve_without_recording(arguments.port)
    else:
        main(arguments)

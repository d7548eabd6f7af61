"""Catch projections up from position zero, in a process of its own (so its memory is its own).

Run by bench/projections.py: for each projection named, a new generation (the first one is
made active, as a fresh service would; later ones are left inactive, as a rebuild's are),
followed by our ProjectionRunner to the head of the log, all runners at once in this process
as the service runs them. Prints one JSON object: events, seconds, peak RSS, RSS by events.

    .venv/bin/python -m bench.catchup --dsn DSN --projections picture,audit [--batch-size 5000] [--until N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg

from domain.codec import make_mapper
from projections.generations import create_generation, ensure_active
from projections.log_reader import LogReader
from projections.registry import PROJECTIONS
from projections.runner import BATCH_SIZE, ProjectionRunner

RSS_EVERY = 100_000  # events between two RSS samples


class _Enough(Exception):
    """The runner passed `--until`: stop it there."""


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process on this machine has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time the PostgreSQL processes running now have used so far (their backends live in the pools)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            text = stat.read_text()
            if "(postgres)" in text:
                fields = text.rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def rss_mb(field: str = "VmRSS") -> float:
    """The resident memory of this process now (VmRSS) or at its peak (VmHWM), in MiB (Linux).

    Not ru_maxrss: Linux carries that over an exec, so a child would report its parent's peak.
    """
    status = Path("/proc/self/status").read_text()
    return int(status.split(f"{field}:", 1)[1].split()[0]) / 1024


async def catch_up(dsn: str, names: list[str], batch_size: int, until: int | None) -> dict[str, object]:
    """Follow a new generation of each projection to the head (or past `until`); measure."""
    conns = [await asyncpg.connect(dsn) for _ in names]
    mapper = make_mapper()
    reader = LogReader(dsn, mapper)  # shared, as in the service
    samples: dict[int, float] = {}
    reached = dict.fromkeys(names, 0)

    def progress(name: str) -> Callable[[int], None]:
        def on_batch(position: int) -> None:
            reached[name] = position
            low = min(reached.values())
            if low // RSS_EVERY > max(samples, default=0) // RSS_EVERY:
                samples[low - low % RSS_EVERY] = rss_mb()
            if until is not None and position >= until:
                raise _Enough

        return on_batch

    async def one(conn: asyncpg.Connection, name: str) -> None:
        projection = PROJECTIONS[name]
        active = await conn.fetchval("SELECT count(*) FROM projection_generations WHERE projection = $1", name)
        generation = await (create_generation(conn, projection) if active else ensure_active(conn, projection))
        runner = ProjectionRunner(
            dsn, projection, mapper, batch_size=batch_size, on_batch=progress(name), reader=reader
        )
        with contextlib.suppress(_Enough):
            await runner.follow(conn, generation, stop_at_head=True)

    try:
        head = int(await conns[0].fetchval("SELECT coalesce(max(notification_id), 0) FROM stored_events"))
        before = {conn.get_server_pid(): cpu_seconds(conn.get_server_pid()) for conn in conns}
        rss_before = rss_mb()
        started = time.perf_counter()
        await asyncio.gather(*(one(conn, name) for conn, name in zip(conns, names, strict=True)))
        seconds = time.perf_counter() - started
        # the runners' backends and the log reader's (opened during the run): every backend on this database
        backends = await conns[0].fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND usename = session_user"  # not autovacuum's workers (backend_type is hidden from the service)
        )
        server_cpu = sum(cpu_seconds(b["pid"]) - before.get(b["pid"], 0.0) for b in backends)
        server_cpu += cpu_seconds(conns[0].get_server_pid()) - before[conns[0].get_server_pid()]
    finally:
        await reader.close()
        for conn in conns:
            await conn.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "events": min(reached.values()) if until else head,
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "server_cpu_seconds": server_cpu,
        "rss_start_mb": rss_before,
        "rss_end_mb": rss_mb(),
        "peak_rss_mb": rss_mb("VmHWM"),
        "rss_by_events": {str(k): v for k, v in sorted(samples.items())},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--projections", default="picture,audit")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--until", type=int, default=None, help="stop once every runner has passed this position")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(catch_up(args.dsn, args.projections.split(","), args.batch_size, args.until))
    print(json.dumps(result))

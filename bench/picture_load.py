"""Load for bench/projections.py: picture readers, a paced report writer, and the live lag, in one process.

Readers: keep-alive HTTP/1.1 connections, one request in flight on each, `GET
/api/v1/areas/{id}/picture` of a random area (or a random one of `--paths`, with `--cookie` for
the pages), back to back or paced to a rate per reader.
Writer: `POST /api/v1/reports` at a fixed rate, spread over a few connections. Lag: this
process LISTENs on `projection_progress`; for each report, the time from its 201 (the append
has committed; the body holds its position) to the picture's first notification at or past
that position. Samples from the first second are left out. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import random
import resource
import time
from datetime import UTC, datetime, timedelta

import asyncpg

from projections.runner import PROGRESS_CHANNEL

WARM_UP = 1.0
CATEGORIES = ("klotter", "krossat-glas", "otrygg-samling", "buskorning", "belysning", "nedskrapning")


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return int(head[9:12]), await reader.readexactly(length)


class Load:
    """What the readers, the writer and the listener record."""

    def __init__(
        self,
        ports: list[int],
        token: str,
        areas: list[str],
        seconds: float,
        paths: list[str] | None = None,
        cookie: str = "",
    ) -> None:
        self.ports, self.token, self.areas = ports, token, areas
        self.paths = paths or [f"/api/v1/areas/{area}/picture" for area in areas]
        self.read_extra = f"Cookie: {cookie}\r\n" if cookie else ""
        self.started = time.perf_counter()
        self.measured_from, self.deadline = self.started + WARM_UP, self.started + WARM_UP + seconds
        self.reads: list[float] = []
        self.read_errors: list[int] = []
        self.writes: list[float] = []
        self.write_errors: list[int] = []
        self.acks: list[tuple[float, int]] = []  # (when the 201 came, its position)
        self.progress: list[tuple[int, float]] = []  # (picture position, when notified)

    def _head(self, port: int, method: str, path: str, extra: str = "") -> str:
        host = f"127.0.0.1:{port}"
        return f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {self.token}\r\n{extra}"

    async def reader(self, rate: float, port: int) -> None:
        """Read pictures from `port` until the deadline: back to back, or `rate` a second (0: back to back)."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        rng = random.Random()
        next_at = time.perf_counter() + (rng.uniform(0, 1 / rate) if rate else 0.0)
        try:
            while True:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                sent = time.perf_counter()
                if sent >= self.deadline:
                    return
                request = self._head(port, "GET", rng.choice(self.paths), self.read_extra) + "\r\n"
                status, _ = await _exchange(reader, writer, request.encode())
                done = time.perf_counter()
                if sent >= self.measured_from:
                    self.reads.append(done - sent)
                    if status != 200:
                        self.read_errors.append(status)
                next_at = max(next_at + 1 / rate, done) if rate else done
        finally:
            writer.close()

    async def writer(self, rate: float, offset: float, port: int) -> None:
        """Post reports to `port` at `rate` a second, starting `offset` seconds in (a slot missed is let go)."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        rng = random.Random()
        next_at = time.perf_counter() + offset
        try:
            while next_at < self.deadline:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at = max(next_at + 1 / rate, time.perf_counter())
                occurred = datetime.now(UTC) - timedelta(minutes=rng.randint(5, 600))
                body = json.dumps(
                    {
                        "area_id": rng.choice(self.areas), "category": rng.choice(CATEGORIES),
                        "count": rng.randint(1, 4), "occurred_at": occurred.isoformat(),
                        "place": "Gångtunneln vid centrum", "description": "Nytt klotter på väggarna",
                    }
                ).encode()  # fmt: skip
                head = self._head(port, "POST", "/api/v1/reports", "Content-Type: application/json\r\n")
                request = f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
                sent = time.perf_counter()
                status, answer = await _exchange(reader, writer, request)
                acked = time.perf_counter()
                if sent >= self.measured_from:
                    self.writes.append(acked - sent)
                    if status != 201:
                        self.write_errors.append(status)
                    else:
                        self.acks.append((acked, int(json.loads(answer)["position"])))
        finally:
            writer.close()

    def notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        """A projection committed a batch: note when the picture reached which position."""
        name, _generation, position = str(payload).rsplit(":", 2)
        if name == "picture":
            self.progress.append((int(position), time.perf_counter()))

    def lags(self) -> tuple[list[float], int]:
        """Seconds from each 201 to the picture having applied it (0 if it had already); how many never were."""
        positions = [p for p, _ in self.progress]
        lags, missing = [], 0
        for acked, position in self.acks:
            at = bisect.bisect_left(positions, position)
            if at == len(positions):
                missing += 1
            else:
                lags.append(max(0.0, self.progress[at][1] - acked))
        return lags, missing


def _percentiles(samples: list[float], prefix: str) -> dict[str, float]:
    ordered = sorted(samples) or [float("nan")]

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {f"{prefix}_p50_ms": pct(0.50), f"{prefix}_p99_ms": pct(0.99), f"{prefix}_max_ms": ordered[-1] * 1000}


async def main(args: argparse.Namespace) -> dict[str, float]:
    """Run readers, writers and the listener for `args.seconds` (after a second's warm-up)."""
    listener = await asyncpg.connect(args.dsn)
    paths = args.paths.split(",") if args.paths else None
    ports = [int(port) for port in args.port.split(",")]
    load = Load(ports, args.token, args.areas.split(","), args.seconds, paths, args.cookie)
    await listener.add_listener(PROGRESS_CHANNEL, load.notified)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    try:
        await asyncio.gather(
            *(load.reader(args.reader_rate, ports[n % len(ports)]) for n in range(args.readers)),
            *(
                load.writer(args.write_rate / args.writers, n / args.write_rate, ports[n % len(ports)])
                for n in range(args.writers if args.write_rate else 0)
            ),
        )
        await asyncio.sleep(1.0)  # the last reports' notifications are on their way
    finally:
        await listener.close()
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    lags, missing = load.lags()
    return {
        "reads": len(load.reads), "read_rate": len(load.reads) / args.seconds, "read_errors": len(load.read_errors),
        **_percentiles(load.reads, "read"),
        "writes": len(load.writes), "write_rate": len(load.writes) / args.seconds,
        "write_errors": len(load.write_errors), **_percentiles(load.writes, "write"),
        "lag_samples": len(lags), "lag_missing": missing, **_percentiles(lags, "lag"),
        "picture_batches": len(load.progress),
        "cpu_percent": cpu / (args.seconds + WARM_UP + 1.0) * 100,
    }  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", required=True, help="the server's port; comma-separated: replicas, shared in turn")
    parser.add_argument("--dsn", required=True, help="the server's database, for LISTEN")
    parser.add_argument("--token", required=True)
    parser.add_argument("--areas", required=True, help="comma-separated area ids")
    parser.add_argument("--paths", default="", help="comma-separated paths to read (default: the areas' pictures)")
    parser.add_argument("--cookie", default="", help="a Cookie header's value for the reads (a page's session)")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--reader-rate", type=float, default=0.0, help="requests a second per reader; 0: back to back")
    parser.add_argument("--write-rate", type=float, default=500.0)
    parser.add_argument("--writers", type=int, default=16, help="connections the writes are spread over")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(main(args))))

"""A small HTTP load generator for the benchmarks: keep-alive connections, one request in flight on each.

Prints one JSON object: rate, latency percentiles, errors, and its own CPU use.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time


def _request(port: int, token: str, body: bytes, get: str | None = None) -> bytes:
    if get:
        return f"GET {get} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    head = (
        f"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _client(
    port: int, token: str, areas: list[str], deadline: float, latencies: list[float], errors: list[int],
    get: str | None,
) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random()
    categories = ("klotter", "krossat-glas", "otrygg-samling", "buskorning", "belysning", "nedskrapning")
    try:
        while time.perf_counter() < deadline:
            body = json.dumps(
                {
                    "area_id": rng.choice(areas),
                    "category": rng.choice(categories),
                    "count": rng.randint(1, 4),
                    "occurred_at": f"2026-11-{rng.randint(16, 22)}T{rng.randint(10, 23)}:15:00+01:00",
                    "place": "Gångtunneln vid centrum",
                    "description": "Nytt klotter på väggarna",
                }
            ).encode()
            started = time.perf_counter()
            writer.write(_request(port, token, body, get))
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 200" if get else b"HTTP/1.1 201"):
                errors.append(int(head[9:12]))
    finally:
        writer.close()


async def main(port: int, clients: int, seconds: float, token: str, areas: list[str], get: str | None) -> None:
    latencies: list[float] = []
    errors: list[int] = []
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(_client(port, token, areas, deadline, latencies, errors, get) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(
        json.dumps(
            {
                "rate": len(latencies) / elapsed,
                "p50_ms": pct(0.50),
                "p99_ms": pct(0.99),
                "max_ms": latencies[-1] * 1000,
                "errors": len(errors),
                "requests": len(latencies),
                "cpu_percent": cpu / elapsed * 100,
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--token", required=True)
    parser.add_argument("--areas", default="", help="comma-separated area ids (for POST /api/v1/reports)")
    parser.add_argument("--get", help="GET this path instead (e.g. /api/v1/areas/<id>/picture), expecting 200")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main(args.port, args.clients, args.seconds, args.token, args.areas.split(","), args.get))

"""Benchmark: the CPU the HTTP edge adds per request (request id, access line off, metrics, trusted proxies).

An ASGI app that answers at once is called directly, bare and wrapped as `server_config` wraps the
service (service/web/request_log.py, service/web/proxies.py), with a proxy's headers; the
difference per request is what the edge costs, without a network or a database in the way.

    .venv/bin/python -m bench.edge [--requests 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from litestar.datastructures import State

from service.web.metrics import ServiceMetrics
from service.web.proxies import TrustedProxies
from service.web.request_log import RequestLog

HEADERS = [(b"host", b"lagesbild.example"), (b"x-forwarded-for", b"203.0.113.7"), (b"x-forwarded-proto", b"https")]


async def _answer(scope: Any, receive: Any, send: Any) -> None:
    scope["path_template"] = "/api/v1/reports/{report_id:uuid}"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


async def _per_request(app: Any, requests: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(_message: Any) -> None:
        return None

    started = time.process_time()
    for _ in range(requests):
        scope = {"type": "http", "method": "GET", "path": "/api/v1/reports/x", "headers": HEADERS,
                 "client": ("10.1.2.3", 5000), "scheme": "http"}  # fmt: skip
        await app(scope, receive, send)
    return (time.process_time() - started) / requests * 1e6


async def main(requests: int) -> None:
    """Print µs of CPU per request, bare and through the edge, alternating (best of 5 each)."""
    edge = TrustedProxies(RequestLog(_answer, ServiceMetrics(State()), access_log=False), ["10.0.0.0/8"])
    bare, wrapped = [], []
    for _ in range(5):
        bare.append(await _per_request(_answer, requests))
        wrapped.append(await _per_request(edge, requests))
    print("| measure | µs of CPU per request |\n|---|---:|")
    print(f"| bare ASGI app | {min(bare):.1f} |\n| through the edge | {min(wrapped):.1f} |")
    print(f"| the edge's cost | **{min(wrapped) - min(bare):.1f}** |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50_000)
    asyncio.run(main(parser.parse_args().requests))

"""Keep-alive HTTP GETs for bench/read_log.py: alternating latency, load, and a process's CPU time."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path


async def get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, message: bytes) -> float:
    """Send one GET on a keep-alive connection, read the whole answer (200 expected); its latency."""
    started = time.perf_counter()
    writer.write(message)
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"unexpected answer: {head[:40]!r}")
    return time.perf_counter() - started


def request(port: int, path: str, token: str) -> bytes:
    """An HTTP/1.1 GET with a bearer token."""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()


async def alternating(ports: dict[str, int], path: str, token: str, n: int) -> dict[str, list[float]]:
    """Latencies of `n` GETs of `path` per server, one connection each, alternating between the servers."""
    connections = {name: await asyncio.open_connection("127.0.0.1", port) for name, port in ports.items()}
    latencies: dict[str, list[float]] = {name: [] for name in ports}
    order = list(ports)
    for i in range(n):
        for name in order if i % 2 else reversed(order):  # alternate who goes first
            reader, writer = connections[name]
            latencies[name].append(await get(reader, writer, request(ports[name], path, token)))
    for _, writer in connections.values():
        writer.close()
    return latencies


async def load(port: int, path: str, token: str, clients: int, seconds: float) -> int:
    """Reads completed by `clients` keep-alive connections, one request in flight each, in `seconds`."""
    deadline = time.perf_counter() + seconds
    message = request(port, path, token)

    async def client() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        done = 0
        while time.perf_counter() < deadline:
            await get(reader, writer, message)
            done += 1
        writer.close()
        return done

    return sum(await asyncio.gather(*(client() for _ in range(clients))))


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    """The `p` percentile of `values` (seconds), in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

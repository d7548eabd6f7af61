"""`lagesbild serve` as its own process on its own embedded PostgreSQL: bounded HTTP, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import select
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.serve_process import free_port, private_data_dir, start_serve


def _ends_within(pidfd: int, seconds: float) -> bool:
    """Whether the process behind `pidfd` has ended, or ends within `seconds` (the pidfd becomes readable)."""
    readable, _, _ = select.select([pidfd], [], [], seconds)
    return bool(readable)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data folder of the test's own."""
    with private_data_dir() as folder:
        yield folder


def test_serve_stops_cleanly_on_sigterm(data_dir: Path) -> None:
    port = free_port()
    process, started, lines = start_serve(data_dir, port)
    try:
        assert started.wait(120), "lagesbild serve did not start in 120 s"
        assert process.poll() is None, "".join(lines)
        base = f"http://127.0.0.1:{port}"
        health = httpx.get(f"{base}/health")
        assert health.status_code == 200
        assert "server" not in health.headers
        assert httpx.get(f"{base}/health", headers={"X-Big": "a" * 20000}).status_code == 431
        postmaster = data_dir / "pg" / "postmaster.pid"
        postgres = os.pidfd_open(int(postmaster.read_text().splitlines()[0]))

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, "".join(lines)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    try:
        # pg_ctl stop returns once the pid file is gone; the postmaster exits just after.
        assert _ends_within(postgres, 30), "the embedded PostgreSQL still runs"
    finally:
        os.close(postgres)
    assert not postmaster.exists()

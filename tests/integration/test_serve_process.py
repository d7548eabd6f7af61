"""`lagesbild serve` as its own process on its own embedded PostgreSQL: bounded HTTP, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.db.embedded import EmbeddedPostgres

STARTED = "Application startup complete"
"""What uvicorn logs once the lifespan has started (migrations done, store open)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ends_within(pidfd: int, seconds: float) -> bool:
    """Whether the process behind `pidfd` has ended, or ends within `seconds` (the pidfd becomes readable)."""
    readable, _, _ = select.select([pidfd], [], [], seconds)
    return bool(readable)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data folder of the test's own, which the embedded server's own user may enter when we are root."""
    folder = Path(tempfile.mkdtemp(prefix="lb-serve-"))
    folder.chmod(0o711)
    try:
        yield folder
    finally:
        if (folder / "pg" / "postmaster.pid").exists():  # the test failed: stop what it left running
            leftover = EmbeddedPostgres(folder / "pg")
            leftover.start()
            leftover.started_here = True
            leftover.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _serve(data_dir: Path, port: int) -> tuple[subprocess.Popen[str], threading.Event, list[str]]:
    """Start `lagesbild serve`; an event set once it has started, and the lines it logs."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("LAGESBILD_")}
    env |= {"LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_ACCESS_LOG": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    started, lines = threading.Event(), []

    def follow() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if STARTED in line:
                started.set()
        started.set()  # the process ended: whoever waits stops waiting

    threading.Thread(target=follow, daemon=True).start()
    return process, started, lines


def test_serve_stops_cleanly_on_sigterm(data_dir: Path) -> None:
    port = _free_port()
    process, started, lines = _serve(data_dir, port)
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

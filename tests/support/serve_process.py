"""`lagesbild serve` as a process of its own, on its own embedded PostgreSQL in a data folder of its own."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from service.db.embedded import EmbeddedPostgres

STARTED = "Application startup complete"
"""What uvicorn logs once the lifespan has started (migrations done, store open)."""


def free_port() -> int:
    """A port no one listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def private_data_dir() -> Iterator[Path]:
    """A data folder of the caller's own, which the embedded server's own user may enter when we are root."""
    folder = Path(tempfile.mkdtemp(prefix="lb-serve-"))
    folder.chmod(0o711)
    try:
        yield folder
    finally:
        if (folder / "pg" / "postmaster.pid").exists():  # the server was not stopped: stop what was left running
            leftover = EmbeddedPostgres(folder / "pg")
            leftover.start()
            leftover.started_here = True
            leftover.stop()
        shutil.rmtree(folder, ignore_errors=True)


def start_serve(
    data_dir: Path, port: int, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], threading.Event, list[str]]:
    """Start `lagesbild serve` (with `args`); an event set once it has started, and the lines it logs."""
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("LAGESBILD_")}
    environment |= {"LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_ACCESS_LOG": "0"} | (env or {})
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port), *args],
        env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
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


@contextlib.contextmanager
def serve_process(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, Path]]:
    """A running `lagesbild serve` (with `args`) on a data folder of its own: its base URL and that folder."""
    with private_data_dir() as data_dir:
        port = free_port()
        process, started, lines = start_serve(data_dir, port, *args, env=env)
        try:
            assert started.wait(180), "lagesbild serve did not start in 180 s"
            assert process.poll() is None, "".join(lines)
            yield f"http://127.0.0.1:{port}", data_dir
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

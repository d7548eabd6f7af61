"""A real uvicorn server on 127.0.0.1, in a thread of its own, for tests that call it from synchronous code."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import httpx
import uvicorn
from litestar import Litestar

from service.settings import Settings
from service.web.http_server import server_config


@contextlib.contextmanager
def serving(app: Litestar, settings: Settings | None = None) -> Iterator[str]:
    """Serve `app` (lifespan included) as `lagesbild serve` would, on a free port; yield its base URL once it answers.

    `settings` bound the HTTP server (default: the defaults). The server stops after.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    # Listening before uvicorn runs: connections wait in the backlog until it accepts them, so the
    # first request below is the wait for start-up, with no polling.
    sock.listen(128)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = server_config(app, settings or Settings.from_env({}), log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    try:
        httpx.get(f"{base}/health", timeout=30).raise_for_status()
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()

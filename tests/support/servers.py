"""Real servers for tests: a private embedded PostgreSQL, and the app under uvicorn on a free port."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import uvicorn
from litestar import Litestar

from service.db.embedded import EmbeddedPostgres
from service.settings import Settings
from service.web.http_server import server_config
from tests.support.database import TEST_SERVER_SETTINGS


@contextlib.contextmanager
def private_postgres() -> Iterator[EmbeddedPostgres]:
    """An embedded PostgreSQL of the caller's own, in a fresh folder (for tests that stop it)."""
    folder = Path(tempfile.mkdtemp(prefix="lb-pg-"))
    folder.chmod(0o711)  # the server's own user (when we are root) must be able to enter it
    server = EmbeddedPostgres(folder / "pg", settings=TEST_SERVER_SETTINGS)
    server.start()
    try:
        yield server
    finally:
        if server.is_running():
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.asynccontextmanager
async def serving(app: Litestar, settings: Settings | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """Serve `app` as `lagesbild serve` would (HTTP bounded by `settings`) on a free port; a client of it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = server_config(app, settings or Settings.from_env({}), port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    running = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to await
                await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            yield http
    finally:
        server.should_exit = True
        await running

"""The live stream ends with its token, and one subject holds only so many open (issue 13, finding 7)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
from litestar import Litestar

from service.app import create_app
from service.identity import Identity
from service.settings import Settings
from service.web.auth import mint_development_token
from tests.support.servers import serving

SUB = "bostadsbolaget-stream"


def _app(database_dsn: str, data_dir: Path) -> Litestar:
    env = {
        "DATABASE_URL": database_dsn,
        "LAGESBILD_DATA_DIR": str(data_dir),
        "LAGESBILD_MAX_STREAMS_PER_SUBJECT": "2",
    }
    return create_app(Settings.from_env(env), database_dsn)


def _headers(data_dir: Path, ttl_seconds: int = 3600) -> dict[str, str]:
    token = mint_development_token(
        data_dir, sub=SUB, tenant="jonkoping", org="bostadsbolaget", roles=["reporter"], ttl_seconds=ttl_seconds
    )
    return {"Authorization": f"Bearer {token}"}


def _held(app: Litestar) -> int:
    return int(app.state.streams.held(Identity(SUB, "jonkoping", "bostadsbolaget", frozenset())))


async def _until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait (yielding to the server in this loop) until `condition()` holds."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the slots offer no event to await
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def _stream(http: httpx.AsyncClient, headers: dict[str, str]) -> AsyncIterator[httpx.Response]:
    async with http.stream("GET", "/api/v1/stream", headers=headers) as response:
        yield response


async def test_a_stream_ends_when_its_token_expires(database_dsn: str, data_dir: Path) -> None:
    app = _app(database_dsn, data_dir)
    async with serving(app) as http:
        headers = _headers(data_dir, ttl_seconds=2)
        async with _stream(http, headers) as stream:
            assert stream.status_code == 200
            lines = []
            async with asyncio.timeout(20):  # a bound on a hang, not a measurement: the body ends by itself
                async for line in stream.aiter_lines():
                    lines.append(line)
        assert "event: expired" in lines
        await _until(lambda: _held(app) == 0)
        # and the same token is refused elsewhere now
        assert (await http.get("/api/v1/areas", headers=headers)).status_code == 401


async def test_a_subject_holds_only_so_many_streams_and_a_closed_one_frees_its_place(
    database_dsn: str, data_dir: Path
) -> None:
    app = _app(database_dsn, data_dir)
    headers = _headers(data_dir)
    async with serving(app) as http:
        async with _stream(http, headers) as first, _stream(http, headers) as second:
            assert (first.status_code, second.status_code) == (200, 200)
            refused = await http.get("/api/v1/stream", headers=headers)
            assert refused.status_code == 429
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.headers["retry-after"]
            assert "LAGESBILD_MAX_STREAMS_PER_SUBJECT" in refused.json()["detail"]
            other = mint_development_token(
                data_dir, sub="kommunen-stream", tenant="jonkoping", org="kommunen", roles=["reporter"]
            )
            async with _stream(http, {"Authorization": f"Bearer {other}"}) as theirs:
                assert theirs.status_code == 200  # another subject has places of its own
        await _until(lambda: _held(app) == 0)
        async with _stream(http, headers) as again:
            assert again.status_code == 200

"""The HTTP server's bounds (service/http_bounds.py), on a real server over real sockets."""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, get, post

from service.settings import Settings
from service.web.security_headers import add_security_headers
from tests.support.server import serving

LIMIT = 16 * 1024
MAX_CONNECTIONS = 4
BOUND_SECONDS = 20.0
"""How long a test waits for the server to act before it fails (the timeouts under test are 0.5 s)."""


@get("/health", sync_to_thread=False)
def ping() -> dict[str, str]:
    """A cheap answer."""
    return {"status": "ok"}


@post("/echo", status_code=200)
async def echo(request: Request[Any, Any, Any]) -> dict[str, int]:
    """How many bytes the body had (read whole)."""
    return {"bytes": len(await request.body())}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """A real server with short timeouts and few connections, as `lagesbild serve` configures it."""
    settings = Settings.from_env(
        {
            "LAGESBILD_HEADER_TIMEOUT": "0.5",
            "LAGESBILD_BODY_TIMEOUT": "0.5",
            "LAGESBILD_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
        }
    )
    app = Litestar([ping, echo], before_send=[add_security_headers])
    with serving(app, settings) as url:
        yield url


def connect(base: str) -> socket.socket:
    """A raw connection to the server, reads bounded."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=BOUND_SECONDS)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a reset counts as closed)."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def status_of(answer: bytes) -> int:
    """The status code of a raw HTTP answer."""
    return int(answer.split(b" ", 2)[1])


def problem_of(answer: bytes) -> dict[str, object]:
    """The problem document of a raw HTTP answer."""
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in head.lower()
    problem: dict[str, object] = json.loads(body)
    return problem


def trickle_until_answered(sock: socket.socket, byte: bytes) -> int:
    """Send `byte` again and again, each time waiting up to 50 ms for the server to answer or close.

    Returns how many were sent; fails if the server has not acted within BOUND_SECONDS.
    """
    deadline = time.monotonic() + BOUND_SECONDS
    sent = 0
    while time.monotonic() < deadline:
        try:
            sock.sendall(byte)
        except (BrokenPipeError, ConnectionResetError):
            return sent
        sent += 1
        readable, _, _ = select.select([sock], [], [], 0.05)
        if readable:
            return sent
    pytest.fail(f"the server kept a trickling connection open for {BOUND_SECONDS} s")


def test_a_head_over_the_limit_gets_431(base: str) -> None:
    with connect(base) as sock:
        filler = LIMIT - 20  # with the request line and the rest, just over the limit
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * filler + b"\r\n\r\n")
        answer = read_until_closed(sock)
    assert status_of(answer) == 431
    assert problem_of(answer)["status"] == 431


def test_a_head_under_the_limit_is_answered(base: str) -> None:
    response = httpx.get(f"{base}/health", headers={"X-Big": "a" * (LIMIT - 200)})
    assert response.status_code == 200
    assert "server" not in response.headers  # no banner
    assert response.headers["x-content-type-options"] == "nosniff"


def test_an_unfinished_head_over_the_limit_gets_431_before_it_ends(base: str) -> None:
    with connect(base) as sock:
        head = b"GET /health HTTP/1.1\r\nHost: t\r\nX-Big: "
        sock.sendall(head + b"a" * (LIMIT + 1 - len(head)))  # one byte over, and no end of the head
        answer = read_until_closed(sock)
    assert status_of(answer) == 431


def test_an_endless_header_is_cut_off(base: str) -> None:
    with connect(base) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nX-Endless: ")
        piece, sent, closed = b"a" * 65536, 0, False
        while sent < 32 * 1024 * 1024 and not closed:
            try:
                sock.sendall(piece)
                sent += len(piece)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
    # Before the bounds, uvicorn read all 32 MB into one header value and waited for more.
    assert closed, "the server read 32 MB of one header"


def test_a_trickling_head_is_closed_after_the_header_timeout(base: str) -> None:
    with connect(base) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        sent = trickle_until_answered(sock, b"a")
        answer = read_until_closed(sock)
    assert sent > 1
    assert answer == b"" or status_of(answer) == 408


def test_a_trickling_body_is_closed_after_the_body_timeout(base: str) -> None:
    with connect(base) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
        sent = trickle_until_answered(sock, b"a")
        answer = read_until_closed(sock)
    assert sent > 1
    assert b" 200 " not in answer


def test_a_whole_body_at_once_is_answered(base: str) -> None:
    response = httpx.post(f"{base}/echo", content=b"a" * 60000)
    assert response.json() == {"bytes": 60000}


def test_connections_beyond_the_limit_are_turned_away(base: str) -> None:
    held: list[socket.socket] = []
    try:
        refused = b""
        for _ in range(MAX_CONNECTIONS + 5):
            sock = connect(base)
            held.append(sock)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            answer = sock.recv(65536)
            if status_of(answer) == 503:
                refused = answer + read_until_closed(sock)
                break
            assert status_of(answer) == 200  # answered, and kept open
        assert refused, f"{len(held)} connections were open at once"
        assert len(held) - 1 <= MAX_CONNECTIONS
        assert problem_of(refused)["status"] == 503
    finally:
        for sock in held:
            sock.close()
    # Closed, they make room again (the server notices the closes in its own time).
    deadline = time.monotonic() + BOUND_SECONDS
    while httpx.get(f"{base}/health").status_code == 503:
        assert time.monotonic() < deadline, "the server still turns connections away"

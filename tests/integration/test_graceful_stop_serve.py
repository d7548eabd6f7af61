"""SIGTERM to a real `lagesbild serve` under load: what was answered holds, streams end, reads are flushed, exit 0.

The test holds one request in flight across the signal (its head sent with `Expect: 100-continue`,
its body only once the server has begun to stop): it is answered, while the live stream ends at
once and clients writing meanwhile either get an answer or find the door shut, never a lost write.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import threading
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.idempotency import scoped_key
from service.web.auth import mint_development_token
from tests.integration.api.conftest import report_body
from tests.integration.conftest import BOUND
from tests.support.serve_process import free_port, start_serve

WRITERS = 4


class Writers:
    """Threads posting reports (each with an Idempotency-Key) until the server stops answering."""

    def __init__(self, base: str, headers: dict[str, str], area: str) -> None:
        self.base, self.headers, self.area = base, headers, area
        self.answered: dict[str, str] = {}  # idempotency key -> report id, for every 2xx
        self.unanswered: list[str] = []  # keys sent when the server stopped answering
        self.other: list[int] = []  # statuses neither 2xx nor a stop
        self.enough = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._write, daemon=True) for _ in range(WRITERS)]

    def _write(self) -> None:
        with httpx.Client(base_url=self.base, timeout=BOUND) as http:
            while True:
                key = uuid.uuid4().hex
                try:
                    answer = http.post(
                        "/api/v1/reports", json=report_body(self.area), headers=self.headers | {"Idempotency-Key": key}
                    )
                except httpx.TransportError:  # refused, or a kept-alive connection closed as the server stops
                    with self.lock:
                        self.unanswered.append(key)
                    return
                with self.lock:
                    if answer.status_code == 201:
                        self.answered[key] = answer.json()["id"]
                        if len(self.answered) >= 40:
                            self.enough.set()
                    else:
                        self.other.append(answer.status_code)


def _in_flight_post(port: int, token: str, area: str) -> tuple[socket.socket, bytes]:
    """A POST whose head has been read by the app (it asked for the body: 100 Continue); the body to send later."""
    body = json.dumps(report_body(area)).encode()
    head = (
        f"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n"
        "Idempotency-Key: in-flight\r\nX-Request-ID: in-flight-1\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=BOUND)
    sock.sendall(head)
    assert sock.recv(1024).startswith(b"HTTP/1.1 100 Continue")
    return sock, body


def _answer(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_serve_answers_what_it_took_ends_streams_flushes_reads_and_exits_0(
    database_dsn: str, owner_dsn: str, data_dir: Path
) -> None:
    port, sub = free_port(), f"stop-{uuid.uuid4().hex[:8]}"
    env = {
        "DATABASE_URL": database_dsn, "LAGESBILD_MIGRATION_DATABASE_URL": owner_dsn, "LAGESBILD_LOG_FORMAT": "json",
        "LAGESBILD_ACCESS_LOG": "1", "LAGESBILD_WRITE_RATE": "off", "LAGESBILD_SHUTDOWN_GRACE_SECONDS": str(BOUND),
    }  # fmt: skip
    process, started, lines = start_serve(data_dir, port, env=env)
    try:
        assert started.wait(BOUND)
        assert process.poll() is None, "".join(lines)
        base = f"http://127.0.0.1:{port}"
        roles = ["admin", "reporter"]
        token = mint_development_token(data_dir, sub=sub, tenant="jonkoping", org="kommunen", roles=roles)
        headers = {"Authorization": f"Bearer {token}"}
        code = f"stopp-{uuid.uuid4().hex[:8]}"
        area = httpx.post(f"{base}/api/v1/areas", json={"code": code, "name": "Råslätt"}, headers=headers).json()["id"]
        stream_ended = threading.Event()
        stream_lines: list[str] = []

        def follow_stream() -> None:
            with httpx.stream("GET", f"{base}/api/v1/stream", headers=headers, timeout=BOUND) as stream:
                assert stream.status_code == 200
                stream_lines.extend(stream.iter_lines())
            stream_ended.set()

        threading.Thread(target=follow_stream, daemon=True).start()
        in_flight, body = _in_flight_post(port, token, area)
        writers = Writers(base, headers, area)
        for thread in writers.threads:
            thread.start()
        assert writers.enough.wait(BOUND)
        reads = 5  # read just before the signal: their records must be in the read log after it
        for report_id in list(writers.answered.values())[:reads]:
            assert httpx.get(f"{base}/api/v1/reports/{report_id}", headers=headers).status_code == 200

        process.send_signal(signal.SIGTERM)
        assert stream_ended.wait(BOUND), "the live stream was not ended"
        assert any(line.startswith("retry:") for line in stream_lines)
        assert process.poll() is None  # the request in flight holds the stop, within the grace period
        with pytest.raises(httpx.ConnectError):  # (the listener closed as the streams were ended)
            httpx.get(f"{base}/health")
        in_flight.sendall(body)
        answer = _answer(in_flight)
        assert answer.startswith(b"HTTP/1.1 201"), answer
        in_flight.close()
        for thread in writers.threads:
            thread.join(BOUND)
        assert process.wait(timeout=BOUND) == 0, "".join(lines)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not writers.other, writers.other
    in_flight_id = json.loads(answer.partition(b"\r\n\r\n")[2])["id"]
    sent = {scoped_key("jonkoping", sub, k) for k in [*writers.answered, "in-flight"]}
    unanswered = {scoped_key("jonkoping", sub, k) for k in writers.unanswered}
    keys, ids, recorded = asyncio.run(_stored(owner_dsn, sub, [*sent, *unanswered]))
    # Every write answered 2xx is stored, and none that was not answered.
    assert keys == sent
    assert ids == {*writers.answered.values(), in_flight_id}
    assert recorded == reads + 1  # the reads and the stream: the read log was written out at the stop
    assert all(line.startswith("{") for line in lines), [line for line in lines if not line.startswith("{")]
    logged = [json.loads(line) for line in lines]  # LAGESBILD_LOG_FORMAT=json: every line an object
    access = [e for e in logged if e["logger"] == "lagesbild.access"]
    assert {"time", "level", "message", "request_id", "route", "status", "duration_ms"} <= set(access[0])
    assert any(e["request_id"] == "in-flight-1" and e["status"] == 201 for e in access)
    assert token not in "".join(lines)


async def _stored(owner_dsn: str, sub: str, sent: list[str]) -> tuple[set[str], set[str], int]:
    """Which of the keys `sent` (as stored) are stored, the reports they name, and how many reads `sub` has."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        keys = await conn.fetch("SELECT key, originator_id FROM append_idempotency WHERE key = ANY($1::text[])", sent)
        reads = await conn.fetchval("SELECT count(*) FROM read_log WHERE actor = $1", sub)
    finally:
        await conn.close()
    return {r["key"] for r in keys}, {str(r["originator_id"]) for r in keys}, int(reads)

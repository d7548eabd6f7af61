"""SIGTERM to real `lagesbild serve` and `lagesbild project` processes under load: what was answered holds, exit 0.

The serve test holds one request in flight across the signal (its head sent with `Expect: 100-continue`,
its body only once the server has begun to stop): it is answered, while the live stream ends at
once and clients writing meanwhile either get an answer or find the door shut, never a lost write.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest

from domain.actor import Actor
from domain.area import Area
from domain.codec import make_mapper
from domain.report import Report
from projections.generations import schema_of
from projections.rebuild import rebuild
from projections.registry import PROJECTIONS
from projections.runner import PROGRESS_CHANNEL
from service.idempotency import scoped_key
from service.store.event_store import EventStore
from service.web.auth import mint_development_token
from tests.integration.api.conftest import report_body
from tests.support.database import SessionDatabase
from tests.support.serve_process import free_port, private_data_dir, start_serve

WRITERS = 4
BOUND = 60.0
"""How long the test waits for a process to act before it fails (nothing here takes near that long)."""


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data folder of the test's own (its development signing key)."""
    with private_data_dir() as folder:
        yield folder


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


POLICE = Actor("polis-1", "polisen", "jonkoping")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def _seed(dsn: str, reports: int) -> int:
    """`reports` reports in one new area, written by 16 appenders; the head position."""
    async with asyncpg.create_pool(dsn, min_size=1, max_size=4) as pool:
        store = EventStore(dsn, pool, make_mapper())
        await store.open()
        area = Area.define(POLICE, "raslatt", "Råslätt")
        await store.append(area.collect_events(), 0)

        async def submit(n: int) -> None:
            for _ in range(n):
                report = Report.submit(POLICE, now=NOW, area_id=area.id, category="klotter", week="2026-W47", count=1)
                await store.append(report.collect_events(), 0)

        await asyncio.gather(*(submit(reports // 16) for _ in range(16)))
        head = await store.head()
        await store.close()
    return head


def _worker(database: SessionDatabase, data_dir: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("LAGESBILD_")} | {
        "DATABASE_URL": database.service, "LAGESBILD_MIGRATION_DATABASE_URL": database.owner,
        "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_LOG_FORMAT": "json",
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "project"], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


async def _position(conn: asyncpg.Connection) -> int:
    return int(
        await conn.fetchval("SELECT position FROM projection_generations WHERE active AND projection = 'picture'")
    )


async def _signal_after_first_batch(database: SessionDatabase, data_dir: Path, until: int | None) -> tuple[int, str]:
    """Start a worker; once the picture has committed a batch (or reached `until`), SIGTERM it; its exit and log."""
    conn = await asyncpg.connect(database.owner)
    progress: asyncio.Queue[str] = asyncio.Queue()
    await conn.add_listener(PROGRESS_CHANNEL, lambda *args: progress.put_nowait(str(args[3])))
    worker = _worker(database, data_dir)
    try:
        async with asyncio.timeout(BOUND):
            while True:
                name, _generation, position = (await progress.get()).rsplit(":", 2)
                if name == "picture" and (until is None or int(position) >= until):
                    break
        worker.send_signal(signal.SIGTERM)
        _, log = await asyncio.to_thread(worker.communicate, timeout=BOUND)
        return worker.returncode, log
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        await conn.close()


async def test_a_worker_stopped_mid_load_exits_0_and_a_new_one_carries_on(
    own_database: SessionDatabase, data_dir: Path
) -> None:
    head = await _seed(own_database.service, 6400)  # a full batch (5000), then more
    code, log = await _signal_after_first_batch(own_database, data_dir, until=None)
    assert code == 0, log
    assert all(json.loads(line)["logger"] for line in log.splitlines())
    conn = await asyncpg.connect(own_database.service)  # the read models' owner
    try:
        stopped_at = await _position(conn)
        assert 0 < stopped_at < head  # stopped mid-load, at a committed batch
        code, log = await _signal_after_first_batch(own_database, data_dir, until=head)
        assert code == 0, log
        assert await _position(conn) == head
        worker_generation = await conn.fetchval(
            "SELECT generation FROM projection_generations WHERE active AND projection = 'picture'"
        )
        # The read model the two workers built is the one a rebuild from position zero builds: nothing twice.
        rebuilt = await rebuild(own_database.service, PROJECTIONS["picture"], make_mapper())
        for table in ("weekly_counts", "reports", "areas", "area_changes"):
            built = await conn.fetch(
                f'SELECT * FROM "{schema_of("picture", worker_generation)}"."{table}" ORDER BY 1, 2'
            )
            fresh = await conn.fetch(f'SELECT * FROM "{schema_of("picture", rebuilt)}"."{table}" ORDER BY 1, 2')
            assert built, table
            assert [dict(r) for r in built] == [dict(r) for r in fresh], table
    finally:
        await conn.close()

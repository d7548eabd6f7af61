"""PostgreSQL goes away under load, twice (a clean stop, then a crash), and comes back.

Meanwhile every request is answered quickly with 503 problem+json and Retry-After (a write's with
`maybe_stored`), and /ready
says not ready. Afterwards the service and its projections carry on by themselves; every report
answered 2xx is stored exactly once, no report answered 503 is stored, and the read models
agree with the log. The test runs its own embedded PostgreSQL (the session's stays up).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from eventsourcing.persistence import StoredEvent

from domain.codec import make_mapper
from domain.report import Report
from projections.registry import PROJECTIONS
from service.app import create_app
from service.db.embedded import EmbeddedPostgres
from service.db.location import database_name
from service.db.scratch import create_database
from service.idempotency import scoped_key
from service.settings import Settings
from tests.integration.api.conftest import Token
from tests.support.outage_load import Load
from tests.support.servers import private_postgres, serving

CLIENTS = 8
QUICK_SECONDS = 2.0  # a request made while the database is away is answered within this
RESOLVE_SECONDS = 10.0  # an append in doubt may wait this long for the database to come back


def _crash(server: EmbeddedPostgres) -> None:
    """What `pg_ctl stop -m immediate` does: SIGQUIT to the postmaster, no shutdown checkpoint."""
    pid = int((server.pgdata / "postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGQUIT)
    while server.is_running():
        time.sleep(0.01)


async def _outage(
    load: Load, http: httpx.AsyncClient, auditor: dict[str, str], stop: Any, server: EmbeddedPostgres
) -> None:
    """Stop the database under load; check how the API answers meanwhile; start it again."""
    await load.until(20, 201, time.monotonic())
    dsn = server.dsn()
    load.database_up.clear()
    await asyncio.to_thread(stop, server)
    down = time.monotonic()
    await load.until(2 * CLIENTS, 503, down)  # every reporter has met the outage, some more than once
    for path in ("/ready", "/metrics", f"/api/v1/reports?area_id={load.area}", f"/api/v1/areas/{load.area}/picture",
                 "/api/v1/stream"):  # fmt: skip
        started = time.monotonic()
        response = await http.get(path, headers=auditor)
        assert (path, response.status_code) == (path, 503)
        assert time.monotonic() - started < QUICK_SECONDS
        assert response.headers["content-type"].startswith("application/problem+json")
        assert int(response.headers["retry-after"]) > 0
    before = time.monotonic()
    assert await asyncio.to_thread(server.start) == dsn, "the server came back elsewhere (a socket path too long?)"
    load.database_up.set()
    during = [a for a in load.attempts if down <= a.started < before]
    assert during
    assert all(a.status == 503 and a.seconds < QUICK_SECONDS for a in during)
    assert not any(a.body.get("maybe_stored") for a in during)  # nothing was sent: known not stored
    await load.until(20, 201, time.monotonic())  # the service carries on by itself


async def _caught_up(http: httpx.AsyncClient) -> int:
    """Wait until /ready is 200 and every projection has reached the head of the log; the head."""
    async with asyncio.timeout(15):
        while True:
            ready = await http.get("/ready")
            if ready.status_code == 200:
                state = ready.json()
                positions = {p["projection"]: p["position"] for p in state["projections"]}
                if len(positions) == len(PROJECTIONS) and set(positions.values()) == {state["head_position"]}:
                    return int(state["head_position"])
            await asyncio.sleep(0.05)


async def _changes(http: httpx.AsyncClient, auditor: dict[str, str], seen: list[int]) -> None:
    async with http.stream("GET", "/api/v1/stream", headers=auditor) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("data:"):
                seen.append(json.loads(line.removeprefix("data:"))["position"])


@pytest.fixture
def private_server() -> Iterator[EmbeddedPostgres]:
    """An embedded PostgreSQL of this test's own: the session's stays up."""
    with private_postgres() as server:
        yield server


async def test_the_service_rides_out_a_database_outage_under_load(
    private_server: EmbeddedPostgres, data_dir: Path, auth: Token
) -> None:
    urls = await create_database(private_server.dsn(), "lagesbild_outage")
    # No write rate limit: one reporter's token writes here far more than a person would.
    env = {"DATABASE_URL": urls.service, "LAGESBILD_DATA_DIR": str(data_dir),
           "LAGESBILD_APPEND_RESOLVE_SECONDS": str(RESOLVE_SECONDS), "LAGESBILD_WRITE_RATE": "off"}  # fmt: skip
    auditor = auth("auditor")
    async with serving(create_app(Settings.from_env(env), urls.service, migration_dsn=urls.migration)) as http:
        code = f"outage-{os.getpid()}"
        area = (await http.post("/api/v1/areas", json={"code": code, "name": "Råslätt"}, headers=auth("admin"))).json()
        await _caught_up(http)
        stream_positions: list[int] = []
        stream = asyncio.create_task(_changes(http, auditor, stream_positions))
        load = Load(http, auth("reporter"), area["id"])
        reporters = [asyncio.create_task(load.reporter(f"reporter-{i}")) for i in range(CLIENTS)]
        try:
            await _outage(load, http, auditor, EmbeddedPostgres.stop, private_server)  # pg_ctl stop -m fast
            await _outage(load, http, auditor, _crash, private_server)
        finally:
            load.done.set()
            load.database_up.set()  # a failed check must not leave reporters waiting for it
            await asyncio.gather(*reporters)

        head = await _caught_up(http)  # the projections catch up by themselves
        try:
            async with asyncio.timeout(10):  # the stream opened before the outages is still live
                while not stream_positions or max(stream_positions) < head:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
        finally:
            stream.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stream

    _check_answers(load)
    await _check_the_log_and_the_read_models(private_server.dsn(database_name(urls.service)), load)


def _check_answers(load: Load) -> None:
    assert {a.status for a in load.attempts} == {201, 503}
    for a in load.attempts:
        if a.status == 503:
            assert a.headers["content-type"].startswith("application/problem+json")
            assert int(a.headers["retry-after"]) > 0
            assert isinstance(a.body["maybe_stored"], bool)  # every write's 503 says whether it may be stored
        assert a.seconds < RESOLVE_SECONDS + QUICK_SECONDS


async def _check_the_log_and_the_read_models(dsn: str, load: Load) -> None:
    written = {a.body["id"] for a in load.final.values() if a.status == 201}
    assert len(written) == sum(1 for a in load.final.values() if a.status == 201)
    assert any(a.status == 503 for a in load.final.values())
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM stored_events"
            " ORDER BY notification_id"
        )
        keys = await conn.fetch("SELECT key FROM append_idempotency")
        picture = {r["report_id"] for r in await conn.fetch("SELECT report_id FROM picture.reports")}
        counts = {
            (str(r["area_id"]), r["week"], r["category"]): (r["reports"], r["occurrences"])
            for r in await conn.fetch("SELECT area_id, week, category, reports, occurrences FROM picture.weekly_counts")
        }
        audited = [r["position"] for r in await conn.fetch("SELECT position FROM audit.entries ORDER BY position")]
    finally:
        await conn.close()

    mapper = make_mapper()
    events = [mapper.to_domain_event(StoredEvent(r[1], r[2], r[3], bytes(r[4]))) for r in rows]
    reports = [e for e in events if isinstance(e, Report.Submitted)]
    stored = Counter(str(e.originator_id) for e in reports)
    assert set(stored) == written  # every 2xx is stored; nothing answered 503 is
    assert set(stored.values()) == {1}
    sent = {scoped_key("jonkoping", "polisen-user", k) for k, a in load.final.items() if a.status == 201}
    assert {k["key"] for k in keys} == sent  # the reporters' token: tenant jonkoping, subject polisen-user

    assert {str(r) for r in picture} == written
    expected: Counter[tuple[str, str, str]] = Counter()
    occurrences: Counter[tuple[str, str, str]] = Counter()
    for e in reports:
        expected[(str(e.area_id), e.week, e.category)] += 1
        occurrences[(str(e.area_id), e.week, e.category)] += e.count
    assert counts == {k: (n, occurrences[k]) for k, n in expected.items()}
    assert len(counts) == 8  # four weeks, two categories: the comparison covers them all
    assert audited == [r[0] for r in rows]  # one audit entry per event, none twice

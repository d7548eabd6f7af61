"""The topology of deploy/compose.yaml and the Kubernetes manifests, as processes on this machine.

A PostgreSQL of the test's own (the embedded binaries), the roles made by deploy/postgres/roles.sql
as compose makes them, `lagesbild migrate` as the owner, then, as the service's login and with the
example environment's settings, two `lagesbild serve` (projections off) and one `lagesbild project`,
all three started together on the empty schema. Both APIs take writes at once; one API is sent
SIGTERM and the projections worker is killed (-9) in the middle of a batch, and a new worker
started. Then: every write answered 2xx is stored exactly once, a reader that followed the log by
position saw every event once and in order, `lagesbild audit verify` holds, and each read model
equals a rebuild of it from the log.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from eventsourcing.persistence import StoredEvent

from domain.codec import make_mapper
from domain.report import Report
from projections.generations import schema_of
from projections.rebuild import rebuild
from projections.registry import PROJECTIONS
from service.db.embedded import EmbeddedPostgres
from service.web.auth import mint_development_token
from tests.support.read_models import generation_contents
from tests.support.serve_process import free_port
from tests.support.servers import private_postgres
from tests.support.topology import (
    ROOT,
    Lagesbild,
    Writes,
    _follow_the_log,
    _kill_in_mid_batch,
    _ready,
    deployed_settings,
)

WRITERS_PER_API = 4
PASSWORDS = {"LAGESBILD_DB_OWNER_PASSWORD": "owner-secret", "LAGESBILD_DB_API_PASSWORD": "api-secret"}
ACTIVE = "SELECT generation FROM projection_generations WHERE active AND projection = $1"


@pytest.fixture
def server() -> Iterator[EmbeddedPostgres]:
    """The database server of this test alone, its roles and database made as compose makes them."""
    with private_postgres() as server:
        psql = [EmbeddedPostgres.binary("psql"), "--no-psqlrc", "--quiet", "-d", server.dsn()]
        roles = subprocess.run(
            [*psql, "-f", str(ROOT / "deploy/postgres/roles.sql")],
            capture_output=True, text=True, timeout=60, check=False, env=os.environ | PASSWORDS,
        )  # fmt: skip
        assert roles.returncode == 0, roles.stderr
        yield server


def _as(server: EmbeddedPostgres, role: str, password: str) -> str:
    """The URL of the database lagesbild as `role`, with its password, as the manifests give it."""
    return server.dsn("lagesbild").replace("postgres@", f"{role}:{password}@", 1)


async def test_two_apis_and_a_projections_worker_lose_nothing_through_sigterm_and_kill(
    server: EmbeddedPostgres, tmp_path: Path
) -> None:
    owner = _as(server, "lagesbild_owner", PASSWORDS["LAGESBILD_DB_OWNER_PASSWORD"])
    service = _as(server, "lagesbild_api", PASSWORDS["LAGESBILD_DB_API_PASSWORD"])
    data_dir = tmp_path / "data"  # shared by the processes: the development key that signs the tokens
    data_dir.mkdir()
    # The load writes far faster than people do; the write limit has tests of its own.
    settings = deployed_settings(
        LAGESBILD_DATA_DIR=str(data_dir), LAGESBILD_HOST="127.0.0.1", LAGESBILD_WRITE_RATE="off"
    )
    processes: list[Lagesbild] = []

    def start(name: str, command: list[str], url: str, **env: str) -> Lagesbild:
        processes.append(Lagesbild(tmp_path, name, command, settings | {"DATABASE_URL": url} | env))
        return processes[-1]

    try:
        migrate = start("migrate", ["migrate"], owner)
        assert migrate.wait() == 0, migrate.log()
        ports = [free_port(), free_port()]
        apis = [f"http://127.0.0.1:{port}" for port in ports]
        first = start("api-0", ["serve"], service, LAGESBILD_PORT=str(ports[0]), LAGESBILD_PROJECTIONS="off")
        start("api-1", ["serve"], service, LAGESBILD_PORT=str(ports[1]), LAGESBILD_PROJECTIONS="off")
        worker = start("projections-0", ["project"], service)
        admin = await asyncpg.connect(server.dsn("lagesbild"))
        async with httpx.AsyncClient(timeout=60) as http:
            for api in apis:
                await _ready(http, api)
            token = mint_development_token(data_dir, sub="admin-1", tenant="jonkoping", org="kommunen", roles=["admin"])
            created = await http.post(
                f"{apis[1]}/api/v1/areas", json={"code": "raslatt", "name": "Råslätt"},
                headers={"Authorization": f"Bearer {token}"},
            )  # fmt: skip
            assert created.status_code == 201, created.text
            token = mint_development_token(
                data_dir, sub="reporter-1", tenant="jonkoping", org="polisen", roles=["reporter"]
            )
            writes = Writes(apis, token, created.json()["id"])
            seen: list[int] = []
            written = asyncio.Event()  # set once every writer has had its last answer
            follower = asyncio.create_task(_follow_the_log(service, seen, written))
            writers = [
                asyncio.create_task(writes.writer(http, f"writer-{api}-{i}", api))
                for api in range(len(apis))
                for i in range(WRITERS_PER_API)
            ]
            try:
                await writes.until(60)
                first.process.send_signal(signal.SIGTERM)  # a rolling update takes one replica away
                writes.down.add(apis[0])
                assert await asyncio.to_thread(first.wait) == 0, first.log()
                await writes.until(len(writes.answered) + 40)
                await _kill_in_mid_batch(worker, admin)
                start("projections-1", ["project"], service)  # the Deployment starts another
                await writes.until(len(writes.answered) + 60)
            finally:
                writes.stop.set()
                await asyncio.gather(*writers)
                written.set()
            async with asyncio.timeout(30):
                await follower
            state = await _ready(http, apis[1], caught_up=True)

        log = await admin.fetch(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM stored_events"
            " ORDER BY notification_id"
        )
        assert seen == [r[0] for r in log]  # every event once, in order
        assert seen[-1] == state["head_position"]
        mapper = make_mapper()
        events = [mapper.to_domain_event(StoredEvent(r[1], r[2], r[3], bytes(r[4]))) for r in log]
        stored = Counter(str(e.originator_id) for e in events if isinstance(e, Report.Submitted))
        assert set(stored.values()) == {1}
        assert set(stored) == set(writes.answered.values())  # every 2xx stored, once; nothing else
        assert len(stored) == len(writes.answered)  # no two keys answered with one report
        assert writes.by_api[apis[0]] > 0
        assert writes.by_api[apis[1]] > 0

        verify = start("audit-verify", ["audit", "verify"], service)
        assert verify.wait() == 0, verify.log()
        assert json.loads(verify.log())["jonkoping"]["ok"] is True
        generations = await admin.fetch("SELECT projection, generation FROM projection_generations")
        assert sorted(tuple(g) for g in generations) == sorted(
            (name, 1) for name in PROJECTIONS
        )  # three started at once
        for projection in PROJECTIONS.values():  # what `lagesbild rebuild` does, in this process
            old = await admin.fetchval(ACTIVE, projection.name)
            new = await rebuild(service, projection, mapper)
            assert new != old
            assert new == await admin.fetchval(ACTIVE, projection.name)
            live = await generation_contents(admin, schema_of(projection.name, old))
            rebuilt = await generation_contents(admin, schema_of(projection.name, new))
            assert live == rebuilt  # the read model the processes kept equals one made afresh from the log
            per_event = projection.name in ("picture", "audit")  # a row or more of each report; the others sum up
            assert sum(len(rows) for rows in live.values()) > (len(stored) if per_event else 0)
        await admin.close()
    finally:
        for process in processes:
            process.stop()

"""Who read what, through HTTP: each kind of read is recorded, without its body, and never waited for."""

from __future__ import annotations

import asyncio
import re
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import jwt
import uvicorn
from litestar.routes import HTTPRoute

from service.app import create_app
from service.audit.read_log import ReadLog, query_params
from service.audit.recording import KINDS, RecordedRead
from service.settings import Settings
from service.web.auth import DEV_AUDIENCE, DEV_ISSUER
from tests.integration.api.conftest import Client, Token, report_body
from tests.support.read_log import flush, new_tenant, read_log_of, recorded_reads

NOT_RECORDED = {"/api/v1/areas", "/api/v1/categories"}  # the catalogue: names of places and categories
ENTRY_FIELDS = {
    "id", "read_at", "tenant", "actor", "org", "roles", "resource", "resource_id", "route", "path_params",
    "query_params", "status",
}  # fmt: skip


async def _area(client: Client, auth: Token, tenant: str) -> str:
    body = {"code": f"raslatt-{uuid.uuid4().hex[:6]}", "name": "Råslätt"}
    response = await client.post("/api/v1/areas", json=body, headers=auth("admin", org="kommunen", tenant=tenant))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_each_kind_of_read_is_recorded_with_who_which_and_when(
    client: Client, auth: Token, pool: asyncpg.Pool
) -> None:
    tenant = new_tenant()
    area = await _area(client, auth, tenant)
    body = report_body(area, description="Nytt klotter vid lekplatsen", place="Gångtunneln vid Råslätts centrum")
    report = (await client.post("/api/v1/reports", json=body, headers=auth("reporter", tenant=tenant))).json()
    plan = {"area_id": area, "title": "Sanering av gångtunneln", "responsible_org": "kommunen",
            "starts_on": "2026-11-30", "report_ids": [report["id"]]}  # fmt: skip
    action = (await client.post("/api/v1/actions", json=plan, headers=auth("coordinator", tenant=tenant))).json()
    seen = str(action["position"])
    reads = [  # kind, route, query, path parameters
        ("report", "/reports/{report_id}", {}, {"report_id": report["id"]}),
        ("reports", "/reports", {"area_id": area, "category": "klotter", "min_position": seen}, {}),
        ("action", "/actions/{action_id}", {"min_position": seen}, {"action_id": action["id"]}),
        ("actions", "/actions", {"status": "planned"}, {}),
        ("picture", "/areas/{area_id}/picture", {"weeks": "4", "min_position": seen}, {"area_id": area}),
        ("overview", "/picture", {}, {}),
        ("lagesbild", "/lagesbild/{week}", {}, {"week": "2026-W47"}),
        ("audit", "/audit", {"org": "polisen"}, {}),
    ]
    reader = auth("coordinator", org="vatterhem", tenant=tenant, sub="vh-samordnare")
    before = datetime.now(UTC)
    for _, route, params, path in reads:
        url = re.sub(r"\{(\w+)\}", lambda m: path[m[1]], route)  # noqa: B023 - used at once
        response = await client.get(f"/api/v1{url}", params=params, headers=reader)
        assert response.status_code == 200, (url, response.text)
    after = datetime.now(UTC)

    entries = await recorded_reads(client, auth, tenant, actor="vh-samordnare")
    assert [(e["resource"], e["query_params"], e["path_params"]) for e in entries] == [
        (kind, params, path) for kind, _, params, path in reads
    ]
    for entry, (_, route, _, path) in zip(entries, reads, strict=True):
        assert set(entry) == ENTRY_FIELDS
        assert (entry["tenant"], entry["org"], entry["roles"], entry["status"]) == (
            tenant, "vatterhem", ["coordinator"], 200,
        )  # fmt: skip
        assert before <= datetime.fromisoformat(entry["read_at"]) <= after
        assert entry["route"] == f"GET /api/v1{route}"
        assert entry["resource_id"] == (next(iter(path.values())) if path else None)
    # No response bodies: nothing of the report's or the action's text is in the log.
    rows = await pool.fetch("SELECT row_to_json(r)::text AS row, actor FROM read_log r WHERE tenant = $1", tenant)
    assert [r["actor"] for r in rows].count("vh-samordnare") == len(reads)
    for text in ("klotter vid lekplatsen", "Gångtunneln", "Sanering", "polisen-user"):
        assert not [r["row"] for r in rows if text in r["row"]], text


async def test_refused_reads_are_recorded_failed_ones_are_not(client: Client, auth: Token) -> None:
    tenant, other = new_tenant(), new_tenant()
    area = await _area(client, auth, other)
    foreign = await client.post("/api/v1/reports", json=report_body(area), headers=auth("reporter", tenant=other))
    foreign_id, missing = foreign.json()["id"], str(uuid.uuid4())
    coordinator = auth("coordinator", tenant=tenant, sub="samordnare-1")
    reporter = auth("reporter", tenant=tenant, sub="polis-1")
    expected = [
        (coordinator, "/audit/reads", 403),  # not an auditor: refused, and an auditor learns of the attempt
        (reporter, "/audit", 403),
        (reporter, f"/reports/{missing}", 404),
        (reporter, f"/reports/{foreign_id}", 404),  # another tenant's report: 404 to the caller, recorded as theirs
        (reporter, "/reports?limit=0", 422),  # bad input reads nothing
        (reporter, "/lagesbild/2026-W99", 422),
    ]
    for headers, url, status in expected:
        assert (await client.get(f"/api/v1{url}", headers=headers)).status_code == status, url
    claims = {"sub": "u", "tenant": tenant, "org": "polisen", "roles": ["auditor"], "iss": DEV_ISSUER,
              "aud": DEV_AUDIENCE, "exp": int(datetime.now(UTC).timestamp()) + 600}  # fmt: skip
    forged = jwt.encode(claims, b"not the key, but thirty-two bytes", algorithm="HS256")
    response = await client.get("/api/v1/audit", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401  # no verified caller to name: the access log has it
    assert (await client.get(f"/api/v1/reports/{foreign_id}")).status_code == 401

    entries = await recorded_reads(client, auth, tenant)
    assert [(e["actor"], e["resource"], e["resource_id"], e["status"]) for e in entries] == [
        ("samordnare-1", "audit_reads", None, 403),
        ("polis-1", "audit", None, 403),
        ("polis-1", "report", missing, 404),
        ("polis-1", "report", foreign_id, 404),
    ]
    assert await recorded_reads(client, auth, other, resource="report") == []


async def test_query_parameters_are_kept_as_sent_but_bounded(client: Client, auth: Token) -> None:
    # Only parameters a route declares reach the log (others are refused, 400: test_query_parameters.py);
    # the recorder bounds what it keeps all the same.
    tenant = new_tenant()
    query = "org=v%C3%A4tterhem&category=klotter&limit=5"
    response = await client.get(f"/api/v1/reports?{query}", headers=auth("reporter", tenant=tenant))
    assert response.status_code == 200
    [entry] = await recorded_reads(client, auth, tenant)
    assert entry["query_params"] == {"org": "vätterhem", "category": "klotter", "limit": "5"}
    long = f"org=v%C3%A4tterhem&status=active&status=retracted&note={'x' * 500}".encode()
    assert query_params(long) == {"org": "vätterhem", "status": ["active", "retracted"], "note": "x" * 200}
    many = "&".join(f"p{i}=x" for i in range(40)).encode()
    assert query_params(many) == {f"p{i}": "x" for i in range(20)}


async def test_a_read_does_not_wait_for_its_record_to_be_written(client: Client, auth: Token, owner_dsn: str) -> None:
    tenant = new_tenant()
    read_log = read_log_of(client)
    conn = await asyncpg.connect(owner_dsn)  # the table's owner may lock it; the service may not
    async with conn.transaction():
        # While this lock is held, no batch of read records can be written...
        await conn.execute("LOCK TABLE read_log IN SHARE MODE")
        async with asyncio.timeout(10):  # (were a read to wait for its record, it would wait for the lock)
            for _ in range(3):  # ...yet the reads are answered,
                response = await client.get("/api/v1/picture", headers=auth("reporter", tenant=tenant))
                assert response.status_code == 200
        assert read_log.buffered >= 3  # their records wait in memory,
        assert await conn.fetchval("SELECT count(*) FROM read_log WHERE tenant = $1", tenant) == 0
    await conn.close()
    await flush(client)  # and are written once the table is free again.
    assert len(await recorded_reads(client, auth, tenant)) == 3
    metrics = (await client.get("/metrics")).text
    assert "lagesbild_read_log_buffered " in metrics
    assert "lagesbild_read_log_dropped_total 0.0\n" in metrics
    written = next(line for line in metrics.splitlines() if line.startswith("lagesbild_read_log_written_total "))
    assert float(written.split()[1]) >= 3


async def test_every_read_route_is_recorded_but_the_catalogue(client: Client) -> None:
    # A safety net for routes to come: a new GET under /api/v1 must say whether it is recorded.
    kinds = []
    for route in client.app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/v1"):
            continue
        for handler in route.route_handlers:
            if "GET" in handler.http_methods:
                marks = [m.kind for m in handler.resolve_middleware() if isinstance(m, RecordedRead)]
                assert len(marks) == (0 if route.path in NOT_RECORDED else 1), route.path
                kinds += marks
    assert sorted(kinds) == sorted(KINDS)  # each kind marks exactly one route


async def test_opening_the_stream_is_recorded(database_dsn: str, data_dir: Path, auth: Token) -> None:
    # Server-Sent Events need a real server: the test client waits for a response to end.
    settings = Settings.from_env({"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir)})
    app = create_app(settings, database_dsn)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    tenant = new_tenant()
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to await
                await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            headers = auth("reporter", tenant=tenant, sub="polis-1")
            async with http.stream("GET", "/api/v1/stream", headers=headers) as stream:
                assert stream.status_code == 200  # recorded when the stream opens, not when it ends
                read_log: ReadLog = app.state.read_log
                await read_log.flush()  # (here the app runs in this event loop)
                page = (await http.get("/api/v1/audit/reads", headers=auth("auditor", tenant=tenant))).json()
        assert [(e["actor"], e["resource"], e["route"]) for e in page["reads"]] == [
            ("polis-1", "stream", "GET /api/v1/stream")
        ]
    finally:
        server.should_exit = True
        await serving

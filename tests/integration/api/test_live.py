"""Read your writes, live updates over SSE, and projection lag in /ready and /metrics."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from service.web.auth import mint_development_token
from tests.integration.api.conftest import Client, Token, report_body
from tests.support.database import SessionDatabase


async def test_a_read_with_min_position_sees_the_write(client: Client, auth: Token, area: str) -> None:
    for _ in range(3):
        written = (await client.post("/api/v1/reports", json=report_body(area), headers=auth("reporter"))).json()
        picture = await client.get(
            f"/api/v1/areas/{area}/picture", params={"min_position": written["position"]}, headers=auth("reporter")
        )
        assert picture.status_code == 200
        assert picture.json()["position"] >= written["position"]
        listed = await client.get(
            "/api/v1/reports", params={"area_id": area, "min_position": written["position"]}, headers=auth("reporter")
        )
        assert written["id"] in [r["id"] for r in listed.json()["reports"]]


async def test_a_position_not_reached_in_time_is_503_with_retry_after(
    database_dsn: str, data_dir: Path, auth: Token
) -> None:
    # No projection runs in this app: the write's position is not reached.
    env = {"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_PROJECTIONS": "off"}
    async with AsyncTestClient(create_app(Settings.from_env(env), database_dsn)) as client:
        code = f"lag-{uuid.uuid4().hex[:6]}"
        area = (
            await client.post("/api/v1/areas", json={"code": code, "name": "Centrum"}, headers=auth("admin"))
        ).json()
        written = (await client.post("/api/v1/reports", json=report_body(area["id"]), headers=auth("reporter"))).json()
        response = await client.get(
            "/api/v1/picture", params={"min_position": written["position"]}, headers=auth("reporter")
        )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_position_no_write_has_reached_is_422(client: Client, auth: Token) -> None:
    response = await client.get("/api/v1/picture", params={"min_position": 10**12}, headers=auth("reporter"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "min_position"


async def test_the_stream_delivers_a_picture_change(database_dsn: str, data_dir: Path, auth: Token) -> None:
    # Server-Sent Events need a real server: the test client waits for a response to end.
    settings = Settings.from_env({"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir)})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings, database_dsn), port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            async with asyncio.timeout(10):
                while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to await
                    await asyncio.sleep(0.01)
            code = f"sse-{uuid.uuid4().hex[:6]}"
            area = (
                await http.post("/api/v1/areas", json={"code": code, "name": "Centrum"}, headers=auth("admin"))
            ).json()
            async with http.stream("GET", "/api/v1/stream", headers=auth("auditor")) as stream:
                this_week = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()  # the stream shows this week
                body = report_body(area["id"], occurred_at=this_week)
                written = (await http.post("/api/v1/reports", json=body, headers=auth("reporter"))).json()
                async with asyncio.timeout(10):
                    async for line in stream.aiter_lines():
                        if not line.startswith("data:"):
                            continue
                        change = json.loads(line.removeprefix("data:").strip())
                        if change["area_id"] == area["id"] and change["position"] >= written["position"]:
                            break
        assert (change["reports"], change["occurrences"]) == (1, 2)
        assert change["trend"] == "up"  # a new area: two this week against none in the four before
    finally:
        server.should_exit = True
        await serving


async def test_ready_and_metrics_report_each_projection(client: Client, auth: Token, area: str) -> None:
    written = (await client.post("/api/v1/reports", json=report_body(area), headers=auth("reporter"))).json()
    await client.get("/api/v1/picture", params={"min_position": written["position"]}, headers=auth("reporter"))
    ready = (await client.get("/ready")).json()
    by_name = {p["projection"]: p for p in ready["projections"]}
    assert set(by_name) == {"picture", "audit", "catalogue", "patterns"}
    assert by_name["picture"]["position"] >= written["position"]
    assert by_name["picture"]["failure"] is None
    metrics = (await client.get("/metrics")).text
    assert 'lagesbild_projection_lag_events{projection="picture"}' in metrics
    assert 'lagesbild_projection_lag_seconds{projection="audit"}' in metrics


async def test_a_fresh_database_answers_reads_at_once_and_the_service_owns_its_read_models(
    own_database: SessionDatabase, data_dir: Path
) -> None:
    # As `lagesbild serve` runs: migrations as the owner, everything else as the service.
    settings = Settings.from_env({"DATABASE_URL": own_database.service, "LAGESBILD_DATA_DIR": str(data_dir)})
    app = create_app(settings, own_database.service, migration_dsn=own_database.owner)
    token = mint_development_token(data_dir, sub="s", tenant="jonkoping", org="kommunen", roles=["admin"])
    headers = {"Authorization": f"Bearer {token}"}
    async with AsyncTestClient(app) as client:
        for url in ("/api/v1/picture", "/api/v1/reports", "/api/v1/actions", "/api/v1/lagesbild/2026-W47"):
            assert (await client.get(url, headers=headers)).status_code == 200, url
        area = await client.post("/api/v1/areas", json={"code": "raslatt", "name": "Råslätt"}, headers=headers)
        picture = await client.get("/api/v1/picture", params={"min_position": area.json()["position"]}, headers=headers)
        assert [a["area"]["name"] for a in picture.json()["areas"]] == ["Råslätt"]
        assert (await client.get("/ready")).status_code == 200

"""GET /api/v1/audit/verify: an auditor checks the tenant's chain from the last verified link, or from the start."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.integration.api.conftest import Client, Token, report_body
from tests.support.database import SessionDatabase
from tests.support.read_log import new_tenant


async def test_an_auditor_verifies_the_tenants_chain(client: Client, auth: Token, area: str) -> None:
    written = await client.post("/api/v1/reports", json=report_body(area), headers=auth("reporter"))
    assert written.status_code == 201
    response = await client.get("/api/v1/audit/verify", headers=auth("auditor", org="kommunen"))
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["ok"], result["first_mismatch"], result["problem"]) == (True, None, None)
    assert result["checked"] >= 2
    assert result["head"]["position"] >= written.json()["position"]
    kept = {"head_position": result["head"]["position"], "head_link": result["head"]["link"]}
    assert (await client.get("/api/v1/audit/verify", params=kept, headers=auth("auditor"))).json()["ok"] is True
    forged = kept | {"head_link": "0" * 64}
    refused = (await client.get("/api/v1/audit/verify", params=forged, headers=auth("auditor"))).json()
    assert (refused["ok"], refused["first_mismatch"]) == (False, kept["head_position"])
    half = await client.get("/api/v1/audit/verify", params={"head_position": 3}, headers=auth("auditor"))
    assert half.status_code == 422
    assert half.json()["errors"][0]["field"] == "head_link"
    for roles in (("coordinator",), ("reporter",), ("admin",)):
        assert (await client.get("/api/v1/audit/verify", headers=auth(*roles))).status_code == 403


@pytest.fixture
async def own_client(own_dsn: str, data_dir: Path) -> AsyncIterator[Client]:
    """A client of the whole app on a database of this test's own (these tests tamper with it)."""
    settings = Settings.from_env({"DATABASE_URL": own_dsn, "LAGESBILD_DATA_DIR": str(data_dir)})
    async with AsyncTestClient(create_app(settings, own_dsn)) as test_client:
        yield test_client


async def _verify(client: Client, auth: Token, tenant: str = "jonkoping", **params: str) -> dict[str, Any]:
    response = await client.get("/api/v1/audit/verify", params=params, headers=auth("auditor", tenant=tenant))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _reports(client: Client, auth: Token, n: int, tenant: str = "jonkoping") -> list[int]:
    """An area and `n` reports of `tenant`; the positions of their events."""
    code = f"omrade-{uuid.uuid4().hex[:8]}"
    area = await client.post(
        "/api/v1/areas", json={"code": code, "name": "Råslätt"}, headers=auth("admin", tenant=tenant)
    )
    assert area.status_code == 201, area.text
    positions = [area.json()["position"]]
    for _ in range(n):
        written = await client.post(
            "/api/v1/reports", json=report_body(area.json()["id"]), headers=auth("reporter", tenant=tenant)
        )
        assert written.status_code == 201, written.text
        positions.append(written.json()["position"])
    return positions


async def _tamper(admin_dsn: str, position: int) -> None:
    """Change a stored event behind the service's back, as the server's superuser would."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        async with conn.transaction():
            await conn.execute("ALTER TABLE stored_events DISABLE TRIGGER USER")
            await conn.execute("UPDATE stored_events SET topic = topic || ' ' WHERE notification_id = $1", position)
            await conn.execute("ALTER TABLE stored_events ENABLE TRIGGER USER")
    finally:
        await conn.close()


async def test_a_second_call_checks_only_the_events_appended_since(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    positions = await _reports(client, auth, 2, tenant)
    first = await _verify(client, auth, tenant)
    assert (first["ok"], first["verified_from"], first["checked"]) == (True, 0, 3)
    assert first["head"]["position"] == positions[-1]

    again = await _verify(client, auth, tenant)
    assert (again["ok"], again["verified_from"], again["checked"], again["head"]) == (
        True,
        positions[-1],
        0,
        first["head"],
    )

    more = await _reports(client, auth, 1, tenant)
    third = await _verify(client, auth, tenant)
    assert (third["ok"], third["verified_from"], third["checked"]) == (True, positions[-1], 2)
    assert third["head"]["position"] == more[-1]

    full = await _verify(client, auth, tenant, **{"from": "start"})
    assert (full["ok"], full["verified_from"], full["checked"], full["head"]) == (True, 0, 5, third["head"])
    bad = await client.get("/api/v1/audit/verify?from=beginning", headers=auth("auditor", tenant=tenant))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "from"


async def test_concurrent_calls_agree_and_keep_the_head(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    positions = await _reports(client, auth, 3, tenant)
    results = await asyncio.gather(*(_verify(client, auth, tenant) for _ in range(6)))
    assert {(r["ok"], r["head"]["position"]) for r in results} == {(True, positions[-1])}
    after = await _verify(client, auth, tenant)
    assert (after["ok"], after["verified_from"], after["checked"]) == (True, positions[-1], 0)


async def test_tampering_after_the_last_verified_link_is_found_and_not_kept(
    own_client: Client, auth: Token, own_database: SessionDatabase
) -> None:
    kept = (await _verify(own_client, auth))["head"]  # the events of the test's own database so far
    positions = await _reports(own_client, auth, 3)
    await _tamper(own_database.admin, positions[2])
    for _ in range(2):  # the failure is not kept: the next call starts from the same link and finds it again
        result = await _verify(own_client, auth)
        assert (result["ok"], result["verified_from"], result["first_mismatch"]) == (
            False, kept["position"] if kept else 0, positions[2],
        )  # fmt: skip
        assert (result["checked"], result["problem"]) == (2, "the stored record does not match its link")


async def test_tampering_before_the_last_verified_link_is_found_only_from_the_start(
    own_client: Client, auth: Token, own_database: SessionDatabase
) -> None:
    positions = await _reports(own_client, auth, 3)
    kept = (await _verify(own_client, auth))["head"]
    assert kept["position"] == positions[-1]
    await _tamper(own_database.admin, positions[1])
    # An incremental call does not look at the events before the last verified link again.
    unseen = await _verify(own_client, auth)
    assert (unseen["ok"], unseen["verified_from"], unseen["checked"]) == (True, kept["position"], 0)
    full = await _verify(own_client, auth, **{"from": "start"})
    assert (full["ok"], full["verified_from"], full["first_mismatch"]) == (False, 0, positions[1])

    await _tamper(own_database.admin, kept["position"])  # the last verified event itself: checked on every call
    result = await _verify(own_client, auth)
    assert (result["ok"], result["checked"], result["first_mismatch"]) == (False, 0, kept["position"])
    assert result["problem"] == "the stored record does not match its link"


async def test_a_chain_rewritten_through_the_last_verified_link_is_found(
    own_client: Client, auth: Token, own_database: SessionDatabase
) -> None:
    await _reports(own_client, auth, 2)
    kept = (await _verify(own_client, auth))["head"]
    conn = await asyncpg.connect(own_database.admin)
    try:  # someone with full access replaces the link the service verified last
        await conn.execute("UPDATE event_chain SET link = $1 WHERE position = $2", b"\x01" * 32, kept["position"])
    finally:
        await conn.close()
    result = await _verify(own_client, auth)
    assert (result["ok"], result["first_mismatch"]) == (False, kept["position"])
    assert result["problem"] == "the chain no longer passes the last verified link"

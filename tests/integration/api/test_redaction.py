"""Crypto-shredding through HTTP: a redacted report's and action's text is gone everywhere, rebuilds included."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from domain.codec import make_mapper
from projections.generations import active_generation, schema_of
from projections.rebuild import rebuild
from projections.registry import PROJECTIONS
from projections.tenancy import tenant_connection
from service.store.event_store import EventStore
from tests.integration.api.conftest import Client, Token, report_body


async def _write(client: Client, url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post(f"/api/v1{url}", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    written: dict[str, Any] = response.json()
    return written


async def _read(client: Client, url: str, position: int, headers: dict[str, str], **params: str) -> Any:
    response = await client.get(f"/api/v1{url}", params={"min_position": position, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _places_holding(dsn: str, secret: str) -> list[str]:
    """Every table (events, keys, read models of every generation) in which `secret` can still be read.

    `dsn` is a superuser's: it sees every row (row-level security does not hold it back).
    """
    conn = await asyncpg.connect(dsn)
    try:
        found = []
        if await conn.fetchval(
            "SELECT count(*) FROM stored_events WHERE position(convert_to($1, 'UTF8') IN state) > 0", secret
        ):
            found.append("stored_events")
        tables = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_name <> 'stored_events'"
        )
        for schema, table in tables:
            if await conn.fetchval(f'SELECT count(*) FROM "{schema}"."{table}" t WHERE t::text LIKE $1', f"%{secret}%"):
                found.append(f"{schema}.{table}")
        return found
    finally:
        await conn.close()


async def test_a_redaction_leaves_the_facts_and_destroys_the_text_everywhere(
    client: Client, auth: Token, area: str, database_dsn: str, admin_dsn: str
) -> None:
    secret = f"Hemlig-{uuid.uuid4().hex[:8]}"
    reporter, coordinator = auth("reporter"), auth("coordinator", org="kommunen")
    body = report_body(area, place=f"Torget {secret}", description=f"Klotter {secret}")
    report = await _write(client, "/reports", body, reporter)
    rid = report["id"]
    await _write(
        client,
        f"/reports/{rid}/corrections",
        {"changes": {"description": f"Mer {secret}"}, "reason": f"Fel {secret}"},
        reporter,
    )
    action = await _write(
        client, "/actions",
        {"area_id": area, "title": "Sanering", "responsible_org": "kommunen", "description": f"Plan {secret}",
         "report_ids": [rid]},
        coordinator,
    )  # fmt: skip
    aid = action["id"]
    await _write(client, f"/actions/{aid}/status", {"status": "started", "note": f"Start {secret}"}, coordinator)
    followed = await _write(
        client, f"/actions/{aid}/follow-ups", {"effect": "improved", "note": f"Bättre {secret}"}, coordinator
    )
    before = await _read(client, f"/areas/{area}/picture", followed["position"], coordinator)
    assert secret in str(await _read(client, f"/actions/{aid}", 0, coordinator))
    holding = await _places_holding(admin_dsn, secret)  # the read models hold the text; the log holds it sealed
    assert "stored_events" not in holding
    assert {"reports", "follow_ups", "entries"} <= {place.split(".")[1] for place in holding}

    assert (
        await client.post(f"/api/v1/reports/{rid}/redaction", json={"reason": "x"}, headers=reporter)
    ).status_code == 403
    redacted = await _write(client, f"/reports/{rid}/redaction", {"reason": "Gallring efter begäran"}, coordinator)
    last = await _write(client, f"/actions/{aid}/redaction", {"reason": "Gallring efter begäran"}, coordinator)
    position = last["position"]

    shown = await _read(client, f"/reports/{rid}", 0, reporter)
    assert (shown["place"], shown["description"], shown["redacted"], shown["status"]) == (
        "[redacted]", "[redacted]", True, "active",
    )  # fmt: skip
    assert (shown["count"], shown["category"]) == (body["count"], body["category"])
    listed = await _read(client, "/reports", position, reporter, area_id=area)
    assert [(r["place"], r["description"]) for r in listed["reports"]] == [("[redacted]", "[redacted]")]
    detail = await _read(client, f"/actions/{aid}", position, reporter)
    assert (detail["description"], detail["latest_follow_up"]["note"]) == ("[redacted]", "[redacted]")
    assert [f["note"] for f in detail["follow_up_list"]] == ["[redacted]"]
    after = await _read(client, f"/areas/{area}/picture", position, coordinator)
    assert after["counts"] == before["counts"]  # the report still counts

    trail = await _read(client, "/audit", position, auth("auditor"), stream_id=rid)
    entries = {e["event_type"]: e for e in trail["entries"]}
    assert entries["Submitted"]["summary"]["place"] == "[redacted]"
    assert entries["Corrected"]["summary"]["changes"]["description"] == {"old": "[redacted]", "new": "[redacted]"}
    assert entries["Corrected"]["summary"]["reason"] == "[redacted]"
    assert (entries["Redacted"]["actor"], entries["Redacted"]["org"]) == ("kommunen-user", "kommunen")
    assert entries["Redacted"]["summary"] == {"reason": "Gallring efter begäran"}
    assert entries["Redacted"]["position"] == redacted["position"]

    again = await client.post(
        f"/api/v1/reports/{rid}/corrections", json={"changes": {"count": 9}, "reason": "x"}, headers=reporter
    )
    assert again.status_code == 409

    assert await _places_holding(admin_dsn, secret) == []
    for projection in PROJECTIONS.values():  # a rebuild from the events cannot bring it back either
        await rebuild(database_dsn, projection, make_mapper())
    assert await _places_holding(admin_dsn, secret) == []
    rebuilt = await _read(client, f"/actions/{aid}", position, reporter)
    assert rebuilt == detail
    async with asyncpg.create_pool(database_dsn, min_size=1, max_size=1) as pool:
        store = EventStore(database_dsn, pool, make_mapper())
        assert (await store.load(uuid.UUID(rid))).description == "[redacted]"
        async with tenant_connection(pool, "jonkoping") as conn:
            generation = await active_generation(conn, "audit")
            assert generation is not None
            summary = await conn.fetchval(
                f'SELECT summary FROM "{schema_of("audit", generation)}".entries WHERE position = $1',
                report["position"],
            )
            assert "[redacted]" in summary
        assert await pool.fetchval("SELECT key FROM data_keys WHERE subject_id = $1", uuid.UUID(rid)) is None


async def test_a_coordinator_retracts_a_redacted_report_and_it_leaves_the_counts(
    client: Client, auth: Token, area: str
) -> None:
    reporter, coordinator = auth("reporter"), auth("coordinator", org="kommunen")
    now = datetime.now(UTC).isoformat()  # this week's counts show it
    report = await _write(client, "/reports", report_body(area, count=3, occurred_at=now), reporter)
    rid = report["id"]
    submitted = await _read(client, f"/areas/{area}/picture", report["position"], coordinator)
    assert [(c["reports"], c["occurrences"]) for c in submitted["counts"].values()] == [(1, 3)]
    await _write(client, f"/reports/{rid}/redaction", {"reason": "Gallring efter begäran"}, coordinator)
    personal = await client.post(
        f"/api/v1/reports/{rid}/retraction", json={"reason": "gäller 19121212-1212"}, headers=coordinator
    )
    assert (personal.status_code, personal.json()["errors"][0]["field"]) == (422, "reason")

    retracted = await client.post(f"/api/v1/reports/{rid}/retraction", json={"reason": "Dubblett"}, headers=coordinator)
    assert retracted.status_code == 200, retracted.text
    position = retracted.json()["position"]
    shown = await _read(client, f"/reports/{rid}", position, reporter)
    assert (shown["status"], shown["redacted"], shown["description"]) == ("retracted", True, "[redacted]")
    picture = await _read(client, f"/areas/{area}/picture", position, coordinator)
    assert sum(c["reports"] for c in picture["counts"].values()) == 0  # it left the counts
    listed = await _read(client, "/reports", position, reporter, area_id=area, status="retracted")
    assert [r["id"] for r in listed["reports"]] == [rid]

    trail = await _read(client, "/audit", position, auth("auditor"), stream_id=rid)
    last = trail["entries"][-1]
    assert (last["event_type"], last["position"]) == ("RetractedAfterRedaction", position)
    assert (last["actor"], last["org"], last["summary"]) == ("kommunen-user", "kommunen", {"reason": "Dubblett"})
    again = await client.post(f"/api/v1/reports/{rid}/retraction", json={"reason": "igen"}, headers=coordinator)
    assert again.status_code == 409


async def test_a_coordinator_may_retract_another_organisations_report(client: Client, auth: Token, area: str) -> None:
    report = await _write(client, "/reports", report_body(area), auth("reporter"))
    url = f"/api/v1/reports/{report['id']}/retraction"
    other = await client.post(url, json={"reason": "Dubblett"}, headers=auth("reporter", org="kommunen"))
    assert other.status_code == 403
    retracted = await client.post(url, json={"reason": "Dubblett"}, headers=auth("coordinator", org="kommunen"))
    assert retracted.status_code == 200, retracted.text

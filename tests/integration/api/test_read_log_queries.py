"""Who read what, as auditors query it: only auditors, only their tenant, filters, pages without holes, CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.integration.api.conftest import Client, Token
from tests.support.read_log import flush, new_tenant, recorded_reads


async def test_only_auditors_read_the_log_and_only_their_tenants(client: Client, auth: Token) -> None:
    tenant, other = new_tenant(), new_tenant()
    for t in (tenant, other):
        assert (await client.get("/api/v1/picture", headers=auth("reporter", tenant=t, sub=f"{t}-user"))).is_success
    for role in ("reporter", "coordinator", "admin"):
        response = await client.get("/api/v1/audit/reads", headers=auth(role, tenant=tenant))
        assert response.status_code == 403, role
        assert response.headers["content-type"].startswith("application/problem+json")
    mine = await recorded_reads(client, auth, tenant, resource="overview")
    assert [(e["tenant"], e["actor"]) for e in mine] == [(tenant, f"{tenant}-user")]
    assert await recorded_reads(client, auth, tenant, actor=f"{other}-user") == []
    # The auditor's own reads of the log are in it too.
    own = await recorded_reads(client, auth, tenant, resource="audit_reads")
    assert [(e["actor"], e["roles"], e["status"]) for e in own] == [
        ("polisen-user", ["reporter"], 403), ("polisen-user", ["coordinator"], 403), ("polisen-user", ["admin"], 403),
        ("revisor", ["auditor"], 200), ("revisor", ["auditor"], 200),
    ]  # fmt: skip


async def test_pages_have_no_duplicates_or_holes_and_filters_narrow(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    readers = [auth("reporter", org=o, tenant=tenant, sub=f"{o}-1") for o in ("polisen", "kommunen", "vatterhem")]
    for i in range(9):
        url = "/api/v1/picture" if i % 2 else "/api/v1/reports"
        assert (await client.get(url, headers=readers[i % 3])).status_code == 200
    everything = await recorded_reads(client, auth, tenant)
    assert len(everything) == 9
    auditor = auth("auditor", tenant=tenant, sub="revisor")
    pages: list[list[int]] = []
    cursor: str | None = None
    while cursor or not pages:
        params: dict[str, Any] = {"limit": 2, "resource": "reports"} | ({"after": cursor} if cursor else {})
        page = (await client.get("/api/v1/audit/reads", params=params, headers=auditor)).json()
        pages.append([e["id"] for e in page["reads"]])
        cursor = page["next_cursor"]
        assert cursor in (None, str(pages[-1][-1]))
    listed = [e["id"] for e in everything if e["resource"] == "reports"]
    paged_ids = [i for p in pages for i in p]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert paged_ids == listed == sorted(set(listed))
    assert [e["org"] for e in await recorded_reads(client, auth, tenant, org="kommunen")] == ["kommunen"] * 3
    assert {e["resource"] for e in await recorded_reads(client, auth, tenant, actor="vatterhem-1")} == {
        "reports",
        "overview",
    }
    third, sixth = everything[2]["read_at"], everything[5]["read_at"]
    window = await recorded_reads(client, auth, tenant, **{"from": third, "to": sixth})
    assert [e["id"] for e in window] == [e["id"] for e in everything[2:5]]
    for params, field in (({"resource": "everything"}, "resource"), ({"after": 10**12}, "after")):
        bad = await client.get("/api/v1/audit/reads", params=params, headers=auditor)
        assert bad.status_code == 422, params
        assert bad.json()["errors"][0]["field"] == field
    # Another tenant's cursor is not one of this log's.
    other = auth("auditor", tenant=new_tenant())
    assert (await client.get("/api/v1/audit/reads", params={"after": paged_ids[0]}, headers=other)).status_code == 422


async def test_the_read_log_as_csv(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    for _ in range(3):
        await client.get("/api/v1/picture", headers=auth("coordinator", "auditor", tenant=tenant, sub="samordnare-1"))
    await flush(client)
    response = await client.get(
        "/api/v1/audit/reads", params={"limit": 2}, headers={"Accept": "text/csv"} | auth("auditor", tenant=tenant)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["id", "read_at", "tenant", "actor", "org", "roles"]
    assert [(r[3], r[5], r[6], r[9]) for r in rows[1:]] == [
        ("samordnare-1", "auditor;coordinator", "overview", "200")
    ] * 2
    assert response.headers["x-next-cursor"] == rows[2][0]

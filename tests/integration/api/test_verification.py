"""GET /api/v1/audit/verify: an auditor checks the tenant's hash chain, optionally against a kept head."""

from __future__ import annotations

from tests.integration.api.conftest import Client, Token, report_body


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

"""Areas and categories through HTTP."""

from __future__ import annotations

import uuid

from tests.integration.api.conftest import Client, Token, head


async def test_an_admin_defines_renames_and_retires_an_area(client: Client, auth: Token) -> None:
    code = f"soder-{uuid.uuid4().hex[:6]}"
    created = await client.post(
        "/api/v1/areas", json={"code": code, "name": "Huskvarna Söder", "deso": ["0680C1170"]}, headers=auth("admin")
    )
    assert created.status_code == 201
    area_id = created.json()["id"]
    listed = {a["id"]: a for a in (await client.get("/api/v1/areas", headers=auth("auditor"))).json()}
    assert (listed[area_id]["code"], listed[area_id]["name"], listed[area_id]["deso"]) == (
        code, "Huskvarna Söder", ["0680C1170"],
    )  # fmt: skip

    duplicate = await client.post("/api/v1/areas", json={"code": code, "name": "Igen"}, headers=auth("admin"))
    assert duplicate.status_code == 409

    renamed = await client.post(
        f"/api/v1/areas/{area_id}/name", json={"name": "Huskvarna södra"}, headers=auth("admin") | {"If-Match": '"1"'}
    )
    assert renamed.status_code == 200
    retired = await client.post(
        f"/api/v1/areas/{area_id}/retirement", json={"reason": "sammanslaget"}, headers=auth("admin")
    )
    assert retired.status_code == 200
    listed = {a["id"]: a for a in (await client.get("/api/v1/areas", headers=auth("reporter"))).json()}
    assert (listed[area_id]["name"], listed[area_id]["retired"], listed[area_id]["version"]) == (
        "Huskvarna södra",
        True,
        3,
    )

    report = {"area_id": area_id, "category": "klotter", "week": "2026-W47"}
    refused = await client.post("/api/v1/reports", json=report, headers=auth("reporter"))
    assert refused.status_code == 422
    assert "retired" in refused.json()["detail"]


async def test_bad_area_input(client: Client, auth: Token) -> None:
    position = await head(client)
    for body, field in [
        ({"code": "Stora Bokstäver", "name": "x"}, "code"),
        ({"code": "ok-kod", "name": ""}, "name"),
        ({"code": "ok-kod", "name": "x", "deso": ["fel"]}, "deso[0]"),
        ({"code": "ok-kod", "name": "x", "parent_id": str(uuid.uuid4())}, "parent_id"),  # not in the tenant
    ]:
        response = await client.post("/api/v1/areas", json=body, headers=auth("admin"))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == field
    assert await head(client) == position


async def test_a_parent_in_another_partnership_is_no_parent(client: Client, auth: Token) -> None:
    theirs = await client.post(
        "/api/v1/areas", json={"code": "norr", "name": "Norr"}, headers=auth("admin", tenant="orebro")
    )
    assert theirs.status_code == 201, theirs.text
    body = {"code": "under-norr", "name": "Under norr", "parent_id": theirs.json()["id"]}
    refused = await client.post("/api/v1/areas", json=body, headers=auth("admin"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "parent_id"
    assert "orebro" not in refused.text
    assert "Norr" not in refused.text


async def test_categories_are_the_defaults_and_the_tenants_own(client: Client, auth: Token) -> None:
    defaults = (await client.get("/api/v1/categories", headers=auth("reporter"))).json()
    codes = [c["code"] for c in defaults]
    assert {"skadegorelse", "klotter", "otrygg-samling", "buskorning", "belysning", "arrangemang"} <= set(codes)
    assert next(c for c in defaults if c["code"] == "klotter") == {
        "code": "klotter", "name_sv": "Klotter", "name_en": "Graffiti", "parent": "skadegorelse",
    }  # fmt: skip

    code = f"eldning-{uuid.uuid4().hex[:6]}"
    added = await client.post(
        "/api/v1/categories",
        json={"code": code, "name_sv": "Eldning", "name_en": "Lighting fires", "parent": "brand"},
        headers=auth("admin"),
    )
    assert added.status_code == 201
    again = await client.post(
        "/api/v1/categories", json={"code": code, "name_sv": "E", "name_en": "E"}, headers=auth("admin")
    )
    assert again.status_code == 422
    other_tenant = (await client.get("/api/v1/categories", headers=auth("reporter", tenant="linkoping"))).json()
    assert code not in [c["code"] for c in other_tenant]
    mine = (await client.get("/api/v1/categories", headers=auth("reporter"))).json()
    assert code in [c["code"] for c in mine]

"""The catalogue from its read model: a partnership's reads cost its own catalogue; each is bounded (issue 13, 4)."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.actor import Actor
from domain.area import Area
from service.app import create_app
from service.settings import Settings
from service.web.auth import mint_development_token
from tests.integration.api.conftest import head
from tests.support.database import SessionDatabase
from tests.support.servers import serving


def _app(dsn: str, data_dir: Path, **env: str) -> Litestar:
    settings = {"DATABASE_URL": dsn, "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_WRITE_RATE": "off"} | env
    return create_app(Settings.from_env(settings), dsn)


def _auth(data_dir: Path, tenant: str, role: str = "admin") -> dict[str, str]:
    token = mint_development_token(data_dir, sub=f"{tenant}-{role}", tenant=tenant, org="kommunen", roles=[role])
    return {"Authorization": f"Bearer {token}"}


async def _cost(client: AsyncTestClient[Litestar] | httpx.AsyncClient) -> tuple[int, int]:
    """Catalogue rows read and log events decoded so far, from /metrics."""
    text = (await client.get("/metrics")).text
    rows = re.search(r"^lagesbild_catalogue_rows_read_total (\d+)\.0$", text, re.M)
    decoded = re.search(r"^lagesbild_catalogue_events_decoded_total (\d+)\.0$", text, re.M)
    assert rows, text
    assert decoded, text
    return int(rows[1]), int(decoded[1])


async def test_another_partnerships_many_areas_are_not_read_by_mine(
    own_database: SessionDatabase, data_dir: Path
) -> None:
    app = _app(own_database.service, data_dir)
    many, mine = _auth(data_dir, "vaxjo"), _auth(data_dir, "jonkoping")
    async with serving(app) as http:
        # vaxjo's 500 areas straight into the app's store (the store commits them in groups)
        store, admin = app.state.store, Actor("vaxjo-admin", "kommunen", "vaxjo")
        defined = [Area.define(admin, f"omrade-{n}", f"Område {n}") for n in range(500)]
        await asyncio.gather(*(store.append(area.collect_events(), 0) for area in defined))
        for code, name in (("raslatt", "Råslätt"), ("centrum", "Centrum")):
            written = await http.post("/api/v1/areas", json={"code": code, "name": name}, headers=mine)
        # the projection has reached every write (what `min_position` waits for)
        position = written.json()["position"]
        assert (await http.get("/api/v1/areas", params={"min_position": position}, headers=mine)).status_code == 200
        before = await _cost(http)

        listed = await http.get("/api/v1/areas", headers=mine)

        rows, decoded = (after - at for after, at in zip(await _cost(http), before, strict=True))
        assert [a["name"] for a in listed.json()] == ["Centrum", "Råslätt"]
        assert (rows, decoded) == (2, 0)  # my two rows, and none of vaxjo's 500, nor any event of theirs
        theirs = await http.get("/api/v1/areas", headers=many)
        assert len(theirs.json()) == 500


async def test_a_read_sees_writes_the_projection_has_not_reached(database_dsn: str, data_dir: Path) -> None:
    # No projection runs in this app: the read finds the new area in the log, after its rows.
    app = _app(database_dsn, data_dir, LAGESBILD_PROJECTIONS="off")
    tenant = f"lag-{uuid.uuid4().hex[:6]}"
    async with AsyncTestClient(app) as client:
        await client.post("/api/v1/areas", json={"code": "norr", "name": "Norr"}, headers=_auth(data_dir, tenant))
        added = {"code": "eldning", "name_sv": "Eldning", "name_en": "Lighting fires"}
        await client.post("/api/v1/categories", json=added, headers=_auth(data_dir, tenant))
        reader = _auth(data_dir, tenant, "reporter")
        assert [a["code"] for a in (await client.get("/api/v1/areas", headers=reader)).json()] == ["norr"]
        assert (await client.get("/api/v1/categories", headers=reader)).json()[-1]["code"] == "eldning"


async def test_a_partnership_defines_only_so_many_areas_and_categories(database_dsn: str, data_dir: Path) -> None:
    app = _app(database_dsn, data_dir, LAGESBILD_MAX_AREAS_PER_TENANT="2", LAGESBILD_MAX_CATEGORIES_PER_TENANT="1")
    tenant = f"tak-{uuid.uuid4().hex[:6]}"
    admin = _auth(data_dir, tenant)
    async with AsyncTestClient(app) as client:
        for code in ("norr", "soder"):
            assert (
                await client.post("/api/v1/areas", json={"code": code, "name": code}, headers=admin)
            ).status_code == 201
        position = await head(client)

        refused = await client.post("/api/v1/areas", json={"code": "vaster", "name": "Väster"}, headers=admin)

        assert refused.status_code == 409
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "LAGESBILD_MAX_AREAS_PER_TENANT" in refused.json()["detail"]
        assert await head(client) == position  # nothing stored
        again = await client.post("/api/v1/areas", json={"code": "norr", "name": "Norr"}, headers=admin)
        assert (again.status_code, again.json()["title"]) == (409, "Conflict")  # exists: not the limit's answer
        other = _auth(data_dir, f"annan-{uuid.uuid4().hex[:6]}")
        assert (
            await client.post("/api/v1/areas", json={"code": "vaster", "name": "V"}, headers=other)
        ).status_code == 201

        category = {"code": "eldning", "name_sv": "Eldning", "name_en": "Lighting fires"}
        assert (await client.post("/api/v1/categories", json=category, headers=admin)).status_code == 201
        one_more = await client.post("/api/v1/categories", json=category | {"code": "dumpning"}, headers=admin)
        assert one_more.status_code == 409
        assert "LAGESBILD_MAX_CATEGORIES_PER_TENANT" in one_more.json()["detail"]


async def test_the_bound_holds_when_admins_define_areas_at_once(database_dsn: str, data_dir: Path) -> None:
    app = _app(database_dsn, data_dir, LAGESBILD_MAX_AREAS_PER_TENANT="3")
    tenant = f"samtidigt-{uuid.uuid4().hex[:6]}"
    admin = _auth(data_dir, tenant)
    async with serving(app) as http:
        answers = await asyncio.gather(
            *(
                http.post("/api/v1/areas", json={"code": f"omrade-{n}", "name": f"Område {n}"}, headers=admin)
                for n in range(12)
            )
        )
        statuses = sorted(a.status_code for a in answers)
        listed = await http.get("/api/v1/areas", headers=admin)
    assert statuses == [201] * 3 + [409] * 9
    assert len(listed.json()) == 3

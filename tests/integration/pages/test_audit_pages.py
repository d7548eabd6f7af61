"""Granskning through HTTP: the trail's filters and refusals, its CSV, who reads what, the chain in words, roles."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from python_calamine import CalamineWorkbook

from service.app import create_app
from service.settings import Settings
from service.web.xlsx import XLSX_MEDIA_TYPE
from tests.integration.api.conftest import Client, Token, report_body
from tests.integration.api.test_verification import _tamper
from tests.support.database import SessionDatabase
from tests.support.read_log import flush, new_tenant, recorded_reads

POSITION = re.compile(r'<td class="numeric">(\d+)</td>')
TRAIL_PAGES = ["/granskning", "/granskning/csv", "/granskning/xlsx"]
AUDIT_PAGES = [*TRAIL_PAGES, "/granskning/lasningar", "/granskning/lasningar/csv", "/granskning/kedjan"]


async def sign_in(client: Client, tenant: str, *roles: str, org: str = "kommunen", sub: str = "test-granskare") -> None:
    """Sign in through the development form (a new session each time)."""
    login = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text)
    assert token, login.text
    form = {"_csrf_token": token.group(1), "tenant": tenant, "org": org, "roles": list(roles), "sub": sub}
    assert (await client.post("/login", data=form)).status_code == 303


@dataclass
class Trail:
    """A tenant of the test's own: two areas, three reports by three organisations, positions in log order."""

    tenant: str
    areas: dict[str, str]
    positions: list[int]
    reports: dict[str, int]


async def _trail(client: Client, auth: Token, tenant: str) -> Trail:
    areas, positions, reports = {}, [], {}
    for name in ("Råslätt", "Öxnehaga"):
        body = {"code": f"omrade-{uuid.uuid4().hex[:8]}", "name": name}
        made = await client.post("/api/v1/areas", json=body, headers=auth("admin", org="kommunen", tenant=tenant))
        assert made.status_code == 201, made.text
        areas[name] = made.json()["id"]
        positions.append(made.json()["position"])
    for org, area in (("polisen", "Råslätt"), ("vatterhem", "Öxnehaga"), ("kommunen", "Råslätt")):
        headers = auth("reporter", org=org, tenant=tenant, sub=f"test-{org}")
        written = await client.post("/api/v1/reports", json=report_body(areas[area]), headers=headers)
        assert written.status_code == 201, written.text
        positions.append(written.json()["position"])
        reports[org] = written.json()["position"]
    caught_up = await client.get(  # waits until the audit trail has the last report (min_position)
        "/api/v1/audit", params={"min_position": positions[-1]}, headers=auth("auditor", tenant=tenant)
    )
    assert caught_up.status_code == 200, caught_up.text
    return Trail(tenant, areas, positions, reports)


@pytest.fixture
async def trail(client: Client, auth: Token) -> Trail:
    """The tenant's trail, ready to be read."""
    return await _trail(client, auth, new_tenant())


async def _positions(client: Client, query: dict[str, str] | None = None) -> list[int]:
    answer = await client.get("/granskning", params=query or {})
    assert answer.status_code == 200, answer.text
    return [int(p) for p in POSITION.findall(answer.text)]


async def test_the_trail_filters_by_organisation_user_area_and_time(client: Client, trail: Trail) -> None:
    await sign_in(client, trail.tenant, "coordinator")
    assert await _positions(client) == trail.positions
    assert await _positions(client, {"org": "polisen"}) == [trail.reports["polisen"]]
    assert await _positions(client, {"actor": "test-vatterhem"}) == [trail.reports["vatterhem"]]
    raslatt = await _positions(client, {"area_id": trail.areas["Råslätt"]})
    assert raslatt == [trail.positions[0], trail.reports["polisen"], trail.reports["kommunen"]]
    assert await _positions(client, {"from": "2000-01-01 00:00", "to": "2099-12-31"}) == trail.positions
    assert await _positions(client, {"from": "2099-01-01T08:00"}) == []
    page = await client.get("/granskning", params={"area_id": trail.areas["Öxnehaga"]})
    assert f'<option value="{trail.areas["Öxnehaga"]}" selected>Öxnehaga</option>' in page.text
    assert "<td>Öxnehaga</td>" in page.text
    assert "<td>Område skapat</td>" in page.text
    assert "<td>Rapport skickad</td>" in (await client.get("/granskning", params={"org": "vatterhem"})).text
    assert f'href="/granskning/csv?area_id={trail.areas["Öxnehaga"]}"' in page.text


async def test_refused_filters_stand_beside_their_fields_with_the_input_kept(
    client: Client, auth: Token, trail: Trail
) -> None:
    await sign_in(client, trail.tenant, "coordinator", sub="test-samordnare")
    query = {"from": "igår", "org": "19121212-1212", "area_id": "Råslätt", "actor": "test-polisen"}
    answer = await client.get("/granskning", params=query)
    assert answer.status_code == 400
    assert "<title>Fel: Granskning" in answer.text
    summary = re.findall(r'<li><a href="#([a-z]+)">', answer.text)
    assert summary == ["fran", "organisation", "omrade"]
    assert 'id="fran" name="from" type="text"\n         value="igår"' in answer.text
    assert 'aria-describedby="organisation-error" aria-invalid="true"' in answer.text
    assert "ser ut att innehålla personuppgifter" in answer.text
    assert 'value="test-polisen"' in answer.text
    assert POSITION.findall(answer.text) == []
    backwards = await client.get("/granskning", params={"from": "2026-12-01 08:00", "to": "2026-12-01"})
    assert backwards.status_code == 400
    assert '<a href="#till">Till ska vara en senare tid än Från</a>' in backwards.text
    assert (await client.get("/granskning/csv", params={"from": "1066-10-14"})).status_code == 400
    assert (await client.get("/granskning", params={"limit": "5"})).status_code == 400  # not a parameter of the form
    for cursor in ("x", "²", "9" * 30):
        assert (await client.get("/granskning", params={"after": cursor})).status_code == 404
    recorded = await recorded_reads(client, auth, trail.tenant, actor="test-samordnare")
    assert [r["status"] for r in recorded] == [404] * 3  # a refused form read nothing; pages not found are recorded


async def test_the_csv_is_the_apis(client: Client, auth: Token, trail: Trail) -> None:
    await sign_in(client, trail.tenant, "auditor")
    for query in ({}, {"org": "polisen"}, {"area_id": trail.areas["Råslätt"], "from": "2000-01-01T00:00:00+00:00"}):
        download = await client.get("/granskning/csv", params=query)
        assert download.status_code == 200, download.text
        assert download.headers["content-disposition"] == 'attachment; filename="audit.csv"'
        headers = auth("auditor", tenant=trail.tenant) | {"Accept": "text/csv"}
        api = await client.get("/api/v1/audit", params=query | {"limit": "500"}, headers=headers)
        assert download.content == api.content
    assert (await client.get("/granskning/csv")).text.count("\r\n") == 1 + len(trail.positions)
    excel = await client.get("/granskning/xlsx", params={"org": "polisen"})
    assert excel.headers["content-type"] == XLSX_MEDIA_TYPE
    assert excel.headers["content-disposition"] == 'attachment; filename="audit.xlsx"'
    rows = CalamineWorkbook.from_filelike(io.BytesIO(excel.content)).get_sheet_by_index(0).to_python()
    assert [(row[0], row[4]) for row in rows[1:]] == [(trail.reports["polisen"], "polisen")]


async def test_the_csv_never_hands_a_spreadsheet_a_formula(client: Client, auth: Token, trail: Trail) -> None:
    headers = auth("reporter", org="@kommun", tenant=trail.tenant, sub="=1+2")
    written = await client.post("/api/v1/reports", json=report_body(trail.areas["Råslätt"]), headers=headers)
    assert written.status_code == 201, written.text
    wait = {"min_position": written.json()["position"], "limit": 1}
    assert (await client.get("/api/v1/audit", params=wait, headers=auth("auditor", tenant=trail.tenant))).is_success
    await sign_in(client, trail.tenant, "coordinator")
    download = await client.get("/granskning/csv", params={"org": "@kommun"})
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [(row["actor"], row["org"]) for row in rows] == [("'=1+2", "'@kommun")]
    page = await client.get("/granskning", params={"org": "@kommun"})
    assert "<td>=1+2</td>" in page.text  # on the page itself it is text anyway


async def test_a_page_at_a_time_in_log_order(client: Client, auth: Token, trail: Trail) -> None:
    await sign_in(client, trail.tenant, "coordinator")
    first = await client.get("/granskning")
    assert 'rel="next"' not in first.text
    after = await client.get("/granskning", params={"after": str(trail.positions[1])})
    assert [int(p) for p in POSITION.findall(after.text)] == trail.positions[2:]


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [
        (("reporter",), set()),
        (("admin",), set()),
        (("coordinator",), set(TRAIL_PAGES)),
        (("auditor",), set(AUDIT_PAGES)),
    ],
)
async def test_each_role_reaches_what_it_may_and_is_refused_the_rest(
    client: Client, auth: Token, roles: tuple[str, ...], allowed: set[str]
) -> None:
    tenant = new_tenant()
    await sign_in(client, tenant, *roles, sub="test-roll")
    for path in AUDIT_PAGES:
        answer = await client.get(path)
        assert answer.status_code == (200 if path in allowed else 403), (path, answer.text)
        if path not in allowed:
            assert "<h1>Du saknar behörighet</h1>" in answer.text
    home = await client.get("/")
    assert ('href="/granskning"' in home.text) == bool(allowed)
    subnav = await client.get("/granskning")
    assert ('aria-label="Granskning"' in subnav.text) == ("auditor" in roles)
    statuses = {r["status"] for r in await recorded_reads(client, auth, tenant, actor="test-roll")}
    assert 403 in statuses or len(allowed) == len(AUDIT_PAGES)  # refusals are recorded, as the API's


async def test_who_read_what_shows_the_trails_readers(client: Client, auth: Token, trail: Trail) -> None:
    await sign_in(client, trail.tenant, "coordinator", org="polisen", sub="test-samordnare")
    assert (await client.get("/granskning", params={"org": "vatterhem"})).status_code == 200
    await flush(client)
    await sign_in(client, trail.tenant, "auditor", sub="test-granskare")
    answer = await client.get("/granskning/lasningar", params={"actor": "test-samordnare"})
    assert answer.status_code == 200, answer.text
    row = re.search(
        r"<td>test-samordnare</td>\s*<td>polisen</td>\s*<td>coordinator</td>\s*<td>([^<]*)</td>", answer.text
    )
    assert row
    assert row.group(1) == "granskningsloggen"
    assert "<td>GET /granskning</td>" in answer.text
    reads = await recorded_reads(client, auth, trail.tenant, resource="audit")
    mine = [r for r in reads if r["actor"] == "test-samordnare"]
    assert [(r["route"], r["query_params"], r["status"]) for r in mine] == [
        ("GET /granskning", {"org": "vatterhem"}, 200)
    ]
    download = await client.get("/granskning/lasningar/csv", params={"actor": "test-samordnare"})
    headers = auth("auditor", tenant=trail.tenant, sub="revisor") | {"Accept": "text/csv"}
    api = await client.get("/api/v1/audit/reads", params={"actor": "test-samordnare", "limit": 500}, headers=headers)
    assert download.headers["content-disposition"] == 'attachment; filename="reads.csv"'
    assert download.content == api.content
    refused = await client.get("/granskning/lasningar", params={"org": "test@example.org"})
    assert refused.status_code == 400
    assert '<a href="#organisation">' in refused.text


async def test_the_chain_in_words_when_it_holds(client: Client, trail: Trail) -> None:
    await sign_in(client, trail.tenant, "auditor")
    answer = await client.get("/granskning/kedjan")
    assert answer.status_code == 200, answer.text
    assert "<strong>Kedjan är obruten.</strong>" in answer.text
    assert f"fram till och med position {trail.positions[-1]} stämmer" in answer.text
    again = await client.get("/granskning/kedjan", params={"from": "start"})
    assert f"fram till och med position {trail.positions[-1]} stämmer" in again.text
    assert "vid partnerskapets första händelse" in again.text
    assert (await client.get("/granskning/kedjan", params={"from": "igår"})).status_code == 404


@pytest.fixture
async def own_client(own_dsn: str, data_dir: Path) -> AsyncIterator[Client]:
    """A client of the whole app on a database of this test's own (the test tampers with it)."""
    settings = Settings.from_env({"DATABASE_URL": own_dsn, "LAGESBILD_DATA_DIR": str(data_dir)})
    async with AsyncTestClient(create_app(settings, own_dsn)) as test_client:
        test_client.follow_redirects = False
        yield test_client


async def test_the_chain_in_words_when_it_does_not_hold(
    own_client: Client, auth: Token, own_database: SessionDatabase
) -> None:
    trail = await _trail(own_client, auth, new_tenant())
    await _tamper(own_database.admin, trail.reports["vatterhem"])
    await sign_in(own_client, trail.tenant, "auditor")
    answer = await own_client.get("/granskning/kedjan")
    assert answer.status_code == 200, answer.text
    assert f"<strong>Kedjan håller inte från position {trail.reports['vatterhem']}.</strong>" in answer.text
    assert "Den lagrade händelsen stämmer inte med sin länk." in answer.text

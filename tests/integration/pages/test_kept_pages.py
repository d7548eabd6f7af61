"""Översikt and Område computed once for their readers: each reader's own header, and the read models followed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.integration.api.conftest import Client, Token, report_body
from tests.integration.pages.conftest import _form
from tests.integration.pages.conftest import _sign_in as _sign_in_as
from tests.integration.pages.test_sessions import _sign_in
from tests.support.read_log import new_tenant


def _occurrences(page: str, area: str) -> int:
    row = re.search(rf'<tr data-area-id="{area}">(.*?)</tr>', page, flags=re.DOTALL)
    assert row, page
    cell = re.search(r'data-field="occurrences">(\d+)<', row[1])
    assert cell, row[1]
    return int(cell[1])


def _main(page: str) -> str:
    found = re.search(r"<main[^>]*>(.*)</main>", page, flags=re.DOTALL)
    assert found, page
    return found[1]


async def _new_area(client: Client, auth: Token, tenant: str, code: str, name: str) -> str:
    """An area of `tenant`, in the picture when this returns (its page can be read)."""
    made = await client.post("/api/v1/areas", json={"code": code, "name": name}, headers=auth("admin", tenant=tenant))
    assert made.status_code == 201, made.text
    ready = {"min_position": made.json()["position"]}
    assert (
        await client.get("/api/v1/picture", params=ready, headers=auth("reporter", tenant=tenant))
    ).status_code == 200
    return str(made.json()["id"])


async def _report(client: Client, auth: Token, tenant: str, area: str) -> None:
    """A report of this week (2 occurrences), in the picture when this returns."""
    body = report_body(area, occurred_at=(datetime.now(UTC) - timedelta(minutes=1)).isoformat())
    written = await client.post("/api/v1/reports", json=body, headers=auth("reporter", tenant=tenant))
    assert written.status_code == 201, written.text
    seen = await client.get(
        "/api/v1/picture", params={"min_position": written.json()["position"]}, headers=auth("reporter", tenant=tenant)
    )
    assert seen.status_code == 200, seen.text


async def test_readers_of_other_roles_share_the_content_and_keep_their_own_header(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    area = await _new_area(client, auth, tenant, "raslatt", "Råslätt")
    await _report(client, auth, tenant, area)
    pages = {}
    for role in ("reporter", "auditor"):
        await _sign_in(client, tenant=tenant, roles=(role,))
        pages[role] = [(await client.get(path)).text for path in ("/", f"/omraden/{area}")]
    (reporter, reporters_area), (auditor, auditors_area) = pages["reporter"], pages["auditor"]
    assert _occurrences(reporter, area) == _occurrences(auditor, area) == 2
    assert "Importera rapporter från ett kalkylark" in reporter  # reporters may import
    assert "Importera rapporter från ett kalkylark" not in auditor
    assert ('href="/rapportera"' in reporter, 'href="/rapportera"' in auditor) == (True, False)
    assert ('href="/granskning"' in reporter, 'href="/granskning"' in auditor) == (False, True)
    assert _main(reporters_area) == _main(auditors_area)
    assert "<title>Råslätt – Lägesbild</title>" in auditors_area


async def test_the_overview_and_an_area_follow_new_reports(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    area = await _new_area(client, auth, tenant, "oxnehaga", "Öxnehaga")
    await _sign_in(client, tenant=tenant, roles=("coordinator",))
    assert _occurrences((await client.get("/")).text, area) == 0
    assert "Inga rapporter denna vecka." in (await client.get(f"/omraden/{area}")).text
    await _report(client, auth, tenant, area)
    # Kept for at most a second after the picture moved: asked again until it shows (a new page each time).
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while (shown := _occurrences((await client.get("/")).text, area)) == 0 and datetime.now(UTC) < deadline:
        pass
    assert shown == 2
    while "Inga rapporter denna vecka." in (page := (await client.get(f"/omraden/{area}")).text):
        assert datetime.now(UTC) < deadline, "the area's page did not follow the report"
    assert "Inga rapporter denna vecka." not in page


@pytest.fixture
async def kept_a_minute(database_dsn: str, data_dir: Path) -> AsyncIterator[Client]:
    """A client of the app with pages kept up to a minute after the read models moved (redirects not followed)."""
    env = {"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_PAGE_CACHE_SECONDS": "60"}
    async with AsyncTestClient(create_app(Settings.from_env(env), database_dsn)) as client:
        client.follow_redirects = False
        yield client


async def test_a_reader_who_wrote_is_shown_no_page_older_than_the_write(kept_a_minute: Client, auth: Token) -> None:
    client, tenant = kept_a_minute, new_tenant()
    area = await _new_area(client, auth, tenant, "oxnehaga", "Öxnehaga")
    await _sign_in_as(client, "coordinator", tenant=tenant, sub="test-samordnare")
    other = client.cookies["lagesbild_session"]
    assert "Inga rapporter denna vecka." in (await client.get(f"/omraden/{area}")).text
    await _sign_in_as(client, "reporter", tenant=tenant)
    assert _occurrences((await client.get("/")).text, area) == 0

    this_week = (datetime.now(ZoneInfo("Europe/Stockholm")) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    sent = await client.post("/rapportera", data=await _form(client, area, tidpunkt=this_week))
    assert sent.status_code == 303, sent.text
    reporter = client.cookies["lagesbild_session"]  # the session now says what it has written

    client.cookies.set("lagesbild_session", other)  # someone who wrote nothing gets the kept pages as they were
    assert "Inga rapporter denna vecka." in (await client.get(f"/omraden/{area}")).text
    client.cookies.set("lagesbild_session", reporter)  # the reporter gets them with the report, at once
    page = (await client.get(f"/omraden/{area}")).text
    assert "Inga rapporter denna vecka." not in page
    assert "Gångtunneln vid centrum" in page  # in the area's latest reports
    assert _occurrences((await client.get("/")).text, area) == 2


async def test_a_write_the_read_models_do_not_reach_in_time_gets_a_page_saying_so(
    database_dsn: str, data_dir: Path, auth: Token
) -> None:
    # No projection runs in this app: the reporter's write is never reached, so Översikt cannot show it.
    env = {"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_PROJECTIONS": "off"}
    async with AsyncTestClient(create_app(Settings.from_env(env), database_dsn)) as client:
        client.follow_redirects = False
        tenant = new_tenant()
        body, admin = {"code": "torpa", "name": "Torpa"}, auth("admin", tenant=tenant)
        made = await client.post("/api/v1/areas", json=body, headers=admin)
        await _sign_in_as(client, "reporter", tenant=tenant)
        sent = await client.post("/rapportera", data=await _form(client, made.json()["id"]))
        assert sent.status_code == 303, sent.text
        answer = await client.get("/")
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["retry-after"] == "1"
    assert "Lägesbilden har inte hunnit ta med din senaste ändring ännu" in answer.text
    assert '<a href="/">Ladda om sidan</a>' in answer.text

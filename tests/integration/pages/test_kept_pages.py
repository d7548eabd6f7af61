"""Översikt and Område computed once for their readers: each reader's own header, and the read models followed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.integration.api.conftest import Client, Token, report_body
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
    body = {"code": "raslatt", "name": "Råslätt"}
    area = (await client.post("/api/v1/areas", json=body, headers=auth("admin", tenant=tenant))).json()["id"]
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
    body = {"code": "oxnehaga", "name": "Öxnehaga"}
    area = (await client.post("/api/v1/areas", json=body, headers=auth("admin", tenant=tenant))).json()["id"]
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

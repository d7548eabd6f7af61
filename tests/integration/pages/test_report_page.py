"""A report's page through HTTP: correction, retraction, redaction, other organisations and partnerships, reads."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.integration.api.conftest import Client, Token, head
from tests.integration.pages.conftest import REPORT_FIELDS, _api_report, _area, _csrf, _form, _sign_in, _submit
from tests.support.read_log import new_tenant, recorded_reads


async def _correction(client: Client, path: str, version: int, **fields: str) -> Any:
    page = await client.get(path)
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert csrf
    assert "Rätta rapporten" in page.text
    form = {
        "_csrf_token": csrf.group(1),
        "version": str(version),
        "omrade": re.search(r'<option value="([0-9a-f-]{36})" selected>', page.text).group(1),  # type: ignore[union-attr]
        **REPORT_FIELDS,
        "anledning": "Fel antal",
    }
    return await client.post(f"{path}/rattelse", data=form | fields)


async def test_a_correction_with_a_reason_and_a_stale_version(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth)
    answer = await _correction(client, path, 1, antal="5")
    assert (answer.status_code, answer.headers["location"]) == (303, f"{path}?klart=rattad")
    assert (await _api_report(client, auth, path))["count"] == 5
    before = await head(client)
    again = await _correction(client, path, 1, antal="5")  # the same correction sent twice
    assert (again.status_code, await head(client)) == (303, before)
    stale = await _correction(client, path, 1, antal="7", plats="Torget")
    assert stale.status_code == 409
    assert "Någon annan har ändrat rapporten sedan du öppnade sidan" in stale.text
    assert 'value="Torget"' in stale.text
    assert 'name="version" value="2"' in stale.text
    assert await head(client) == before
    unchanged = await _correction(client, path, 2, antal="5")
    assert unchanged.status_code == 400
    assert "Inget skulle ändras" in unchanged.text
    personal = await _correction(client, path, 2, antal="6", anledning="Ring 070-123 45 67")
    assert "Anledningen ser ut att innehålla ett telefonnummer" in personal.text
    assert (await _api_report(client, auth, path))["version"] == 2


async def test_a_retraction_with_a_reason(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth)
    csrf = await _csrf(client, path)
    answer = await client.post(f"{path}/aterkallelse", data={"_csrf_token": csrf, "version": "1", "anledning": ""})
    assert answer.status_code == 400
    assert '<a href="#aterkallelse-anledning">Skriv varför' in answer.text
    form = {"_csrf_token": csrf, "version": "1", "anledning": "Dubbelrapporterad"}
    answer = await client.post(f"{path}/aterkallelse", data=form)
    assert (answer.status_code, answer.headers["location"]) == (303, f"{path}?klart=aterkallad")
    assert (await _api_report(client, auth, path))["status"] == "retracted"
    page = await client.get(f"{path}?klart=aterkallad")
    assert '<dd id="status">Tillbakadragen</dd>' in page.text
    assert "Rätta rapporten" not in page.text


async def test_a_redacted_report_can_be_withdrawn_but_not_corrected(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth)
    redaction = {"reason": "Gallring"}
    answer = await client.post(
        f"{path.replace('/rapporter/', '/api/v1/reports/')}/redaction", json=redaction, headers=auth("coordinator")
    )
    assert answer.status_code == 200, answer.text
    page = await client.get(path)
    assert "<dd>Maskad</dd>" in page.text
    assert "Gångtunneln" not in page.text
    assert "Rätta rapporten" not in page.text
    assert "Dra tillbaka rapporten" in page.text


async def test_another_organisation_reads_but_may_not_change(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth)
    await _sign_in(client, "reporter", org="polisen", sub="test-polis")
    page = await client.get(path)
    assert page.status_code == 200
    assert "Rätta rapporten" not in page.text
    csrf = await _csrf(client, path)
    answer = await client.post(f"{path}/aterkallelse", data={"_csrf_token": csrf, "version": "1", "anledning": "x"})
    assert answer.status_code == 403
    assert (await _correction_as_coordinator(client, path)).status_code == 303


async def _correction_as_coordinator(client: Client, path: str) -> Any:
    await _sign_in(client, "coordinator", org="kommunen", sub="test-samordnare")
    return await _correction(client, path, 1, plats="Torget")


async def test_another_partnerships_report_does_not_exist(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth)
    await _sign_in(client, "reporter", tenant=new_tenant())
    answer = await client.get(path)
    assert answer.status_code == 404
    assert "Sidan finns inte" in answer.text


async def test_the_report_page_is_recorded_in_the_read_log(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    await _sign_in(client, "reporter", tenant=tenant)
    form = await _form(client, await _area(client, auth, tenant))
    path = (await client.post("/rapportera", data=form)).headers["location"].split("?")[0]
    assert (await client.get(path)).status_code == 200
    missing = str(uuid.uuid4())
    assert (await client.get(f"/rapporter/{missing}")).status_code == 404
    reads = await recorded_reads(client, auth, tenant, resource="report")
    assert sorted((r["actor"], r["resource_id"], r["route"], r["status"]) for r in reads) == sorted(
        [
            ("test-rapportor", path.rsplit("/", 1)[1], "GET /rapporter/{report_id}", 200),
            ("test-rapportor", missing, "GET /rapporter/{report_id}", 404),
        ]
    )

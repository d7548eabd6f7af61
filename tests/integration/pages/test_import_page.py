"""Importera through HTTP: upload, the dry run as a table in Swedish, confirm once, nothing stored before."""

from __future__ import annotations

import html
import re

from tests.integration.api.conftest import Client, Token, head
from tests.integration.pages.test_sessions import _csrf, _sign_in
from tests.support.read_log import new_tenant

CSV = (
    "area;category;week;count;place;description;external_id\n"
    "raslatt;klotter;2026-W10;2;Gångtunneln;Nytt klotter;r-1\n"
    "ingenstans;klotter;2026-W10;1;;;r-2\n"
    "raslatt;brand;2026-W11;1;;Ring 070-123 45 67;r-3\n"
    "Råslätt;Krossat glas;2026-W11;1;Busshållplatsen;;r-4\n"
)


async def _upload(client: Client, body: bytes, filename: str = "rapporter.csv") -> tuple[int, str]:
    token = await _csrf(client, "/importera")
    answer = await client.post("/importera", data={"_csrf_token": token}, files={"fil": (filename, body, "text/csv")})
    return answer.status_code, answer.text


async def test_a_file_is_previewed_then_stored_once_on_confirming(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    created = await client.post(
        "/api/v1/areas", json={"code": "raslatt", "name": "Råslätt"}, headers=auth("admin", tenant=tenant)
    )
    assert created.status_code == 201
    await _sign_in(client, tenant=tenant, roles=("reporter",))
    assert "Importera rapporter från ett kalkylark" in (await client.get("/")).text
    before = await head(client)
    status, text = await _upload(client, CSV.encode())
    assert status == 200, text
    assert "Inget är sparat än." in text
    assert "Inget aktivt område i partnerskapet har den koden eller det namnet" in text
    assert "Beskrivningen ser ut att innehålla ett telefonnummer" in text
    assert "070-123" not in text.split("<table", 1)[1].split('name="tabell"', 1)[0]  # the refusal does not repeat it
    assert await head(client) == before  # a preview stores nothing
    table = html.unescape(re.search(r'name="tabell" value="([^"]*)"', text).group(1))  # type: ignore[union-attr]
    form = {"_csrf_token": await _csrf(client, "/importera"), "tabell": table}
    done = await client.post("/importera/bekrafta", data=form)
    assert done.status_code == 200, done.text
    assert "<strong>2</strong> rapporter sparades" in done.text
    again = await client.post("/importera/bekrafta", data=form)  # sent twice: nothing new
    assert "<strong>0</strong> rapporter sparades, <strong>2</strong> fanns redan" in again.text
    assert await head(client) == before + 2


async def test_a_file_that_cannot_be_read_is_refused_beside_its_field(client: Client, auth: Token) -> None:
    await _sign_in(client, tenant=new_tenant(), roles=("coordinator",))
    status, text = await _upload(client, b"\xff\xfe;;")
    assert status == 422
    assert 'href="#fil"' in text  # the error summary links to the field
    assert 'id="fil-error"' in text
    status, text = await _upload(client, b"category;week\nklotter;2026-W10\n")
    assert (status, "Kolumnen area saknas" in text) == (422, True)


async def test_an_auditor_may_not_import(client: Client) -> None:
    await _sign_in(client, tenant=new_tenant(), roles=("auditor",))
    assert (await client.get("/importera")).status_code == 403
    assert "Importera rapporter" not in (await client.get("/")).text

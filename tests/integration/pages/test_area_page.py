"""Område through HTTP: the week, the charts and their tables, assessments, actions, the filtered reports, 404s."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from service.web.auth import mint_development_token
from tests.integration.api.conftest import Client, Token
from tests.support.read_log import recorded_reads

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday of 2026-W48
DAYS = {"2026-W45": "11-04", "2026-W46": "11-11", "2026-W47": "11-18", "2026-W48": "11-24"}


class Area:
    """An area of a tenant of its own, with what was written there, read through the pages as a coordinator."""

    def __init__(self, client: Client, data_dir: Path) -> None:
        self.client, self.data_dir = client, data_dir
        self.tenant = f"t-{uuid.uuid4().hex[:10]}"
        self.position = 0
        self.id = ""

    def headers(self, role: str, org: str = "kommunen", tenant: str | None = None) -> dict[str, str]:
        token = mint_development_token(
            self.data_dir, sub=f"{org}-1", tenant=tenant or self.tenant, org=org, roles=[role]
        )
        return {"Authorization": f"Bearer {token}"}

    async def write(self, method: str, url: str, body: dict[str, Any] | None, role: str, org: str) -> dict[str, Any]:
        response = await self.client.request(method, f"/api/v1{url}", json=body, headers=self.headers(role, org))
        assert response.status_code in (200, 201), response.text
        written: dict[str, Any] = response.json()
        self.position = max(self.position, written["position"])
        return written

    async def report(self, category: str, week: str, org: str, count: int = 1, place: str = "Torget") -> str:
        body = {"area_id": self.id, "category": category, "count": count, "place": place,
                "occurred_at": f"2026-{DAYS[week]}T20:00:00+01:00"}  # fmt: skip
        return str((await self.write("POST", "/reports", body, "reporter", org))["id"])

    async def sign_in(self) -> None:
        form_page = await self.client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form_page.text)
        assert token, form_page.text
        form = {"_csrf_token": token.group(1), "tenant": self.tenant, "org": "kommunen", "roles": ["coordinator"]}
        answer = await self.client.post("/login", data=form | {"sub": "test-samordnare"})
        assert answer.status_code == 303, answer.text

    async def page(self, area_id: str | None = None, **params: Any) -> Any:
        """The page, once the picture and the patterns have caught up with what was written (the API waits for it)."""
        for read_model in ("picture", "patterns"):
            caught_up = await self.client.get(
                f"/api/v1/areas/{self.id}/{read_model}",
                params={"min_position": self.position},
                headers=self.headers("auditor"),
            )
            assert caught_up.status_code == 200, caught_up.text
        return await self.client.get(f"/omraden/{area_id or self.id}", params=params)


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def area(database_dsn: str, data_dir: Path) -> AsyncIterator[Area]:
    """Råslätt, in a tenant of its own, once for the module (its tests only read).

    Klotter over four weeks, lighting and a retracted fire this week, an action followed up, two assessments.
    """
    settings = Settings.from_env({"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir)})
    async with AsyncTestClient(create_app(settings, database_dsn, clock=lambda: NOW)) as client:
        client.follow_redirects = False
        a = Area(client, data_dir)
        a.id = (await a.write("POST", "/areas", {"code": "raslatt", "name": "Råslätt"}, "admin", "kommunen"))["id"]
        for week, count in (("2026-W45", 1), ("2026-W46", 4), ("2026-W47", 2)):
            await a.report("klotter", week, "polisen", count)
        await a.report("klotter", "2026-W48", "polisen", 3, place="Gångtunneln")
        await a.report("belysning", "2026-W48", "kommunen", 2, place="Parkeringen")
        retracted = await a.report("brand", "2026-W48", "vatterhem", place="Soprummet")
        await a.write("POST", f"/reports/{retracted}/retraction", {"reason": "dubblett"}, "reporter", "vatterhem")
        action = await a.write(
            "POST", "/actions",
            {"area_id": a.id, "title": "Sanering av klotter", "responsible_org": "kommunen", "categories": ["klotter"]},
            "coordinator", "kommunen",
        )  # fmt: skip
        await a.write("POST", f"/actions/{action['id']}/status", {"status": "started"}, "coordinator", "kommunen")
        await a.write(
            "POST", f"/actions/{action['id']}/follow-ups", {"effect": "improved", "note": "Mindre klotter i tunneln"},
            "coordinator", "kommunen",
        )  # fmt: skip
        for week, level, summary in (("2026-W46", "red", "Mycket klotter"), ("2026-W47", "yellow", "Lugnare")):
            url = f"/areas/{a.id}/assessments/{week}"
            await a.write("PUT", url, {"level": level, "summary": summary}, "coordinator", "kommunen")
            await a.write("POST", f"{url}/publication", None, "coordinator", "kommunen")
        await a.sign_in()
        yield a


def rows(page: str, table_id: str) -> list[list[str]]:
    """The body rows of the table `table_id`, each as its cells' text."""
    table = re.search(rf'<table class="table[^"]*" id="{table_id}">(.*?)</table>', page, re.S)
    assert table, f"no table {table_id}"
    body = table.group(1).split("<tbody>")[1]
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


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


async def test_the_reports_newest_first_without_retracted_ones(area: Area) -> None:
    page = (await area.page()).text
    assert len(re.findall(r'<td><a href="/rapporter/[0-9a-f-]{36}">', page)) == 5  # each report's own page
    listed = rows(page, "rapportlista")
    assert [(r[0], r[2], r[3], r[4], r[6]) for r in listed] == [
        ("2026-W48", "Bristande belysning", "2", "Parkeringen", "kommunen"),
        ("2026-W48", "Klotter", "3", "Gångtunneln", "polisen"),
        ("2026-W47", "Klotter", "2", "Torget", "polisen"),
        ("2026-W46", "Klotter", "4", "Torget", "polisen"),
        ("2026-W45", "Klotter", "1", "Torget", "polisen"),
    ]
    assert listed[1][1] == "2026-11-24 20:00"


FILTERS: list[tuple[dict[str, str], list[tuple[str, str]] | None]] = [
    ({"kategori": "klotter"}, [(f"2026-W{n}", "Klotter") for n in (48, 47, 46, 45)]),
    ({"organisation": "kommunen"}, [("2026-W48", "Bristande belysning")]),
    ({"vecka": "2026-W47"}, [("2026-W47", "Klotter")]),
    ({"kategori": "klotter", "vecka": "2026-W48", "organisation": "polisen"}, [("2026-W48", "Klotter")]),
    ({"kategori": "brand"}, []),
    ({"kategori": "", "organisation": "", "vecka": ""}, None),
]  # fmt: skip
"""Filters and the reports (week, category) they leave; None: all five, as without filters."""


async def test_the_reports_filtered(area: Area) -> None:
    for params, expected in FILTERS:
        answer = await area.page(**params)
        assert answer.status_code == 200, answer.text
        listed = rows(answer.text, "rapportlista")
        if expected is None:
            assert len(listed) == 5
        elif not expected:
            assert listed == [["Inga rapporter som matchar filtret."]]
        else:
            assert [(r[0], r[2]) for r in listed] == expected, params
        for name, value in params.items():
            if value and name != "kategori":
                assert f'name="{name}" type="text"\n         value="{value}"' in answer.text
        if params.get("kategori"):
            assert f'<option value="{params["kategori"]}" selected>' in answer.text


WEEKS_1_TO_52 = "Ange antal veckor som ett heltal från 1 till 52"
A_REAL_WEEK = "Ange en vecka som finns, som år och veckonummer, till exempel 2026-W47"
BAD_FILTERS: list[tuple[dict[str, str], dict[str, str]]] = [
    ({"veckor": "53"}, {"veckor": WEEKS_1_TO_52}),
    ({"veckor": "0"}, {"veckor": WEEKS_1_TO_52}),
    ({"veckor": "åtta"}, {"veckor": WEEKS_1_TO_52}),
    ({"kategori": "katter"}, {"kategori": "Välj en kategori i listan"}),
    ({"vecka": "vecka 47"}, {"vecka": A_REAL_WEEK}),
    ({"vecka": "2026-W54"}, {"vecka": A_REAL_WEEK}),
    ({"organisation": "x" * 65}, {"organisation": "Organisationen får vara högst 64 tecken"}),
    ({"organisation": "811228-9874"}, {"organisation": "Organisationen ser ut att innehålla ett personnummer"}),
    ({"organisation": "kontakt@example.se"}, {"organisation": "Organisationen ser ut att innehålla en e-postadress"}),
    ({"vecka": "47", "veckor": "-1", "kategori": "klotter"}, {"veckor": WEEKS_1_TO_52, "vecka": A_REAL_WEEK}),
]
"""Bad filter values and the errors they give, by field, in the page's order."""


async def test_bad_filter_values_stand_beside_their_fields_and_show_no_data(area: Area, auth: Token) -> None:
    before = await recorded_reads(area.client, auth, area.tenant, resource="picture", actor="test-samordnare")
    for params, errors in BAD_FILTERS:
        answer = await area.page(**params)
        assert answer.status_code == 400, answer.text
        assert "<title>Fel: Råslätt – Lägesbild</title>" in answer.text
        summary = re.findall(r'<li><a href="#([a-z]+)">([^<]*)</a></li>', answer.text)
        assert [(field, html.unescape(message)[: len(errors[field])]) for field, message in summary] == list(
            errors.items()
        )
        for field in errors:
            assert f'id="{field}-error"' in answer.text
            assert re.search(rf'aria-describedby="(?:{field}-hint )?{field}-error" aria-invalid="true"', answer.text)
        for field, value in params.items():
            if field != "kategori":
                assert f'value="{html.escape(value)}"' in answer.text  # kept as typed
            elif field in errors:
                assert " selected>" not in answer.text  # a category not in the list: the list shows all
            else:
                assert f'<option value="{value}" selected>' in answer.text
        assert 'id="rapportlista"' not in answer.text
        assert 'role="img"' not in answer.text
    after = await recorded_reads(area.client, auth, area.tenant, resource="picture", actor="test-samordnare")
    assert after == before


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


async def test_a_filter_given_twice_is_refused_so_that_every_value_is_checked(area: Area, auth: Token) -> None:
    before = await recorded_reads(area.client, auth, area.tenant, resource="picture", actor="test-samordnare")
    answer = await area.page(organisation=["polisen", "811228-9874"])
    assert answer.status_code == 400, answer.text
    assert '<li><a href="#organisation">Ange bara ett värde</a></li>' in answer.text
    after = await recorded_reads(area.client, auth, area.tenant, resource="picture", actor="test-samordnare")
    assert after == before


async def test_older_reports_page_by_page_with_the_same_filters(area: Area, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("service.pages.area.REPORTS_SHOWN", 2)  # pages of two reports
    for params, query, expected in (
        ({"veckor": "4"}, "veckor=4", ["2026-W48", "2026-W48", "2026-W47", "2026-W46", "2026-W45"]),
        ({"kategori": "klotter"}, "kategori=klotter", ["2026-W48", "2026-W47", "2026-W46", "2026-W45"]),
    ):
        seen: list[str] = []
        answer = await area.page(**params)
        for _ in expected:  # no more pages than reports
            assert answer.status_code == 200, answer.text
            seen += [r[0] for r in rows(answer.text, "rapportlista")]
            older = re.search(r'<a href="([^"]+)">Äldre rapporter</a>', answer.text)
            if older is None:
                break
            assert html.unescape(older.group(1)).startswith(f"/omraden/{area.id}?{query}&fran=")
            answer = await area.client.get(html.unescape(older.group(1)))
            assert f'<a href="/omraden/{area.id}?{query}#rapporter">De senaste rapporterna</a>' in answer.text
        else:
            pytest.fail("the link to older reports never ends")
        assert seen == expected


async def test_a_broken_link_to_older_reports_is_said_in_words(area: Area) -> None:
    answer = await area.page(fran="9" * 30)
    assert answer.status_code == 400
    assert '<li><a href="#rapporter">Länken till äldre rapporter gäller inte' in answer.text


async def test_the_patterns_by_weekday_and_hour_and_by_month_as_tables_with_their_numbers(area: Area) -> None:
    page = (await area.page()).text
    grid = rows(page, "monster-veckodag-timme")
    assert [row[0] for row in grid] == ["Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag"]
    assert {len(row) for row in grid} == {26}  # the day, 24 hours, the total
    hour_20 = 21  # (the day's name comes first)
    assert (grid[1][hour_20], grid[1][-1]) == ("5", "5")  # Tuesday 20:00: klotter 3, belysning 2 (the fire retracted)
    assert (grid[2][hour_20], grid[2][-1]) == ("7", "7")  # Wednesdays 20:00: klotter 1 + 4 + 2
    assert sum(int(cell) for row in grid for cell in row[1:-1]) == 12
    assert 'class="heat heat--4">7<' in page  # the largest cell darkest, its number written in it
    months = rows(page, "monster-manader")
    assert (len(months), months[0], months[-1]) == (12, ["december 2025", "0"], ["november 2026", "12"])
    assert "Förekomster 1 december 2025 till 25 november 2026, svensk tid." in page
    assert "Inga förekomster rapporterade för en hel vecka." in page


async def test_without_a_boundary_or_located_reports_no_map_and_no_hot_cell(area: Area) -> None:
    page = (await area.page()).text
    assert rows(page, "heta-rutor") == [["Ingen ruta har så många rapporter under perioden."]]
    assert 'class="map"' not in page
    assert "Rutor med minst 3 rapporter de senaste 8 veckorna" in page
